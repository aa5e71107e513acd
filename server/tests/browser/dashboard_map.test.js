// The official's map of regencies: on the province map the official clicks Central Java and
// the dashboard shows its 35 regencies and cities filled by producers and by revenue, each a
// named link (keyboard too), with the province map's legend, beside the tables at 1366×768
// and above them on a 360 px phone, with no sideways scroll.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { horizontalOverflow, launchBrowser, screenshot, sellerWorld, signInOfficial, startServer } from './harness.js';

describe('an official opens the regencies of a province on the map', () => {
  let server;
  let browser;
  let context;
  let page;

  before(async () => {
    server = await startServer();
    // A sugar maker in Banyumas (3302) with 3 kg sold at the market, and a jeans maker in
    // Pemalang (3327) with two pairs sold: both in Central Java.
    const world = await sellerWorld(server, [
      { key: 'gula', name: 'Gula Kristal Banyumas', category: 'Gula', unit: 'kg', price: 15000, stock: 500 },
    ]);
    const jeans = await world.laptop.registerProducer({ name: 'Jeans Rowosari', owner: 'Pak Darto',
      phone: '0813-2900-7788', region: '3327', sector: 'fashion_textiles', address: 'Desa Rowosari' });
    const pair = await world.laptop.addProduct({ producer: jeans, name: 'Celana Jeans Biru',
      category: 'Celana', unit: 'pcs', price: 85000, stock: 40 });
    await world.laptop.sellAtMarket(pair.variant, 2);
    await world.laptop.sync();
    await world.phone.sellAtMarket(world.listed.gula.variant, 3);
    await world.phone.sync();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'id-ID' });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    await signInOfficial(server, page, 'dinas-peta', 'rahasia-dinas-7');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a click on Central Java shows its regencies filled by producers, beside the table', async () => {
    assert.equal(await page.locator('figure.map.regencies').count(), 0, 'no regencies before a province is chosen');
    await page.getByRole('link', { name: 'Jawa Tengah: 2 produsen' }).click();
    await page.waitForURL(/\/dasbor\?wilayah=33#provinsi$/);
    const map = page.locator('section#kabupaten figure.map.regencies svg');
    await map.waitFor();
    assert.equal(await map.locator('path').count(), 35, 'every regency and city of Central Java');
    for (const [code, value] of [['3302', '1'], ['3327', '1']]) {
      const shape = map.locator(`path[data-kode="${code}"]`);
      assert.equal(await shape.getAttribute('data-nilai'), value, code);
      assert.equal(await shape.getAttribute('fill'), '#7a2e0e', `${code} has the most producers`);
    }
    assert.equal(await map.locator('path[data-kode="3301"]').getAttribute('fill'), '#e6e6e6', 'Cilacap has none');
    assert.equal(await map.locator('path[data-kode="3302"] title').textContent(), 'Kabupaten Banyumas: 1 produsen');
    // Every shape is a link a screen reader names.
    assert.equal(await page.locator('section#kabupaten').getByRole('link', { name: /^Kabupaten Pemalang: 1 produsen$/ }).count(), 1);
    // Drawn large enough to read, with the table beside it and no sideways scroll.
    const box = await map.boundingBox();
    assert.ok(box.width > 350 && box.height > 200, `the map is drawn at ${box.width}×${box.height}`);
    const table = await page.locator('section#kabupaten table').boundingBox();
    assert.ok(table.x > box.x + box.width - 1, 'the table sits beside the map');
    assert.ok(await horizontalOverflow(page) <= 0, 'no sideways scroll at 1366 px');
    assert.match(await page.locator('section#kabupaten figcaption').innerText(), /Produsen:.*geoBoundaries/s);
    await screenshot(page, '22-dashboard-regencies-1366');
  });

  test('the revenue map shows the same province by regency, in rupiah', async () => {
    const revenue = page.locator('section#wilayah figure.map.regencies');
    assert.equal(await revenue.locator('path[data-kode="3327"]').getAttribute('data-nilai'), String(2 * 85000));
    assert.equal(await revenue.locator('path[data-kode="3302"]').getAttribute('data-nilai'), String(3 * 15000));
    assert.equal(await revenue.locator('path[data-kode="3302"]').getAttribute('fill'), '#e5b08f',
      'Rp 45.000 of Rp 170.000: the second of five steps');
    assert.equal(await revenue.locator('path[data-kode="3327"] title').textContent(), 'Kabupaten Pemalang: Rp 170.000');
  });

  test('a regency is reached by keyboard and Enter filters to it', async () => {
    const pemalang = page.locator('section#kabupaten a[aria-label="Kabupaten Pemalang: 1 produsen"]');
    await pemalang.focus();
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')),
      'Kabupaten Pemalang: 1 produsen');
    await page.keyboard.press('Enter');
    await page.waitForURL(/wilayah=3327#kabupaten$/);
    const chosen = page.locator('section#kabupaten a[aria-current="true"] path');
    assert.equal(await chosen.getAttribute('data-kode'), '3327', 'Pemalang is outlined');
    assert.equal(await page.locator('section#kabupaten figure.map path[data-kode="3302"]').getAttribute('data-nilai'), '0');
    await page.getByRole('link', { name: '← Semua provinsi' }).first().click();
    await page.waitForURL(/\/dasbor#kabupaten$/);
    assert.equal(await page.locator('figure.map.regencies').count(), 0);
  });

  test('on a 360 px phone the regency map fits the screen, above its table', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 360, height: 740 });
    await phone.goto(`${server.url}/dasbor?wilayah=33`);
    const map = phone.locator('section#kabupaten figure.map.regencies svg');
    await map.waitFor();
    assert.ok(await horizontalOverflow(phone) <= 0, 'no sideways scroll at 360 px');
    const box = await map.boundingBox();
    assert.ok(box.width > 250 && box.x >= 0 && box.x + box.width <= 360, `the map is ${box.width} px at x=${box.x}`);
    const table = await phone.locator('section#kabupaten table').boundingBox();
    assert.ok(table.y >= box.y + box.height - 1, 'the table follows the map');
    await screenshot(phone, '23-dashboard-regencies-360');
    await phone.close();
  });
});
