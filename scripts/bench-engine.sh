#!/usr/bin/env bash
# One command for the engine's numbers: builds what is missing (build-engine.sh),
# then measures native core decisions/s, the component in-process, the daemon
# from a PHP client, one-shot `call` from PHP against /bin/cat (interleaved),
# sizes and daemon RSS. Prints a table and writes it to build/bench/engine.txt.
#   N_DAEMON=10000 N_ONESHOT=500 scripts/bench-engine.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/session-warden/target}
out=$root/build/bench
mkdir -p "$out"
log=$out/engine.log
raw=$out/engine.raw
: >"$log"
: >"$raw"
req=$root/benches/requests/check_login_5.json
eng=$root/build/engine/session-warden-engine
php=(php -d opcache.enable_cli=1)

echo "building (log: $log) ..." >&2
"$root/scripts/build-engine.sh" >>"$log" 2>&1

echo "in-process: native core and component ..." >&2
(cd "$root" && cargo bench -q -p session-warden-engine --bench engine 2>>"$log") | grep '=' >>"$raw"

echo "daemon from PHP ..." >&2
sock=$out/engine.sock
rm -f "$sock"
"$eng" serve --socket "$sock" 2>>"$log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
for _ in $(seq 200); do [[ -S $sock ]] && break; sleep 0.05; done
[[ -S $sock ]] || { echo "the daemon did not start; see $log" >&2; exit 1; }
"${php[@]}" "$root/benches/php/daemon.php" "$sock" "$req" "${N_DAEMON:-10000}" >>"$raw"
echo "daemon_rss_kb=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)" >>"$raw"
echo "daemon_hwm_kb=$(awk '/^VmHWM/ {print $2}' /proc/$pid/status)" >>"$raw"
kill -TERM $pid
wait $pid || true
trap - EXIT

echo "one-shot call vs cat from PHP ..." >&2
"${php[@]}" "$root/benches/php/oneshot.php" "$eng" "$req" "${N_ONESHOT:-500}" >>"$raw"

for f in session-warden.wasm session-warden.cwasm session-warden-engine; do
    echo "size_${f//[-.]/_}=$(stat -c %s "$root/build/engine/$f")" >>"$raw"
done

# ---- table -------------------------------------------------------------------
declare -A v
while IFS='=' read -r k val; do v[$k]=$val; done <"$raw"
verdict() { if awk "BEGIN{exit !($1)}"; then echo ok; else echo MISSED; fi; }
{
    echo "Session Warden engine benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "request: benches/requests/check_login_5.json (check_login, 5 sessions)"
    printf '%-52s %-26s %-12s %s\n' measure value target verdict
    printf '%-52s %-26s %-12s %s\n' "core decisions/s, native, 2 threads" "${v[native_check_login_per_s_2t]}" ">= 20000" \
        "$(verdict "${v[native_check_login_per_s_2t]} >= 20000")"
    printf '%-52s %-26s\n' "core decisions/s, native, 1 thread" "${v[native_check_login_per_s_1t]}"
    printf '%-52s %-26s\n' "JSON path natively (us median/p99)" "${v[native_json_us_median]} / ${v[native_json_us_p99]}"
    printf '%-52s %-26s\n' "component in-process, fresh instance, call config (us)" "${v[component_json_us_median]} / ${v[component_json_us_p99]}"
    printf '%-52s %-26s\n' "  of which instantiate (us med/p99)" "${v[component_instantiate_us_median]} / ${v[component_instantiate_us_p99]}"
    printf '%-52s %-26s\n' "component in-process, daemon's pooled config (us)" "${v[component_pooled_json_us_median]} / ${v[component_pooled_json_us_p99]}"
    printf '%-52s %-26s\n' "component in-process, one instance reused (us)" "${v[component_reused_json_us_median]} / ${v[component_reused_json_us_p99]}"
    printf '%-52s %-26s %-12s %s\n' "daemon round trip from PHP, persistent (us med/p99)" \
        "${v[daemon_us_median]} / ${v[daemon_us_p99]}" "p99 <= 200" "$(verdict "${v[daemon_us_p99]} <= 200")"
    printf '%-52s %-26s\n' "daemon connect+request+close from PHP (us med/p99)" "${v[daemon_connect_us_median]} / ${v[daemon_connect_us_p99]}"
    printf '%-52s %-26s\n' "one-shot call via proc_open (us med/p99)" "${v[oneshot_us_median]} / ${v[oneshot_us_p99]}"
    printf '%-52s %-26s\n' "proc_open /bin/cat, same run (us med/p99)" "${v[cat_us_median]} / ${v[cat_us_p99]}"
    printf '%-52s %-26s %-12s %s\n' "one-shot / cat (median)" "${v[oneshot_ratio_median]}" "<= 1.5" \
        "$(verdict "${v[oneshot_ratio_median]} <= 1.5")"
    printf '%-52s %-26s\n' "one-shot start-up: BLAKE3 / verified load / 1st call (us)" \
        "${v[startup_hash_us]} / ${v[startup_load_us]} / ${v[startup_first_call_us]}"
    printf '%-52s %-26s %-12s %s\n' "component size (bytes)" "${v[size_session_warden_wasm]}" "<= 2097152" \
        "$(verdict "${v[size_session_warden_wasm]} <= 2097152")"
    printf '%-52s %-26s\n' "artifact .cwasm size (bytes)" "${v[size_session_warden_cwasm]}"
    printf '%-52s %-26s\n' "runtime engine, static musl (bytes)" "${v[size_session_warden_engine]}"
    printf '%-52s %-26s %-12s %s\n' "daemon RSS after the run / peak (KiB)" "${v[daemon_rss_kb]} / ${v[daemon_hwm_kb]}" "<= 40960" \
        "$(verdict "${v[daemon_hwm_kb]} <= 40960")"
} | tee "$out/engine.txt"
