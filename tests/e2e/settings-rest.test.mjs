// The settings routes of session-warden/v1 (Rest_Settings) against the real site: the document as the engine
// completes it, saving through the engine (stored and normalised), every field error on a 400 with nothing
// stored, the stale-editor conflict, export as a file and import of it (and of garbage), who may call them,
// the detected client address behind a spoofed header, and the country database upload (checked by the
// engine first, kept under an unguessable name beside a deny rule, removable).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSite, freshUser, php, REPO } from '../fixtures/site.mjs';
import { restClient, rest } from '../fixtures/rest-client.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version}`;
const NS = '/session-warden/v1';
const BOOT = JSON.stringify(join(REPO, 'tests', 'php', 'bootstrap.php'));
let admin;
let subscriber;
let user; // the fixture user the saved rules are about: nobody else is limited by this test
let original; // the stored document before the test (null: none), put back afterwards

/** Runs PHP inside the site's WordPress and decodes what it echoes as JSON. */
const inWp = (code) => JSON.parse(php(site, '-r', [`require ${BOOT}; ${code}`]));
/** The stored document, read from the database behind the routes under test. */
const storedDoc = () => inWp("echo wp_json_encode( get_option( 'session_warden_settings', null ) );");

function restore() {
  inWp(original === null
    ? "SessionWarden\\Settings::reset(); echo 'true';"
    : `update_option( 'session_warden_settings', json_decode( ${JSON.stringify(JSON.stringify(original))}, true ) ); echo 'true';`);
}

before(async () => {
  original = storedDoc();
  admin = await restClient(site, freshUser(site, 'sw-set-rest-admin', 'administrator'));
  subscriber = await restClient(site, freshUser(site, 'sw-set-rest-sub', 'subscriber'));
  user = freshUser(site, 'sw-set-rest-target', 'subscriber');
});
after(restore);

/** The current document with a rule for the fixture user only. */
async function withUserRule(rule, extra = {}) {
  const now = await rest(admin, 'GET', `${NS}/settings`);
  assert.equal(now.status, 200, now.body);
  const doc = structuredClone(now.json.settings);
  doc.users = [...(doc.users ?? []).filter((u) => u.user_id !== user.id), { user_id: user.id, rule }];
  return { doc: { ...doc, ...extra }, version: doc.version };
}

test(`${tag}: GET /settings is the whole document as the engine reads it, with its source`, async () => {
  const res = await rest(admin, 'GET', `${NS}/settings`);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.scope, 'site');
  assert.ok(['site', 'defaults', 'network'].includes(res.json.source));
  const s = res.json.settings;
  // Fields the site owner never set are there with the engine's defaults, so the screen can show them.
  for (const key of ['version', 'merge', 'defaults', 'roles', 'users', 'bypass', 'client_ip', 'flags', 'retention_days']) {
    assert.ok(key in s, `settings.${key} present`);
  }
  for (const key of ['limits', 'mode', 'idle_timeout', 'ip_scope', 'ip_allow']) assert.ok(key in s.defaults, `defaults.${key}`);
});

test(`${tag}: PUT /settings stores the engine-normalised document and answers with it`, async () => {
  const { doc, version } = await withUserRule({ limits: [{ kind: 'user', max: 2 }], mode: 'block' }, { retention_days: 45 });
  doc.defaults = { ...doc.defaults, message_key: '  limit_reached  ' }; // the engine trims text
  const res = await rest(admin, 'PUT', `${NS}/settings`, { body: { settings: doc, base_version: version } });
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.source, 'site');
  assert.equal(res.json.settings.retention_days, 45);
  assert.equal(res.json.settings.defaults.message_key, 'limit_reached');
  assert.ok(res.json.settings.version > version, 'the version is bumped');
  const db = storedDoc();
  assert.equal(db.retention_days, 45);
  const mine = db.users.find((u) => u.user_id === user.id);
  assert.deepEqual(mine.rule.limits, [{ kind: 'user', max: 2 }]);
  assert.equal(mine.rule.mode, 'block');
  assert.equal(db.version, res.json.settings.version);
});

