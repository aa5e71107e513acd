// The world the browser tests act in: a real `sentra-server` process on loopback with its own
// data directory, the `sentra` device CLI as the producer's and facilitator's phones (the real
// core in a process), and Debian's Chromium driven by playwright-core.
//
// The binaries come from `target/debug/` (scripts/test-browser builds them first).

import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const run = promisify(execFile);

/** The workspace root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'target', 'debug');
/** Where screenshots of the key pages go (a CI artifact, never committed). */
export const SHOTS = path.join(ROOT, 'target', 'browser-screenshots');
/** A small JPEG from the core's photo fixtures, used as a product photo. */
export const PHOTO = path.join(ROOT, 'core/src/photos/tests/fixtures/progressive.jpg');

/** A free TCP port on loopback. */
async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Today's date as the CLI's `--date` wants it (YYYY-MM-DD, in Western Indonesia time). */
export function todayWib() {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

/**
 * Starts `sentra-server serve` on a free loopback port with a fresh data directory and waits
 * until `/healthz` answers. `stop()` ends it and removes the directory.
 */
export async function startServer() {
  const dir = mkdtempSync(path.join(tmpdir(), 'sentra-browser-'));
  const data = path.join(dir, 'server');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = [];
  const child = spawn(
    path.join(BIN, 'sentra-server'),
    ['serve', '--listen', `127.0.0.1:${port}`, '--data', data],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } },
  );
  child.stdout.on('data', (b) => log.push(String(b)));
  child.stderr.on('data', (b) => log.push(String(b)));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  // Never leave a server behind, even when a test process dies half-way.
  const reap = () => child.exitCode === null && child.kill('SIGKILL');
  process.on('exit', reap);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`sentra-server exited with ${child.exitCode}:\n${log.join('')}`);
    }
    try {
      const answer = await fetch(`${url}/healthz`);
      if (answer.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sentra-server did not answer /healthz within 30 s:\n${log.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dir,
    log,
    /** `sentra-server admin ARGS… --data DIR`: accounts and regions, as an operator would. */
    async admin(...args) {
      const { stdout } = await run(path.join(BIN, 'sentra-server'), ['admin', ...args, '--data', data]);
      return stdout.trim();
    },
    /** A phone (one database file) running the `sentra` CLI. */
    phone(name) {
      return new Phone(path.join(dir, `${name}.db`), url);
    },
    async stop() {
      process.off('exit', reap);
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A device: the real core in a process, through the `sentra` command line. */
export class Phone {
  constructor(db, server) {
    this.db = db;
    this.server = server;
  }

  /** Runs `sentra --db DB ARGS…` and returns its standard output; throws with stderr. */
  async run(...args) {
    try {
      const { stdout } = await run(path.join(BIN, 'sentra'), ['--db', this.db, ...args], {
        timeout: 60_000,
      });
      return stdout;
    } catch (err) {
      throw new Error(`sentra ${args.join(' ')} failed: ${err.stderr || err.message}`);
    }
  }

  async login(login, secret) {
    return this.run('login', '--server', this.server, '--login', login, '--secret', secret);
  }

  /** Syncs and checks that the sync completed. */
  async sync() {
    const out = await this.run('sync');
    if (!out.includes('done:')) throw new Error(`sync did not complete: ${out}`);
    return out;
  }

  /** Lists a product with one variant; returns `{ product, variant }` ids. */
  async addProduct({ producer, name, category, unit, price, stock, photo, description }) {
    const args = ['add-product', '--producer', producer, '--name', name, '--category', category];
    args.push('--unit', unit, '--price', String(price), '--stock', String(stock));
    if (description) args.push('--description', description);
    if (photo) args.push('--photo', photo);
    const [product, variant] = (await this.run(...args)).trim().split(/\s+/);
    return { product, variant };
  }

  /** Registers a producer (consent given on 1 November 2026); returns its id. */
  async registerProducer({ name, owner, phone, region, sector, address }) {
    const out = await this.run('register-producer', '--name', name, '--owner', owner, '--phone', phone,
      '--region', region, '--sector', sector, '--address', address, '--consent', '2026-11-01');
    return out.trim();
  }

  /** Records a sale of `quantity` of `variant` at the market stall today (WIB). */
  async sellAtMarket(variant, quantity) {
    return this.run('sale', '--variant', variant, '--quantity', String(quantity),
      '--channel', 'market_stall', '--date', todayWib());
  }

  /** The orders in a tab: `{ id, code, buyer, total }` (the buyer's name may have spaces). */
  async orders(tab = 'to_respond') {
    const out = await this.run('orders', '--tab', tab);
    return out
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => {
        const [id, code, ...rest] = line.trim().split(' ');
        const totalAt = rest.lastIndexOf('Rp');
        return { id, code, buyer: rest.slice(0, totalAt).join(' '), total: rest.slice(totalAt).join(' ') };
      });
  }
}

/**
 * A seller's world: a facilitator who registered a producer in Banyumas (3302) and listed
 * `products` with photos, synced; and that producer's own phone, signed in and synced.
 */
export async function sellerWorld(server, products) {
  await server.admin('create-account', '--login', 'pendamping-banyumas', '--secret', 'rahasia-kuat-1',
    '--role', 'facilitator');
  const laptop = server.phone('laptop');
  await laptop.login('pendamping-banyumas', 'rahasia-kuat-1');
  const producer = await laptop.registerProducer({ name: 'Gula Kristal Bu Sri', owner: 'Sri Lestari',
    phone: '0813-2900-4455', region: '3302', sector: 'food_beverage',
    address: 'Jl. Rahasia No. 9, Desa Karanglewas' });
  const listed = {};
  for (const p of products) {
    listed[p.key] = await laptop.addProduct({ producer, photo: PHOTO, ...p });
  }
  await laptop.sync();
  await server.admin('create-account', '--login', '0813-2900-4455', '--secret', '246810',
    '--role', 'producer', '--producer', producer);
  const phone = server.phone('phone');
  await phone.login('081329004455', '246810');
  await phone.sync();
  return { producer, laptop, phone, listed };
}

/**
 * Makes an official's account and signs it in on `page`, which then shows the dashboard.
 */
export async function signInOfficial(server, page, login, secret) {
  await server.admin('create-account', '--login', login, '--secret', secret, '--role', 'official');
  await page.goto(`${server.url}/masuk?lanjut=%2Fdasbor`);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="secret"]').fill(secret);
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.waitForURL(/\/dasbor$/);
}

/**
 * Debian's Chromium, headless. Playwright gives every launch a fresh, empty user-data-dir; the
 * flags stop Chromium from reaching for Google's services, which a closed network refuses (it
 * stalls on them otherwise).
 */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
    timeout: 60_000,
  });
}

