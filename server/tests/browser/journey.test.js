// The whole story, in a real browser against a real server: a buyer on a 360×640 phone finds
// crystal sugar and orders it; the producer's phone (the core, through the `sentra` CLI) syncs,
// sees the order and accepts it; the buyer's status page then says it was accepted. The
// producer also records a market-stall sale; an official's dashboard counts the order under
// the storefront channel and the sale under direct sales, and the CSV exports agree.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFile } from 'node:fs/promises';
import {
  horizontalOverflow, launchBrowser, parseCsv, phonePage, rupiahValue, screenshot, sellerWorld,
  startServer, todayWib,
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
    assert.doesNotMatch(await page.content(), /0813[- ]?2900|2900[- ]?4455|81329004455|Rahasia|Karanglewas/,
      "never the producer's phone or address, not even in the HTML");
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
    // From the confirmation page, as the buyer would: the code comes filled in.
    assert.match(page.url(), /\/terima-kasih$/);
    await page.getByRole('link', { name: 'Cek status pesanan' }).click();
    await page.waitForURL(/\/pesanan\?kode=/);
    assert.equal(await page.getByLabel('Kode pesanan').inputValue(), code);
    assert.equal(await page.locator('p.notice').count(), 0, 'no "not found" before the digits are typed');
    await page.getByLabel('4 angka terakhir nomor HP').fill('7890');
    await page.getByRole('button', { name: 'Cek', exact: true }).click();
    await page.waitForURL(/\/pesanan\?kode=.*&hp=7890/);
    const status = page.getByRole('heading', { level: 2 });
    assert.equal((await status.innerText()).trim(), 'Status: Diterima penjual');
    const steps = await page.locator('ol.timeline li').allInnerTexts();
    assert.equal(steps.length, 2, steps.join(' | '));
    assert.match(steps[0], /^Pesanan dibuat, menunggu penjual — \d\d\/\d\d\/\d{4} \d\d:\d\d WIB$/);
    assert.match(steps[1], /^Diterima penjual — /);
    assert.match(await page.locator('main').innerText(), /Total: Rp 300\.000/);
    assert.equal(await horizontalOverflow(page), 0, 'the status page fits a 360 px screen');
    await screenshot(page, '05-order-status-accepted-360');

    // The language switch keeps the same order on screen.
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Track an order' }).waitFor();
    assert.equal((await page.getByRole('heading', { level: 2 }).innerText()).trim(),
      'Status: Accepted by the seller');
    await page.getByRole('link', { name: 'Bahasa Indonesia' }).click();
    assert.equal((await page.getByRole('heading', { level: 2 }).innerText()).trim(),
      'Status: Diterima penjual');
  });

  test('the producer records a market-stall sale in the ledger and syncs it', async () => {
    const sale = await world.phone.sellAtMarket(world.listed.gula.variant, 3);
    assert.match(sale.trim(), /^[0-9a-f-]{36}$/);
    await world.phone.sync();
  });

  describe("an official's dashboard", () => {
    let official;
    const month = todayWib().slice(0, 7);
    // What the page shows in the channel table, as { code: [count, revenue] }.
    const channelTable = async (page) => {
      const rows = await page.locator('section#kanal table tbody tr').evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
      return Object.fromEntries(rows.map(([name, count, revenue]) => [name, [count, revenue]]));
    };

    before(async () => {
      await server.admin('create-account', '--login', 'dinas-jateng', '--secret', 'rahasia-dinas-1',
        '--role', 'official');
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'id-ID', acceptDownloads: true });
      context.setDefaultTimeout(15_000);
      official = await context.newPage();
    });

    after(async () => {
      await official?.context().close();
    });

    test('signing in at /masuk leads to the dashboard', async () => {
      const page = official;
      await page.goto(`${server.url}/dasbor`);
      await page.waitForURL(/\/masuk\?lanjut=%2Fdasbor$/);
      await page.locator('input[name="login"]').fill('dinas-jateng');
      await page.locator('input[name="secret"]').fill('salah-sekali');
      await page.getByRole('button', { name: 'Masuk' }).click();
      const refusal = page.locator('p.error[role=alert]');
      await refusal.waitFor();
      assert.ok((await refusal.innerText()).trim().length > 0, 'a wrong password is told so');
      assert.match(page.url(), /\/masuk/, 'a wrong password stays on the sign-in page');
      assert.equal(await page.locator('input[name="login"]').inputValue(), 'dinas-jateng');
      await page.locator('input[name="secret"]').fill('rahasia-dinas-1');
      await page.getByRole('button', { name: 'Masuk' }).click();
      await page.waitForURL(/\/dasbor$/);
      await page.getByRole('heading', { name: 'Dasbor UMKM' }).waitFor();
    });

    test('it counts the order under the storefront channel and the ledger sale under direct sales', async () => {
      const page = official;
      const channels = await channelTable(page);
      assert.deepEqual(channels['Etalase daring'], ['1', 'Rp 300.000'], JSON.stringify(channels));
      assert.deepEqual(channels['Penjualan langsung'], ['1', 'Rp 45.000'], '3 kg at Rp 15.000');
      assert.deepEqual(channels['Lewat pendamping'], ['0', 'Rp 0']);
      assert.deepEqual(channels['Pesanan koperasi'], ['0', 'Rp 0']);
      const totals = await page.locator('ul.totals').innerText();
      assert.match(totals, /Produsen\s*1\b/);
      assert.match(totals, /Produk tayang\s*2\b/);
      assert.match(totals, /Pesanan daring\s*1\s*Rp 300\.000/);
      assert.match(totals, /Penjualan langsung\s*1\s*Rp 45\.000/);
      const byRegency = await page.locator('section#kabupaten table tbody').innerText();
      assert.match(byRegency, /Kabupaten Banyumas\s+1\s+1\s+2/, 'one producer, workforce 1, two listed');
      assert.equal(await page.locator('section#kanal svg rect').count(), 4, 'a bar per channel');
      await screenshot(page, '10-dashboard-official');

      // The month and region filters: this month in Central Java keeps both; East Java has none.
      await page.goto(`${server.url}/dasbor?dari=${month}&sampai=${month}&wilayah=33`);
      assert.deepEqual((await channelTable(page))['Etalase daring'], ['1', 'Rp 300.000']);
      await page.goto(`${server.url}/dasbor?wilayah=35`);
      const elsewhere = await channelTable(page);
      assert.deepEqual(elsewhere['Etalase daring'], ['0', 'Rp 0']);
      assert.deepEqual(elsewhere['Penjualan langsung'], ['0', 'Rp 0']);
    });

    test('the CSV exports hold the same figures as the page', async () => {
      const page = official;
      await page.goto(`${server.url}/dasbor`);
      const shown = await channelTable(page);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('section#kanal').getByRole('link', { name: 'Unduh CSV' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'sentra-kanal.csv');
      // As Excel with Indonesian settings opens it: a byte-order mark, `;` between cells.
      const raw = await readFile(await download.path(), 'utf8');
      assert.ok(raw.startsWith('\ufeff'), 'a UTF-8 byte-order mark');
      const csv = parseCsv(raw, ';');
      assert.deepEqual(csv[0], ['Kode', 'Nama', 'Jumlah', 'Pendapatan (Rp)']);
      const byCode = Object.fromEntries(csv.slice(1).map((row) => [row[0], row]));
      assert.deepEqual(byCode.storefront, ['storefront', 'Etalase daring', '1', '300000']);
      assert.deepEqual(byCode.direct, ['direct', 'Penjualan langsung', '1', '45000']);
      for (const row of csv.slice(1)) {
        const [count, revenue] = shown[row[1]];
        assert.deepEqual([Number(row[2]), Number(row[3])], [Number(count), rupiahValue(revenue)],
          `the page and the CSV agree on ${row[0]}`);
      }

      // By month: this month's row splits the same figures by channel.
      const monthly = await page.request.get(`${server.url}/dasbor/ekspor/bulan.csv`);
      assert.equal(monthly.status(), 200);
      assert.match(monthly.headers()['content-type'], /^text\/csv/);
      const months = parseCsv(await monthly.text(), ';');
      const header = months[0];
      const row = months.find((r) => r[0] === month);
      assert.ok(row, `a row for ${month}: ${JSON.stringify(months)}`);
      const value = (column) => Number(row[header.indexOf(column)]);
      assert.equal(value('Etalase daring: jumlah'), 1);
      assert.equal(value('Etalase daring: pendapatan (Rp)'), 300000);
      assert.equal(value('Penjualan langsung: jumlah'), 1);
      assert.equal(value('Penjualan langsung: pendapatan (Rp)'), 45000);
      assert.equal(value('Total jumlah'), 2);
      assert.equal(value('Total pendapatan (Rp)'), 345000);
    });

    test('the English switch works on the dashboard', async () => {
      const page = official;
      await page.goto(`${server.url}/dasbor`);
      await page.getByRole('link', { name: 'English' }).click();
      await page.getByRole('heading', { name: 'UMKM dashboard' }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      const channels = await channelTable(page);
      assert.deepEqual(channels['Online storefront'], ['1', 'Rp 300.000']);
      assert.deepEqual(channels['Direct sales'], ['1', 'Rp 45.000']);
      await page.getByRole('link', { name: 'Bahasa Indonesia' }).click();
      await page.getByRole('heading', { name: 'Dasbor UMKM' }).waitFor();
    });

    test('the dashboard and its exports are closed to anyone not signed in', async () => {
      const stranger = await browser.newContext();
      const page = await stranger.newPage();
      const answer = await page.request.get(`${server.url}/dasbor/ekspor/kanal.csv`, { maxRedirects: 0 });
      assert.equal(answer.status(), 303);
      assert.match(answer.headers().location, /^\/masuk\?lanjut=/);
      assert.doesNotMatch(await answer.text(), /300000|storefront/);
      await stranger.close();
    });
  });
});
