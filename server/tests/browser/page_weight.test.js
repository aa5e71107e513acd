// The first catalogue page as a phone on a prepaid plan gets it: a full page of products, HTML
// and CSS under 60 KB, compressed, and thumbnails below the fold fetched only when scrolled to.
// Then the same with real camera photos, on a 2G link (250 kbit/s, 300 ms, through Chromium's
// own network emulation): the product photo shows within 2.5 s (largest contentful paint), and
// the first catalogue page, with every photo it fetches before the buyer scrolls, stays within
// 60 KB: square card copies, asked for only as they come near the screen (and still there with
// JavaScript off).

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  SHOTS, launchBrowser, phonePage, screenshot, sellerWorld, startServer, writePng,
} from './harness.js';
import { realPhotos } from './real_photos.js';

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

/** 2G as the issue measured it: 250 kbit/s each way, 300 ms per request. */
const TWO_G = { offline: false, latency: 300, downloadThroughput: 250_000 / 8, uploadThroughput: 250_000 / 8 };

/** A phone page whose bytes on the wire (headers included) and photo requests are counted. */
async function countedPage(browser, network) {
  const { page, context } = await phonePage(browser);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  if (network) await cdp.send('Network.emulateNetworkConditions', network);
  const seen = { bytes: 0, photos: new Map(), urls: new Map() };
  cdp.on('Network.requestWillBeSent', (e) => seen.urls.set(e.requestId, new URL(e.request.url).pathname));
  cdp.on('Network.loadingFinished', (e) => {
    seen.bytes += e.encodedDataLength;
    const at = seen.urls.get(e.requestId);
    if (at?.startsWith('/foto/')) seen.photos.set(at, e.encodedDataLength);
  });
  return { page, context, seen };
}

