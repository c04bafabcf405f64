#!/usr/bin/env bash
# README command 2: every test. Installs what is missing and builds first (like setup.sh), then:
#   1. scripts/build-engine.sh (wasm component, .cwasm, static musl engine)
#   2. cargo test --workspace (policy core, component and engine round trips), then every tests/*/run.sh
#      (suites with their own runner that end with "N passed, N failed", e.g. tests/php-runtime)
#   3. php -l on the plugin; scripts/package.sh → build/session-warden.zip
#   4. for WordPress 6.5.5 (main) and 6.1.9 (oldest): a fresh site on 127.0.0.1 with the plugin installed
#      from the zip, the PHP harness (tests/php, real WordPress in-process), then the HTTP and browser
#      tests (node --test tests/e2e/), then the site is stopped.
#   4b. WordPress 6.5.5 as a subdirectory multisite network (SW_MULTISITE=1, plugin network-activated from the
#      zip, a second site at /second/): tests/e2e/{multisite,settings-multisite,sessions-screen,engine-panel}.test.mjs
#      (engine-panel on the network admin's Settings → Session Warden Engine, the engine selection in sitemeta;
#      the multisite-only tests skip on the single sites of stage 4; SW_SKIP_MULTISITE_E2E=1 skips this stage)
#   5. the enforcement e2e suite once more on a site where no engine binary may run (proc_open disabled,
#      no daemon: the PHP WebAssembly runtime decides; SW_SKIP_RUNTIME_E2E=1 skips it)
# Ends with "N passed, N failed" over all stages (a stage that breaks before reporting counts as 1 failed)
# and exits non-zero if anything failed. Every process started is stopped on exit, also on failure.
# Env: SW_TEST_WP="6.5.5 6.1.9"  SW_SKIP_CARGO=1  SW_E2E_FILTER=pattern (node --test-name-pattern)
#      SW_STAGE_TIMEOUT=900 (seconds for each PHP or e2e stage)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SW_REPO"
T0=$SECONDS
LOGS=$SW_REPO/tests/output/logs
mkdir -p "$LOGS"
PASSED=0 FAILED=0 SUMMARY=()
ROOTS=() GROUP=
STAGE_TIMEOUT=${SW_STAGE_TIMEOUT:-900}

