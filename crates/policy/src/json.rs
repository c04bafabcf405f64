//! The JSON entry point: one request `{"op": …, "args": {…}}` in, one reply out.
//!
//! Hosts that only move strings (PHP through the engine, the PHP runtime, the
//! browser) use this; the typed WIT functions call the same core functions, so both
//! give the same answers. Every failure is a reply with a code, never a panic.

use crate::types::*;
use crate::{client_ip, flow, geo, login, request, settings, ua};
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// Machine-readable failure codes, shared with the engine's own errors.
pub mod code {
    pub const BAD_JSON: &str = "bad_json";
    pub const BAD_REQUEST: &str = "bad_request";
    pub const UNKNOWN_OP: &str = "unknown_op";
    pub const BAD_ARGS: &str = "bad_args";
    pub const INVALID_SETTINGS: &str = "invalid_settings";
    pub const GEO_ERROR: &str = "geo_error";
}

/// A failed request: a code for programs and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: &'static str,
    pub message: String,
}

impl Failure {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Failure { code, message: message.into() }
    }
}

/// Every op the entry point answers, in the order the WIT world lists them.
pub const OPS: &[&str] = &[
    "validate_settings",
    "check_pre_login",
    "check_login",
    "check_request",
    "sweep",
    "resolve_client_ip",
    "describe_ua",
    "geo_country",
    "geo_info",
    "gate",
    "admit",
    "visit",
    "settings_plan",
    "idle_deadline",
    "version",
];

/// Answers one request given as JSON text.
pub fn handle(request: &str) -> String {
    let reply = match serde_json::from_str::<Value>(request) {
        Ok(value) => match value {
            Value::Object(mut map) => match map.remove("op") {
                Some(Value::String(op)) => dispatch(&op, map.remove("args").unwrap_or(Value::Null)),
                Some(_) => Err(Failure::new(code::BAD_REQUEST, "\"op\" must be a string")),
                None => Err(Failure::new(code::BAD_REQUEST, "the request has no \"op\"")),
            },
            _ => Err(Failure::new(code::BAD_REQUEST, "the request must be a JSON object")),
        },
        Err(e) => Err(Failure::new(code::BAD_JSON, format!("the request is not valid JSON: {e}"))),
    };
    reply_text(reply)
}

/// Writes a reply object for a result.
pub fn reply_text(reply: Result<Value, Failure>) -> String {
    let value = match reply {
        Ok(ok) => json!({ "ok": ok }),
        Err(f) => json!({ "error": { "code": f.code, "message": f.message } }),
    };
    value.to_string()
}

