// Enforcement on the real site: every mode, per-role and per-user limits, bypass, limit kinds, max distinct
// IPs, IP allow/deny, idle timeout, IP binding, the logout epoch, geo flags, proxy trust and spoofing,
// throttled activity, password-less sessions and password changes. Each test scopes its rule to its own
// fixture user (settings `users`/`roles`), and the settings are reset after each test.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { loadSite, wp as wpOn, freshUser, sessionTokenRows } from '../fixtures/site.mjs';
import { Device, UA } from '../fixtures/device.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version}`;
const hooks = site.test_hooks ? {} : { skip: 'needs SW_TEST_HOOKS=1 (device addresses)' };

const wp = (command, args) => wpOn(site, command, args);

function settings(doc) {
  const saved = wp('settings', doc);
  assert.ok(!saved.error, `settings saved: ${JSON.stringify(saved)}`);
  return saved;
}

/** A rule for one user only, so tests never limit anyone else. */
function ruleFor(user, rule, extra = {}) {
  return settings({ users: [{ user_id: user.id, rule }], ...extra });
}

const sessions = (user) => wp('sessions', { login: user.login });
const events = (user, type) => wp('events', { login: user.login, type });

function device(name, opts = {}) {
  return new Device(site, { name, userAgent: UA.desktopChrome, ...opts });
}

afterEach(() => { wp('reset'); });

test(`${tag}: block mode refuses the second login with the configured message and keeps the first`, hooks, async () => {
  const user = freshUser(site, 'enf-block');
  ruleFor(user, { limits: [{ kind: 'user', max: 1 }], mode: 'block' });
  const a = device('a', { ip: '198.51.100.1' });
  assert.ok((await a.login(user.login, user.password)).ok);
  const b = device('b', { ip: '198.51.100.2', userAgent: UA.iphoneSafari });
  const second = await b.login(user.login, user.password);
  assert.equal(second.ok, false, 'the second login is refused');
  assert.equal(second.status, 200);
  assert.match(second.body, /already signed in on as many devices as your account allows/);
  assert.ok(await a.isLoggedIn(), 'the first device stays signed in');
  assert.equal(sessions(user).length, 1);
  const blocked = events(user, 'login_blocked');
  assert.equal(blocked.length, 1);
  assert.equal(blocked[0].reason, 'limit_user');
});

test(`${tag}: a custom block message replaces the built-in one`, hooks, async () => {
  const user = freshUser(site, 'enf-message');
  ruleFor(user, { limits: [{ kind: 'user', max: 1 }], mode: 'block', message_key: 'one_device' });
  wp('option', { name: 'session_warden_messages', value: { one_device: 'Only one device <b>please</b>.' } });
  try {
    assert.ok((await device('a').login(user.login, user.password)).ok);
    const second = await device('b').login(user.login, user.password);
    assert.equal(second.ok, false);
    assert.match(second.body, /Only one device &lt;b&gt;please&lt;\/b&gt;\./, 'shown, and escaped');
  } finally {
    wp('option', { name: 'session_warden_messages', value: null });
  }
});

test(`${tag}: logout_oldest ends the oldest session and keeps the new one`, hooks, async () => {
  const user = freshUser(site, 'enf-oldest');
  ruleFor(user, { limits: [{ kind: 'user', max: 2 }], mode: 'logout_oldest' });
  const a = device('a', { ip: '198.51.100.1' });
  const b = device('b', { ip: '198.51.100.2', userAgent: UA.desktopFirefox });
  assert.ok((await a.login(user.login, user.password)).ok);
  wp('age', { login: user.login, seconds: 20 });
  assert.ok((await b.login(user.login, user.password)).ok);
  wp('age', { login: user.login, seconds: 20 });
  const c = device('c', { ip: '198.51.100.3', userAgent: UA.iphoneSafari });
  assert.ok((await c.login(user.login, user.password)).ok);
  assert.equal(await a.isLoggedIn(), false, 'the oldest device is signed out');
  assert.ok(await b.isLoggedIn());
  assert.ok(await c.isLoggedIn());
  const left = sessions(user);
  assert.deepEqual(left.map((s) => s.sw.ip).sort(), ['198.51.100.2', '198.51.100.3']);
  const ended = events(user, 'session_ended');
  assert.equal(ended.length, 1);
  assert.equal(ended[0].reason, 'limit_user');
  assert.equal(ended[0].ip, '198.51.100.1');
});

