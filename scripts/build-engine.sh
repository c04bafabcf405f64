#!/usr/bin/env bash
# Builds the policy engine end to end into build/engine/:
#   session-warden.wasm        the component (imports nothing; core module through wasm-opt -O3)
#   session-warden.cwasm       precompiled for baseline x86-64 (native code, read-only)
#   session-warden-engine      runtime-only host, static musl, artifact BLAKE3 built in
#   session-warden-engine-full host with the compiler (compile/componentize, development)
#   B3SUMS                     BLAKE3 of the artifact (b3sum format): what the engine checks
#   SHA256SUMS                 sha256 of the four files (distribution checksums)
# Idempotent: cargo skips unchanged crates, and the component and artifact are only
# regenerated when the core module or the full engine changed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/session-warden/target}
out=$root/build/engine
mkdir -p "$out"
chmod 755 "$root/build" "$out"   # the engine refuses an artifact in a world-writable folder
cd "$root"

say() { printf '\n== %s\n' "$*" >&2; }

# --- toolchain -----------------------------------------------------------------
for t in wasm32-unknown-unknown x86_64-unknown-linux-musl; do
    rustup target list --installed | grep -qx "$t" || rustup target add "$t"
done
if ! command -v musl-gcc >/dev/null; then
    apt-get install -y musl-tools >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y musl-tools >/dev/null; }
fi
if ! command -v wasm-opt >/dev/null; then
    apt-get install -y binaryen >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y binaryen >/dev/null; }
fi

# --- 1. core module for wasm32-unknown-unknown ------------------------------------
# LTO and panic=abort only for the guest: they shrink it by a fifth, and the
# workspace profile stays as it is for native builds.
say "component core module (wasm32-unknown-unknown)"
CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_PANIC=abort \
    cargo build --release -p session-warden-component --target wasm32-unknown-unknown
rustc_core=$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/session_warden_component.wasm

# --- 1b. binaryen -O3 on the core module -----------------------------------------
# Measured (check_login, 5 sessions): the component shrinks by 7% (1.98 -> 1.84 MB,
# headroom under the 2 MiB budget) and the artifact loads ~4% faster; call speed
# in wasmtime is unchanged (cranelift optimises either way). The feature flags are
# exactly those rustc's wasm32 target already emits, so wasm-opt adds no new
# instruction class (the PHP runtime checks that). Custom sections, including the
# component-type section wit-bindgen wrote, are kept.
# -ocimfs 0: binaryen otherwise inlines every function that has a single caller, however
# big, which folded the whole JSON dispatch (every op's deserialiser) into one 63 KB
# function that even `version` runs. The PHP runtime translates and compiles each
# function a call reaches, so on its cold start that cost 36% more PHP to compile
# (version + admit: 3.4 -> 2.2 MB of generated PHP); the component grows by 6 KB.
core=$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/session_warden_component.opt.wasm
if [[ ! -f $core || $rustc_core -nt $core || ${BASH_SOURCE[0]} -nt $core ]]; then
    say "wasm-opt -O3 ($(wasm-opt --version))"
    wasm-opt -O3 --one-caller-inline-max-function-size 0 --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
        --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types \
        "$rustc_core" -o "$core.tmp"
    mv "$core.tmp" "$core"
fi

# --- 2. full engine (with compiler) ---------------------------------------------
say "full engine (native, with compiler)"
cargo build --release -p session-warden-engine --features compiler
full_src=$CARGO_TARGET_DIR/release/session-warden-engine
full=$out/session-warden-engine-full
cmp -s "$full_src" "$full" 2>/dev/null || install -m 755 "$full_src" "$full"

# --- 3. component + precompiled artifact ----------------------------------------
stamp=$out/.inputs
inputs=$(cat "$core" "$full" | sha256sum | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$inputs" && -f $out/session-warden.wasm && -f $out/session-warden.cwasm ]]; then
    say "component and artifact up to date"
else
    say "component + artifact (baseline x86-64)"
    "$full" componentize --core "$core" --out "$out/session-warden.wasm"
    "$full" compile --component "$out/session-warden.wasm" --out "$out/session-warden.cwasm"
    echo "$inputs" >"$stamp"
fi
size=$(stat -c %s "$out/session-warden.wasm")
if (( size > 2 * 1024 * 1024 )); then
    echo "build-engine: the component is $size bytes, over the 2 MiB budget" >&2
    exit 1
fi
(cd "$out" && ./session-warden-engine-full hash session-warden.cwasm >B3SUMS)
artifact_b3=$(cut -d' ' -f1 "$out/B3SUMS")

# --- 4. runtime-only engine, static musl, artifact hash built in --------------------
say "runtime-only engine (x86_64-unknown-linux-musl, static)"
# Rust's default static PIE. A plain static (non-PIE) executable was measured too: it skips
# relocating ~5 000 pointers at start, but a one-shot call from PHP was only ~1.3 % faster
# (interleaved, two builds of the same source), not worth a fixed address for the engine's code.
SESSION_WARDEN_ARTIFACT_BLAKE3=$artifact_b3 CC_x86_64_unknown_linux_musl=musl-gcc \
    cargo build --release -p session-warden-engine --target x86_64-unknown-linux-musl
rt_src=$CARGO_TARGET_DIR/x86_64-unknown-linux-musl/release/session-warden-engine
cmp -s "$rt_src" "$out/session-warden-engine" 2>/dev/null || install -m 755 "$rt_src" "$out/session-warden-engine"

(cd "$out" && sha256sum session-warden.wasm session-warden.cwasm session-warden-engine session-warden-engine-full >SHA256SUMS)

say "outputs in $out"
for f in session-warden.wasm session-warden.cwasm session-warden-engine session-warden-engine-full; do
    printf '%-28s %10s bytes\n' "$f" "$(stat -c %s "$out/$f")"
done
"$out/session-warden-engine" version

# --- 5. the same core for the browser (the settings screen's simulator) ------------
bash "$root/scripts/build-web.sh"
