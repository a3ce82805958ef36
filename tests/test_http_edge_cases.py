#!/usr/bin/env python3
"""test_http_edge_cases.py - request-line and header edge cases, miniserve
beside nginx (issue 17).

tests/http_edge/cases.json holds the cases. Each has a name, the raw
request, the status nginx gave (`nginx`), the status miniserve gives
(`miniserve`) and, where the two differ, `why`. A status is an integer,
"close" (the connection closed without a byte) or "body" (bytes came back
but no status line: nginx's HTTP/0.9 answer). A case may have
`repeat: {"mark", "text", "times"}`: the request's one `mark` stands for
`text` repeated `times` times, so that long tokens stay readable in the
JSON and in the table.

The test runs every case against both servers: each request goes out on
a new connection, which is half-closed after it, and the status is read
from the first response. nginx's must equal `nginx`, which keeps the
table honest against the reference; miniserve's must equal `miniserve`,
and an error from miniserve must carry its JSON error body.
Then the markdown table rendered from the cases must stand in the README
between the http-edge-cases markers.

usage: test_http_edge_cases.py MINISERVE README [--table]
  --table  print the table (to paste into the README) and exit 0
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

NGINX = "/usr/sbin/nginx"
CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "http_edge", "cases.json")
BEGIN = "<!-- http-edge-cases:begin -->"
END = "<!-- http-edge-cases:end -->"
READ_TIMEOUT_S = 5
REQUEST_SHOWN = 100  # characters of a request the table shows

# Both servers route the same paths alike: /healthz answers GET and HEAD,
# /correct answers POST, each with 405 for other methods, and everything
# else is 404. Run as the current user (master_process off: no worker
# switches to another user), with every path inside the prefix.
NGINX_CONF = """
master_process off;
pid nginx.pid;
error_log error.log info;
events {{ worker_connections 64; }}
http {{
    access_log access.log;
    client_body_temp_path body;
    proxy_temp_path proxy;
    fastcgi_temp_path fastcgi;
    uwsgi_temp_path uwsgi;
    scgi_temp_path scgi;
    default_type text/plain;
    server {{
        listen 127.0.0.1:{port};
        location = /healthz {{
            if ($request_method !~ ^(GET|HEAD)$) {{ return 405; }}
            return 200 "ok\\n";
        }}
        location = /correct {{
            if ($request_method != POST) {{ return 405; }}
            return 200 "ok\\n";
        }}
        location / {{ return 404; }}
    }}
}}
"""


def request_bytes(case):
    """The raw bytes of a case's request, its repeat expanded."""
    req = case["request"]
    rep = case.get("repeat")
    if rep:
        assert req.count(rep["mark"]) == 1, case["name"]
        req = req.replace(rep["mark"], rep["text"] * rep["times"])
    # The JSON escapes bytes as code points below 256.
    return req.encode("latin-1")


def escape(text):
    """A request as the table shows it: control bytes escaped."""
    named = {"\r": "\\r", "\n": "\\n", "\t": "\\t", "\0": "\\0", "\\": "\\\\"}
    return "".join(named.get(ch, ch) if ch in named or " " <= ch < "\x7f"
                   else "\\x%02x" % ord(ch) for ch in text)


def shown_request(case):
    """Escaped and shortened; a repeat shows as <text × times>."""
    req = case["request"]
    rep = case.get("repeat")
    parts = req.split(rep["mark"]) if rep else [req]
    shown = escape(parts[0])
    if rep:
        shown += "<%s × %d>" % (escape(rep["text"]), rep["times"]) + escape(parts[1])
    if len(shown) > REQUEST_SHOWN:
        shown = shown[:REQUEST_SHOWN - 1] + "…"
    return shown


def cell(text):
    return str(text).replace("|", "\\|")


def table(cases):
    """The README's markdown table, rendered from the cases alone."""
    rows = ["| case | request | nginx | miniserve | why |",
            "|---|---|---|---|---|"]
    for c in cases:
        # A code span keeps the escapes literal; its | still needs escaping.
        rows.append("| %s | `%s` | %s | %s | %s |" % (
            cell(c["name"]), cell(shown_request(c)), c["nginx"], c["miniserve"],
            cell(c["why"])))
    return "\n".join(rows)


def status_of(data):
    """The first response's status, "close" or "body"."""
    if not data:
        return "close"
    m = re.match(rb"HTTP/\d\.\d (\d{3}) ", data)
    return int(m.group(1)) if m else "body"


