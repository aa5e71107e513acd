// The order form as buyers get it wrong: mistakes are shown beside the fields that have them,
// a double tap on a slow link makes one order, and a status lookup with a wrong code or wrong
// phone digits reveals nothing.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  launchBrowser, phonePage, screenshot, sellerWorld, slowLink, startServer,
} from './harness.js';

describe('the order form on a phone', () => {
  let server;
  let world;
  let browser;
  let gula;

  before(async () => {
    server = await startServer();
    world = await sellerWorld(server, [
      { key: 'gula', name: 'Gula Kristal Banyumas', category: 'Gula', unit: 'kg', price: 15000, stock: 500 },
    ]);
    gula = world.listed.gula;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a badly filled form comes back with a message under each wrong field', async () => {
    const { page, context } = await phonePage(browser);
    await page.goto(`${server.url}/p/${gula.product}`);
    await page.locator(`input[name="jumlah_${gula.variant}"]`).fill('-3');
    await page.getByLabel('Nomor HP (WhatsApp)').fill('12');
    await page.getByLabel('Kabupaten/kota tujuan').fill('Atlantis');
    await page.getByLabel(/Catatan untuk penjual/).fill('Tolong cepat');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Kirim pesanan' }).click(),
    ]);
    assert.equal(answer.status(), 422);
    await page.getByText('Periksa isian yang ditandai di bawah.').waitFor();

    const errorUnder = async (selector) => {
      const field = page.locator(selector);
      assert.equal(await field.getAttribute('aria-invalid'), 'true', `${selector} is marked`);
      return (await field.locator('xpath=following-sibling::p[contains(@class,"error")]').innerText()).trim();
    };
    assert.equal(await errorUnder(`input[name="jumlah_${gula.variant}"]`), 'Jumlah tidak boleh negatif.');
    assert.equal(await errorUnder('#nama'), 'Wajib diisi.');
    assert.match(await errorUnder('#hp'), /HP|telepon/i);
    assert.equal(await errorUnder('#kabupaten'),
      'Kabupaten/kota tidak dikenal. Tulis namanya, mis. Banyumas.');
    assert.equal(await errorUnder('#alamat'), 'Wajib diisi.');
    assert.equal(await page.locator('#catatan').getAttribute('aria-invalid'), null, 'the note is fine');
    // What the buyer typed is still there to correct.
    assert.equal(await page.getByLabel('Kabupaten/kota tujuan').inputValue(), 'Atlantis');
    assert.equal(await page.getByLabel(/Catatan untuk penjual/).inputValue(), 'Tolong cepat');
    await screenshot(page, '06-order-form-errors-360');

    // Zero of everything is not an order either.
    await page.locator(`input[name="jumlah_${gula.variant}"]`).fill('0');
    await page.getByLabel('Nama pemesan').fill('Andi');
    await page.getByLabel('Nomor HP (WhatsApp)').fill('0812-1111-2222');
    await page.getByLabel('Kabupaten/kota tujuan').fill('Banyumas');
    await page.getByLabel('Alamat pengiriman').fill('Jl. Kenanga 3');
    await page.getByRole('button', { name: 'Kirim pesanan' }).click();
    await page.locator('p.error', { hasText: 'Isi jumlah minimal 1 untuk setidaknya satu varian.' }).waitFor();
    assert.equal(await page.locator('p.error').count(), 2, 'the banner and the quantity message only');
    await context.close();

    await world.phone.sync();
    assert.deepEqual(await world.phone.orders(), [], 'no order was made');
  });

  test('a double tap on "Kirim pesanan" over a slow link makes one order', async () => {
    const link = await slowLink(server.url, 700);
    const { page, context } = await phonePage(browser);
    try {
      await page.goto(`${link.url}/p/${gula.product}`);
      await page.locator(`input[name="jumlah_${gula.variant}"]`).fill('5');
      await page.getByLabel('Nama pemesan').fill('Pembeli Dua Ketuk');
      await page.getByLabel('Nomor HP (WhatsApp)').fill('0857-1234-5678');
      await page.getByLabel('Kabupaten/kota tujuan').fill('3302');
      await page.getByLabel('Alamat pengiriman').fill('Jl. Melati 5, Sokaraja');
      // Two real taps, 150 ms apart, while the first answer is still on its way.
      const button = page.getByRole('button', { name: 'Kirim pesanan' });
      await button.scrollIntoViewIfNeeded();
      const box = await button.boundingBox();
      const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
      await page.mouse.click(x, y);
      await page.waitForTimeout(150);
      await page.mouse.click(x, y);
      // The first navigation is abandoned by the browser; the second lands on the confirmation.
      await page.locator('p.code').waitFor();
      assert.match(page.url(), /\/terima-kasih$/);
      assert.equal(link.posts, 2, 'both taps reached the server');
      const code = (await page.locator('p.code').innerText()).trim();

      await world.phone.sync();
      const orders = await world.phone.orders();
      assert.deepEqual(orders.map((o) => [o.code, o.buyer, o.total]),
        [[code, 'Pembeli Dua Ketuk', 'Rp 75.000']], 'one order, the one the buyer was shown');
    } finally {
      await context.close();
      await link.close();
    }
  });

  test('a wrong code or wrong phone digits reveal nothing on the status page', async () => {
    const { page, context } = await phonePage(browser);
    const [order] = await world.phone.orders();
    assert.ok(order, 'an order exists to look up');
    const lookup = async (kode, hp) => {
      const answer = await page.goto(`${server.url}/pesanan?kode=${encodeURIComponent(kode)}&hp=${hp}`);
      return { status: answer.status(), text: await page.locator('main').innerText() };
    };
    const right = await lookup(order.code, '5678');
    assert.equal(right.status, 200);
    assert.match(right.text, /Status: Pesanan dibuat, menunggu penjual/);

    const wrongDigits = await lookup(order.code, '0000');
    const wrongCode = await lookup('SNT-AAAAAAAA', '5678');
    for (const wrong of [wrongDigits, wrongCode]) {
      assert.equal(wrong.status, 404);
      assert.match(wrong.text, /Pesanan tidak ditemukan\. Periksa kode pesanan dan 4 angka terakhir nomor HP\./);
      assert.doesNotMatch(wrong.text, /Status:|Total|Rp |Pembeli Dua Ketuk|Sokaraja|menunggu/);
    }
    await screenshot(page, '07-order-status-not-found-360');
    await context.close();
  });

  test('with JavaScript switched off the buyer still searches, orders and tracks the order', async () => {
    const context = await browser.newContext({
      viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, locale: 'id-ID',
      javaScriptEnabled: false,
    });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByRole('searchbox').fill('gula');
    await page.getByRole('button', { name: 'Cari' }).click();
    await page.waitForURL(/[?&]q=gula/);
    await page.getByRole('link', { name: /Gula Kristal Banyumas/ }).click();
    await page.locator(`input[name="jumlah_${gula.variant}"]`).fill('2');
    await page.getByLabel('Nama pemesan').fill('Pembeli Tanpa JS');
    await page.getByLabel('Nomor HP (WhatsApp)').fill('0896-1111-3333');
    await page.getByLabel('Kabupaten/kota tujuan').fill('Kota Semarang');
    await page.getByLabel('Alamat pengiriman').fill('Jl. Pandanaran 1');
    await page.getByRole('button', { name: 'Kirim pesanan' }).click();
    await page.waitForURL(/\/terima-kasih$/);
    const code = (await page.locator('p.code').innerText()).trim();
    await page.getByRole('link', { name: 'Cek status pesanan' }).click();
    await page.getByLabel('4 angka terakhir nomor HP').fill('3333');
    await page.getByRole('button', { name: 'Cek', exact: true }).click();
    await page.getByRole('heading', { name: 'Status: Pesanan dibuat, menunggu penjual' }).waitFor();
    await context.close();

    await world.phone.sync();
    const mine = (await world.phone.orders()).filter((o) => o.code === code);
    assert.deepEqual(mine.map((o) => [o.buyer, o.total]), [['Pembeli Tanpa JS', 'Rp 30.000']]);
  });

  test('a product that does not exist shows a page saying so, not an order form', async () => {
    const { page, context } = await phonePage(browser);
    const answer = await page.goto(`${server.url}/p/01a20398-0000-7000-8000-000000000000`);
    assert.equal(answer.status(), 404);
    await page.getByRole('heading', { name: 'Tidak ditemukan' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Kirim pesanan' }).count(), 0);
    await context.close();
  });
});
