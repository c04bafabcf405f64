// The test bed is real: logins through wp-login.php create session_tokens rows in MariaDB, logout removes
// them, a browser reaches wp-admin, the plugin is active, and the engine answers from inside the web server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadSite, sql, sessionTokenRows, createUser, engineShipped, engineRequest, outputPath } from '../fixtures/site.mjs';
import { Device, UA } from '../fixtures/device.mjs';
import { launchBrowser, newDeviceContext, browserLogin } from '../fixtures/browser.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version}`;
let browser;

before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test(`${tag}: the plugin is active`, () => {
  const [[value]] = sql(site, `SELECT option_value FROM ${site.db.prefix}options WHERE option_name = 'active_plugins'`);
  assert.match(value, /session-warden\/session-warden\.php/);
});

test(`${tag}: a login through wp-login.php adds a session_tokens row, logout removes it`, async () => {
  const user = createUser(site, 'smoke-editor', 'editor');
  assert.equal(sessionTokenRows(site, user.login).length, 0, 'a fresh fixture user has no sessions');

  const phone = new Device(site, { name: 'phone', userAgent: UA.iphoneSafari, ip: site.test_hooks ? '203.0.113.7' : null });
  const login = await phone.login(user.login, user.password);
  assert.ok(login.ok, `login: ${login.status} ${login.location}`);
  assert.equal(login.location, `${site.url}/wp-admin/`);
  assert.ok(await phone.isLoggedIn(), 'the auth cookies open wp-admin');

  const rows = sessionTokenRows(site, user.login);
  assert.equal(rows.length, 1, 'one session_tokens row');
  assert.match(rows[0].value, /"ua";s:\d+:"[^"]*iPhone/, 'the session records the device User-Agent');
  if (site.test_hooks) assert.match(rows[0].value, /"ip";s:11:"203\.0\.113\.7"/, 'the session records the device address');

  const wrong = await new Device(site).login(user.login, 'wrong password');
  assert.equal(wrong.status, 200);
  assert.match(wrong.body, /login_error/);

  const logout = await phone.logout();
  assert.ok(logout.ok, `logout: ${logout.status}`);
  assert.equal(sessionTokenRows(site, user.login).length, 0, 'logout removed the session_tokens row');
  assert.equal(await phone.isLoggedIn(), false);
});

test(`${tag}: headless Chromium logs in and sees wp-admin (screenshot)`, async () => {
  const context = await newDeviceContext(browser, site, { userAgent: UA.desktopChrome, ip: site.test_hooks ? '198.51.100.20' : undefined });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await browserLogin(page, site, site.admin.user, site.admin.password);
    await page.goto(`${site.url}/wp-admin/plugins.php`, { waitUntil: 'load' });
    await page.waitForSelector('#wpadminbar');
    assert.ok(await page.locator('tr.active[data-slug="session-warden"]').count(), 'Session Warden is listed as active');
    const file = outputPath(`${tag}-wp-admin-plugins.png`);
    await page.screenshot({ path: file, fullPage: false });
    await page.goto(`${site.url}/wp-admin/`, { waitUntil: 'load' });
    await page.screenshot({ path: outputPath(`${tag}-wp-admin-dashboard.png`) });
    assert.deepEqual(errors, [], 'no JavaScript errors');
    assert.ok(sessionTokenRows(site, site.admin.user).length >= 1, 'the browser login created a session');
  } finally {
    await context.close();
  }
});

test(`${tag}: the web server runs requests in parallel (Apache prefork, not php -S)`, async () => {
  assert.ok(site.test_hooks, 'the sleep probe needs SW_TEST_HOOKS=1');
  const n = 8; const ms = 600;
  const t0 = Date.now();
  const replies = await Promise.all(Array.from({ length: n }, () =>
    fetch(`${site.url}/?sw_test_probe=sleep&ms=${ms}`).then((r) => r.json())));
  const elapsed = Date.now() - t0;
  assert.equal(new Set(replies.map((r) => r.pid)).size, n, 'each request ran in its own process');
  assert.ok(elapsed < ms * 3, `${n} requests of ${ms} ms took ${elapsed} ms`);
});

test(`${tag}: the engine answers "version" on the daemon socket and inside Apache (socket and one-shot)`, async () => {
  assert.ok(engineShipped(site), `the installed plugin ships no engine in ${site.engine.dir}`);
  assert.ok(site.engine.daemon, 'the test bed started the engine daemon');

  const direct = await engineRequest(site, { v: 1, id: 7, op: 'version', args: {} });
  assert.equal(typeof direct.ok, 'string', JSON.stringify(direct));
  assert.match(direct.ok, /^session-warden\S* \d+\.\d+\.\d+/);

  assert.ok(site.test_hooks, 'the probe needs SW_TEST_HOOKS=1');
  const admin = new Device(site);
  assert.ok((await admin.login(site.admin.user, site.admin.password)).ok);
  const res = await admin.request('/?sw_test_probe=engine');
  assert.equal(res.status, 200, res.body);
  const probe = JSON.parse(res.body);
  assert.equal(probe.user, site.web_user, 'PHP runs as the web user');
  assert.equal(probe.sapi, 'apache2handler');
  assert.equal(probe.opcache, true, 'opcache is on');
  assert.deepEqual(probe.socket, { version: direct.ok }, 'through the daemon socket');
  assert.deepEqual(probe.process, { version: direct.ok }, 'through a one-shot process');
  await admin.logout();
});
