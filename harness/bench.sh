#!/usr/bin/env bash
# harness/bench.sh - is the load generator fast enough not to be the
# bottleneck? Measures `harness load` beside `wrk -t1` against nginx serving
# a small body on loopback, alternating the two, ROUNDS times, and prints
# the median requests/s of each and their ratio (and harness load on two
# event loops, --loadgen-threads 2); then the open loop at
# RATE (2000) arrivals per second: the rate it achieved and its send lag. It prints numbers; it
# passes or fails nothing. Needs wrk and nginx (scripts/setup.sh installs
# them) and a built harness (build/bin/harness, or HARNESS=path).
set -euo pipefail
cd "$(dirname "$0")/.."
HARNESS=${HARNESS:-build/bin/harness}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-50}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}

for tool in wrk nginx "$HARNESS"; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found (run scripts/setup.sh)" >&2; exit 2; }
done

. scripts/lib/nginx.sh
dir=$(mktemp -d)
port=$(free_port)
trap 'kill $NGINX_PID 2>/dev/null; wait $NGINX_PID 2>/dev/null; rm -rf "$dir"' EXIT
nginx_start "$dir" "$port" 'location / { return 200 "ok\n"; }'

url="http://127.0.0.1:$port/"
rps_of() { awk '/requests\/s/ {for (i = 1; i < NF; i++) if ($i == "requests/s") print $(i+1)}'; }
wrk_rps=(); ours_rps=(); two_rps=()
for r in $(seq "$ROUNDS"); do
  w=$(wrk -t1 -c"$CONNS" -d"${SECONDS_PER_RUN}s" "$url" | awk '/Requests\/sec/ {print $2}')
  # As many requests as wrk did in the same time, so both run about as long.
  total=$(awk -v r="$w" -v s="$SECONDS_PER_RUN" 'BEGIN {printf "%d", r * s}')
  o=$("$HARNESS" load "$url" --concurrency "$CONNS" --total "$total" 2>/dev/null | rps_of)
  # The same on two event loops (--loadgen-threads 2): on a machine whose
  # cores nginx also needs, a second generator thread competes with it.
  t=$("$HARNESS" load "$url" --concurrency "$CONNS" --total "$total" --loadgen-threads 2 \
        2>/dev/null | rps_of)
  echo "round $r: wrk -t1 -c$CONNS ${w} req/s, harness load -c$CONNS ${o} req/s, with --loadgen-threads 2 ${t} req/s"
  wrk_rps+=("$w"); ours_rps+=("$o"); two_rps+=("$t")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mw=$(median "${wrk_rps[@]}"); mo=$(median "${ours_rps[@]}"); mt=$(median "${two_rps[@]}")
echo "median of $ROUNDS: wrk $mw req/s, harness load $mo req/s, ratio $(awk -v a="$mo" -v b="$mw" 'BEGIN {printf "%.2f", a / b}')x; --loadgen-threads 2 $mt req/s ($(awk -v a="$mt" -v b="$mw" 'BEGIN {printf "%.2f", a / b}')x)"

# The open loop (issue 14): at RATE arrivals per second, the rate achieved
# and the send lag's p99 (how late the generator sent, at worst but 1%).
RATE=${RATE:-2000}
ach=(); lag=(); gen=()
for r in $(seq "$ROUNDS"); do
  out=$("$HARNESS" load "$url" --rate "$RATE" --duration "$SECONDS_PER_RUN" 2>/dev/null)
  a=$(awk '/requests\/s/ {for (i = 1; i < NF; i++) if ($i == "requests/s") print $(i+1)}' <<<"$out")
  l=$(sed -n 's|.*send lag p50/p99/max [0-9.]* / \([0-9.]*\) / .*|\1|p' <<<"$out")
  g=$(sed -n 's|^load generator: .*, \([0-9.]*\) cores$|\1|p' <<<"$out")
  echo "round $r: open loop at $RATE/s: achieved $a req/s, send lag p99 $l ms, generator $g cores"
  ach+=("$a"); lag+=("$l"); gen+=("$g")
done
echo "median of $ROUNDS: open loop at $RATE/s achieved $(median "${ach[@]}") req/s, send lag p99 $(median "${lag[@]}") ms, the generator kept $(median "${gen[@]}") cores busy"
