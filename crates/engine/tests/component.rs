//! The built component: imports nothing, stays lean, and its typed exports give
//! the same answers as `handle-json` on every corpus case.

// Test helpers outside #[test] functions fail loudly too; that is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[path = "../../component/src/conv.rs"]
mod conv;

/// What `conv.rs` calls `wit`: wasmtime's host-side types of interface `types`.
mod wit {
    pub use session_warden_engine::bindings::session_warden::policy::types::*;
}

use base64::Engine as _;
use conv::Conv;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use session_warden_engine::runtime::{Limits, Runtime};
use session_warden_engine::{artifact, config};
use session_warden_policy::types as core;
use wasmparser::{Parser, Payload, Validator, WasmFeatures};

/// The component needs nothing from its host: no functions, no resources, no WASI.
///
/// Its import list is not literally empty: the component model requires the
/// records used by the world's exports to be named types, and the world `use`s
/// them from interface `types`, so that interface (types only) and those type
/// names appear as type imports. They carry no callable item and an empty linker
/// satisfies them. Everything else (any function, resource or instance with
/// functions) fails this test, and the core module inside must import nothing.
#[test]
fn component_imports_nothing() {
    let b = common::built();
    let bytes = std::fs::read(&b.component).expect("read component");

    let mut core_imports = Vec::new();
    for payload in Parser::new(0).parse_all(&bytes) {
        if let Payload::ImportSection(s) = payload.expect("component parses") {
            for i in s.into_imports() {
                let i = i.expect("import");
                core_imports.push(format!("{}::{}", i.module, i.name));
            }
        }
    }
    assert!(core_imports.is_empty(), "the core module must import nothing, but imports {core_imports:?}");

    let Ok(wit_parser::decoding::DecodedWasm::Component(resolve, world)) = wit_parser::decoding::decode(&bytes) else {
        panic!("{} is not a component", b.component.display())
    };
    let mut callable = Vec::new();
    for (key, item) in &resolve.worlds[world].imports {
        let name = resolve.name_world_key(key);
        match item {
            wit_parser::WorldItem::Type { .. } => {}
            wit_parser::WorldItem::Interface { id, .. } => {
                let iface = &resolve.interfaces[*id];
                callable.extend(iface.functions.keys().map(|f| format!("{name}#{f}")));
                for (t, tid) in &iface.types {
                    if matches!(resolve.types[*tid].kind, wit_parser::TypeDefKind::Resource) {
                        callable.push(format!("{name}#resource {t}"));
                    }
                }
            }
            wit_parser::WorldItem::Function(f) => callable.push(f.name.clone()),
        }
    }
    assert!(callable.is_empty(), "the component must import nothing callable, but imports {callable:?}");
}

/// A WebAssembly runtime written in PHP will run this component later: it must
/// validate without SIMD and threads.
#[test]
fn component_is_lean() {
    let b = common::built();
    let bytes = std::fs::read(&b.component).expect("read component");
    assert!(bytes.len() <= 2 * 1024 * 1024, "component is {} bytes, over 2 MiB", bytes.len());
    let mut features = WasmFeatures::default();
    features.remove(WasmFeatures::SIMD);
    features.remove(WasmFeatures::RELAXED_SIMD);
    features.remove(WasmFeatures::THREADS);
    features.remove(WasmFeatures::SHARED_EVERYTHING_THREADS);
    Validator::new_with_features(features)
        .validate_all(&bytes)
        .unwrap_or_else(|e| panic!("the component needs more than MVP+component features (no SIMD/threads): {e}"));
}

fn runtime() -> Runtime {
    let b = common::built();
    let engine = wasmtime::Engine::new(&config()).expect("engine");
    let component = artifact::load(&engine, &b.artifact, &b.artifact_sha256).expect("artifact loads");
    Runtime::new(engine, &component, Limits::default()).expect("runtime")
}

fn ok<T: serde::Serialize>(v: T) -> Value {
    json!({ "ok": v })
}

fn parse<T: DeserializeOwned>(v: Value) -> Option<T> {
    serde_json::from_value(v).ok()
}

