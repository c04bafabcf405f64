//! Session Warden's decision core.
//!
//! Everything the plugin decides happens here, as plain functions of data: the
//! host passes settings, the user, the sessions it holds and `now`, and gets a
//! verdict back. No I/O, no clock, no global state, so the same code answers
//! identically natively, in the WebAssembly component and in the browser.

pub mod client_ip;
pub mod flow;
pub mod geo;
pub mod json;
pub mod login;
pub mod net;
pub mod request;
pub mod settings;
pub mod types;
pub mod ua;

pub use types::*;

/// Name and version reported by the engine.
pub fn version() -> String {
    format!("session-warden-policy {}", env!("CARGO_PKG_VERSION"))
}
