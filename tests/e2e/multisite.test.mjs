// Multisite (a subdirectory network, tests/env/up.sh with SW_MULTISITE=1): sessions live in usermeta and are
// network-wide, roles are per site, and the verdict uses the user's roles on the site where the login (or
// the request) happens; the network's settings apply on every site unless a site saved its own; the logout
// epoch is network-wide; the event log is one table that records the site of each event.
// On a single-site test bed every test here is skipped (scripts/test.sh runs this file in its multisite stage).
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { writeFileSync, unlinkSync } from 'node:fs';
import { loadSite, php, sql, freshUser, REPO } from '../fixtures/site.mjs';
import { Device, UA } from '../fixtures/device.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version} multisite`;
const ready = !site.multisite
  ? { skip: 'single-site test bed: multisite tests need a network (tests/env/up.sh with SW_MULTISITE=1)' }
  : !site.test_hooks ? { skip: 'needs SW_TEST_HOOKS=1 (device addresses)' } : {};
const [main, second] = site.sites ?? [];

/** tests/fixtures/wp.php on one site of the network (blog), optionally on the network's settings. */
function wp(blog, command, args = {}, scope = 'site') {
  const out = php(site, join(REPO, 'tests', 'fixtures', 'wp.php'), [`--blog=${blog}`, `--scope=${scope}`, command, JSON.stringify(args)]);
  return JSON.parse(out);
}

/** Sites whose own settings a test saved, reset after it (the network's settings and the epoch always are). */
const savedOn = new Set();

function save(blog, doc, scope = 'site') {
  if (scope === 'site') savedOn.add(blog);
  const saved = wp(blog, 'settings', doc, scope);
  assert.ok(!saved.error, `settings saved (${scope}, site ${blog}): ${JSON.stringify(saved)}`);
  return saved;
}
const saveNetwork = (doc) => save(main.id, doc, 'network');
const limitOne = (user, max = 1) => ({ users: [{ user_id: user.id, rule: { limits: [{ kind: 'user', max }], mode: 'block' } }] });

/** A device on one site of the network: paths like /wp-login.php go to that site's own path. */
class SiteDevice extends Device {
  constructor(on, opts = {}) {
    super({ ...site, url: on.url }, { userAgent: UA.desktopChrome, ...opts });
    this.base = new URL(on.url).pathname.replace(/\/$/, '');
  }

  request(path, opts) {
    return super.request(path.startsWith('/') ? `${this.base}${path}` : path, opts);
  }
}

/** A fixture user who is a member of both sites, with a role on each. */
function member(login, roleMain, roleSecond) {
  const user = freshUser(site, login, roleMain);
  assert.deepEqual(wp(second.id, 'role', { login, role: roleSecond }), [roleSecond]);
  return user;
}

const sessions = (user) => wp(main.id, 'sessions', { login: user.login });
const events = (user, type) => wp(main.id, 'events', { login: user.login, type });

afterEach(() => {
  if (!site.multisite) return;
  for (const blog of savedOn) wp(blog, 'reset');
  savedOn.clear();
  wp(main.id, 'reset', {}, 'network'); // also drops the logout epoch
});

test(`${tag}: the bed is a subdirectory network with the plugin network-active and its tables made once`, ready, () => {
  assert.equal(second.url, `${site.url}/second`);
  const active = sql(site, `SELECT meta_value FROM ${site.db.prefix}sitemeta WHERE meta_key = 'active_sitewide_plugins'`);
  assert.match(active[0][0], /session-warden\/session-warden\.php/, 'network-activated');
  // The plugin's tables are network-wide (base prefix), created once: no per-site copy such as
  // wp_2_session_warden_events.
  const tables = sql(site, "SHOW TABLES LIKE '%session\\_warden\\_%'").map((r) => r[0]);
  assert.ok(tables.includes(`${site.db.prefix}session_warden_events`), `the events table exists: ${tables}`);
  assert.deepEqual(tables.filter((t) => !t.startsWith(`${site.db.prefix}session_warden_`)), [], 'no per-site tables');
});

