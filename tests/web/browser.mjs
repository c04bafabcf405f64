// Headless Chromium smoke test of the browser module: a page served by a tiny static server on
// 127.0.0.1 (started and stopped here) imports assets/web/session_warden_web.js as an ES module, lets
// `init()` fetch the .wasm next to it (streaming, served as application/wasm), and asks for a verdict.
// The verdict must equal the corpus case's expected reply. Prints "PASS|FAIL <name>" lines and
// "BROWSER <passed> <failed>" last.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../fixtures/browser.mjs';
import { jsonEqual, parseJson, stringify } from './json.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const moduleDir = resolve(process.argv[2] ?? join(repo, 'wordpress-plugin/session-warden/assets/web'));
const CASE = join(repo, 'tests/corpus/flow/admit_user_limit_block.json');
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

const PAGE = `<!doctype html><meta charset="utf-8"><title>policy simulator smoke</title>
<script type="module">
  import init, { handle_json, version } from './web/session_warden_web.js';
  window.result = (async () => {
    await init();
    const request = await (await fetch('./case.json')).json();
    return { version: version(), reply: handle_json(JSON.stringify(request.request)) };
  })().catch((e) => ({ error: String(e && e.stack || e) }));
</script>`;

let passed = 0;
let failed = 0;
const report = (ok, name, why = '') => {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${ok ? '' : why}`);
};

const served = [];
const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://127.0.0.1').pathname;
  let file;
  if (path === '/') file = null;
  else if (path === '/case.json') file = CASE;
  else if (path.startsWith('/web/')) file = resolve(moduleDir, `.${path.slice(4)}`);
  if (file && file !== CASE && !file.startsWith(moduleDir + sep)) file = undefined;
  try {
    const body = file === null ? PAGE : file ? await readFile(file) : undefined;
    if (body === undefined) throw new Error('not found');
    const ext = file ? file.slice(file.lastIndexOf('.')) : '.html';
    served.push(path);
    res.writeHead(200, { 'content-type': TYPES[ext] ?? 'application/json' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

let browser;
try {
  browser = await launchBrowser();
  const context = await browser.newContext();
  // Offline: nothing but the local server.
  await context.route('**/*', (route) => (route.request().url().startsWith(`${origin}/`) ? route.continue() : route.abort()));
  const page = await context.newPage();
  const console_ = [];
  page.on('console', (m) => console_.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console_.push(`pageerror: ${e.message}`));
  await page.goto(`${origin}/`);
  const result = await page.evaluate(() => window.result);
  const expected = parseJson(await readFile(CASE, 'utf8')).get('reply');
  const got = result.reply ?? JSON.stringify(result);
  let same = false;
  try { same = jsonEqual(parseJson(got), expected); } catch { /* not JSON: reported below */ }
  report(same, 'Chromium: admit verdict from the module equals the corpus reply',
    `\n    expected ${stringify(expected)}\n    got      ${got}\n    console: ${console_.join(' | ')}`);
  report(served.includes('/web/session_warden_web_bg.wasm') && !console_.some((l) => /^(warning|error|pageerror)/.test(l)),
    'Chromium: init() fetched the .wasm next to the module, no warnings or errors',
    `\n    served ${served.join(' ')}\n    console: ${console_.join(' | ')}`);
} catch (e) {
  report(false, 'Chromium smoke', `: ${e.stack ?? e}`);
} finally {
  await browser?.close();
  server.close();
}
console.log(`BROWSER ${passed} ${failed}`);
