//! One loaded component and the request/reply envelope around it.

use crate::bindings::{Engine as PolicyWorld, EnginePre};
use crate::EngineError;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use session_warden_policy::geo;
use std::collections::BTreeMap;
use std::path::Path;
use wasmtime::component::{Component, ComponentExportIndex, Instance, Linker};
use wasmtime::{Engine, Store, StoreLimits, StoreLimitsBuilder, Trap};

/// The only protocol version this engine speaks.
pub const PROTOCOL_VERSION: u64 = 1;

/// Error codes of the engine's replies: the core's envelope codes, shared so an
/// unreadable request is named alike whichever side refuses it, plus the engine's own.
pub mod code {
    pub use session_warden_policy::json::code::{BAD_JSON, BAD_REQUEST};
    pub const BAD_VERSION: &str = "bad_version";
    pub const TOO_LARGE: &str = "too_large";
    pub const TRAP: &str = "trap";
    pub const TIMEOUT: &str = "timeout";
    pub const ARTIFACT: &str = "artifact";
    pub const BUSY: &str = "busy";
}

/// Per-call resource limits: a request cannot hang a login or eat the server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wasm fuel per call (roughly one unit per instruction).
    pub fuel: u64,
    /// Linear memory a call may grow to, in bytes.
    pub max_memory: usize,
    /// Largest request accepted, in bytes.
    pub max_request: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // The largest realistic request (hundreds of sessions) needs a few million
        // units and a few MiB; these bounds leave a wide margin and still stop a
        // runaway call within about a second.
        Limits { fuel: 2_000_000_000, max_memory: 128 << 20, max_request: 4 << 20 }
    }
}

/// What a store carries: only its resource limits (the component imports nothing).
pub struct HostState {
    limits: StoreLimits,
}

/// A component ready to serve: instantiated per request from `pre`, in a fresh store.
pub struct Runtime {
    engine: Engine,
    pre: EnginePre<HostState>,
    /// `handle-json`, resolved once. A request calls only this export, and instantiating through the
    /// generated `EnginePre` would type-check every export on every instantiation (measured: ~2 % of the
    /// daemon's CPU per request, in wasmtime's record and enum type checks).
    handle_json: ComponentExportIndex,
    limits: Limits,
    geo: Option<geo::Database<'static>>,
}

/// Why a call into the component failed.
#[derive(Debug)]
pub struct CallError {
    pub code: &'static str,
    pub message: String,
}

impl Runtime {
    pub fn new(engine: Engine, component: &Component, limits: Limits) -> Result<Self, EngineError> {
        // The component imports nothing, so an empty linker is all it needs.
        let linker = Linker::<HostState>::new(&engine);
        let pre =
            linker.instantiate_pre(component).and_then(EnginePre::new).map_err(|e| EngineError::Wasm(e.to_string()))?;
        let handle_json = component
            .get_export_index(None, "handle-json")
            .ok_or_else(|| EngineError::Wasm("the component does not export handle-json".into()))?;
        Ok(Runtime { engine, pre, handle_json, limits, geo: None })
    }