test(`${tag}: network settings apply on both sites`, ready, async () => {
  const user = member('ms-network', 'subscriber', 'subscriber');
  saveNetwork(limitOne(user));
  for (const on of [main, second]) {
    const here = wp(on.id, 'current');
    assert.equal(here.source, 'network', `site ${on.id} reads the network's settings`);
    assert.deepEqual(here.settings.users.map((u) => u.user_id), [user.id]);
  }
  for (const on of [main, second]) {
    wp(main.id, 'clear', { login: user.login });
    assert.ok((await new SiteDevice(on, { ip: '198.51.100.1' }).login(user.login, user.password)).ok, `first login on site ${on.id}`);
    const again = await new SiteDevice(on, { ip: '198.51.100.2' }).login(user.login, user.password);
    assert.equal(again.ok, false, `the network's limit of 1 holds on site ${on.id}`);
    assert.match(again.body, /already signed in on as many devices as your account allows/);
    const blocked = wp(main.id, 'events', { login: user.login, type: 'login_blocked' });
    assert.equal(blocked.length, 1);
    assert.equal(blocked[0].site_id, on.id, 'the refusal is recorded with the site it happened on');
  }
});

test(`${tag}: a site's own settings win on that site only, and removing them falls back to the network`, ready, async () => {
  const user = member('ms-override', 'subscriber', 'subscriber');
  saveNetwork(limitOne(user, 1));
  save(second.id, limitOne(user, 3));
  assert.equal(wp(second.id, 'current').source, 'site');
  assert.equal(wp(main.id, 'current').source, 'network', 'the main site still reads the network');

  assert.ok((await new SiteDevice(second, { ip: '198.51.100.11' }).login(user.login, user.password)).ok);
  assert.ok((await new SiteDevice(second, { ip: '198.51.100.12' }).login(user.login, user.password)).ok,
    "site 2's own limit of 3 allows a second session");
  const onMain = await new SiteDevice(main, { ip: '198.51.100.13' }).login(user.login, user.password);
  assert.equal(onMain.ok, false, "the main site keeps the network's limit of 1");
  assert.equal(sessions(user).length, 2);

  wp(second.id, 'reset');
  const back = wp(second.id, 'current');
  assert.equal(back.source, 'network');
  assert.equal(back.settings.users[0].rule.limits[0].max, 1);
  const afterReset = await new SiteDevice(second, { ip: '198.51.100.14' }).login(user.login, user.password);
  assert.equal(afterReset.ok, false, "without its own settings site 2 applies the network's limit of 1 again");
  assert.equal(sessions(user).length, 2);
});

test(`${tag}: the login verdict uses the roles on the site where the login happens`, ready, async () => {
  // Editor on the main site, subscriber on /second/; only editors are limited (to 1, block).
  const user = member('ms-roles', 'editor', 'subscriber');
  saveNetwork({ roles: [{ role: 'editor', rule: { limits: [{ kind: 'user', max: 1 }], mode: 'block' } }] });

  assert.ok((await new SiteDevice(main, { ip: '198.51.100.21' }).login(user.login, user.password)).ok);
  const secondOnMain = await new SiteDevice(main, { ip: '198.51.100.22' }).login(user.login, user.password);
  assert.equal(secondOnMain.ok, false, 'as an editor on the main site the second session is refused');
  const onSecond = await new SiteDevice(second, { ip: '198.51.100.23' }).login(user.login, user.password);
  assert.ok(onSecond.ok, 'as a subscriber on /second/ the same user is not limited');
  assert.equal(sessions(user).length, 2);

  const blocked = events(user, 'login_blocked');
  assert.deepEqual(blocked.map((e) => [e.site_id, e.reason]), [[main.id, 'limit_user']]);
  const created = events(user, 'session_created').map((e) => e.site_id).sort();
  assert.deepEqual(created, [main.id, second.id], 'each session_created event names its site');
});

test(`${tag}: request verdicts use the roles on the site being visited, not a verdict kept on another site`, ready, async () => {
  // Subscribers are bound to their sign-in address; editors are not. The session was begun on the main site
  // (editor) and moves to another address there, which is fine; the same session on /second/ (subscriber) ends.
  const user = member('ms-kept', 'editor', 'subscriber');
  saveNetwork({ roles: [{ role: 'subscriber', rule: { ip_binding: true } }] });
  const device = new SiteDevice(main, { ip: '198.51.100.31' });
  assert.ok((await device.login(user.login, user.password)).ok);
  device.ip = '198.51.100.32';
  assert.equal((await device.request('/wp-admin/')).status, 200, 'an editor on the main site is not bound to the address');
  assert.equal((await device.request('/second/wp-admin/')).status, 302, 'a subscriber on /second/ is: the session ends');
  assert.equal(sessions(user).length, 0);
  const ended = events(user, 'session_ended');
  assert.deepEqual(ended.map((e) => [e.site_id, e.reason]), [[second.id, 'ip_changed']]);
});

