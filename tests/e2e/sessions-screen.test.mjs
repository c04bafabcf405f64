// The Sessions screen (wp-admin → Sessions) in Chromium: an administrator ends another user's session and
// that device's next request is signed out; filters, search, sorting and pagination narrow the real list;
// bulk end, "End all for this user" and "Log everyone out" (with its confirmation); subscribers are refused.
// Other test files add and end sessions at the same time, so every check is scoped to this file's users
// (searched by their login prefix) and the test's own administrator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadSite, wp as wpOn, php, freshUser, outputPath, sql, REPO } from '../fixtures/site.mjs';
import { Device, UA } from '../fixtures/device.mjs';
import { launchBrowser, newDeviceContext, browserLogin } from '../fixtures/browser.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version}`;
const hooks = site.test_hooks ? {} : { skip: 'needs SW_TEST_HOOKS=1 (device addresses and countries)' };
const wp = (command, args) => wpOn(site, command, args);
const SCREEN = '/wp-admin/admin.php?page=session-warden';
// Addresses in the test country database (tests/fixtures/README.md).
const IP = { GB: '81.2.69.', SE: '89.160.20.', US: '216.160.83.' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function signedIn(user, { ip, userAgent = UA.desktopChrome } = {}) {
  const device = new Device(site, { name: user.login, ip, userAgent });
  const res = await device.login(user.login, user.password);
  assert.ok(res.ok, `${user.login} signs in (${res.status})`);
  return device;
}

/** A fresh administrator of this file in Chromium (the test bed's super admin when superAdmin on a network). */
async function adminPage(login, { superAdmin = false } = {}) {
  const admin = superAdmin && site.multisite
    ? { id: Number(sql(site, `SELECT ID FROM ${site.db.prefix}users WHERE user_login = '${site.admin.user}'`)[0][0]), login: site.admin.user, password: site.admin.password }
    : freshUser(site, login, 'administrator');
  // A Screen Options page size saved by an earlier run on this site would change what the first page shows.
  sql(site, `DELETE FROM ${site.db.prefix}usermeta WHERE user_id = ${Number(admin.id)} AND meta_key LIKE '%session_warden_sessions_per_page'`);
  const context = await newDeviceContext(browser, site, { userAgent: UA.desktopFirefox, ip: `${IP.SE}200` });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await browserLogin(page, site, admin.login, admin.password);
  return { admin, context, page, errors };
}

async function open(page, query = '') {
  const res = await page.goto(`${site.url}${SCREEN}${query}`, { waitUntil: 'load' });
  assert.equal(res.status(), 200, `the screen answers 200 (${page.url()})`);
}

/** Rows as { login, id, cells } in table order. */
async function rows(page) {
  return page.locator('#the-list tr[data-sw-session]').evaluateAll((trs) => trs.map((tr) => ({
    id: tr.getAttribute('data-sw-session'),
    login: tr.querySelector('.sw-user-login')?.textContent.trim(),
    roles: tr.querySelector('td.column-roles')?.textContent.trim(),
    device: tr.querySelector('td.column-device .sw-device__label')?.textContent.trim(),
    deviceClass: tr.querySelector('td.column-device .sw-device-class')?.textContent.trim(),
    ip: tr.querySelector('td.column-ip')?.textContent.trim(),
    country: tr.querySelector('td.column-country')?.textContent.trim(),
    flags: [...tr.querySelectorAll('td.column-flags [data-sw-flag]')].map((b) => b.getAttribute('data-sw-flag')),
    you: !!tr.querySelector('.sw-badge--you'),
  })));
}

/** Submits the table form with a click and waits for the redirect back to the screen. */
async function submitAndWait(page, click, urlPart) {
  await Promise.all([page.waitForURL((u) => u.href.includes('page=session-warden') && u.href.includes(urlPart), { waitUntil: 'load' }), click()]);
}

const notice = async (page) => (await page.locator('#sw-sessions-notice').textContent()).trim();

test(`${tag}: a subscriber can neither open nor post to the Sessions screen, and has no menu entry`, async () => {
  const user = freshUser(site, 'scrn-subscriber');
  const device = await signedIn(user);
  const dashboard = await device.request('/wp-admin/profile.php');
  assert.equal(dashboard.status, 200);
  assert.doesNotMatch(dashboard.body, /toplevel_page_session-warden/, 'no Sessions menu for a subscriber');
  const res = await device.request(SCREEN);
  assert.equal(res.status, 403);
  assert.doesNotMatch(res.body, /data-sw-session=/);
  const post = await device.request(SCREEN, { method: 'POST', form: { session_warden_logout_all: '1' } });
  assert.equal(post.status, 403, 'a POST is refused before any action');
  const anonymous = await new Device(site).request(SCREEN);
  assert.equal(anonymous.status, 302);
  assert.match(anonymous.location, /wp-login\.php/);
});

test(`${tag}: an administrator ends another user's session from the screen; that device is signed out on its next request (screenshot)`, hooks, async () => {
  const victim = freshUser(site, 'scrn-victim', 'editor');
  const device = await signedIn(victim, { ip: `${IP.GB}20`, userAgent: UA.desktopChrome });
  assert.ok(await device.isLoggedIn());
  const { admin, context, page, errors } = await adminPage('scrn-admin-end');
  try {
    // Through the menu, like an administrator would.
    await page.goto(`${site.url}/wp-admin/`, { waitUntil: 'load' });
    const menu = page.locator('#toplevel_page_session-warden > a');
    assert.equal((await menu.locator('.wp-menu-name').textContent()).trim(), 'Sessions');
    await Promise.all([page.waitForURL(/page=session-warden/, { waitUntil: 'load' }), menu.click()]);
    assert.equal((await page.locator('#session-warden-sessions h1').textContent()).trim(), 'Sessions');

    // Search for the victim by login through the search box.
    await page.fill('#sw-sessions-search-input', 'scrn-victim');
    await submitAndWait(page, () => page.press('#sw-sessions-search-input', 'Enter'), 's=scrn-victim');
    let list = await rows(page);
    assert.equal(list.length, 1, JSON.stringify(list));
    const [row] = list;
    assert.equal(row.login, 'scrn-victim');
    assert.equal(row.roles, 'Editor');
    assert.equal(row.ip, `${IP.GB}20`);
    assert.match(row.country, /GB/);
    assert.match(row.device, /Chrome/);
    assert.match(row.deviceClass, /Desktop/);
    assert.deepEqual(row.flags, []);
    assert.equal(row.you, false);
    await page.screenshot({ path: outputPath(`${tag}-sessions-screen-search.png`), fullPage: true });

    // The administrator's own session is marked and cannot be bulk-selected.
    await open(page, `&s=${admin.login}`);
    list = await rows(page);
    assert.equal(list.length, 1);
    assert.equal(list[0].you, true, '"This is you" on the viewer\'s session');
    assert.equal(await page.locator('#the-list tr.sw-is-current input[name="sessions[]"]').count(), 0);

    // End it through the row action (shown on hover).
    await open(page, '&s=scrn-victim');
    const tr = page.locator(`#the-list tr[data-sw-session="${row.id}"]`);
    await tr.hover();
    await submitAndWait(page, () => tr.locator('button.sw-end-session').click(), 'sw_done=ended');
    assert.match(await notice(page), /^1 session ended\./);
    assert.equal((await rows(page)).length, 0, 'gone from the list');
    assert.match(await page.locator('#the-list .no-items').textContent(), /No active sessions match these filters\./);
    assert.doesNotMatch(page.url(), /sw_end_one|_wpnonce/, 'no action in the address');

    assert.equal(await device.isLoggedIn(), false, "the victim's next request is signed out");
    const ended = wp('events', { login: victim.login, type: 'session_ended' });
    assert.equal(ended[0]?.reason, 'by_admin');
    assert.deepEqual(errors, [], 'no JavaScript errors');
  } finally {
    await context.close();
  }
});

test(`${tag}: filters (role, country, device class, flag), search, sort and pagination narrow the list`, hooks, async () => {
  const gb = freshUser(site, 'scrf-gb');
  const se = freshUser(site, 'scrf-se', 'editor');
  const us = freshUser(site, 'scrf-us', 'author');
  const fl = freshUser(site, 'scrf-flag');
  // Distinct sign-in times (they have one-second resolution), oldest first: gb, se, us, flag (both). Real
  // waits rather than ageing the records: an aged session would fall behind a site-wide logout epoch that
  // another test file may have set meanwhile.
  await signedIn(gb, { ip: `${IP.GB}31`, userAgent: UA.desktopChrome });
  await sleep(1100);
  await signedIn(se, { ip: `${IP.SE}32`, userAgent: UA.iphoneSafari });
  await sleep(1100);
  await signedIn(us, { ip: `${IP.US}33`, userAgent: UA.ipad });
  await sleep(1100);
  await signedIn(fl, { ip: `${IP.GB}34`, userAgent: UA.desktopChrome });
  const second = await signedIn(fl, { ip: `${IP.US}35`, userAgent: UA.androidChrome });
  assert.ok(await second.isLoggedIn()); // a request from a second country at once raises the flag

  const { context, page, errors } = await adminPage('screens-admin-f');
  try {
    await open(page, '&s=scrf-');
    let list = await rows(page);
    assert.deepEqual(list.map((r) => r.login).sort(), ['scrf-flag', 'scrf-flag', 'scrf-gb', 'scrf-se', 'scrf-us'], 'search by login part');
    assert.equal((await page.locator('.tablenav.top .displaying-num').textContent()).trim(), '5 items');
    const flagged = list.filter((r) => r.flags.includes('country_anomaly'));
    assert.equal(flagged.length, 1, 'one flagged session');
    assert.equal(flagged[0].ip, `${IP.US}35`);
    assert.match(list.find((r) => r.login === 'scrf-se').deviceClass, /Mobile/);
    assert.match(list.find((r) => r.login === 'scrf-us').deviceClass, /Tablet/);

    // Search by IP address.
    await open(page, `&s=${IP.SE}32`);
    assert.deepEqual((await rows(page)).map((r) => r.login), ['scrf-se']);

    // Role filter, through the form (the view stays a GET address).
    await open(page, '&s=scrf-');
    await page.selectOption('#sw-filter-role', 'editor');
    await submitAndWait(page, () => page.click('#sw-filter-submit'), 'role=editor');
    assert.match(page.url(), /s=scrf-/, 'the search is kept');
    assert.deepEqual((await rows(page)).map((r) => r.login), ['scrf-se']);
    assert.equal(await page.locator('#sw-filter-role').inputValue(), 'editor');

    // Country, typed in lower case.
    await page.selectOption('#sw-filter-role', '');
    await page.fill('#sw-filter-country', 'us');
    await submitAndWait(page, () => page.click('#sw-filter-submit'), 'country=US');
    assert.deepEqual((await rows(page)).map((r) => r.login).sort(), ['scrf-flag', 'scrf-us']);
    // A country that is not a two-letter code is refused with a message, not ignored silently.
    await page.fill('#sw-filter-country', 'x1');
    await submitAndWait(page, () => page.click('#sw-filter-submit'), 'sw_error=country');
    assert.match(await notice(page), /two-letter country code/);

    // Device class and flag.
    await open(page, '&s=scrf-&device_class=tablet');
    assert.deepEqual((await rows(page)).map((r) => r.login), ['scrf-us']);
    await open(page, '&s=scrf-');
    await page.selectOption('#sw-filter-device', 'mobile');
    await submitAndWait(page, () => page.click('#sw-filter-submit'), 'device_class=mobile');
    assert.deepEqual((await rows(page)).map((r) => r.login).sort(), ['scrf-flag', 'scrf-se'], 'iPhone and Android');
    await page.selectOption('#sw-filter-device', '');
    await page.selectOption('#sw-filter-flag', 'country_anomaly');
    await submitAndWait(page, () => page.click('#sw-filter-submit'), 'flag=country_anomaly');
    list = await rows(page);
    assert.deepEqual(list.map((r) => [r.login, r.ip]), [['scrf-flag', `${IP.US}35`]]);
    await page.screenshot({ path: outputPath(`${tag}-sessions-screen-flagged.png`), fullPage: true });
    // A country link in a row filters by it, keeping the rest of the view.
    await open(page, '&s=scrf-');
    await Promise.all([page.waitForURL(/country=SE/, { waitUntil: 'load' }), page.locator('#the-list td.column-country a', { hasText: 'SE' }).first().click()]);
    assert.deepEqual((await rows(page)).map((r) => r.login), ['scrf-se']);

    // Sorting by sign-in time, through the column header: newest first, then oldest first.
    await open(page, '&s=scrf-');
    await Promise.all([page.waitForURL(/orderby=login&order=desc/, { waitUntil: 'load' }), page.locator('th#login a').click()]);
    assert.deepEqual((await rows(page)).map((r) => r.login), ['scrf-flag', 'scrf-flag', 'scrf-us', 'scrf-se', 'scrf-gb']);
    await Promise.all([page.waitForURL(/orderby=login&order=asc/, { waitUntil: 'load' }), page.locator('th#login a').click()]);
    assert.deepEqual((await rows(page)).map((r) => r.login), ['scrf-gb', 'scrf-se', 'scrf-us', 'scrf-flag', 'scrf-flag']);
    await open(page, '&s=scrf-&orderby=last_activity&order=asc');
    assert.equal((await rows(page))[0].login, 'scrf-gb', 'the longest idle first');

    // Pagination: two per page through Screen Options, three pages that together hold all five.
    await page.click('#show-settings-link');
    await page.fill('#session_warden_sessions_per_page', '2');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#screen-options-apply')]);
    await open(page, '&s=scrf-&orderby=login&order=asc');
    assert.equal((await page.locator('.tablenav.top .total-pages').textContent()).trim(), '3');
    const seen = [];
    for (let p = 1; p <= 3; p++) {
      const pageRows = await rows(page);
      assert.equal(pageRows.length, p < 3 ? 2 : 1, `page ${p}`);
      seen.push(...pageRows.map((r) => r.login));
      if (p < 3) await Promise.all([page.waitForURL(new RegExp(`paged=${p + 1}`), { waitUntil: 'load' }), page.locator('.tablenav.top a.next-page').click()]);
    }
    assert.deepEqual(seen, ['scrf-gb', 'scrf-se', 'scrf-us', 'scrf-flag', 'scrf-flag'], 'every session once, in order');
    // A page number typed into the box, and one past the end goes to the last page.
    await page.fill('#current-page-selector', '2');
    await submitAndWait(page, () => page.press('#current-page-selector', 'Enter'), 'paged=2');
    assert.deepEqual((await rows(page)).map((r) => r.login), ['scrf-us', 'scrf-flag']);
    await page.goto(`${site.url}${SCREEN}&s=scrf-&orderby=login&order=asc&paged=9`, { waitUntil: 'load' });
    assert.match(page.url(), /paged=3/);
    assert.deepEqual(errors, [], 'no JavaScript errors');
  } finally {
    await context.close();
  }
});

test(`${tag}: bulk "End selected sessions" and "End all for this user" (confirmed) sign those devices out`, hooks, async () => {
  const one = freshUser(site, 'scrb-one');
  const two = freshUser(site, 'scrb-two', 'author');
  const three = freshUser(site, 'scrb-three');
  const oneA = await signedIn(one, { ip: `${IP.GB}41` });
  const oneB = await signedIn(one, { ip: `${IP.GB}42`, userAgent: UA.iphoneSafari });
  const twoA = await signedIn(two, { ip: `${IP.SE}43` });
  const threeA = await signedIn(three, { ip: `${IP.US}44` });
  const { context, page, errors } = await adminPage('screens-admin-b');
  try {
    await open(page, '&s=scrb-');
    assert.equal((await rows(page)).length, 4);

    // Nothing selected: a clear message, nothing ended.
    await page.selectOption('#bulk-action-selector-top', 'end');
    await submitAndWait(page, () => page.click('#doaction'), 'sw_done=none');
    assert.match(await notice(page), /Select at least one session/);

    for (const login of ['scrb-two', 'scrb-three']) {
      await page.locator('#the-list tr', { has: page.locator('.sw-user-login', { hasText: login }) }).locator('input[name="sessions[]"]').check();
    }
    await page.selectOption('#bulk-action-selector-top', 'end');
    await submitAndWait(page, () => page.click('#doaction'), 'sw_done=ended');
    assert.match(await notice(page), /^2 sessions ended\./);
    assert.match(page.url(), /s=scrb-/, 'back on the same view');
    assert.deepEqual((await rows(page)).map((r) => r.login), ['scrb-one', 'scrb-one']);
    assert.equal(await twoA.isLoggedIn(), false);
    assert.equal(await threeA.isLoggedIn(), false);
    assert.ok(await oneA.isLoggedIn(), 'not selected, still signed in');

    // End all for this user: asks first; dismissing does nothing.
    const tr = page.locator('#the-list tr').first();
    await tr.hover();
    page.once('dialog', (d) => d.dismiss());
    await tr.locator('button.sw-end-user').click();
    await page.waitForTimeout(300);
    assert.equal((await rows(page)).length, 2, 'dismissed: nothing ended');
    let message = '';
    page.once('dialog', (d) => { message = d.message(); d.accept(); });
    await tr.hover();
    await submitAndWait(page, () => tr.locator('button.sw-end-user').click(), 'sw_done=user');
    assert.match(message, /End every session of scrb-one\?/);
    assert.match(await notice(page), /All 2 sessions of scrb-one ended\./);
    assert.equal((await rows(page)).length, 0);
    assert.equal(await oneA.isLoggedIn(), false);
    assert.equal(await oneB.isLoggedIn(), false);
    assert.ok(wp('events', { login: one.login, type: 'session_ended' }).every((e) => e.reason === 'by_admin'));
    await page.screenshot({ path: outputPath(`${tag}-sessions-screen-ended.png`), fullPage: true });
    assert.deepEqual(errors, [], 'no JavaScript errors');
  } finally {
    await context.close();
  }
});

test(`${tag}: "Log everyone out" (confirmed) signs every session out; the administrator who clicked stays signed in`, hooks, async () => {
  const victim = freshUser(site, 'scrl-victim');
  const device = await signedIn(victim, { ip: `${IP.GB}51` });
  // On a network only network administrators may log everyone out (it ends sessions on every site).
  const { admin, context, page, errors } = await adminPage('scrl-admin', { superAdmin: true });
  try {
    await open(page, '&s=scrl-');
    assert.equal((await rows(page)).length, site.multisite ? 1 : 2);
    // Sessions that begin in the epoch's second survive it: click in a later second.
    await sleep(1100);
    let message = '';
    page.once('dialog', (d) => { message = d.message(); d.accept(); });
    await Promise.all([page.waitForURL(/sw_done=logout_all/, { waitUntil: 'load' }), page.click('#sw-logout-all')]);
    assert.match(message, /Sign out every user on every device\?/);
    assert.match(await notice(page), /Everyone was signed out/);
    assert.equal(await device.isLoggedIn(), false, 'the other user is signed out');
    assert.match(page.url(), /s=scrl-/);
    assert.deepEqual((await rows(page)).filter((r) => !r.you).map((r) => r.login), [], 'the other user\'s session is gone from the list');
    await open(page, `&user=${admin.id}`);
    const mine = (await rows(page)).filter((r) => r.you);
    assert.deepEqual(mine.map((r) => r.login), [admin.login], 'the administrator has a new current session');
    // Still signed in on the next request too.
    await open(page, '');
    assert.equal(await page.locator('#session-warden-sessions').count(), 1);
    assert.deepEqual(errors, [], 'no JavaScript errors');
  } finally {
    // Other test files run at the same time: drop the epoch again at once (a network option on multisite).
    if (site.multisite) sql(site, `DELETE FROM ${site.db.prefix}sitemeta WHERE meta_key = 'session_warden_epoch'`);
    else sql(site, `DELETE FROM ${site.db.prefix}options WHERE option_name = 'session_warden_epoch'`);
    await context.close();
  }
});

// Multisite only (tests/env/up.sh with SW_MULTISITE=1; skipped on single sites): the same screen in the
// network admin for a super admin, whose actions stay in the network admin.
test(`${tag}: network admin → Sessions lists and ends sessions for a super admin (multisite)`, site.multisite ? hooks : { skip: 'single-site test bed (run with SW_MULTISITE=1)' }, async () => {
  const user = freshUser(site, 'scrm-member', 'editor');
  const device = await signedIn(user, { ip: `${IP.GB}61` });
  const context = await newDeviceContext(browser, site, { userAgent: UA.desktopFirefox, ip: `${IP.SE}62` });
  const page = await context.newPage();
  try {
    await browserLogin(page, site, site.admin.user, site.admin.password);
    await page.goto(`${site.url}/wp-admin/network/`, { waitUntil: 'load' });
    const menu = page.locator('#toplevel_page_session-warden > a');
    assert.equal(await menu.count(), 1, 'Sessions is in the network admin menu');
    await Promise.all([page.waitForURL(/network\/admin\.php\?page=session-warden/, { waitUntil: 'load' }), menu.click()]);
    await page.goto(`${site.url}/wp-admin/network/admin.php?page=session-warden&s=scrm-member`, { waitUntil: 'load' });
    const list = await rows(page);
    assert.deepEqual(list.map((r) => r.login), ['scrm-member']);
    const tr = page.locator('#the-list tr[data-sw-session]').first();
    await tr.hover();
    await Promise.all([page.waitForURL(/network\/admin\.php\?page=session-warden.*sw_done=ended/, { waitUntil: 'load' }), tr.locator('button.sw-end-session').click()]);
    assert.match(await notice(page), /^1 session ended\./);
    assert.equal(await device.isLoggedIn(), false);
    await page.screenshot({ path: outputPath(`${tag}-sessions-screen-network.png`), fullPage: true });
  } finally {
    await context.close();
  }
});

// Multisite only: a site administrator (not a super admin) sees the network's sessions on their site's
// screen but may end only those of their site's members, never a super admin's, and may not log the whole
// network out; the refusals hold for forged requests too (the same rule as the REST API).
test(`${tag}: a site administrator on a network ends members' sessions only, never a super admin's (multisite)`, site.multisite ? hooks : { skip: 'single-site test bed (run with SW_MULTISITE=1)' }, async () => {
  const second = site.sites[1];
  const onSecond = (command, args) => JSON.parse(php(site, join(REPO, 'tests', 'fixtures', 'wp.php'), [`--blog=${second.id}`, command, JSON.stringify(args)]));
  const siteAdmin = freshUser(site, 'scrm-siteadmin');
  assert.deepEqual(onSecond('role', { login: siteAdmin.login, role: 'administrator' }), ['administrator']);
  const member = freshUser(site, 'scrm-second-member');
  onSecond('role', { login: member.login, role: 'subscriber' });
  const memberDevice = await signedIn(member, { ip: `${IP.GB}71` });
  const superDevice = new Device(site, { ip: `${IP.US}72` });
  assert.ok((await superDevice.login(site.admin.user, site.admin.password)).ok);
  const [[superId]] = sql(site, `SELECT ID FROM ${site.db.prefix}users WHERE user_login = '${site.admin.user}'`);

  const context = await newDeviceContext(browser, site, { userAgent: UA.desktopFirefox, ip: `${IP.SE}73` });
  const page = await context.newPage();
  try {
    await browserLogin(page, site, siteAdmin.login, siteAdmin.password);
    const screen = `${second.url}/wp-admin/admin.php?page=session-warden`;
    await page.goto(`${screen}&user=${superId}`, { waitUntil: 'load' });
    assert.ok((await rows(page)).length >= 1, "the super admin's sessions are listed");
    assert.equal(await page.locator('#sw-logout-all').count(), 0, 'no "Log everyone out" for a site administrator');
    assert.equal(await page.locator('#the-list button.sw-end-session, #the-list button.sw-end-user, #the-list input[name="sessions[]"]').count(), 0, "no way to end a super admin's session");

    // A forged "End session" for the super admin's session, with a valid nonce of this form.
    const target = (await rows(page))[0].id;
    await Promise.all([
      page.waitForURL(/sw_denied=1/, { waitUntil: 'load' }),
      page.evaluate((id) => {
        const b = Object.assign(document.createElement('button'), { type: 'submit', name: 'sw_end_one', value: id });
        document.getElementById('sw-sessions-form').appendChild(b);
        b.click();
      }, target),
    ]);
    assert.match(await notice(page), /not ended: you may not manage its user/);
    assert.ok(await superDevice.isLoggedIn(), "the super admin's session is untouched");
    // Forged "Log everyone out": refused.
    const res = await page.evaluate(async (url) => (await fetch(url, { method: 'POST', body: new URLSearchParams({ session_warden_logout_all: '1', _wpnonce: 'x' }) })).status, screen);
    assert.equal(res, 403);

    // A member of the site: ended.
    await page.goto(`${screen}&s=scrm-second-member`, { waitUntil: 'load' });
    const tr = page.locator('#the-list tr[data-sw-session]').first();
    await tr.hover();
    await Promise.all([page.waitForURL(/second\/wp-admin\/admin\.php\?page=session-warden.*sw_done=ended/, { waitUntil: 'load' }), tr.locator('button.sw-end-session').click()]);
    assert.match(await notice(page), /^1 session ended\./);
    assert.equal(await memberDevice.isLoggedIn(), false);
  } finally {
    await context.close();
  }
});
