// Parallel logins and several web servers: the per-user lock (MariaDB GET_LOCK) makes "decide, then write
// the session" one step per user, so a limit holds under a burst of simultaneous logins and across web
// servers that share the database.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { loadSite, wp as wpOn, freshUser, sessionTokenRows, asWebUser } from '../fixtures/site.mjs';
import { Device, UA } from '../fixtures/device.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version}`;
const hooks = site.test_hooks ? {} : { skip: 'needs SW_TEST_HOOKS=1' };
const BURST = 50;

const wp = (command, args) => wpOn(site, command, args);
const createUser = (login, role) => freshUser(site, login, role);
function limitOne(user, mode) {
  const saved = wp('settings', { users: [{ user_id: user.id, rule: { limits: [{ kind: 'user', max: 1 }], mode } }] });
  assert.ok(!saved.error, JSON.stringify(saved));
}
const sessions = (user) => wp('sessions', { login: user.login });

/** Logs every device in at once: all GET the login form first, then all POST together. */
async function burst(devices, user) {
  await Promise.all(devices.map((d) => d.request('/wp-login.php')));
  return Promise.all(devices.map((d) => d.request('/wp-login.php', {
    method: 'POST',
    form: { log: user.login, pwd: user.password, 'wp-submit': 'Log In', testcookie: '1', redirect_to: `${site.url}/wp-admin/` },
  }).then((res) => ({ ...res, ok: res.status === 302 && d.cookieNames().some((n) => n.startsWith('wordpress_logged_in_')) }))));
}

// A second web server on the same database: PHP's built-in server, as the web user, several workers.
const second = { port: site.port + 100, proc: null };
second.site = { ...site, url: `http://127.0.0.1:${second.port}` };

before(async () => {
  const cmd = [...asWebUser(), 'php', '-d', 'opcache.enable_cli=1', '-S', `127.0.0.1:${second.port}`, '-t', site.site];
  second.proc = spawn(cmd[0], cmd.slice(1), { env: { ...process.env, PHP_CLI_SERVER_WORKERS: '4' }, stdio: 'ignore', detached: true });
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${second.site.url}/wp-login.php`)).status === 200) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`php -S on ${second.port} did not answer`);
});
after(() => { if (second.proc) { try { process.kill(-second.proc.pid, 'SIGTERM'); } catch { /* gone */ } } });
afterEach(() => { wp('reset'); });

test(`${tag}: ${BURST} parallel logins, limit 1, block: exactly one gets a working cookie`, hooks, async () => {
  const user = createUser('conc-block');
  const bystander = createUser('conc-bystander');
  const by = new Device(site, { name: 'bystander' });
  assert.ok((await by.login(bystander.login, bystander.password)).ok);
  const bystanderBefore = sessionTokenRows(site, bystander.login).map((r) => r.value);
  limitOne(user, 'block');

  const devices = Array.from({ length: BURST }, (_, i) => new Device(site, { name: `d${i}`, ip: `192.0.2.${i + 1}`, userAgent: UA.desktopChrome }));
  const results = await burst(devices, user);
  assert.equal(results.filter((r) => r.ok).length, 1, `logins that got a cookie: ${results.map((r) => r.status).join(',')}`);
  const alive = [];
  for (const d of devices) if (await d.isLoggedIn()) alive.push(d.name);
  assert.equal(alive.length, 1, `devices signed in: ${alive}`);
  assert.equal(sessions(user).length, 1, 'one session stored');
  assert.equal(sessionTokenRows(site, user.login).length, 1, 'one session_tokens row, no duplicates');
  assert.deepEqual(sessionTokenRows(site, bystander.login).map((r) => r.value), bystanderBefore, "another user's sessions are untouched");
});

test(`${tag}: ${BURST} parallel logins, limit 1, logout_oldest: one session remains and it is the newest`, hooks, async () => {
  const user = createUser('conc-oldest');
  limitOne(user, 'logout_oldest');
  const devices = Array.from({ length: BURST }, (_, i) => new Device(site, { name: `d${i}`, ip: `192.0.2.${i + 1}` }));
  const results = await burst(devices, user);
  const refused = results.filter((r) => !r.ok);
  // A login that waited longer than the lock timeout is refused with "try again": never a lost or extra session.
  for (const r of refused) assert.match(r.body, /still being processed|try again/i, `status ${r.status}`);
  const left = sessions(user);
  assert.equal(left.length, 1, 'exactly one session remains');
  assert.equal(sessionTokenRows(site, user.login).length, 1);
  const created = wp('events', { login: user.login, type: 'session_created' });
  assert.equal(created.length, results.length - refused.length, 'one session_created event per admitted login');
  assert.equal(created[0].verifier, left[0].verifier, 'the remaining session is the last one created');
  let alive = 0;
  for (const d of devices) if (await d.isLoggedIn()) alive++;
  assert.equal(alive, 1);
});

test(`${tag}: a second web server on the same database: limits and the epoch hold across both`, hooks, async () => {
  const user = createUser('conc-two-servers');
  limitOne(user, 'block');
  const onApache = new Device(site, { name: 'apache' });
  const onPhpS = new Device(second.site, { name: 'php-s' });
  assert.ok((await onApache.login(user.login, user.password)).ok);
  assert.equal((await onPhpS.login(user.login, user.password)).ok, false, 'the limit holds on the other server');

  // Parallel logins split over both servers.
  wp('clear', { login: user.login });
  const devices = Array.from({ length: 20 }, (_, i) => new Device(i % 2 ? second.site : site, { name: `d${i}`, ...(i % 2 ? {} : { ip: `192.0.2.${i + 1}` }) }));
  const results = await burst(devices, user);
  assert.equal(results.filter((r) => r.ok).length, 1, 'one login in 20 across two servers');
  assert.equal(sessionTokenRows(site, user.login).length, 1);

  // The epoch, set through one server's database, ends sessions served by the other.
  wp('reset');
  const other = createUser('conc-two-servers-b');
  const phpS = new Device(second.site, { name: 'php-s-b' });
  assert.ok((await phpS.login(other.login, other.password)).ok);
  assert.ok(await phpS.isLoggedIn());
  wp('age', { login: other.login, seconds: 5 });
  wp('end_all');
  assert.equal(await phpS.isLoggedIn(), false);
});
