// The front-end "Your sessions" block (session-warden/sessions) and shortcode ([session_warden_sessions]) in
// Chromium, on one page holding three lists (two blocks and a shortcode, one per style): a visitor who is
// not signed in sees nothing; a signed-in user ends one of their other sessions from one list and every
// list updates, and the ended browser is signed out; "Sign out everywhere else"; no element id repeats;
// the block's editor script inserts it with a live preview.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSite, wp as wpOn, php, freshUser, outputPath, REPO } from '../fixtures/site.mjs';
import { Device, UA } from '../fixtures/device.mjs';
import { launchBrowser, newDeviceContext, browserLogin } from '../fixtures/browser.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version}`;
const hooks = site.test_hooks ? {} : { skip: 'needs SW_TEST_HOOKS=1 (device addresses)' };
const wp = (command, args) => wpOn(site, command, args);

// Creates (or rewrites) the test page inside the site's WordPress; prints its address.
const PAGE_PHP = `<?php
require ${JSON.stringify(join(REPO, 'tests', 'php', 'bootstrap.php'))};
$content = implode( "\\n", array(
	'<!-- wp:paragraph --><p>Account page for the sessions lists.</p><!-- /wp:paragraph -->',
	'<!-- wp:session-warden/sessions /-->',
	'<!-- wp:session-warden/sessions {"style":"compact"} /-->',
	'<!-- wp:shortcode -->[session_warden_sessions style="minimal"]<!-- /wp:shortcode -->',
) );
$page = get_page_by_path( 'sw-front-sessions' );
$args = array( 'post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'Your account', 'post_name' => 'sw-front-sessions', 'post_content' => $content );
if ( $page ) {
	$args['ID'] = $page->ID;
}
$id = wp_insert_post( wp_slash( $args ), true );
if ( is_wp_error( $id ) ) {
	fwrite( STDERR, $id->get_error_message() );
	exit( 1 );
}
echo get_permalink( $id );
`;

let browser;
let scratch;
let pageUrl;
before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'sw-front-'));
  writeFileSync(join(scratch, 'page.php'), PAGE_PHP);
  pageUrl = php(site, join(scratch, 'page.php')).trim();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function browserFor(user, { ip, userAgent = UA.desktopChrome } = {}) {
  const context = await newDeviceContext(browser, site, { userAgent, ip });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await browserLogin(page, site, user.login, user.password);
  return { context, page, errors };
}

async function httpDevice(user, ip) {
  const device = new Device(site, { name: `${user.login}-${ip}`, ip });
  assert.ok((await device.login(user.login, user.password)).ok);
  return device;
}

/** Rows per list, in page order: [[id, …], …]. */
const listRows = (page) => page.locator('[data-sw-sessions]').evaluateAll((lists) => lists.map((l) => [...l.querySelectorAll('[data-sw-session]')].map((r) => r.getAttribute('data-sw-session'))));

test(`${tag}: a visitor who is not signed in gets the page without any sessions list or its script`, async () => {
  const res = await new Device(site).request(new URL(pageUrl).pathname + new URL(pageUrl).search);
  assert.equal(res.status, 200);
  assert.match(res.body, /Account page for the sessions lists\./);
  assert.doesNotMatch(res.body, /data-sw-sessions|sw-sessions|sessionWardenSessions|assets\/front\/sessions\.(js|css)|dashicons/, 'no markup, script or style');
});

