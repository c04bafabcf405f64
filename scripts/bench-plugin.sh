#!/usr/bin/env bash
# The plugin's overhead benchmark: a fresh site on 127.0.0.1:8899 (Apache prefork + mod_php with OPcache,
# WP_DEBUG off, engine daemon, installed from the zip), the benchmark switch mu-plugin, then
# benches/plugin/bench.mjs. Writes build/bench/plugin.txt; the site is stopped afterwards.
#   N=1000 SW_WP=6.5.5 scripts/bench-plugin.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SW_REPO"
root=$SW_STATE/bench-${SW_WP:-$SW_WP_MAIN}
mkdir -p build/bench
[ -f build/session-warden.zip ] || bash scripts/package.sh
trap 'bash tests/env/down.sh "$root" >/dev/null 2>&1 || true' EXIT
SW_PORT=${SW_PORT:-8899} SW_ROOT=$root SW_TEST_HOOKS=0 SW_GEO=0 SW_PLUGIN_FROM=zip bash tests/env/up.sh > build/bench/plugin-up.log 2>&1 \
  || { cat build/bench/plugin-up.log; exit 1; }
install -m 644 benches/plugin/sw-bench-switch.php "$root/site/wp-content/mu-plugins/"
SW_ENV=$root/env.json node benches/plugin/bench.mjs "${N:-1000}" | tee build/bench/plugin.txt
