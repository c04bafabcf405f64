//! Country of an address, from an MMDB database the host hands over as bytes.
//!
//! The engine reads no files: the host passes the database (an uploaded
//! GeoLite2/GeoIP2, DB-IP or IPinfo country or city file, or a bundled one) and
//! the reader borrows those bytes without copying them. Layouts differ between
//! vendors, so the country is read from the first of `country_code` (the
//! ip-location-db builds), `country.iso_code` and `registered_country.iso_code`
//! (MaxMind; the registered country answers for anonymous and satellite ranges)
//! that holds a usable code.
//!
//! Private and reserved addresses are never looked up: some databases answer
//! for them (one gave AU for 192.168.1.1), and a wrong country there would raise
//! false country anomalies for every visitor on a local network. Unknown is
//! `None`, never a made-up country: `XX` (Cloudflare's unknown), `ZZ` (unknown
//! in several free databases) and `T1` (Tor) included.

use crate::net;
use crate::types::*;
use maxminddb::{path, PathElement, Reader};

/// Why a geolocation database or lookup failed, in words a site owner understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoError(pub String);

impl std::fmt::Display for GeoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GeoError {}

/// An opened database: open once, look up many times (the engine keeps one).
pub struct Database<'a> {
    reader: Reader<&'a [u8]>,
}

impl<'a> Database<'a> {
    pub fn open(bytes: &'a [u8]) -> Result<Self, GeoError> {
        if bytes.is_empty() {
            return Err(not_mmdb("the file is empty"));
        }
        let reader = Reader::from_source(bytes).map_err(|e| not_mmdb(&e.to_string()))?;
        Ok(Database { reader })
    }

    pub fn country(&self, ip: &str) -> Option<String> {
        let ip = net::parse_ip(ip)?;
        if net::is_private(ip) {
            return None;
        }
        // An IPv6 address in an IPv4-only database is an error to the reader; to
        // us it is simply not in the database.
        let found = self.reader.lookup(ip).ok()?;
        let paths: [&[PathElement<'_>]; 3] =
            [&path!["country_code"], &path!["country", "iso_code"], &path!["registered_country", "iso_code"]];
        // A value of the wrong type in one layout must not hide a good one in the next.
        paths.iter().find_map(|p| found.decode_path::<String>(p).ok().flatten().and_then(|code| usable(&code)))
    }

    pub fn meta(&self) -> GeoMeta {
        let m = self.reader.metadata();
        GeoMeta {
            database_type: m.database_type.clone(),
            build_epoch: m.build_epoch,
            ip_version: m.ip_version,
            node_count: m.node_count,
        }
    }
}

fn not_mmdb(detail: &str) -> GeoError {
    GeoError(format!("This file is not a MaxMind DB (MMDB) geolocation database: {detail}"))
}

/// Two ASCII letters, upper-cased, that name a country rather than "unknown".
fn usable(code: &str) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    let letters = code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase());
    (letters && !matches!(code.as_str(), "XX" | "ZZ")).then_some(code)
}

pub fn country(db: &[u8], ip: &str) -> Result<Option<String>, GeoError> {
    Ok(Database::open(db)?.country(ip))
}

