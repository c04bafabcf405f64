//! The Session Warden policy as a WebAssembly component (world `engine`).
//!
//! Deliberately thin: every export converts the WIT types to the core's types and
//! calls the same core function the native build calls, so the component can only
//! differ from the core through a conversion bug, which the engine's tests catch by
//! comparing the typed exports with `handle-json`. Built for
//! `wasm32-unknown-unknown` so the component imports nothing (no WASI, no types): any host,
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

/// What `conv.rs` calls `wit`: the generated types of the exported interface `types`.
mod wit {
    pub use crate::exports::session_warden::policy::types::*;
}

use exports::session_warden::policy::decisions;
use wit::{
    AdmitAnswer, AdmitRequest, ClientIp, ClientIpRequest, FieldError, GateAnswer, GateRequest, GeoMeta,
    IdleDeadlineAnswer, IdleDeadlineRequest, LoginRequest, LoginVerdict, PreLoginRequest, RequestCheck, RequestVerdict,
    Settings, SettingsPlan, SweepRequest, Swept, UaDescription, VisitAnswer, VisitRequest,
};

struct Component;

impl decisions::Guest for Component {
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

    fn gate(req: GateRequest) -> GateAnswer {
        policy::flow::gate(req.conv()).conv()
    }

    fn admit(req: AdmitRequest) -> AdmitAnswer {
        policy::flow::admit(req.conv()).conv()
    }

    fn visit(req: VisitRequest) -> VisitAnswer {
        policy::flow::visit(req.conv()).conv()
    }

    fn settings_plan(s: Settings) -> SettingsPlan {
        policy::flow::plan(&s.conv()).conv()
    }

    fn idle_deadline(req: IdleDeadlineRequest) -> IdleDeadlineAnswer {
        policy::request::idle_deadline(&req.conv()).conv()
    }
}

impl Guest for Component {
    fn handle_json(request: String) -> String {
        policy::json::handle(&request)
    }

    fn version() -> String {
        policy::version()
    }
}

export!(Component);

/// Run once at build time by the engine's `componentize` (wizer), never at run
/// time: the core builds its lookup tables lazily (the user-agent rules compile
/// regular expressions on first use), which costs hundreds of µs in every fresh
/// instance. Running representative requests here and snapshotting the memory
/// afterwards puts those tables in the component's data, so each request's fresh
/// instance starts warm. The export is removed by the snapshot.
#[unsafe(export_name = "wizer-initialize")]
pub extern "C" fn wizer_initialize() {
    for request in WARM_UP {
        let _ = policy::json::handle(request);
    }
}

const WARM_UP: &[&str] = &[
    r#"{"op":"validate_settings","args":{"settings":{"defaults":{"limits":[{"kind":"user","max":2},{"kind":"ip","max":2}],"mode":"block","ip_allow":["10.0.0.0/8","2001:db8::/32"],"ip_deny":["10.1.0.0/16"]},"roles":[{"role":"editor","rule":{"max_ips":2}}],"client_ip":{"mode":"auto","trusted_proxies":["127.0.0.1"]}}}}"#,
    r#"{"op":"describe_ua","args":{"ua":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"}}"#,
    r#"{"op":"describe_ua","args":{"ua":"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"}}"#,
    r#"{"op":"describe_ua","args":{"ua":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"}}"#,
    r#"{"op":"describe_ua","args":{"ua":"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"}}"#,
    r#"{"op":"describe_ua","args":{"ua":"Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"}}"#,
    r#"{"op":"describe_ua","args":{"ua":"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"}}"#,
    r#"{"op":"describe_ua","args":{"ua":"Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"}}"#,
    r#"{"op":"describe_ua","args":{"ua":"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}}"#,
    r#"{"op":"describe_ua","args":{"ua":"WordPress/6.7; https://example.org"}}"#,
    r#"{"op":"describe_ua","args":{"ua":"curl/8.5.0"}}"#,
    r#"{"op":"describe_ua","args":{"ua":"wp-iphone/25.0 (iPhone; iOS 17.5; Scale/3.00)"}}"#,
    r#"{"op":"describe_ua","args":{"ua":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"}}"#,
    r#"{"op":"resolve_client_ip","args":{"settings":{"mode":"auto","header":"","trusted_proxies":["127.0.0.1","10.0.0.0/8"]},"remote_addr":"127.0.0.1","headers":[{"name":"X-Forwarded-For","value":"203.0.113.5, 10.0.0.2"},{"name":"Forwarded","value":"for=\"[2001:db8::1]:443\""}]}}"#,
    r#"{"op":"check_pre_login","args":{"settings":{"defaults":{"ip_scope":"public_only","ip_deny":["198.51.100.0/24"]}},"user":{"id":1,"roles":["subscriber"]},"ip":"203.0.113.7"}}"#,
    r#"{"op":"check_login","args":{"settings":{"defaults":{"limits":[{"kind":"user","max":2},{"kind":"device_class","max":1},{"kind":"browser","max":1},{"kind":"country","max":1}],"max_ips":2,"mode":"logout_oldest","idle_timeout":3600}},"user":{"id":1,"roles":["subscriber"]},"now":1700000000,"attempt":{"ip":"203.0.113.7","country":"DE","ua":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},"sessions":[{"verifier":"a","login":1699990000,"expiration":1800000000,"last_activity":1699999000,"ip":"203.0.113.8","country":"DE","ua":"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1","flags":[]},{"verifier":"b","login":1699991000,"expiration":1800000000,"last_activity":0,"ip":"2001:db8::5","country":"FR","ua":"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0","flags":["ip_shift"]}]}}"#,
    r#"{"op":"check_request","args":{"settings":{"defaults":{"idle_timeout":3600,"ip_binding":false}},"user":{"id":1,"roles":["subscriber"]},"now":1700000000,"ip":"203.0.113.9","country":"DE","epoch":0,"is_activity":true,"session":{"verifier":"a","login":1699990000,"expiration":1800000000,"last_activity":1699999000,"ip":"203.0.113.8","country":"DE","ua":"curl/8.5.0","flags":[]},"others":[{"verifier":"b","login":1699991000,"expiration":1800000000,"last_activity":0,"ip":"198.51.100.1","country":"FR","ua":"","flags":[]}]}}"#,
    r#"{"op":"sweep","args":{"settings":{"defaults":{"idle_timeout":60}},"user":{"id":1,"roles":[]},"now":1700000000,"epoch":0,"sessions":[{"verifier":"a","login":1,"expiration":2,"last_activity":0,"ip":"10.0.0.1","country":"","ua":"","flags":[]}]}}"#,
];
