#!/usr/bin/env bash
# PHP WebAssembly runtime tests: the official spec tests for the instruction
# classes the runtime claims, then the decision corpus through the engine.
# Last line: "N passed, N failed". Exit status non-zero on any failure.
# Usage: run.sh [-v] [--bench]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
verbose=""; bench=""
for a in "$@"; do
  case "$a" in
    -v) verbose="-v" ;;
    --bench) bench=1 ;;
  esac
done

spec_out="$("$here/spec.sh" $verbose)"; spec_rc=$?
echo "$spec_out"
read -r _ sp sf < <(grep '^SPEC ' <<<"$spec_out" || echo "SPEC 0 1")
[[ $spec_rc -ne 0 && $sf -eq 0 ]] && sf=1

corpus_out="$(php -d opcache.enable_cli=1 "$here/corpus.php" $verbose 2>&1)"
echo "$corpus_out"
read -r _ cp cf < <(grep '^CORPUS ' <<<"$corpus_out" || echo "CORPUS 0 1")

if [[ -n "$bench" ]]; then
  php -d opcache.enable_cli=1 "$here/bench.php" warm
  opc="$(mktemp -d)"
  echo "cold, opcache empty (CLI without a file cache: every reached file compiled):"
  php -d opcache.enable_cli=1 "$here/bench.php" cold
  php -d opcache.enable_cli=1 -d opcache.file_cache="$opc" "$here/bench.php" cold >/dev/null
  echo "cold, opcache already holding the translated files (as under PHP-FPM):"
  php -d opcache.enable_cli=1 -d opcache.file_cache="$opc" "$here/bench.php" cold
  rm -rf "$opc"
fi

passed=$((sp + cp)); failed=$((sf + cf))
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
