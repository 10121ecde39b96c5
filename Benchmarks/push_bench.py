#!/usr/bin/env python3
"""Push throughput of large segments to the controller test server, TAR and METADATA modes, and
the memory the pushing process holds (it must not grow with the segment).

    cd Benchmarks && swift build -c release --product PushThroughput && cd ..
    python3 Benchmarks/push_bench.py [--sizes 256,1024]

Starts Tests/Fixtures/pinot/controller_server.py with --accept-any (uploads streamed to disk
unread, so the figures are the client's and loopback's, not Pinot's). METADATA puts the tarball
into a file:// deep store (a copy) and then posts the bundle.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BINARY = os.path.join(HERE, ".build", "release", "PushThroughput")
SERVER = os.path.join(HERE, "..", "Tests", "Fixtures", "pinot", "controller_server.py")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="256,1024")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="lakeingest-push-bench-")
    state = os.path.join(work, "state.json")
    server = subprocess.Popen([sys.executable, SERVER, "--state-file", state, "--data-dir", os.path.join(work, "data"), "--accept-any"],
                              stderr=subprocess.DEVNULL)
    try:
        while not os.path.exists(state):
            time.sleep(0.1)
        uri = json.load(open(state))["uri"]
        deep = os.path.join(work, "deep")
        os.makedirs(deep)
        print("| mode | MiB | seconds | MB/s | RSS before MiB | peak RSS MiB |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for mode in ["tar", "metadata"]:
            for size in [int(s) for s in args.sizes.split(",")]:
                out = subprocess.run([BINARY, "--controller", uri, "--mode", mode, "--megabytes", str(size), "--deep-store", "file://" + deep + "/"],
                                     check=True, capture_output=True, text=True).stdout
                r = json.loads(out)
                print(f"| {mode} | {size} | {r['seconds']:.2f} | {r['MBps']:.0f} | {r['rssBeforeMiB']:.0f} | {r['peakRssMiB']:.0f} |")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
