// Who may call what in the REST namespace session-warden/v1: every route the namespace index lists (so
// routes added later are covered or make this test fail until they are), for nobody, a subscriber, an
// editor and an administrator, each signed in with and without the X-WP-Nonce header. Exact statuses:
// signed out (or no nonce, which WordPress treats as signed out) 401, signed in without the right 403.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadSite, freshUser, wp } from '../fixtures/site.mjs';
import { Device } from '../fixtures/device.mjs';
import { anonymousClient, restClient, rest } from '../fixtures/rest-client.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version}`;
const NS = '/session-warden/v1';

const ROLES = ['subscriber', 'editor', 'administrator'];
let users; // role -> user
let other; // a subscriber whose sessions the others try to reach
let clients; // role -> client (signed in, with nonce)
let anon;

/** A new session of `user` (its own device), and that session's id as the user's own list shows it. */
async function freshSession(user) {
  const client = await restClient(site, user, { name: `${user.login}-extra-${Date.now()}` });
  const res = await rest(client, 'GET', `${NS}/users/me/sessions`);
  assert.equal(res.status, 200, res.body);
  const mine = res.json.find((s) => s.current);
  assert.ok(mine, `the new session of ${user.login} is marked current`);
  return mine.id;
}

const unknownId = () => `${other.id}-${'0'.repeat(32)}`;

// How each known route is called, and who may. `who`: 'cap' = only roles with the sessions capability or
// manage_options (administrators), 'self' = anyone signed in. A sample returns { path, body?, query?, expect? }
// for a requester (role, or null for nobody); `expect` is the status an allowed requester gets (default 200).
// Several samples per method cover `me` and another user's ID.
const SAMPLES = {
  '/sessions': { GET: [{ who: 'cap', make: () => ({ path: '/sessions', query: { per_page: 5 } }) }] },
  '/sessions/end': { POST: [{ who: 'cap', make: () => ({ path: '/sessions/end', body: { ids: [unknownId()] } }) }] },
  '/sessions/(?P<id>[A-Za-z0-9_-]+)': {
    DELETE: [{
      who: 'cap',
      // Someone else's live session: only the capability may end it (the owner's own case is tested below).
      make: async (role) => ({ path: `/sessions/${role === 'administrator' ? await freshSession(other) : otherSession}` }),
    }],
  },
  '/users/(?P<user>me|[0-9]+)/sessions': {
    GET: [
      { who: 'self', make: () => ({ path: '/users/me/sessions' }) },
      { who: 'cap', make: () => ({ path: `/users/${other.id}/sessions` }) },
    ],
  },
  '/users/(?P<user>me|[0-9]+)/sessions/end-others': {
    POST: [
      { who: 'self', make: () => ({ path: '/users/me/sessions/end-others' }) },
      { who: 'cap', make: () => ({ path: `/users/${other.id}/sessions/end-others` }) },
    ],
  },
  '/users/(?P<user>me|[0-9]+)/sessions/(?P<sid>[A-Za-z0-9_-]+)': {
    DELETE: [
      // One's own second session (not the one making the request).
      { who: 'self', make: async (role) => ({ path: `/users/me/sessions/${role ? await freshSession(users[role]) : unknownId()}` }) },
      { who: 'cap', make: async (role) => ({ path: `/users/${other.id}/sessions/${role === 'administrator' ? await freshSession(other) : otherSession}` }) },
    ],
  },
  '/logout-all': { POST: [{ who: 'cap', last: true, make: () => ({ path: '/logout-all' }) }] },
  '/events': { GET: [{ who: 'cap', make: () => ({ path: '/events', query: { per_page: 2 } }) }] },
  '/engine': { GET: [{ who: 'cap', make: () => ({ path: '/engine' }) }] },
  // Helper "settings" owns these; saving the settings as they are changes nothing.
  '/settings': {
    GET: [{ who: 'cap', make: () => ({ path: '/settings' }) }],
    POST: [{ who: 'cap', make: () => ({ path: '/settings', body: { settings: currentSettings } }) }],
    PUT: [{ who: 'cap', make: () => ({ path: '/settings', body: { settings: currentSettings } }) }],
    PATCH: [{ who: 'cap', make: () => ({ path: '/settings', body: { settings: currentSettings } }) }],
  },
  '/settings/export': { GET: [{ who: 'cap', make: () => ({ path: '/settings/export' }) }] },
  '/settings/import': { POST: [{ who: 'cap', make: () => ({ path: '/settings/import', body: currentDocument }) }] },
};

let otherSession; // a live session of `other` that nobody but an administrator may end
let currentSettings = {};
let currentDocument = {};

