#!/usr/bin/env bash
# bench_detector.sh - what --detect-blocking costs: POST /correct requests/s
# of each variant with the detector off and on (default 10 ms threshold).
#
#   server/bench_detector.sh [BUILD_DIR] [RUNS]     (defaults: build, 5)
#
# Both servers of a variant run side by side, idle but for the wrk run
# aimed at one of them; runs alternate off/on so that the machine's drift
# falls on both. Prints each run, the medians and their ratio (on / off),
# and how many blocks and starvations the detector saw. Asserts nothing.
# Needs wrk and python3.
set -euo pipefail

BUILD=${1:-build}
RUNS=${2:-5}
DUR=${BENCH_DURATION:-5s}
CONNS=${BENCH_CONNS:-50}
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/scripts/lib/miniserve.sh"
BIN=$BUILD/bin
TMP=$(mktemp -d)
PIDS=()

cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

correct_lua "$SRC/experiments/prompts/lab01_verb_corrections.json" >"$TMP/correct.lua"
rps() {
    wrk -t1 -c"$CONNS" -d"$DUR" -s "$TMP/correct.lua" "http://127.0.0.1:$1/correct" |
        awk '/^Requests\/sec:/ {print $2}'
}

echo "== POST /correct, wrk -t1 -c$CONNS -d$DUR, detector off vs --detect-blocking (10 ms), $RUNS runs each"
for variant in sync async_blocking async_tothread; do
    miniserve_start "$BIN" "$TMP/off-$variant" --variant "$variant"
    off_pid=$MS_PID off_port=$MS_PORT
    miniserve_start "$BIN" "$TMP/on-$variant" --variant "$variant" --detect-blocking
    on_pid=$MS_PID on_port=$MS_PORT
    PIDS=("$off_pid" "$on_pid")
    offs=() ons=()
    for i in $(seq "$RUNS"); do
        a=$(rps "$off_port")
        b=$(rps "$on_port")
        echo "$variant run $i: off $a req/s, on $b req/s"
        offs+=("$a") ons+=("$b")
    done
    A=$(printf '%s\n' "${offs[@]}" | median)
    B=$(printf '%s\n' "${ons[@]}" | median)
    seen=$(curl -s "http://127.0.0.1:$on_port/metrics" | python3 -c '
import json, sys
b = json.load(sys.stdin)["loop_blocks"]
print("%d blocks (%.0f ms), %d starved (%.0f ms)" % (b["blocks"]["count"],
      b["blocks"]["total_ms"], b["starved"]["count"], b["starved"]["total_ms"]))')
    echo "$variant median: off $A req/s, on $B req/s, on/off $(ratio "$B" "$A"); detector saw $seen"
    kill "$off_pid" "$on_pid"
    wait "$off_pid" "$on_pid" || true
    PIDS=()
done
