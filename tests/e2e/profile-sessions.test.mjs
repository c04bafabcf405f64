// The "Your sessions" section of the profile screen in Chromium: a user ends one of their other sessions
// (REST, no page reload) and that browser is signed out; "End all other sessions"; the no-JavaScript
// fallback (nonce'd admin-post.php link); an administrator ends another user's sessions on their profile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadSite, wp as wpOn, freshUser, outputPath } from '../fixtures/site.mjs';
import { Device, UA } from '../fixtures/device.mjs';
import { launchBrowser, newDeviceContext, browserLogin } from '../fixtures/browser.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version}`;
const hooks = site.test_hooks ? {} : { skip: 'needs SW_TEST_HOOKS=1 (device addresses)' };
const wp = (command, args) => wpOn(site, command, args);
const SECTION = '#sw-your-sessions';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** A signed-in Chromium page for a user: { context, page, errors }. */
async function browserFor(user, { ip, userAgent = UA.desktopChrome, javaScriptEnabled = true } = {}) {
  let context;
  if (javaScriptEnabled) {
    context = await newDeviceContext(browser, site, { userAgent, ip });
  } else {
    // newDeviceContext() has no switch for JavaScript: the same offline context, built here.
    context = await browser.newContext({ userAgent, javaScriptEnabled: false, viewport: { width: 1280, height: 900 }, extraHTTPHeaders: ip ? { [site.test_ip_header]: ip } : {} });
    const origin = new URL(site.url).origin;
    await context.route('**/*', (route) => (new URL(route.request().url()).origin === origin ? route.continue() : route.abort()));
  }
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await browserLogin(page, site, user.login, user.password);
  return { context, page, errors };
}

async function httpDevice(user, ip) {
  const device = new Device(site, { name: `${user.login}-${ip}`, ip });
  assert.ok((await device.login(user.login, user.password)).ok);
  return device;
}

const rows = (page) => page.locator(`${SECTION} tr[data-sw-session]`);
const status = async (page) => (await page.locator(`${SECTION} .sw-sessions__status`).textContent()).trim();

/** Whether a browser page is still signed in: wp-admin answers instead of sending it to the login form. */
async function browserSignedIn(page) {
  await page.goto(`${site.url}/wp-admin/profile.php`, { waitUntil: 'load' });
  return !/wp-login\.php/.test(page.url());
}

