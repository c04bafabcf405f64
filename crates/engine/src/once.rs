//! `call --listen DIR`: a one-shot call whose request comes over a private unix
//! socket instead of stdin.
//!
//! PHP's `proc_open` forks the web server process. Forking copies its page
//! tables and marks every private page copy-on-write, so each page the web
//! server writes afterwards takes a fault: measured with a 40 MB PHP heap,
//! 4 ms for `proc_open` itself and 8 ms of faults after it. `popen`, which glibc
//! implements with `posix_spawn` (a vfork), costs neither, but it gives PHP only
//! the child's stdout. So the engine started that way answers over a socket:
//!
//! 1. it loads the artifact as `call` does, binds `DIR/once-<pid>.sock` (0600, in
//!    a directory that must be private to this user) and prints one line,
//!    `{"v":1,"listen":"<path>"}`, on stdout (or the usual error reply, exit 2);
//! 2. it instantiates the component for the request it has not received yet
//!    (PHP starts it well before it asks, so this is off PHP's path), accepts
//!    one connection, removes the socket file at once, reads one request line
//!    and writes one reply line, then exits;
//! 3. while it waits, it watches its stdout: when PHP closes its end (the
//!    request ended, or never needed the engine), it exits instead of waiting,
//!    so `pclose()` returns at once and nothing is left behind.

use crate::daemon::{read_line_capped, Line};
use crate::runtime::{too_large, Runtime};
use crate::EngineError;
use std::io::{BufReader, ErrorKind, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long the engine waits for its one connection before giving up (PHP
/// starts it ahead, as soon as it knows a sign-in is coming).
pub const WAIT: Duration = Duration::from_secs(60);

/// How long a connected client may take to send its request line.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A bound, not yet used one-shot socket.
pub struct Once {
    listener: UnixListener,
    path: PathBuf,
}

impl Once {
    /// Binds `dir/once-<pid>.sock`, creating `dir` (0700) when it is missing.
    /// `dir` is refused unless it is a real directory owned by this user and not
    /// writable by group or others: whoever could replace the socket could
    /// answer the plugin's question.
    pub fn bind(dir: &Path) -> Result<Once, EngineError> {
        let path = dir.join(format!("once-{}.sock", std::process::id()));
        let err = |message: String| EngineError::Socket { path: path.clone(), message };
        match std::fs::symlink_metadata(dir) {
            Err(e) if e.kind() == ErrorKind::NotFound => {
                std::fs::DirBuilder::new().mode(0o700).create(dir).or_else(|e| match e.kind() {
                    ErrorKind::AlreadyExists => Ok(()),
                    _ => Err(err(format!("cannot create the directory {}: {e}", dir.display()))),
                })?;
            }
            Err(e) => return Err(err(format!("{}: {e}", dir.display()))),
            Ok(_) => {}
        }
        let meta = std::fs::symlink_metadata(dir).map_err(|e| err(format!("{}: {e}", dir.display())))?;
        // SAFETY: geteuid has no preconditions.
        let me = unsafe { libc::geteuid() };
        if !meta.file_type().is_dir() || !crate::artifact::private_to_me(&meta) {
            return Err(err(format!(
                "{} is not a private directory of this user (it must be a real directory, owned by uid {me}, \
                 not writable by group or others)",
                dir.display()
            )));
        }
        // A socket left by an earlier engine with the same (recycled) pid.
        if let Ok(old) = std::fs::symlink_metadata(&path) {
            if old.file_type().is_socket() {
                let _ = std::fs::remove_file(&path);
            }
        }
        // Created 0600 from the start (umask): no moment where another user could connect.
        // SAFETY: umask only changes this process's file creation mask.
        let old_mask = unsafe { libc::umask(0o177) };
        let bound = UnixListener::bind(&path);
        // SAFETY: as above; restores the previous mask.
        unsafe { libc::umask(old_mask) };
        let listener = bound.map_err(|e| err(e.to_string()))?;
        Ok(Once { listener, path })
    }

    /// The socket's path, for the line PHP reads.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits for one client (at most `wait`, and only while `watch` — the pipe
    /// PHP reads — is still open), answers its one request and returns true; false
    /// when nobody came. The socket file is gone when this returns.
    pub fn answer_one(self, runtime: &Runtime, watch: RawFd, wait: Duration) -> Result<bool, EngineError> {
        let result = self.serve(runtime, watch, wait);
        let _ = std::fs::remove_file(&self.path);
        result
    }

    fn serve(&self, runtime: &Runtime, watch: RawFd, wait: Duration) -> Result<bool, EngineError> {
        let err = |message: String| EngineError::Socket { path: self.path.clone(), message };
        // A failure here is met again, and answered, when the request makes its own instance.
        let mut slot = runtime.ready().ok();
        if !wait_for_client(self.listener.as_raw_fd(), watch, wait) {
            return Ok(false);
        }
        let (stream, _) = self.listener.accept().map_err(|e| err(e.to_string()))?;
        // One client only: nobody else can reach the socket from now on.
        let _ = std::fs::remove_file(&self.path);
        stream.set_read_timeout(Some(READ_TIMEOUT)).map_err(|e| err(e.to_string()))?;
        let max = runtime.limits().max_request;
        let mut reader = BufReader::with_capacity(64 * 1024, &stream);
        let mut line = Vec::new();
        let reply = match read_line_capped(&mut reader, &mut line, max) {
            Ok(Line::Eof) => return Ok(true),
            Err(e) => return Err(err(format!("the request could not be read: {e}"))),
            Ok(Line::TooLong) => too_large(max),
            Ok(Line::Complete) => runtime.handle_bytes_spent(&line, false, &mut slot),
        };
        let mut out = reply.into_bytes();
        out.push(b'\n');
        (&stream).write_all(&out).map_err(|e| err(format!("the reply could not be written: {e}")))?;
        Ok(true)
    }
}

/// True when `listener` has a client waiting; false after `wait`, or as soon as
/// the other end of `watch` is closed (poll reports an error or hang-up on it).
fn wait_for_client(listener: RawFd, watch: RawFd, wait: Duration) -> bool {
    let deadline = std::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return false;
        }
        let mut fds = [
            libc::pollfd { fd: listener, events: libc::POLLIN, revents: 0 },
            // No events asked for: poll still reports POLLERR / POLLHUP.
            libc::pollfd { fd: watch, events: 0, revents: 0 },
        ];
        let ms = left.as_millis().min(i32::MAX as u128) as libc::c_int;
        // SAFETY: `fds` is a valid array of two pollfd for the duration of the call.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms.max(1)) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == ErrorKind::Interrupted {
                continue;
            }
            return false;
        }
        if fds[1].revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0 {
            return false;
        }
        if fds[0].revents & libc::POLLIN != 0 {
            return true;
        }
    }
}
