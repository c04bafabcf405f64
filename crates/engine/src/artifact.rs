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
/// The file is hashed through a read-only mapping of one open file and then
/// mapped by wasmtime (`deserialize_file`), instead of being read and copied
/// twice: a one-shot `call` pays this on every request, and for a multi-MB
/// artifact the copies cost more than the decision. Between the hash and the
/// load the file must not change; only its owner could do that (world-writable
/// files and folders are refused), and the same owner could replace the engine
/// binary itself, so that owner is trusted anyway. The inode is checked again
/// after loading to catch a swapped file.
pub fn load(engine: &Engine, path: &Path, expected_blake3: &str) -> Result<Component, EngineError> {
    load_hashing(engine, path, expected_blake3, Hashing::AllCpus)
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

/// [`load`], choosing how the hash is computed.
pub fn load_hashing(
    engine: &Engine,
    path: &Path,
    expected_blake3: &str,
    hashing: Hashing,
) -> Result<Component, EngineError> {
    let (real, file, identity) = open_checked(path)?;
    let actual = hash_file(&file, &real, hashing)?;
    if actual != expected_blake3 {
        return Err(EngineError::Artifact(format!(
            "{} has BLAKE3 hash {actual}, but this engine expects {expected_blake3}; the file is damaged, \
             tampered with or from another build: reinstall the plugin",
            path.display()
        )));
    }
    // SAFETY: the file is exactly the artifact our build produced (BLAKE3 checked
    // above against a hash fixed at build time or given by the developer), so it
    // is a valid wasmtime artifact for this wasmtime version and configuration.
    let component = unsafe { Component::deserialize_file(engine, &real) }.map_err(|e| {
        EngineError::Artifact(format!(
            "{} matches its hash but wasmtime refused it ({e}); the engine and the artifact \
             come from different builds",
            path.display()
        ))
    })?;
    let after = std::fs::metadata(&real).map(|m| (m.dev(), m.ino(), m.len(), m.mtime(), m.mtime_nsec())).ok();
    if after != Some(identity) {
        return Err(EngineError::Artifact(format!("{} changed while it was being loaded", real.display())));
    }
    prefault(&component);
    Ok(component)
}

/// Maps the loaded artifact's native code in one call (Linux 5.14+, best
/// effort): the first call otherwise takes a page fault per few pages of code it
/// touches, which a one-shot `call` pays on every request. Only the executable
/// sections are populated (the artifact's other big part, the initial memory
/// image, reaches instances through a mapping of its own).
fn prefault(component: &Component) {
    let range = component.image_range();
    let len = (range.end as usize).saturating_sub(range.start as usize);
    if len == 0 {
        return;
    }
    // SAFETY: wasmtime keeps the artifact mapped readable for as long as
    // `component` lives, `len` bytes from `range.start`; only read here.
    let image = unsafe { std::slice::from_raw_parts(range.start, len) };
    for (offset, size) in executable_sections(image) {
        // SAFETY: advice on part of that mapping (bounds checked by
        // `executable_sections`); MADV_POPULATE_READ only maps pages in and
        // never changes contents. Failure (older kernels) is harmless: the pages
        // then fault in on use.
        let _ = unsafe { libc::madvise(range.start.add(offset) as *mut libc::c_void, size, libc::MADV_POPULATE_READ) };
    }
}

/// `(offset, size)` of the executable sections of an ELF64 little-endian image,
/// page-aligned and within `image`; empty when the image is not such an ELF.
fn executable_sections(image: &[u8]) -> Vec<(usize, usize)> {
    const SHF_EXECINSTR: u64 = 0x4;
    let bytes = |base: usize, at: usize, n: usize| {
        let start = base.checked_add(at)?;
        image.get(start..start.checked_add(n)?)
    };
    let u16_at = |o: usize| bytes(o, 0, 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
    let u64_at = |base: usize, at: usize| {
        bytes(base, at, 8).and_then(|b| <[u8; 8]>::try_from(b).ok()).map(u64::from_le_bytes)
    };
    let mut out = Vec::new();
    if image.get(..6) != Some(&[0x7f, b'E', b'L', b'F', 2, 1][..]) {
        return out;
    }
    let (Some(shoff), Some(shentsize), Some(shnum)) = (u64_at(0, 0x28), u16_at(0x3a), u16_at(0x3c)) else {
        return out;
    };
    if shentsize < 0x40 {
        return out;
    }
    for i in 0..shnum {
        let Some(h) = (shoff as usize).checked_add(i * shentsize) else { break };
        let (Some(flags), Some(offset), Some(size)) = (u64_at(h, 8), u64_at(h, 24), u64_at(h, 32)) else {
            break;
        };
        let (offset, size) = (offset as usize, size as usize);
        if flags & SHF_EXECINSTR == 0 || size == 0 {
            continue;
        }
        let start = offset & !4095;
        match offset.checked_add(size) {
            Some(end) if end <= image.len() => out.push((start, end - start)),
            _ => {}
        }
    }
    out
}

type Identity = (u64, u64, u64, i64, i64);

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
    let identity = (meta.dev(), meta.ino(), meta.len(), meta.mtime(), meta.mtime_nsec());
    Ok((real, file, identity))
}

fn hash_file(file: &std::fs::File, real: &Path, hashing: Hashing) -> Result<String, EngineError> {
    use std::os::fd::AsRawFd;
    let len = file.metadata().map(|m| m.len() as usize).unwrap_or(0);
    if len == 0 {
        return Err(EngineError::Artifact(format!("{} is empty", real.display())));
    }
    // SAFETY: a private read-only mapping of a file we hold open; it is only read
    // as bytes here and unmapped before returning. MAP_POPULATE maps every page
    // of the (page-cached) file at once instead of taking a fault per page.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_PRIVATE | libc::MAP_POPULATE,
            file.as_raw_fd(),
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        return Err(EngineError::Artifact(format!(
            "{} cannot be mapped: {}",
            real.display(),
            std::io::Error::last_os_error()
        )));
    }
    // SAFETY: `ptr` maps `len` readable bytes (checked above) until munmap below.
    let bytes = unsafe { std::slice::from_raw_parts(ptr as *const u8, len) };
    let hash = match hashing {
        Hashing::AllCpus => blake3_hex(bytes),
        Hashing::OneThread => blake3::hash(bytes).to_hex().to_string(),
    };
    // SAFETY: unmaps exactly the mapping created above; `bytes` is not used after.
    unsafe { libc::munmap(ptr, len) };
    Ok(hash)
}