test(`${tag}: a document with field errors is refused with every error and nothing is stored`, async () => {
  const before = storedDoc();
  const { doc } = await withUserRule({ limits: [{ kind: 'user', max: 0 }, { kind: 'ip', max: 2 }, { kind: 'ip', max: 3 }] }, { retention_days: 0 });
  doc.client_ip = { ...doc.client_ip, trusted_proxies: ['10.0.0.1', 'not-an-ip'] };
  const i = doc.users.findIndex((u) => u.user_id === user.id);
  const res = await rest(admin, 'PUT', `${NS}/settings`, { body: { settings: doc } });
  assert.equal(res.status, 400, res.body);
  assert.equal(res.json.code, 'session_warden_invalid_settings');
  assert.equal(res.json.data.status, 400);
  const fields = res.json.data.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, [
    'client_ip.trusted_proxies[1]', 'retention_days', `users[${i}].rule.limits[0].max`, `users[${i}].rule.limits[2].kind`,
  ].sort());
  const zero = res.json.data.errors.find((e) => e.field.endsWith('limits[0].max'));
  assert.match(zero.message, /lock everyone out/);
  assert.equal(zero.value, '0');
  assert.match(res.json.message, /not saved/);
  assert.deepEqual(storedDoc(), before, 'nothing was stored');

  const notObject = await rest(admin, 'PUT', `${NS}/settings`, { body: { settings: 'limits please' } });
  assert.equal(notObject.status, 400, notObject.body);
  assert.deepEqual(storedDoc(), before);
});

test(`${tag}: an editor that started from an older version gets a conflict, not an overwrite`, async () => {
  const { doc, version } = await withUserRule({ idle_timeout: 600 });
  const first = await rest(admin, 'PUT', `${NS}/settings`, { body: { settings: doc, base_version: version } });
  assert.equal(first.status, 200, first.body);
  const stale = await rest(admin, 'PUT', `${NS}/settings`, { body: { settings: { ...doc, retention_days: 7 }, base_version: version } });
  assert.equal(stale.status, 409, stale.body);
  assert.equal(stale.json.code, 'session_warden_settings_conflict');
  assert.notEqual(storedDoc().retention_days, 7);
});

test(`${tag}: export is a JSON file of the stored document; importing it (edited) saves it, garbage is refused`, async () => {
  const { doc, version } = await withUserRule({ limits: [{ kind: 'browser', max: 1 }] }, { retention_days: 30 });
  assert.equal((await rest(admin, 'PUT', `${NS}/settings`, { body: { settings: doc, base_version: version } })).status, 200);

  const exp = await rest(admin, 'GET', `${NS}/settings/export`);
  assert.equal(exp.status, 200, exp.body);
  assert.match(exp.headers.get('content-disposition') ?? '', /^attachment; filename="session-warden-settings-[^"]+\.json"$/);
  assert.match(exp.headers.get('content-type') ?? '', /application\/json/);
  assert.equal(exp.json.retention_days, 30);
  assert.deepEqual(exp.json.users.find((u) => u.user_id === user.id).rule.limits, [{ kind: 'browser', max: 1 }]);

  // Round trip: the file, edited, comes back through import.
  const file = { ...exp.json, retention_days: 31 };
  const imp = await rest(admin, 'POST', `${NS}/settings/import`, { body: file });
  assert.equal(imp.status, 200, imp.body);
  assert.equal(storedDoc().retention_days, 31);
  assert.deepEqual(storedDoc().users.find((u) => u.user_id === user.id).rule.limits, [{ kind: 'browser', max: 1 }]);
  // GET /settings's own answer is accepted too (people save that as well).
  const wrapped = await rest(admin, 'POST', `${NS}/settings/import`, { body: { settings: { ...exp.json, retention_days: 32 }, source: 'site', scope: 'site' } });
  assert.equal(wrapped.status, 200, wrapped.body);
  assert.equal(storedDoc().retention_days, 32);

  const before = storedDoc();
  const bad = await rest(admin, 'POST', `${NS}/settings/import`, { body: { ...exp.json, retention_days: 99999, colour: 'red' } });
  assert.equal(bad.status, 400, bad.body);
  assert.deepEqual(bad.json.data.errors.map((e) => e.field).sort(), ['colour', 'retention_days']);
  for (const body of ['this is not JSON', '[1,2,3]', '']) {
    const url = new URL(`/wp-json${NS}/settings/import`, site.url);
    const res = await fetch(url, {
      method: 'POST', body,
      headers: { ...admin.device.headers(), Cookie: admin.device.cookieHeader(url.pathname), 'X-WP-Nonce': admin.nonce, 'Content-Type': 'application/json' },
    });
    const json = await res.json();
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(json)}`);
    assert.ok(json.message.length > 10, json.message);
  }
  assert.deepEqual(storedDoc(), before, 'nothing stored by refused imports');
});

test(`${tag}: only administrators reach the settings routes`, async () => {
  const before = storedDoc();
  for (const [method, path, body] of [
    ['GET', '/settings'], ['PUT', '/settings', { settings: {} }], ['DELETE', '/settings'], ['GET', '/settings/export'],
    ['POST', '/settings/import', {}], ['GET', '/settings/detected-ip'], ['GET', '/settings/geo'], ['DELETE', '/settings/geo'],
  ]) {
    const res = await rest(subscriber, method, `${NS}${path}`, { body });
    assert.equal(res.status, 403, `${method} ${path} as a subscriber: ${res.body}`);
    const anon = await rest(subscriber, method, `${NS}${path}`, { body, nonce: false });
    assert.equal(anon.status, 401, `${method} ${path} without a nonce: ${anon.body}`);
  }
  const network = await rest(admin, 'GET', `${NS}/settings`, { query: { scope: 'network' } });
  // A single site has no network scope; on a network a site administrator may not touch it.
  assert.equal(network.status, site.multisite ? 403 : 400, network.body);
  assert.deepEqual(storedDoc(), before);
});

test(`${tag}: detected-ip shows the engine's client address, and a forwarded header from an untrusted peer is not believed`, async () => {
  const res = await rest(admin, 'GET', `${NS}/settings/detected-ip`, { headers: { 'X-Forwarded-For': '192.0.2.99' } });
  assert.equal(res.status, 200, res.body);
  assert.ok(res.json.facts.headers.some((h) => h.name === 'X-Forwarded-For' && h.value === '192.0.2.99'), JSON.stringify(res.json.facts));
  assert.equal(res.json.client.ip, res.json.facts.remote_addr, 'the spoofable header is ignored without trusted proxies');
  assert.equal(res.json.client.source, 'remote_addr');
  assert.ok(res.json.device.label.length > 0);
  assert.equal(JSON.stringify(res.json).includes('wordpress_logged_in'), false, 'no cookie leaves PHP');
});