def json_error_ok(data, status):
    """Whether the first response's body is miniserve's JSON error,
    {"error": "...", "status": status, ...}."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    m = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
    if not sep or not m:
        return False
    try:
        body = json.loads(rest[:int(m.group(1))])
    except ValueError:
        return False
    return isinstance(body.get("error"), str) and body.get("status") == status


def ask(port, data):
    """Sends data on a new connection, half-closes, reads until close.
    Returns what came back, or None if the server neither answered nor
    closed in READ_TIMEOUT_S."""
    got = b""
    with socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT_S) as s:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # it may answer a long request and close before taking it all
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got += b
        except socket.timeout:
            if not got:
                return None
        except ConnectionResetError:
            pass  # a reset after the answer leaves what was read
    return got


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, what, log):
    for _ in range(200):
        if proc.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    with open(log, errors="replace") as f:
        raise SystemExit(f"{what} did not start listening on {port}:\n{f.read()[-2000:]}")


def start_nginx(prefix):
    if not os.access(NGINX, os.X_OK):
        raise SystemExit(f"{NGINX} not found: this test needs nginx-light "
                         "(scripts/setup.sh installs it; apt-get install nginx-light)")
    port = free_port()
    with open(os.path.join(prefix, "nginx.conf"), "w") as f:
        f.write(NGINX_CONF.format(port=port))
    log = os.path.join(prefix, "stderr.log")
    with open(log, "w") as err:
        proc = subprocess.Popen([NGINX, "-p", prefix, "-c", "nginx.conf", "-g", "daemon off;"],
                                stdout=subprocess.DEVNULL, stderr=err)
    wait_listening(port, proc, "nginx", log)
    return proc, port


def start_miniserve(binary):
    # Short timeouts: a case left incomplete ends quickly either way.
    proc = subprocess.Popen([binary, "--port", "0", "--threads", "2",
                             "--idle-timeout-ms", "1000", "--request-timeout-ms", "2000"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    m = re.match(r"listening on http://[^:]+:(\d+)", line)
    if not m:
        raise SystemExit(f"miniserve did not say where it listens: {line!r}")
    return proc, int(m.group(1))


def readme_table(path):
    """The lines between the markers, or None without both."""
    with open(path) as f:
        lines = f.read().split("\n")
    if BEGIN not in lines or END not in lines:
        return None
    return "\n".join(lines[lines.index(BEGIN) + 1:lines.index(END)])


def main():
    args = [a for a in sys.argv[1:] if a != "--table"]
    if len(args) != 2:
        raise SystemExit(__doc__.split("\n\n")[-1])
    miniserve, readme = args
    with open(CASES) as f:
        cases = json.load(f)
    rendered = table(cases)
    if "--table" in sys.argv:
        print(rendered)
        return 0

    failures = []
    prefix = tempfile.mkdtemp(prefix="http_edge_nginx.")
    nginx = ms = None
    try:
        nginx, nginx_port = start_nginx(prefix)
        ms, ms_port = start_miniserve(miniserve)
        for c in cases:
            data = request_bytes(c)
            for server, port in (("nginx", nginx_port), ("miniserve", ms_port)):
                reply = ask(port, data)
                got = "timeout" if reply is None else status_of(reply)
                if got != c[server]:
                    failures.append(f"{c['name']}: {server} answered {got}, "
                                    f"the table says {c[server]}")
                elif (server == "miniserve" and isinstance(got, int) and got >= 400
                      and not json_error_ok(reply, got)):
                    failures.append(f"{c['name']}: miniserve's {got} lacks its JSON error body")
            if (c["nginx"] == c["miniserve"]) != (c["why"] == ""):
                failures.append(f"{c['name']}: a why is needed exactly when the two differ")
    finally:
        for p in (ms, nginx):
            if p:
                p.terminate()
                p.wait()
        shutil.rmtree(prefix, ignore_errors=True)

    in_readme = readme_table(readme)
    if in_readme is None:
        failures.append(f"{readme} lacks the lines {BEGIN} and {END}")
    elif in_readme.strip("\n") != rendered:
        failures.append(f"{readme}'s table is not the one cases.json renders "
                        "(paste the output of --table between the markers)")
    for f in failures:
        print("FAIL", f)
    same = sum(c["nginx"] == c["miniserve"] for c in cases)
    print(f"{len(cases)} cases, miniserve answers {same} as nginx does; "
          f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