pub fn info(db: &[u8]) -> Result<GeoMeta, GeoError> {
    Ok(Database::open(db)?.meta())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ipnet::IpNet;
    use mmdb_writer::{IpVersion, Value, Writer};
    use std::time::{Duration, UNIX_EPOCH};

    #[derive(Clone, Copy)]
    enum Layout {
        /// ip-location-db: `{"country_code": "DE"}`.
        CountryCode,
        /// MaxMind: `{"country": {"iso_code": "DE"}}`.
        IsoCode,
        /// MaxMind anonymous/satellite ranges: only `registered_country`.
        Registered,
    }

    fn record(layout: Layout, code: &str) -> Value {
        let inner = || Value::map([("iso_code", Value::from(code))]);
        match layout {
            Layout::CountryCode => Value::map([("country_code", Value::from(code))]),
            Layout::IsoCode => Value::map([("country", inner()), ("names", Value::from("ignored"))]),
            Layout::Registered => Value::map([("registered_country", inner())]),
        }
    }

    fn build(version: IpVersion, layout: Layout, entries: &[(&str, &str)]) -> Vec<u8> {
        let mut w = Writer::builder("Test-Country")
            .ip_version(version)
            .build_epoch(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
            .build();
        for (net, code) in entries {
            let net: IpNet = net.parse().unwrap_or_else(|e| panic!("{net}: {e}"));
            w.insert_value(net, record(layout, code)).unwrap_or_else(|e| panic!("{net}: {e}"));
        }
        w.to_bytes().unwrap_or_else(|e| panic!("write: {e}"))
    }

    const V4: [(&str, &str); 3] = [("81.2.69.0/24", "GB"), ("89.160.20.0/24", "se"), ("216.160.83.0/24", "US")];

    #[test]
    fn both_layouts_ipv4_and_ipv6() {
        for layout in [Layout::CountryCode, Layout::IsoCode, Layout::Registered] {
            let mut entries = V4.to_vec();
            entries.push(("2001:218::/32", "JP"));
            let bytes = build(IpVersion::V6, layout, &entries);
            let db = Database::open(&bytes).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(db.country("81.2.69.160").as_deref(), Some("GB"));
            assert_eq!(db.country("89.160.20.128").as_deref(), Some("SE"), "codes are upper-cased");
            assert_eq!(db.country("216.160.83.56:443").as_deref(), Some("US"));
            assert_eq!(db.country("::ffff:216.160.83.56").as_deref(), Some("US"));
            assert_eq!(db.country("2001:218:85a3::1").as_deref(), Some("JP"));
            assert_eq!(db.country("[2001:218::1]:443").as_deref(), Some("JP"));
            assert_eq!(db.country("8.8.8.8"), None);
            assert_eq!(db.country("2a00:1450::1"), None);

            let v4_only = build(IpVersion::V4, layout, &V4);
            let db = Database::open(&v4_only).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(db.country("81.2.69.1").as_deref(), Some("GB"));
            assert_eq!(db.country("2001:218::1"), None, "v6 in a v4 database is unknown, not an error");
        }
    }

    #[test]
    fn the_first_layout_with_a_usable_code_wins() {
        let mut w = Writer::new("Test-Mixed");
        let both = Value::map([
            ("country_code", Value::from("XX")),
            ("country", Value::map([("iso_code", Value::from("FR"))])),
            ("registered_country", Value::map([("iso_code", Value::from("DE"))])),
        ]);
        let wrong_type = Value::map([
            ("country_code", Value::map([("x", Value::from("y"))])),
            ("registered_country", Value::map([("iso_code", Value::from("NL"))])),
        ]);
        let nets: [IpNet; 2] = ["81.2.69.0/24", "89.160.20.0/24"].map(|n| n.parse().unwrap_or_else(|e| panic!("{e}")));
        w.insert_value(nets[0], both).unwrap_or_else(|e| panic!("{e}"));
        w.insert_value(nets[1], wrong_type).unwrap_or_else(|e| panic!("{e}"));
        let bytes = w.to_bytes().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(country(&bytes, "81.2.69.1"), Ok(Some("FR".into())));
        assert_eq!(country(&bytes, "89.160.20.1"), Ok(Some("NL".into())));
    }

    #[test]
    fn private_reserved_and_unknown_are_none() {
        // The database claims the private ranges, as some real ones do.
        let bytes = build(
            IpVersion::V6,
            Layout::CountryCode,
            &[
                ("0.0.0.0/1", "AU"),
                ("128.0.0.0/1", "AU"),
                ("::/1", "AU"),
                ("8000::/1", "AU"),
                ("81.2.69.0/24", "XX"),
                ("89.160.20.0/24", "T1"),
                ("216.160.83.0/24", "ZZ"),
                ("2001:218::/32", "USA"),
            ],
        );
        let db = Database::open(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(db.country("1.1.1.1").as_deref(), Some("AU"));
        for ip in [
            "192.168.1.1", "10.0.0.1", "172.16.5.5", "127.0.0.1", "169.254.1.1", "100.64.0.1", "0.0.0.0",
            "255.255.255.255", "192.0.2.1", "::1", "fe80::1", "fd00::1", "2001:db8::1", "::ffff:192.168.1.1",
        ] {
            assert_eq!(db.country(ip), None, "{ip}");
        }
        for ip in ["81.2.69.1", "89.160.20.1", "216.160.83.1", "2001:218::1", "", "not an ip", "999.1.1.1"] {
            assert_eq!(db.country(ip), None, "{ip}");
        }
    }

    #[test]
    fn meta_from_metadata() {
        let bytes = build(IpVersion::V4, Layout::IsoCode, &V4);
        let meta = info(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(meta.database_type, "Test-Country");
        assert_eq!(meta.build_epoch, 1_700_000_000);
        assert_eq!(meta.ip_version, 4);
        assert!(meta.node_count > 0);
        let meta = info(&build(IpVersion::V6, Layout::IsoCode, &V4)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(meta.ip_version, 6);
    }

    /// The committed fixture the engine and plugin tests share (see tests/fixtures/README.md).
    #[test]
    fn committed_fixture() {
        let bytes = include_bytes!("../../../tests/fixtures/test-country.mmdb");
        let db = Database::open(bytes).unwrap_or_else(|e| panic!("{e}"));
        let cases = [
            ("81.2.69.142", Some("GB")),
            ("89.160.20.112", Some("SE")),
            ("216.160.83.56", Some("US")),
            ("2001:218::1", Some("JP")),
            ("2a02:cf47:ffff::1", Some("NO")),
            ("8.8.8.8", None),
            ("192.168.1.1", None),
        ];
        for (ip, want) in cases {
            assert_eq!(db.country(ip).as_deref(), want, "{ip}");
        }
        let meta = db.meta();
        assert_eq!((meta.database_type.as_str(), meta.build_epoch, meta.ip_version), ("SessionWarden-Test-Country", 1_767_225_600, 6));
    }

    #[test]
    fn not_an_mmdb() {
        let bytes = build(IpVersion::V4, Layout::IsoCode, &V4);
        let truncated = &bytes[..bytes.len() / 2];
        for junk in [&b""[..], b"GIF89a\x01\x00", b"PK\x03\x04 a zip file", &[0u8; 4096], truncated] {
            let err = info(junk).err().unwrap_or_else(|| panic!("{} bytes accepted", junk.len()));
            assert!(err.0.starts_with("This file is not a MaxMind DB (MMDB) geolocation database: "), "{err}");
            assert_eq!(country(junk, "81.2.69.1"), Err(err));
        }
    }
}
