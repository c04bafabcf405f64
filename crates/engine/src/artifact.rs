//! Loading the precompiled artifact safely.
//!
//! A `.cwasm` is native machine code that wasmtime maps and runs without
//! validating it again, so loading one is `unsafe`: whoever can replace the file
//! can run code as the web server. The engine therefore loads only an artifact
//! whose BLAKE3 hash matches the hash embedded in the binary at build time (or, in
//! a development build without one, a hash given explicitly), and only from a
//! place other users cannot write to.
//!
//! BLAKE3 rather than sha256: a one-shot `call` hashes the whole artifact (several
//! MB) every time, and BLAKE3 is a cryptographic hash with the same 256-bit
//! strength that runs several times faster there (SIMD). `build/engine/B3SUMS`
//! lists it in `b3sum` format; `SHA256SUMS` stays for the distribution.

use crate::{blake3_hex, EngineError};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use wasmtime::component::Component;
use wasmtime::Engine;

/// The artifact's BLAKE3 hash baked in by `scripts/build-engine.sh`; `None` in dev builds.
pub const EMBEDDED_BLAKE3: Option<&str> = option_env!("SESSION_WARDEN_ARTIFACT_BLAKE3");

/// File name of the artifact beside the executable.
pub const DEFAULT_NAME: &str = "session-warden.cwasm";

/// The hash an artifact must have.
pub fn expected_hash(explicit: Option<&str>) -> Result<String, EngineError> {
    match (EMBEDDED_BLAKE3, explicit) {
        (Some(_), Some(_)) => Err(EngineError::Artifact(
            "this engine has its artifact hash built in; --artifact-blake3 is only for development builds".into(),
        )),
        (Some(h), None) => parse_hex(h).map_err(|m| EngineError::Artifact(format!("the built-in hash is unusable: {m}"))),
        (None, Some(h)) => parse_hex(h).map_err(|m| EngineError::Usage(format!("--artifact-blake3: {m}"))),
        (None, None) => Err(EngineError::Artifact(
            "this is a development build without a built-in artifact hash; pass --artifact-blake3 HEX \
             (the engine never loads an unverified artifact)"
                .into(),
        )),
    }
}

fn parse_hex(h: &str) -> Result<String, String> {
    let h = h.trim().to_ascii_lowercase();
    if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(h)
    } else {
        Err(format!("\"{h}\" is not a BLAKE3 hash (64 hex digits)"))
    }
}

/// Where the artifact is by default: beside the running executable.
pub fn default_path() -> Result<PathBuf, EngineError> {
    let exe = std::env::current_exe()
        .map_err(|e| EngineError::Artifact(format!("cannot find the engine's own location: {e}")))?;
    Ok(exe.parent().map(|d| d.join(DEFAULT_NAME)).unwrap_or_else(|| PathBuf::from(DEFAULT_NAME)))
}

/// Verifies and loads the artifact.
///
/// The file is mapped once, read-only, hashed, and that same mapping is what
/// wasmtime loads (`deserialize_raw`): no copy, and no second mapping to page in,
/// which a one-shot `call` pays on every request. A private mapping still shows
/// writes made to the file itself afterwards; only its owner could make them
/// (world-writable files and folders are refused), and the same owner could
/// replace the engine binary itself, so that owner is trusted anyway. The inode
/// is checked again after loading to catch a swapped file.
pub fn load(engine: &Engine, path: &Path, expected_blake3: &str) -> Result<Component, EngineError> {
    load_hashing(engine, path, expected_blake3, Hashing::AllCpus, None)
}

/// How the artifact check hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hashing {
    /// Over as many threads as CPUs: for a caller that waits for the engine (`call` from `proc_open`).
    AllCpus,
    /// On one thread: for an engine started ahead of its request (`call --listen`), whose start-up runs
    /// while the web server does its own work; a second hashing thread would take that work's core.
    /// Measured on the login benchmark, one-shot mode: 1.22× → 1.19× the plugin-off login.
    OneThread,
}

