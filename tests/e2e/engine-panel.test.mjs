// Tools → Session Warden Engine in a real browser: the mode the site really uses (the test bed's daemon),
// the engine's own version string, the artifact's SHA-256 against the file and engine/SHA256SUMS, measured
// round trips; and the admin notice about an engine failure, dismissed for good through its nonce'd link.
// On a multisite network (tests/env/up.sh with SW_MULTISITE=1) the same checks run on the network admin's
// Settings → Session Warden Engine (super admins only; the engine selection is a network option in
// {base_prefix}sitemeta and applies to every site); a site administrator and an author are refused there,
// and a site administrator's own Tools panel is read-only, even to a forged save with its own nonce.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSite, engineShipped, engineRequest, outputPath, php, sql, createUser, REPO } from '../fixtures/site.mjs';
import { Device, UA } from '../fixtures/device.mjs';
import { launchBrowser, newDeviceContext, browserLogin } from '../fixtures/browser.mjs';

const site = loadSite();
const network = Boolean(site.multisite);
const tag = `wp-${site.wp_version}${network ? ' multisite' : ''}`;
const shot = (name) => outputPath(`wp-${site.wp_version}${network ? '-network' : ''}-${name}.png`);
// The panel as an administrator of this test bed reaches it: on a single site Tools in the site's admin; on a
// network Settings in the network admin (Engine_Panel::add_network_page(), manage_network_options), where
// the test bed's admin (site.admin) is the super admin. SITE_PANEL is a site's own Tools panel.
const SITE_PANEL = '/wp-admin/tools.php?page=session-warden-engine';
const ADMIN = network
  ? { home: '/wp-admin/network/', menu: '#menu-settings', panel: '/wp-admin/network/settings.php?page=session-warden-engine', where: 'Settings → Session Warden Engine' }
  : { home: '/wp-admin/', menu: '#menu-tools', panel: SITE_PANEL, where: 'Tools → Session Warden Engine' };
const PANEL = ADMIN.panel;
let browser;
let scratch;

