#!/usr/bin/env bash
# Builds build/session-warden.zip, the file a site owner uploads in Plugins → Add New → Upload:
#   session-warden/            the PHP plugin (wordpress-plugin/session-warden/)
#   session-warden/engine/     session-warden-engine (static musl, runtime-only), session-warden.cwasm,
#                              session-warden.wasm and SHA256SUMS of those three (sha256sum -c format)
# The engine comes from build/engine/ (scripts/build-engine.sh); run that first.
# SW_ALLOW_NO_ENGINE=1 packages without it: only scripts/test.sh does that, after a failed engine build
# (already counted as a failure), so that the WordPress tests still run and report.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ENGINE_DIR=${SW_ENGINE_DIR:-$SW_REPO/build/engine}
OUT=${1:-$SW_REPO/build/session-warden.zip}
SHIPPED=(session-warden-engine session-warden.cwasm session-warden.wasm)

stage=$SW_REPO/build/package
rm -rf "$stage"; mkdir -p "$stage/session-warden/engine"
cp -R "$SW_REPO/wordpress-plugin/session-warden/." "$stage/session-warden/"
find "$stage" \( -name '.DS_Store' -o -name '*~' -o -name '.git*' \) -exec rm -rf {} +

have_engine=1
for f in "${SHIPPED[@]}"; do [ -f "$ENGINE_DIR/$f" ] || have_engine=; done
if [ -n "$have_engine" ]; then
  for f in "${SHIPPED[@]}"; do cp "$ENGINE_DIR/$f" "$stage/session-warden/engine/$f"; done
  (cd "$stage/session-warden/engine" && sha256sum "${SHIPPED[@]}" > SHA256SUMS)
  # Anything the engine build listed must match what ships (catches a stale build/engine/).
  if [ -f "$ENGINE_DIR/SHA256SUMS" ]; then
    while read -r sum name; do
      name=${name#\*}; name=$(basename "$name")
      want=$(awk -v n="$name" '$2==n {print $1}' "$stage/session-warden/engine/SHA256SUMS")
      [ -z "$want" ] || [ "$want" = "$sum" ] || sw_die "build/engine/SHA256SUMS disagrees about $name"
    done < "$ENGINE_DIR/SHA256SUMS"
  fi
  chmod 0555 "$stage/session-warden/engine/session-warden-engine"
  chmod 0444 "$stage/session-warden/engine/"*.cwasm "$stage/session-warden/engine/"*.wasm "$stage/session-warden/engine/SHA256SUMS"
  if command -v file >/dev/null && ! file "$stage/session-warden/engine/session-warden-engine" | grep -q 'statically linked\|static-pie'; then
    sw_die "build/engine/session-warden-engine is not a static binary"
  fi
elif [ "${SW_ALLOW_NO_ENGINE:-0}" != 1 ]; then
  sw_die "no engine in $ENGINE_DIR (need ${SHIPPED[*]}): run scripts/build-engine.sh first"
else
  sw_log "warning: SW_ALLOW_NO_ENGINE=1: packaging WITHOUT engine/ (this zip does not work)"
  rmdir "$stage/session-warden/engine"
fi

mkdir -p "$(dirname "$OUT")"; rm -f "$OUT"
(cd "$stage" && zip -q -X -r "$OUT" session-warden)
sw_log "packaged $OUT ($(du -h "$OUT" | cut -f1))"
echo "$OUT"
