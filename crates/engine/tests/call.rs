//! `session-warden-engine call`: the corpus through one process per case, the
//! error replies, and artifact integrity.

// Test helpers outside #[test] functions fail loudly too; that is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;

#[test]
fn corpus_through_call() {
    let b = common::built();
    let cases = common::corpus();
    let mut failures = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let id = json!(format!("case-{n}"));
        let (code, out, err) = common::call(&b.engine, &[], common::envelope(&case.request, id.clone()).to_string().as_bytes());
        assert_eq!(code, 0, "{}: call exited {code}: {err}", case.name);
        let reply: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{}: reply not JSON ({e}): {out}", case.name));
        let got = common::unwrap_envelope(&reply, &id);
        if got != case.reply {
            failures.push(format!("{}\n  expected {}\n  got      {got}", case.name, case.reply));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ through call:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn call_without_v_or_id_is_accepted() {
    let b = common::built();
    let (code, out, _) = common::call(&b.engine, &[], br#"{"op":"version"}"#);
    assert_eq!(code, 0);
    let reply: Value = serde_json::from_str(&out).expect("JSON");
    assert!(reply["ok"].as_str().is_some_and(|v| v.starts_with("session-warden-policy")), "{reply}");
}

fn error_of(input: &[u8]) -> Value {
    let b = common::built();
    let (code, out, err) = common::call(&b.engine, &[], input);
    assert_eq!(code, 0, "request errors are replies, not engine failures: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("reply not JSON ({e}): {out}"))
}

#[test]
fn call_error_replies() {
    assert_eq!(common::error_code(&error_of(b"{not json")), "bad_json");
    assert_eq!(common::error_code(&error_of(b"[1,2]")), "bad_request");
    assert_eq!(common::error_code(&error_of(br#"{"v":1,"op":"no_such_op","args":{}}"#)), "unknown_op");
    let wrong_v = error_of(br#"{"v":2,"id":"x","op":"version"}"#);
    assert_eq!(common::error_code(&wrong_v), "bad_version");
    assert_eq!(wrong_v["id"], json!("x"));
    assert_eq!(common::error_code(&error_of(br#"{"v":1,"op":"describe_ua","args":{"ua":7}}"#)), "bad_args");

    let mut big = br#"{"v":1,"op":"describe_ua","args":{"ua":""#.to_vec();
    big.extend(std::iter::repeat_n(b'a', 5 << 20));
    big.extend(br#""}}"#);
    let reply = error_of(&big);
    assert_eq!(common::error_code(&reply), "too_large");
    assert!(reply["error"]["message"].as_str().is_some_and(|m| m.contains("4194304")), "{reply}");
}

#[test]
fn call_reports_fuel_exhaustion_as_timeout() {
    let b = common::built();
    let (code, out, _) = common::call(&b.engine, &["--fuel", "1000"], common::huge_login().to_string().as_bytes());
    assert_eq!(code, 0);
    let reply: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(common::error_code(&reply), "timeout", "{reply}");
}

fn artifact_refusal(args: &[&str]) -> String {
    let b = common::built();
    let (code, out, err) = common::call(&b.engine, args, br#"{"op":"version"}"#);
    assert_eq!(code, 2, "the engine must refuse this artifact (stdout {out})");
    let reply: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("reply not JSON ({e}): {out}"));
    assert_eq!(common::error_code(&reply), "artifact", "{reply}");
    err
}

#[test]
fn call_refuses_tampered_missing_and_unsafe_artifacts() {
    let b = common::built();
    let dir = common::scratch("art");
    let original = std::fs::read(&b.artifact).expect("read artifact");

    // An untouched copy in a safe folder loads: the refusals below are about the file.
    let good = dir.join("good.cwasm");
    std::fs::write(&good, &original).expect("copy");
    let (code, out, err) = common::call(&b.engine, &["--artifact", good.to_str().expect("utf8")], br#"{"op":"version"}"#);
    assert_eq!(code, 0, "a faithful copy must load: {out} {err}");

    let mut flipped = original.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x01;
    let bad = dir.join("tampered.cwasm");
    std::fs::write(&bad, &flipped).expect("write tampered");
    let err = artifact_refusal(&["--artifact", bad.to_str().expect("utf8")]);
    assert!(err.contains("BLAKE3"), "the message names the hash check: {err}");

    let missing = dir.join("missing.cwasm");
    artifact_refusal(&["--artifact", missing.to_str().expect("utf8")]);

    let open_dir = dir.join("open");
    std::fs::create_dir(&open_dir).expect("mkdir");
    std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let exposed = open_dir.join("session-warden.cwasm");
    std::fs::write(&exposed, &original).expect("copy");
    let err = artifact_refusal(&["--artifact", exposed.to_str().expect("utf8")]);
    assert!(err.contains("every user"), "the message explains the folder problem: {err}");

    let writable = dir.join("writable.cwasm");
    std::fs::write(&writable, &original).expect("copy");
    std::fs::set_permissions(&writable, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    artifact_refusal(&["--artifact", writable.to_str().expect("utf8")]);

    // The shipped engine has its hash built in and cannot be told another one.
    artifact_refusal(&["--artifact", bad.to_str().expect("utf8"), "--artifact-blake3", &common::blake3(&flipped)]);
    let _ = std::fs::remove_dir_all(&dir);
}