/** A page in a buyer's phone browser: 360×640, touch, Indonesian unless told otherwise. */
export async function phonePage(browser, { locale = 'id-ID' } = {}) {
  const context = await browser.newContext({
    viewport: { width: 360, height: 640 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale,
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  return { context, page, dialogs };
}

/** Saves a full-page screenshot as `target/browser-screenshots/NAME.png`. */
export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** The page is no wider than its viewport (nothing to scroll sideways on a phone). */
export async function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/**
 * A slow link in front of the server: every request goes through at once, but its answer is
 * held back `delayMs`, as on a weak 2G signal. A buyer who taps "Kirim pesanan" twice on such
 * a link sends two submissions that both reach the server. `posts` counts the POSTs passed on.
 */
export async function slowLink(target, delayMs) {
  const to = new URL(target);
  const link = { posts: 0, url: '' };
  const proxy = http.createServer((req, res) => {
    if (req.method === 'POST') link.posts += 1;
    const upstream = http.request(
      { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        setTimeout(() => {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
        }, delayMs);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const port = await freePort();
  await new Promise((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  link.url = `http://127.0.0.1:${port}`;
  link.close = () => new Promise((resolve) => {
    proxy.closeAllConnections();
    proxy.close(resolve);
  });
  return link;
}

/** Parses CSV as the dashboard writes it (RFC 4180: quotes around fields with the separator, " or
 * newlines); the dashboard separates with `;` (Excel in Indonesian), other files with `,`. */
export function parseCsv(text, separator = ',') {
  // A UTF-8 byte-order mark (Excel's sign of UTF-8) is not part of the first cell.
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === separator) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** "Rp 1.250.000" → 1250000. */
export function rupiahValue(text) {
  const digits = text.replace(/^Rp\s*/, '').replace(/\./g, '');
  if (!/^-?\d+$/.test(digits)) throw new Error(`not rupiah: ${text}`);
  return Number(digits);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Writes a `size`×`size` PNG of one colour with a diagonal stripe, so every product can have a
 * photo of its own (photos are stored by content hash: identical files would be one photo).
 */
export function writePng(file, [r, g, b], size = 96) {
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y += 1) {
    const row = y * (size * 3 + 1);
    for (let x = 0; x < size; x += 1) {
      const stripe = Math.abs(x - y) < 6;
      raw.set(stripe ? [255, 255, 255] : [r, g, b], row + 1 + x * 3);
    }
  }
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter, no interlace
  writeFileSync(file, Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]));
  return file;
}
