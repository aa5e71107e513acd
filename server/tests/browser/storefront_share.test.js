// Sharing on WhatsApp: a product page and the producer's shop page (`/toko/…`, reached from the
// product) carry Open Graph tags with absolute URLs (title with the price, the photo), so a
// pasted link unfolds into a card; their "Bagikan ke WhatsApp" links open wa.me with the text
// and the page's link, the same text the apps send (Share.kt, Share.swift).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PHOTO, launchBrowser, phonePage, screenshot, sellerWorld, startServer, writePng } from './harness.js';

describe('a buyer shares a product and a shop on WhatsApp', () => {
  let server;
  let world;
  let browser;

  before(async () => {
    server = await startServer();
    world = await sellerWorld(server, [
      { key: 'gula', name: 'Gula Kristal Banyumas', category: 'Gula', unit: 'kg', price: 15000, stock: 500, photo: PHOTO },
      { key: 'semut', name: 'Gula Semut Aren', category: 'Gula', unit: 'kg', price: 32000, stock: 40,
        photo: writePng(path.join(server.dir, 'semut.png'), [150, 90, 40]) },
    ]);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const og = (page, key) => page.locator(`meta[property="${key}"]`).getAttribute('content');
  const sharedText = async (page) => {
    const href = await page.getByRole('link', { name: 'Bagikan ke WhatsApp' }).getAttribute('href');
    const url = new URL(href);
    assert.equal(`${url.origin}${url.pathname}`, 'https://wa.me/');
    return url.searchParams.get('text');
  };

  test('a product page unfolds into a card with the name, price and photo, and shares its link', async () => {
    const { page, context } = await phonePage(browser);
    const gula = world.listed.gula.product;
    await page.goto(`${server.url}/p/${gula}`);
    const here = `${server.url}/p/${gula}`;
    assert.equal(await og(page, 'og:type'), 'product');
    assert.equal(await og(page, 'og:title'), 'Gula Kristal Banyumas — Rp 15.000 / kg');
    assert.equal(await og(page, 'og:url'), here);
    assert.equal(await og(page, 'product:price:amount'), '15000');
    assert.equal(await og(page, 'product:price:currency'), 'IDR');
    const image = await og(page, 'og:image');
    assert.match(image, new RegExp(`^${server.url}/foto/[0-9a-f]{64}/640$`), 'an absolute photo URL');
    const photo = await page.request.get(image);
    assert.equal(photo.status(), 200);
    assert.equal(photo.headers()['content-type'], 'image/jpeg');
    assert.equal(await sharedText(page), `Lihat Gula Kristal Banyumas — Rp 15.000 / kg di Sentra: ${here}`);
    await screenshot(page, '23-product-share-360');
    await context.close();
  });

  test("the producer's shop lists all their products, with its own card and share link", async () => {
    const { page, context } = await phonePage(browser);
    await page.goto(`${server.url}/p/${world.listed.gula.product}`);
    await page.getByRole('link', { name: 'Gula Kristal Bu Sri' }).click();
    await page.waitForURL(`**/toko/${world.producer}`);
    await page.getByRole('heading', { name: 'Gula Kristal Bu Sri' }).waitFor();
    const names = await page.locator('ul.grid li.card strong').allInnerTexts();
    assert.deepEqual(names.sort(), ['Gula Kristal Banyumas', 'Gula Semut Aren']);
    const here = `${server.url}/toko/${world.producer}`;
    assert.equal(await og(page, 'og:url'), here);
    assert.equal(await og(page, 'og:title'), 'Gula Kristal Bu Sri · Toko di Sentra');
    assert.match(await og(page, 'og:description'), /2 produk · Kabupaten Banyumas/);
    assert.match(await og(page, 'og:image'), new RegExp(`^${server.url}/foto/[0-9a-f]{64}/640$`));
    assert.equal(await sharedText(page), `Lihat produk Gula Kristal Bu Sri di Sentra: ${here}`);
    assert.doesNotMatch(await page.content(), /0813[- ]?2900|Rahasia|Karanglewas/, "never the producer's phone or address");
    await screenshot(page, '24-shop-360');
    await context.close();
  });
});
