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
import { UA } from '../fixtures/device.mjs';

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

before(async () => {
  if (!site.test_hooks) return;
  browser = await launchBrowser();
  ender = freshUser(site, 'live-ender');
  idler = freshUser(site, 'live-idler');
  const saved = wp('settings', {
    users: [{ user_id: idler.id, rule: { idle_timeout: IDLE } }],
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
  assert.match(await withNotice.locator('#session-warden-ended').innerText(), /session has ended/i);
  assert.match(decodeURIComponent(victim.page.url()), /redirect_to=http:\/\/127\.0\.0\.1:\d+\/wp-admin\//);
  await withNotice.screenshot({ path: outputPath(`screenshots/live-ended-${site.wp_version}.png`) });
  assert.equal(await victim.page.locator('#wp-auth-check-wrap:visible').count(), 0, 'no re-login modal');

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
