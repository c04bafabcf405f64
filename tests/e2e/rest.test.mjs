// The REST namespace session-warden/v1 at work: listing and filtering everyone's sessions with pagination
// headers, one user's sessions, ending one / several / all but the current one (and the current one, which
// signs out), the site-wide logout, the event log, the engine status, 400s with clear messages for bad
// input — and no response ever carries a session token or verifier.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadSite, freshUser, wp } from '../fixtures/site.mjs';
import { UA } from '../fixtures/device.mjs';
import { anonymousClient, restClient, rest as restCall, sessionToken } from '../fixtures/rest-client.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version}`;
const NS = '/session-warden/v1';

// Every response body of this file, and every secret it must never contain.
const bodies = [];
const secrets = new Set();

async function rest(client, method, path, options) {
  const res = await restCall(client, method, NS + path, options);
  bodies.push({ what: `${method} ${path}`, body: res.body });
  return res;
}

/** Signs a user in on a new device; remembers the session's token and every verifier the user holds now. */
async function signIn(user, deviceOptions = {}) {
  const client = await restClient(site, user, { name: `${user.login}-${secrets.size}`, deviceOptions });
  secrets.add(sessionToken(client));
  for (const s of wp(site, 'sessions', { login: user.login })) secrets.add(s.verifier);
  return client;
}

const SESSION_KEYS = ['country', 'current', 'device', 'expiration', 'flags', 'id', 'idle', 'ip', 'last_activity', 'login', 'roles', 'user'];
const DEVICE_KEYS = ['browser', 'client_type', 'device_class', 'device_type', 'label', 'os', 'version'];

function assertSessionItem(item) {
  assert.deepEqual(Object.keys(item).sort(), SESSION_KEYS, 'a session item has exactly the contract keys');
  assert.deepEqual(Object.keys(item.user).sort(), ['avatar', 'display_name', 'id', 'login']);
  assert.deepEqual(Object.keys(item.device).sort(), DEVICE_KEYS);
  assert.match(item.id, /^[A-Za-z0-9_-]+$/);
  for (const k of ['login', 'expiration', 'last_activity', 'idle']) assert.equal(typeof item[k], 'number', k);
  assert.equal(typeof item.current, 'boolean');
  assert.ok(Array.isArray(item.roles) && Array.isArray(item.flags));
}

let admin; let adminUser;
let sub; let subUser;
let phoneUser;

before(async () => {
  wp(site, 'reset');
  adminUser = freshUser(site, 'rest-admin', 'administrator');
  subUser = freshUser(site, 'rest-sub', 'subscriber');
  phoneUser = freshUser(site, 'rest-phone', 'editor');
  admin = await signIn(adminUser);
  sub = await signIn(subUser);
});

after(() => { wp(site, 'reset'); });

