//! `session-warden-engine`: the policy component's host for PHP.
//!
//! ```text
//! session-warden-engine call  [--artifact PATH] [--artifact-blake3 HEX] [--geo-db PATH] [--fuel N] [--max-memory-mb N]
//! session-warden-engine call --listen DIR [same options]   (the request over a one-use socket; see once.rs)
//! session-warden-engine serve --socket PATH [same options as call]
//! session-warden-engine version [--artifact PATH] [--artifact-blake3 HEX]
//! session-warden-engine hash FILE...
//! session-warden-engine compile --component X.wasm --out X.cwasm [--target TRIPLE]   (full build only)
//! session-warden-engine componentize --core core.wasm --out X.wasm                   (full build only)
//! ```
//!
//! `call` always prints one JSON reply. It exits 0 when the request was answered
//! (including error replies about the request itself) and 2 when the engine itself
//! cannot work (artifact missing or refused), so PHP can tell "your request was
//! wrong" from "the engine is broken".

use serde_json::Value;
use session_warden_engine::runtime::{code, error_reply, Limits, Runtime};
use session_warden_engine::{artifact, config, EngineError, WASMTIME_VERSION};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

// The shipped engine is a static musl binary. musl's allocator hands freed memory back to the kernel eagerly,
// so a daemon request (JSON in and out, a store and instance) cost munmap calls and cross-core TLB flushes.
// dlmalloc keeps and reuses its memory. Measured interleaved against the same binary on musl's allocator:
// daemon CPU per request about -20 %, one-shot `call` / `cat` 1.58-1.62 -> 1.41-1.44 (mimalloc was tried
// too: the daemon gained less and its start-up made the one-shot call slower). glibc builds keep the system
// allocator.
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{}", usage());
        return ExitCode::from(64);
    };
    if command == "hash" {
        return hash(rest);
    }
    let opts = match Options::parse(rest) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("session-warden-engine: {e}\n\n{}", usage());
            return ExitCode::from(64);
        }
    };
    let result = match command.as_str() {
        "call" => return call(&opts),
        "serve" => serve(&opts),
        "version" | "--version" => version(&opts),
        "compile" => compile(&opts),
        "componentize" => componentize(&opts),
        "help" | "--help" | "-h" => {
            println!("{}", usage());
            Ok(())
        }
        other => Err(EngineError::Usage(format!("unknown command \"{other}\"\n\n{}", usage()))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("session-warden-engine: {e}");
            ExitCode::from(match e {
                EngineError::Usage(_) => 64,
                _ => 1,
            })
        }
    }
}

fn usage() -> &'static str {
    "usage: session-warden-engine COMMAND [OPTIONS]\n\
     \n\
     call      one JSON request on stdin, one JSON reply on stdout\n\
     \x20         (--listen DIR: the request and reply over a one-use socket in DIR instead)\n\
     serve     --socket PATH: answer newline-delimited JSON on a unix socket until SIGTERM\n\
     version   print versions and the artifact hash\n\
     hash      FILE...: print each file's BLAKE3 hash (b3sum format)\n\
     compile   --component X.wasm --out X.cwasm [--target TRIPLE]   (full build only)\n\
     componentize --core core.wasm --out X.wasm                     (full build only)\n\
     \n\
     options for call/serve: --artifact PATH (default: session-warden.cwasm beside the engine)\n\
     --artifact-blake3 HEX (development builds only), --geo-db PATH, --fuel N, --max-memory-mb N, --max-request-bytes N"
}

#[derive(Default)]
struct Options {
    artifact: Option<PathBuf>,
    artifact_blake3: Option<String>,
    socket: Option<PathBuf>,
    listen: Option<PathBuf>,
    geo_db: Option<PathBuf>,
    fuel: Option<u64>,
    max_memory_mb: Option<usize>,
    max_request: Option<usize>,
    component: Option<PathBuf>,
    core: Option<PathBuf>,
    out: Option<PathBuf>,
    target: Option<String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, EngineError> {
        let mut o = Options::default();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || {
                it.next().cloned().ok_or_else(|| EngineError::Usage(format!("{flag} needs a value")))
            };
            let number = |v: String| {
                v.parse::<u64>().map_err(|_| EngineError::Usage(format!("{flag} needs a whole number, not \"{v}\"")))
            };
            match flag.as_str() {
                "--artifact" => o.artifact = Some(value()?.into()),
                "--artifact-blake3" => o.artifact_blake3 = Some(value()?),
                "--socket" => o.socket = Some(value()?.into()),
                "--listen" => o.listen = Some(value()?.into()),
                "--geo-db" => o.geo_db = Some(value()?.into()),
                "--fuel" => o.fuel = Some(number(value()?)?),
                "--max-memory-mb" => o.max_memory_mb = Some(number(value()?)? as usize),
                "--max-request-bytes" => o.max_request = Some(number(value()?)? as usize),
                "--component" => o.component = Some(value()?.into()),
                "--core" => o.core = Some(value()?.into()),
                "--out" => o.out = Some(value()?.into()),
                "--target" => o.target = Some(value()?),
                other => return Err(EngineError::Usage(format!("unknown option \"{other}\""))),
            }
        }
        Ok(o)
    }

    fn limits(&self) -> Limits {
        let mut l = Limits::default();
        if let Some(f) = self.fuel {
            l.fuel = f;
        }
        if let Some(m) = self.max_memory_mb {
            l.max_memory = m.saturating_mul(1 << 20);
        }
        if let Some(r) = self.max_request {
            l.max_request = r;
        }
        l
    }
}

