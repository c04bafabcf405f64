//! In-process numbers for `scripts/bench-engine.sh`: native core decisions per
//! second and the component's call latency inside the engine. Prints `key=value`
//! lines; the script turns them into the table.

// A benchmark stops at the first thing that is wrong; that is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use session_warden_engine::runtime::{Limits, Runtime};
use session_warden_engine::{artifact, config};
use session_warden_policy::types::LoginRequest;
use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let request_text = std::fs::read_to_string(repo.join("benches/requests/check_login_5.json")).expect("request file");
    let request: serde_json::Value = serde_json::from_str(&request_text).expect("request JSON");

    // Native core: the decision the JSON path makes, on already-parsed input
    // (settings validated once, as a host holding its settings would).
    let args = request["args"].clone();
    let settings = session_warden_policy::settings::validate_value(&args["settings"]).expect("settings valid");
    let mut login: LoginRequest = {
        let mut a = args.clone();
        a.as_object_mut().expect("object").remove("settings");
        serde_json::from_value(a).expect("login request")
    };
    login.settings = settings;
    for threads in [1usize, 2] {
        let per_thread = Duration::from_secs(2);
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let req = login.clone();
                std::thread::spawn(move || {
                    let start = Instant::now();
                    let mut n = 0u64;
                    while start.elapsed() < per_thread {
                        for _ in 0..100 {
                            std::hint::black_box(session_warden_policy::login::check_login(std::hint::black_box(&req)));
                        }
                        n += 100;
                    }
                    n as f64 / start.elapsed().as_secs_f64()
                })
            })
            .collect();
        let rate: f64 = handles.into_iter().map(|h| h.join().expect("thread")).sum();
        println!("native_check_login_per_s_{threads}t={rate:.0}");
    }
    // The whole JSON path natively (parse, validate settings, decide, write).
    let compact = request.to_string();
    let (med, p99) = time(5000, || {
        std::hint::black_box(session_warden_policy::json::handle(&compact));
    });
    println!("native_json_us_median={med:.1}\nnative_json_us_p99={p99:.1}");

    // The component in the engine: a fresh store and instance per call, as the
    // daemon does it.
    let sums = std::fs::read_to_string(repo.join("build/engine/B3SUMS"))
        .expect("build/engine/B3SUMS missing: run scripts/build-engine.sh first");
    let b3 = sums.lines().find_map(|l| l.strip_suffix("  session-warden.cwasm")).expect("artifact hash");
    // One-shot start-up, step by step (what every `call` pays before deciding),
    // on the same path as `call`: the BLAKE3 check alone (in memory, two
    // threads), then `artifact::load` as a whole (open, mapping, hash check,
    // `deserialize_raw` of that mapping), then the first call in a fresh instance.
    let art = repo.join("build/engine/session-warden.cwasm");
    let engine = wasmtime::Engine::new(&config()).expect("engine");
    let bytes = std::fs::read(&art).expect("read artifact");
    let t = Instant::now();
    let _ = session_warden_engine::blake3_hex(&bytes);
    let t_hash = t.elapsed();
    drop(bytes);
    let t = Instant::now();
    let c = artifact::load(&engine, &art, b3).expect("artifact loads");
    let t_load = t.elapsed();
    let t = Instant::now();
    let one = Runtime::new(engine.clone(), &c, Limits::default()).expect("runtime");
    let _ = one.handle_json(&request.to_string()).expect("first call");
    let t_first = t.elapsed();
    println!(
        "startup_hash_us={:.0}\nstartup_load_us={:.0}\nstartup_first_call_us={:.0}",
        t_hash.as_secs_f64() * 1e6,
        t_load.as_secs_f64() * 1e6,
        t_first.as_secs_f64() * 1e6
    );
    let component =
        artifact::load(&engine, &repo.join("build/engine/session-warden.cwasm"), b3).expect("artifact loads");
    let rt = Runtime::new(engine, &component, Limits::default()).expect("runtime");
    let (med, p99) = time(5000, || {
        std::hint::black_box(rt.handle_json(&compact).expect("call"));
    });
    println!("component_json_us_median={med:.1}\ncomponent_json_us_p99={p99:.1}");
    for (name, req) in [
        ("version", r#"{"op":"version"}"#.to_string()),
        ("describe_ua", format!(r#"{{"op":"describe_ua","args":{{"ua":{}}}}}"#, request["args"]["attempt"]["ua"])),
        ("validate_settings", format!(r#"{{"op":"validate_settings","args":{{"settings":{}}}}}"#, request["args"]["settings"])),
    ] {
        let (med, p99) = time(2000, || {
            std::hint::black_box(rt.handle_json(&req).expect("call"));
        });
        println!("component_{name}_us_median={med:.1}\ncomponent_{name}_us_p99={p99:.1}");
    }
    let (med, p99) = time(5000, || {
        rt.with_instance(|_, _| Ok(())).expect("instantiate");
    });
    println!("component_instantiate_us_median={med:.1}\ncomponent_instantiate_us_p99={p99:.1}");
    // The daemon's configuration (pooling allocator), and for comparison one
    // instance reused for many calls (what a fresh instance costs on top).
    let pooled_engine =
        wasmtime::Engine::new(&session_warden_engine::daemon_config_keep(16, Limits::default().max_memory, std::env::var("SW_KEEP").ok().and_then(|k| k.parse().ok()).unwrap_or(session_warden_engine::KEEP_RESIDENT))).expect("engine");
    let pooled_component = artifact::load(&pooled_engine, &art, b3).expect("artifact loads");
    let pooled = Runtime::new(pooled_engine, &pooled_component, Limits::default()).expect("runtime");
    let (med, p99) = time(5000, || {
        std::hint::black_box(pooled.handle_json(&compact).expect("call"));
    });
    println!("component_pooled_json_us_median={med:.1}\ncomponent_pooled_json_us_p99={p99:.1}");
    let reused = pooled
        .with_instance(|i, s| {
            for _ in 0..200 {
                i.call_handle_json(&mut *s, &compact)?;
            }
            let mut samples = Vec::with_capacity(2000);
            for _ in 0..2000 {
                s.set_fuel(u64::MAX)?;
                let t = Instant::now();
                std::hint::black_box(i.call_handle_json(&mut *s, &compact)?);
                samples.push(t.elapsed().as_secs_f64() * 1e6);
            }
            samples.sort_by(|a, b| a.total_cmp(b));
            Ok((samples[1000], samples[1980]))
        })
        .expect("reused instance");
    println!("component_reused_json_us_median={:.1}\ncomponent_reused_json_us_p99={:.1}", reused.0, reused.1);
    let envelope = format!("{{\"v\":1,\"id\":1,{}", &compact[1..]);
    let (med, p99) = time(5000, || {
        std::hint::black_box(rt.handle_envelope(&envelope, true));
    });
    println!("component_envelope_us_median={med:.1}\ncomponent_envelope_us_p99={p99:.1}");
}

/// Median and p99 in µs of `n` runs after a warm-up.
fn time(n: usize, mut f: impl FnMut()) -> (f64, f64) {
    for _ in 0..n / 10 {
        f();
    }
    let mut samples: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    samples.sort_by(|a, b| a.total_cmp(b));
    (samples[n / 2], samples[n * 99 / 100])
}
