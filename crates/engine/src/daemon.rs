//! `serve`: the optional accelerator, a daemon answering newline-delimited JSON on
//! a unix socket. One thread per connection, several requests per connection, a
//! fresh store and instance per request (so no state leaks between requests or
//! sites), and the same envelope as `call`.

use crate::runtime::{code, error_reply, too_large, Runtime};
use crate::EngineError;
use serde_json::Value;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// More connections than this at once are turned away with a `busy` reply, so a
/// flood of clients cannot exhaust threads.
pub const MAX_CONNECTIONS: usize = 256;

/// Serves until SIGTERM or SIGINT, then removes the socket.
pub fn serve(runtime: Arc<Runtime>, socket: &Path) -> Result<(), EngineError> {
    let sock_err = |message: String| EngineError::Socket { path: socket.to_path_buf(), message };
    clear_stale_socket(socket)?;

    // A self-pipe: the signal handler only writes a byte, and the accept loop
    // polls it beside the listener, so shutdown is immediate and signal-safe.
    let (wake_rx, wake_tx) = UnixStream::pair().map_err(|e| sock_err(e.to_string()))?;
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        let tx = wake_tx.try_clone().map_err(|e| sock_err(e.to_string()))?;
        signal_hook::low_level::pipe::register(signal, tx).map_err(|e| sock_err(e.to_string()))?;
    }

    // Created 0660 from the start (umask), so there is no moment where any user
    // of the server could connect.
    // SAFETY: umask only changes this process's file creation mask.
    let old_mask = unsafe { libc::umask(0o117) };
    let bound = UnixListener::bind(socket);
    // SAFETY: as above; restores the previous mask.
    unsafe { libc::umask(old_mask) };
    let listener = bound.map_err(|e| sock_err(e.to_string()))?;
    std::fs::set_permissions(socket, std::fs::Permissions::from_mode(0o660)).map_err(|e| sock_err(e.to_string()))?;
    let ours = std::fs::metadata(socket).map(|m| (m.dev(), m.ino())).ok();
    listener.set_nonblocking(true).map_err(|e| sock_err(e.to_string()))?;

    eprintln!("session-warden-engine: serving on {}", socket.display());
    let active = Arc::new(AtomicUsize::new(0));
    let result = accept_loop(&listener, &wake_rx, &runtime, &active);

    // Remove the socket only if it is still the one we created (an admin may have
    // started another daemon on the same path meanwhile).
    let still_ours = std::fs::metadata(socket).map(|m| (m.dev(), m.ino())).ok() == ours;
    if still_ours {
        let _ = std::fs::remove_file(socket);
    }
    eprintln!("session-warden-engine: stopped, socket {} removed", socket.display());
    result.map_err(|e| sock_err(e.to_string()))
}

fn accept_loop(
    listener: &UnixListener,
    wake: &UnixStream,
    runtime: &Arc<Runtime>,
    active: &Arc<AtomicUsize>,
) -> std::io::Result<()> {
    let mut fds = [
        libc::pollfd { fd: listener.as_raw_fd(), events: libc::POLLIN, revents: 0 },
        libc::pollfd { fd: wake.as_raw_fd(), events: libc::POLLIN, revents: 0 },
    ];
    loop {
        fds[0].revents = 0;
        fds[1].revents = 0;
        // SAFETY: `fds` is a valid array of two pollfd for the duration of the call.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) };
        if n < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() == ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        if fds[1].revents != 0 {
            return Ok(());
        }
        loop {
            match listener.accept() {
                Ok((stream, _)) => spawn_connection(stream, runtime, active),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                // A client that went away before accept, or a transient fd
                // shortage: the daemon keeps serving the others.
                Err(e) => {
                    eprintln!("session-warden-engine: accept failed: {e}");
                    break;
                }
            }
        }
    }
}

fn spawn_connection(mut stream: UnixStream, runtime: &Arc<Runtime>, active: &Arc<AtomicUsize>) {
    if stream.set_nonblocking(false).is_err() {
        return;
    }
    if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
        active.fetch_sub(1, Ordering::SeqCst);
        let reply = error_reply(Value::Null, code::BUSY, "the engine is busy (too many connections); try again");
        let _ = stream.write_all(format!("{reply}\n").as_bytes());
        return;
    }
    let runtime = Arc::clone(runtime);
    let active_conn = Arc::clone(active);
    let spawned = std::thread::Builder::new().name("sw-conn".into()).spawn(move || {
        serve_connection(&runtime, stream);
        active_conn.fetch_sub(1, Ordering::SeqCst);
    });
    if spawned.is_err() {
        active.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A connection that sends nothing for this long is closed, so idle clients
/// cannot hold the connection slots forever.
const IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

fn serve_connection(runtime: &Runtime, stream: UnixStream) {
    if stream.set_read_timeout(Some(IDLE_TIMEOUT)).is_err() {
        return;
    }
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::with_capacity(64 * 1024, read_half);
    let mut writer = stream;
    let max = runtime.limits().max_request;
    let mut line = Vec::new();
    loop {
        // The request's store, freed after the reply is written: resetting the
        // pooled instance is then not part of the client's wait.
        let mut slot = None;
        let reply = match read_line_capped(&mut reader, &mut line, max) {
            Ok(Line::Eof) | Err(_) => return,
            Ok(Line::TooLong) => too_large(max),
            Ok(Line::Complete) => {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                runtime.handle_bytes_spent(&line, true, &mut slot)
            }
        };
        let mut out = reply.into_bytes();
        out.push(b'\n');
        if writer.write_all(&out).is_err() {
            return;
        }
        drop(slot);
    }
}

pub enum Line {
    Complete,
    TooLong,
    Eof,
}

/// Reads one line into `line` without ever holding more than `max` bytes: an
/// oversized line is drained and reported, so the connection stays usable.
pub fn read_line_capped<R: Read>(reader: &mut BufReader<R>, line: &mut Vec<u8>, max: usize) -> std::io::Result<Line> {
    line.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(match (any, too_long) {
                (false, _) => Line::Eof,
                (true, true) => Line::TooLong,
                (true, false) => Line::Complete,
            });
        }
        any = true;
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        if !too_long {
            if line.len() + chunk.len() > max {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let used = done.unwrap_or(buf.len());
        reader.consume(used);
        if done.is_some() {
            return Ok(if too_long { Line::TooLong } else { Line::Complete });
        }
    }
}

/// A socket file left by a daemon that died is removed; a live daemon is not
/// disturbed; anything that is not a socket is never deleted.
fn clear_stale_socket(socket: &Path) -> Result<(), EngineError> {
    let meta = match std::fs::symlink_metadata(socket) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(EngineError::Socket { path: socket.to_path_buf(), message: e.to_string() }),
    };
    if !meta.file_type().is_socket() {
        return Err(EngineError::Socket {
            path: socket.to_path_buf(),
            message: "a file that is not a socket is in the way; remove it or choose another --socket".into(),
        });
    }
    match UnixStream::connect(socket) {
        Ok(_) => Err(EngineError::AlreadyServing(PathBuf::from(socket))),
        Err(e) if e.kind() == ErrorKind::ConnectionRefused => std::fs::remove_file(socket).map_err(|e| {
            EngineError::Socket { path: socket.to_path_buf(), message: format!("cannot remove the stale socket: {e}") }
        }),
        Err(e) => Err(EngineError::Socket { path: socket.to_path_buf(), message: e.to_string() }),
    }
}