test(`${tag}: logout_all ends every other session`, hooks, async () => {
  const user = freshUser(site, 'enf-all');
  ruleFor(user, { limits: [{ kind: 'user', max: 2 }], mode: 'logout_all' });
  const a = device('a'); const b = device('b'); const c = device('c');
  assert.ok((await a.login(user.login, user.password)).ok);
  assert.ok((await b.login(user.login, user.password)).ok);
  assert.ok((await c.login(user.login, user.password)).ok);
  assert.equal(await a.isLoggedIn(), false);
  assert.equal(await b.isLoggedIn(), false);
  assert.ok(await c.isLoggedIn());
  assert.equal(sessions(user).length, 1);
});

test(`${tag}: redirect mode sends the refused login to the configured page without a cookie`, hooks, async () => {
  const user = freshUser(site, 'enf-redirect');
  ruleFor(user, { limits: [{ kind: 'user', max: 1 }], mode: 'redirect', redirect_url: '/too-many-devices/' });
  assert.ok((await device('a').login(user.login, user.password)).ok);
  const b = device('b');
  const second = await b.login(user.login, user.password);
  assert.equal(second.status, 302);
  assert.equal(second.location, '/too-many-devices/');
  assert.equal(b.cookieNames().some((n) => n.startsWith('wordpress_logged_in_')), false);
  assert.equal(sessions(user).length, 1);
});

test(`${tag}: per-role limits apply to that role only; per-user rules override them`, hooks, async () => {
  const editor = freshUser(site, 'enf-role-editor', 'editor');
  const author = freshUser(site, 'enf-role-author', 'author');
  const vip = freshUser(site, 'enf-role-vip', 'editor');
  settings({
    roles: [{ role: 'editor', rule: { limits: [{ kind: 'user', max: 1 }], mode: 'block' } }],
    users: [{ user_id: vip.id, rule: { limits: [{ kind: 'user', max: 3 }] } }],
  });
  assert.ok((await device('e1').login(editor.login, editor.password)).ok);
  assert.equal((await device('e2').login(editor.login, editor.password)).ok, false, 'editors: one session');
  assert.ok((await device('a1').login(author.login, author.password)).ok);
  assert.ok((await device('a2').login(author.login, author.password)).ok, 'authors are not limited');
  for (const n of [1, 2, 3]) assert.ok((await device(`v${n}`).login(vip.login, vip.password)).ok, `vip login ${n}`);
  assert.equal((await device('v4').login(vip.login, vip.password)).ok, false, 'the per-user limit of 3 holds');
});

test(`${tag}: bypassed users and roles are never limited`, hooks, async () => {
  const user = freshUser(site, 'enf-bypass-user');
  const admin = freshUser(site, 'enf-bypass-admin', 'administrator');
  settings({ defaults: { limits: [{ kind: 'user', max: 1 }], mode: 'block' }, bypass: { user_ids: [user.id], roles: ['administrator'] } });
  for (const who of [user, admin]) {
    assert.ok((await device('x').login(who.login, who.password)).ok);
    assert.ok((await device('y').login(who.login, who.password)).ok, `${who.login} is exempt`);
  }
});

test(`${tag}: limit kinds: same IP, same browser`, hooks, async () => {
  const user = freshUser(site, 'enf-kinds');
  ruleFor(user, { limits: [{ kind: 'ip', max: 1 }, { kind: 'browser', max: 2 }], mode: 'block' });
  assert.ok((await device('a', { ip: '198.51.100.10' }).login(user.login, user.password)).ok);
  const sameIp = await device('b', { ip: '198.51.100.10', userAgent: UA.desktopFirefox }).login(user.login, user.password);
  assert.equal(sameIp.ok, false, 'a second session from the same address is refused');
  assert.ok((await device('c', { ip: '198.51.100.11' }).login(user.login, user.password)).ok, 'Chrome #2 from another address');
  const chrome3 = await device('d', { ip: '198.51.100.12' }).login(user.login, user.password);
  assert.equal(chrome3.ok, false, 'a third Chrome session is refused');
  assert.ok((await device('e', { ip: '198.51.100.13', userAgent: UA.desktopFirefox }).login(user.login, user.password)).ok, 'Firefox is its own bucket');
  assert.deepEqual(events(user, 'login_blocked').map((e) => e.reason).sort(), ['limit_browser', 'limit_ip']);
});

test(`${tag}: max distinct IPs`, hooks, async () => {
  const user = freshUser(site, 'enf-maxips');
  ruleFor(user, { max_ips: 2, mode: 'block' });
  assert.ok((await device('a', { ip: '192.0.2.1' }).login(user.login, user.password)).ok);
  assert.ok((await device('b', { ip: '192.0.2.2' }).login(user.login, user.password)).ok);
  assert.ok((await device('c', { ip: '192.0.2.2' }).login(user.login, user.password)).ok, 'a known address is fine');
  assert.equal((await device('d', { ip: '192.0.2.3' }).login(user.login, user.password)).ok, false, 'a third address is refused');
});