test(`${tag}: a verdict kept under a site's own settings does not survive their removal and a network change`, ready, async () => {
  // Versions are network-wide: the network's next document must not reuse the number of the site's removed one,
  // or a request verdict kept under the old document would pass for one decided under the new.
  const user = member('ms-version', 'subscriber', 'subscriber');
  saveNetwork({});
  const own = save(second.id, {});
  const device = new SiteDevice(second, { ip: '198.51.100.61' });
  assert.ok((await device.login(user.login, user.password)).ok);
  device.ip = '198.51.100.62';
  assert.equal((await device.request('/wp-admin/')).status, 200, 'no address binding yet: the verdict is kept');

  wp(second.id, 'reset');
  const network = saveNetwork({ roles: [{ role: 'subscriber', rule: { ip_binding: true } }] });
  assert.notEqual(network.version, own.version, 'the new network document has a version of its own');
  assert.equal((await device.request('/wp-admin/')).status, 302, "the network's address binding now applies");
  assert.deepEqual(events(user, 'session_ended').map((e) => [e.site_id, e.reason]), [[second.id, 'ip_changed']]);
});

test(`${tag}: sessions are network-wide: one begun on the main site counts on /second/`, ready, async () => {
  const user = member('ms-sessions', 'subscriber', 'subscriber');
  saveNetwork(limitOne(user));
  const a = new SiteDevice(main, { ip: '198.51.100.41' });
  assert.ok((await a.login(user.login, user.password)).ok);
  assert.equal((await a.request('/second/wp-admin/')).status, 200, 'the same session signs the device in on /second/');

  const b = new SiteDevice(second, { ip: '198.51.100.42', userAgent: UA.iphoneSafari });
  const res = await b.login(user.login, user.password);
  assert.equal(res.ok, false, "the main site's session counts toward the limit on /second/");
  assert.equal(sessions(user).length, 1);
  const blocked = events(user, 'login_blocked');
  assert.deepEqual(blocked.map((e) => [e.site_id, e.reason]), [[second.id, 'limit_user']]);
});

test(`${tag}: the site-wide logout ends sessions on every site of the network`, ready, async () => {
  const user = member('ms-epoch', 'subscriber', 'subscriber');
  const a = new SiteDevice(main, { ip: '198.51.100.51' });
  const b = new SiteDevice(second, { ip: '198.51.100.52', userAgent: UA.desktopFirefox });
  assert.ok((await a.login(user.login, user.password)).ok);
  assert.ok((await b.login(user.login, user.password)).ok);
  assert.ok(await a.isLoggedIn());
  assert.ok(await b.isLoggedIn());
  wp(main.id, 'age', { login: user.login, seconds: 5 }); // both sessions began before the click

  const epoch = wp(second.id, 'end_all'); // clicked on /second/
  assert.ok(epoch > 0);
  assert.equal(await a.isLoggedIn(), false, 'the main site session ended');
  assert.equal(await b.isLoggedIn(), false, 'the /second/ session ended');
  assert.equal(sessions(user).length, 0);
  const ended = events(user, 'session_ended').map((e) => [e.site_id, e.reason]).sort();
  assert.deepEqual(ended, [[main.id, 'epoch'], [second.id, 'epoch']]);
});

test(`${tag}: a site created after network activation gives its administrators the capability to manage sessions`, ready, () => {
  const script = join(tmpdir(), `sw-new-site-${process.pid}.php`);
  writeFileSync(script, `<?php
require ${JSON.stringify(join(REPO, 'tests', 'php', 'bootstrap.php'))};
$domain = get_network()->domain;
$id     = wp_insert_site( array( 'domain' => $domain, 'path' => '/new-' . getmypid() . '/' ) );
if ( is_wp_error( $id ) ) { echo json_encode( array( 'error' => $id->get_error_message() ) ); exit; }
switch_to_blog( $id );
wp_roles()->for_site( $id );
$admin  = get_role( 'administrator' );
$editor = get_role( 'editor' );
$out    = array( 'admin' => $admin && $admin->has_cap( 'session_warden_manage_sessions' ), 'editor' => $editor && $editor->has_cap( 'session_warden_manage_sessions' ) );
restore_current_blog();
wp_delete_site( $id );
echo json_encode( $out );
`);
  try {
    const out = JSON.parse(php(site, script));
    assert.deepEqual(out, { admin: true, editor: false });
  } finally {
    unlinkSync(script);
  }
});
