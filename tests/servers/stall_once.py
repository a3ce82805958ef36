"""stall_once.py - a single-threaded asyncio HTTP/1.1 server for the open
loop's tests (tests/test_open_loop.py): in mode "stall", its loop sleeps
for 1 s once, inside the STALL_AT-th request, and answers every other
request at once; in mode "slow", every request takes 50 ms of the loop.
While it sleeps nothing is served, as with any blocked event loop. Two
more modes try the client: "hangup" says keep-alive but closes each
connection after its answer (as a server at its keep-alive limit may),
"continue" sends an interim "100 Continue" before each answer.

    /usr/bin/python3 stall_once.py PORT stall|slow|hangup|continue

Binds 127.0.0.1:PORT. Any GET or POST: 200 with a small JSON body.
Keep-alive unless the client says Connection: close. Stdlib only."""
import asyncio
import sys
import time

STALL_AT = 100   # at 100 requests/s, one second into the run
STALL_S = 1.0
SLOW_S = 0.05

mode = sys.argv[2] if len(sys.argv) > 2 else "stall"
seen = 0


def response(body, close):
    return (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n").encode() + body


async def serve(reader, writer):
    global seen
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                break
            headers = {}
            for line in head.decode("latin-1").split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            if length:
                await reader.readexactly(length)
            seen += 1
            if mode == "slow":
                time.sleep(SLOW_S)  # blocks the whole loop, every time
            elif seen == STALL_AT:
                time.sleep(STALL_S)  # blocks the whole loop, once
            close = headers.get("connection", "").lower() == "close"
            if mode == "continue":
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            writer.write(response(b'{"ok": true}', close))
            await writer.drain()
            if close or mode == "hangup":
                break
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    port = int(sys.argv[1])
    server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=1024)
    print(f"stall_once ({mode}): listening on http://127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
