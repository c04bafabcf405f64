//! The Session Warden policy as a WebAssembly component (world `engine`).
//!
//! Deliberately thin: every export converts the WIT types to the core's types and
//! calls the same core function the native build calls, so the component can only
//! differ from the core through a conversion bug, which the engine's tests catch by
//! comparing the typed exports with `handle-json`. Built for
//! `wasm32-unknown-unknown` so the component imports nothing (no WASI): any host,
//! including a WebAssembly runtime written in PHP, can run it.

// The generated export glue takes one argument per flattened WIT field.
#![allow(clippy::too_many_arguments)]

wit_bindgen::generate!({
    world: "engine",
    path: "../../wit",
});

mod conv;

use conv::Conv;
use session_warden_policy as policy;

/// What `conv.rs` calls `wit`: the generated types of interface `types`.
mod wit {
    pub use crate::session_warden::policy::types::*;
}

struct Component;

impl Guest for Component {
    fn validate_settings(raw: String) -> Result<Settings, Vec<FieldError>> {
        policy::settings::validate(&raw).map(Conv::conv).map_err(Conv::conv)
    }

    fn check_pre_login(req: PreLoginRequest) -> LoginVerdict {
        policy::login::check_pre_login(&req.conv()).conv()
    }

    fn check_login(req: LoginRequest) -> LoginVerdict {
        policy::login::check_login(&req.conv()).conv()
    }

    fn check_request(req: RequestCheck) -> RequestVerdict {
        policy::request::check_request(&req.conv()).conv()
    }

    fn sweep(req: SweepRequest) -> Vec<Swept> {
        policy::request::sweep(&req.conv()).conv()
    }

    fn resolve_client_ip(req: ClientIpRequest) -> ClientIp {
        policy::client_ip::resolve(&req.conv()).conv()
    }

    fn describe_ua(ua: String) -> UaDescription {
        policy::ua::describe(&ua).conv()
    }

    fn geo_country(db: Vec<u8>, ip: String) -> Result<Option<String>, String> {
        policy::geo::country(&db, &ip).map_err(|e| e.to_string())
    }

    fn geo_info(db: Vec<u8>) -> Result<GeoMeta, String> {
        policy::geo::info(&db).map(Conv::conv).map_err(|e| e.to_string())
    }

    fn handle_json(request: String) -> String {
        policy::json::handle(&request)
    }

    fn version() -> String {
        policy::version()
    }
}

export!(Component);
