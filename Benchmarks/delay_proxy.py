#!/usr/bin/env python3
"""A TCP proxy that adds a fixed delay before every answer, as a distant S3 would.

    python3 Benchmarks/delay_proxy.py --listen 127.0.0.1:0 --upstream 127.0.0.1:5000 --delay-ms 20

This kernel has no netem, so latency is added in user space: every chunk a client sends is
forwarded to the upstream `delay` after it arrived (chunks keep their order, so a request is held
once, not once per chunk, and a large upload streams on behind it), and the answer flows back
untouched. A request therefore waits `delay` more for its first byte — real S3's 10–50 ms
first-byte latency on a ranged GET — while bandwidth is unchanged. Prints `listening HOST:PORT`
once it accepts connections; runs until killed. Also importable (`start_in_thread`).
"""
import argparse
import asyncio
import sys
import threading


async def pipe(reader, writer, delay, loop):
    """Copies reader to writer, each chunk `delay` seconds after it arrived, in order."""
    pending = asyncio.Queue()

    async def forward():
        while True:
            due, chunk = await pending.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if chunk is None:
                break
            writer.write(chunk)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()

    forwarding = asyncio.ensure_future(forward())
    try:
        while True:
            chunk = await reader.read(1 << 16)
            await pending.put((loop.time() + delay, chunk or None))
            if not chunk:
                break
        await forwarding
    except (ConnectionError, asyncio.CancelledError):
        forwarding.cancel()
    finally:
        writer.close()


async def serve(listen_host, listen_port, upstream_host, upstream_port, delay, ready):
    loop = asyncio.get_running_loop()

    async def handle(client_reader, client_writer):
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(upstream_host, upstream_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, upstream_writer, delay, loop),
                             pipe(upstream_reader, client_writer, 0.0, loop), return_exceptions=True)

    server = await asyncio.start_server(handle, listen_host, listen_port)
    ready(server.sockets[0].getsockname()[:2])
    async with server:
        await server.serve_forever()


def start_in_thread(upstream_host, upstream_port, delay_ms, listen_host="127.0.0.1"):
    """Starts the proxy on a free port in a daemon thread; returns (host, port)."""
    address = []
    started = threading.Event()

    def ready(where):
        address.append(where)
        started.set()

    def main():
        asyncio.run(serve(listen_host, 0, upstream_host, upstream_port, delay_ms / 1000.0, ready))

    threading.Thread(target=main, daemon=True).start()
    if not started.wait(10):
        raise RuntimeError("the delaying proxy did not start")
    return address[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:0")
    parser.add_argument("--upstream", required=True, help="HOST:PORT")
    parser.add_argument("--delay-ms", type=float, default=20.0)
    args = parser.parse_args()
    listen_host, listen_port = args.listen.rsplit(":", 1)
    upstream_host, upstream_port = args.upstream.rsplit(":", 1)

    def ready(where):
        print(f"listening {where[0]}:{where[1]}", flush=True)

    try:
        asyncio.run(serve(listen_host, int(listen_port), upstream_host, int(upstream_port), args.delay_ms / 1000.0, ready))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
