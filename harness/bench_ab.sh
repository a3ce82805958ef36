#!/usr/bin/env bash
# harness/bench_ab.sh - ApacheBench beside the harness's load generator on
# lab00's four servers (seed 004's two Python servers and their C
# counterparts), with the seed's flags: `ab -r -n1000 -c150 -l` and
# `harness load --concurrency 150 --total 1000 --format ab`, then the same
# at CLIENTS2 (100) clients, where the servers' accept queue (128) does
# not overflow. Each tool against a fresh server, ROUNDS (3) times
# alternating, and the median of each figure; beside them the kernel's
# counters over each run (connections opened, listen overflows, SYN
# retransmits: namespace-wide, and nothing else runs on loopback here).
# It prints numbers; it passes or fails nothing. Needs ab (apache2-utils),
# python3 and a built harness and sockserve (build/bin, or BIN=folder).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/bin}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-150}
CLIENTS2=${CLIENTS2:-100}
N=${N:-1000}
for tool in ab python3 "$BIN/harness" "$BIN/sockserve"; do
  command -v "$tool" >/dev/null || { echo "bench_ab: $tool not found (run scripts/setup.sh)" >&2; exit 2; }
done
. scripts/lib/nginx.sh  # free_port
dir=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill $server_pid 2>/dev/null; rm -rf "$dir"; true' EXIT

# The kernel's TCP counters as "name value" lines.
counters() {
  python3 - <<'PY'
for f in ("/proc/net/netstat", "/proc/net/snmp"):
    lines = open(f).read().splitlines()
    for i in range(0, len(lines) - 1, 2):
        for k, v in zip(lines[i].split()[1:], lines[i + 1].split()[1:]):
            print(lines[i].split()[0] + k, v)
PY
}
delta() { # delta BEFORE AFTER NAME
  echo $(( $(awk -v k="$3" '$1 == k {print $2}' "$2") - $(awk -v k="$3" '$1 == k {print $2}' "$1") ))
}

start_server() { # start_server KIND PORT: the server itself in the background,
  # so that $! is its pid (a backgrounded `case` would be a subshell, and
  # killing it would leave the server running)
  case $1 in
    c_blocking) "$BIN/sockserve" blocking "$2" >/dev/null 2>&1 & ;;
    c_loop) "$BIN/sockserve" loop "$2" >/dev/null 2>&1 & ;;
    py_sync) /usr/bin/python3 experiments/seed004/server_sync.py "$2" >/dev/null 2>&1 & ;;
    py_async) /usr/bin/python3 experiments/seed004/server_async.py "$2" >/dev/null 2>&1 & ;;
  esac
  server_pid=$!
  for _ in $(seq 100); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $2), 1).close()" \
      2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench_ab: $1 did not start" >&2; exit 1
}

# One run: prints "rps p99_ms longest_ms failed opened overflows syn_retrans".
one() { # one TOOL KIND CLIENTS
  local port; port=$(free_port)
  start_server "$2" "$port"
  counters >"$dir/before"
  if [ "$1" = ab ]; then
    ab -r -n"$N" -c"$3" -l "http://127.0.0.1:$port/" >"$dir/out" 2>/dev/null || true
  else
    "$BIN/harness" load "http://127.0.0.1:$port/" --concurrency "$3" --total "$N" \
      --format ab >"$dir/out" 2>/dev/null || true
  fi
  counters >"$dir/after"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  awk '/^Requests per second:/ {rps = $4} /^Failed requests:/ {failed = $3}
       /^  99%/ {p99 = $2} /^ 100%/ {longest = $2}
       END {printf "%s %s %s %s ", rps, p99, longest, failed}' "$dir/out"
  echo "$(delta "$dir/before" "$dir/after" Tcp:ActiveOpens)" \
       "$(delta "$dir/before" "$dir/after" TcpExt:ListenOverflows)" \
       "$(delta "$dir/before" "$dir/after" TcpExt:TCPSynRetrans)"
}

median() { tr ' ' '\n' | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

printf "%-7s %-10s %-7s %9s %8s %11s %6s %11s %9s %11s\n" clients server tool req/s p99_ms \
  longest_ms failed connections overflows syn_retrans
for clients in "$CLIENTS" "$CLIENTS2"; do
  for kind in c_blocking c_loop py_sync py_async; do
    : >"$dir/ab.rows"; : >"$dir/harness.rows"
    for r in $(seq "$ROUNDS"); do
      order="ab harness"; [ $((r % 2)) = 0 ] && order="harness ab"
      for tool in $order; do one "$tool" "$kind" "$clients" >>"$dir/$tool.rows"; done
    done
    for tool in ab harness; do
      row=()
      for col in 1 2 3 4 5 6 7; do row+=("$(cut -d' ' -f$col "$dir/$tool.rows" | tr '\n' ' ' | median)"); done
      printf "%-7s %-10s %-7s %9s %8s %11s %6s %11s %9s %11s\n" "$clients" "$kind" "$tool" "${row[@]}"
    done
  done
done
echo
echo "medians of $ROUNDS runs each, $N requests; connections, overflows and SYN retransmits are"
echo "the kernel's counters (Tcp ActiveOpens, TcpExt ListenOverflows and TCPSynRetrans) over"
echo "each run. ab stops once $N responses are in and never waits for the connections still"
echo "open then; the harness sends exactly $N requests and waits for every one."
