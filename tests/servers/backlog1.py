"""backlog1.py - a blocking server with an accept queue of one: it accepts
one connection at a time, reads the request, works 2 ms (a sleep), answers
with Connection: close and closes. With 20 clients at once the queue is
full most of the time, so the kernel drops their SYNs (ListenOverflows,
ListenDrops) and each dropped client retransmits its SYN a second later
(TCPSynRetrans): connect times of about 1 s. A fixture of
tests/test_harness_facts.c.

    /usr/bin/python3 backlog1.py PORT

Binds 127.0.0.1:PORT. Any GET or POST answers 200 "ok" (so any path is its
health path) with a Content-Length. Nothing logged per request. Stdlib only.

Unlike the other fixtures it does not put its pid in the answer: the
harness asks which pids serve over batches of fresh connections and stops
after the first answer without one, where 32 of them against a queue of one
would spend seconds in SYN retransmits before the load even starts."""
import socket
import sys
import time

WORK_S = 0.002


def read_request(conn):
    """Reads one request's head and body; returns the head, or None if the
    client closed first."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head


def main():
    port = int(sys.argv[1])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1)  # the point of this server
    print(f"backlog1: listening on http://127.0.0.1:{port} (listen backlog 1)", flush=True)
    body = b"ok\n"
    answer = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
              b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)) + body
    while True:
        conn, _ = sock.accept()
        try:
            if read_request(conn) is not None:
                time.sleep(WORK_S)
                conn.sendall(answer)
        except OSError:
            pass  # a client that went away is not this server's problem
        finally:
            conn.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
