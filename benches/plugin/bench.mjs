// Plugin overhead on the real site: a login POST and an authenticated wp-admin page, each with Session
// Warden off, on with the engine daemon, and on with one-shot engine processes, interleaved request by
// request (the order rotates every round) so drift hits every case alike. Prints medians, p90s and ratios.
//   SW_ENV=…/env.json node benches/plugin/bench.mjs [N=1000]
import { execFileSync } from 'node:child_process';
import { loadSite, sql, wp } from '../../tests/fixtures/site.mjs';

const site = loadSite();
const N = Number(process.argv[2] ?? 1000);
const CASES = ['off', 'daemon', 'process'];
const USERS = 20;

async function timed(path, { method = 'GET', body, cookie, bench }) {
  const headers = { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 'X-SW-Bench': bench === 'daemon' ? '' : bench };
  if (cookie) headers.Cookie = cookie;
  if (body) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const t0 = process.hrtime.bigint();
  const res = await fetch(`${site.url}${path}`, { method, headers, body, redirect: 'manual' });
  await res.arrayBuffer();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, res };
}

const stats = (xs) => { const s = [...xs].sort((a, b) => a - b); const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))]; return { median: q(0.5), p90: q(0.9) }; };

// How far a ratio of medians can move by chance: 95 % interval over 1 000 resamplings of whole rounds (each
// round's cases stay together, so drift between rounds stays paired). A deterministic generator keeps the
// interval the same for the same timings.
function ratioInterval(on, off) {
  let seed = 12345;
  const random = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
  const ratios = [];
  for (let b = 0; b < 1000; b++) {
    const a = [], o = [];
    for (let k = 0; k < on.length; k++) { const i = Math.floor(random() * on.length); a.push(on[i]); o.push(off[i]); }
    ratios.push(stats(a).median / stats(o).median);
  }
  ratios.sort((x, y) => x - y);
  return [ratios[25], ratios[974]];
}

// Users, and the settings a site owner would have: a limit, so every login asks the engine.
const users = [];
for (let i = 0; i < USERS; i++) users.push({ login: `bench-${i}`, password: `bench-${i}-pass-123` });
execFileSync('php', [new URL('../../tests/fixtures/users.php', import.meta.url).pathname, ...users.map((u) => `${u.login}:subscriber:${u.password}`), 'bench-page:editor:bench-page-pass-123'],
  { env: { ...process.env, SW_ENV: site.envFile } });
const saved = wp(site, 'settings', { defaults: { limits: [{ kind: 'user', max: 3 }], mode: 'logout_oldest', idle_timeout: 3600 } });
if (saved.error) throw new Error(JSON.stringify(saved));
const clearSessions = () => sql(site, `DELETE m FROM ${site.db.prefix}usermeta m JOIN ${site.db.prefix}users u ON u.ID = m.user_id WHERE m.meta_key = 'session_tokens' AND u.user_login LIKE 'bench-%' AND u.user_login <> 'bench-page'`);

// The page visitor: one session created with the plugin on, used by every case.
const login = await timed('/wp-login.php', { method: 'POST', bench: 'daemon', cookie: 'wordpress_test_cookie=WP%20Cookie%20check',
  body: new URLSearchParams({ log: 'bench-page', pwd: 'bench-page-pass-123', testcookie: '1', redirect_to: `${site.url}/wp-admin/` }) });
const pageCookie = login.res.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => !c.endsWith('=deleted')).join('; ');
if (!/wordpress_logged_in_/.test(pageCookie)) throw new Error(`page user login failed: ${login.res.status}`);

const times = { login: Object.fromEntries(CASES.map((c) => [c, []])), page: Object.fromEntries(CASES.map((c) => [c, []])) };
const warm = 30;
clearSessions();
for (let i = 0; i < N + warm; i++) {
  const order = CASES.map((_, k) => CASES[(i + k) % CASES.length]);
  for (const bench of order) {
    const u = users[(i * CASES.length + CASES.indexOf(bench)) % USERS];
    const l = await timed('/wp-login.php', { method: 'POST', bench, cookie: 'wordpress_test_cookie=WP%20Cookie%20check',
      body: new URLSearchParams({ log: u.login, pwd: u.password, testcookie: '1', redirect_to: `${site.url}/wp-admin/` }) });
    if (l.res.status !== 302) throw new Error(`login ${bench} answered ${l.res.status}`);
    const p = await timed('/wp-admin/', { bench, cookie: pageCookie });
    if (p.res.status !== 200) throw new Error(`page ${bench} answered ${p.res.status}`);
    if (i >= warm) { times.login[bench].push(l.ms); times.page[bench].push(p.ms); }
  }
  if (i % 10 === 9) clearSessions();
}
wp(site, 'reset');

const lines = [`Session Warden plugin overhead — ${new Date().toISOString()}, WordPress ${site.wp_version}, ${N} requests per case, interleaved`, 'measure                      off ms (med/p90)     daemon ms (med/p90)  ratio   one-shot ms (med/p90)  ratio'];
const intervals = [];
for (const what of ['login', 'page']) {
  const s = Object.fromEntries(CASES.map((c) => [c, stats(times[what][c])]));
  const f = (x) => `${x.median.toFixed(2)} / ${x.p90.toFixed(2)}`.padEnd(21);
  const label = what === 'login' ? 'login POST (302)' : 'wp-admin/ (signed in)';
  lines.push(`${label.padEnd(29)}${f(s.off)}${f(s.daemon)}${(s.daemon.median / s.off.median).toFixed(3).padEnd(8)}${f(s.process)}${(s.process.median / s.off.median).toFixed(3)}`);
  const span = (c) => ratioInterval(times[what][c], times[what].off).map((r) => r.toFixed(3)).join('–');
  intervals.push(`  ${label}: daemon ${span('daemon')}, one-shot ${span('process')}`);
}
lines.push('95 % intervals of the ratios (paired resampling of rounds):', ...intervals);
console.log(lines.join('\n'));
