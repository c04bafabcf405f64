//! `--geo-db`: the host answers `geo_country`/`geo_info` natively from a database
//! read once; the answers must equal the component's for the same bytes.

// Test helpers outside #[test] functions fail loudly too; that is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine as _;
use serde_json::{json, Value};
use std::time::{Duration, UNIX_EPOCH};

fn database() -> Vec<u8> {
    use mmdb_writer::{IpVersion, Value as V, Writer};
    let mut w = Writer::builder("Test-Country")
        .ip_version(IpVersion::V6)
        .build_epoch(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        .build();
    for (net, code) in [("81.2.69.0/24", "GB"), ("89.160.20.0/24", "se"), ("2001:218::/32", "JP"), ("198.18.7.0/24", "XX")] {
        let net: ipnet::IpNet = net.parse().expect("net");
        w.insert_value(net, V::map([("country", V::map([("iso_code", V::from(code))]))])).expect("insert");
    }
    w.to_bytes().expect("mmdb bytes")
}

const IPS: [&str; 7] = ["81.2.69.160", "89.160.20.1", "2001:218::1", "192.168.1.1", "8.8.8.8", "not an ip", "198.18.7.1"];

fn reply(engine: &std::path::Path, args: &[&str], request: Value) -> Value {
    let (code, out, err) = common::call(engine, args, request.to_string().as_bytes());
    assert_eq!(code, 0, "{err}");
    let mut v: Value = serde_json::from_str(&out).expect("JSON");
    v.as_object_mut().expect("object").remove("id");
    v
}

#[test]
fn host_geo_matches_the_component() {
    let b = common::built();
    let dir = common::scratch("geo");
    let bytes = database();
    let file = dir.join("country.mmdb");
    std::fs::write(&file, &bytes).expect("write db");
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let geo = ["--geo-db", file.to_str().expect("utf8")];

    let mut answered = 0;
    for ip in IPS {
        let in_wasm = reply(&b.engine, &[], json!({"op": "geo_country", "args": {"db": b64, "ip": ip}}));
        let native = reply(&b.engine, &geo, json!({"op": "geo_country", "args": {"ip": ip}}));
        assert_eq!(native, in_wasm, "geo_country {ip}");
        answered += usize::from(in_wasm["ok"].is_string());
    }
    assert!(answered >= 3, "the test database answers for some addresses");
    let in_wasm = reply(&b.engine, &[], json!({"op": "geo_info", "args": {"db": b64}}));
    let native = reply(&b.engine, &geo, json!({"op": "geo_info"}));
    assert_eq!(native, in_wasm);

    // The daemon answers the same from its copy.
    let daemon = common::Daemon::start(&b.engine, &dir.join("d.sock"), &geo);
    let mut c = daemon.client();
    for ip in IPS {
        let r = c.send(&json!({"v": 1, "id": ip, "op": "geo_country", "args": {"ip": ip}}));
        let expected = reply(&b.engine, &[], json!({"op": "geo_country", "args": {"db": b64, "ip": ip}}));
        assert_eq!(r["ok"], expected["ok"], "daemon geo_country {ip}");
    }
}

#[test]
fn a_broken_geo_db_is_refused_at_start() {
    let b = common::built();
    let dir = common::scratch("geobad");
    let file = dir.join("broken.mmdb");
    std::fs::write(&file, b"this is not a database").expect("write");
    let (code, out, _) =
        common::call(&b.engine, &["--geo-db", file.to_str().expect("utf8")], br#"{"op":"version"}"#);
    assert_ne!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(common::error_code(&v), "geo_error");
}
