#!/usr/bin/env python3
"""test_sockserve.py - seed 004's socket servers in C (server/sockserve*.c)
against the seed's Python originals (experiments/seed004/), as issue 16 asks:

1. Each of the four answers GET / with the same bytes (the seed's HTML
   page, no Content-Length, then the connection closed), a request line
   that is not "GET x y" with the seed's bare 400, and logs the request
   to stdout as the seed does.
2. The blocking ones serve one connection at a time: while one client
   holds a connection without sending, another's GET waits; once the
   first sends, both are answered. The event-loop ones answer the second
   at once.
3. A client that connects and closes without a byte does not stop them.
4. Bad command lines: exit 2 with usage.
5. `harness load --format ab` against the C blocking server: every field of
   ab's report, the counts and bytes exact (each answer is 94 bytes, 50 of
   them the page), ab's nine percentages; and refused with a rate.

usage: test_sockserve.py SOCKSERVE SOURCE_DIR [HARNESS]
"""
import os
import socket
import subprocess
import sys
import time

sockserve, source = sys.argv[1:3]
harness = sys.argv[3] if len(sys.argv) > 3 else None
seed = os.path.join(source, "experiments", "seed004")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kind):
    port = free_port()
    # piped, every server's log is block-buffered, as the seed's print is;
    # the C ones flush theirs on SIGTERM, the Python ones run with -u
    cmd = {"c_blocking": [sockserve, "blocking", str(port)],
           "c_loop": [sockserve, "loop", str(port)],
           "py_sync": ["/usr/bin/python3", "-u", f"{seed}/server_sync.py", str(port)],
           "py_async": ["/usr/bin/python3", "-u", f"{seed}/server_async.py", str(port)]}[kind]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(200):  # until it accepts
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.02)
    else:
        raise AssertionError(f"{kind} did not listen: {p.stderr.read()}")
    return p, port


def ask(port, data, timeout=5):
    """Sends data on a new connection; returns every byte until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        while True:
            b = s.recv(4096)
            if not b:
                return out
            out += b


answers = {}
for kind in ("c_blocking", "c_loop", "py_sync", "py_async"):
    p, port = start(kind)
    ok = ask(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    bad = ask(port, b"POST / HTTP/1.1\r\n\r\n")
    two = ask(port, b"GET /\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port)):
        pass  # connect, send nothing, close
    time.sleep(0.1)
    again = ask(port, b"GET /x HTTP/1.0\r\n\r\n")
    answers[kind] = (ok, bad, two, again)
    p.terminate()
    out, err = p.communicate(timeout=10)
    assert "Request from ('127.0.0.1', " in out and "GET / HTTP/1.1" in out, (kind, out[:500])
    print(f"{kind}: answered, logged")

# 1. the same bytes from all four
want_ok = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
           b"<html><body><h1>Hello 127.0.0.1</h1></body></html>")
want_bad = b"HTTP/1.1 400 Bad Request\n\n"
for kind, (ok, bad, two, again) in answers.items():
    assert ok == want_ok, (kind, ok)
    assert bad == want_bad and two == want_bad, (kind, bad, two)
    assert again == want_ok, (kind, again)  # still serving after an empty connection
print("all four: the seed's bytes for GET, for a bad request line, after an empty connection")


# 2. measured again, on its own: a blocking server's second client waits
def second_waits(kind):
    p, port = start(kind)
    holder = socket.create_connection(("127.0.0.1", port))
    time.sleep(0.2)
    other = socket.create_connection(("127.0.0.1", port), timeout=0.5)
    other.sendall(b"GET / HTTP/1.1\r\n\r\n")
    try:
        other.recv(4096)
        waited = False
    except socket.timeout:
        waited = True
    holder.close(), other.close()
    p.terminate(), p.communicate(timeout=10)
    return waited


for kind in ("c_blocking", "py_sync"):
    assert second_waits(kind), f"{kind} answered a second client while the first held it"
for kind in ("c_loop", "py_async"):
    assert not second_waits(kind), f"{kind} made a second client wait for the first"
print("blocking: a second client waits while the first holds its connection; loop: it does not")

# 4. bad command lines
for bad in ([], ["blocking"], ["spin", "8000"], ["loop", "0"], ["loop", "x"], ["loop", "70000"]):
    r = subprocess.run([sockserve, *bad], capture_output=True, text=True, timeout=5)
    assert r.returncode == 2 and r.stderr, (bad, r.returncode, r.stderr)
r = subprocess.run([sockserve, "--help"], capture_output=True, text=True, timeout=5)
assert r.returncode == 0 and "blocking" in r.stdout
print("bad command lines: exit 2 with a message")

# 5. the ab-style report
if harness:
    p, port = start("c_blocking")
    r = subprocess.run([harness, "load", f"http://127.0.0.1:{port}/", "--concurrency", "10",
                        "--total", "50", "--format", "ab"], capture_output=True, text=True,
                       timeout=60)
    p.terminate(), p.communicate(timeout=10)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    fields = ["Server Hostname:", "Server Port:", "Document Path:", "Document Length:",
              "Concurrency Level:", "Time taken for tests:", "Complete requests:",
              "Failed requests:", "(Connect:", "Total transferred:", "HTML transferred:",
              "Requests per second:", "Time per request:", "Transfer rate:",
              "Percentage of the requests served within a certain time (ms)"]
    for f in fields:
        assert f in out, (f, out)
    assert out.count("Time per request:") == 2
    lines = dict(l.split(":", 1) for l in out.splitlines() if ":" in l and not l.startswith(" "))
    assert lines["Complete requests"].strip() == "50" and lines["Failed requests"].strip() == "0"
    assert lines["Concurrency Level"].strip() == "10" and lines["Server Port"].strip() == str(port)
    assert lines["Total transferred"].strip() == f"{50 * len(want_ok)} bytes", lines
    assert lines["HTML transferred"].strip() == f"{50 * 50} bytes", lines
    pcts = [l.split()[0] for l in out.splitlines() if l.strip().endswith(tuple("0123456789")) and
            l.strip().split()[0].endswith("%")]
    assert pcts == ["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%"], pcts
    assert "100%" in out and "(longest request)" in out
    for bad in (["--format", "xml"], ["--format", "ab", "--rate", "10", "--total", "5"]):
        r = subprocess.run([harness, "load", "http://127.0.0.1:1/", *bad], capture_output=True,
                           text=True, timeout=10)
        assert r.returncode == 2 and r.stderr, (bad, r.returncode, r.stderr)
    print("harness load --format ab: every field, counts and bytes exact; refused with a rate")
