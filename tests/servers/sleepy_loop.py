"""sleepy_loop.py - an asyncio HTTP/1.1 server with the classic pitfall: its
handler for /work calls time.sleep(0.02) on the event loop, so while it
sleeps nothing else is served, and GET /healthz, which answers at once by
itself, waits behind every queued sleep. A fixture of
tests/test_harness_facts.c.

    /usr/bin/python3 sleepy_loop.py PORT

Binds 127.0.0.1:PORT. GET or POST /work: sleeps 20 ms on the loop, answers
200. GET /healthz: answers 200 at once with the pid. Anything else: 404.
Keep-alive (unless the client says Connection: close), Content-Length on
every answer, nothing logged per request. Stdlib only."""
import asyncio
import json
import os
import sys
import time

SLEEP_S = 0.02


def response(status, body, close):
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n").encode() + body


async def serve(reader, writer):
    """One connection: requests one after another until the client closes
    or asks to."""
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                break
            lines = head.decode("latin-1").split("\r\n")
            parts = lines[0].split()
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            if length:
                await reader.readexactly(length)
            close = headers.get("connection", "").lower() == "close"
            if len(parts) != 3:
                status, body, close = 400, b'{"error": "bad request line"}', True
            elif parts[1] == "/healthz":
                status, body = 200, json.dumps({"status": "ok", "pid": os.getpid()}).encode()
            elif parts[1] == "/work":
                time.sleep(SLEEP_S)  # the pitfall: blocks the whole loop
                status, body = 200, b'{"slept_ms": 20}'
            else:
                status, body = 404, b'{"error": "not found"}'
            writer.write(response(status, body, close))
            await writer.drain()
            if close:
                break
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    port = int(sys.argv[1])
    server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=128)
    print(f"sleepy_loop: listening on http://127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
