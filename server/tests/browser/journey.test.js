// The whole story, in a real browser against a real server: a buyer on a 360×640 phone finds
// crystal sugar and orders it; the producer's phone (the core, through the `sentra` CLI) syncs,
// sees the order and accepts it; the buyer's status page then says it was accepted.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  horizontalOverflow, launchBrowser, phonePage, screenshot, sellerWorld, startServer,
} from './harness.js';

const BUYER = { name: 'Rina Wulandari', phone: '0812-3456-7890', regency: 'Banyumas' };

describe('a buyer orders crystal sugar and the producer accepts it on their phone', () => {
  let server;
  let world;
  let browser;
  let buyer;
  let code;

  before(async () => {
    server = await startServer();
    world = await sellerWorld(server, [
      { key: 'gula', name: 'Gula Kristal Banyumas', category: 'Gula', unit: 'kg', price: 15000, stock: 500 },
      { key: 'batik', name: 'Kain Batik Tulis', category: 'Kain', unit: 'pcs', price: 350000, stock: 4 },
    ]);
    browser = await launchBrowser();
    buyer = await phonePage(browser);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('on a 360×640 phone the buyer searches, opens the product and places an order', async () => {
    const { page } = buyer;
    await page.goto(`${server.url}/`);
    await assert.doesNotReject(page.getByRole('heading', { name: 'Produk terbaru' }).waitFor());
    assert.equal(await horizontalOverflow(page), 0, 'the catalogue fits a 360 px screen');
    await screenshot(page, '01-catalogue-360');

    await page.getByRole('searchbox').fill('gula kristal');
    await page.getByRole('button', { name: 'Cari' }).click();
    await page.waitForURL(/[?&]q=gula\+kristal/);
    const results = page.locator('ul.grid li.card');
    assert.equal(await results.count(), 1, 'only the sugar matches "gula kristal"');
    assert.match(await results.first().innerText(), /Gula Kristal Banyumas[\s\S]*Rp 15\.000/);
    await screenshot(page, '02-search-results-360');

    await results.first().getByRole('link').click();
    await page.waitForURL(`**/p/${world.listed.gula.product}`);
    await page.getByRole('heading', { name: 'Gula Kristal Banyumas' }).waitFor();
    const text = await page.locator('main').innerText();
    assert.match(text, /Gula Kristal Bu Sri, Kabupaten Banyumas/, 'the producer and regency show');
    assert.doesNotMatch(text, /2900|4455|Rahasia|Karanglewas/, "never the producer's phone or address");
    assert.equal(await horizontalOverflow(page), 0, 'the product page fits a 360 px screen');
    const photo = page.locator('.photos img').first();
    assert.ok(await photo.evaluate((img) => img.complete && img.naturalWidth > 0), 'the photo loads');

    await page.locator(`input[name="jumlah_${world.listed.gula.variant}"]`).fill('20');
    await page.getByLabel('Nama pemesan').fill(BUYER.name);
    await page.getByLabel('Nomor HP (WhatsApp)').fill(BUYER.phone);
    await page.getByLabel('Kabupaten/kota tujuan').fill(BUYER.regency);
    await page.getByLabel('Alamat pengiriman').fill('Jl. Overste Isdiman 12, Purwokerto');
    await page.getByLabel(/Catatan untuk penjual/).fill('Dikemas karung 10 kg, ya.');
    await screenshot(page, '03-product-order-form-360');
    await page.getByRole('button', { name: 'Kirim pesanan' }).click();

    await page.waitForURL(/\/pesanan\/SNT-[A-Z0-9]+\/terima-kasih$/);
    code = (await page.locator('p.code').innerText()).trim();
    assert.match(code, /^SNT-[A-Z0-9]+$/);
    assert.ok(page.url().includes(code), 'the confirmation is for the code it shows');
    await page.getByRole('heading', { name: 'Terima kasih, pesanan terkirim' }).waitFor();
    await screenshot(page, '04-order-confirmation-360');
  });

  test("the producer's phone syncs, sees the order and accepts it", async () => {
    assert.ok(code, 'the order was placed');
    await world.phone.sync();
    const waiting = await world.phone.orders('to_respond');
    assert.equal(waiting.length, 1, JSON.stringify(waiting));
    const [order] = waiting;
    assert.equal(order.code, code);
    assert.equal(order.buyer, BUYER.name);
    assert.equal(order.total, 'Rp 300.000', '20 kg at Rp 15.000');

    assert.equal((await world.phone.run('accept', order.id)).trim(), 'accepted');
    await world.phone.sync();
    assert.deepEqual(await world.phone.orders('to_respond'), []);
    assert.deepEqual((await world.phone.orders('to_ship')).map((o) => o.code), [code]);
  });

  test("the buyer's status page shows the order accepted by the seller", async () => {
    const { page } = buyer;
    await page.goto(`${server.url}/pesanan`);
    await page.getByLabel('Kode pesanan').fill(code);
    await page.getByLabel('4 angka terakhir nomor HP').fill('7890');
    await page.getByRole('button', { name: 'Cek', exact: true }).click();
    await page.waitForURL(/\/pesanan\?kode=/);
    const status = page.getByRole('heading', { level: 2 });
    assert.equal((await status.innerText()).trim(), 'Status: Diterima penjual');
    const steps = await page.locator('ol.timeline li').allInnerTexts();
    assert.equal(steps.length, 2, steps.join(' | '));
    assert.match(steps[0], /^Pesanan dibuat, menunggu penjual — \d\d\/\d\d\/\d{4} \d\d:\d\d WIB$/);
    assert.match(steps[1], /^Diterima penjual — /);
    assert.match(await page.locator('main').innerText(), /Total: Rp 300\.000/);
    assert.equal(await horizontalOverflow(page), 0, 'the status page fits a 360 px screen');
    await screenshot(page, '05-order-status-accepted-360');
  });
});