test(`${tag}: GET /sessions lists sessions in the contract shape, filtered and paged, with X-WP-Total(Pages)`, async () => {
  const uk = site.test_hooks ? { ip: '81.2.69.10', userAgent: UA.iphoneSafari } : { userAgent: UA.iphoneSafari };
  await signIn(phoneUser, uk);
  await signIn(phoneUser, { userAgent: UA.desktopFirefox });
  await signIn(phoneUser, { userAgent: UA.desktopChrome });

  const all = await rest(admin, 'GET', '/sessions', { query: { user: phoneUser.id } });
  assert.equal(all.status, 200, all.body);
  assert.equal(all.headers.get('x-wp-total'), '3');
  assert.equal(all.headers.get('x-wp-totalpages'), '1');
  assert.equal(all.json.length, 3);
  all.json.forEach(assertSessionItem);
  assert.ok(all.json.every((s) => s.user.id === phoneUser.id && s.user.login === phoneUser.login && s.roles[0] === 'editor'));
  assert.ok(all.json.every((s) => !s.current), 'none of them is the administrator\'s own');

  const page1 = await rest(admin, 'GET', '/sessions', { query: { user: phoneUser.id, per_page: 2, orderby: 'login', order: 'asc' } });
  assert.equal(page1.status, 200, page1.body);
  assert.equal(page1.headers.get('x-wp-total'), '3');
  assert.equal(page1.headers.get('x-wp-totalpages'), '2');
  assert.equal(page1.json.length, 2);
  const page2 = await rest(admin, 'GET', '/sessions', { query: { user: phoneUser.id, per_page: 2, page: 2, orderby: 'login', order: 'asc' } });
  assert.equal(page2.json.length, 1);
  assert.equal(new Set([...page1.json, ...page2.json].map((s) => s.id)).size, 3, 'the pages do not overlap');

  const mobile = await rest(admin, 'GET', '/sessions', { query: { user: phoneUser.id, device_class: 'mobile' } });
  assert.equal(mobile.json.length, 1, mobile.body);
  assert.equal(mobile.json[0].device.device_class, 'mobile');
  assert.match(mobile.json[0].device.label, /Safari|iPhone|iOS/);
  if (site.test_hooks && site.geo_db) {
    const gb = await rest(admin, 'GET', '/sessions', { query: { country: 'gb', user: phoneUser.id } });
    assert.equal(gb.json.length, 1, `lower-case country codes work: ${gb.body}`);
    assert.equal(gb.json[0].country, 'GB');
    assert.equal(gb.json[0].ip, '81.2.69.10');
  }
  const byName = await rest(admin, 'GET', '/sessions', { query: { search: 'rest-phon' } });
  assert.ok(byName.json.length >= 3 && byName.json.every((s) => s.user.login === phoneUser.login), byName.body);
  const editors = await rest(admin, 'GET', '/sessions', { query: { role: 'editor', per_page: 200 } });
  assert.ok(editors.json.every((s) => s.roles.includes('editor')));
  assert.ok(editors.json.filter((s) => s.user.id === phoneUser.id).length === 3);

  const mine = await rest(admin, 'GET', '/sessions', { query: { user: adminUser.id } });
  assert.equal(mine.json.length, 1);
  assert.equal(mine.json[0].current, true, 'the requester\'s own session is marked current');
});

