//! `session-warden-engine call --listen DIR`: the one-shot call PHP starts with
//! `popen` (see src/once.rs). One request over a one-use private socket, the
//! same answers as `call`, and nothing left behind.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Listening {
    child: Child,
    /// The pipe PHP reads through popen(); None once closed.
    stdout: Option<BufReader<std::process::ChildStdout>>,
}

fn start(engine: &Path, dir: &Path) -> Listening {
    start_with(engine, dir, &[])
}

fn start_with(engine: &Path, dir: &Path, options: &[&str]) -> Listening {
    let mut child = Command::new(engine)
        .arg("call")
        .args(options)
        .arg("--listen")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start engine");
    let stdout = Some(BufReader::new(child.stdout.take().expect("stdout")));
    Listening { child, stdout }
}

impl Listening {
    fn hello(&mut self) -> Value {
        let mut line = String::new();
        self.stdout.as_mut().expect("pipe open").read_line(&mut line).expect("hello line");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("hello is not JSON ({e}): {line:?}"))
    }

    fn socket(&mut self) -> PathBuf {
        let hello = self.hello();
        PathBuf::from(hello["listen"].as_str().unwrap_or_else(|| panic!("no listen path: {hello}")))
    }

    fn exit_code_within(&mut self, limit: Duration) -> i32 {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().unwrap_or(-1);
            }
            assert!(start.elapsed() < limit, "the engine is still running after {limit:?}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

fn ask(socket: &Path, line: &[u8]) -> Value {
    let mut s = UnixStream::connect(socket).expect("connect");
    s.write_all(line).expect("write");
    s.write_all(b"\n").expect("write");
    let mut reply = String::new();
    BufReader::new(&s).read_line(&mut reply).expect("reply");
    serde_json::from_str(&reply).unwrap_or_else(|e| panic!("reply not JSON ({e}): {reply}"))
}

fn private_dir(tag: &str) -> PathBuf {
    let dir = common::scratch(tag).join("run");
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn listen_answers_one_request_like_call_and_leaves_nothing() {
    let b = common::built();
    let dir = private_dir("listen-one");
    for case in common::corpus().iter().take(12) {
        let request = common::envelope(&case.request, json!("c")).to_string();
        let mut e = start(&b.engine, &dir);
        let socket = e.socket();
        let mode = std::fs::metadata(&socket).expect("socket exists").mode() & 0o777;
        assert_eq!(mode, 0o600, "the one-use socket is private");
        let reply = ask(&socket, request.as_bytes());
        assert_eq!(common::unwrap_envelope(&reply, &json!("c")), case.reply, "{}", case.name);
        assert_eq!(e.exit_code_within(Duration::from_secs(5)), 0);
        let (_, out, _) = common::call(&b.engine, &[], request.as_bytes());
        assert_eq!(serde_json::from_str::<Value>(&out).expect("call reply"), reply, "{}: call and --listen agree", case.name);
        assert!(!socket.exists(), "the socket file is removed");
    }
    assert_eq!(std::fs::metadata(&dir).expect("dir made").mode() & 0o777, 0o700, "the directory is created private");
    let left: Vec<_> = std::fs::read_dir(&dir).expect("dir").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(left, ["artifact.verified"], "nothing left in the directory but the artifact's note");
}

#[test]
fn listen_instance_made_while_waiting_keeps_the_fuel_limit() {
    let b = common::built();
    let dir = private_dir("listen-ready");
    let mut e = start_with(&b.engine, &dir, &["--fuel", "1000"]);
    let socket = e.socket();
    // The request comes late, as PHP's does: the engine instantiated for it while waiting.
    std::thread::sleep(Duration::from_millis(200));
    let reply = ask(&socket, common::huge_login().to_string().as_bytes());
    assert_eq!(common::error_code(&reply), "timeout", "{reply}");
    assert_eq!(e.exit_code_within(Duration::from_secs(5)), 0);
    assert!(!socket.exists(), "the socket file is removed");
}

#[test]
fn listen_notes_a_verified_artifact_and_hashes_it_again_once_it_changed() {
    let b = common::built();
    let dir = private_dir("listen-note");
    let artifact = common::scratch("listen-note-artifact").join("session-warden.cwasm");
    std::fs::copy(&b.artifact, &artifact).expect("copy the artifact");
    std::fs::set_permissions(&artifact, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let options = ["--artifact", artifact.to_str().expect("utf-8 path")];
    let note = dir.join("artifact.verified");
    let answers = || {
        let mut e = start_with(&b.engine, &dir, &options);
        let socket = e.socket();
        let reply = ask(&socket, br#"{"v":1,"id":1,"op":"version","args":{}}"#);
        assert!(reply.get("ok").is_some(), "{reply}");
        assert_eq!(e.exit_code_within(Duration::from_secs(5)), 0);
    };

    answers();
    let noted = std::fs::read_to_string(&note).expect("the first engine notes the artifact it hashed");
    assert!(noted.starts_with(&format!("{} ", b.artifact_blake3)), "{noted}");
    assert_eq!(std::fs::metadata(&note).expect("note").mode() & 0o777, 0o600, "the note is private");
    answers();
    assert_eq!(std::fs::read_to_string(&note).expect("note"), noted, "a holding note is left as it is");

    std::fs::write(&note, "not a note").expect("spoil the note");
    answers();
    assert_eq!(std::fs::read_to_string(&note).expect("note"), noted, "a note that does not hold is replaced");

    // One byte changed in place, with the modification time put back: the change time still gives it away.
    let modified = std::fs::metadata(&artifact).and_then(|m| m.modified()).expect("mtime");
    let mut bytes = std::fs::read(&artifact).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::thread::sleep(Duration::from_millis(20));
    let file = std::fs::OpenOptions::new().write(true).open(&artifact).expect("open for writing");
    (&file).write_all(&bytes).expect("write");
    file.set_modified(modified).expect("put the modification time back");
    drop(file);
    let mut e = start_with(&b.engine, &dir, &options);
    let hello = e.hello();
    assert_eq!(common::error_code(&hello), "artifact", "{hello}");
    assert!(hello["error"]["message"].as_str().is_some_and(|m| m.contains("has BLAKE3 hash")), "{hello}");
    assert_eq!(e.exit_code_within(Duration::from_secs(5)), 2);
}

#[test]
fn listen_exits_at_once_when_its_reader_goes_away() {
    let b = common::built();
    let dir = private_dir("listen-gone");
    let mut e = start(&b.engine, &dir);
    let socket = e.socket();
    // What pclose() does for a request that never needed the engine: close the pipe, then wait.
    e.stdout = None;
    assert_eq!(e.exit_code_within(Duration::from_secs(3)), 0);
    assert!(!socket.exists(), "the socket file is removed");
}

#[test]
fn listen_refuses_a_directory_others_can_write() {
    let b = common::built();
    let dir = private_dir("listen-open");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let mut e = start(&b.engine, &dir);
    let hello = e.hello();
    assert_eq!(common::error_code(&hello), "socket", "{hello}");
    let message = hello["error"]["message"].as_str().expect("message");
    assert!(message.contains("not a private directory"), "{message}");
    assert_eq!(e.exit_code_within(Duration::from_secs(5)), 2, "an engine that cannot work exits 2, as call does");
    assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 0);
}

#[test]
fn listen_error_replies_come_back_over_the_socket() {
    let b = common::built();
    let dir = private_dir("listen-errors");
    for (line, code) in [(&b"{not json"[..], "bad_json"), (br#"{"v":1,"op":"no_such_op","args":{}}"#, "unknown_op")] {
        let mut e = start(&b.engine, &dir);
        let socket = e.socket();
        assert_eq!(common::error_code(&ask(&socket, line)), code);
        assert_eq!(e.exit_code_within(Duration::from_secs(5)), 0);
    }
}
