//! The exports are the core's JSON entry point and version, unchanged. The full decision
//! corpus runs through the built WebAssembly module in `tests/web/run.sh`.

use serde_json::Value;

#[test]
fn handle_json_is_the_core_entry_point() {
    for request in [
        r#"{"op":"describe_ua","args":{"ua":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36"}}"#,
        r#"{"op":"validate_settings","args":{"settings":{}}}"#,
        r#"{"op":"nope"}"#,
        "not json",
    ] {
        assert_eq!(session_warden_web::handle_json(request), session_warden_policy::json::handle(request));
    }
    let reply: Value = serde_json::from_str(&session_warden_web::handle_json(r#"{"op":"version"}"#)).unwrap();
    assert_eq!(reply["ok"], Value::String(session_warden_web::version()));
}
