#!/usr/bin/env bash
# Builds the browser policy engine (crates/web: the policy core through wasm-bindgen) into
# wordpress-plugin/session-warden/assets/web/, which scripts/package.sh ships in the zip:
#   session_warden_web.js         ES module: default init(), initSync(), handle_json(), version()
#   session_warden_web_bg.wasm    the core, opt-level "s", LTO (no wasm-opt: see crates/web/Cargo.toml)
# (the TypeScript declarations stay in build/web/pkg/). The settings screen's simulator imports it.
#
# Offline: wasm-pack runs with --mode no-install (it never downloads); wasm-bindgen-cli at the exact
# version Cargo.lock holds and wasm-pack come from crates.io once (scripts/lib.sh
# sw_ensure_wasm_tools). wasm-bindgen's warning that the `target_features` section is missing is
# harmless: it then sees reference types from the module's exports (wasm-bindgen-cli-support lib.rs).
# Idempotent and fast: nothing is rebuilt when the sources, Cargo.lock, this script and the tools are
# those of the last build and the outputs are in place (build/web/.inputs).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkg=$SW_REPO/build/web/pkg
out=$SW_REPO/wordpress-plugin/session-warden/assets/web
stamp=$SW_REPO/build/web/.inputs
SHIPPED=(session_warden_web.js session_warden_web_bg.wasm)

sw_ensure_rust
sw_ensure_wasm_tools

# Everything the module is made of, and the tools that make it.
inputs() {
  (
    cd "$SW_REPO"
    find crates/web crates/policy -type f \( -name '*.rs' -o -name Cargo.toml \) -print0 | sort -z | xargs -0 sha256sum
    sha256sum Cargo.toml Cargo.lock scripts/build-web.sh
    rustc -V; wasm-bindgen --version; wasm-pack --version
  ) | sha256sum | cut -d' ' -f1
}

up_to_date() {
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$1" ] || return 1
  local f
  for f in "${SHIPPED[@]}"; do cmp -s "$pkg/$f" "$out/$f" || return 1; done
}

want=$(inputs)
if up_to_date "$want"; then
  sw_log "build-web: up to date ($out)"
else
  sw_log "build-web: wasm-pack build --target web ($(wasm-pack --version), $(wasm-bindgen --version))"
  # Size over speed for a module the browser downloads; the workspace's release profile is left as it
  # is for the native builds. panic=abort is the target's default, said here so it stays so.
  # Source paths in panic locations are remapped: the module (which ships) names no build machine's
  # folders, and is the same bytes whichever folder the repository and cargo's registry are in.
  registry=${CARGO_HOME:-$HOME/.cargo}/registry/src
  flags=$(printf '%s\037%s' "--remap-path-prefix=$SW_REPO=/session-warden" "--remap-path-prefix=$registry=/cargo")
  mkdir -p "$(dirname "$pkg")"
  rm -rf "$pkg"
  (
    cd "$SW_REPO/crates/web"
    CARGO_ENCODED_RUSTFLAGS=$flags CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
      CARGO_PROFILE_RELEASE_PANIC=abort \
      wasm-pack --quiet build --mode no-install --target web --release --no-pack --out-dir "$pkg"
  )
  for f in "${SHIPPED[@]}"; do [ -s "$pkg/$f" ] || sw_die "wasm-pack did not write $pkg/$f"; done
  mkdir -p "$out"
  for f in "${SHIPPED[@]}"; do install -m 644 "$pkg/$f" "$out/$f.tmp" && mv "$out/$f.tmp" "$out/$f"; done
  echo "$want" >"$stamp"
fi
for f in "${SHIPPED[@]}"; do
  printf '%-30s %8s bytes\n' "$f" "$(stat -c %s "$out/$f")"
done