test(`${tag}: bad input gets a 400 that says what is wrong`, async () => {
  const cases = [
    ['GET', '/sessions', { query: { per_page: 0 } }, 'per_page'],
    ['GET', '/sessions', { query: { per_page: 201 } }, 'per_page', /between 1 .*200/],
    ['GET', '/sessions', { query: { page: 0 } }, 'page'],
    ['GET', '/sessions', { query: { page: 'two' } }, 'page'],
    ['GET', '/sessions', { query: { device_class: 'toaster' } }, 'device_class', /desktop, mobile, tablet, bot, and other/],
    ['GET', '/sessions', { query: { flag: 'odd' } }, 'flag'],
    ['GET', '/sessions', { query: { role: 'overlord' } }, 'role'],
    ['GET', '/sessions', { query: { country: 'GBR' } }, 'country', /two-letter country code/],
    ['GET', '/sessions', { query: { orderby: 'name' } }, 'orderby'],
    ['GET', '/sessions', { query: { order: 'sideways' } }, 'order'],
    ['GET', '/sessions', { query: { user: -1 } }, 'user'],
    ['POST', '/sessions/end', { body: {} }, 'ids'],
    ['POST', '/sessions/end', { body: { ids: [] } }, 'ids'],
    ['POST', '/sessions/end', { body: { ids: 5 } }, 'ids', /must be a list of session ids/],
    ['POST', '/sessions/end', { body: { ids: { a: 'x' } } }, 'ids'],
    ['POST', '/sessions/end', { body: { ids: ['1-ab', 'has space'] } }, 'ids', /ids\[1\] is not a session id/],
    ['POST', '/sessions/end', { body: { ids: ['a', 'a'] } }, 'ids'],
    ['POST', '/sessions/end', { body: { ids: Array.from({ length: 201 }, (_, i) => `x${i}`) } }, 'ids'],
    ['GET', '/events', { query: { type: 'coffee_break' } }, 'type'],
    ['GET', '/events', { query: { per_page: 101 } }, 'per_page'],
    ['GET', '/events', { query: { since: -5 } }, 'since'],
    ['GET', '/events', { query: { until: 'yesterday' } }, 'until'],
    ['GET', '/events', { query: { since: 2000, until: 1000 } }, 'since'],
  ];
  for (const [method, path, options, param, reason] of cases) {
    const res = await rest(admin, method, path, options);
    const what = `${method} ${path} ${JSON.stringify(options)}`;
    assert.equal(res.status, 400, `${what}: ${res.body}`);
    assert.ok(['rest_invalid_param', 'rest_missing_callback_param'].includes(res.json.code), `${what}: ${res.body}`);
    assert.ok(res.json.message.includes(param), `${what}: the message names ${param}: ${res.json.message}`);
    const detail = res.json.data?.params?.[param] ?? '';
    if (res.json.code === 'rest_invalid_param') assert.ok(detail.length > 0, `${what}: a reason for ${param}: ${res.body}`);
    if (reason) assert.match(detail, reason, what);
  }
  // A malformed {user} is no route at all.
  const noRoute = await rest(admin, 'GET', '/users/someone/sessions');
  assert.equal(noRoute.status, 404);
  assert.equal(noRoute.json.code, 'rest_no_route');
  // An unknown user, asked by someone who may manage sessions.
  const ghost = await rest(admin, 'GET', '/users/99999999/sessions');
  assert.equal(ghost.status, 404, ghost.body);
  assert.equal(ghost.json.code, 'session_warden_no_user');
});

test(`${tag}: GET /users/me/sessions marks the current session; end-others keeps it; another user's end-others ends all`, async () => {
  const user = freshUser(site, 'rest-me', 'author');
  const main = await signIn(user);
  await signIn(user); await signIn(user);

  const list = await rest(main, 'GET', '/users/me/sessions');
  assert.equal(list.status, 200, list.body);
  assert.equal(list.headers.get('x-wp-total'), '3');
  list.json.forEach(assertSessionItem);
  assert.equal(list.json.filter((s) => s.current).length, 1);
  const current = list.json.find((s) => s.current).id;
  assert.ok(list.json[0].login >= list.json[2].login, 'newest login first');

  const others = await rest(main, 'POST', '/users/me/sessions/end-others');
  assert.equal(others.status, 200, others.body);
  assert.deepEqual(others.json, { ended: 2 });
  const left = await rest(main, 'GET', '/users/me/sessions');
  assert.deepEqual(left.json.map((s) => s.id), [current], 'only the current session is left');
  assert.ok(wp(site, 'events', { login: user.login, type: 'session_ended' }).slice(0, 2).every((e) => e.reason === 'by_user'));

  await signIn(user);
  const byAdmin = await rest(admin, 'POST', `/users/${user.id}/sessions/end-others`);
  assert.equal(byAdmin.status, 200, byAdmin.body);
  assert.deepEqual(byAdmin.json, { ended: 2 }, 'another user\'s end-others ends all of them');
  assert.equal(wp(site, 'sessions', { login: user.login }).length, 0);
  assert.equal(wp(site, 'events', { login: user.login, type: 'session_ended' })[0].reason, 'by_admin');
  assert.equal(await main.device.isLoggedIn(), false);
});

