#!/usr/bin/env python3
"""Does `run`'s memory follow the segment, not the input? Peak RSS on 1, 3 and 30 copies.

    python3 Benchmarks/memory_bench.py [--worker PATH] [--copies 1,3,30] [--segment-rows 5000000]

The input: N copies (hard links, or symbolic links across filesystems) of the 10M-row, 8-column benchmark file
(Benchmarks/Data/segment-10m.parquet, 266 MB snappy, 1M-row row groups; `Benchmarks/make_files.py`)
in one folder, an `s3-data-lake` task over it (`file://`), zstd tarballs pushed to a local folder
that is emptied as segments arrive (30 copies make about 60 segments). Whole processes: wall,
CPU and peak RSS from wait4. The bound compared against: 1.5 × the uncompressed size of one
segment (its files, unpacked from the first tarball), plus the configured in-flight budgets
(`decodedBytesInFlight`, 64 MiB, and one sealed segment waiting for the pusher).
"""
import os
import sys

# Imported first: it starts the launcher before anything large is loaded.
import process_launcher  # noqa: E402
import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "Data", "segment-10m.parquet")
BUDGET = 64 << 20


def unpacked_size(tarball):
    """Bytes of the files in a segment tarball (.tar.zst)."""
    folder = tempfile.mkdtemp(prefix="lakeingest-unpack-")
    try:
        subprocess.run(["tar", "-I", "zstd", "-xf", tarball, "-C", folder], check=True)
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(folder) for f in files)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(worker, copies, segment_rows, pipeline=None):
    work = tempfile.mkdtemp(prefix="lakeingest-memory-")
    lake = os.path.join(work, "lake")
    out = os.path.join(work, "segments")
    os.makedirs(lake)
    os.makedirs(out)
    for i in range(copies):
        target = os.path.join(lake, f"part-{i:03d}.parquet")
        try:
            os.link(SOURCE, target)
        except OSError:  # another filesystem
            os.symlink(SOURCE, target)
    config = os.path.join(work, "task.json")
    with open(config, "w") as f:
        json.dump({"taskName": "memory", "table": "memory", "source": {"type": "s3-data-lake", "location": "file://" + lake + "/"},
                   "schema": {"timeColumn": None}, "segments": {"maxRowsPerSegment": segment_rows},
                   "push": {"outputDir": out, "tarCompression": "zstd"}, "stateDir": os.path.join(work, "state"),
                   **({"pipeline": pipeline} if pipeline else {})}, f)
    first = {}
    stop = threading.Event()

    def drain():
        """Keeps the first tarball, deletes the others once they are complete (disk, not memory)."""
        while not stop.wait(0.5):
            for name in sorted(os.listdir(out)):
                path = os.path.join(out, name)
                if not name.endswith(".tar.zst"):
                    continue
                if "path" not in first:
                    first["path"] = path
                elif path != first["path"]:
                    try:
                        if time.time() - os.path.getmtime(path) > 2:
                            os.remove(path)
                    except OSError:
                        pass

    drainer = threading.Thread(target=drain, daemon=True)
    drainer.start()
    try:
        result = process_launcher.run([worker, "run", "--config", config])
        stop.set()
        drainer.join()
        with open(os.path.join(work, "state", "status.json")) as f:
            status = json.load(f)
        if status.get("state") != "COMPLETED" or status.get("rowsIngested") != copies * 10_000_000:
            raise SystemExit(f"error: {copies} copies: {status.get('state')} {status.get('rowsIngested')}")
        segment = unpacked_size(first["path"]) if "path" in first else 0
        return {"copies": copies, "rows": status["rowsIngested"], "segments": status.get("segmentsPushed"),
                "wall_s": result["wall"], "cpu_s": result["cpu"], "rss_mib": result["rss"], "segment_bytes": segment}
    finally:
        stop.set()
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", default=os.environ.get("LAKEINGEST_WORKER") or os.path.join(HERE, "..", ".build", "release", "ingest-worker"))
    parser.add_argument("--copies", default="1,3,30")
    parser.add_argument("--segment-rows", type=int, default=5_000_000)
    parser.add_argument("--pipeline", type=json.loads, default=None, help='the task\'s "pipeline" options as JSON')
    parser.add_argument("--json")
    args = parser.parse_args()
    if not os.path.exists(SOURCE):
        raise SystemExit(f"error: {SOURCE} is missing: python3 Benchmarks/make_files.py writes it")
    worker = os.path.abspath(args.worker)
    results = []
    for copies in [int(c) for c in args.copies.split(",")]:
        r = measure(worker, copies, args.segment_rows, args.pipeline)
        bound = 1.5 * r["segment_bytes"] + BUDGET
        results.append(r)
        print(f"{copies:3d} copies ({r['rows']:,} rows, {r['segments']} segments): wall {r['wall_s']:6.1f} s, CPU {r['cpu_s']:6.1f} s, "
              f"peak RSS {r['rss_mib']:5.0f} MiB; one segment unpacked {r['segment_bytes'] / 2**20:.0f} MiB, "
              f"bound 1.5× + {BUDGET >> 20} MiB = {bound / 2**20:.0f} MiB: {'within' if r['rss_mib'] * 2**20 <= bound else 'OVER'}",
              flush=True)
    rss = [r["rss_mib"] for r in results]
    print(f"peak RSS from {results[0]['copies']} to {results[-1]['copies']} copies: {rss[0]:.0f} → {rss[-1]:.0f} MiB "
          f"({(rss[-1] / rss[0] - 1) * 100:+.1f}%)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"worker": worker, "results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
