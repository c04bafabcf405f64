#!/usr/bin/env bash
# Browser policy module tests (crates/web, wasm-bindgen): every decision case in tests/corpus/ through
# the built module in Node, then a headless-Chromium smoke test that loads it from a page on a local
# 127.0.0.1 server. Builds the module first when it is missing or stale (scripts/build-web.sh; a no-op
# when up to date). Last line: "N passed, N failed". Exit status non-zero on any failure.
# Usage: run.sh [-v]   Env: SW_SKIP_WEB_BROWSER=1 skips the Chromium smoke test.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../../scripts/lib.sh"
sw_ensure_node

passed=0; failed=0
add() { # output, tag
  local p f
  read -r _ p f < <(grep "^$2 " <<<"$1" || echo "$2 0 1")
  passed=$((passed + p)); failed=$((failed + f))
}

if ! build_out="$(bash "$SW_REPO/scripts/build-web.sh" 2>&1)"; then
  echo "$build_out"
  echo "build-web.sh failed"
  echo "0 passed, 1 failed"
  exit 1
fi

out="$(node "$here/corpus.mjs" "$@" 2>&1)"
echo "$out"; add "$out" CORPUS

if [ "${SW_SKIP_WEB_BROWSER:-0}" != 1 ]; then
  out="$(node "$here/browser.mjs" 2>&1)"
  echo "$out"; add "$out" BROWSER
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
