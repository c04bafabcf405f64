//! Session Warden's policy core in the browser.
//!
//! The settings screen's simulator shows what the engine would decide with the settings
//! on the form, before they are saved. It must not guess in JavaScript: this crate is the
//! same core (`crates/policy`) compiled for `wasm32-unknown-unknown` with wasm-bindgen, so a
//! verdict in the browser is, by construction, the verdict the server's engine gives. It has
//! no logic of its own; `tests/web/run.sh` runs the whole decision corpus through the built
//! module to prove it.
//!
//! # JavaScript API
//!
//! Built by `scripts/build-web.sh` (`wasm-pack build --target web`) into
//! `wordpress-plugin/session-warden/assets/web/`:
//! `session_warden_web.js` (an ES module) and `session_warden_web_bg.wasm`, which the plugin
//! ships; the TypeScript declarations are left in `build/web/pkg/session_warden_web.d.ts`.
//!
//! ```js
//! // In the browser, from a <script type="module"> (or a dynamic import()):
//! import init, { handle_json, version } from '…/assets/web/session_warden_web.js';
//! await init();   // fetches session_warden_web_bg.wasm next to the .js (import.meta.url);
//!                 // or: await init({ module_or_path: wasmUrl })
//!
//! const reply = JSON.parse(handle_json(JSON.stringify({
//!   op: 'validate_settings',
//!   args: { settings: formSettings },
//! })));
//! if (reply.error) { /* {code, message}: bad_json, bad_request, unknown_op, bad_args,
//!                       invalid_settings, geo_error */ }
//! else { /* reply.ok: {valid: true, settings} | {valid: false, errors: [{field, value?, message}]} */ }
//!
//! version();      // "session-warden-policy 0.1.0" (the same text as the engine's "version" op)
//!
//! // In Node (tests): initSync({ module: fs.readFileSync('…/session_warden_web_bg.wasm') })
//! ```
//!
//! * `default export init(options?) → Promise`: loads and instantiates the module once; call
//!   and await it before anything else (later calls return the same instance). A plain URL
//!   string is also accepted but wasm-bindgen logs a deprecation warning for it.
//! * `initSync({ module })`: the same, synchronously, from bytes or a `WebAssembly.Module`.
//! * `handle_json(request: string) → string`: one request `{"op": …, "args": {…}}`, one reply,
//!   `{"ok": …}` or `{"error": {"code": …, "message": …}}`, exactly as the engine's protocol
//!   (`session_warden_policy::json::handle`): the same ops (`validate_settings`,
//!   `check_pre_login`, `check_login`, `check_request`, `sweep`, `resolve_client_ip`,
//!   `describe_ua`, `geo_country`, `geo_info`, `gate`, `admit`, `visit`, `settings_plan`,
//!   `version`) with the same arguments. It never throws: bad input is an `error` reply.
//!   The core has no clock: decisions take `now` (Unix seconds) in their arguments, so pass
//!   `Math.floor(Date.now() / 1000)` (or the server time the page was rendered with).
//!   Decision ops validate the `settings` they are given like a save would and answer
//!   `invalid_settings` when the form holds something that could not be saved.
//! * `version() → string`: the core's name and version.
//!
//! Serve `.wasm` as `application/wasm` for streaming compilation; with another type the
//! generated loader falls back to fetching the bytes (and logs a warning).
//!
//! The `.js` and the `.wasm` of one build belong together (the glue's import names change
//! between builds). When the module URL carries a cache buster (`…/session_warden_web.js?ver=X`),
//! give the `.wasm` the same one: `init({ module_or_path: wasmUrl + '?ver=X' })`; the default
//! URL is resolved from `import.meta.url` without its query string, so a browser could pair a
//! new `.js` with a cached old `.wasm` after an upgrade. The `.wasm` is about 1.4 MB (under
//! 0.5 MB gzipped): load it when the simulator is opened, not with every admin page.

use wasm_bindgen::prelude::wasm_bindgen;

/// Answers one request given as JSON text (see the module docs); never throws.
#[wasm_bindgen]
pub fn handle_json(request: &str) -> String {
    session_warden_policy::json::handle(request)
}

/// The core's name and version, as the engine's `version` op reports it.
#[wasm_bindgen]
pub fn version() -> String {
    session_warden_policy::version()
}
