//! Shared by the engine's tests: where the built engine is, the corpus, and a
//! daemon handle. The tests exercise the shipped outputs of
//! `scripts/build-engine.sh`; they fail (never skip) when those are missing.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    // The run-time value wins over the compile-time one, so a test binary left in
    // a shared target dir by another checkout still tests the checkout running it.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from);
    manifest
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf())
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

pub struct Built {
    pub dir: PathBuf,
    pub engine: PathBuf,
    pub component: PathBuf,
    pub artifact: PathBuf,
    /// BLAKE3 of the artifact (from `build/engine/B3SUMS`).
    pub artifact_blake3: String,
}

/// The outputs of `scripts/build-engine.sh`, or a panic saying to run it.
pub fn built() -> Built {
    let dir = repo().join("build/engine");
    let b = Built {
        engine: dir.join("session-warden-engine"),
        component: dir.join("session-warden.wasm"),
        artifact: dir.join("session-warden.cwasm"),
        artifact_blake3: String::new(),
        dir,
    };
    for p in [&b.engine, &b.component, &b.artifact, &b.dir.join("B3SUMS")] {
        assert!(
            p.exists(),
            "{} is missing: run scripts/build-engine.sh first (these tests check the built engine, component and artifact)",
            p.display()
        );
    }
    let sums = std::fs::read_to_string(b.dir.join("B3SUMS")).expect("read B3SUMS");
    let hash = sums
        .lines()
        .find_map(|l| l.strip_suffix("  session-warden.cwasm"))
        .expect("B3SUMS lists session-warden.cwasm")
        .to_string();
    Built { artifact_blake3: hash, ..b }
}

pub struct Case {
    pub path: PathBuf,
    pub name: String,
    pub request: Value,
    pub reply: Value,
}

/// Every `tests/corpus/**/*.json` case; panics when there are none.
pub fn corpus() -> Vec<Case> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "json") {
                out.push(p);
            }
        }
    }
    let root = repo().join("tests/corpus");
    let mut files = Vec::new();
    walk(&root, &mut files);
    assert!(!files.is_empty(), "no corpus cases under {}", root.display());
    files
        .into_iter()
        .map(|path| {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read case"))
                .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
            let name = path.strip_prefix(&root).unwrap_or(&path).display().to_string();
            Case {
                request: v.get("request").unwrap_or_else(|| panic!("{name}: no request")).clone(),
                reply: v.get("reply").unwrap_or_else(|| panic!("{name}: no reply")).clone(),
                name,
                path,
            }
        })
        .collect()
}

/// The envelope for a corpus request.
pub fn envelope(request: &Value, id: Value) -> Value {
    let mut env = request.as_object().expect("request is an object").clone();
    env.insert("v".into(), Value::from(1));
    env.insert("id".into(), id);
    Value::Object(env)
}

/// Checks v and id, then returns the reply without them (the corpus shape).
pub fn unwrap_envelope(reply: &Value, id: &Value) -> Value {
    let mut map = reply.as_object().unwrap_or_else(|| panic!("reply is not an object: {reply}")).clone();
    assert_eq!(map.remove("v"), Some(Value::from(1)), "reply {reply} has no v:1");
    assert_eq!(map.remove("id").as_ref(), Some(id), "reply {reply} does not echo id {id}");
    Value::Object(map)
}

pub fn error_code(reply: &Value) -> &str {
    reply.pointer("/error/code").and_then(Value::as_str).unwrap_or_else(|| panic!("not an error reply: {reply}"))
}

/// A scratch folder that is not world-writable (the engine refuses artifacts in
/// such folders) with a short path (unix socket paths are limited to 108 bytes).
pub fn scratch(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "sw{}-{tag}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod scratch");
    dir
}

/// Runs `engine call` with `input` on stdin: (exit code, stdout, stderr).
pub fn call(engine: &Path, args: &[&str], input: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(engine)
        .arg("call")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn engine call");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    // Written from a thread: the engine stops reading an oversized request early.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("engine call finishes");
    let _ = writer.join();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A daemon started for one test, killed when dropped.
pub struct Daemon {
    pub child: Child,
    pub socket: PathBuf,
}

impl Daemon {
    pub fn start(engine: &Path, socket: &Path, extra: &[&str]) -> Daemon {
        let child = Command::new(engine)
            .arg("serve")
            .arg("--socket")
            .arg(socket)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn daemon");
        let mut d = Daemon { child, socket: socket.to_path_buf() };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if UnixStream::connect(socket).is_ok() {
                return d;
            }
            if let Ok(Some(status)) = d.child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = d.child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                panic!("daemon exited early ({status}): {err}");
            }
            assert!(Instant::now() < deadline, "daemon did not start listening on {}", socket.display());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn client(&self) -> Client {
        Client::connect(&self.socket)
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Client {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Client {
    pub fn connect(socket: &Path) -> Client {
        let s = UnixStream::connect(socket).expect("connect to daemon");
        s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        Client { reader: BufReader::new(s.try_clone().expect("clone")), writer: s }
    }

    /// Sends one raw line (a newline is added) and reads one reply line.
    pub fn raw(&mut self, line: &[u8]) -> Value {
        let mut out = line.to_vec();
        out.push(b'\n');
        self.writer.write_all(&out).expect("send request");
        let mut reply = String::new();
        self.reader.read_line(&mut reply).expect("read reply");
        assert!(reply.ends_with('\n'), "daemon closed the connection (got {reply:?})");
        serde_json::from_str(&reply).unwrap_or_else(|e| panic!("reply is not JSON ({e}): {reply}"))
    }

    pub fn send(&mut self, request: &Value) -> Value {
        self.raw(request.to_string().as_bytes())
    }
}

pub fn blake3(bytes: &[u8]) -> String {
    session_warden_engine::blake3_hex(bytes)
}

/// A legal login check with many sessions: lots of work for the component.
pub fn huge_login() -> Value {
    let sessions: Vec<Value> = (0..3000)
        .map(|i| {
            serde_json::json!({"verifier": format!("s{i}"), "login": 1_699_990_000 + i, "expiration": 1_800_000_000u64,
                   "last_activity": 0, "ip": format!("203.0.{}.{}", i / 250, i % 250), "country": "DE",
                   "ua": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "flags": []})
        })
        .collect();
    serde_json::json!({"v": 1, "id": "huge", "op": "check_login", "args": {
        "settings": {"defaults": {"limits": [{"kind": "user", "max": 3}], "mode": "logout_oldest"}},
        "user": {"id": 1, "roles": ["subscriber"]}, "now": 1_700_000_000u64,
        "attempt": {"ip": "203.0.113.9", "country": "DE", "ua": "Mozilla/5.0"}, "sessions": sessions}})
}
