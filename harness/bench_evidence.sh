#!/usr/bin/env bash
# bench_evidence.sh - what measuring the evidence costs, two ways:
#  1. requests/s with the evidence on (the default: /proc readings every
#     100 ms, libcurl's phases, the 20/s bystander probe) and off
#     (--no-evidence), runs alternating so that the machine's drift falls
#     on both; on lab01 (POST /correct, the model's work) and on a lab of
#     GET /healthz against miniserve sync (the cheapest request there is,
#     so the per-request share of the cost is at its largest);
#  2. the CPU the evidence itself took in each "on" run, as a share of the
#     CPU the allowed CPUs were busy: the harness's cores less the load
#     generator's (the probe thread and the readings) over busy cores.
#
#   harness/bench_evidence.sh [BUILD_DIR] [RUNS]     (defaults: build, 7)
#
# Prints each run, the medians, on/off and the share. Asserts nothing.
set -euo pipefail

BUILD=${1:-build}
RUNS=${2:-7}
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/scripts/lib/miniserve.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cat >"$TMP/healthz.json" <<'LAB'
{"name": "healthz", "title": "GET /healthz on miniserve sync", "folder": "bench-healthz",
 "request": {"method": "GET", "path": "/healthz", "health": "/healthz"},
 "load": {"concurrency": 50, "total": 30000, "warmup": 1000, "timeout_s": 10, "workers": 1,
          "seed": 0},
 "variants": [{"name": "sync", "command": ["{bin}/miniserve", "--variant", "sync", "--port", "0"]}],
 "checks": []}
LAB

# "name requests_per_s evidence_share" lines from a run folder's facts.json
# (the share is "-" when the evidence was off).
figures() {
    python3 -c '
import json, sys
f = json.load(open(sys.argv[1] + "/facts.json"))
for name, v in f["variants"].items():
    m, l = v["machine"], v["loadgen"]
    share = "-"
    if m.get("harness_cores_used") is not None and l.get("cpu_cores_used") is not None \
            and m.get("busy_cores"):
        share = "%.4f" % ((m["harness_cores_used"] - l["cpu_cores_used"]) / m["busy_cores"])
    print(name, v["requests_per_s"], share)' "$1"
}

bench() { # LAB TOTAL_FLAG...
    local lab=$1
    shift
    : >"$TMP/all"
    echo "== $lab $*: evidence on vs --no-evidence, $RUNS runs each (interleaved)"
    for i in $(seq "$RUNS"); do
        for mode in on off; do
            flag=()
            [ "$mode" = off ] && flag=(--no-evidence)
            out="$TMP/$mode-$i"
            "$BUILD/bin/harness" run "$lab" "$@" --out "$out" "${flag[@]}" \
                >"$TMP/log" 2>&1 || { tail -20 "$TMP/log"; exit 1; }
            figures "$out" | while read -r name v share; do
                echo "$name $mode $v $share" >>"$TMP/all"
                echo "run $i $mode: $name $v req/s, evidence share $share"
            done
            rm -rf "$out"
        done
    done
    for name in $(awk '{print $1}' "$TMP/all" | sort -u); do
        on=$(awk -v n="$name" '$1 == n && $2 == "on" {print $3}' "$TMP/all" | median)
        off=$(awk -v n="$name" '$1 == n && $2 == "off" {print $3}' "$TMP/all" | median)
        share=$(awk -v n="$name" '$1 == n && $2 == "on" {print $4}' "$TMP/all" | median)
        echo "$name median: on $on req/s, off $off req/s, on/off $(ratio "$on" "$off");" \
             "the evidence's own CPU: $(awk -v s="$share" 'BEGIN {printf "%.2f", 100 * s}')% of the busy CPU"
    done
}

bench "$TMP/healthz.json"
bench lab01 --total 2000
