// Real-time logout and the idle warning in headless Chromium.
// - A browser whose session is ended on another device leaves wp-admin and the front end for the login
//   screen (with the plugin's notice) within one heartbeat; the device that ended it stays.
// - With `idle_warning`, a countdown dialog appears in every tab of the session; "Stay signed in" in one
//   tab dismisses it in all of them; a session that goes idle anyway lands on the login screen with the
//   inactivity notice.
// The heartbeat runs every 15 s (its minimum) through the test bed's sw-test-live knob.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadSite, wp as wpOn, freshUser, outputPath } from '../fixtures/site.mjs';
import { launchBrowser, newDeviceContext, browserLogin } from '../fixtures/browser.mjs';
import { Device, UA } from '../fixtures/device.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version}`;
const hooks = site.test_hooks ? {} : { skip: 'needs SW_TEST_HOOKS=1 (device addresses, heartbeat knob)' };
const HEARTBEAT = 15; // Seconds; WordPress does not tick faster.
const IDLE = 60; // The shortest idle timeout the engine accepts.
const WARNING = 50; // So the dialog shows 10 s after the last activity.

const wp = (command, args) => wpOn(site, command, args);

let browser;
let ender;
let idler;
let polled;

before(async () => {
  if (!site.test_hooks) return;
  browser = await launchBrowser();
  ender = freshUser(site, 'live-ender');
  idler = freshUser(site, 'live-idler');
  polled = freshUser(site, 'live-heartbeat');
  const saved = wp('settings', {
    users: [{ user_id: idler.id, rule: { idle_timeout: IDLE } }, { user_id: polled.id, rule: { idle_timeout: IDLE } }],
    idle_warning: WARNING,
    activity_interval: 0, // Every request is activity, so a click at the warning always moves the deadline.
  });
  assert.ok(!saved.error, JSON.stringify(saved));
  wp('option', { name: 'sw_test_heartbeat_interval', value: HEARTBEAT });
});

after(async () => {
  await browser?.close();
  if (!site.test_hooks) return;
  wp('option', { name: 'sw_test_heartbeat_interval', value: null });
  wp('reset');
});

async function signedIn(user, ip) {
  const context = await newDeviceContext(browser, site, { userAgent: UA.desktopChrome, ip });
  const page = await context.newPage();
  await browserLogin(page, site, user.login, user.password);
  return { context, page };
}

