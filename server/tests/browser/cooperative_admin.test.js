// A cooperative's admin finds the bulk requests from the dashboard they land on, and splits
// one: a buyer's request (whose town, "Semarang", names two places and is asked which), the
// admin's path /masuk → /dasbor → the requests → the request, the split, its confirmation,
// and no empty "send" button left behind.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, phonePage, screenshot, sellerWorld, startServer } from './harness.js';

describe("a cooperative's admin and a buyer's bulk request", () => {
  let server;
  let world;
  let browser;
  let cooperative;

  before(async () => {
    server = await startServer();
    world = await sellerWorld(server, [
      { key: 'gula', name: 'Gula Kristal Banyumas', category: 'Gula', unit: 'kg', price: 15000, stock: 500 },
    ]);
    cooperative = await server.admin('create-organisation', '--kind', 'cooperative',
      '--name', 'Koperasi Gula Banyumas', '--region', '3302');
    await server.admin('add-member', '--organisation', cooperative, '--producer', world.producer);
    await server.admin('create-account', '--login', 'admin-koperasi', '--secret', 'rahasia-koperasi-1',
      '--role', 'cooperative_admin');
    await server.admin('add-admin', '--organisation', cooperative, '--login', 'admin-koperasi');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a buyer asks for a ton of sugar; "Semarang" is asked which Semarang', async () => {
    const { page, context } = await phonePage(browser);
    await page.goto(`${server.url}/koperasi/${cooperative}`);
    await page.getByLabel('Yang dibutuhkan').fill('Gula kristal kuning, karung 50 kg');
    await page.getByLabel('Jumlah').fill('1000');
    await page.getByLabel('Satuan (kg, pasang, pcs)').fill('kg');
    await page.getByLabel('Nama pemesan / instansi').fill('CV Sumber Rejeki');
    await page.getByLabel('Nomor HP (WhatsApp)').fill('0812-3456-0099');
    await page.getByLabel('Kabupaten/kota tujuan').fill('Semarang');
    await page.getByLabel('Alamat pengiriman').fill('Jl. Pandanaran 5');
    await page.getByRole('button', { name: 'Kirim permintaan' }).click();
    const problem = page.locator('#kabupaten ~ p.error');
    await problem.waitFor();
    const text = await problem.innerText();
    assert.match(text, /^Pilih salah satu:/, text);
    assert.match(text, /Kabupaten Semarang/);
    assert.match(text, /Kota Semarang/);
    await page.getByLabel('Kabupaten/kota tujuan').fill('Kota Semarang');
    await page.getByRole('button', { name: 'Kirim permintaan' }).click();
    // The thank-you page (a loaded machine may take a while; say where we are if not).
    await page.waitForURL(/\/pesanan\/KOP-[0-9A-Z]+\/terima-kasih/, { timeout: 30_000 })
      .catch(async (e) => {
        throw new Error(`${e.message} at ${page.url()}: ${(await page.locator('main').innerText()).slice(0, 300)}`);
      });
    await context.close();
  });

  test('the admin lands on the dashboard, follows it to the requests and splits one', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'id-ID' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/masuk`);
    await page.locator('input[name="login"]').fill('admin-koperasi');
    await page.locator('input[name="secret"]').fill('rahasia-koperasi-1');
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(/\/dasbor$/);
    const requests = page.getByRole('navigation', { name: 'Permintaan partai besar' });
    assert.match(await requests.innerText(), /Koperasi Gula Banyumas — 1 permintaan, 1 menunggu dibagi/);
    await screenshot(page, '22-cooperative-admin-dashboard');
    await requests.getByRole('link', { name: 'Koperasi Gula Banyumas' }).click();
    await page.waitForURL(`**/koperasi/${cooperative}/permintaan`);
    const row = page.locator('table tbody tr', { hasText: 'Gula kristal kuning' });
    assert.equal(await row.count(), 1);
    await row.getByRole('link').click();
    await page.waitForURL(/\/permintaan\/KOP-[0-9A-Z]+$/);
    assert.match(await page.locator('main').innerText(), /Diminta \d\d\/\d\d\/\d{4}/, 'when it was requested');
    assert.doesNotMatch(await page.locator('main').innerText(), /Dikirim \d/);

    await page.getByLabel(/Gula Kristal Banyumas/).fill('1000');
    await page.getByRole('button', { name: 'Kirim pesanan ke anggota' }).click();
    await page.waitForURL(/\?dibagi=1$/);
    const notice = page.getByRole('status');
    assert.match(await notice.innerText(), /Pesanan terkirim ke 1 anggota/);
    assert.equal(await page.getByRole('button', { name: 'Kirim pesanan ke anggota' }).count(), 0,
      'no empty send button left');
    assert.match(await page.locator('main').innerText(), /tidak ada lagi yang perlu dibagi/);
    await screenshot(page, '23-cooperative-split-done');

    // The member's phone gets its part.
    await world.phone.sync();
    const orders = await world.phone.run('orders');
    assert.match(orders, /CV Sumber Rejeki Rp 15\.000\.000/, orders);
    await context.close();
  });
});
