// Bahasa Indonesia first, English on request (the switch in the header, or the browser's
// language); and text a producer or buyer typed is shown as text, never run as a script.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  launchBrowser, parseCsv, phonePage, signInOfficial, screenshot, sellerWorld, startServer,
} from './harness.js';

const SCRIPT_NAME = '<script>alert(1)</script>';
const IMG_DESCRIPTION = '<img src=x onerror=alert(2)> Manis & legit';
const CLUSTER_NAME = '<script>alert(4)</script> Sentra Gula';

describe('languages and escaping', () => {
  let server;
  let world;
  let browser;
  let cluster;

  before(async () => {
    server = await startServer();
    world = await sellerWorld(server, [
      { key: 'gula', name: 'Gula Kristal Banyumas', category: 'Gula', unit: 'kg', price: 15000, stock: 500 },
      {
        key: 'script', name: SCRIPT_NAME, category: 'Gula', unit: 'kg', price: 12000, stock: 9,
        description: IMG_DESCRIPTION,
      },
    ]);
    // A cluster whose name is a script, with the producer as its member.
    cluster = (await server.admin('create-organisation', '--kind', 'cluster', '--name', CLUSTER_NAME,
      '--region', '3302')).split(/\s+/)[0];
    await server.admin('add-member', '--organisation', cluster, '--producer', world.producer);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the English switch turns every page to English and is remembered', async () => {
    const { page, context } = await phonePage(browser, { locale: 'id-ID' });
    await page.goto(`${server.url}/`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'id');
    await page.getByRole('heading', { name: 'Produk terbaru' }).waitFor();

    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/lang=en/);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.getByRole('heading', { name: 'Newest products' }).waitFor();
    await page.getByRole('button', { name: 'Search' }).waitFor();
    await screenshot(page, '08-catalogue-english-360');

    // The choice is remembered on the next pages, which have no ?lang= in their address.
    await page.getByRole('link', { name: /Gula Kristal Banyumas/ }).click();
    await page.waitForURL(`**/p/${world.listed.gula.product}`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.getByRole('heading', { name: 'Order this product' }).waitFor();
    assert.match(await page.locator('main').innerText(), /Minimum order: 1 kg/);
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.getByText('Check the marked fields below.').waitFor();
    assert.equal((await page.locator('#nama ~ p.error').innerText()).trim(), 'Required.');
    await page.getByRole('link', { name: 'Track order' }).click();
    await page.getByRole('heading', { name: 'Track an order' }).waitFor();

    await page.getByRole('link', { name: 'Bahasa Indonesia' }).click();
    await page.getByRole('heading', { name: 'Cek status pesanan' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'id');
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Produk terbaru' }).waitFor();
    await context.close();
  });

  test("a browser set to English gets English without asking, and ?lang=id overrides it", async () => {
    const { page, context } = await phonePage(browser, { locale: 'en-GB' });
    await page.goto(`${server.url}/p/${world.listed.gula.product}`);
    await page.getByRole('button', { name: 'Place order' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.goto(`${server.url}/p/${world.listed.gula.product}?lang=id`);
    await page.getByRole('button', { name: 'Kirim pesanan' }).waitFor();
    await context.close();
  });

  test('a product named <script>alert(1)</script> shows as text and runs nothing', async () => {
    const { page, context, dialogs } = await phonePage(browser);
    const injected = () => page.evaluate(() => ({
      scripts: [...document.querySelectorAll('script')].filter((el) => el.textContent.includes('alert')).length,
      images: [...document.querySelectorAll('main img')].map((i) => i.getAttribute('src'))
        .filter((src) => !src.startsWith('/foto/')),
    }));

    await page.goto(`${server.url}/`);
    const card = page.locator('ul.grid li.card', { hasText: SCRIPT_NAME });
    assert.equal(await card.count(), 1, 'the card shows the name as typed');
    assert.equal((await card.locator('strong').innerText()).trim(), SCRIPT_NAME);
    assert.deepEqual(await injected(), { scripts: 0, images: [] });

    await page.getByRole('searchbox').fill(SCRIPT_NAME);
    await page.getByRole('button', { name: 'Cari' }).click();
    await page.waitForURL(/[?&]q=/);
    assert.equal((await page.locator('h1').innerText()).trim(), `Hasil pencarian “${SCRIPT_NAME}”`);
    assert.equal(await page.getByRole('searchbox').inputValue(), SCRIPT_NAME);
    assert.deepEqual(await injected(), { scripts: 0, images: [] });

    await page.goto(`${server.url}/p/${world.listed.script.product}`);
    assert.equal((await page.locator('h1').innerText()).trim(), SCRIPT_NAME);
    assert.equal(await page.title(), `${SCRIPT_NAME} · Sentra`);
    assert.match(await page.locator('main').innerText(), /<img src=x onerror=alert\(2\)> Manis & legit/);
    // A product of one variant is ordered by quantity alone; the name is text in the link card too.
    assert.equal(await page.locator('meta[property="og:title"]').getAttribute('content'),
      `${SCRIPT_NAME} — Rp 12.000 / kg`);
    assert.deepEqual(await injected(), { scripts: 0, images: [] });
    await screenshot(page, '09-script-name-as-text-360');

    // A buyer's typed text goes back into the form as text too.
    await page.getByLabel('Nama pemesan').fill(SCRIPT_NAME);
    await page.getByLabel(/Catatan untuk penjual/).fill('</textarea><script>alert(3)</script>');
    await page.getByRole('button', { name: 'Kirim pesanan' }).click();
    await page.getByText('Periksa isian yang ditandai di bawah.').waitFor();
    assert.equal(await page.getByLabel('Nama pemesan').inputValue(), SCRIPT_NAME);
    assert.equal(await page.getByLabel(/Catatan untuk penjual/).inputValue(),
      '</textarea><script>alert(3)</script>');
    assert.deepEqual(await injected(), { scripts: 0, images: [] });

    assert.deepEqual(dialogs, [], 'no alert fired');
    await context.close();
  });

  test("a cluster named with a script shows as text in the filter, on the product and on its page", async () => {
    const { page, context, dialogs } = await phonePage(browser);
    await page.goto(`${server.url}/`);
    const option = page.locator(`select[name="koperasi"] option[value="${cluster}"]`);
    assert.equal((await option.textContent()).trim(), CLUSTER_NAME);
    await page.getByText('Saring: kategori, wilayah, koperasi').click();
    await page.locator('select[name="koperasi"]').selectOption(cluster);
    await page.getByRole('button', { name: 'Cari' }).click();
    await page.waitForURL(new RegExp(`koperasi=${cluster}`));
    assert.equal(await page.locator('ul.grid li.card').count(), 2, "the member's two products");

    await page.goto(`${server.url}/p/${world.listed.gula.product}`);
    const member = page.locator(`a[href="/koperasi/${cluster}"]`);
    assert.equal((await member.innerText()).trim(), CLUSTER_NAME);
    await member.click();
    await page.waitForURL(`**/koperasi/${cluster}`);
    assert.equal((await page.locator('h1').innerText()).trim(), CLUSTER_NAME);
    assert.equal(await page.evaluate(() => [...document.querySelectorAll('script')]
      .filter((el) => el.textContent.includes('alert')).length), 0);
    assert.deepEqual(dialogs, [], 'no alert fired');
    await context.close();
  });

  test("on the official's dashboard and in its CSV the cluster's name is text too", async () => {
    const { page, context, dialogs } = await phonePage(browser);
    await signInOfficial(server, page, 'dinas-banyumas', 'rahasia-dinas-2');
    const row = page.locator('section#klaster table tbody tr', { hasText: CLUSTER_NAME });
    assert.equal(await row.count(), 1, 'the cluster has its row, its name as typed');
    assert.equal((await row.locator('td').first().innerText()).trim(), CLUSTER_NAME);
    assert.equal(await page.evaluate(() => [...document.querySelectorAll('script')]
      .filter((el) => el.textContent.includes('alert')).length), 0);
    await screenshot(page, '12-dashboard-360');

    const csv = parseCsv(await (await page.request.get(`${server.url}/dasbor/ekspor/klaster.csv`)).text(), ';');
    const names = csv.slice(1).map((r) => r[1]);
    assert.ok(names.includes(CLUSTER_NAME), JSON.stringify(csv));
    assert.deepEqual(dialogs, [], 'no alert fired');
    await context.close();
  });
});
