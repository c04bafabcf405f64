// The engine stops mid-run. Without the daemon the plugin falls back to one-shot engine processes, and
// without a runnable binary to the PHP WebAssembly runtime, and still enforces limits; with no engine at all, sign-ins follow the failure policy (fail open by default, fail
// closed for the roles the site owner chose), nothing fatal happens, and once the engine is back (the
// daemon restarted) everything is enforced again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSite, wp as wpOn, freshUser, asWebUser } from '../fixtures/site.mjs';
import { Device } from '../fixtures/device.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version}`;
const ready = site.test_hooks && site.engine.daemon ? {} : { skip: 'needs SW_TEST_HOOKS=1 and the engine daemon' };
const pidFile = join(site.root, 'run', 'engine.pid');
const binary = join(site.engine.dir, 'session-warden-engine');
const component = join(site.engine.dir, 'session-warden.wasm');

const wp = (command, args) => wpOn(site, command, args);
const createUser = (login, role) => freshUser(site, login, role);
const fatalCount = () => (readFileSync(join(site.root, 'logs', 'php-error.log'), 'utf8').match(/PHP Fatal/g) ?? []).length;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let daemonArgs = null;
function stopDaemon() {
  const pid = Number(readFileSync(pidFile, 'utf8'));
  daemonArgs = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  process.kill(-pid, 'SIGTERM');
}
async function startDaemon() {
  const cmd = [...asWebUser(), ...daemonArgs];
  const child = spawn(cmd[0], cmd.slice(1), { detached: true, stdio: 'ignore' });
  child.unref();
  writeFileSync(pidFile, String(child.pid)); // down.sh stops it by this process group
  for (let i = 0; i < 100 && !existsSync(site.engine.socket); i++) await sleep(50);
}

after(async () => {
  if (existsSync(`${binary}.off`)) renameSync(`${binary}.off`, binary);
  if (existsSync(`${component}.off`)) renameSync(`${component}.off`, component);
  if (daemonArgs && !existsSync(site.engine.socket)) await startDaemon();
  wp('reset');
});

test(`${tag}: the engine stops mid-run: fallback, failure policy, no fatal error, recovery`, ready, async () => {
  const member = createUser('fail-subscriber');
  const editor = createUser('fail-editor', 'editor');
  const saved = wp('settings', {
    fail_closed_roles: ['editor'],
    users: [{ user_id: member.id, rule: { limits: [{ kind: 'user', max: 1 }], mode: 'block' } }],
  });
  assert.ok(!saved.error, JSON.stringify(saved));
  const fatalsBefore = fatalCount();

  // 1. The daemon stops: one-shot processes take over, and the limit still holds.
  stopDaemon();
  for (let i = 0; i < 100 && existsSync(site.engine.socket); i++) await sleep(50);
  assert.equal(existsSync(site.engine.socket), false, 'the daemon removed its socket');
  const first = new Device(site, { name: 'first', ip: '192.0.2.10' });
  assert.ok((await first.login(member.login, member.password)).ok, 'login through a one-shot engine');
  assert.equal((await new Device(site, { name: 'second' }).login(member.login, member.password)).ok, false, 'the limit is still enforced');

  // 2. No binary may run: the PHP WebAssembly runtime answers, and the limit still holds.
  renameSync(binary, `${binary}.off`);
  wp('clear', { login: member.login });
  const viaRuntime = new Device(site, { name: 'runtime' });
  assert.ok((await viaRuntime.login(member.login, member.password)).ok, 'login decided by the PHP runtime');
  assert.equal((await new Device(site, { name: 'runtime2' }).login(member.login, member.password)).ok, false, 'the limit holds without any binary');
  viaRuntime.ip = '192.0.2.11';
  assert.ok(await viaRuntime.isLoggedIn(), 'request verdicts work in the PHP runtime');

  // 3. No engine at all.
  renameSync(component, `${component}.off`);
  const openLogin = await new Device(site, { name: 'open' }).login(member.login, member.password);
  assert.ok(openLogin.ok, 'fail open: the subscriber gets in although the limit cannot be checked');
  viaRuntime.ip = '192.0.2.12'; // a new address, so the kept verdict does not apply and the engine is asked
  assert.ok(await viaRuntime.isLoggedIn(), 'signed-in visitors stay signed in (fail open)');
  const closed = await new Device(site, { name: 'closed' }).login(editor.login, editor.password);
  assert.equal(closed.ok, false, 'fail closed for editors');
  assert.match(closed.body, /temporarily unavailable/);
  const failures = wp('events', { login: editor.login, type: 'engine_failed' });
  assert.equal(failures[0]?.reason, 'fail_closed');
  assert.equal(wp('events', { login: member.login, type: 'engine_failed' })[0]?.reason, 'fail_open');
  assert.equal(fatalCount(), fatalsBefore, 'no PHP fatal error');

  // 4. The engine is back and the daemon restarts: limits apply again.
  renameSync(`${binary}.off`, binary);
  renameSync(`${component}.off`, component);
  await startDaemon();
  assert.ok(existsSync(site.engine.socket), 'the daemon is back');
  wp('clear', { login: member.login });
  assert.ok((await new Device(site, { name: 'again' }).login(member.login, member.password)).ok);
  assert.equal((await new Device(site, { name: 'again2' }).login(member.login, member.password)).ok, false, 'the limit holds again');
  assert.ok((await new Device(site, { name: 'editor-back' }).login(editor.login, editor.password)).ok, 'editors get in again');
});
