#!/usr/bin/env bash
# Stops a test-bed site started by up.sh: Apache, the engine daemon and MariaDB, each by its process
# group (every one was started in its own session, so its pid is its group id). Safe to run twice.
# Usage: down.sh [SW_ROOT ...]   (default: $SW_STATE/site-8881). Leaves the files for post-mortems.
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
[ $# -gt 0 ] || set -- "${SW_ROOT:-$SW_STATE/site-${SW_PORT:-8881}}"

stop_group() { # pidfile
  local pid; pid=$(cat "$1" 2>/dev/null) || return 0
  case "$pid" in ''|*[!0-9]*) rm -f "$1"; return 0;; esac
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 100); do kill -0 -- "-$pid" 2>/dev/null || { rm -f "$1"; return 0; }; sleep 0.1; done
  sw_log "process group $pid ($(basename "$1")) ignored SIGTERM for 10 s: SIGKILL"
  kill -KILL -- "-$pid" 2>/dev/null; rm -f "$1"
}

for root in "$@"; do
  for f in apache.pid engine.pid mariadbd.pid; do stop_group "$root/run/$f" & done
  wait
  rm -f "$root/run/engine/engine.sock"
done
