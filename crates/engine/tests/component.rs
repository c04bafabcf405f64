//! The built component: imports nothing, stays lean, and its typed exports give
//! the same answers as `handle-json` on every corpus case.

// Test helpers outside #[test] functions fail loudly too; that is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[path = "../../component/src/conv.rs"]
mod conv;

/// What `conv.rs` calls `wit`: wasmtime's host-side types of the exported interface `types`.
mod wit {
    pub use session_warden_engine::bindings::exports::session_warden::policy::types::*;
}

use base64::Engine as _;
use conv::Conv;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use session_warden_engine::runtime::{Limits, Runtime};
use session_warden_engine::{artifact, config};
use session_warden_policy::types as core;
use wasmparser::{Parser, Payload, Validator, WasmFeatures};

/// The component needs nothing from its host, not even type definitions: its
/// import list is literally empty (no functions, instances, resources, types,
/// modules or values), and no core module inside it imports anything. The types
/// cross as exports (`export types;` in the world).
///
/// Checked three ways: the component's own import section, the WIT world it
/// carries, and wasmtime's view of the loaded artifact. (wit-component builds an
/// exported interface from a nested component whose `import-type-*` imports the
/// outer component fills itself; those are not imports of the component and are
/// not counted, only the outermost level is.)
#[test]
fn component_imports_nothing() {
    let b = common::built();
    let bytes = std::fs::read(&b.component).expect("read component");

    let mut component_imports = Vec::new();
    let mut core_imports = Vec::new();
    let mut core_modules = 0;
    // Nesting level: 1 is the component itself, 2 what it contains directly.
    let mut depth = 0;
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload.expect("component parses") {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth -= 1,
            Payload::ComponentImportSection(s) if depth == 1 => {
                for i in s {
                    let i = i.expect("component import");
                    component_imports.push(format!("{} ({:?})", i.name.name, i.ty));
                }
            }
            Payload::ImportSection(s) => {
                for i in s.into_imports() {
                    let i = i.expect("core import");
                    core_imports.push(format!("{}::{}", i.module, i.name));
                }
            }
            Payload::ModuleSection { .. } => core_modules += 1,
            _ => {}
        }
    }
    assert!(core_modules >= 1, "no core module found in {}", b.component.display());
    assert_eq!(component_imports, Vec::<String>::new(), "the component must import nothing");
    assert_eq!(core_imports, Vec::<String>::new(), "no core module may import anything");

    // What a host sees: the precompiled artifact, loaded.
    let engine = wasmtime::Engine::new(&config()).expect("engine");
    let component = artifact::load(&engine, &b.artifact, &b.artifact_blake3).expect("artifact loads");
    let host_view: Vec<String> =
        component.component_type().imports(&engine).map(|(name, _)| name.to_string()).collect();
    assert_eq!(host_view, Vec::<String>::new(), "wasmtime sees imports in the artifact");

    // The same seen through the WIT the component carries.
    let Ok(wit_parser::decoding::DecodedWasm::Component(resolve, world)) = wit_parser::decoding::decode(&bytes) else {
        panic!("{} is not a component", b.component.display())
    };
    let world = &resolve.worlds[world];
    let imports: Vec<String> = world.imports.keys().map(|k| resolve.name_world_key(k)).collect();
    assert_eq!(imports, Vec::<String>::new(), "the decoded world must import nothing");
    let exports: Vec<String> = world.exports.keys().map(|k| resolve.name_world_key(k)).collect();
    for name in ["session-warden:policy/types@0.1.0", "session-warden:policy/decisions@0.1.0", "handle-json", "version"]
    {
        assert!(exports.iter().any(|e| e == name), "the component must export {name}; it exports {exports:?}");
    }
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
    let component = artifact::load(&engine, &b.artifact, &b.artifact_blake3).expect("artifact loads");
    Runtime::new(engine, &component, Limits::default()).expect("runtime")
}

type Decisions = session_warden_engine::bindings::exports::session_warden::policy::decisions::Guest;

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
    let call = |f: &dyn Fn(&Decisions, &mut wasmtime::Store<_>) -> wasmtime::Result<Value>| {
        rt.with_instance(|i, s| f(i.session_warden_policy_decisions(), s)).expect("typed call succeeds")
    };
    Some(match op {
        "version" => rt.with_instance(|i, s| Ok(ok(i.call_version(s)?))).expect("version call succeeds"),
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
        "check_pre_login" | "check_login" | "check_request" | "sweep" | "gate" | "admit" | "visit"
        | "settings_plan" | "idle_deadline" => {
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
                                let list: Vec<String> =
                                    errs.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
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
                "gate" => {
                    let mut r: core::GateRequest = parse(args)?;
                    if let Some(set) = settings {
                        r.settings = set;
                    }
                    let r: wit::GateRequest = r.conv();
                    call(&|i, s| Ok(ok(Conv::<core::GateAnswer>::conv(i.call_gate(s, &r)?))))
                }
                "admit" => {
                    let mut r: core::AdmitRequest = parse(args)?;
                    if let Some(set) = settings {
                        r.settings = set;
                    }
                    let r: wit::AdmitRequest = r.conv();
                    call(&|i, s| Ok(ok(Conv::<core::AdmitAnswer>::conv(i.call_admit(s, &r)?))))
                }
                "visit" => {
                    let mut r: core::VisitRequest = parse(args)?;
                    if let Some(set) = settings {
                        r.settings = set;
                    }
                    let r: wit::VisitRequest = r.conv();
                    call(&|i, s| Ok(ok(Conv::<core::VisitAnswer>::conv(i.call_visit(s, &r)?))))
                }
                "idle_deadline" => {
                    let mut r: core::IdleDeadlineRequest = parse(args)?;
                    if let Some(set) = settings {
                        r.settings = set;
                    }
                    let r: wit::IdleDeadlineRequest = r.conv();
                    call(&|i, s| Ok(ok(Conv::<core::IdleDeadlineAnswer>::conv(i.call_idle_deadline(s, &r)?))))
                }
                "settings_plan" => {
                    // `{"settings": …}` and nothing else; absent settings are the defaults.
                    if !args.as_object()?.is_empty() {
                        return None;
                    }
                    let set: wit::Settings = settings.unwrap_or_default().conv();
                    call(&|i, s| Ok(ok(Conv::<core::SettingsPlan>::conv(i.call_settings_plan(s, &set)?))))
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
            serde_json::from_str(&rt.handle_json(&case.request.to_string()).expect("handle-json runs"))
                .expect("reply is JSON");
        if json_reply != case.reply {
            failures.push(format!(
                "{}: handle-json differs from the corpus\n  expected {}\n  got      {json_reply}",
                case.name, case.reply
            ));
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
            matches!(
                c.reply.pointer("/error/code").and_then(Value::as_str),
                Some("bad_args" | "bad_request" | "unknown_op")
            )
        })
        .count();
    assert!(compared + bad_args >= cases.len(), "only {compared} of {} cases were compared typed", cases.len());
    eprintln!("{compared} of {} corpus cases compared through the typed exports", cases.len());
}