    /// Loads the geolocation database once for the process lifetime.
    ///
    /// `geo_country`/`geo_info` requests without a `"db"` are then answered here, by
    /// the same core code compiled natively, instead of in the component: the
    /// database is host data (often 8 MB or more), and passing it into wasm would
    /// copy it into a fresh linear memory on every request.
    pub fn with_geo_db(mut self, path: &Path) -> Result<Self, EngineError> {
        let bytes = std::fs::read(path).map_err(|e| EngineError::Geo(format!("{}: {e}", path.display())))?;
        // Leaked on purpose: the database lives as long as the process, and a
        // 'static slice lets the opened reader be shared by every thread.
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        let db = geo::Database::open(bytes).map_err(|e| EngineError::Geo(format!("{}: {e}", path.display())))?;
        self.geo = Some(db);
        Ok(self)
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    fn store(&self) -> Result<Store<HostState>, CallError> {
        let limits = StoreLimitsBuilder::new().memory_size(self.limits.max_memory).instances(1).build();
        let mut store = Store::new(&self.engine, HostState { limits });
        store.limiter(|s| &mut s.limits);
        store.set_fuel(self.limits.fuel).map_err(|e| call_error(&e))?;
        Ok(store)
    }

    fn instance(&self, store: &mut Store<HostState>) -> Result<PolicyWorld, CallError> {
        self.pre.instantiate(store).map_err(|e| call_error(&e))
    }

    /// Calls `handle-json` in a fresh instance: `{"op","args"}` → `{"ok"}|{"error"}`.
    pub fn handle_json(&self, request: &str) -> Result<String, CallError> {
        self.handle_json_spent(request, &mut None)
    }

    /// [`Self::handle_json`] in the instance [`Self::ready`] put in `slot`, if
    /// any, else a fresh one; the used store is left in `slot` instead of being
    /// dropped, so the caller can send the reply first and free the instance
    /// (resetting its pooled memory) afterwards, off the latency path. The store
    /// is never used again.
    fn handle_json_spent(&self, request: &str, slot: &mut Option<Slot>) -> Result<String, CallError> {
        let (mut store, instance) = match slot.take() {
            Some(Slot { store, instance: Some(instance) }) => (store, instance),
            _ => self.fresh()?,
        };
        let reply = self.call_handle_json(&mut store, instance, request).map_err(|e| call_error(&e));
        *slot = Some(Slot { store, instance: None });
        reply
    }

    /// A fresh store and its instance.
    fn fresh(&self) -> Result<(Store<HostState>, Instance), CallError> {
        let mut store = self.store()?;
        let instance = self.pre.instance_pre().instantiate(&mut store).map_err(|e| call_error(&e))?;
        Ok((store, instance))
    }

    /// A fresh store and instance for the next request, made before it arrives:
    /// a one-shot `call --listen` instantiates while PHP has not asked yet, so
    /// the request itself only runs the call. Like any instance, it serves one
    /// request (pass it to [`Self::handle_bytes_spent`]).
    pub fn ready(&self) -> Result<Slot, CallError> {
        let (store, instance) = self.fresh()?;
        Ok(Slot { store, instance: Some(instance) })
    }

    fn call_handle_json(&self, store: &mut Store<HostState>, instance: Instance, request: &str) -> wasmtime::Result<String> {
        let func = instance.get_typed_func::<(&str,), (String,)>(&mut *store, self.handle_json)?;
        let (reply,) = func.call(&mut *store, (request,))?;
        Ok(reply)
    }

    /// Runs `f` on a fresh instance (for typed calls in tests and benchmarks).
    pub fn with_instance<R>(
        &self,
        f: impl FnOnce(&PolicyWorld, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, CallError> {
        let mut store = self.store()?;
        let instance = self.instance(&mut store)?;
        f(&instance, &mut store).map_err(|e| call_error(&e))
    }

    /// [`Self::handle_envelope`] for a request as it was read (stdin or a socket line): bytes that are not
    /// UTF-8 text get a `bad_json` reply, surrounding whitespace is ignored.
    pub fn handle_bytes(&self, request: &[u8], require_version: bool) -> String {
        self.handle_bytes_spent(request, require_version, &mut None)
    }

    /// [`Self::handle_bytes`] in the instance `slot` holds, if any, handing the
    /// used store to `slot` (see [`Self::handle_envelope_spent`]).
    pub fn handle_bytes_spent(&self, request: &[u8], require_version: bool, slot: &mut Option<Slot>) -> String {
        match std::str::from_utf8(request) {
            Ok(text) => self.handle_envelope_spent(text.trim(), require_version, slot),
            Err(_) => error_reply(Value::Null, code::BAD_JSON, "the request is not valid UTF-8 text"),
        }
    }

    /// Answers one request envelope (`{"v":1,"id":…,"op":…,"args":…}`) with one
    /// reply envelope; never fails, every problem becomes an error reply.
    /// `require_version` is true for the daemon, where `v` is mandatory.
    ///
    /// Only the envelope's top level is parsed here; `args` (the bulk) travels
    /// as raw text to the component, which parses it once, and the component's
    /// reply object is extended by text instead of being parsed again.
    pub fn handle_envelope(&self, text: &str, require_version: bool) -> String {
        self.handle_envelope_spent(text, require_version, &mut None)
    }

    /// [`Self::handle_envelope`] in the instance `slot` holds, if any; the
    /// request's store ends up in `slot`, to be dropped once the reply is on its
    /// way (see [`Self::handle_json_spent`]).
    pub fn handle_envelope_spent(&self, text: &str, require_version: bool, slot: &mut Option<Slot>) -> String {
        if text.len() > self.limits.max_request {
            return too_large(self.limits.max_request);
        }
        let mut map = match serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(text) {
            Ok(map) => map,
            Err(e) => {
                return match serde_json::from_str::<serde::de::IgnoredAny>(text) {
                    Ok(_) => error_reply(Value::Null, code::BAD_REQUEST, "the request must be a JSON object"),
                    Err(_) => error_reply(Value::Null, code::BAD_JSON, &format!("the request is not valid JSON: {e}")),
                }
            }
        };
        let id = map.remove("id").map(|raw| raw.get().to_string()).unwrap_or_else(|| "null".to_string());
        let version = map.remove("v").map(|raw| serde_json::from_str::<Value>(raw.get()).unwrap_or(Value::Null));
        match version {
            Some(v) if v.as_u64() == Some(PROTOCOL_VERSION) => {}
            None if !require_version => {}
            None => {
                return error_reply_raw(
                    &id,
                    code::BAD_VERSION,
                    "the request has no \"v\"; this engine speaks protocol version 1",
                )
            }
            Some(v) => {
                return error_reply_raw(
                    &id,
                    code::BAD_VERSION,
                    &format!("protocol version {v} is not supported; this engine speaks version 1"),
                )
            }
        }
        if let Some(reply) = self.host_geo(&map) {
            return wrap(&id, &reply);
        }
        let mut inner = String::with_capacity(text.len());
        inner.push('{');
        for (n, (key, raw)) in map.iter().enumerate() {
            if n > 0 {
                inner.push(',');
            }
            inner.push_str(&Value::String(key.clone()).to_string());
            inner.push(':');
            inner.push_str(raw.get());
        }
        inner.push('}');
        match self.handle_json_spent(&inner, slot) {
            Ok(reply) if reply.starts_with('{') && reply.ends_with('}') && reply.len() > 2 => wrap(&id, &reply),
            Ok(_) => {
                error_reply_raw(&id, code::TRAP, "the policy component returned something that is not a JSON object")
            }
            Err(e) => error_reply_raw(&id, e.code, &e.message),
        }
    }

    /// Geo ops answered natively from the database loaded with `--geo-db`.
    fn host_geo(&self, map: &BTreeMap<String, Box<RawValue>>) -> Option<String> {
        let db = self.geo.as_ref()?;
        let op: String = serde_json::from_str(map.get("op")?.get()).ok()?;
        if op != "geo_country" && op != "geo_info" {
            return None;
        }
        let args = match map.get("args").map(|raw| serde_json::from_str::<Value>(raw.get())) {
            Some(Ok(Value::Object(a))) => a,
            None | Some(Ok(Value::Null)) => Map::new(),
            _ => return None,
        };
        if args.contains_key("db") {
            return None;
        }
        let reply = match op.as_str() {
            "geo_country" if args.len() == 1 => json!({ "ok": db.country(args.get("ip")?.as_str()?) }),
            "geo_info" if args.is_empty() => match serde_json::to_value(db.meta()) {
                Ok(meta) => json!({ "ok": meta }),
                Err(e) => {
                    json!({ "error": { "code": session_warden_policy::json::code::GEO_ERROR, "message": e.to_string() } })
                }
            },
            _ => return None,
        };
        Some(reply.to_string())
    }
}

/// A request's store: made ahead with its instance ([`Runtime::ready`]), or,
/// after the call, the used store, only good for dropping.
pub struct Slot {
    store: Store<HostState>,
    instance: Option<Instance>,
}

fn call_error(e: &wasmtime::Error) -> CallError {
    match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => CallError {
            code: code::TIMEOUT,
            message: "the decision took too long and was stopped (fuel limit reached)".into(),
        },
        Some(trap) => {
            CallError { code: code::TRAP, message: format!("the policy component stopped with an error: {trap}") }
        }
        None => CallError { code: code::TRAP, message: format!("the policy component could not run: {e}") },
    }
}

/// `{"ok":…}` → `{"v":1,"id":…,"ok":…}`; `reply` is a non-empty JSON object
/// written by the core and `id` is raw JSON from the request.
fn wrap(id: &str, reply: &str) -> String {
    let mut out = String::with_capacity(reply.len() + id.len() + 16);
    out.push_str("{\"v\":1,\"id\":");
    out.push_str(id);
    out.push(',');
    out.push_str(&reply[1..]);
    out
}

fn error_reply_raw(id: &str, code: &str, message: &str) -> String {
    wrap(id, &json!({ "error": { "code": code, "message": message } }).to_string())
}

/// An error reply envelope.
pub fn error_reply(id: Value, code: &str, message: &str) -> String {
    json!({ "v": PROTOCOL_VERSION, "id": id, "error": { "code": code, "message": message } }).to_string()
}

/// The reply to a request over the size cap.
pub fn too_large(max: usize) -> String {
    error_reply(
        Value::Null,
        code::TOO_LARGE,
        &format!("the request is larger than the engine accepts ({} bytes at most)", max),
    )
}