// Reads and writes the engine status option and the admin's dismissal inside the site's WordPress.
const STATUS_PHP = `<?php
require ${JSON.stringify(join(REPO, 'tests', 'php', 'bootstrap.php'))};
$admin = get_user_by( 'login', $argv[2] );
switch ( $argv[1] ) {
	case 'get':
		echo json_encode( array(
			'status'    => get_site_option( 'session_warden_engine_status', null ),
			'dismissed' => get_user_meta( $admin->ID, 'session_warden_engine_notice_dismissed', true ),
		) );
		break;
	case 'set':
		$data = json_decode( $argv[3], true );
		null === $data['status'] ? delete_site_option( 'session_warden_engine_status' ) : update_site_option( 'session_warden_engine_status', $data['status'] );
		'' === $data['dismissed'] ? delete_user_meta( $admin->ID, 'session_warden_engine_notice_dismissed' ) : update_user_meta( $admin->ID, 'session_warden_engine_notice_dismissed', $data['dismissed'] );
		echo 'ok';
		break;
}
`;
const engineState = (cmd, data) => {
  const out = php(site, join(scratch, 'status.php'), [cmd, site.admin.user, ...(data ? [JSON.stringify(data)] : [])]);
  return cmd === 'get' ? JSON.parse(out) : out;
};

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'sw-engine-panel-'));
  writeFileSync(join(scratch, 'status.php'), STATUS_PHP);
  browser = await launchBrowser();
});
after(async () => {
  clearEngineMode();
  await browser?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// engine-failure.test.mjs stops the test bed's daemon and hides the engine binary while it runs, and test
// files run in parallel. A check that fails while the engine was being disturbed is run again once the
// engine is back (at most 3 times); a failure with the engine untouched throughout is a failure.
const binary = () => join(site.engine.dir, 'session-warden-engine');
function engineEpoch() {
  let pid = '';
  try { pid = readFileSync(join(site.root, 'run', 'engine.pid'), 'utf8').trim(); } catch { /* none */ }
  return [pid, existsSync(site.engine.socket), existsSync(binary()), existsSync(`${binary()}.off`)].join('|');
}
async function engineSettled(timeoutMs = 90000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(binary()) && !existsSync(`${binary()}.off`)) {
      try {
        if (typeof (await engineRequest(site, { v: 1, id: 1, op: 'version', args: {} }, 1000)).ok === 'string') return;
      } catch { /* not yet */ }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the engine daemon did not come back');
}
async function withSettledEngine(body, disturbed = () => false) {
  for (let attempt = 1; ; attempt++) {
    await engineSettled();
    const before = engineEpoch();
    try {
      return await body();
    } catch (e) {
      if (attempt >= 3 || (engineEpoch() === before && !disturbed())) throw e;
    }
  }
}

async function adminPage() {
  const context = await newDeviceContext(browser, site, { userAgent: UA.desktopChrome });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await browserLogin(page, site, site.admin.user, site.admin.password);
  return { context, page, errors };
}

test(`${tag}: the engine panel shows the daemon mode, the engine version, a matching artifact hash and round trips (screenshot)`, async () => {
  assert.ok(engineShipped(site), `the installed plugin ships no engine in ${site.engine.dir}`);
  assert.ok(site.engine.daemon, 'the test bed started the engine daemon');
  await engineSettled();
  const direct = await engineRequest(site, { v: 1, id: 1, op: 'version', args: {} });
  const artifact = readFileSync(join(site.engine.dir, 'session-warden.cwasm'));
  const sha256 = createHash('sha256').update(artifact).digest('hex');
  const listed = readFileSync(join(site.engine.dir, 'SHA256SUMS'), 'utf8').match(/^([0-9a-f]{64}) [ *]session-warden\.cwasm$/m)?.[1];
  assert.equal(listed, sha256, 'the installed artifact is the one SHA256SUMS lists');

  await withSettledEngine(async () => {
    const { context, page, errors } = await adminPage();
    try {
      // Reached through the Tools menu (the network admin's Settings menu on a network), like an administrator would.
      await page.goto(`${site.url}${ADMIN.home}`, { waitUntil: 'load' });
      const link = page.locator(`${ADMIN.menu} a[href$="${PANEL.split('/').pop()}"]`);
      assert.equal(await link.count(), 1, `${ADMIN.where} is in the menu`);
      assert.equal((await link.textContent()).trim(), 'Session Warden Engine');
      await page.locator(ADMIN.menu).hover(); // the submenu is a flyout on the dashboard
      await Promise.all([page.waitForURL(/page=session-warden-engine/, { waitUntil: 'load' }), link.click()]);
      assert.equal(page.url(), `${site.url}${PANEL}`);
      await page.waitForSelector('#session-warden-engine');
      assert.equal(await page.locator('#session-warden-engine h1').textContent(), 'Session Warden Engine');

      const mode = page.locator('#sw-engine-mode');
      assert.equal(await mode.getAttribute('data-mode'), 'daemon');
      assert.ok((await mode.textContent()).includes(`daemon (unix socket ${site.engine.socket})`), await mode.textContent());

      assert.equal((await page.locator('#sw-engine-version').textContent()).trim(), direct.ok, 'the version the engine reports');
      assert.match(direct.ok, /^session-warden\S* \d+\.\d+\.\d+/);

      const shown = (await page.locator('#sw-engine-sha256').textContent()).trim();
      assert.match(shown, /^[0-9a-f]{64}$/);
      assert.equal(shown, sha256, 'the SHA-256 of the installed artifact');
      assert.equal(await page.locator('#sw-engine-sha256-match').getAttribute('data-match'), 'yes');
      assert.match(await page.locator('#sw-engine-sha256-match').textContent(), /matches/);

      for (const via of ['socket', 'process']) {
        const row = page.locator(`#sw-engine-round-trip tr[data-via="${via}"]`);
        const ms = Number(await row.getAttribute('data-ms'));
        assert.ok(Number.isFinite(ms) && ms > 0 && ms < 2000, `${via} round trip ${ms} ms`);
        assert.match(await row.locator('td').nth(1).textContent(), /^\s*\d[\d,]*\.\d\d ms\s*$/);
      }
      const socketMs = Number(await page.locator('#sw-engine-round-trip tr[data-via="socket"]').getAttribute('data-ms'));
      const processMs = Number(await page.locator('#sw-engine-round-trip tr[data-via="process"]').getAttribute('data-ms'));
      assert.ok(socketMs < processMs, `the daemon (${socketMs} ms) answers faster than a one-shot process (${processMs} ms)`);

      // The host runs this daemon (SESSION_WARDEN_ENGINE_SOCKET): the plugin offers no Start/Stop.
      assert.equal(await page.locator('#session_warden_daemon_start, #session_warden_daemon_stop').count(), 0);
      assert.match(await page.locator('#session-warden-engine').textContent(), /set in wp-config\.php/);

      await page.screenshot({ path: shot('engine-panel'), fullPage: true });
      assert.deepEqual(errors, [], 'no JavaScript errors');
    } finally {
      await context.close();
    }
  });
});

// The engine selection is a network-wide site option (get_site_option): on a network a row of
// {base_prefix}sitemeta (the test bed's one network, whose base prefix is the main site's prefix), on a
// single site a {prefix}options row.
const MODE_ROW = network
  ? `FROM ${site.db.prefix}sitemeta WHERE meta_key='session_warden_engine_mode'`
  : `FROM ${site.db.prefix}options WHERE option_name='session_warden_engine_mode'`;
const storedMode = () => sql(site, `SELECT ${network ? 'meta_value' : 'option_value'} ${MODE_ROW}`);
const clearEngineMode = () => sql(site, `DELETE ${MODE_ROW}`);
// On a network: the sites' own options tables, which must never get the selection.
const siteOptionRows = () => (site.sites ?? []).flatMap(({ id }) => sql(site,
  `SELECT option_value FROM ${site.db.prefix}${Number(id) === 1 ? '' : `${Number(id)}_`}options WHERE option_name='session_warden_engine_mode'`));

test(`${tag}: the engine panel pins the engine to the PHP WebAssembly runtime and back to automatic (screenshot)`, async () => {
  await engineSettled();
  const { context, page, errors } = await adminPage();
  try {
    await page.goto(`${site.url}${PANEL}`, { waitUntil: 'load' });
    const select = page.locator('#sw-engine-mode-select');
    assert.equal(await select.inputValue(), 'auto', 'automatic by default');
    assert.equal(await select.isDisabled(), false, 'no SESSION_WARDEN_ENGINE_MODE in wp-config.php');
    assert.deepEqual(await select.locator('option').allTextContents(), [
      'Automatic (daemon, then one-shot process, then the PHP WebAssembly runtime)',
      'Daemon only', 'One-shot process only', 'PHP WebAssembly runtime only',
    ]);

    // Pinned to the runtime.
    await select.selectOption({ label: 'PHP WebAssembly runtime only' });
    await Promise.all([page.waitForURL(/sw_daemon=mode_saved/, { waitUntil: 'load' }), page.locator('#sw-engine-mode-save').click()]);
    assert.equal(page.url(), `${site.url}${PANEL}&sw_daemon=mode_saved`, 'back on the same panel');
    assert.match(await page.locator('#sw-daemon-result.notice-success').textContent(), /The engine selection was saved\./);
    assert.deepEqual(storedMode(), [['runtime']]);
    if (network) {
      assert.deepEqual(siteOptionRows(), [], 'stored for the network, not in a site\'s options');
      assert.match(await page.locator('#sw-engine-mode-form').textContent(), /The setting applies to every site of the network\./);
    }
    assert.equal(await page.locator('#sw-engine-mode-select').inputValue(), 'runtime');
    const mode = page.locator('#sw-engine-mode');
    assert.equal(await mode.getAttribute('data-via'), 'runtime');
    assert.equal(await mode.getAttribute('data-pinned'), 'runtime');
    const pinnedText = (await page.locator('#sw-engine-serving').textContent()).trim();
    assert.match(pinnedText, /PHP WebAssembly runtime/, pinnedText);
    assert.match(pinnedText, /\(pinned\)/, pinnedText);
    // The per-transport measurements are still there.
    for (const via of ['socket', 'process']) {
      assert.equal(await page.locator(`#sw-engine-round-trip tr[data-via="${via}"]`).count(), 1, `${via} round trip row`);
    }
    await page.screenshot({ path: shot('engine-panel-pinned'), fullPage: true });

    if (network) {
      // Every site of the network is pinned: the second site's own Tools panel says so.
      const other = await context.newPage();
      try {
        await other.goto(`${site.sites[1].url}${SITE_PANEL}`, { waitUntil: 'load' });
        assert.equal(await other.locator('#sw-engine-mode-select').inputValue(), 'runtime', 'the second site sees the selection');
        assert.equal(await other.locator('#sw-engine-mode').getAttribute('data-pinned'), 'runtime');
        assert.equal(await other.locator('#sw-engine-mode').getAttribute('data-via'), 'runtime', 'and uses the runtime');
      } finally {
        await other.close();
      }
    }

    // Back to automatic: the daemon serves again, and the option is gone.
    await page.locator('#sw-engine-mode-select').selectOption('auto');
    await Promise.all([page.waitForURL(/sw_daemon=mode_saved/, { waitUntil: 'load' }), page.locator('#sw-engine-mode-save').click()]);
    assert.deepEqual(storedMode(), []);
    assert.equal(await page.locator('#sw-engine-mode-select').inputValue(), 'auto');
    assert.equal(await mode.getAttribute('data-pinned'), '');
    const autoText = (await page.locator('#sw-engine-serving').textContent()).trim();
    assert.match(autoText, /^daemon/, autoText);
    assert.doesNotMatch(autoText, /pinned/);
    assert.deepEqual(errors, [], 'no JavaScript errors');
  } finally {
    await context.close();
    clearEngineMode();
  }
});

test(`${tag}: the engine panel is for administrators only${network ? ' (the network admin\'s for super admins)' : ''}`, async () => {
  // An author; on a network also an administrator of the main site who is not a super admin.
  const refused = [createUser(site, 'panel-author', 'author')];
  if (network) refused.push(createUser(site, 'panel-siteadmin', 'administrator'));
  for (const user of refused) {
    const device = new Device(site);
    assert.ok((await device.login(user.login, user.password)).ok, `${user.login} signs in`);
    const res = await device.request(PANEL);
    assert.equal(res.status, 403, `${user.role} ${user.login} gets ${res.status} for ${PANEL}`);
    assert.doesNotMatch(res.body, /sw-engine-mode/);
  }
  const anonymous = await new Device(site).request(PANEL);
  assert.equal(anonymous.status, 302, 'logged out: to the login form');
  assert.match(anonymous.location, /wp-login\.php/);
});

// Multisite only: the site administrator's own Tools panel shows the engine but cannot change what the whole
// network uses (Engine_Panel::manage_capability()); a save posted with that page's own valid nonce is refused
// on the site panel and on the network's.
test(`${tag}: a site administrator's panel is read-only; a forged engine selection is refused`, network ? {} : { skip: 'single-site test bed (run with SW_MULTISITE=1)' }, async () => {
  const user = createUser(site, 'panel-siteadmin', 'administrator');
  const author = createUser(site, 'panel-author', 'author');
  const device = new Device(site);
  assert.ok((await device.login(user.login, user.password)).ok);
  try {
    const page = await device.request(SITE_PANEL);
    assert.equal(page.status, 200, 'a site administrator opens their site\'s panel');
    const select = page.body.match(/<select[^>]*id="sw-engine-mode-select"[^>]*>/)?.[0];
    assert.ok(select, 'the selection is shown');
    assert.match(select, /disabled/, 'but disabled');
    assert.doesNotMatch(page.body, /id="sw-engine-mode-save"/, 'no Save button');
    const form = page.body.match(/<form method="post"[^>]*id="sw-engine-mode-form">([\s\S]*?)<\/form>/)?.[1] ?? '';
    const nonce = form.match(/name="_wpnonce" value="([0-9a-f]+)"/)?.[1];
    assert.ok(nonce, 'the form carries a nonce');
    for (const url of [SITE_PANEL, PANEL]) {
      const res = await device.request(url, {
        method: 'POST',
        form: { _wpnonce: nonce, _wp_http_referer: SITE_PANEL, session_warden_action: 'session_warden_engine_mode_save', session_warden_engine_mode: 'runtime' },
      });
      assert.equal(res.status, 403, `a site administrator's save to ${url} gets ${res.status}`);
    }
    assert.deepEqual(storedMode(), [], 'nothing stored for the network');
    assert.deepEqual(siteOptionRows(), [], 'nor for a site');
    // An author does not even get the site's panel.
    const authorDevice = new Device(site);
    assert.ok((await authorDevice.login(author.login, author.password)).ok);
    assert.equal((await authorDevice.request(SITE_PANEL)).status, 403, 'an author is refused the site panel');
  } finally {
    clearEngineMode();
  }
});

test(`${tag}: an engine failure shows an admin notice for an hour, until dismissed (nonce'd link, per error)`, async () => {
  const failure = { op: 'gate', code: 'daemon_unreachable', message: 'cannot reach the engine daemon at /x.sock: Connection refused' };
  await withSettledEngine(() => noticeFlow(failure), () => failure.replaced);
});

async function noticeFlow(failure) {
  const saved = engineState('get');
  const now = Math.floor(Date.now() / 1000);
  failure.time = now - 60;
  const { context, page, errors } = await adminPage();
  try {
    engineState('set', { status: { ...(saved.status ?? {}), last_error: failure }, dismissed: '' });
    const notice = page.locator('#session-warden-engine-notice');
    // The site's dashboard (on a network the main site's, where the super admin is an administrator too)
    // links to the site's Tools panel; the network admin's to its own panel.
    const shown = network ? [['/wp-admin/', SITE_PANEL, 'Tools → Session Warden Engine'], [ADMIN.home, PANEL, ADMIN.where]] : [[ADMIN.home, PANEL, ADMIN.where]];
    for (const [home, panel, where] of shown) {
      await page.goto(`${site.url}${home}`, { waitUntil: 'load' });
      assert.equal(await notice.count(), 1, `the notice is shown on ${home}`);
      const text = (await notice.textContent()).replace(/\s+/g, ' ');
      assert.match(text, /Session Warden could not reach its engine at .+ \(daemon_unreachable: cannot reach the engine daemon at \/x\.sock: Connection refused\)\./);
      assert.match(text, /Logins were allowed \(fail open\) except for roles set to fail closed\./);
      assert.ok(text.includes(`See ${where}.`), text);
      assert.deepEqual(await notice.locator('a', { hasText: 'Session Warden Engine' }).evaluateAll((as) => as.map((a) => a.href)), [`${site.url}${panel}`], 'links to the panel');
    }
    await page.screenshot({ path: shot('engine-notice') });

    // The panel shows the same failure.
    await page.goto(`${site.url}${PANEL}`, { waitUntil: 'load' });
    assert.match(await page.locator('#sw-engine-last-error').textContent(), /ago\), op gate: daemon_unreachable: cannot reach the engine daemon/);

    // A Dismiss link without its nonce does nothing.
    const href = await page.locator('#session-warden-engine-notice a', { hasText: 'Dismiss' }).getAttribute('href');
    assert.match(href, /session_warden_dismiss_engine_notice=\d+.*_wpnonce=[0-9a-f]+/);
    const forged = await page.goto(new URL(href.replace(/_wpnonce=[0-9a-f]+/, '_wpnonce=0123456789'), site.url).href, { waitUntil: 'load' });
    assert.equal(forged.status(), 403, 'a bad nonce is refused');
    assert.equal(engineState('get').dismissed, '', 'nothing recorded');

    await page.goto(`${site.url}${PANEL}`, { waitUntil: 'load' });
    await Promise.all([
      page.waitForURL((url) => !url.search.includes('session_warden_dismiss'), { waitUntil: 'load' }),
      page.locator('#session-warden-engine-notice a', { hasText: 'Dismiss' }).click(),
    ]);
    assert.equal(page.url(), `${site.url}${PANEL}`, 'back on the page, without the dismiss arguments');
    assert.equal(await page.locator('#session-warden-engine-notice').count(), 0, 'gone after Dismiss');
    assert.equal(engineState('get').dismissed, String(failure.time), 'the dismissed error time is in user meta');
    for (const home of new Set([ADMIN.home, '/wp-admin/'])) {
      await page.goto(`${site.url}${home}`, { waitUntil: 'load' });
      assert.equal(await page.locator('#session-warden-engine-notice').count(), 0, `the same error stays dismissed (${home})`);
    }

    // A later failure shows again; one older than an hour does not.
    engineState('set', { status: { ...(saved.status ?? {}), last_error: { ...failure, time: now - 5 } }, dismissed: String(failure.time) });
    await page.goto(`${site.url}${ADMIN.home}`, { waitUntil: 'load' });
    assert.equal(await page.locator('#session-warden-engine-notice').count(), 1, 'a new error shows again');
    engineState('set', { status: { ...(saved.status ?? {}), last_error: { ...failure, time: now - 3700 } }, dismissed: '' });
    await page.goto(`${site.url}${ADMIN.home}`, { waitUntil: 'load' });
    assert.equal(await page.locator('#session-warden-engine-notice').count(), 0, 'not after an hour');
    assert.deepEqual(errors, [], 'no JavaScript errors');
  } finally {
    await context.close();
    // Another test's engine failure would have replaced the error this test put there.
    failure.replaced = engineState('get').status?.last_error?.message !== failure.message;
    engineState('set', { status: saved.status, dismissed: saved.dismissed ?? '' });
  }
}
