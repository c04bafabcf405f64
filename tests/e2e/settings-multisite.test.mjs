// The settings screen on a multisite network (tests/env/up.sh with SW_MULTISITE=1; skipped on single sites):
// the network admin edits the network's document (manage_network_options), a site without its own settings
// shows and uses the network's, saving on a site gives it its own, and "Use the network's settings" drops
// them again; a site administrator who is not a network administrator cannot reach the network's settings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadSite, freshUser, outputPath, php, REPO } from '../fixtures/site.mjs';
import { launchBrowser, newDeviceContext, browserLogin } from '../fixtures/browser.mjs';
import { restClient } from '../fixtures/rest-client.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version} multisite`;
const ready = site.multisite ? {} : { skip: 'single-site test bed: needs a network (tests/env/up.sh with SW_MULTISITE=1)' };
const [main, second] = site.sites ?? [];
const BOOT = JSON.stringify(join(REPO, 'tests', 'php', 'bootstrap.php'));
const inWp = (code) => JSON.parse(php(site, '-r', [`require ${BOOT}; ${code}`]));
const networkDoc = () => inWp("echo wp_json_encode( get_site_option( 'session_warden_settings', null ) );");
const siteDoc = (id) => inWp(`echo wp_json_encode( get_blog_option( ${Number(id)}, 'session_warden_settings', null ) );`);
const clear = () => inWp(`delete_site_option( 'session_warden_settings' ); delete_site_option( 'session_warden_plan' );
  foreach ( array( ${main?.id ?? 1}, ${second?.id ?? 2} ) as $b ) { delete_blog_option( $b, 'session_warden_settings' ); delete_blog_option( $b, 'session_warden_plan' ); } echo 'true';`);

let browser;
let page;

before(async () => {
  if (!site.multisite) return;
  clear();
  browser = await launchBrowser();
  const context = await newDeviceContext(browser, site);
  page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await browserLogin(page, site, site.admin.user, site.admin.password); // the network's super admin
});
after(async () => {
  if (!site.multisite) return;
  clear();
  await browser?.close();
});

const field = (path) => page.locator(`[data-field="${path}"]`);
/** A fresh load of a settings screen (a goto to the URL already open, hash included, would not reload it). */
async function open(url) {
  await page.goto('about:blank');
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.sw-savebar');
}

test(`${tag}: the network admin's screen saves the network's settings, which a site without its own uses`, ready, async () => {
  await open(`${site.url}/wp-admin/network/admin.php?page=session-warden-settings#retention`);
  assert.match(await page.textContent('h1'), /network/i);
  assert.match(await page.textContent('.sw-scope'), /every site of the network/);
  await field('retention_days').locator('input').fill('21');
  await page.click('.sw-save');
  await page.waitForSelector('.sw-notice');
  assert.match(await page.textContent('.sw-notice'), /Settings saved/);
  assert.equal(networkDoc().retention_days, 21);
  assert.equal(siteDoc(main.id), null, 'no site got a document of its own');
  await page.screenshot({ path: outputPath(`screenshots/settings-network-${site.wp_version}.png`) });

  await open(`${second.url}/wp-admin/admin.php?page=session-warden-settings#retention`);
  assert.match(await page.textContent('.sw-scope'), /uses the network’s settings/);
  assert.equal(await field('retention_days').locator('input').inputValue(), '21');
});

test(`${tag}: a site saves its own settings and goes back to the network's with one button`, ready, async () => {
  inWp(`SessionWarden\\Settings::save( array( 'retention_days' => 21 ), 'network' ) && print( 'true' );`);
  await open(`${second.url}/wp-admin/admin.php?page=session-warden-settings#retention`);
  await field('retention_days').locator('input').fill('40');
  await page.click('.sw-save');
  await page.waitForSelector('.sw-notice');
  assert.match(await page.textContent('.sw-notice'), /Settings saved/);
  assert.equal(siteDoc(second.id).retention_days, 40);
  assert.equal(networkDoc().retention_days, 21, 'the network is untouched');
  assert.match(await page.textContent('.sw-scope'), /own settings/);

  page.once('dialog', (d) => d.accept());
  await page.click('.sw-use-network');
  await page.waitForFunction(() => /network’s settings again/.test(document.querySelector('.sw-notice')?.textContent ?? ''));
  assert.equal(siteDoc(second.id), null, 'the site\'s own document is gone');
  assert.equal(await field('retention_days').locator('input').inputValue(), '21', 'the form shows the network\'s settings');
  assert.match(await page.textContent('.sw-scope'), /uses the network’s settings/);
  assert.deepEqual(page.errors, []);
});

test(`${tag}: a site administrator edits the site's settings but not the network's`, ready, async () => {
  const user = freshUser(site, 'sw-set-ms-siteadmin', 'subscriber');
  inWp(`add_user_to_blog( ${second.id}, ${user.id}, 'administrator' ); echo 'true';`);
  const client = await restClient({ ...site, url: second.url }, user);
  const base = '/second/wp-json/session-warden/v1';
  const get = async (path, query) => {
    const url = new URL(`${base}${path}`, site.url);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    const res = await fetch(url, { headers: { ...client.device.headers(), Cookie: client.device.cookieHeader(url.pathname), 'X-WP-Nonce': client.nonce } });
    return { status: res.status, json: await res.json() };
  };
  const own = await get('/settings');
  assert.equal(own.status, 200, JSON.stringify(own.json));
  assert.equal(own.json.scope, 'site');
  const network = await get('/settings', { scope: 'network' });
  assert.equal(network.status, 403, JSON.stringify(network.json));
  const geo = await get('/settings/geo');
  assert.equal(geo.status, 200);
  assert.equal(geo.json.can_upload, false, 'the country database is the network administrator\'s');
});