/** The largest contentful paint so far: when, and which image (if an image). */
function largestPaint(page) {
  return page.evaluate(() => new Promise((resolve) => {
    new PerformanceObserver((list) => {
      const last = list.getEntries().at(-1);
      resolve({ ms: Math.round(last.startTime), tag: last.element?.tagName, url: last.url });
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  }));
}

describe('real camera photos on a 2G phone', () => {
  let server;
  let browser;
  let world;
  const weights = {};

  before(async () => {
    server = await startServer();
    // 26 products, each with its own 3200×2400 camera JPEG (the phone makes the 1280 px
    // display image and 320 px thumbnail from it, as in the field).
    const photos = await realPhotos(path.join(server.dir, 'camera'), 26);
    world = await sellerWorld(server, photos.map((photo, i) => ({
      key: `p${i}`,
      name: `${KINDS[i % KINDS.length]} nomor ${String(i + 1).padStart(2, '0')}`,
      category: 'Fesyen',
      unit: 'pcs',
      price: 95000 + 1000 * i,
      stock: 5,
      photo,
    })));
    browser = await launchBrowser();
  }, { timeout: 1_800_000 });

  after(async () => {
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(path.join(SHOTS, 'page-weights-real-photos.json'), `${JSON.stringify(weights, null, 2)}\n`);
    await browser?.close();
    await server?.stop();
  });

  test('a product page with a camera photo paints it within 2.5 s at 250 kbit/s', async (t) => {
    const product = world.listed.p0.product;
    // Copies are made on their first request and kept; measure the link, not that first time.
    const html = await (await fetch(`${server.url}/p/${product}`)).text();
    const display = html.match(/href="\/foto\/([0-9a-f]{64})"/)[1];
    const copy = await fetch(`${server.url}/foto/${display}/400`);
    assert.equal(copy.status, 200);
    const displayBytes = (await (await fetch(`${server.url}/foto/${display}`)).arrayBuffer()).byteLength;

    const { page, context, seen } = await countedPage(browser, TWO_G);
    await page.goto(`${server.url}/p/${product}`, { waitUntil: 'load', timeout: 60_000 });
    const paint = await largestPaint(page);
    // The photo itself: the 400 px copy is the image shown, and its bytes are in by 2.5 s (on
    // the merged tree the largest paint can be a text block, so the photo is timed on its own).
    const photo = await page.evaluate((suffix) => {
      const entry = performance.getEntriesByType('resource').find((e) => e.name.endsWith(suffix));
      const img = [...document.images].find((i) => i.currentSrc.endsWith(suffix));
      return { ms: entry ? Math.round(entry.responseEnd) : null, shown: !!img && img.complete && img.naturalWidth > 0 };
    }, `/foto/${display}/400`);
    assert.ok(photo.shown, 'the 400 px copy is the photo shown');
    assert.ok(photo.ms !== null && photo.ms < 2500, `the photo arrived at ${photo.ms} ms`);
    const photoBytes = seen.photos.get(`/foto/${display}/400`);
    weights.product_page_2g = {
      largest_contentful_paint_ms: paint.ms,
      largest_contentful_paint_element: paint.tag,
      photo_arrived_ms: photo.ms,
      bytes_on_the_wire: seen.bytes,
      photo_copy_bytes: photoBytes,
      display_image_bytes: displayBytes,
    };
    t.diagnostic(`2G product page: LCP ${paint.ms} ms, ${seen.bytes} B in all; the 400 px copy is ${photoBytes} B, `
      + `the 1280 px display image ${displayBytes} B`);
    assert.ok(paint.ms < 2500, `LCP ${paint.ms} ms (${paint.tag})`);
    assert.ok(photoBytes * 4 < displayBytes, 'the copy is a fraction of the display image');
    await screenshot(page, '25-product-real-photo-360');
    await context.close();
  });

  // The budget: everything a phone fetches for the first page before the buyer scrolls (the
  // page with its inline CSS and card script, and every photo, headers included) within 60 KB,
  // on a fast link and on 2G alike. Chromium's own lazy loading fetched 12 card photos (22 on
  // 2G) before any scroll; the card script asks only for what comes near the screen.
  test('the first catalogue page, photos included, reaches a phone in 60 KB before it scrolls', async (t) => {
    for (const [name, network] of [['unthrottled', null], ['2g', TWO_G]]) {
      const { page, context, seen } = await countedPage(browser, network);
      const blocked = [];
      page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) blocked.push(m.text()); });
      const answer = await page.goto(`${server.url}/`, { waitUntil: 'load', timeout: 120_000 });
      const policy = answer.headers()['content-security-policy'];
      assert.match(policy, /script-src 'sha256-[A-Za-z0-9+/=]+'/, 'the card script is allowed by its hash');
      assert.doesNotMatch(policy, /unsafe-inline'[^;]*script|script-src[^;]*unsafe-inline/);
      assert.equal(await page.locator('ul.grid li.card').count(), 24);
      // Give the photos near the first screen time to arrive, without scrolling.
      await page.waitForTimeout(network ? 8_000 : 1_500);
      const nav = await page.evaluate(() => performance.getEntriesByType('navigation')[0].decodedBodySize);
      const photos = [...seen.photos.entries()];
      assert.ok(photos.length >= 2 && photos.length <= 8, `${photos.length} photos before scrolling`);
      for (const [at, bytes] of photos) {
        assert.match(at, /^\/foto\/[0-9a-f]{64}\/kartu$/, 'a card gets its square card copy');
        assert.ok(bytes < 12 * 1024, `${at}: ${bytes} B`);
      }
      const shown = await page.locator('ul.grid li.card img').evaluateAll((imgs) => imgs
        .filter((img) => img.complete && img.naturalWidth > 0)
        .map((img) => [img.naturalWidth, img.naturalHeight]));
      assert.equal(shown.length, photos.length, 'each photo fetched is shown');
      for (const [w, h] of shown) assert.ok(w === h && w >= 200, `a ${w}×${h} card copy`);
      const photoBytes = photos.reduce((sum, [, bytes]) => sum + bytes, 0);
      const lastPhotoMs = await page.evaluate(() => Math.round(Math.max(...performance
        .getEntriesByType('resource').filter((e) => e.name.includes('/foto/')).map((e) => e.responseEnd))));
      const before = {
        html_and_css_bytes: nav,
        first_screen_photos_in_ms: lastPhotoMs,
        photos_before_scrolling: photos.length,
        bytes_per_photo: photos.map(([, bytes]) => bytes),
        photo_bytes: photoBytes,
        bytes_on_the_wire: seen.bytes,
      };
      t.diagnostic(`${name}: ${nav} B of HTML+CSS; ${photos.length} card photos before scrolling `
        + `(${before.bytes_per_photo.join(', ')} B, the last in at ${lastPhotoMs} ms), ${photoBytes} B; `
        + `${seen.bytes} B on the wire in all`);
      assert.ok(seen.bytes <= 60 * 1024, `${name}: ${seen.bytes} B on the wire before scrolling`);

      // Scrolling to the bottom brings every card's photo.
      for (let i = 0; i < 60 && seen.photos.size < 24; i += 1) {
        await page.mouse.wheel(0, 400);
        await page.waitForTimeout(network ? 400 : 100);
      }
      await page.waitForFunction(() => [...document.querySelectorAll('ul.grid li.card img')]
        .filter((img) => img.complete && img.naturalWidth > 0).length === 24, null, { timeout: 60_000 });
      assert.equal(seen.photos.size, 24, 'every card photo arrives once scrolled to');
      assert.equal(await page.locator('ul.grid .ph').count(), 0, 'no placeholder is left');
      before.bytes_after_scrolling = seen.bytes;
      weights[`catalogue_first_page_${name}`] = before;
      assert.deepEqual(blocked, [], 'the policy blocks nothing the page needs');
      if (!network) await screenshot(page, '26-catalogue-real-photos-360');
      await context.close();
    }
  });

  test('with JavaScript off every card still shows its photo', async () => {
    const context = await browser.newContext({
      viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
      locale: 'id-ID', javaScriptEnabled: false,
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/`, { waitUntil: 'load', timeout: 60_000 });
    assert.equal(await page.locator('ul.grid li.card').count(), 24);
    // The placeholders take no room: no grey box above a photo.
    const placeholders = await page.locator('ul.grid .ph').evaluateAll((spans) =>
      spans.map((s) => s.getBoundingClientRect().height));
    assert.equal(placeholders.length, 22);
    for (const h of placeholders) assert.equal(h, 0, 'a placeholder without JavaScript is invisible');
    for (let i = 0; i < 40; i += 1) {
      await page.mouse.wheel(0, 400);
      await page.waitForTimeout(100);
    }
    await page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll('ul.grid li.card img')];
      return imgs.length === 24 && imgs.every((img) => img.complete && img.naturalWidth > 0);
    }, null, { timeout: 60_000 }).catch(() => {});
    const photos = await page.locator('ul.grid li.card img').evaluateAll((imgs) => imgs.map((img) => ({
      src: new URL(img.currentSrc || img.src).pathname,
      shown: img.complete && img.naturalWidth > 0,
      square: Math.abs(img.getBoundingClientRect().width - img.getBoundingClientRect().height) < 1,
    })));
    assert.equal(photos.length, 24, 'every card has its photo');
    for (const p of photos) {
      assert.match(p.src, /^\/foto\/[0-9a-f]{64}\/kartu$/);
      assert.ok(p.shown, `${p.src} shows`);
      assert.ok(p.square, `${p.src} is square`);
    }
    await screenshot(page, '27-catalogue-no-javascript-360');
    await context.close();
  });
});
