// The first catalogue page as a phone on a prepaid plan gets it: a full page of products, HTML
// and CSS under 60 KB, compressed, and thumbnails below the fold fetched only when scrolled to.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  SHOTS, launchBrowser, phonePage, screenshot, sellerWorld, startServer, writePng,
} from './harness.js';

const KINDS = ['Gula Kristal', 'Gula Semut Aren', 'Gula Merah Kelapa', 'Kain Batik Tulis',
  'Celana Jeans Rowosari', 'Sarung Tenun'];

describe('the first catalogue page on a phone', () => {
  let server;
  let browser;
  const weights = {};

  before(async () => {
    server = await startServer();
    // 30 products, each with a photo of its own.
    const products = Array.from({ length: 30 }, (_, i) => ({
      key: `p${i}`,
      name: `${KINDS[i % KINDS.length]} Banyumas nomor ${String(i + 1).padStart(2, '0')}`,
      category: i % KINDS.length < 3 ? 'Gula' : 'Fesyen',
      unit: i % KINDS.length < 3 ? 'kg' : 'pcs',
      price: 12000 + 1000 * i,
      stock: 10 + i,
      photo: writePng(path.join(server.dir, `photo-${i}.png`), [(i * 40) % 256, (i * 90) % 256, (i * 150) % 256]),
    }));
    await sellerWorld(server, products);
    browser = await launchBrowser();
  });

  after(async () => {
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(path.join(SHOTS, 'page-weights.json'), `${JSON.stringify(weights, null, 2)}\n`);
    await browser?.close();
    await server?.stop();
  });

  test('24 products come in under 60 KB of HTML and CSS, compressed', async (t) => {
    const { page, context } = await phonePage(browser);
    const answer = await page.goto(`${server.url}/`);
    assert.match(answer.headers()['content-encoding'] ?? '', /^(br|gzip|zstd|deflate)$/, 'compressed');
    assert.equal(await page.locator('ul.grid li.card').count(), 24);
    await page.getByRole('link', { name: /Berikutnya/ }).waitFor();
    const nav = await page.evaluate(() => {
      const [entry] = performance.getEntriesByType('navigation');
      return { html_and_css_bytes: entry.decodedBodySize, on_the_wire_bytes: entry.encodedBodySize };
    });
    const stylesheets = await page.evaluate(() => document.querySelectorAll('link[rel=stylesheet]').length);
    assert.equal(stylesheets, 0, 'the CSS is inline, so the HTML is all of it');
    weights.catalogue_first_page_24_products = nav;
    t.diagnostic(`catalogue, 24 products: ${nav.html_and_css_bytes} B of HTML+CSS, ${nav.on_the_wire_bytes} B compressed`);
    assert.ok(nav.html_and_css_bytes <= 60 * 1024, `${nav.html_and_css_bytes} B is over the 60 KB budget`);
    assert.ok(nav.on_the_wire_bytes < nav.html_and_css_bytes, 'compression saves bytes');
    await context.close();
  });

  test('thumbnails below the fold load only when the buyer scrolls to them', async () => {
    const { page, context } = await phonePage(browser);
    const photos = new Set();
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/foto/')) photos.add(request.url());
    });
    await page.goto(`${server.url}/`, { waitUntil: 'load' });
    await page.waitForTimeout(500);
    const atFirst = photos.size;
    assert.ok(atFirst >= 1 && atFirst < 24, `${atFirst} of 24 thumbnails fetched before scrolling`);
    weights.thumbnails_fetched_before_scrolling = atFirst;

    for (let i = 0; i < 40 && photos.size < 24; i += 1) {
      await page.mouse.wheel(0, 640);
      await page.waitForTimeout(100);
    }
    assert.equal(photos.size, 24, 'every thumbnail arrives once scrolled to');
    const broken = await page.locator('ul.grid img').evaluateAll((imgs) =>
      imgs.filter((img) => !(img.complete && img.naturalWidth > 0)).length);
    assert.equal(broken, 0, 'every thumbnail shows');
    await screenshot(page, '11-catalogue-full-page-360');

    await page.getByRole('link', { name: /Berikutnya/ }).click();
    await page.waitForURL(/hal=2/);
    assert.equal(await page.locator('ul.grid li.card').count(), 6, 'the other six on page 2');
    await page.getByRole('link', { name: /Sebelumnya/ }).waitFor();
    await context.close();
  });

  test('a product page and the status page stay small too', async (t) => {
    const { page, context } = await phonePage(browser);
    await page.goto(`${server.url}/`);
    await page.locator('ul.grid li.card a').first().click();
    await page.getByRole('button', { name: 'Kirim pesanan' }).waitFor();
    const measure = () => page.evaluate(() => {
      const [entry] = performance.getEntriesByType('navigation');
      return { html_and_css_bytes: entry.decodedBodySize, on_the_wire_bytes: entry.encodedBodySize };
    });
    weights.product_page = await measure();
    await page.goto(`${server.url}/pesanan`);
    weights.status_page = await measure();
    t.diagnostic(`product page: ${JSON.stringify(weights.product_page)}; status page: ${JSON.stringify(weights.status_page)}`);
    for (const [name, w] of Object.entries({ product: weights.product_page, status: weights.status_page })) {
      assert.ok(w.html_and_css_bytes <= 60 * 1024, `${name} page: ${w.html_and_css_bytes} B`);
    }
    await context.close();
  });
});