test(`${tag}: three lists on one page (two blocks, a shortcode): ending a session in one updates all, and that browser is signed out (screenshot)`, hooks, async () => {
  const user = freshUser(site, 'front-user');
  const a = await browserFor(user, { ip: '81.2.69.91', userAgent: UA.desktopChrome });
  const b = await browserFor(user, { ip: '89.160.20.92', userAgent: UA.androidChrome });
  try {
    await a.page.goto(pageUrl, { waitUntil: 'load' });
    const lists = a.page.locator('[data-sw-sessions]');
    assert.equal(await lists.count(), 3);
    const classes = await lists.evaluateAll((ls) => ls.map((l) => l.className));
    assert.match(classes[0], /wp-block-session-warden-sessions/);
    assert.match(classes[0], /sw-sessions--default/);
    assert.match(classes[1], /sw-sessions--compact/);
    assert.match(classes[2], /sw-sessions--minimal/);
    assert.doesNotMatch(classes[2], /wp-block-/, 'the shortcode has no block wrapper');
    const ids = await a.page.evaluate(() => [...document.querySelectorAll('[id]')].map((e) => e.id));
    assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'no element id is used twice');

    let rows = await listRows(a.page);
    assert.deepEqual(rows.map((r) => r.length), [2, 2, 2]);
    assert.deepEqual(rows[1], rows[0]);
    assert.deepEqual(rows[2], rows[0]);
    // The current session is marked and has no End button; the other one has one in each list.
    assert.equal(await a.page.locator('[data-sw-sessions] .is-current').count(), 3);
    assert.equal(await a.page.locator('[data-sw-sessions] .is-current [data-sw-end]').count(), 0);
    const otherId = await a.page.locator('[data-sw-sessions] [data-sw-session]:not(.is-current)').first().getAttribute('data-sw-session');
    const defaultText = await lists.nth(0).textContent();
    assert.match(defaultText, /89\.160\.20\.92/);
    assert.match(defaultText, /Chrome \d+ on Android/);
    assert.match(defaultText, /This device/);
    assert.doesNotMatch(await lists.nth(2).textContent(), /89\.160\.20\.92/, 'minimal leaves out the address');
    await a.page.screenshot({ path: outputPath(`${tag}-front-sessions.png`), fullPage: true });

    // End it from the compact list; the page does not reload and every list drops the row.
    await a.page.evaluate(() => { window.swNoReload = true; });
    await lists.nth(1).locator(`[data-sw-end="${otherId}"]`).click();
    await a.page.waitForFunction((id) => document.querySelectorAll(`[data-sw-session="${id}"]`).length === 0, otherId);
    assert.equal(await a.page.evaluate(() => window.swNoReload), true, 'no page reload');
    rows = await listRows(a.page);
    assert.deepEqual(rows.map((r) => r.length), [1, 1, 1]);
    assert.match(await lists.nth(1).locator('.sw-sessions__status').textContent(), /The session was ended/);
    for (let i = 0; i < 3; i++) assert.equal(await lists.nth(i).locator('[data-sw-empty]').isVisible(), true, `list ${i}: nothing else signed in`);

    // The ended browser: the page shows it nothing now, and wp-admin sends it to the login form.
    await b.page.goto(pageUrl, { waitUntil: 'load' });
    assert.equal(await b.page.locator('[data-sw-sessions]').count(), 0);
    await b.page.goto(`${site.url}/wp-admin/`, { waitUntil: 'load' });
    assert.match(b.page.url(), /wp-login\.php/);
    assert.equal(wp('events', { login: user.login, type: 'session_ended' })[0]?.reason, 'by_user');

    // Two more devices; "Sign out everywhere else" from the shortcode list (asks first).
    const c = await httpDevice(user, '216.160.83.93');
    const d = await httpDevice(user, '216.160.83.94');
    await a.page.reload({ waitUntil: 'load' });
    assert.deepEqual((await listRows(a.page)).map((r) => r.length), [3, 3, 3]);
    let asked = '';
    a.page.once('dialog', (dialog) => { asked = dialog.message(); dialog.accept(); });
    await lists.nth(2).locator('[data-sw-end-others]').click();
    await a.page.waitForFunction(() => document.querySelectorAll('[data-sw-session]').length === 3);
    assert.match(asked, /Sign out of every other device\?/);
    assert.match(await lists.nth(2).locator('.sw-sessions__status').textContent(), /Signed out everywhere else \(2 sessions ended\)/);
    assert.deepEqual((await listRows(a.page)).map((r) => r.length), [1, 1, 1]);
    for (let i = 0; i < 3; i++) assert.equal(await lists.nth(i).locator('[data-sw-end-others]').isVisible(), false);
    assert.equal(await c.isLoggedIn(), false);
    assert.equal(await d.isLoggedIn(), false);
    await a.page.goto(`${site.url}/wp-admin/profile.php`, { waitUntil: 'load' });
    assert.doesNotMatch(a.page.url(), /wp-login\.php/, 'this browser stays signed in');
    assert.deepEqual([...a.errors, ...b.errors], [], 'no JavaScript errors');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test(`${tag}: without JavaScript an End button posts to admin-post.php and comes back to its list`, hooks, async () => {
  const user = freshUser(site, 'front-nojs');
  const other = await httpDevice(user, '89.160.20.95');
  const context = await browser.newContext({ userAgent: UA.desktopFirefox, javaScriptEnabled: false, extraHTTPHeaders: { [site.test_ip_header]: '81.2.69.96' } });
  const origin = new URL(site.url).origin;
  await context.route('**/*', (route) => (new URL(route.request().url()).origin === origin ? route.continue() : route.abort()));
  try {
    const page = await context.newPage();
    await browserLogin(page, site, user.login, user.password);
    await page.goto(pageUrl, { waitUntil: 'load' });
    const second = page.locator('[data-sw-sessions]').nth(1);
    const listId = await second.getAttribute('id');
    await Promise.all([page.waitForURL(/sw_sessions=ended/, { waitUntil: 'load' }), second.locator('[data-sw-end]').click()]);
    assert.ok(page.url().endsWith(`#${listId}`), `back at the list it came from (${page.url()})`);
    assert.match(await page.locator(`#${listId} .sw-sessions__status`).textContent(), /The session was ended/);
    assert.deepEqual((await listRows(page)).map((r) => r.length), [1, 1, 1]);
    assert.equal(await other.isLoggedIn(), false);
  } finally {
    await context.close();
  }
});

test(`${tag}: the block editor inserts the block with a server-rendered preview and a style setting`, async () => {
  const editor = freshUser(site, 'front-editor', 'editor');
  const a = await browserFor(editor, { ip: '81.2.69.97' });
  try {
    await a.page.goto(`${site.url}/wp-admin/post-new.php?post_type=page`, { waitUntil: 'load' });
    await a.page.waitForFunction(() => window.wp?.data?.select('core/block-editor') && window.wp.blocks.getBlockType('session-warden/sessions'));
    const type = await a.page.evaluate(() => {
      const t = window.wp.blocks.getBlockType('session-warden/sessions');
      return { title: t.title, styles: t.attributes.style.enum, def: t.attributes.style.default };
    });
    assert.deepEqual(type, { title: 'Your Sessions', styles: ['default', 'minimal', 'compact'], def: 'default' });
    await a.page.evaluate(() => {
      window.wp.data.dispatch('core/block-editor').insertBlocks(window.wp.blocks.createBlock('session-warden/sessions', { style: 'compact' }));
    });
    // The preview is the real rendering for the signed-in editor (inside the editor canvas, framed or not).
    const canvas = (await a.page.locator('iframe[name="editor-canvas"]').count()) ? a.page.frameLocator('iframe[name="editor-canvas"]') : a.page;
    const preview = canvas.locator('.wp-block-session-warden-sessions .sw-sessions--compact, .sw-sessions.sw-sessions--compact');
    await preview.first().waitFor({ timeout: 20000 });
    assert.ok((await preview.first().locator('[data-sw-session]').count()) >= 1, 'the editor\'s own session is listed');
    const saved = await a.page.evaluate(() => window.wp.data.select('core/editor').getEditedPostContent());
    assert.match(saved, /<!-- wp:session-warden\/sessions \{"style":"compact"\} \/-->/, 'a dynamic block: only the comment is saved');
    assert.deepEqual(a.errors, [], 'no JavaScript errors');
  } finally {
    await a.context.close();
  }
});