fn load_runtime(o: &Options) -> Result<Runtime, EngineError> {
    load_runtime_with(o, config())
}

fn load_runtime_with(o: &Options, engine_config: wasmtime::Config) -> Result<Runtime, EngineError> {
    let expected = artifact::expected_hash(o.artifact_blake3.as_deref())?;
    let path = match &o.artifact {
        Some(p) => p.clone(),
        None => artifact::default_path()?,
    };
    let t = Timer::start();
    let engine = wasmtime::Engine::new(&engine_config).map_err(|e| EngineError::Wasm(e.to_string()))?;
    t.lap("engine");
    let hashing = if o.listen.is_some() { artifact::Hashing::OneThread } else { artifact::Hashing::AllCpus };
    let component = artifact::load_hashing(&engine, &path, &expected, hashing, o.listen.as_deref())?;
    t.lap("artifact verified and loaded");
    let runtime = Runtime::new(engine, &component, o.limits())?;
    t.lap("instance-pre");
    match &o.geo_db {
        Some(db) => runtime.with_geo_db(db),
        None => Ok(runtime),
    }
}

fn call(o: &Options) -> ExitCode {
    let runtime = match load_runtime(o) {
        Ok(r) => r,
        Err(e) => return cannot_work(&e),
    };
    if let Some(dir) = &o.listen {
        return call_listen(&runtime, dir);
    }
    let max = runtime.limits().max_request;
    let mut input = Vec::new();
    let read = std::io::stdin().lock().take(max as u64 + 1).read_to_end(&mut input);
    let reply = match read {
        Err(e) => error_reply(Value::Null, code::BAD_REQUEST, &format!("the request could not be read: {e}")),
        Ok(_) if input.len() > max => session_warden_engine::runtime::too_large(max),
        Ok(_) => runtime.handle_bytes(&input, false),
    };
    Timer::start().lap("request answered");
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{reply}").and_then(|_| out.flush()).is_err() {
        return ExitCode::from(1);
    }
    // The reply is out and nothing else is buffered: exit now instead of
    // dropping the store, instance, component and engine one by one (unmapping
    // the artifact and memories piecewise); the kernel frees the whole address
    // space at once, and PHP waits for the exit.
    drop(out);
    std::process::exit(0)
}

/// `call` when the engine itself cannot work: the message on stderr, the same as a JSON error reply on
/// stdout, exit status 2 (so PHP tells "the engine is broken" from "your request was wrong").
fn cannot_work(e: &EngineError) -> ExitCode {
    eprintln!("session-warden-engine: {e}");
    println!("{}", error_reply(Value::Null, e.code(), &e.to_string()));
    ExitCode::from(2)
}

/// `call --listen DIR`: print where to connect, answer the one request that
/// comes, exit (see once.rs).
fn call_listen(runtime: &Runtime, dir: &std::path::Path) -> ExitCode {
    use std::os::fd::AsRawFd;
    let once = match session_warden_engine::once::Once::bind(dir) {
        Ok(once) => once,
        Err(e) => return cannot_work(&e),
    };
    let hello = serde_json::json!({ "v": 1, "listen": once.path().to_string_lossy() });
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if writeln!(out, "{hello}").and_then(|_| out.flush()).is_err() {
        return ExitCode::from(1);
    }
    drop(out);
    let answered = once.answer_one(runtime, stdout.as_raw_fd(), session_warden_engine::once::WAIT);
    Timer::start().lap("request answered");
    if let Err(e) = &answered {
        eprintln!("session-warden-engine: {e}");
    }
    // As in `call`: let the kernel free everything at once.
    std::process::exit(if answered.is_ok() { 0 } else { 1 })
}

