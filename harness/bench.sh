#!/usr/bin/env bash
# harness/bench.sh - is the load generator fast enough not to be the
# bottleneck? Measures `harness load` beside `wrk -t1` against nginx serving
# a small body on loopback, alternating the two, ROUNDS times, and prints
# the median requests/s of each and their ratio. It prints numbers; it
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

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18089)
cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$port;
    location / { return 200 "ok\n"; }
  }
}
CONF
nginx -p "$dir" -c "$dir/nginx.conf" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null; wait $nginx_pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
  sleep 0.1
done

url="http://127.0.0.1:$port/"
wrk_rps=(); ours_rps=()
for r in $(seq "$ROUNDS"); do
  w=$(wrk -t1 -c"$CONNS" -d"${SECONDS_PER_RUN}s" "$url" | awk '/Requests\/sec/ {print $2}')
  # As many requests as wrk did in the same time, so both run about as long.
  total=$(awk -v r="$w" -v s="$SECONDS_PER_RUN" 'BEGIN {printf "%d", r * s}')
  o=$("$HARNESS" load "$url" --concurrency "$CONNS" --total "$total" 2>/dev/null |
      awk '/requests\/s/ {for (i = 1; i < NF; i++) if ($i == "requests/s") print $(i+1)}')
  echo "round $r: wrk -t1 -c$CONNS ${w} req/s, harness load -c$CONNS ${o} req/s"
  wrk_rps+=("$w"); ours_rps+=("$o")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mw=$(median "${wrk_rps[@]}"); mo=$(median "${ours_rps[@]}")
echo "median of $ROUNDS: wrk $mw req/s, harness load $mo req/s, ratio $(awk -v a="$mo" -v b="$mw" 'BEGIN {printf "%.2f", a / b}')x"
