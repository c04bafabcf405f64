#!/usr/bin/env bash
# Stops every test-bed site under $SW_STATE (the setup site and any test sites left running).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
roots=()
for r in "$SW_STATE"/*/; do [ -f "$r/env.json" ] && roots+=("${r%/}"); done
[ ${#roots[@]} -eq 0 ] || bash "$SW_REPO/tests/env/down.sh" "${roots[@]}"