/// [`load`], choosing how the hash is computed, and where it is noted (see [`Note`]): with `note_dir`
/// (the private directory of a one-shot `call --listen`), an artifact whose identity that directory's note
/// records with the expected hash is not hashed again, and one that was hashed is noted there.
pub fn load_hashing(
    engine: &Engine,
    path: &Path,
    expected_blake3: &str,
    hashing: Hashing,
    note_dir: Option<&Path>,
) -> Result<Component, EngineError> {
    let (real, file, identity) = open_checked(path)?;
    let image = Image::map(&file, &real)?;
    let note = note_dir.map(|dir| Note::new(dir, expected_blake3, &identity));
    let noted = note.as_ref().is_some_and(Note::holds);
    if !noted {
        let actual = match hashing {
            Hashing::AllCpus => blake3_hex(image.bytes()),
            Hashing::OneThread => blake3::hash(image.bytes()).to_hex().to_string(),
        };
        if actual != expected_blake3 {
            return Err(EngineError::Artifact(format!(
                "{} has BLAKE3 hash {actual}, but this engine expects {expected_blake3}; the file is damaged, \
                 tampered with or from another build: reinstall the plugin",
                path.display()
            )));
        }
    }
    // SAFETY: the mapping holds exactly the bytes just hashed, the artifact our build produced (BLAKE3
    // checked above against a hash fixed at build time or given by the developer), so it is a valid
    // wasmtime artifact for this wasmtime version and configuration. It stays mapped for the rest of the
    // process (`Image::keep`) and nothing writes to it: wasmtime only reads it, and makes its code
    // executable through `CodeMapping`.
    let component = unsafe { Component::deserialize_raw(engine, image.keep()) }.map_err(|e| {
        EngineError::Artifact(format!(
            "{} matches its hash but wasmtime refused it ({e}); the engine and the artifact \
             come from different builds",
            path.display()
        ))
    })?;
    let after = std::fs::metadata(&real).map(|m| identity_of(&m)).ok();
    if after != Some(identity) {
        return Err(EngineError::Artifact(format!("{} changed while it was being loaded", real.display())));
    }
    if let (Some(note), false) = (&note, noted) {
        note.write();
    }
    Ok(component)
}

/// A one-shot engine's note that the artifact was hashed and matched, kept in its private run directory
/// (`artifact.verified`), so the engines PHP starts for later sign-ins skip the hash (about 0.2 ms of CPU
/// each, taken from the web server's work while it runs).
///
/// The note records the expected hash and the file's identity: device, inode, size, modification time
/// and change time. Any write to the file, or a file put in its place, changes that identity (the change
/// time is set by the kernel alone, so restoring the modification time does not hide a write), and the
/// note no longer holds: the artifact is hashed again. A note is read only from a directory that is
/// private to this user and only when the note itself is this user's and not writable by others; whoever
/// could write it could also replace the engine binary beside the artifact.
struct Note {
    path: PathBuf,
    line: String,
}

impl Note {
    const NAME: &'static str = "artifact.verified";

    fn new(dir: &Path, expected_blake3: &str, identity: &Identity) -> Note {
        let (dev, ino, len, mtime, mtime_ns, ctime, ctime_ns) = identity;
        Note {
            path: dir.join(Self::NAME),
            line: format!("{expected_blake3} {dev} {ino} {len} {mtime}.{mtime_ns:09} {ctime}.{ctime_ns:09}\n"),
        }
    }

    /// Whether the note's directory is a real directory private to this user.
    fn in_private_dir(&self) -> bool {
        self.path.parent().is_some_and(|dir| std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir() && private_to_me(&m)))
    }

    /// Whether the note in the directory records exactly this artifact and hash.
    fn holds(&self) -> bool {
        use std::io::Read;
        use std::os::unix::fs::OpenOptionsExt;
        if !self.in_private_dir() {
            return false;
        }
        let Ok(mut file) = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(&self.path) else {
            return false;
        };
        if !file.metadata().is_ok_and(|m| m.is_file() && private_to_me(&m)) {
            return false;
        }
        let mut text = String::new();
        file.by_ref().take(256).read_to_string(&mut text).is_ok() && text == self.line
    }

    /// Writes the note (best effort: without it, the next engine hashes again), replacing the old one at once.
    fn write(&self) {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        use std::os::unix::fs::DirBuilderExt;
        let Some(dir) = self.path.parent() else { return };
        // The directory `call --listen` binds its socket in, created as it creates it (0700) when missing.
        let _ = std::fs::DirBuilder::new().mode(0o700).create(dir);
        if !self.in_private_dir() {
            return;
        }
        let fresh = dir.join(format!("{}.{}", Self::NAME, std::process::id()));
        let _ = std::fs::remove_file(&fresh);
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&fresh)
            .and_then(|mut f| f.write_all(self.line.as_bytes()));
        if written.and_then(|_| std::fs::rename(&fresh, &self.path)).is_err() {
            let _ = std::fs::remove_file(&fresh);
        }
    }
}

/// Owned by this process's user and not writable by group or others.
pub(crate) fn private_to_me(meta: &std::fs::Metadata) -> bool {
    // SAFETY: geteuid has no preconditions.
    meta.uid() == unsafe { libc::geteuid() } && meta.mode() & 0o022 == 0
}

/// The artifact file mapped once, read-only and with every page mapped in: hashed, then handed to wasmtime
/// as it is. (Loading it with `deserialize_file` mapped and paged in the file a second time, which a
/// one-shot `call` paid on every request.)
struct Image {
    ptr: std::ptr::NonNull<u8>,
    len: usize,
}