test(`${tag}: detected-ip resolves a test-bed device address and its country`, { skip: !site.test_hooks && 'needs SW_TEST_HOOKS=1' }, async () => {
  const device = await restClient(site, admin.user, { name: 'sw-set-rest-gb', deviceOptions: { ip: '81.2.69.160' } });
  const res = await rest(device, 'GET', `${NS}/settings/detected-ip`);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.client.ip, '81.2.69.160');
  if (site.geo_db) assert.equal(res.json.country, 'GB');
});

test(`${tag}: a country database upload is read by the engine first, stored privately, and can be removed`, { skip: site.multisite && 'on a network only network administrators upload it (settings-multisite checks a site administrator cannot)' }, async () => {
  const geoDir = join(site.site, 'wp-content', 'session-warden');
  const upload = (name, bytes) => {
    const form = new FormData();
    form.append('file', new Blob([bytes]), name);
    const url = new URL(`/wp-json${NS}/settings/geo`, site.url);
    return fetch(url, { method: 'POST', body: form, headers: { ...admin.device.headers(), Cookie: admin.device.cookieHeader(url.pathname), 'X-WP-Nonce': admin.nonce } })
      .then(async (r) => ({ status: r.status, json: await r.json() }));
  };

  const junk = await upload('country.mmdb', Buffer.from('this is not a MaxMind database'.repeat(20)));
  assert.equal(junk.status, 400, JSON.stringify(junk.json));
  assert.equal(junk.json.code, 'session_warden_geo_invalid');
  assert.match(junk.json.message, /cannot be used as a country database: .+/);

  const ok = await upload('test-country.mmdb', readFileSync(join(REPO, 'tests', 'fixtures', 'test-country.mmdb')));
  try {
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.equal(ok.json.uploaded, true);
    assert.equal(ok.json.upload.name, 'test-country.mmdb');
    // With SESSION_WARDEN_GEO_DB in wp-config.php (the test bed's SW_GEO), that one stays in use.
    assert.equal(ok.json.source, site.geo_db ? 'constant' : 'upload');
    assert.equal(ok.json.info.build_date, '2026-01-01');
    assert.match(ok.json.info.database_type, /Country/i);
    const files = readdirSync(geoDir);
    assert.ok(files.includes('.htaccess') && files.includes('index.php'), files.join(', '));
    assert.match(readFileSync(join(geoDir, '.htaccess'), 'utf8'), /Require all denied/);
    const stored = files.filter((f) => f.endsWith('.mmdb'));
    assert.equal(stored.length, 1);
    assert.match(stored[0], /^country-[A-Za-z0-9]{20}\.mmdb$/, 'an unguessable name');
    assert.equal(JSON.stringify(ok.json).includes(stored[0]), false, 'the stored name is never shown');

    const info = await rest(admin, 'GET', `${NS}/settings/geo`);
    assert.equal(info.status, 200);
    assert.equal(info.json.uploaded, true);
  } finally {
    const gone = await rest(admin, 'DELETE', `${NS}/settings/geo`);
    assert.equal(gone.status, 200, gone.body);
    assert.equal(gone.json.uploaded, false);
  }
  assert.equal(readdirSync(geoDir).filter((f) => f.endsWith('.mmdb')).length, 0, 'the file is deleted');
  assert.ok(existsSync(join(geoDir, '.htaccess')));
});