/// `hash FILE...`: BLAKE3 of each file, one `HEX  FILE` line each (b3sum's format),
/// for the build script and for admins checking an install without b3sum.
fn hash(files: &[String]) -> ExitCode {
    if files.is_empty() {
        eprintln!("session-warden-engine: hash needs at least one FILE");
        return ExitCode::from(64);
    }
    for f in files {
        match std::fs::read(f) {
            Ok(bytes) => println!("{}  {f}", session_warden_engine::blake3_hex(&bytes)),
            Err(e) => {
                eprintln!("session-warden-engine: {f}: {e}");
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}

/// `SESSION_WARDEN_TIMING=1` prints where a call's time goes, on stderr.
struct Timer(Option<std::time::Instant>);

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

impl Timer {
    fn start() -> Timer {
        let on = std::env::var_os("SESSION_WARDEN_TIMING").is_some();
        Timer(on.then(|| *STARTED.get_or_init(std::time::Instant::now)))
    }

    fn lap(&self, what: &str) {
        if let Some(t0) = self.0 {
            eprintln!("session-warden-engine: {:>8.0} µs  {what}", t0.elapsed().as_secs_f64() * 1e6);
        }
    }
}

fn serve(o: &Options) -> Result<(), EngineError> {
    let socket = o.socket.clone().ok_or_else(|| EngineError::Usage("serve needs --socket PATH".into()))?;
    let limits = o.limits();
    let pooled = session_warden_engine::daemon_config(
        session_warden_engine::daemon::MAX_CONNECTIONS as u32 + 8,
        limits.max_memory,
    );
    let runtime = Arc::new(load_runtime_with(o, pooled)?);
    session_warden_engine::daemon::serve(runtime, &socket)
}

fn version(o: &Options) -> Result<(), EngineError> {
    let build = if cfg!(feature = "compiler") { "full build with compiler" } else { "runtime-only" };
    println!("session-warden-engine {} ({build})", env!("CARGO_PKG_VERSION"));
    println!("wasmtime {WASMTIME_VERSION}");
    println!("{} (native, for --geo-db)", session_warden_policy::version());
    match artifact::EMBEDDED_BLAKE3 {
        Some(h) => println!("artifact blake3 {h} (built in)"),
        None => println!("artifact blake3 none built in (development build)"),
    }
    match load_runtime(o) {
        Ok(rt) => match rt.with_instance(|i, s| i.call_version(s)) {
            Ok(v) => println!("component {v} (artifact loaded)"),
            Err(e) => println!("component failed: {}", e.message),
        },
        Err(e) => println!("component not loaded: {e}"),
    }
    Ok(())
}

#[cfg(feature = "compiler")]
fn compile(o: &Options) -> Result<(), EngineError> {
    let input = o.component.as_ref().ok_or_else(|| EngineError::Usage("compile needs --component X.wasm".into()))?;
    let out = o.out.as_ref().ok_or_else(|| EngineError::Usage("compile needs --out X.cwasm".into()))?;
    let bytes = std::fs::read(input).map_err(|e| EngineError::Io(format!("{}: {e}", input.display())))?;
    let mut cfg = config();
    let target = o.target.as_deref().unwrap_or(session_warden_engine::ARTIFACT_TARGET);
    cfg.target(target).map_err(|e| EngineError::Wasm(format!("target {target}: {e}")))?;
    let engine = wasmtime::Engine::new(&cfg).map_err(|e| EngineError::Wasm(e.to_string()))?;
    let artifact = engine.precompile_component(&bytes).map_err(|e| EngineError::Wasm(e.to_string()))?;
    write_read_only(out, &artifact)?;
    println!("{}  {}", session_warden_engine::blake3_hex(&artifact), out.display());
    Ok(())
}

#[cfg(feature = "compiler")]
fn componentize(o: &Options) -> Result<(), EngineError> {
    let input = o.core.as_ref().ok_or_else(|| EngineError::Usage("componentize needs --core core.wasm".into()))?;
    let out = o.out.as_ref().ok_or_else(|| EngineError::Usage("componentize needs --out X.wasm".into()))?;
    let core = std::fs::read(input).map_err(|e| EngineError::Io(format!("{}: {e}", input.display())))?;
    let core = pre_initialize(&core).map_err(|e| EngineError::Wasm(format!("pre-initialising {}: {e}", input.display())))?;
    let core = strip_custom_section(&core, "name");
    // The core module carries its WIT world in a custom section (wit-bindgen puts
    // it there), so the encoder needs nothing else; no adapter, because the
    // module imports no WASI.
    let component = wit_component::ComponentEncoder::default()
        .module(&core)
        .and_then(|e| e.validate(true).encode())
        .map_err(|e| EngineError::Wasm(format!("{}: {e:#}", input.display())))?;
    write_read_only(out, &component)?;
    println!("{}  {}", session_warden_engine::blake3_hex(&component), out.display());
    Ok(())
}

/// Runs the core module's `wizer-initialize` export once and snapshots the
/// result (wizer): every fresh instance then starts with the core's lazily built
/// tables already in memory instead of rebuilding them per request.
#[cfg(feature = "compiler")]
fn pre_initialize(core: &[u8]) -> wasmtime::Result<Vec<u8>> {
    use wasmtime_wizer::{InstanceState, SnapshotVal, ValType, Wizer};

    struct State<'a> {
        store: &'a mut wasmtime::Store<()>,
        instance: wasmtime::Instance,
    }

    impl InstanceState for State<'_> {
        async fn global_get(&mut self, name: &str, _: ValType) -> SnapshotVal {
            match self.instance.get_global(&mut *self.store, name).map(|g| g.get(&mut *self.store)) {
                Some(wasmtime::Val::I32(x)) => SnapshotVal::I32(x),
                Some(wasmtime::Val::I64(x)) => SnapshotVal::I64(x),
                Some(wasmtime::Val::F32(x)) => SnapshotVal::F32(x),
                Some(wasmtime::Val::F64(x)) => SnapshotVal::F64(x),
                Some(wasmtime::Val::V128(x)) => SnapshotVal::V128(x.as_u128()),
                // Wizer only asks for the i32/i64/f32/f64/v128 globals it exported itself.
                _ => SnapshotVal::I32(0),
            }
        }

        async fn memory_contents(&mut self, name: &str, contents: impl FnOnce(&[u8]) + Send) {
            match self.instance.get_memory(&mut *self.store, name) {
                Some(m) => contents(m.data(&*self.store)),
                None => contents(&[]),
            }
        }
    }

    let wizer = Wizer::new();
    let (cx, instrumented) = wizer.instrument(core)?;
    let engine = wasmtime::Engine::new(&config())?;
    let module = wasmtime::Module::new(&engine, &instrumented)?;
    let mut store = wasmtime::Store::new(&engine, ());
    store.set_fuel(u64::MAX)?;
    let instance = wasmtime::Instance::new(&mut store, &module, &[])?;
    instance.get_typed_func::<(), ()>(&mut store, wizer.get_init_func())?.call(&mut store, ())?;
    let mut state = State { store: &mut store, instance };
    block_on(wizer.snapshot(&cx, &mut state))
}

/// Polls a future that never waits (wizer's snapshot over our synchronous state).
#[cfg(feature = "compiler")]
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Drops custom sections called `name` (function names: only for debugging, and
/// the engine would carry them into the artifact).
#[cfg(feature = "compiler")]
fn strip_custom_section(module: &[u8], drop: &str) -> Vec<u8> {
    fn leb(bytes: &[u8], mut i: usize) -> Option<(usize, usize)> {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let b = *bytes.get(i)?;
            i += 1;
            value |= ((b & 0x7f) as usize) << shift;
            if b < 0x80 {
                return Some((value, i));
            }
            shift += 7;
        }
    }
    let mut out = module.get(..8).map(<[u8]>::to_vec).unwrap_or_default();
    let mut i = 8;
    while i < module.len() {
        let Some((size, body)) = leb(module, i + 1) else { return module.to_vec() };
        let end = body + size;
        let Some(section) = module.get(i..end) else { return module.to_vec() };
        let is_dropped = module[i] == 0
            && leb(module, body).is_some_and(|(n, s)| module.get(s..s + n) == Some(drop.as_bytes()));
        if !is_dropped {
            out.extend_from_slice(section);
        }
        i = end;
    }
    out
}

#[cfg(feature = "compiler")]
fn write_read_only(path: &std::path::Path, bytes: &[u8]) -> Result<(), EngineError> {
    use std::os::unix::fs::PermissionsExt;
    let io = |e: std::io::Error| EngineError::Io(format!("{}: {e}", path.display()));
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o444)).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(not(feature = "compiler"))]
fn compile(_: &Options) -> Result<(), EngineError> {
    Err(EngineError::Usage(
        "this is the runtime-only engine; compile with session-warden-engine-full (built with --features compiler)".into(),
    ))
}

#[cfg(not(feature = "compiler"))]
fn componentize(o: &Options) -> Result<(), EngineError> {
    compile(o)
}
