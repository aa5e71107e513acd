// Real camera photos for the browser tests: crops of the 12 MP phone JPEG that
// `scripts/make-test-photo` rebuilds from Debian's mate-backgrounds (a real capture, see
// /work/shared/recipes/test-photos.md), each crop a different part of the picture so that every
// product has a photo of its own (photos are stored by content hash). Needs `vips`.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './harness.js';

const run = promisify(execFile);

/** The 4000×3000 phone JPEG, built once per machine. */
export async function phonePhoto() {
  const photo = path.join(ROOT, 'target', 'testphoto', 'phone-12mp.jpg');
  if (!existsSync(photo)) {
    await run(path.join(ROOT, 'scripts', 'make-test-photo'), [], { timeout: 300_000 });
  }
  return photo;
}

/**
 * `count` camera-sized JPEGs (3200×2400, quality 90, as a phone writes them) in `dir`, each
 * cropped from another part of the 12 MP photo.
 */
export async function realPhotos(dir, count) {
  const source = await phonePhoto();
  mkdirSync(dir, { recursive: true });
  const files = [];
  for (let i = 0; i < count; i += 1) {
    const file = path.join(dir, `camera-${i}.jpg`);
    const left = (i * 37) % 800;
    const top = (i * 23) % 600;
    await run('vips', ['crop', source, `${file}[Q=90]`, String(left), String(top), '3200', '2400']);
    files.push(file);
  }
  return files;
}
