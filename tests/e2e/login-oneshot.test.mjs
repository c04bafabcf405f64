// Sign-ins decided by one-shot engine processes (the transport pinned to `process`): the process starts
// while WordPress loads, before the password is checked, and answers the sign-in's question; a sign-in
// that never asks (wrong password) leaves no engine process running and no zombie behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSite, wp as wpOn, freshUser, engineShipped } from '../fixtures/site.mjs';
import { Device } from '../fixtures/device.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version}`;
const ready = engineShipped(site) && site.engine_mode !== 'runtime' && !site.sites
  ? {} : { skip: 'needs the engine binary, proc_open and a single site' };
const wp = (command, args) => wpOn(site, command, args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const binary = join(site.engine.dir, 'session-warden-engine');

/** This site's `session-warden-engine call` processes: [{ pid, stat }]. */
function oneShots() {
  return execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' }).split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(\S+)\s+(.*)$/))
    .filter((m) => m && m[3].startsWith(`${binary} call `))
    .map((m) => ({ pid: Number(m[1]), stat: m[2] }));
}
/** Zombie engine processes (state Z, shown by name only) whose parent is one of this site's web server processes. */
function zombies() {
  const parent = (pid) => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; } };
  return execFileSync('ps', ['-eo', 'pid=,ppid=,stat=,comm='], { encoding: 'utf8' }).split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, ppid, stat, comm]) => /^Z/.test(stat ?? '') && /^session-warden/.test(comm ?? '') && parent(ppid).includes(site.root));
}

/** Waits up to 3 s for none of `list()` to be left (one may belong to a request still finishing). */
async function noneLeft(list) {
  for (let i = 0; i < 60 && list().length > 0; i++) await sleep(50);
  return list();
}

before(() => {
  if (ready.skip) return;
  wp('option', { name: 'session_warden_engine_mode', value: 'process' });
});
after(() => {
  if (ready.skip) return;
  wp('option', { name: 'session_warden_engine_mode', value: null });
  wp('reset');
});

test(`${tag}: one-shot engine processes decide sign-ins; a wrong password leaves no process or zombie behind`, ready, async () => {
  const user = freshUser(site, 'oneshot-login');
  const saved = wp('settings', { users: [{ user_id: user.id, rule: { limits: [{ kind: 'user', max: 1 }], mode: 'block' } }] });
  assert.ok(!saved.error, JSON.stringify(saved));
  const ip = (n) => (site.test_hooks ? `192.0.2.${n}` : null);

  const first = new Device(site, { name: 'first', ip: ip(41) });
  const login = await first.login(user.login, user.password);
  assert.ok(login.ok, `first sign-in: ${login.status} ${login.location}`);
  const created = wp('events', { login: user.login, type: 'session_created' });
  assert.equal(created.length, 1, 'the session_created event');
  assert.match(created[0].device, /Chrome/, 'the device label came from the engine\'s answer');

  // The limit of one: the engine, asked through a one-shot process, refuses a second place.
  const second = await new Device(site, { name: 'second', ip: ip(42) }).login(user.login, user.password);
  assert.equal(second.ok, false, 'the second sign-in is refused');
  assert.match(second.body, /login_error/);
  assert.deepEqual(wp('events', { login: user.login, type: 'login_blocked' }).map((e) => e.reason), ['limit_user']);
  assert.equal(wp('sessions', { login: user.login }).length, 1, 'still one session');

  // A wrong password: the process started for the sign-in is never asked, and is killed at shutdown.
  const wrong = await new Device(site, { name: 'wrong', ip: ip(43) }).login(user.login, 'not the password');
  assert.equal(wrong.status, 200);
  assert.match(wrong.body, /login_error/);
  assert.deepEqual(await noneLeft(oneShots), [], 'no one-shot engine process left running');
  assert.deepEqual(await noneLeft(zombies), [], 'no zombie engine process');

  // An unknown account: the same.
  const unknown = await new Device(site, { name: 'unknown', ip: ip(44) }).login('oneshot-nobody', 'whatever');
  assert.equal(unknown.status, 200);
  assert.deepEqual(await noneLeft(oneShots), [], 'no one-shot engine process left running');
  assert.deepEqual(await noneLeft(zombies), [], 'no zombie engine process');
});
