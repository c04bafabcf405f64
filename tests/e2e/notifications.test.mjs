// E-mails about a user's own sessions (settings `notifications`): off by default; with `limit_ended` a user
// hears that a limit signed one of their sessions out, with `flagged` that a session was flagged. Mail is
// captured by the test bed's sw-test-live mu-plugin (pre_wp_mail → wp-content/sw-test-mail.jsonl), the
// real wp_mail() path up to the transport.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSite, wp as wpOn, freshUser } from '../fixtures/site.mjs';
import { Device, UA } from '../fixtures/device.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version}`;
const hooks = site.test_hooks ? {} : { skip: 'needs SW_TEST_HOOKS=1 (device addresses, mail capture)' };
const MAIL_LOG = join(site.site, 'wp-content', 'sw-test-mail.jsonl');

const wp = (command, args) => wpOn(site, command, args);

function settings(doc) {
  const saved = wp('settings', doc);
  assert.ok(!saved.error, `settings saved: ${JSON.stringify(saved)}`);
  return saved;
}

/** Mail captured for this address since `since` (Unix seconds). */
function mailTo(address, since) {
  if (!existsSync(MAIL_LOG)) return [];
  return readFileSync(MAIL_LOG, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
    .filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).includes(address) && m.time >= since);
}

/** Mail is sent at the end of the request that caused it; give that request a moment to finish. */
async function waitForMail(address, since, count, ms = 5000) {
  const until = Date.now() + ms;
  let got = mailTo(address, since);
  while (got.length < count && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    got = mailTo(address, since);
  }
  return got;
}

const now = () => Math.floor(Date.now() / 1000);
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

afterEach(() => { wp('reset'); });

test(`${tag}: a limit ending a session sends no e-mail by default, and one e-mail when limit_ended is on`, hooks, async () => {
  const user = freshUser(site, 'notify-limit');
  const email = `${user.login}@example.com`;
  const rule = { users: [{ user_id: user.id, rule: { limits: [{ kind: 'user', max: 1 }], mode: 'logout_oldest' } }] };
  const since = now();

  settings(rule);
  const a = new Device(site, { name: 'a', ip: '198.51.100.31', userAgent: UA.desktopFirefox });
  assert.ok((await a.login(user.login, user.password)).ok);
  await pause(1100); // One-second timestamps: the next login must be newer.
  const b = new Device(site, { name: 'b', ip: '198.51.100.32', userAgent: UA.desktopChrome });
  assert.ok((await b.login(user.login, user.password)).ok);
  assert.equal(await a.isLoggedIn(), false, 'the limit signed the first device out');
  assert.equal(wp('events', { login: user.login, type: 'session_ended' })[0].reason, 'limit_user');
  await pause(500);
  assert.deepEqual(mailTo(email, since), [], 'opt-in is off: no e-mail');

  settings({ ...rule, notifications: { limit_ended: true } });
  await pause(1100);
  const c = new Device(site, { name: 'c', ip: '198.51.100.33', userAgent: UA.iphoneSafari });
  assert.ok((await c.login(user.login, user.password)).ok);
  assert.equal(await b.isLoggedIn(), false);
  const mails = await waitForMail(email, since, 1);
  assert.equal(mails.length, 1, 'exactly one e-mail');
  const [mail] = mails;
  assert.match(mail.subject, /One of your sessions was signed out/);
  assert.match(mail.message, /Hello notify-limit,/);
  assert.match(mail.message, /reached its limit of sessions/);
  assert.match(mail.message, /Device: Chrome \d+ on Windows/, 'the ended session\'s device');
  assert.match(mail.message, /IP address: 198\.51\.100\.32/, 'the ended session\'s address');
  assert.match(mail.message, /Time: .+\(/);
  assert.ok(mail.message.includes(`${site.url}/wp-admin/profile.php#sw-your-sessions`), 'links to the user\'s sessions');
  assert.doesNotMatch(mail.message, /198\.51\.100\.33/, 'the new sign-in is not the session that ended');
});

test(`${tag}: a flagged session sends an e-mail only when flagged is on; session_warden_email can stop it`, hooks, async () => {
  const user = freshUser(site, 'notify-flag');
  const email = `${user.login}@example.com`;
  const since = now();

  // Off: the flag is raised and recorded, but nobody is mailed.
  settings({ notifications: { limit_ended: true, flagged: false } });
  const d = new Device(site, { name: 'd', ip: '81.2.69.10', userAgent: UA.desktopChrome });
  assert.ok((await d.login(user.login, user.password)).ok);
  d.ip = '89.160.20.5';
  assert.ok(await d.isLoggedIn());
  assert.equal(wp('events', { login: user.login, type: 'flag_raised' })[0]?.reason, 'ip_shift');
  await pause(500);
  assert.deepEqual(mailTo(email, since), []);

  // On: a new session, its address changes, one e-mail.
  wp('clear', { login: user.login });
  settings({ notifications: { flagged: true } });
  const e = new Device(site, { name: 'e', ip: '81.2.69.10', userAgent: UA.desktopChrome });
  assert.ok((await e.login(user.login, user.password)).ok);
  e.ip = '89.160.20.5';
  assert.ok(await e.isLoggedIn());
  const mails = await waitForMail(email, since, 1);
  assert.equal(mails.length, 1);
  assert.match(mails[0].subject, /Unusual activity on your account/);
  assert.match(mails[0].message, /changed its network \(IP\) address/);
  assert.match(mails[0].message, /IP address: 89\.160\.20\.5/);
  if (site.geo_db) assert.match(mails[0].message, /Country: .*SE/);
  assert.match(mails[0].message, /Device: Chrome \d+ on Windows/);
  await pause(500);
  assert.equal(mailTo(email, since).length, 1, 'the flag is mailed once, not on every request');
  assert.ok(await e.isLoggedIn());
  await pause(500);
  assert.equal(mailTo(email, since).length, 1);

  // A site's own `session_warden_email` filter returning false sends nothing (test bed knob).
  wp('option', { name: 'sw_test_suppress_email', value: 1 });
  try {
    const f = new Device(site, { name: 'f', ip: '81.2.69.11', userAgent: UA.desktopFirefox });
    assert.ok((await f.login(user.login, user.password)).ok);
    f.ip = '89.160.20.6';
    assert.ok(await f.isLoggedIn());
    assert.ok(wp('events', { login: user.login, type: 'flag_raised' }).length >= 2, 'more flags were raised');
    await pause(500);
    assert.equal(mailTo(email, since).length, 1, 'suppressed by the filter');
  } finally {
    wp('option', { name: 'sw_test_suppress_email', value: null });
  }
});