/// Answers a corpus request through the typed exports, shaped like `handle-json`'s
/// reply; `None` when the arguments do not fit the types (then `handle-json`
/// answers `bad_args` and there is no typed call to compare).
fn typed(rt: &Runtime, request: &Value) -> Option<Value> {
    let op = request.get("op")?.as_str()?;
    let mut args = request.get("args").cloned().unwrap_or(Value::Null);
    let call = |f: &dyn Fn(&session_warden_engine::bindings::Engine, &mut wasmtime::Store<_>) -> wasmtime::Result<Value>| {
        rt.with_instance(|i, s| f(i, s)).expect("typed call succeeds")
    };
    Some(match op {
        "version" => call(&|i, s| Ok(ok(i.call_version(s)?))),
        "describe_ua" => {
            let ua: String = parse(args.get("ua")?.clone())?;
            call(&|i, s| Ok(ok(Conv::<core::UaDescription>::conv(i.call_describe_ua(s, &ua)?))))
        }
        "validate_settings" => {
            let raw = args.get("settings").cloned().unwrap_or(Value::Null).to_string();
            call(&|i, s| {
                Ok(match i.call_validate_settings(s, &raw)? {
                    Ok(set) => ok(json!({ "valid": true, "settings": Conv::<core::Settings>::conv(set) })),
                    Err(errs) => ok(json!({ "valid": false, "errors": Conv::<Vec<core::FieldError>>::conv(errs) })),
                })
            })
        }
        "check_pre_login" | "check_login" | "check_request" | "sweep" => {
            // The JSON entry point validates the settings first; the typed way is
            // the same two steps: validate-settings, then the decision.
            let settings = match args.as_object_mut()?.remove("settings") {
                Some(raw) => {
                    let raw = raw.to_string();
                    let checked = call(&|i, s| {
                        Ok(match i.call_validate_settings(s, &raw)? {
                            Ok(set) => json!({ "settings": Conv::<core::Settings>::conv(set) }),
                            Err(errs) => {
                                let errs: Vec<core::FieldError> = errs.conv();
                                let list: Vec<String> = errs.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
                                json!({ "error": { "code": "invalid_settings",
                                    "message": format!("the settings are not valid: {}", list.join("; ")) } })
                            }
                        })
                    });
                    if checked.get("error").is_some() {
                        return Some(checked);
                    }
                    Some(parse::<core::Settings>(checked["settings"].clone())?)
                }
                None => None,
            };
            match op {
                "check_pre_login" => {
                    let mut r: core::PreLoginRequest = parse(args)?;
                    if let Some(set) = settings {
                        r.settings = set;
                    }
                    let r: wit::PreLoginRequest = r.conv();
                    call(&|i, s| Ok(ok(Conv::<core::LoginVerdict>::conv(i.call_check_pre_login(s, &r)?))))
                }
                "check_login" => {
                    let mut r: core::LoginRequest = parse(args)?;
                    if let Some(set) = settings {
                        r.settings = set;
                    }
                    let r: wit::LoginRequest = r.conv();
                    call(&|i, s| Ok(ok(Conv::<core::LoginVerdict>::conv(i.call_check_login(s, &r)?))))
                }
                "check_request" => {
                    let mut r: core::RequestCheck = parse(args)?;
                    if let Some(set) = settings {
                        r.settings = set;
                    }
                    let r: wit::RequestCheck = r.conv();
                    call(&|i, s| Ok(ok(Conv::<core::RequestVerdict>::conv(i.call_check_request(s, &r)?))))
                }
                _ => {
                    let mut r: core::SweepRequest = parse(args)?;
                    if let Some(set) = settings {
                        r.settings = set;
                    }
                    let r: wit::SweepRequest = r.conv();
                    call(&|i, s| Ok(ok(Conv::<Vec<core::Swept>>::conv(i.call_sweep(s, &r)?))))
                }
            }
        }
        "resolve_client_ip" => {
            let r: wit::ClientIpRequest = parse::<core::ClientIpRequest>(args)?.conv();
            call(&|i, s| Ok(ok(Conv::<core::ClientIp>::conv(i.call_resolve_client_ip(s, &r)?))))
        }
        "geo_country" | "geo_info" => {
            let db = base64::engine::general_purpose::STANDARD.decode(args.get("db")?.as_str()?.trim()).ok()?;
            let geo_err = |e: String| json!({ "error": { "code": "geo_error", "message": e } });
            if op == "geo_country" {
                let ip: String = parse(args.get("ip")?.clone())?;
                call(&|i, s| Ok(i.call_geo_country(s, &db, &ip)?.map(ok).unwrap_or_else(geo_err)))
            } else {
                call(&|i, s| {
                    Ok(i.call_geo_info(s, &db)?.map(|m| ok(Conv::<core::GeoMeta>::conv(m))).unwrap_or_else(geo_err))
                })
            }
        }
        _ => return None,
    })
}

#[test]
fn typed_exports_match_handle_json_on_the_corpus() {
    let rt = runtime();
    let cases = common::corpus();
    let mut compared = 0;
    let mut failures = Vec::new();
    for case in &cases {
        let json_reply: Value =
            serde_json::from_str(&rt.handle_json(&case.request.to_string()).expect("handle-json runs")).expect("reply is JSON");
        if json_reply != case.reply {
            failures.push(format!("{}: handle-json differs from the corpus\n  expected {}\n  got      {json_reply}", case.name, case.reply));
        }
        if let Some(typed_reply) = typed(&rt, &case.request) {
            compared += 1;
            if typed_reply != json_reply {
                failures.push(format!("{}: typed exports differ from handle-json\n  handle-json {json_reply}\n  typed       {typed_reply}", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
    // Only cases whose arguments do not fit the types may go without a typed call.
    let bad_args = cases
        .iter()
        .filter(|c| {
            matches!(c.reply.pointer("/error/code").and_then(Value::as_str), Some("bad_args" | "bad_request" | "unknown_op"))
        })
        .count();
    assert!(compared + bad_args >= cases.len(), "only {compared} of {} cases were compared typed", cases.len());
    eprintln!("{compared} of {} corpus cases compared through the typed exports", cases.len());
}
