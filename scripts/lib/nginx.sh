# scripts/lib/nginx.sh - sourced by the benchmarks: nginx as a reference
# server on loopback, configured and started in a scratch folder.

# A TCP port free on 127.0.0.1 right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# nginx_start DIR PORT LOCATIONS: one worker process serving the nginx
# location blocks LOCATIONS on 127.0.0.1:PORT, with every file it writes in
# DIR. Sets NGINX_PID and returns once it answers (or fails after 5 s).
nginx_start() {
  local dir=$1 port=$2 locations=$3
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir;
  proxy_temp_path $dir;
  fastcgi_temp_path $dir;
  uwsgi_temp_path $dir;
  scgi_temp_path $dir;
  server {
    listen 127.0.0.1:$port;
    $locations
  }
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" 2>"$dir/stderr" &
  NGINX_PID=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    sleep 0.05
  done
  echo "nginx did not start:" >&2
  cat "$dir/stderr" "$dir/error.log" >&2 2>/dev/null
  return 1
}