impl Image {
    fn map(file: &std::fs::File, real: &Path) -> Result<Image, EngineError> {
        use std::os::fd::AsRawFd;
        let len = file.metadata().map(|m| m.len() as usize).unwrap_or(0);
        if len == 0 {
            return Err(EngineError::Artifact(format!("{} is empty", real.display())));
        }
        // SAFETY: a private read-only mapping of a file we hold open. MAP_POPULATE maps every page of the
        // (page-cached) file at once instead of taking a fault per page, for the hash and the code alike.
        let ptr = unsafe {
            libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_PRIVATE | libc::MAP_POPULATE, file.as_raw_fd(), 0)
        };
        let mapped = if ptr == libc::MAP_FAILED { None } else { std::ptr::NonNull::new(ptr as *mut u8) };
        match mapped {
            Some(ptr) => Ok(Image { ptr, len }),
            None => Err(EngineError::Artifact(format!(
                "{} cannot be mapped: {}",
                real.display(),
                std::io::Error::last_os_error()
            ))),
        }
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr` maps `len` readable bytes until the mapping is dropped.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The mapping, never unmapped: the component runs code from it for as long as the process lives.
    fn keep(self) -> std::ptr::NonNull<[u8]> {
        let kept = std::ptr::NonNull::slice_from_raw_parts(self.ptr, self.len);
        std::mem::forget(self);
        kept
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping `map` created; no borrow of it outlives `self`.
        unsafe { libc::munmap(self.ptr.as_ptr() as *mut libc::c_void, self.len) };
    }
}

/// How wasmtime makes the code of an artifact executable when it did not map the artifact itself: the
/// text section of our read-only mapping becomes read + execute, never writable.
pub(crate) struct CodeMapping;

impl wasmtime::CustomCodeMemory for CodeMapping {
    fn required_alignment(&self) -> usize {
        // SAFETY: sysconf only reads a system constant.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        usize::try_from(page).unwrap_or(4096)
    }

    fn publish_executable(&self, ptr: *const u8, len: usize) -> wasmtime::Result<()> {
        protect(ptr, len, libc::PROT_READ | libc::PROT_EXEC)
    }

    fn unpublish_executable(&self, ptr: *const u8, len: usize) -> wasmtime::Result<()> {
        protect(ptr, len, libc::PROT_READ)
    }
}

fn protect(ptr: *const u8, len: usize, prot: libc::c_int) -> wasmtime::Result<()> {
    if len == 0 {
        return Ok(());
    }
    // SAFETY: wasmtime passes a page-aligned range of code memory it owns (see `required_alignment`).
    if unsafe { libc::mprotect(ptr as *mut libc::c_void, len, prot) } != 0 {
        return Err(wasmtime::Error::msg(format!("cannot change code memory protection: {}", std::io::Error::last_os_error())));
    }
    Ok(())
}

/// Device, inode, size, modification time and change time (seconds, nanoseconds).
type Identity = (u64, u64, u64, i64, i64, i64, i64);

fn identity_of(meta: &std::fs::Metadata) -> Identity {
    (meta.dev(), meta.ino(), meta.len(), meta.mtime(), meta.mtime_nsec(), meta.ctime(), meta.ctime_nsec())
}

fn open_checked(path: &Path) -> Result<(PathBuf, std::fs::File, Identity), EngineError> {
    let real = std::fs::canonicalize(path).map_err(|e| {
        EngineError::Artifact(format!(
            "{} cannot be opened: {e}; run scripts/build-engine.sh or reinstall the plugin",
            path.display()
        ))
    })?;
    let file = std::fs::File::open(&real)
        .map_err(|e| EngineError::Artifact(format!("{} cannot be opened: {e}", real.display())))?;
    let meta = file.metadata().map_err(|e| EngineError::Artifact(format!("{} cannot be read: {e}", real.display())))?;
    if !meta.is_file() {
        return Err(EngineError::Artifact(format!("{} is not a regular file", real.display())));
    }
    if meta.permissions().mode() & 0o002 != 0 {
        return Err(EngineError::Artifact(format!(
            "{} is writable by every user of this server; it must be read-only for others (chmod o-w)",
            real.display()
        )));
    }
    if let Some(dir) = real.parent() {
        let dmeta = std::fs::metadata(dir)
            .map_err(|e| EngineError::Artifact(format!("{} cannot be read: {e}", dir.display())))?;
        if dmeta.mode() & 0o002 != 0 {
            return Err(EngineError::Artifact(format!(
                "{} lies in {}, a folder every user of this server can write to; keep the artifact \
                 beside the engine in the plugin folder, never in an upload or temporary folder",
                real.display(),
                dir.display()
            )));
        }
    }
    Ok((real, file, identity_of(&meta)))
}