test(`${tag}: IP deny and allow lists refuse before the password, with one generic message`, hooks, async () => {
  const user = freshUser(site, 'enf-iprules');
  ruleFor(user, { ip_deny: ['198.51.100.0/24'] });
  const denied = await device('d', { ip: '198.51.100.77' }).login(user.login, user.password);
  assert.equal(denied.ok, false);
  assert.match(denied.body, /Signing in is not allowed from your network/);
  const wrongPassword = await device('w', { ip: '198.51.100.77' }).login(user.login, 'wrong');
  assert.match(wrongPassword.body, /Signing in is not allowed from your network/, 'the same answer whatever the password');
  assert.ok((await device('ok', { ip: '192.0.2.50' }).login(user.login, user.password)).ok);

  ruleFor(user, { ip_allow: ['203.0.113.0/24'] });
  assert.equal((await device('x', { ip: '192.0.2.50' }).login(user.login, user.password)).ok, false);
  assert.ok((await device('y', { ip: '203.0.113.9' }).login(user.login, user.password)).ok);
  assert.deepEqual(events(user, 'login_blocked').map((e) => e.reason).sort(), ['ip_denied', 'ip_denied', 'ip_not_allowed']);
});

test(`${tag}: idle timeout ends the session on its next request and says why`, hooks, async () => {
  const user = freshUser(site, 'enf-idle');
  ruleFor(user, { idle_timeout: 600 });
  const a = device('a');
  assert.ok((await a.login(user.login, user.password)).ok);
  assert.ok(await a.isLoggedIn());
  wp('age', { login: user.login, seconds: 300 });
  assert.ok(await a.isLoggedIn(), 'five idle minutes are fine');
  wp('age', { login: user.login, seconds: 601 });
  const res = await a.request('/wp-admin/');
  assert.equal(res.status, 302, 'sent to the login form');
  assert.equal(sessions(user).length, 0, 'the session is gone');
  const login = await a.request('/wp-login.php');
  assert.match(login.body, /signed out after a period of inactivity/);
  const ended = events(user, 'session_ended');
  assert.equal(ended.length, 1);
  assert.equal(ended[0].reason, 'idle');
});

test(`${tag}: IP binding ends a session used from another address`, hooks, async () => {
  const user = freshUser(site, 'enf-binding');
  ruleFor(user, { ip_binding: true });
  const a = device('a', { ip: '198.51.100.30' });
  assert.ok((await a.login(user.login, user.password)).ok);
  assert.ok(await a.isLoggedIn());
  a.ip = '198.51.100.31';
  assert.equal(await a.isLoggedIn(), false);
  assert.equal(sessions(user).length, 0);
  assert.equal(events(user, 'session_ended')[0].reason, 'ip_changed');
});

test(`${tag}: the logout epoch ends everyone's sessions, and new logins work`, hooks, async () => {
  const u1 = freshUser(site, 'enf-epoch-1');
  const u2 = freshUser(site, 'enf-epoch-2', 'editor');
  const a = device('a'); const b = device('b');
  assert.ok((await a.login(u1.login, u1.password)).ok);
  assert.ok((await b.login(u2.login, u2.password)).ok);
  assert.ok(await a.isLoggedIn());
  wp('age', { login: u1.login, seconds: 5 });
  wp('age', { login: u2.login, seconds: 5 });
  wp('end_all');
  assert.equal(await a.isLoggedIn(), false);
  assert.equal(await b.isLoggedIn(), false);
  assert.equal(events(u1, 'session_ended')[0].reason, 'epoch');
  const again = device('again');
  assert.ok((await again.login(u1.login, u1.password)).ok);
  assert.ok(await again.isLoggedIn(), 'a login after the epoch lives');
});

