#!/usr/bin/env bash
# bench_evidence.sh - what measuring the evidence costs: lab01's requests/s
# per variant with the evidence on (the default: /proc readings, request
# phases, the 20/s bystander probe) and off (--no-evidence).
#
#   harness/bench_evidence.sh [BUILD_DIR] [RUNS]     (defaults: build, 5)
#
# Runs alternate on/off, so the machine's drift falls on both; each is a
# whole `harness run lab01` with BENCH_TOTAL recorded requests a variant
# (default 2000). Prints each run, the medians and on/off. Asserts nothing.
set -euo pipefail

BUILD=${1:-build}
RUNS=${2:-5}
TOTAL=${BENCH_TOTAL:-2000}
LAB=${BENCH_LAB:-lab01}
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/scripts/lib/miniserve.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# requests/s of every variant in a run folder's facts.json, "name value" lines.
rps_of() {
    python3 -c '
import json, sys
f = json.load(open(sys.argv[1] + "/facts.json"))
for name, v in f["variants"].items():
    print(name, v["requests_per_s"])' "$1"
}

echo "== $LAB, $TOTAL requests a variant, evidence on vs --no-evidence, $RUNS runs each (interleaved)"
for i in $(seq "$RUNS"); do
    for mode in on off; do
        flag=()
        [ "$mode" = off ] && flag=(--no-evidence)
        out="$TMP/$mode-$i"
        "$BUILD/bin/harness" run "$LAB" --total "$TOTAL" --out "$out" "${flag[@]}" \
            >"$TMP/log" 2>&1 || { tail -20 "$TMP/log"; exit 1; }
        rps_of "$out" | while read -r name v; do
            echo "$name $mode $v" >>"$TMP/all"
            echo "run $i $mode: $name $v req/s"
        done
    done
done
for name in $(awk '{print $1}' "$TMP/all" | sort -u); do
    on=$(awk -v n="$name" '$1 == n && $2 == "on" {print $3}' "$TMP/all" | median)
    off=$(awk -v n="$name" '$1 == n && $2 == "off" {print $3}' "$TMP/all" | median)
    echo "$name median: on $on req/s, off $off req/s, on/off $(ratio "$on" "$off")"
done
