//! Writes the small country database the engine and plugin tests use:
//! `cargo run -p session-warden-policy --example make_test_mmdb -- tests/fixtures/test-country.mmdb`
//!
//! The ranges are public addresses that MaxMind's own test databases use, in the
//! GeoLite2/GeoIP2 `country.iso_code` layout, so a test that looks up a private
//! address proves the private filter rather than a missing entry. The build time is
//! fixed so the file only changes when this list does.

use mmdb_writer::{IpVersion, Value, Writer};
use std::time::{Duration, UNIX_EPOCH};

/// (network, ISO country code)
const RANGES: [(&str, &str); 5] = [
    ("81.2.69.0/24", "GB"),
    ("89.160.20.0/24", "SE"),
    ("216.160.83.0/24", "US"),
    ("2001:218::/32", "JP"),
    ("2a02:cf40::/29", "NO"),
];

/// 2026-01-01T00:00:00Z.
const BUILD_EPOCH: u64 = 1_767_225_600;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args_os().nth(1).ok_or("usage: make_test_mmdb OUTPUT.mmdb")?;
    let mut writer = Writer::builder("SessionWarden-Test-Country")
        .ip_version(IpVersion::V6)
        .description(&[("en", "Session Warden test fixture: a few public ranges, not real geolocation data")])
        .build_epoch(UNIX_EPOCH + Duration::from_secs(BUILD_EPOCH))
        .build();
    for (net, code) in RANGES {
        let country = Value::map([("iso_code", Value::from(code))]);
        writer.insert_value(net.parse::<ipnet::IpNet>()?, Value::map([("country", country)]))?;
    }
    let bytes = writer.to_bytes()?;
    std::fs::write(&out, &bytes)?;
    eprintln!("wrote {} bytes to {}", bytes.len(), out.to_string_lossy());
    Ok(())
}
