//! Country of an address from MMDB bytes. (Stub: signatures are the contract.)
use crate::types::*;

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
    _bytes: &'a [u8],
}

impl<'a> Database<'a> {
    pub fn open(bytes: &'a [u8]) -> Result<Self, GeoError> {
        Ok(Database { _bytes: bytes })
    }

    pub fn country(&self, _ip: &str) -> Option<String> {
        None
    }

    pub fn meta(&self) -> GeoMeta {
        GeoMeta { database_type: String::new(), build_epoch: 0, ip_version: 0, node_count: 0 }
    }
}

pub fn country(db: &[u8], ip: &str) -> Result<Option<String>, GeoError> {
    Ok(Database::open(db)?.country(ip))
}

pub fn info(db: &[u8]) -> Result<GeoMeta, GeoError> {
    Ok(Database::open(db)?.meta())
}
