//! `session-warden-engine serve`: the corpus through one daemon with many
//! concurrent clients, error replies that leave the daemon serving, stale and
//! live sockets, socket permissions, SIGTERM, fuel exhaustion.

// Test helpers outside #[test] functions fail loudly too; that is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::{json, Value};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::net::UnixListener;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn corpus_through_serve_with_concurrent_clients() {
    let b = common::built();
    let dir = common::scratch("corpus");
    let daemon = common::Daemon::start(&b.engine, &dir.join("d.sock"), &[]);
    let cases = std::sync::Arc::new(common::corpus());
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let cases = std::sync::Arc::clone(&cases);
            let socket = daemon.socket.clone();
            std::thread::spawn(move || {
                let mut client = common::Client::connect(&socket);
                let mut failures = Vec::new();
                // Each client walks the corpus from a different place, so the
                // daemon sees different requests at the same moment.
                for k in 0..cases.len() {
                    let case = &cases[(k + c * 17) % cases.len()];
                    let id = json!({"client": c, "n": k});
                    let reply = client.send(&common::envelope(&case.request, id.clone()));
                    let got = common::unwrap_envelope(&reply, &id);
                    if got != case.reply {
                        failures.push(format!("{} (client {c})\n  expected {}\n  got      {got}", case.name, case.reply));
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = clients.into_iter().flat_map(|t| t.join().expect("client thread")).collect();
    assert!(failures.is_empty(), "{} replies differ through serve:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn serve_error_replies_keep_the_daemon_serving() {
    let b = common::built();
    let dir = common::scratch("errors");
    let daemon = common::Daemon::start(&b.engine, &dir.join("d.sock"), &["--fuel", "1000000"]);
    let mut c = daemon.client();
    let version = json!({"v": 1, "id": 1, "op": "version"});
    let ok = |reply: Value| assert!(reply["ok"].is_string(), "daemon should answer normally: {reply}");

    assert_eq!(common::error_code(&c.raw(b"{this is not json")), "bad_json");
    ok(c.send(&version));
    assert_eq!(common::error_code(&c.raw(&[0xff, 0xfe, b'{'])), "bad_json");
    ok(c.send(&version));
    let reply = c.send(&json!({"v": 1, "id": "u", "op": "launch_rockets", "args": {}}));
    assert_eq!(common::error_code(&reply), "unknown_op");
    assert_eq!(reply["id"], json!("u"));
    let reply = c.send(&json!({"v": 9, "id": "w", "op": "version"}));
    assert_eq!(common::error_code(&reply), "bad_version");
    assert_eq!(reply["id"], json!("w"));
    assert_eq!(common::error_code(&c.send(&json!({"id": 3, "op": "version"}))), "bad_version", "v is required by the daemon");
    ok(c.send(&version));

    let mut big = br#"{"v":1,"id":"big","op":"describe_ua","args":{"ua":""#.to_vec();
    big.extend(std::iter::repeat_n(b'a', 5 << 20));
    big.extend(br#""}}"#);
    let reply = c.raw(&big);
    assert_eq!(common::error_code(&reply), "too_large", "{reply}");
    assert!(reply["error"]["message"].as_str().is_some_and(|m| m.contains("bytes at most")));
    ok(c.send(&version));

    // A legal request that needs far more than the tiny fuel budget.
    let reply = c.send(&common::huge_login());
    assert_eq!(common::error_code(&reply), "timeout", "{reply}");
    assert_eq!(reply["id"], json!("huge"));
    ok(c.send(&version));

    // Other connections were never affected.
    ok(daemon.client().send(&version));
}

#[test]
fn serve_socket_is_0660_and_sigterm_removes_it() {
    let b = common::built();
    let dir = common::scratch("term");
    let socket = dir.join("d.sock");
    let mut daemon = common::Daemon::start(&b.engine, &socket, &[]);
    let meta = std::fs::metadata(&socket).expect("socket exists");
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o660, "socket mode");

    let _idle = daemon.client();
    // SAFETY: signals our own child process by its pid.
    assert_eq!(unsafe { libc::kill(daemon.pid(), libc::SIGTERM) }, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = daemon.child.try_wait().expect("wait") {
            break s;
        }
        assert!(Instant::now() < deadline, "daemon did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "clean exit on SIGTERM, got {status}");
    assert!(!socket.exists(), "the socket file is removed on SIGTERM");
}

#[test]
fn serve_replaces_a_stale_socket_and_refuses_a_live_one() {
    let b = common::built();
    let dir = common::scratch("stale");
    let socket = dir.join("d.sock");
    // A socket file nobody listens on, as a crashed daemon leaves it.
    drop(UnixListener::bind(&socket).expect("bind"));
    assert!(socket.exists());
    let daemon = common::Daemon::start(&b.engine, &socket, &[]);
    assert!(daemon.client().send(&json!({"v": 1, "id": 1, "op": "version"}))["ok"].is_string());

    let second = Command::new(&b.engine).arg("serve").arg("--socket").arg(&socket).output().expect("run second daemon");
    assert!(!second.status.success(), "a second daemon on a live socket must refuse");
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("already serving"), "clear message: {err}");
    assert!(daemon.client().send(&json!({"v": 1, "id": 2, "op": "version"}))["ok"].is_string(), "the first daemon is undisturbed");

    let file = dir.join("not-a-socket");
    std::fs::write(&file, b"precious").expect("write");
    let third = Command::new(&b.engine).arg("serve").arg("--socket").arg(&file).output().expect("run");
    assert!(!third.status.success());
    assert_eq!(std::fs::read(&file).expect("still there"), b"precious", "a regular file is never deleted");
}

#[test]
fn serve_refuses_a_tampered_artifact() {
    let b = common::built();
    let dir = common::scratch("tamper");
    let mut bytes = std::fs::read(&b.artifact).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x80;
    let bad = dir.join("x.cwasm");
    std::fs::write(&bad, &bytes).expect("write");
    let socket = dir.join("d.sock");
    let out = Command::new(&b.engine)
        .args(["serve", "--socket"])
        .arg(&socket)
        .arg("--artifact")
        .arg(&bad)
        .output()
        .expect("run");
    assert!(!out.status.success(), "must refuse to serve a tampered artifact");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("BLAKE3"), "clear message: {err}");
    assert!(!socket.exists(), "nothing listens");
}