test(`${tag}: on their own profile a user ends another of their sessions without a reload, and that browser is signed out (screenshot)`, hooks, async () => {
  const user = freshUser(site, 'prof-own');
  const a = await browserFor(user, { ip: '81.2.69.61', userAgent: UA.desktopChrome });
  const b = await browserFor(user, { ip: '89.160.20.62', userAgent: UA.iphoneSafari });
  try {
    await a.page.goto(`${site.url}/wp-admin/profile.php`, { waitUntil: 'load' });
    const section = a.page.locator(SECTION);
    assert.equal((await section.locator('h2').textContent()).replace(/\s+/g, ' ').trim(), 'Your sessions (2)');
    assert.equal(await rows(a.page).count(), 2);
    const current = a.page.locator(`${SECTION} tr.is-current`);
    assert.equal(await current.count(), 1, 'one session is this browser');
    assert.match(await current.textContent(), /This device/);
    assert.match(await current.textContent(), /81\.2\.69\.61/);
    assert.match(await current.textContent(), /GB/);
    assert.equal(await current.locator('[data-sw-end]').count(), 0, 'no End button on the session in use');
    const other = a.page.locator(`${SECTION} tr[data-sw-session]:not(.is-current)`);
    assert.match(await other.textContent(), /89\.160\.20\.62/);
    assert.match(await other.textContent(), /Safari/);
    assert.match(await other.textContent(), /SE/);
    await a.page.screenshot({ path: outputPath(`${tag}-profile-sessions.png`), fullPage: true });

    // End it: the row goes, the page stays (a marker set on the window survives).
    await a.page.evaluate(() => { window.swNoReload = true; });
    await other.locator('[data-sw-end]').click();
    await a.page.waitForFunction(() => document.querySelectorAll('#sw-your-sessions tr[data-sw-session]').length === 1);
    assert.equal(await a.page.evaluate(() => window.swNoReload), true, 'no page reload');
    assert.match(await status(a.page), /The session was ended/);
    assert.equal((await section.locator('[data-sw-count]').textContent()).trim(), '1');
    assert.equal(await section.locator('[data-sw-empty]').isVisible(), true, '"not signed in anywhere else"');
    assert.equal(await section.locator('[data-sw-end-others]').isVisible(), false);

    assert.equal(await browserSignedIn(b.page), false, 'the ended browser is sent to the login form');
    assert.ok(await browserSignedIn(a.page), 'this browser stays signed in');
    assert.equal(wp('events', { login: user.login, type: 'session_ended' })[0]?.reason, 'by_user');

    // Two more devices, then "End all other sessions" (asks first).
    const c = await httpDevice(user, '216.160.83.63');
    const d = await httpDevice(user, '216.160.83.64');
    await a.page.reload({ waitUntil: 'load' });
    assert.equal(await rows(a.page).count(), 3);
    let asked = '';
    a.page.once('dialog', (dialog) => { asked = dialog.message(); dialog.accept(); });
    await section.locator('[data-sw-end-others]').click();
    await a.page.waitForFunction(() => document.querySelectorAll('#sw-your-sessions tr[data-sw-session]').length === 1);
    assert.match(asked, /Sign out of every other device\?/);
    assert.match(await status(a.page), /Signed out everywhere else \(2 sessions ended\)/);
    assert.equal(await c.isLoggedIn(), false);
    assert.equal(await d.isLoggedIn(), false);
    assert.ok(await browserSignedIn(a.page));
    assert.deepEqual([...a.errors, ...b.errors], [], 'no JavaScript errors');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test(`${tag}: without JavaScript the End link still ends the session (nonce'd admin-post.php) and comes back to the section`, hooks, async () => {
  const user = freshUser(site, 'prof-nojs');
  const other = await httpDevice(user, '89.160.20.71');
  const a = await browserFor(user, { ip: '81.2.69.72', javaScriptEnabled: false });
  try {
    await a.page.goto(`${site.url}/wp-admin/profile.php`, { waitUntil: 'load' });
    assert.equal(await rows(a.page).count(), 2);
    const link = a.page.locator(`${SECTION} tr[data-sw-session]:not(.is-current) a[data-sw-end]`);
    assert.match(await link.getAttribute('href'), /admin-post\.php\?action=session_warden_end_session.*_wpnonce=/);
    // The same link with a forged nonce does nothing.
    const forged = await a.page.goto((await link.getAttribute('href')).replace(/_wpnonce=[0-9a-f]+/, '_wpnonce=0000000000'), { waitUntil: 'load' });
    assert.equal(forged.status(), 403);
    assert.ok(await other.isLoggedIn(), 'not ended by a forged link');

    await a.page.goto(`${site.url}/wp-admin/profile.php`, { waitUntil: 'load' });
    await Promise.all([a.page.waitForURL(/profile\.php\?sw_sessions=ended/, { waitUntil: 'load' }), a.page.locator(`${SECTION} tr[data-sw-session]:not(.is-current) a[data-sw-end]`).click()]);
    assert.match(a.page.url(), /#sw-your-sessions$/, 'back at the section');
    assert.match(await status(a.page), /The session was ended/);
    assert.equal(await rows(a.page).count(), 1);
    assert.equal(await other.isLoggedIn(), false, 'the other device is signed out');
  } finally {
    await a.context.close();
  }
});

test(`${tag}: an administrator sees another user's sessions on their profile and ends them all`, hooks, async () => {
  const user = freshUser(site, 'prof-target', 'author');
  // On a network only super admins may edit other users (user-edit.php): there, the test bed's super admin.
  const admin = site.multisite ? { login: site.admin.user, password: site.admin.password } : freshUser(site, 'prof-admin', 'administrator');
  const d1 = await httpDevice(user, '81.2.69.81');
  const d2 = await httpDevice(user, '216.160.83.82');
  const a = await browserFor(admin, { ip: '89.160.20.83' });
  try {
    await a.page.goto(`${site.url}/wp-admin/user-edit.php?user_id=${user.id}`, { waitUntil: 'load' });
    const section = a.page.locator(SECTION);
    assert.equal((await section.locator('h2').textContent()).replace(/\s+/g, ' ').trim(), 'Sessions (2)');
    assert.equal(await section.getAttribute('data-sw-user'), String(user.id));
    assert.equal(await a.page.locator(`${SECTION} tr.is-current`).count(), 0, "none of them is the administrator's");
    let asked = false;
    a.page.once('dialog', (dialog) => { asked = true; dialog.accept(); });
    await section.locator('[data-sw-end-others]', { hasText: 'End all sessions' }).click();
    await a.page.waitForFunction(() => document.querySelectorAll('#sw-your-sessions tr[data-sw-session]').length === 0);
    assert.ok(asked);
    assert.match(await status(a.page), /2 sessions ended/);
    assert.match(await section.locator('[data-sw-empty]').textContent(), /not signed in anywhere/);
    assert.equal(await d1.isLoggedIn(), false);
    assert.equal(await d2.isLoggedIn(), false);
    assert.ok(wp('events', { login: user.login, type: 'session_ended' }).every((e) => e.reason === 'by_admin'));
    assert.deepEqual(a.errors, [], 'no JavaScript errors');
  } finally {
    await a.context.close();
  }
  // A user without the capability sees no such section on anyone else's profile (an editor cannot open
  // user-edit.php at all); their own profile shows only their own sessions.
  const editor = freshUser(site, 'prof-editor', 'editor');
  const e = new Device(site);
  assert.ok((await e.login(editor.login, editor.password)).ok);
  const denied = await e.request(`/wp-admin/user-edit.php?user_id=${user.id}`);
  assert.notEqual(denied.status, 200);
  assert.doesNotMatch(denied.body, /data-sw-sessions/);
});