#[cfg(test)]
mod tests {
    use super::executable_sections;

    #[test]
    fn executable_sections_are_bounded() {
        assert!(executable_sections(b"").is_empty());
        assert!(executable_sections(b"not an elf at all").is_empty());
        // An ELF64 header whose section table lies outside the image.
        let mut elf = vec![0u8; 0x40];
        elf[..6].copy_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1]);
        elf[0x28..0x30].copy_from_slice(&u64::MAX.to_le_bytes());
        elf[0x3a..0x3c].copy_from_slice(&0x40u16.to_le_bytes());
        elf[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
        assert!(executable_sections(&elf).is_empty());
        // One executable section at 0x1000, 0x20 bytes, inside a 0x2000-byte image;
        // one reaching past the end (ignored).
        let mut img = vec![0u8; 0x2000];
        img[..0x40].copy_from_slice(&elf);
        img[0x28..0x30].copy_from_slice(&0x100u64.to_le_bytes());
        img[0x3c..0x3e].copy_from_slice(&2u16.to_le_bytes());
        for (i, (off, size)) in [(0x1000u64, 0x20u64), (0x1f00, 0x200)].into_iter().enumerate() {
            let h = 0x100 + i * 0x40;
            img[h + 8..h + 16].copy_from_slice(&4u64.to_le_bytes());
            img[h + 24..h + 32].copy_from_slice(&off.to_le_bytes());
            img[h + 32..h + 40].copy_from_slice(&size.to_le_bytes());
        }
        assert_eq!(executable_sections(&img), vec![(0x1000, 0x20)]);
    }
}