/// Runs one op on already-parsed arguments.
pub fn dispatch(op: &str, args: Value) -> Result<Value, Failure> {
    match op {
        "validate_settings" => {
            let raw = match args {
                Value::Object(mut map) => map.remove("settings").unwrap_or(Value::Null),
                _ => return Err(Failure::new(code::BAD_ARGS, "args must be an object with \"settings\"")),
            };
            Ok(match settings::validate_value(&raw) {
                Ok(s) => json!({ "valid": true, "settings": to_value(&s)? }),
                Err(errors) => json!({ "valid": false, "errors": to_value(&errors)? }),
            })
        }
        "check_pre_login" => {
            let req: PreLoginRequest = parse_with_settings(args, |r: &mut PreLoginRequest| &mut r.settings)?;
            to_value(&login::check_pre_login(&req))
        }
        "check_login" => {
            let req: LoginRequest = parse_with_settings(args, |r: &mut LoginRequest| &mut r.settings)?;
            to_value(&login::check_login(&req))
        }
        "check_request" => {
            let req: RequestCheck = parse_with_settings(args, |r: &mut RequestCheck| &mut r.settings)?;
            to_value(&request::check_request(&req))
        }
        "sweep" => {
            let req: SweepRequest = parse_with_settings(args, |r: &mut SweepRequest| &mut r.settings)?;
            to_value(&request::sweep(&req))
        }
        "resolve_client_ip" => {
            let req: ClientIpRequest = parse(args)?;
            to_value(&client_ip::resolve(&req))
        }
        "describe_ua" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Args {
                ua: String,
            }
            let a: Args = parse(args)?;
            to_value(&ua::describe(&a.ua))
        }
        "geo_country" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Args {
                db: String,
                ip: String,
            }
            let a: Args = parse(args)?;
            let db = decode_db(&a.db)?;
            geo::country(&db, &a.ip).map(|c| json!(c)).map_err(|e| Failure::new(code::GEO_ERROR, e.to_string()))
        }
        "geo_info" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Args {
                db: String,
            }
            let a: Args = parse(args)?;
            let db = decode_db(&a.db)?;
            geo::info(&db).map_err(|e| Failure::new(code::GEO_ERROR, e.to_string())).and_then(|m| to_value(&m))
        }
        "gate" => {
            let req: GateRequest = parse_with_settings(args, |r: &mut GateRequest| &mut r.settings)?;
            to_value(&flow::gate(req))
        }
        "admit" => {
            let req: AdmitRequest = parse_with_settings(args, |r: &mut AdmitRequest| &mut r.settings)?;
            to_value(&flow::admit(req))
        }
        "visit" => {
            let req: VisitRequest = parse_with_settings(args, |r: &mut VisitRequest| &mut r.settings)?;
            to_value(&flow::visit(req))
        }
        "settings_plan" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Args {
                #[serde(default)]
                settings: Settings,
            }
            let a: Args = parse_with_settings(args, |a: &mut Args| &mut a.settings)?;
            to_value(&flow::plan(&a.settings))
        }
        "idle_deadline" => {
            let req: IdleDeadlineRequest = parse_with_settings(args, |r: &mut IdleDeadlineRequest| &mut r.settings)?;
            to_value(&request::idle_deadline(&req))
        }
        "version" => Ok(json!(crate::version())),
        other => Err(Failure::new(code::UNKNOWN_OP, format!("unknown op \"{other}\"; known: {}", OPS.join(", ")))),
    }
}

fn decode_db(b64: &str) -> Result<Vec<u8>, Failure> {
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|e| Failure::new(code::BAD_ARGS, format!("\"db\" must be base64: {e}")))
}

// `parse`, `parse_with_settings` and `to_value` stay out of line: inlined into `dispatch` for every
// request type they made it one 62 KB function that every op runs through, which the PHP runtime must
// translate and compile before even `version` can answer (most of its cold start).
#[inline(never)]
fn parse<T: DeserializeOwned>(args: Value) -> Result<T, Failure> {
    serde_json::from_value(args).map_err(|e| Failure::new(code::BAD_ARGS, format!("the arguments do not fit: {e}")))
}

/// Decision ops take settings as data: they are checked like a saved form, so a
/// decision is never made on settings the site owner could not have saved.
#[inline(never)]
fn parse_with_settings<T: DeserializeOwned>(
    mut args: Value,
    slot: impl Fn(&mut T) -> &mut Settings,
) -> Result<T, Failure> {
    let checked = match args.as_object_mut().and_then(|m| m.remove("settings")) {
        Some(raw) => Some(settings::validate_value(&raw).map_err(|errors| {
            let list: Vec<String> = errors
                .iter()
                .map(|e| if e.field.is_empty() { e.message.clone() } else { format!("{}: {}", e.field, e.message) })
                .collect();
            Failure::new(code::INVALID_SETTINGS, format!("the settings are not valid: {}", list.join("; ")))
        })?),
        None => None,
    };
    let mut req: T = parse(args)?;
    if let Some(s) = checked {
        *slot(&mut req) = s;
    }
    Ok(req)
}

#[inline(never)]
fn to_value<T: Serialize>(value: &T) -> Result<Value, Failure> {
    serde_json::to_value(value)
        .map_err(|e| Failure::new(code::BAD_ARGS, format!("the answer could not be written: {e}")))
}