test(`${tag}: sessions record the resolved client, its country and device; a second country raises a flag`, hooks, async (t) => {
  if (!site.geo_db) return t.skip('the site has no geo database (SW_GEO=0)');
  const user = freshUser(site, 'enf-geo');
  settings({});
  const uk = device('uk', { ip: '81.2.69.10', userAgent: UA.iphoneSafari });
  assert.ok((await uk.login(user.login, user.password)).ok);
  const [first] = sessions(user);
  assert.equal(first.sw.ip, '81.2.69.10');
  assert.equal(first.sw.country, 'GB');
  assert.equal(first.sw.device.device_class, 'mobile');
  assert.ok(first.sw.device.label.length > 0);
  const se = device('se', { ip: '89.160.20.5' });
  assert.ok((await se.login(user.login, user.password)).ok);
  assert.ok(await se.isLoggedIn());
  const flagged = sessions(user).find((s) => s.sw.ip === '89.160.20.5');
  assert.deepEqual(flagged.sw.flags, ['country_anomaly']);
  assert.equal(events(user, 'flag_raised')[0].reason, 'country_anomaly');
});

test(`${tag}: forwarding headers are believed only from trusted proxies`, hooks, async () => {
  const user = freshUser(site, 'enf-proxy');
  // No device address: the request reaches PHP from 127.0.0.1, like through a local reverse proxy.
  const viaProxy = () => new Device(site, { name: 'p', forwardedFor: '192.0.2.99' });
  ruleFor(user, { ip_deny: ['192.0.2.99/32'] });
  assert.ok((await viaProxy().login(user.login, user.password)).ok, 'untrusted: X-Forwarded-For is ignored (no spoofing)');
  assert.equal(sessions(user).at(-1).sw.ip, '127.0.0.1');
  ruleFor(user, { ip_deny: ['192.0.2.99/32'] }, { client_ip: { trusted_proxies: ['127.0.0.1'] } });
  assert.equal((await viaProxy().login(user.login, user.password)).ok, false, 'trusted: the forwarded client is denied');
  ruleFor(user, {}, { client_ip: { trusted_proxies: ['127.0.0.1'] } });
  assert.ok((await viaProxy().login(user.login, user.password)).ok);
  assert.equal(sessions(user).at(-1).sw.ip, '192.0.2.99');
});

test(`${tag}: activity is written at most once a minute, and never by the heartbeat`, hooks, async () => {
  const user = freshUser(site, 'enf-activity');
  settings({});
  const a = device('a');
  assert.ok((await a.login(user.login, user.password)).ok);
  assert.ok(await a.isLoggedIn());
  const after1 = sessionTokenRows(site, user.login)[0].value;
  for (let i = 0; i < 3; i++) assert.ok(await a.isLoggedIn());
  assert.equal(sessionTokenRows(site, user.login)[0].value, after1, 'page views within the minute write nothing');

  wp('age', { login: user.login, seconds: 120 });
  const before = sessions(user)[0].sw.last_activity;
  const beat = await a.request('/wp-admin/admin-ajax.php', { method: 'POST', form: { action: 'heartbeat', _nonce: 'x', interval: '60' } });
  assert.ok([200, 400].includes(beat.status), `heartbeat answered ${beat.status}`);
  assert.equal(sessions(user)[0].sw.last_activity, before, 'the heartbeat is not activity');
  assert.ok(await a.isLoggedIn());
  assert.ok(sessions(user)[0].sw.last_activity > before, 'a page view is');
});

test(`${tag}: a password-less session (magic link, SSO, second factor) is limited too`, hooks, async () => {
  const user = freshUser(site, 'enf-magic');
  ruleFor(user, { limits: [{ kind: 'user', max: 1 }], mode: 'block' });
  const a = device('a');
  assert.ok((await a.login(user.login, user.password)).ok);
  const m = device('m');
  const res = await m.request(`/?sw_test_probe=magic&login=${user.login}`);
  assert.equal(JSON.parse(res.body).cookies, false, 'no auth cookie is sent');
  assert.equal(sessions(user).length, 1, 'the refused session does not stay behind');
  assert.ok(await a.isLoggedIn());

  ruleFor(user, { limits: [{ kind: 'user', max: 1 }], mode: 'logout_oldest' });
  const res2 = await m.request(`/?sw_test_probe=magic&login=${user.login}`);
  assert.equal(JSON.parse(res2.body).cookies, true);
  assert.ok(await m.isLoggedIn());
  assert.equal(await a.isLoggedIn(), false, 'the older session made room');
});

test(`${tag}: a password reset ends every session of the user`, hooks, async () => {
  const user = freshUser(site, 'enf-password');
  settings({});
  const a = device('a'); const b = device('b');
  assert.ok((await a.login(user.login, user.password)).ok);
  assert.ok((await b.login(user.login, user.password)).ok);
  wp('reset_password', { login: user.login, password: 'brand-new-pass-456' });
  assert.equal(sessions(user).length, 0);
  assert.equal(events(user, 'session_ended').filter((e) => e.reason === 'password_change').length, 2);
});
