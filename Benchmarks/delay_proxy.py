#!/usr/bin/env python3
"""A TCP proxy that adds a fixed delay before every answer, as a distant S3 would.

    python3 Benchmarks/delay_proxy.py --listen 127.0.0.1:0 --upstream 127.0.0.1:5000 --delay-ms 20

This kernel has no netem, so latency is added in user space: every chunk a client sends is
forwarded to the upstream `delay` after it arrived (chunks keep their order, so a request is held
once, not once per chunk, and a large upload streams on behind it), and the answer flows back
untouched. A request therefore waits `delay` more for its first byte — real S3's 10–50 ms
first-byte latency on a ranged GET — while bandwidth is unchanged. It also counts requests
(client chunks that begin with an HTTP method) and the bytes answered. Prints
`listening HOST:PORT` once it accepts connections; runs until killed. Importable: `DelayProxy`.
"""
import argparse
import asyncio
import sys
import threading

METHODS = (b"GET ", b"HEAD", b"PUT ", b"POST")


class DelayProxy:
    """The proxy on its own event loop in a daemon thread; `delay_ms` can change between runs."""

    def __init__(self, upstream_host, upstream_port, delay_ms=0.0, listen_host="127.0.0.1", listen_port=0):
        self.upstream = (upstream_host, upstream_port)
        self.lock = threading.Lock()
        self.reset(delay_ms)
        started = threading.Event()
        self.address = None

        def ready(where):
            self.address = where
            started.set()

        threading.Thread(target=lambda: asyncio.run(self.serve(listen_host, listen_port, ready)), daemon=True).start()
        if not started.wait(10):
            raise RuntimeError("the delaying proxy did not start")

    def reset(self, delay_ms):
        """Sets the delay and zeroes the counters."""
        with self.lock:
            self.delay, self.requests, self.bytes = delay_ms / 1000.0, 0, 0

    def counts(self):
        """(requests, bytes answered) since the last reset."""
        with self.lock:
            return self.requests, self.bytes

    async def pipe(self, reader, writer, upstream):
        """Copies reader to writer; towards the upstream each chunk waits the delay, in order."""
        loop = asyncio.get_running_loop()
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
                with self.lock:
                    if upstream and chunk[:4] in METHODS:
                        self.requests += 1
                    elif not upstream:
                        self.bytes += len(chunk)
                    delay = self.delay if upstream else 0.0
                await pending.put((loop.time() + delay, chunk or None))
                if not chunk:
                    break
            await forwarding
        except (ConnectionError, asyncio.CancelledError):
            forwarding.cancel()
        finally:
            writer.close()

    async def serve(self, host, port, ready):
        async def handle(client_reader, client_writer):
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
            except OSError:
                client_writer.close()
                return
            await asyncio.gather(self.pipe(client_reader, upstream_writer, True),
                                 self.pipe(upstream_reader, client_writer, False), return_exceptions=True)

        server = await asyncio.start_server(handle, host, port)
        ready(server.sockets[0].getsockname()[:2])
        async with server:
            await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:0")
    parser.add_argument("--upstream", required=True, help="HOST:PORT")
    parser.add_argument("--delay-ms", type=float, default=20.0)
    args = parser.parse_args()
    listen_host, listen_port = args.listen.rsplit(":", 1)
    upstream_host, upstream_port = args.upstream.rsplit(":", 1)
    proxy = DelayProxy(upstream_host, int(upstream_port), args.delay_ms, listen_host, int(listen_port))
    print(f"listening {proxy.address[0]}:{proxy.address[1]}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