cleanup() {
  [ -n "$GROUP" ] && kill -TERM -- "-$GROUP" 2>/dev/null
  [ ${#ROOTS[@]} -eq 0 ] || bash "$SW_REPO/tests/env/down.sh" "${ROOTS[@]}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note() { SUMMARY+=("$(printf '%-44s %s' "$1" "$2")"); sw_log "== $1: $2"; }
count() { PASSED=$((PASSED + $2)); FAILED=$((FAILED + $3)); note "$1" "$2 passed, $3 failed ($4 s)"; }
broken() { FAILED=$((FAILED + 1)); note "$1" "BROKEN: $2 (counted as 1 failed)"; }

# Runs a command in its own process group; whatever it leaves behind (a browser, a server) is killed after.
grouped() {
  setsid "$@" &
  GROUP=$!
  wait "$GROUP"; local rc=$?
  kill -KILL -- "-$GROUP" 2>/dev/null; GROUP=
  return $rc
}

# Counts from a result file: the PHP harness's TAP summary ("# pass N", "# fail N"), or the lines
# "PASS|FAIL|SKIP<TAB>…" of tests/fixtures/count-reporter.mjs.
result_counts() { # file -> "pass fail ok|missing"
  awk '/^# pass /{p=$3; s=1} /^# fail /{f=$3} /^PASS\t/{p++; s=1} /^FAIL\t/{f++; s=1}
       END{ print p+0, f+0, (s ? "ok" : "missing") }' "$1"
}

# A stage that exits non-zero without reporting a failure still counts one.
stage_result() { # name seconds rc file
  local p f ok; read -r p f ok < <(result_counts "$4")
  if [ "$ok" != ok ]; then broken "$1" "no results (exit $3), see ${4#"$SW_REPO"/}"
  else count "$1" "$p" "$((f + ( $3 != 0 && f == 0 ? 1 : 0 )))" "$2"; fi
}

# 0. Tools and packages.
sw_ensure_deps || { broken "dependencies" "installing what is missing failed"; echo "$PASSED passed, $FAILED failed"; exit 1; }

# 1. Engine. If it does not build, the rest still runs (packaged without engine/) so that every stage
#    reports; the engine tests then fail.
t=$SECONDS
# (pipefail: the pipeline fails when the script does)
if bash scripts/build-engine.sh 2>&1 | tee "$LOGS/build-engine.log"; then note "build engine" "ok ($((SECONDS - t)) s)"
else broken "build engine" "scripts/build-engine.sh failed, see tests/output/logs/build-engine.log"; export SW_ALLOW_NO_ENGINE=1; fi

# 2. Rust.
if [ "${SW_SKIP_CARGO:-0}" != 1 ]; then
  t=$SECONDS
  cargo test --workspace 2>&1 | tee "$LOGS/cargo-test.log"; rc=${PIPESTATUS[0]}
  read -r p f n < <(awk '/^test result:/{for(i=1;i<=NF;i++){if($(i)~/^passed/)p+=$(i-1); if($(i)~/^failed/)f+=$(i-1)} n++} END{print p+0, f+0, n+0}' "$LOGS/cargo-test.log")
  if [ "$n" = 0 ]; then broken "cargo test --workspace" "exit $rc before any test ran"
  else count "cargo test --workspace" "$p" "$((f + ( rc != 0 && f == 0 ? 1 : 0 )))" "$((SECONDS - t))"; fi
fi

# 2b. Other suites with their own runner: tests/*/run.sh, whose last line is "N passed, N failed".
for runner in tests/*/run.sh; do
  [ -f "$runner" ] || continue
  name=$(basename "$(dirname "$runner")"); t=$SECONDS
  grouped timeout -k 10 "$STAGE_TIMEOUT" bash "$runner" > "$LOGS/$name.log" 2>&1; rc=$?
  tail -3 "$LOGS/$name.log"
  read -r p f < <(awk '/^[0-9]+ passed, [0-9]+ failed$/{p=$1; f=$3} END{print p, f}' "$LOGS/$name.log")
  if [ -z "$p" ]; then broken "$runner" "no \"N passed, N failed\" line (exit $rc), see tests/output/logs/$name.log"
  else count "$runner" "$p" "$((f + ( rc != 0 && f == 0 ? 1 : 0 )))" "$((SECONDS - t))"; fi
done

# 3. Syntax of every PHP file and shell script, and the zip.
t=$SECONDS; p=0; f=0
while IFS= read -r -d '' file; do
  case "$file" in *.php) check=(php -l "$file");; *) check=(bash -n "$file");; esac
  if "${check[@]}" >/dev/null 2>&1; then p=$((p + 1)); else f=$((f + 1)); "${check[@]}"; fi
done < <(find wordpress-plugin tests scripts .ci \( -name '*.php' -o -name '*.sh' -o -path .ci/run \) -print0)
count "php -l, bash -n (plugin, tests, scripts)" "$p" "$f" "$((SECONDS - t))"
zip_ok=1
bash scripts/package.sh > "$LOGS/package.log" 2>&1 || { zip_ok=; cat "$LOGS/package.log"; broken "package" "scripts/package.sh failed"; }

# 4. WordPress, both versions.
port=8891
for wp in ${SW_TEST_WP:-$SW_WP_MAIN $SW_WP_OLDEST}; do
  root=$SW_STATE/test-$wp
  ROOTS+=("$root")
  t=$SECONDS
  if [ -z "$zip_ok" ]; then broken "WordPress $wp" "no zip to install"; continue; fi
  if ! SW_WP=$wp SW_PORT=$port SW_ROOT=$root SW_TEST_HOOKS=1 SW_PLUGIN_FROM=zip bash tests/env/up.sh > "$LOGS/up-$wp.log" 2>&1; then
    cat "$LOGS/up-$wp.log"; broken "WordPress $wp site" "tests/env/up.sh failed"; port=$((port + 1)); continue
  fi
  note "WordPress $wp site" "up on 127.0.0.1:$port from the zip ($((SECONDS - t)) s)"
  export SW_ENV=$root/env.json

  t=$SECONDS
  grouped timeout -k 10 "$STAGE_TIMEOUT" php tests/php/run.php > "$LOGS/php-$wp.tap" 2>&1; rc=$?
  cat "$LOGS/php-$wp.tap"
  stage_result "PHP (WordPress $wp)" "$((SECONDS - t))" "$rc" "$LOGS/php-$wp.tap"

  t=$SECONDS
  # --test-force-exit: a test that leaks a handle (a browser left open) must not hang the run.
  grouped timeout -k 10 "$STAGE_TIMEOUT" node --test --test-force-exit --test-timeout=180000 \
    ${SW_E2E_FILTER:+--test-name-pattern="$SW_E2E_FILTER"} \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=./tests/fixtures/count-reporter.mjs --test-reporter-destination="$LOGS/e2e-$wp.results" tests/e2e/; rc=$?
  stage_result "HTTP + browser (WordPress $wp)" "$((SECONDS - t))" "$rc" "$LOGS/e2e-$wp.results"

  bash tests/env/down.sh "$root"
  port=$((port + 1))
done

# 4b. A subdirectory multisite network: sessions network-wide, roles and settings per site.
if [ -n "$zip_ok" ] && [ "${SW_SKIP_MULTISITE_E2E:-0}" != 1 ]; then
  wp=$SW_WP_MAIN; root=$SW_STATE/test-multisite; ROOTS+=("$root"); t=$SECONDS
  if SW_WP=$wp SW_PORT=$port SW_ROOT=$root SW_TEST_HOOKS=1 SW_MULTISITE=1 SW_PLUGIN_FROM=zip bash tests/env/up.sh > "$LOGS/up-multisite.log" 2>&1; then
    note "WordPress $wp network (multisite)" "up on 127.0.0.1:$port and /second/, network-activated ($((SECONDS - t)) s)"
    t=$SECONDS; export SW_ENV=$root/env.json
    grouped timeout -k 10 "$STAGE_TIMEOUT" node --test --test-force-exit --test-timeout=180000 \
      --test-reporter=spec --test-reporter-destination=stdout \
      --test-reporter=./tests/fixtures/count-reporter.mjs --test-reporter-destination="$LOGS/e2e-multisite.results" tests/e2e/multisite.test.mjs tests/e2e/settings-multisite.test.mjs tests/e2e/sessions-screen.test.mjs \
      tests/e2e/engine-panel.test.mjs; rc=$?
    stage_result "multisite (WordPress $wp)" "$((SECONDS - t))" "$rc" "$LOGS/e2e-multisite.results"
  else
    cat "$LOGS/up-multisite.log"; broken "WordPress $wp network (multisite)" "tests/env/up.sh failed"
  fi
  bash tests/env/down.sh "$root"
  port=$((port + 1))
fi

# 5. No engine binary may run (proc_open disabled, no daemon): the PHP WebAssembly runtime decides.
if [ -n "$zip_ok" ] && [ "${SW_SKIP_RUNTIME_E2E:-0}" != 1 ]; then
  wp=$SW_WP_MAIN; root=$SW_STATE/test-runtime; ROOTS+=("$root"); t=$SECONDS
  if SW_WP=$wp SW_PORT=$port SW_ROOT=$root SW_TEST_HOOKS=1 SW_ENGINE=runtime SW_PLUGIN_FROM=zip bash tests/env/up.sh > "$LOGS/up-runtime.log" 2>&1; then
    note "WordPress $wp site, PHP runtime" "up on 127.0.0.1:$port, proc_open disabled, no daemon ($((SECONDS - t)) s)"
    t=$SECONDS; export SW_ENV=$root/env.json
    grouped timeout -k 10 "$STAGE_TIMEOUT" node --test --test-force-exit --test-timeout=180000 \
      --test-reporter=spec --test-reporter-destination=stdout \
      --test-reporter=./tests/fixtures/count-reporter.mjs --test-reporter-destination="$LOGS/e2e-runtime.results" tests/e2e/enforcement.test.mjs; rc=$?
    stage_result "enforcement with the PHP runtime (WordPress $wp)" "$((SECONDS - t))" "$rc" "$LOGS/e2e-runtime.results"
  else
    cat "$LOGS/up-runtime.log"; broken "WordPress $wp site, PHP runtime" "tests/env/up.sh failed"
  fi
  bash tests/env/down.sh "$root"
fi

echo
printf '%s\n' "${SUMMARY[@]}"
echo "total time: $((SECONDS - T0)) s; logs and screenshots in tests/output/"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
