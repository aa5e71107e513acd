// What a buyer sees first on a 360×640 phone: products, not a form (the filters are folded
// away), square photos on the cards, a heading and a count that say what the filters and words
// found (best match first), a long product name that fits the screen, a description for search
// engines and link previews, and the site's icon.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  PHOTO, horizontalOverflow, launchBrowser, phonePage, screenshot, sellerWorld, startServer, writePng,
} from './harness.js';

const LONG_NAME = 'Celana Jeans Rowosari Premium Denim Stretch Slimfit Biru Dongker Ukuran Besar Jahitan Rangkap';

describe('the first screen of a phone shows products', () => {
  let server;
  let world;
  let browser;

  before(async () => {
    server = await startServer();
    world = await sellerWorld(server, [
      { key: 'jeans', name: 'Celana Jeans Rowosari', category: 'Fesyen', unit: 'pcs', price: 150000, stock: 12,
        description: 'Jeans denim biru, jahitan rapi', photo: PHOTO },
      { key: 'sarung', name: 'Sarung Tenun Pemalang', category: 'Fesyen', unit: 'pcs', price: 95000, stock: 8,
        description: 'Cocok dipakai dengan jeans', photo: writePng(path.join(server.dir, 'sarung.png'), [30, 90, 160]) },
      { key: 'gula', name: 'Gula Kristal Banyumas', category: 'Gula', unit: 'kg', price: 15000, stock: 500,
        photo: writePng(path.join(server.dir, 'gula.png'), [200, 180, 120]) },
      { key: 'long', name: LONG_NAME, category: 'Fesyen', unit: 'pcs', price: 175000, stock: 3 },
    ]);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('products show on the first 360×640 screen, on square photos, with the filters folded', async () => {
    const { page, context } = await phonePage(browser);
    await page.goto(`${server.url}/`);
    const firstName = page.locator('ul.grid li.card strong').first();
    const box = await firstName.boundingBox();
    assert.ok(box.y + box.height <= 640, `the first product name ends at y=${box.y + box.height}`);
    assert.equal(await page.locator('details.filters').evaluate((d) => d.open), false, 'filters folded');
    assert.equal(await page.getByRole('combobox', { name: 'Kategori' }).isVisible(), false);
    // The photos are square crops, not 156×320 strips, and fit the screen.
    const photos = await page.locator('ul.grid li.card img').evaluateAll((imgs) =>
      imgs.map((img) => { const r = img.getBoundingClientRect(); return [r.width, r.height]; }));
    assert.ok(photos.length >= 3);
    for (const [w, h] of photos) assert.ok(Math.abs(w - h) < 1 && w > 120 && w < 200, `a ${w}×${h} photo`);
    assert.equal(await horizontalOverflow(page), 0);
    await screenshot(page, '20-first-screen-360');

    // The filters open on a tap and narrow the list; the heading and a count say so.
    await page.getByText('Saring: kategori, wilayah, koperasi').click();
    await page.getByRole('combobox', { name: 'Kategori' }).selectOption('Gula');
    await page.getByRole('button', { name: 'Terapkan' }).click();
    await page.waitForURL(/kategori=Gula/);
    assert.equal((await page.locator('h1').innerText()).trim(), 'Produk: Gula');
    assert.equal((await page.getByRole('status').innerText()).trim(), '1 produk ditemukan');
    assert.equal(await page.locator('ul.grid li.card').count(), 1);
    assert.match(await page.locator('details.filters summary').innerText(), /\(1\)/, 'one filter on');
    await context.close();
  });

  test('a search lists the best match first and counts the matches', async () => {
    const { page, context } = await phonePage(browser);
    await page.goto(`${server.url}/`);
    await page.getByRole('searchbox').fill('jeans');
    await page.getByRole('button', { name: 'Cari', exact: true }).click();
    await page.waitForURL(/q=jeans/);
    const names = await page.locator('ul.grid li.card strong').allInnerTexts();
    assert.equal(names[0], 'Celana Jeans Rowosari', `jeans first, not the newer sarung: ${names}`);
    assert.ok(names.includes('Sarung Tenun Pemalang'), 'the sarung mentions jeans');
    assert.equal((await page.getByRole('status').innerText()).trim(), `${names.length} produk ditemukan`);
    await context.close();
  });

  test('a long single-variant name fits the phone, and the form asks for a quantity only', async () => {
    const { page, context } = await phonePage(browser);
    await page.goto(`${server.url}/p/${world.listed.long.product}`);
    await page.getByRole('heading', { name: LONG_NAME }).waitFor();
    assert.equal(await horizontalOverflow(page), 0, 'nothing to scroll sideways');
    assert.equal(await page.locator('form table').count(), 0);
    const quantity = page.getByLabel('Jumlah (pcs)');
    assert.equal(await quantity.getAttribute('name'), `jumlah_${world.listed.long.variant}`);
    const box = await quantity.boundingBox();
    assert.ok(box.x + box.width <= 360);
    await screenshot(page, '21-long-name-360');
    await context.close();
  });

  test('every page describes itself, and the browser finds the icon', async () => {
    const { page, context } = await phonePage(browser);
    await page.goto(`${server.url}/`);
    assert.match(await page.locator('meta[name=description]').getAttribute('content'), /UMKM/);
    await page.goto(`${server.url}/p/${world.listed.gula.product}`);
    assert.match(await page.locator('meta[name=description]').getAttribute('content'),
      /^Rp 15\.000 \/ kg · dari Gula Kristal Bu Sri, Kabupaten Banyumas/);
    const icon = await page.request.get(`${server.url}/favicon.ico`);
    assert.equal(icon.status(), 200);
    assert.equal(icon.headers()['content-type'], 'image/x-icon');
    await context.close();
  });
});
