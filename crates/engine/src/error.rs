//! What can go wrong in the engine host, in words a site owner can act on.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug)]
pub enum EngineError {
    /// The command line was not understood.
    Usage(String),
    /// The artifact is missing, unreadable, tampered with or unsafe to load.
    Artifact(String),
    /// The daemon's socket could not be set up.
    Socket { path: PathBuf, message: String },
    /// Another daemon already answers on the socket.
    AlreadyServing(PathBuf),
    /// The geolocation database could not be read.
    Geo(String),
    /// Wasmtime refused to set up the engine or the component.
    Wasm(String),
    Io(String),
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Usage(m) => write!(f, "{m}"),
            EngineError::Artifact(m) => write!(f, "the engine artifact cannot be used: {m}"),
            EngineError::Socket { path, message } => write!(f, "cannot serve on {}: {message}", path.display()),
            EngineError::AlreadyServing(path) => write!(
                f,
                "another session-warden-engine is already serving on {}; stop it first or choose another --socket",
                path.display()
            ),
            EngineError::Geo(m) => write!(f, "the geolocation database cannot be used: {m}"),
            EngineError::Wasm(m) => write!(f, "the engine could not start the policy component: {m}"),
            EngineError::Io(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for EngineError {}

impl EngineError {
    /// The JSON error code used in replies.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::Artifact(_) => "artifact",
            EngineError::Geo(_) => "geo_error",
            // `call --listen` could not set up its socket: PHP then starts the engine the other way.
            EngineError::Socket { .. } => "socket",
            _ => "engine",
        }
    }
}
