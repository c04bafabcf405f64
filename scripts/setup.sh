#!/usr/bin/env bash
# README command 1: install what is missing (apt, rustup targets, npm packages), build the engine and the
# plugin zip, and start a real WordPress 6.5.5 site with Session Warden at http://127.0.0.1:8881
# (Apache prefork + mod_php, MariaDB on a unix socket, engine daemon), installed from the zip.
# Safe to run again: the site is rebuilt from scratch. Stop it with `bash scripts/down.sh`.
# Env: SW_WP=6.1.9 for the oldest supported version, SW_PORT, SW_WP_DEBUG=1, SW_PLUGIN_FROM=src.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
t0=$SECONDS
sw_ensure_deps
sw_build || sw_die "build failed"
export SW_PORT=${SW_PORT:-8881}
export SW_ROOT=${SW_ROOT:-$SW_STATE/site-$SW_PORT}
bash "$SW_REPO/tests/env/up.sh"
. "$SW_ROOT/env.sh"
cat <<EOF

Session Warden is running ($(php -r 'echo json_decode(file_get_contents($argv[1]), true)["wp_version"];' "$SW_ENV"), set up in $((SECONDS - t0)) s):
  site:    $SW_URL/
  admin:   $SW_URL/wp-admin/
  login:   ${SW_ADMIN_USER:-admin} / ${SW_ADMIN_PASS:-admin-pass-123}
  files:   $SW_ROOT (logs/, env.json)
  stop:    bash scripts/down.sh
EOF
