// How a producer sells, as a buyer meets it: the product page says how the order is delivered
// and paid before ordering, the order form takes the choice, the thank-you page shows the fee in
// the total and where to transfer, and once the producer marks the order paid on the phone (the
// `sentra` CLI) and syncs, the status page says "Sudah dibayar".

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  PHOTO, launchBrowser, phonePage, rupiahValue, screenshot, sellerWorld, startServer,
} from './harness.js';

describe('delivery and payment', () => {
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
    // The producer, on their own phone: pick-up, a courier by zone (Rp 6.000/kg within
    // Banyumas, Rp 10.000/kg within Central Java, not beyond), a bank account, a QRIS photo and
    // WhatsApp.
    await world.phone.run('set-selling', '--producer', world.producer,
      '--pickup', 'Rumah Bu Sri, Desa Karanglewas', '--per-kg', '6000,10000,',
      '--bank', 'BRI', '--account', '0123-4567-8901', '--holder', 'Sri Lestari',
      '--qris', PHOTO, '--whatsapp', '0813-2900-4455');
    await world.phone.sync();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('shown before ordering, the fee is in the total, and paid shows on the status page', async () => {
    const { page, context } = await phonePage(browser);
    await page.goto(`${server.url}/p/${gula.product}`);
    const section = page.locator('#pengiriman');
    await section.getByRole('heading', { name: 'Pengiriman & pembayaran' }).waitFor();
    const terms = await section.innerText();
    assert.match(terms, /Ambil sendiri: Rumah Bu Sri, Desa Karanglewas/);
    assert.match(terms, /Rp 6\.000\/kg dalam kabupaten\/kota, Rp 10\.000\/kg dalam provinsi/);
    assert.match(terms, /Transfer bank, QRIS/);
    assert.equal(await section.getByRole('link', { name: '+6281329004455' }).getAttribute('href'),
      'https://wa.me/6281329004455');

    // Forgetting to choose is named beside the choice.
    await page.locator(`input[name="jumlah_${gula.variant}"]`).fill('3');
    await page.getByLabel('Nama pemesan').fill('Andi Wijaya');
    await page.getByLabel('Nomor HP (WhatsApp)').fill('0812-1111-2222');
    await page.getByLabel('Kabupaten/kota tujuan').fill('Banyumas');
    await page.getByLabel('Alamat pengiriman').fill('Jl. Kenanga 3, Purwokerto');
    await page.getByRole('button', { name: 'Kirim pesanan' }).click();
    await page.locator('#pengiriman-pilihan').getByText('Pilih cara pengiriman.').waitFor();
    await page.locator('#pembayaran-pilihan').getByText('Pilih cara pembayaran.').waitFor();

    await page.getByRole('radio', { name: /Dikirim kurir/ }).check();
    await page.getByRole('radio', { name: 'Transfer bank' }).check();
    await page.getByRole('button', { name: 'Kirim pesanan' }).click();
    await page.getByRole('heading', { name: 'Terima kasih, pesanan terkirim' }).waitFor();
    const code = (await page.locator('p.code').first().innerText()).trim();
    // The CLI lists the product without a shipping weight: the courier's minimum of 1 kg
    // within Banyumas at Rp 6.000/kg, on top of 3 × Rp 15.000.
    assert.equal(rupiahValue(await page.locator('#ongkir').innerText()), 6000);
    assert.equal(rupiahValue(await page.locator('#total').innerText()), 3 * 15000 + 6000);
    const howToPay = await page.locator('#cara-bayar').innerText();
    assert.match(howToPay, /Transfer ke BRI 012345678901/);
    assert.match(howToPay, /atas nama Sri Lestari/);
    assert.match(howToPay, /Belum dibayar/);
    await screenshot(page, '20-thank-you-how-to-pay-360');

    // The producer sees the order on the phone, marks it paid, and syncs.
    await world.phone.sync();
    const [order] = await world.phone.orders();
    assert.equal(order.code, code);
    assert.equal(rupiahValue(order.total), 51000, 'the phone has the same total, fee included');
    await world.phone.run('mark-paid', order.id);
    await world.phone.sync();

    await page.goto(`${server.url}/pesanan?kode=${code}&hp=2222`);
    await page.locator('#status-bayar').getByText('Sudah dibayar').waitFor();
    assert.equal(rupiahValue(await page.locator('#ongkir').innerText()), 6000);
    await screenshot(page, '21-status-paid-360');
    await context.close();
  });
});