test(`${tag}: ending the current session through users/me signs the requester out`, async () => {
  const user = freshUser(site, 'rest-self-end', 'subscriber');
  const client = await signIn(user);
  const [mine] = (await rest(client, 'GET', '/users/me/sessions')).json;
  assert.equal(mine.current, true);
  const res = await rest(client, 'DELETE', `/users/me/sessions/${mine.id}`);
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(res.json, { ended: true, id: mine.id });
  assert.ok(!client.device.cookieNames().some((n) => n.startsWith('wordpress_logged_in_')), 'the response cleared the auth cookies');
  assert.equal(wp(site, 'sessions', { login: user.login }).length, 0, 'the session is gone on the server');
  const after = await rest(client, 'GET', '/users/me/sessions', { nonce: false });
  assert.equal(after.status, 401);
  assert.equal(wp(site, 'events', { login: user.login, type: 'session_ended' })[0].reason, 'by_user');
});

test(`${tag}: an administrator ends one session, then several at once (with failures reported)`, async () => {
  const user = freshUser(site, 'rest-victim', 'contributor');
  const a = await signIn(user); const b = await signIn(user); const c = await signIn(user);
  const ids = (await rest(admin, 'GET', `/users/${user.id}/sessions`)).json.map((s) => s.id);
  assert.equal(ids.length, 3);

  const one = await rest(admin, 'DELETE', `/sessions/${ids[0]}`);
  assert.equal(one.status, 200, one.body);
  assert.deepEqual(one.json, { ended: true, id: ids[0] });
  const again = await rest(admin, 'DELETE', `/sessions/${ids[0]}`);
  assert.equal(again.status, 404, 'an ended session is unknown');
  assert.equal(again.json.code, 'session_warden_no_session');
  assert.equal(wp(site, 'events', { login: user.login, type: 'session_ended' })[0].reason, 'by_admin');

  const unknown = `${user.id}-${'a'.repeat(32)}`;
  const bulk = await rest(admin, 'POST', '/sessions/end', { body: { ids: [ids[1], unknown, ids[2]] } });
  assert.equal(bulk.status, 200, bulk.body);
  assert.equal(bulk.json.ended, 2);
  assert.equal(bulk.json.failed.length, 1);
  assert.equal(bulk.json.failed[0].id, unknown);
  assert.match(bulk.json.failed[0].message, /no such session/i);
  assert.equal(wp(site, 'sessions', { login: user.login }).length, 0);
  for (const d of [a, b, c]) assert.equal(await d.device.isLoggedIn(), false);
  assert.equal(await admin.device.isLoggedIn(), true, 'the administrator\'s own session is untouched');
});

test(`${tag}: GET /events filters by user, type and time, pages with headers, and names sessions by id`, async () => {
  const user = freshUser(site, 'rest-events', 'subscriber');
  const t0 = Math.floor(Date.now() / 1000) - 2;
  const client = await signIn(user);
  const [mine] = (await rest(client, 'GET', '/users/me/sessions')).json;
  await rest(client, 'DELETE', `/users/me/sessions/${mine.id}`);

  const res = await rest(admin, 'GET', '/events', { query: { user: user.id } });
  assert.equal(res.status, 200, res.body);
  assert.equal(res.headers.get('x-wp-total'), '2');
  assert.equal(res.headers.get('x-wp-totalpages'), '1');
  assert.deepEqual(res.json.map((e) => e.type), ['session_ended', 'session_created']);
  const [ended] = res.json;
  assert.deepEqual(Object.keys(ended).sort(), ['country', 'data', 'device', 'id', 'ip', 'reason', 'session', 'site_id', 'time', 'type', 'user']);
  assert.equal(ended.reason, 'by_user');
  assert.equal(ended.session, mine.id, 'the event names the session by its opaque id');
  assert.deepEqual(ended.user, { id: user.id, login: user.login, display_name: user.login });
  assert.ok(!('verifier' in ended));

  const typed = await rest(admin, 'GET', '/events', { query: { user: user.id, type: 'session_created' } });
  assert.deepEqual(typed.json.map((e) => e.type), ['session_created']);
  const paged = await rest(admin, 'GET', '/events', { query: { user: user.id, per_page: 1, page: 2 } });
  assert.equal(paged.headers.get('x-wp-totalpages'), '2');
  assert.equal(paged.json[0].type, 'session_created');
  const since = await rest(admin, 'GET', '/events', { query: { user: user.id, since: t0 } });
  assert.equal(since.json.length, 2);
  const until = await rest(admin, 'GET', '/events', { query: { user: user.id, until: t0 - 1 } });
  assert.equal(until.json.length, 0);
  assert.equal(until.headers.get('x-wp-total'), '0');
  const failed = await rest(admin, 'GET', '/events', { query: { type: 'login_failed', per_page: 100 } });
  assert.equal(failed.status, 200);
  assert.ok(failed.json.every((e) => e.type === 'login_failed'));
});

