// Sessions → Settings in headless Chromium: a valid change is saved and stored; a field error (a limit of 0)
// is shown next to its field and in the notice, counted on its tab, and nothing is stored; unsaved changes
// hold back navigation (beforeunload) and show in the save bar until saved or discarded; the simulator's
// verdict, computed in the browser by the policy core with unsaved settings, equals the server engine's
// verdict for the same request; export downloads the stored document and importing it (edited) saves it.
import { test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSite, freshUser, outputPath, php, REPO } from '../fixtures/site.mjs';
import { launchBrowser, newDeviceContext, browserLogin } from '../fixtures/browser.mjs';

const site = loadSite();
const tag = `wp-${site.wp_version}`;
const BOOT = JSON.stringify(join(REPO, 'tests', 'php', 'bootstrap.php'));
const SCREEN = '/wp-admin/admin.php?page=session-warden-settings';
const webModule = join(site.site, 'wp-content', 'plugins', 'session-warden', 'assets', 'web', 'session_warden_web.js');

let browser;
let signedIn; // one browser context signed in as the fixture administrator, a new page per test
let admin;
let target; // the user the saved rules are about: nobody else is limited by these tests
let original;

/** Runs PHP inside the site's WordPress and decodes what it echoes as JSON. */
const inWp = (code) => JSON.parse(php(site, '-r', [`require ${BOOT}; ${code}`]));
const storedDoc = () => inWp("echo wp_json_encode( get_option( 'session_warden_settings', null ) );");
const restore = () => inWp(original === null
  ? "SessionWarden\\Settings::reset(); echo 'true';"
  : `update_option( 'session_warden_settings', json_decode( ${JSON.stringify(JSON.stringify(original))}, true ) ); echo 'true';`);

before(async () => {
  original = storedDoc();
  admin = freshUser(site, 'sw-set-ui-admin', 'administrator');
  target = freshUser(site, 'sw-set-ui-target', 'subscriber');
  browser = await launchBrowser();
  signedIn = await newDeviceContext(browser, site);
  const page = await signedIn.newPage();
  await browserLogin(page, site, admin.login, admin.password);
  await page.close();
});
// Each test starts from the settings found before the run (an earlier test's saved rule would be a duplicate).
beforeEach(() => restore());
after(async () => {
  restore();
  await browser?.close();
});

