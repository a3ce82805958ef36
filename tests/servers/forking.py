"""forking.py - a server that forks a child per connection, which does the
request's CPU work and exits: the shape of an old CGI or preforking server.
A fixture of tests/test_harness_facts.c.

    /usr/bin/python3 forking.py PORT reap|ignore

reap: the parent waits for each child (SIGCHLD handler with waitpid), so
the child's CPU time goes to the parent's cutime and the harness counts it.
ignore: the parent sets SIGCHLD to SIG_IGN, so the kernel reaps the children
and their CPU time is counted nowhere; the harness must say it cannot know.
GET /work spends WORK_MS of CPU in the child; GET /healthz answers at once.
Binds 127.0.0.1:PORT, answers with Content-Length and Connection: close."""
import json
import os
import signal
import socket
import sys
import time

WORK_MS = 5.0


def reap(*_):
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def serve(conn):
    req = conn.recv(65536)
    parts = req.split(b" ")
    path = parts[1] if len(parts) > 1 else b"/"
    if path == b"/work":
        t = time.process_time()
        while time.process_time() - t < WORK_MS / 1000:
            pass
    body = json.dumps({"status": "ok"}).encode()
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
    conn.close()


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    signal.signal(signal.SIGCHLD, signal.SIG_IGN if mode == "ignore" else reap)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    while True:
        try:
            conn, _ = sock.accept()
        except InterruptedError:
            continue
        if os.fork() == 0:
            sock.close()
            serve(conn)
            os._exit(0)
        conn.close()


if __name__ == "__main__":
    main()