test(`${tag}: GET /engine reports mode, version, artifact hash, last error and round trips`, async () => {
  const res = await rest(admin, 'GET', '/engine');
  assert.equal(res.status, 200, res.body);
  const e = res.json;
  assert.ok(['daemon', 'process', 'runtime'].includes(e.mode), e.mode);
  if (site.engine.daemon) assert.equal(e.mode, 'daemon');
  assert.match(e.version, /^session-warden/);
  assert.match(e.sha256, /^[0-9a-f]{64}$/);
  assert.equal(e.sha256, e.expected_sha256);
  assert.equal(e.sha256_matches, true);
  assert.ok('last_error' in e);
  const trips = Object.values(e.round_trip_ms).filter((v) => typeof v === 'number');
  assert.ok(trips.length >= 1 && trips.every((v) => v > 0 && v < 5000), JSON.stringify(e.round_trip_ms));
  assert.ok(e.serving);
  // Subscribers and editors do not see it.
  assert.equal((await rest(sub, 'GET', '/engine')).status, 403);
});

test(`${tag}: POST /logout-all ends every session that began before it; later sign-ins live`, async () => {
  const user = freshUser(site, 'rest-epoch', 'subscriber');
  const victim = await signIn(user);
  const boss = await signIn(freshUser(site, 'rest-epoch-admin', 'administrator'));
  wp(site, 'age', { login: user.login, seconds: 5 });
  wp(site, 'age', { login: 'rest-epoch-admin', seconds: 5 });
  const before = Math.floor(Date.now() / 1000);
  const res = await rest(boss, 'POST', '/logout-all');
  assert.equal(res.status, 200, res.body);
  assert.ok(Math.abs(res.json.epoch - before) <= 2, `epoch ${res.json.epoch} is now`);
  assert.equal(await victim.device.isLoggedIn(), false);
  assert.equal(await boss.device.isLoggedIn(), false, 'including the administrator who asked');
  const later = await signIn(user);
  assert.equal((await rest(later, 'GET', '/users/me/sessions')).status, 200, 'a sign-in after the logout works');
  wp(site, 'reset');
});

test(`${tag}: no response of this file carried a session token or verifier`, () => {
  secrets.delete(null);
  assert.ok(secrets.size >= 20, `${secrets.size} secrets tracked`);
  assert.ok(bodies.length >= 30, `${bodies.length} responses checked`);
  const leaks = [];
  for (const { what, body } of bodies) {
    for (const s of secrets) if (body.includes(s)) leaks.push(`${what} contains ${s.slice(0, 8)}…`);
  }
  assert.deepEqual(leaks, []);
  // The check itself works: a verifier is what the events table stores, and it is in no body.
  const stored = wp(site, 'events', { login: 'rest-events' }).map((e) => e.verifier).filter(Boolean);
  assert.ok(stored.length > 0 && stored.every((v) => secrets.has(v)), 'the events\' verifiers are among the tracked secrets');
});

test(`${tag}: anonymous requests see nothing`, async () => {
  const nobody = anonymousClient(site);
  for (const path of ['/sessions', '/users/me/sessions', '/events', '/engine']) {
    const res = await rest(nobody, 'GET', path);
    assert.equal(res.status, 401, `${path}: ${res.body}`);
  }
});
