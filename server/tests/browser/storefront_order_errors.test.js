// A refused order on a phone: the buyer lands on a summary of what to fix (focused, at the top
// of the form, in view), each line a link to its field, instead of a reload at the top of the
// page where nothing seems to have happened.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, phonePage, screenshot, sellerWorld, startServer } from './harness.js';

describe('a refused order takes the buyer to the first error', () => {
  let server;
  let world;
  let browser;

  before(async () => {
    server = await startServer();
    world = await sellerWorld(server, [
      { key: 'gula', name: 'Gula Kristal Banyumas', category: 'Gula', unit: 'kg', price: 15000, stock: 500,
        description: 'Gula kristal putih dari tebu Banyumas, kering dan bersih, dikemas 1 kg.' },
    ]);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const inView = (page, locator) => locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  });

  test('the summary is in view and focused, and each line leads to its field', async () => {
    const { page, context } = await phonePage(browser);
    const gula = world.listed.gula;
    await page.goto(`${server.url}/p/${gula.product}`);
    await page.locator(`input[name="jumlah_${gula.variant}"]`).fill('2');
    await page.getByLabel('Nomor HP (WhatsApp)').fill('12');
    await page.getByLabel('Kabupaten/kota tujuan').fill('Banyumas');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Kirim pesanan' }).click(),
    ]);
    assert.equal(answer.status(), 422);
    const summary = page.locator('#kesalahan');
    await summary.waitFor();
    // The browser focused the summary (autofocus, no script) and so scrolled it into view.
    await page.waitForFunction(() => document.activeElement?.id === 'kesalahan');
    assert.ok(await inView(page, summary), 'the summary is on screen');
    assert.ok(await page.evaluate(() => window.scrollY) > 0, 'not left at the top of the page');
    assert.equal(await summary.getAttribute('role'), 'alert');
    const lines = await summary.getByRole('link').allInnerTexts();
    assert.deepEqual(lines, [
      'Nama pemesan: Wajib diisi.',
      'Nomor HP (WhatsApp): Nomor HP tidak valid. Contoh: 0812 3456 7890.',
      'Alamat pengiriman: Wajib diisi.',
    ], 'one line per problem, in the order of the form');
    assert.deepEqual(await summary.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href'))),
      ['#nama', '#hp', '#alamat']);
    await screenshot(page, '22-order-refused-summary-360');

    // A line leads to its field.
    await summary.getByRole('link', { name: /^Alamat pengiriman/ }).click();
    await page.waitForURL(/#alamat$/);
    assert.ok(await inView(page, page.locator('#alamat')), 'the address field is on screen');
    await page.locator('#alamat').fill('Jl. Kenanga 3');
    await page.getByLabel('Nama pemesan').fill('Rina');
    await page.getByLabel('Nomor HP (WhatsApp)').fill('0812-3456-7890');
    await page.getByRole('button', { name: 'Kirim pesanan' }).click();
    await page.waitForURL(/\/terima-kasih$/);
    await context.close();
  });

  test('in English the summary reads in English', async () => {
    const { page, context } = await phonePage(browser, { locale: 'en-US' });
    await page.goto(`${server.url}/p/${world.listed.gula.product}?lang=en`);
    await page.getByRole('button', { name: 'Place order' }).click();
    const summary = page.locator('#kesalahan');
    await page.waitForFunction(() => document.activeElement?.id === 'kesalahan');
    assert.match(await summary.innerText(), /The order was not sent/);
    assert.match(await summary.innerText(), /Quantity: Enter a quantity of at least 1/);
    await context.close();
  });
});
