#!/usr/bin/env bash
# The cross-user sessions listing benchmark (Session_Directory::query() over the sessions index).
# NOT part of scripts/test.sh (seeding takes a minute or two); run it on its own:
#
#   bash scripts/bench-sessions.sh                  # 50 000 users, 100 000 sessions, 30 runs per case
#   USERS=5000 SESSIONS=10000 N=10 SW_PORT=8898 bash scripts/bench-sessions.sh
#
# Stands up a throwaway site (127.0.0.1:${SW_PORT:-8898}, Apache prefork + mod_php with OPcache, WP_DEBUG
# off, the plugin from source, engine daemon), seeds it with benches/sessions/seed.php (bulk INSERTs into
# wp_users/wp_usermeta, for seeding only) and builds the index with the plugin's own Session_Index::rebuild(),
# installs the probe mu-plugin benches/sessions/sw-bench-sessions.php, and times first pages with filters,
# sorts and searches through real HTTP requests (benches/sessions/bench.php). Writes
# build/bench/sessions.txt (medians, p90, seeding and rebuild times); stops the site afterwards
# (KEEP=1 keeps it). Exits 3 when a median is over the 300 ms budget.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SW_REPO"
root=${SW_ROOT:-$SW_STATE/bench-sessions}
out=build/bench/sessions.txt
mkdir -p build/bench
[ -d build/package/session-warden/engine ] || bash scripts/package.sh >/dev/null
[ "${KEEP:-0}" = 1 ] || trap 'bash tests/env/down.sh "$root" >/dev/null 2>&1 || true' EXIT
SW_PORT=${SW_PORT:-8898} SW_ROOT=$root SW_TEST_HOOKS=0 SW_GEO=0 SW_PLUGIN_FROM=src SW_CHILDREN=${SW_CHILDREN:-4} \
  bash tests/env/up.sh > build/bench/sessions-up.log 2>&1 || { cat build/bench/sessions-up.log; exit 1; }
install -m 644 benches/sessions/sw-bench-sessions.php "$root/site/wp-content/mu-plugins/"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$root/site/wp-content/sw-bench-key.txt"
chmod 644 "$root/site/wp-content/sw-bench-key.txt"

t0=$(date +%s.%N)
seed=$(SW_ENV=$root/env.json USERS=${USERS:-50000} SESSIONS=${SESSIONS:-100000} php -d memory_limit=1G benches/sessions/seed.php)
t1=$(date +%s.%N)
{
  echo "Session Warden sessions listing benchmark — $(date -u +%Y-%m-%dT%H:%MZ), WordPress ${SW_WP:-$SW_WP_MAIN}, $(php -r 'echo PHP_VERSION;'), $(nproc) CPUs"
  echo "seed: $seed"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "seed + rebuild wall time: %.1f s\n\n", b - a }'
} > "$out.tmp"
set +e
SW_ENV=$root/env.json N=${N:-30} php benches/sessions/bench.php >> "$out.tmp"
rc=$?
set -e
mv "$out.tmp" "$out"
cat "$out"
exit $rc