/** One heartbeat POST as the page sends it (our data only when `ours`). */
async function heartbeat(device, { ours = true, cookie = null, nonce = '' } = {}) {
  const form = { action: 'heartbeat', interval: '15', _nonce: nonce, screen_id: 'front' };
  if (ours) form['data[session_warden][url]'] = `${site.url}/wp-admin/index.php`;
  const headers = cookie ? { Cookie: cookie } : {};
  const url = new URL('/wp-admin/admin-ajax.php', site.url);
  const h = device.headers(headers);
  if (!cookie) {
    const jar = device.cookieHeader(url.pathname);
    if (jar) h.Cookie = jar;
  }
  h['Content-Type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(url, { method: 'POST', headers: h, body: new URLSearchParams(form), redirect: 'manual' });
  return { status: res.status, cookies: res.headers.getSetCookie(), json: await res.json() };
}

const onLogin = (page) => new URL(page.url()).pathname.endsWith('/wp-login.php');

test(`${tag}: tabs whose session is ended on another device go to the login screen within a heartbeat`, hooks, async () => {
  const victim = await signedIn(ender, '198.51.100.41');
  const front = await victim.context.newPage();
  await front.goto(`${site.url}/`, { waitUntil: 'domcontentloaded' });
  assert.ok(await front.evaluate(() => !!(window.wp && window.wp.heartbeat && window.sessionWardenLive)), 'the front end runs the heartbeat and our script');
  const other = await signedIn(ender, '198.51.100.42');

  // From the other device, through the user's own REST routes: end the first device's session.
  const ended = await other.page.evaluate(async () => {
    const nonce = await (await fetch('/wp-admin/admin-ajax.php?action=rest-nonce')).text();
    const headers = { 'X-WP-Nonce': nonce };
    const list = await (await fetch('/wp-json/session-warden/v1/users/me/sessions', { headers })).json();
    const target = list.find((s) => !s.current);
    const res = await fetch(`/wp-json/session-warden/v1/users/me/sessions/${encodeURIComponent(target.id)}`, { method: 'DELETE', headers });
    return { status: res.status, count: list.length, ip: target.ip };
  });
  assert.deepEqual(ended, { status: 200, count: 2, ip: '198.51.100.41' });
  const t0 = Date.now();

  const limit = (HEARTBEAT + 5) * 1000;
  await Promise.all([
    victim.page.waitForURL(/\/wp-login\.php/, { timeout: limit, waitUntil: 'domcontentloaded' }),
    front.waitForURL(/\/wp-login\.php/, { timeout: limit, waitUntil: 'domcontentloaded' }),
  ]);
  const took = (Date.now() - t0) / 1000;
  assert.ok(took <= HEARTBEAT + 5, `both tabs left within a heartbeat (${took} s)`);
  // The tab whose heartbeat noticed first shows the notice; the redirect keeps the page to come back to.
  const notices = await Promise.all([victim.page, front].map((p) => p.locator('#session-warden-ended').count()));
  assert.ok(notices.some((n) => n === 1), 'the login screen says the session ended');
  const withNotice = notices[0] === 1 ? victim.page : front;
  assert.match(await withNotice.locator('#session-warden-ended').innerText(), /You ended this session from another device/);
  assert.match(decodeURIComponent(victim.page.url()), /redirect_to=http:\/\/127\.0\.0\.1:\d+\/wp-admin\//);
  await withNotice.screenshot({ path: outputPath(`screenshots/live-ended-${site.wp_version}.png`) });

  // The device that ended it heard the same heartbeats and stays where it is.
  assert.ok(!onLogin(other.page), 'the other device is still signed in');
  assert.match(other.page.url(), /\/wp-admin\//);
  await victim.context.close();
  await other.context.close();
});

test(`${tag}: the idle warning counts down in every tab, "Stay signed in" dismisses it everywhere, idleness still ends the session`, hooks, async () => {
  const { context, page } = await signedIn(idler, '198.51.100.43');
  const second = await context.newPage();
  await second.goto(`${site.url}/`, { waitUntil: 'domcontentloaded' });
  const start = await page.evaluate(() => window.sessionWardenLive.deadline);
  assert.ok(start && start.ends - start.warn === WARNING, `the page knows the engine's deadline: ${JSON.stringify(start)}`);

  // Ten seconds after the last request (the second tab's page load), both tabs warn.
  const dialog = (p) => p.locator('.sw-live-dialog');
  await Promise.all([page, second].map((p) => dialog(p).waitFor({ state: 'visible', timeout: 20000 })));
  for (const p of [page, second]) {
    assert.equal(await dialog(p).getAttribute('role'), 'alertdialog');
    // The stylesheet is loaded only when the dialog is due, and the dialog waits for it: never unstyled.
    assert.equal(await p.locator('.sw-live-backdrop').evaluate((n) => getComputedStyle(n).position), 'fixed', 'the dialog is styled');
    assert.match(await dialog(p).innerText(), /You will be signed out in [0-5]?\d:\d\d because of inactivity/);
  }
  const first = await page.locator('.sw-live-countdown').innerText();
  await page.waitForTimeout(2100);
  const later = await page.locator('.sw-live-countdown').innerText();
  const secs = (t) => Number(t.split(':')[0]) * 60 + Number(t.split(':')[1]);
  assert.ok(secs(later) < secs(first) && secs(first) <= WARNING, `counts down (${first} → ${later})`);
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'sw-live-stay', 'focus is on Stay signed in');
  await page.screenshot({ path: outputPath(`screenshots/live-idle-warning-${site.wp_version}.png`) });

  // One click in the second tab: one request, activity recorded, both dialogs gone.
  const before = wp('sessions', { login: idler.login })[0].sw.last_activity;
  await second.locator('.sw-live-stay').click();
  await Promise.all([page, second].map((p) => dialog(p).waitFor({ state: 'hidden', timeout: 3000 })));
  const afterClick = wp('sessions', { login: idler.login })[0].sw.last_activity;
  assert.ok(afterClick > before, `the click was recorded as activity (${before} → ${afterClick})`);
  assert.ok(!onLogin(page) && !onLogin(second));

  // Time passes on the server (55 s without activity): idleness ends the session at the next heartbeat
  // and every tab lands on the login screen with the inactivity notice.
  wp('age', { login: idler.login, seconds: IDLE - 5 });
  const limit = (HEARTBEAT + 10) * 1000;
  await Promise.all([page, second].map((p) => p.waitForURL(/\/wp-login\.php/, { timeout: limit, waitUntil: 'domcontentloaded' })));
  const notices = await Promise.all([page, second].map((p) => p.locator('#session-warden-ended').count()));
  const withNotice = notices[0] === 1 ? page : second;
  assert.ok(notices.some((n) => n === 1));
  assert.match(await withNotice.locator('#session-warden-ended').innerText(), /signed out after a period of inactivity/);
  assert.equal(wp('sessions', { login: idler.login }).length, 0);
  assert.equal(wp('events', { login: idler.login, type: 'session_ended' })[0].reason, 'idle');
  await context.close();
});

test(`${tag}: the signed-out heartbeat says "ended" only for a genuinely signed cookie of an ended session`, hooks, async () => {
  const user = polled;
  const device = new Device(site, { name: 'hb', ip: '198.51.100.44' });
  assert.ok((await device.login(user.login, user.password)).ok);
  const page = await device.request('/wp-admin/');
  const nonce = page.body.match(/var heartbeatSettings = \{[^}]*"nonce":"([0-9a-f]{10})"/)?.[1];
  assert.ok(nonce, 'wp-admin hands out a heartbeat nonce');
  assert.match(page.body, /window\.sessionWardenLive = \{/, 'and our script\'s settings');
  const signedIn = await heartbeat(device, { nonce });
  assert.equal(signedIn.json.session_warden.signed_in, true);
  assert.match(signedIn.json.session_warden.nonce, /^[0-9a-f]{10}$/);
  const { ends, warn, now } = signedIn.json.session_warden.deadline;
  assert.ok(ends > now && ends - warn === WARNING, `the engine's idle deadline: ${JSON.stringify(signedIn.json.session_warden.deadline)}`);
  assert.ok(!JSON.stringify(signedIn.json).includes(wp('sessions', { login: user.login })[0].verifier), 'no verifier in the reply');

  // A cookie whose signature does not verify proves nothing: no "ended", core's modal flag stays.
  const real = device.cookieHeader('/wp-admin/');
  const forged = real.replace(/(wordpress_(?:logged_in_)?[0-9a-f]+=[^;]*%7C)([0-9a-f]{64})/g, (m, head, hmac) => head + 'f'.repeat(64));
  assert.notEqual(forged, real);
  const bad = await heartbeat(device, { cookie: forged });
  assert.deepEqual(bad.json.session_warden, { signed_in: false, ended: false });
  assert.equal(bad.json['wp-auth-check'], false);

  // A minute without activity: this heartbeat ends the session (Session_Guard) and says so at once.
  wp('age', { login: user.login, seconds: IDLE + 1 });
  const ended = await heartbeat(device, { nonce });
  assert.equal(ended.json.session_warden.signed_in, false);
  assert.equal(ended.json.session_warden.ended, true);
  assert.match(ended.json.session_warden.login_url, /\/wp-login\.php\?redirect_to=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fwp-admin%2Findex\.php$/);
  assert.equal('wp-auth-check' in ended.json, false, 'no re-login modal for an ended session');
  assert.ok(ended.cookies.some((c) => c.startsWith('session_warden_ended=idle;')), `the notice says why: ${ended.cookies.join(' | ')}`);
  // The next heartbeat (the session is gone, the cookie still signed): still "ended", the reason from the log.
  const again = await heartbeat(device, { cookie: real });
  assert.equal(again.json.session_warden.ended, true);
  assert.ok(again.cookies.some((c) => c.startsWith('session_warden_ended=idle;')));
  // But the same cookie with a signature that does not verify is just a signed-out visitor.
  const forgedLater = await heartbeat(device, { cookie: forged });
  assert.deepEqual(forgedLater.json.session_warden, { signed_in: false, ended: false });
  assert.equal(forgedLater.json['wp-auth-check'], false);
  assert.ok(!forgedLater.cookies.some((c) => c.startsWith('session_warden_ended=')));
  // Without our data (not our script), core's answer is untouched.
  const core = await heartbeat(device, { ours: false, cookie: real });
  assert.equal(core.json.session_warden, undefined);
  assert.equal(core.json['wp-auth-check'], false);
  // A visitor who never signed in learns nothing.
  const anon = await heartbeat(new Device(site, { name: 'anon' }));
  assert.deepEqual(anon.json.session_warden, { signed_in: false, ended: false });
});
