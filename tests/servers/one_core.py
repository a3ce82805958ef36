"""one_core.py - a threaded HTTP/1.1 server whose handler is pure-Python CPU
work, so however many clients it has it uses about one core: the GIL lets
one thread at a time run Python code. A fixture of tests/test_harness_facts.c.

    /usr/bin/python3 one_core.py PORT

Binds 127.0.0.1:PORT. GET or POST on any path but /healthz spends WORK_MS of
CPU in a loop, then answers 200; GET /healthz answers at once with the pid
(the harness asks it which process serves). Keep-alive, Content-Length on
every answer, nothing logged per request. Stdlib only."""
import http.server
import json
import os
import sys
import time

WORK_MS = 4.0  # CPU per request, in ms of this machine's time


def spin(n):
    """n rounds of integer arithmetic: pure bytecode, never releases the GIL."""
    x = 0
    for i in range(n):
        x = (x * 31 + i) & 0xFFFF
    return x


def calibrate():
    """Loop rounds that take WORK_MS here, measured once at start-up so
    the work is the same in time on a fast or slow machine."""
    n = 20000
    t0 = time.perf_counter()
    spin(n)
    took = time.perf_counter() - t0
    return max(1000, int(n * WORK_MS / 1000.0 / max(took, 1e-6)))


ROUNDS = calibrate()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep connections alive

    def answer(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path == "/healthz":
            self.answer(json.dumps({"status": "ok", "pid": os.getpid()}).encode())
        else:
            self.answer(json.dumps({"x": spin(ROUNDS)}).encode())

    do_GET = serve
    do_POST = serve

    def log_message(self, fmt, *args):
        pass  # nothing per request


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the accept queue must not be what limits it


def main():
    port = int(sys.argv[1])
    srv = Server(("127.0.0.1", port), Handler)
    print(f"one_core: listening on http://127.0.0.1:{port} ({ROUNDS} rounds a request)",
          flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
