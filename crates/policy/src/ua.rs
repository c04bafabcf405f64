//! User-agent description. (Stub: signature is the contract.)
use crate::types::*;

pub fn describe(_ua: &str) -> UaDescription {
    UaDescription {
        browser: String::new(),
        version: String::new(),
        os: String::new(),
        device_class: DeviceClass::Other,
        device_type: "unknown".into(),
        client_type: ClientType::Other,
        label: "Unknown device".into(),
    }
}