function expected(who, role, withNonce, allowedStatus) {
  // Nobody sending a nonce (someone else's, without their cookies): core refuses the nonce itself, 403.
  if (!role) return withNonce ? 403 : 401;
  if (!withNonce) return 401;
  if (who === 'self' || role === 'administrator') return allowedStatus;
  return 403;
}

before(async () => {
  wp(site, 'reset'); // default settings, no logout epoch: no earlier test's limits get in the way
  users = {};
  for (const role of ROLES) users[role] = freshUser(site, `rest-perm-${role}`, role);
  other = freshUser(site, 'rest-perm-other', 'subscriber');
  clients = {};
  for (const role of ROLES) clients[role] = await restClient(site, users[role]);
  anon = anonymousClient(site);
  otherSession = await freshSession(other);
  const s = await rest(clients.administrator, 'GET', `${NS}/settings`);
  if (s.status === 200) currentSettings = s.json.settings;
  const d = await rest(clients.administrator, 'GET', `${NS}/settings/export`);
  if (d.status === 200) currentDocument = d.json;
});

after(() => {
  wp(site, 'reset'); // drop the epoch the logout-all row set
});

test(`${tag}: the namespace index lists the session routes, and every route has a permission matrix sample`, async () => {
  const index = await rest(anon, 'GET', NS);
  assert.equal(index.status, 200, index.body);
  const routes = Object.keys(index.json.routes).map((r) => r.slice(NS.length)).filter((r) => r !== '');
  for (const r of ['/sessions', '/sessions/end', '/sessions/(?P<id>[A-Za-z0-9_-]+)', '/users/(?P<user>me|[0-9]+)/sessions',
    '/users/(?P<user>me|[0-9]+)/sessions/end-others', '/users/(?P<user>me|[0-9]+)/sessions/(?P<sid>[A-Za-z0-9_-]+)',
    '/logout-all', '/events', '/engine']) {
    assert.ok(routes.includes(r), `route ${r} is registered (have: ${routes.join(', ')})`);
  }
  for (const r of routes) {
    const methods = index.json.routes[NS + r].methods;
    for (const m of methods) {
      if (/\(\?P</.test(r)) assert.ok(SAMPLES[r]?.[m], `route ${m} ${r} has path parameters: add a sample request for it to SAMPLES`);
    }
  }
});

test(`${tag}: every route × nobody/subscriber/editor/administrator × with/without nonce answers the exact status`, async () => {
  const index = await rest(anon, 'GET', NS);
  const rows = [];
  for (const [full, route] of Object.entries(index.json.routes)) {
    const r = full.slice(NS.length);
    if (r === '') continue; // core's namespace index: public by design
    for (const method of route.methods) {
      const samples = SAMPLES[r]?.[method]
        // A route nobody told this test about: no parameters (checked above), call it bare; it must at least
        // refuse everyone but administrators. Its allowed status is whatever is not a refusal.
        ?? [{ who: 'cap', unknown: true, make: () => ({ path: r, body: method === 'GET' ? undefined : {} }) }];
      for (const sample of samples) rows.push({ r, method, sample });
    }
  }
  rows.sort((a, b) => Number(!!a.sample.last) - Number(!!b.sample.last)); // the site-wide logout goes last

  const problems = [];
  let calls = 0;
  for (const { r, method, sample } of rows) {
    const requesters = [[null, false], [null, true], ...ROLES.flatMap((role) => [[role, false], [role, true]])];
    const check = async ([role, withNonce]) => {
      const client = role ? clients[role] : anon;
      const { path, body, query, expect = 200 } = await sample.make(withNonce ? role : null);
      // Nobody "with a nonce": an administrator's nonce, sent without its cookies, opens nothing.
      const nonce = role ? withNonce : (withNonce ? clients.administrator.nonce : false);
      const res = await rest(client, method, NS + path, { body, query, nonce });
      calls++;
      const want = expected(sample.who, role, withNonce, expect);
      const label = `${method} ${path} as ${role ?? 'nobody'} ${withNonce ? 'with' : 'without'} nonce`;
      if (sample.unknown && want !== 401 && want !== 403) {
        if (res.status === 401 || res.status === 403) problems.push(`${label}: ${res.status} (expected it allowed) ${res.body.slice(0, 200)}`);
      } else if (res.status !== want) {
        problems.push(`${label}: ${res.status}, expected ${want}: ${res.body.slice(0, 200)}`);
      }
      if (want === 401 || want === 403) {
        if (!String(res.json?.code ?? '').startsWith('rest_')) problems.push(`${label}: refusal without a REST error code: ${res.body.slice(0, 200)}`);
        if (!res.json?.message) problems.push(`${label}: refusal without a message`);
      }
    };
    // The refused requesters at once; then the administrator with a nonce, whose allowed DELETE or logout
    // must not spoil the others' rows.
    const adminRow = requesters.findIndex(([role, withNonce]) => role === 'administrator' && withNonce);
    await Promise.all(requesters.filter((_, i) => i !== adminRow).map(check));
    await check(requesters[adminRow]);
  }
  assert.deepEqual(problems, [], `${problems.length} of ${calls} calls answered wrongly`);
  assert.ok(calls >= 9 * 8, `${calls} calls`);
});

test(`${tag}: a subscriber manages only their own sessions`, async () => {
  wp(site, 'reset');
  const me = freshUser(site, 'rest-perm-own', 'subscriber');
  const them = freshUser(site, 'rest-perm-own-other', 'subscriber');
  const client = await restClient(site, me);
  const second = await freshSession(me);
  const theirs = await freshSession(them);

  const mine = await rest(client, 'GET', `${NS}/users/me/sessions`);
  assert.equal(mine.status, 200, mine.body);
  assert.equal(mine.json.length, 2);
  assert.ok(mine.json.every((s) => s.user.id === me.id));
  assert.equal(mine.json.filter((s) => s.current).length, 1);
  const byId = await rest(client, 'GET', `${NS}/users/${me.id}/sessions`);
  assert.equal(byId.status, 200, 'one\'s own numeric ID is the same as me');

  for (const [method, path] of [
    ['GET', `/users/${them.id}/sessions`],
    ['POST', `/users/${them.id}/sessions/end-others`],
    ['DELETE', `/users/${them.id}/sessions/${theirs}`],
    ['DELETE', `/sessions/${theirs}`],
    ['GET', `/users/999999/sessions`], // does not exist: still 403, user IDs are not probed this way
    ['GET', '/sessions'],
    ['POST', '/sessions/end'],
    ['GET', '/events'],
  ]) {
    const res = await rest(client, method, NS + path, method === 'POST' && path === '/sessions/end' ? { body: { ids: [theirs] } } : {});
    assert.equal(res.status, 403, `${method} ${path}: ${res.body}`);
    assert.equal(res.json.code, 'rest_forbidden');
  }
  // Their session survived all of that.
  assert.equal(wp(site, 'sessions', { login: them.login }).length, 1);

  // Someone else's id through one's own list: not a session of mine, 404.
  const cross = await rest(client, 'DELETE', `${NS}/users/me/sessions/${theirs}`);
  assert.equal(cross.status, 404, cross.body);
  assert.equal(cross.json.code, 'session_warden_no_session');

  // An unknown id: 404 with the reason, through both routes.
  for (const path of [`/sessions/${me.id}-${'f'.repeat(32)}`, `/users/me/sessions/${me.id}-${'f'.repeat(32)}`]) {
    const res = await rest(client, 'DELETE', NS + path);
    assert.equal(res.status, 404, `${path}: ${res.body}`);
    assert.equal(res.json.code, 'session_warden_no_session');
    assert.match(res.json.message, /no such session/i);
  }

  // One's own other session ends, through /sessions/{id} too.
  const own = await rest(client, 'DELETE', `${NS}/sessions/${second}`);
  assert.equal(own.status, 200, own.body);
  assert.deepEqual(own.json, { ended: true, id: second });
  assert.equal(wp(site, 'sessions', { login: me.login }).length, 1);
  const ended = wp(site, 'events', { login: me.login, type: 'session_ended' });
  assert.equal(ended[0].reason, 'by_user');
});

test(`${tag}: a wrong nonce is refused (403), cookies without a nonce are nobody, and a signed-out me is 401`, async () => {
  const sub = await restClient(site, freshUser(site, 'rest-perm-nonce', 'subscriber'));
  const wrong = await rest(sub, 'GET', `${NS}/users/me/sessions`, { nonce: '0123456789' });
  assert.equal(wrong.status, 403, wrong.body);
  assert.equal(wrong.json.code, 'rest_cookie_invalid_nonce');
  const stolen = await rest(anonymousClient(site), 'GET', `${NS}/users/me/sessions`, { nonce: sub.nonce });
  assert.equal(stolen.status, 403, `a nonce without its cookies: ${stolen.body}`);
  assert.equal(stolen.json.code, 'rest_cookie_invalid_nonce');
  for (const client of [sub, anonymousClient(site)]) {
    const res = await rest(client, 'GET', `${NS}/users/me/sessions`, { nonce: false });
    assert.equal(res.status, 401, res.body);
    assert.equal(res.json.code, 'rest_not_logged_in');
    assert.match(res.json.message, /not currently logged in/i);
  }
  const ok = await rest(sub, 'GET', `${NS}/users/me/sessions`);
  assert.equal(ok.status, 200, 'the same cookies with their nonce are the subscriber');
});
