// Every decision case in tests/corpus/ through the browser module (crates/web, built by
// scripts/build-web.sh into wordpress-plugin/session-warden/assets/web/), loaded in Node.
//
// A case is {"description", "request": {"op", "args"}, "reply"}; the module's reply must equal "reply" as
// JSON values the way crates/policy/tests/corpus.rs compares them (serde_json's Value equality): object
// key order ignored, integers and floats kept apart (1 is not 1.0), integers exact beyond 2^53. JSON.parse
// would lose both, so the files and replies are read by the small parser in json.mjs.
//
// Usage: node corpus.mjs [-v] [module-dir]. Prints one line per failure (every case with -v) and
// "CORPUS <passed> <failed>" last.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { jsonEqual, parseJson, stringify } from './json.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const argv = process.argv.slice(2);
const verbose = argv.includes('-v');
const moduleDir = resolve(argv.find((a) => a !== '-v') ?? join(repo, 'wordpress-plugin/session-warden/assets/web'));

function cases(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...cases(path));
    else if (name.endsWith('.json')) out.push(path);
  }
  return out;
}

// --- run --------------------------------------------------------------------------------------
const mod = await import(pathToFileURL(join(moduleDir, 'session_warden_web.js')).href);
mod.initSync({ module: readFileSync(join(moduleDir, 'session_warden_web_bg.wasm')) });

let passed = 0;
let failed = 0;
const report = (ok, name, why = '') => {
  if (ok) passed++; else failed++;
  if (verbose || !ok) console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${why}`);
};

const corpus = join(repo, 'tests/corpus');
const files = cases(corpus);
if (files.length === 0) report(false, 'corpus', `: no cases under ${corpus}`);
for (const path of files) {
  const name = relative(corpus, path);
  try {
    const file = parseJson(readFileSync(path, 'utf8'));
    if (!(file instanceof Map) || !file.has('request') || !file.has('reply')) throw new Error('no "request" or "reply"');
    const reply = mod.handle_json(stringify(file.get('request')));
    const ok = jsonEqual(parseJson(reply), file.get('reply'));
    report(ok, name, ok ? '' : `\n    expected ${stringify(file.get('reply'))}\n    got      ${reply}`);
  } catch (e) {
    report(false, name, `: ${e.stack ?? e}`);
  }
}

// The two exports beyond the corpus: version() is the core's, and bad input is a reply, not a throw.
{
  const v = mod.version();
  const viaOp = parseJson(mod.handle_json('{"op":"version"}'));
  report(/^session-warden-policy \d+\.\d+\.\d+/.test(v) && viaOp.get('ok') === v, 'version() is the core\'s version op',
    `: version() = ${JSON.stringify(v)}`);
}
for (const [bad, code] of [['not json', 'bad_json'], ['[]', 'bad_request'], ['{"op":"nope"}', 'unknown_op']]) {
  let reply;
  try { reply = parseJson(mod.handle_json(bad)); } catch (e) { reply = e; }
  const ok = reply instanceof Map && reply.get('error')?.get('code') === code;
  report(ok, `handle_json(${JSON.stringify(bad)}) is an error reply`, `: ${reply instanceof Map ? stringify(reply) : reply}`);
}

console.log(`CORPUS ${passed} ${failed}`);
