// The official's dashboard on a 1366×768 office screen: the page never scrolls sideways, the
// ten-column tables get the width (and any table that still has to scroll does so in a region
// a keyboard reaches and a screen reader names), chart labels are whole, months read
// "Nov 2026", sales filter by sector and cluster, and a map of the provinces is drawn and
// filled by the figures beside the tables.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, screenshot, sellerWorld, signInOfficial, startServer, todayWib } from './harness.js';

const MONTHS_ID = ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'];

describe('an official reads the dashboard at a desk', () => {
  let server;
  let world;
  let browser;
  let page;

  before(async () => {
    server = await startServer();
    world = await sellerWorld(server, [
      { key: 'gula', name: 'Gula Kristal Banyumas', category: 'Gula', unit: 'kg', price: 15000, stock: 500 },
    ]);
    // A second producer, in processed agriculture (the longest sector name), and market sales
    // by both.
    const second = await world.laptop.registerProducer({ name: 'Gula Semut Cilongok', owner: 'Pak Rus',
      phone: '0813-2900-5566', region: '3302', sector: 'processed_agriculture', address: 'Desa Cilongok' });
    const semut = await world.laptop.addProduct({ producer: second, name: 'Gula Semut 500 g',
      category: 'Gula', unit: 'pack', price: 22000, stock: 100 });
    await world.laptop.sellAtMarket(semut.variant, 4);
    await world.laptop.sync();
    await world.phone.sellAtMarket(world.listed.gula.variant, 3);
    await world.phone.sync();
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'id-ID' });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    await signInOfficial(server, page, 'dinas-kantor', 'rahasia-dinas-9');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('at 1366×768 the page does not scroll sideways and the wide tables get the width', async () => {
    await page.getByRole('heading', { name: 'Dasbor UMKM' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
    for (const id of ['bulan', 'wilayah']) {
      const table = page.locator(`section#${id} table`);
      const box = await table.boundingBox();
      assert.ok(box.width > 1000, `the ${id} table has ${box.width} px, not half a column`);
      const region = page.locator(`section#${id} div.scroll`);
      const sideways = await region.evaluate((el) => el.scrollWidth - el.clientWidth);
      assert.ok(sideways <= 0, `the ${id} table scrolls sideways by ${sideways} px at 1366 px`);
    }
    await screenshot(page, '20-dashboard-1366');
  });

  test('every scrolling region is reachable by keyboard and named (axe: scrollable-region-focusable)', async () => {
    // At a narrow window the tables do have to scroll: then their regions must be focusable.
    await page.setViewportSize({ width: 700, height: 768 });
    const offenders = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((el) => {
        const style = getComputedStyle(el);
        const scrolls = ['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth;
        return scrolls && !(el.tabIndex >= 0 && (el.getAttribute('aria-label') || '').trim());
      })
      .map((el) => el.outerHTML.slice(0, 80)));
    assert.deepEqual(offenders, []);
    const scrolling = await page.locator('div.scroll[tabindex="0"][role="region"]').count();
    assert.ok(scrolling >= 8, 'every table sits in a named region');
    await page.locator('section#bulan div.scroll').focus();
    await page.keyboard.press('ArrowRight');
    // Chromium scrolls smoothly: the offset moves over the next frames, not at once.
    const scrolled = await page.locator('section#bulan div.scroll')
      .evaluate((el) => new Promise((resolve) => {
        const started = performance.now();
        const check = () => (el.scrollLeft > 0 || performance.now() - started > 2000
          ? resolve(el.scrollLeft > 0) : requestAnimationFrame(check));
        check();
      }));
    assert.ok(scrolled, 'the arrow keys scroll the focused table');
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  test('chart labels are whole and months read "Nov 2026"', async () => {
    const labels = await page.locator('section#sektor svg text').allTextContents();
    assert.ok(labels.some((l) => l === 'Olahan hasil pertanian'), JSON.stringify(labels));
    assert.ok(!labels.some((l) => l.endsWith('…')), JSON.stringify(labels));
    const months = await page.locator('section#bulan table tbody tr td:first-child').allTextContents();
    assert.ok(months.length >= 1);
    for (const month of months) {
      const [name, year] = month.trim().split(' ');
      assert.ok(MONTHS_ID.includes(name) && /^\d{4}$/.test(year), `"${month}"`);
    }
    const now = todayWib();
    assert.ok(months.includes(`${MONTHS_ID[Number(now.slice(5, 7)) - 1]} ${now.slice(0, 4)}`), JSON.stringify(months));
  });

  test('sales filter by sector as well as month and region', async () => {
    await page.locator('select#sektor').selectOption({ label: 'Olahan hasil pertanian' });
    await page.getByRole('button', { name: 'Terapkan' }).click();
    await page.waitForURL(/sektor=processed_agriculture/);
    const direct = page.locator('section#kanal table tbody tr', { hasText: 'Penjualan langsung' });
    assert.deepEqual((await direct.locator('td').allTextContents()).slice(1), ['1', 'Rp 88.000'],
      'only the palm-sugar sale: 4 × Rp 22.000');
    assert.equal(await page.locator('select#sektor').inputValue(), 'processed_agriculture');
    assert.equal(await page.locator('select#klaster').count(), 1, 'a cluster filter is offered too');
    await page.goto(`${server.url}/dasbor`);
  });

  test('a map of the provinces is drawn beside the tables and filled by the figures', async () => {
    const map = page.locator('section#provinsi figure.map svg');
    await map.waitFor();
    assert.equal(await map.locator('path').count(), 38, 'every province has a shape, the four of 2022 too');
    const box = await map.boundingBox();
    assert.ok(box.width > 400 && box.height > 140, `the map is drawn at ${box.width}×${box.height}`);
    const table = await page.locator('section#provinsi table').boundingBox();
    assert.ok(table.x > box.x + box.width - 1, 'the table sits beside the map');
    const central = map.locator('path[data-kode="33"]');
    assert.equal(await central.getAttribute('data-nilai'), '2', 'two producers in Jawa Tengah');
    assert.notEqual(await central.getAttribute('fill'), '#e6e6e6');
    assert.equal(await map.locator('path[data-kode="35"]').getAttribute('fill'), '#e6e6e6');
    assert.match(await central.locator('title').textContent(), /^Jawa Tengah: 2 produsen$/);
    const revenue = page.locator('section#wilayah figure.map path[data-kode="33"]');
    assert.equal(await revenue.getAttribute('data-nilai'), String(3 * 15000 + 4 * 22000));
    assert.match(await page.locator('section#provinsi figcaption').innerText(), /geoBoundaries .*CC BY/);
    await screenshot(page, '21-dashboard-map');
  });
});