/** A signed-in admin page on the settings screen (tab from the hash), with page errors collected. */
async function openScreen(hash = 'limits') {
  const page = await signedIn.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(`${site.url}${SCREEN}#${hash}`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.sw-settings .sw-savebar');
  return page;
}

const field = (page, path) => page.locator(`[data-field="${path}"]`);
const save = async (page) => {
  await page.click('.sw-save');
  await page.waitForSelector('.sw-notice');
};

test(`${tag}: a valid change is saved and stored, and the screen shows it saved`, async () => {
  const page = await openScreen('limits');
  try {
    const n = await page.evaluate(() => (window.sessionWardenSettings.initial.settings.users ?? []).length);
    await page.fill('.sw-add input[type="number"]', String(target.id));
    await page.getByRole('button', { name: 'Add a rule for this user' }).click();
    await field(page, `users[${n}].rule.limits`).getByRole('checkbox').check();
    await field(page, `users[${n}].rule.limits`).getByRole('button', { name: 'Add a limit' }).click();
    await field(page, `users[${n}].rule.limits[0].max`).locator('input').fill('2');
    await field(page, `users[${n}].rule.mode`).locator('select').selectOption('block');
    // A field on another tab goes with the same Save.
    await page.click('#sw-tab-notifications');
    await field(page, 'notifications.limit_ended').getByRole('checkbox').check();
    await page.waitForSelector('.sw-unsaved');
    await save(page);
    assert.match(await page.textContent('.sw-notice'), /Settings saved/);
    assert.equal(await page.locator('.sw-unsaved').count(), 0, 'no unsaved changes left');
    await page.screenshot({ path: outputPath(`screenshots/settings-saved-${tag}.png`) });

    const rule = storedDoc().users.find((u) => u.user_id === target.id);
    assert.ok(rule, 'the rule is stored');
    assert.deepEqual(rule.rule.limits, [{ kind: 'user', max: 2 }]);
    assert.equal(rule.rule.mode, 'block');
    assert.equal(storedDoc().notifications.limit_ended, true);
    await page.click('#sw-tab-limits');
    // The screen's name for the user (looked up when the ID was typed).
    assert.match(await page.locator('.sw-user-label').nth(n).textContent(), /sw-set-ui-target/);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test(`${tag}: a field error is shown next to its field and in the notice, and nothing is stored`, async () => {
  const page = await openScreen('limits');
  try {
    const before = storedDoc();
    const defaults = page.locator('.sw-section').first();
    const n = await page.evaluate(() => (window.sessionWardenSettings.initial.settings.defaults.limits ?? []).length);
    await defaults.getByRole('button', { name: 'Add a limit' }).click();
    await field(page, `defaults.limits[${n}].max`).locator('input').fill('0');
    // A second error on another tab: the retention.
    await page.click('#sw-tab-retention');
    await field(page, 'retention_days').locator('input').fill('0');
    await page.click('#sw-tab-limits');
    await save(page);

    const notice = page.locator('.sw-notice');
    assert.match(await notice.textContent(), /not saved/);
    assert.match(await notice.textContent(), new RegExp(`defaults\\.limits\\[${n}\\]\\.max`));
    const error = field(page, `defaults.limits[${n}].max`).locator('.sw-field-error');
    assert.match(await error.textContent(), /0 sessions would lock everyone out/);
    assert.ok(await field(page, `defaults.limits[${n}].max`).evaluate((el) => el.classList.contains('has-error')));
    assert.equal(await page.locator('#sw-tab-retention .sw-tab-errors').textContent(), '1');
    assert.equal(await page.locator('#sw-tab-limits .sw-tab-errors').textContent(), '1');
    await page.screenshot({ path: outputPath(`screenshots/settings-field-error-${tag}.png`) });
    await page.click('#sw-tab-retention');
    assert.match(await field(page, 'retention_days').locator('.sw-field-error').textContent(), /between 1 and 3650/);

    assert.deepEqual(storedDoc(), before, 'nothing was stored');
    assert.equal(await page.locator('.sw-unsaved').count(), 1, 'the changes are still there, unsaved');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test(`${tag}: unsaved changes are announced and hold back leaving the page until discarded`, async () => {
  const page = await openScreen('retention');
  try {
    assert.equal(await page.locator('.sw-unsaved').count(), 0);
    await field(page, 'retention_days').locator('input').fill('12');
    assert.match(await page.textContent('.sw-unsaved'), /unsaved changes/);

    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.type()); d.dismiss().catch(() => {}); });
    await page.click('#adminmenu a[href="index.php"]');
    await page.waitForTimeout(500);
    assert.deepEqual(dialogs, ['beforeunload'], 'the browser asks before leaving');
    assert.match(page.url(), /page=session-warden-settings/, 'still on the screen');
    await page.screenshot({ path: outputPath(`screenshots/settings-unsaved-${tag}.png`) });

    await page.getByRole('button', { name: 'Discard changes' }).click();
    assert.equal(await page.locator('.sw-unsaved').count(), 0);
    assert.notEqual(await field(page, 'retention_days').locator('input').inputValue(), '12');
    await Promise.all([page.waitForURL(/\/wp-admin\/(index\.php)?$/), page.click('#adminmenu a[href="index.php"]')]);
    assert.deepEqual(dialogs, ['beforeunload'], 'no question once nothing is unsaved');
  } finally {
    await page.close();
  }
});

test(`${tag}: the simulator's verdict with unsaved settings is the server engine's verdict`, { skip: !existsSync(webModule) && 'the browser engine (assets/web) is not built into this plugin' }, async () => {
  const page = await openScreen('limits');
  try {
    // An unsaved rule: the target may have one session, and a second sign-in is refused.
    const n = await page.evaluate(() => (window.sessionWardenSettings.initial.settings.users ?? []).filter((u) => u.user_id !== 0).length);
    await page.fill('.sw-add input[type="number"]', String(target.id));
    await page.getByRole('button', { name: 'Add a rule for this user' }).click();
    await field(page, `users[${n}].rule.limits`).getByRole('checkbox').check();
    await field(page, `users[${n}].rule.limits`).getByRole('button', { name: 'Add a limit' }).click();
    await field(page, `users[${n}].rule.mode`).locator('select').selectOption('block');

    await page.click('#sw-tab-simulator');
    await page.getByLabel('User ID').fill(String(target.id));
    await page.waitForSelector('.sw-verdict');

    const compare = async () => {
      await page.locator('.sw-sim-raw summary').click().catch(() => {});
      const request = JSON.parse(await page.locator('.sw-sim-request').textContent());
      const reply = JSON.parse(await page.locator('.sw-sim-reply').textContent());
      assert.equal(request.op, 'admit');
      const server = inWp(`echo wp_json_encode( SessionWarden\\Engine::ask( 'admit', json_decode( ${JSON.stringify(JSON.stringify(request.args))}, true ) ) );`);
      assert.deepEqual(reply.ok, server, 'the browser and the server engine agree');
      return reply.ok;
    };

    assert.equal(await page.locator('.sw-verdict').getAttribute('data-action'), 'block');
    assert.match(await page.textContent('.sw-verdict'), /Sign-in refused/);
    await page.locator('.sw-verdict').scrollIntoViewIfNeeded();
    await page.screenshot({ path: outputPath(`screenshots/settings-simulator-${tag}.png`) });
    const refused = await compare();
    assert.equal(refused.verdict.action, 'block');
    assert.equal(refused.verdict.reason, 'limit_user');

    // Another mode, still unsaved: the oldest session makes room.
    await page.click('#sw-tab-limits');
    await field(page, `users[${n}].rule.mode`).locator('select').selectOption('logout_oldest');
    await page.click('#sw-tab-simulator');
    await page.waitForSelector('.sw-verdict[data-action="allow"]');
    const allowed = await compare();
    assert.deepEqual(allowed.verdict.destroy, ['session-1']);
    assert.equal(allowed.verdict.reason, 'limit_user');

    // An address on the deny list, typed in the simulator (settings unsaved, server asked the same).
    await page.click('#sw-tab-idle');
    await field(page, 'defaults.ip_deny').locator('textarea').fill('203.0.113.0/24');
    await page.click('#sw-tab-simulator');
    await page.waitForSelector('.sw-verdict[data-reason="ip_denied"]');
    assert.equal((await compare()).verdict.reason, 'ip_denied');

    assert.equal(storedDoc()?.users?.some((u) => u.user_id === target.id && u.rule.mode === 'logout_oldest') ?? false, false, 'nothing of this was saved');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test(`${tag}: export downloads the stored settings, and importing the file (edited) saves it`, async () => {
  const page = await openScreen('retention');
  try {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.sw-export')]);
    assert.match(download.suggestedFilename(), /^session-warden-settings-.+\.json$/);
    const file = JSON.parse(await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8')));
    const stored = storedDoc();
    assert.equal(file.version, stored?.version ?? file.version);
    assert.equal(file.retention_days, stored?.retention_days ?? 90);

    const edited = { ...file, retention_days: 77 };
    await page.locator('.sw-savebar input[type="file"]').setInputFiles({ name: 'settings.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(edited)) });
    await page.waitForSelector('.sw-notice');
    assert.match(await page.textContent('.sw-notice'), /Imported and saved the settings from settings\.json/);
    assert.equal(storedDoc().retention_days, 77);
    assert.equal(await field(page, 'retention_days').locator('input').inputValue(), '77', 'the form shows what was imported');

    // A file with a mistake: refused with the engine's message, nothing stored.
    await page.locator('.sw-savebar input[type="file"]').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...file, retention_days: -1 })) });
    await page.waitForSelector('.sw-notice .sw-error-list');
    assert.match(await page.textContent('.sw-notice'), /retention_days/);
    assert.equal(storedDoc().retention_days, 77);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test(`${tag}: the proxies tab shows the address the engine detects for this browser`, { skip: !site.test_hooks && 'needs SW_TEST_HOOKS=1' }, async () => {
  const context = await newDeviceContext(browser, site, { ip: '89.160.20.112' });
  const page = await context.newPage();
  try {
    await browserLogin(page, site, admin.login, admin.password);
    await page.goto(`${site.url}${SCREEN}#proxies`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.sw-detected-ip');
    assert.equal((await page.textContent('.sw-detected-ip')).trim(), '89.160.20.112');
    if (site.geo_db) assert.match(await page.textContent('.sw-detected-saved'), /SE/);
    await page.screenshot({ path: outputPath(`screenshots/settings-detected-ip-${tag}.png`) });
  } finally {
    await context.close();
  }
});
