#!/usr/bin/env bash
# bench.sh - miniserve's throughput next to nginx and next to the model.
#
#   server/bench.sh [BUILD_DIR] [RUNS]     (defaults: build, 3)
#
# 1. GET /healthz, one miniserve worker vs nginx (one worker process,
#    a fixed JSON body of the same size), wrk runs interleaved; medians.
# 2. POST /correct, --variant sync --threads 40, over the lab's 100 prompts,
#    vs `minigpt bench --threads 2` (the model alone on the 2 cores).
# Prints numbers only; asserts nothing. Needs wrk, nginx and python3.
set -euo pipefail

BUILD=${1:-build}
RUNS=${2:-3}
DUR=${BENCH_DURATION:-5s}
CONNS=${BENCH_CONNS:-50}
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/scripts/lib/nginx.sh"
. "$SRC/scripts/lib/miniserve.sh"
BIN=$BUILD/bin
PROMPTS=$SRC/experiments/prompts/lab01_verb_corrections.json
TMP=$(mktemp -d)
SERVER_PID=
NGINX_PID=

cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# wrk's requests/s for URL (extra wrk args after it).
rps() {
    wrk -t1 -c"$CONNS" -d"$DUR" "$@" | awk '/^Requests\/sec:/ {print $2}'
}

start_server() {
    miniserve_start "$BIN" "$TMP/server" "$@"
    SERVER_PID=$MS_PID SERVER_PORT=$MS_PORT
}

stop_server() {
    kill "$SERVER_PID"
    wait "$SERVER_PID" || true
    SERVER_PID=
}

echo "== GET /healthz: miniserve (1 worker) vs nginx (1 worker), wrk -t1 -c$CONNS -d$DUR, $RUNS runs"
start_server --variant sync
BODY=$(curl -s "http://127.0.0.1:$SERVER_PORT/healthz")
NGINX_PORT=$(free_port)
# The same body, escaped for nginx's single-quoted string.
NGINX_BODY=$(printf '%s\n' "$BODY" | sed "s/'/\\\\'/g")
nginx_start "$TMP/nginx" "$NGINX_PORT" \
  "location = /healthz { default_type application/json; return 200 '$NGINX_BODY'; }"
echo "body: ${#BODY} bytes from both"
ms=() ng=()
for i in $(seq "$RUNS"); do
    m=$(rps "http://127.0.0.1:$SERVER_PORT/healthz")
    n=$(rps "http://127.0.0.1:$NGINX_PORT/healthz")
    echo "run $i: miniserve $m req/s, nginx $n req/s"
    ms+=("$m") ng+=("$n")
done
M=$(printf '%s\n' "${ms[@]}" | median)
N=$(printf '%s\n' "${ng[@]}" | median)
echo "median: miniserve $M req/s, nginx $N req/s, ratio $(ratio "$M" "$N")"
kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=
stop_server

echo
echo "== POST /correct: miniserve --variant sync --threads 40 vs minigpt bench --threads 2"
correct_lua "$PROMPTS" >"$TMP/correct.lua"
# 40 is the lab's setting (anyio's default); 2 matches the cores, for contrast.
declare -A CMED
for threads in 40 2; do
    start_server --variant sync --threads "$threads"
    cs=()
    for i in $(seq "$RUNS"); do
        c=$(rps -s "$TMP/correct.lua" "http://127.0.0.1:$SERVER_PORT/correct")
        echo "run $i: miniserve /correct, $threads threads: $c req/s"
        cs+=("$c")
    done
    echo "metrics: $(curl -s "http://127.0.0.1:$SERVER_PORT/metrics")"
    stop_server
    CMED[$threads]=$(printf '%s\n' "${cs[@]}" | median)
done
C=${CMED[40]}
bs=()
for i in $(seq "$RUNS"); do
    b=$("$BIN/minigpt" bench --threads 2 --prompts "$PROMPTS" | awk '$1 == 2 && NF >= 5 {print $5}')
    echo "run $i: minigpt bench, 2 threads: $b corrections/s"
    bs+=("$b")
done
B=$(printf '%s\n' "${bs[@]}" | median)
echo "median: miniserve /correct $C req/s (40 threads), ${CMED[2]} req/s (2 threads);" \
     "model alone $B corrections/s; ratios $(ratio "$C" "$B") and $(ratio "${CMED[2]}" "$B")"
