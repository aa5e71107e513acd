// Membership on the web, in Chromium against a real server: a cooperative's admin finds the
// member page from the bulk requests, removes a member, and cannot bring in a producer who is
// not theirs; the producers' facilitator adds the member back from the same page; the
// producer's phone learns of both through sync.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { horizontalOverflow, launchBrowser, screenshot, sellerWorld, startServer } from './harness.js';

/** Signs in at /masuk (sent there by the page) and waits to be back on `path`. */
async function signIn(page, url, path, login, secret) {
  await page.goto(`${url}${path}`);
  await page.waitForURL(/\/masuk\?lanjut=/);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="secret"]').fill(secret);
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.waitForURL(`**${path}`);
}

describe('a cooperative admin and a facilitator manage members on the web', () => {
  let server;
  let world;
  let browser;
  let cooperative;
  let other;

  before(async () => {
    server = await startServer();
    world = await sellerWorld(server, [
      { key: 'gula', name: 'Gula Kristal Banyumas', category: 'Gula', unit: 'kg', price: 15000, stock: 500 },
    ]);
    // A second producer of the same facilitator, not in the cooperative.
    other = (
      await world.laptop.run('register-producer', '--name', 'Gula Semut Pak Darmo', '--owner', 'Darmo',
        '--phone', '0813-7777-8888', '--region', '3302', '--sector', 'food_beverage')
    ).trim();
    await world.laptop.sync();
    cooperative = await server.admin('create-organisation', '--kind', 'cooperative', '--name',
      'Koperasi Gula Kristal Banyumas', '--region', '3302');
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

  test('the admin reaches the member page from the bulk requests and removes a member', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'id-ID' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await signIn(page, server.url, `/koperasi/${cooperative}/permintaan`, 'admin-koperasi', 'rahasia-koperasi-1');
    await page.getByRole('link', { name: 'Kelola anggota' }).click();
    await page.waitForURL(`**/koperasi/${cooperative}/anggota`);
    await page.getByRole('heading', { name: /Anggota — Koperasi Gula Kristal Banyumas/ }).waitFor();
    const rows = page.locator('main table tbody tr');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /Gula Kristal Bu Sri[\s\S]*Kabupaten Banyumas/);
    // Pak Darmo is not the admin's to add: the page offers no one, and says who can.
    assert.match(await page.locator('main').innerText(), /Pendamping produsen dapat menambahkannya/);
    assert.equal(await page.locator('select#produsen').count(), 0);
    await screenshot(page, 'members-01-admin-1366');

    await page.getByRole('button', { name: 'Keluarkan Gula Kristal Bu Sri' }).click();
    await page.waitForURL(/\?pesan=dikeluarkan$/);
    assert.equal((await page.getByRole('status').innerText()).trim(), 'Anggota dikeluarkan.');
    assert.match(await page.locator('main').innerText(), /Belum ada anggota\./);

    // A hand-made post for Pak Darmo is refused by the server's rules, with the reason shown.
    const csrf = await page.locator('input[name="csrf"]').first().getAttribute('value');
    const refused = await page.request.post(`${server.url}/koperasi/${cooperative}/anggota`, {
      form: { csrf, produsen: other, aksi: 'tambah' },
      maxRedirects: 0,
    });
    assert.equal(refused.status(), 403);
    assert.match(await refused.text(), /tidak boleh mengubah keanggotaan/);
    await context.close();

    // The producer's phone hears of it through sync.
    await world.phone.sync();
    assert.match(await world.phone.run('organisations'), /Koperasi Gula Kristal Banyumas \(0 members\)/);
  });

  test('the facilitator adds the producer back on a 360 px phone', async () => {
    const context = await browser.newContext({
      viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, locale: 'id-ID',
    });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await signIn(page, server.url, `/koperasi/${cooperative}/anggota`, 'pendamping-banyumas', 'rahasia-kuat-1');
    const options = await page.locator('select#produsen option').allInnerTexts();
    assert.deepEqual(options.map((o) => o.split(' — ')[0]), ['Gula Kristal Bu Sri', 'Gula Semut Pak Darmo']);
    await page.getByLabel('Produsen').selectOption({ label: 'Gula Kristal Bu Sri — Kabupaten Banyumas' });
    await page.getByRole('button', { name: 'Tambahkan' }).click();
    await page.waitForURL(/\?pesan=ditambah$/);
    assert.equal((await page.getByRole('status').innerText()).trim(), 'Anggota ditambahkan.');
    assert.match(await page.locator('main table').innerText(), /Gula Kristal Bu Sri/);
    assert.equal(await horizontalOverflow(page), 0, 'the member page fits a 360 px screen');
    await screenshot(page, 'members-02-facilitator-360');

    // In English too.
    await page.goto(`${server.url}/koperasi/${cooperative}/anggota?lang=en`);
    await page.getByRole('heading', { name: /Members — Koperasi Gula Kristal Banyumas/ }).waitFor();
    await page.getByRole('button', { name: 'Add' }).waitFor();
    await context.close();

    await world.phone.sync();
    assert.match(await world.phone.run('organisations'), /Koperasi Gula Kristal Banyumas \(1 members\)/);
  });
});
