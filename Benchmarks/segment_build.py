#!/usr/bin/env python3
"""Segment-build benchmark, whole processes: `ingest-worker segment create` (release build) on
the 10,000,000-row file of `make_files.py` (segment-10m.parquet), zstd on all cores and on one,
gzip on all cores, beside pyarrow's `read_table(use_threads=False)` of the same file — run in
turn (A B A B …) so that a drifting machine moves both; medians of N rounds and the ratios
round by round.

    python3 Benchmarks/make_files.py
    swift build -c release --product ingest-worker
    # needs tar and zstd (the command line tools) to read the segment's size
    python3 Benchmarks/segment_build.py [--runs N] [--no-gzip]

CPU is user + system from wait4(), peak RSS its ru_maxrss; wall is the process's own. The
goals it checks against: CPU at most 2x pyarrow's, peak RSS at most 1.5x the segment's
uncompressed size (columns.psf and the small files), wall on 2 cores at most 0.6x that on 1.
"""
import os
import subprocess
import sys

# Imported first: it starts the launcher before anything large is loaded.
import process_launcher  # noqa: E402
import argparse  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "Data", "segment-10m.parquet")
# LAKEINGEST_WORKER runs another build of the worker (an A/B against an earlier commit).
WORKER = os.environ.get("LAKEINGEST_WORKER") or os.path.join(HERE, "..", ".build", "release", "ingest-worker")
ROWS = 10_000_000
PYARROW = "import pyarrow.parquet as pq, sys; pq.read_table(sys.argv[1], use_threads=False)"


def measure(argv):
    """{wall, cpu, rss (MiB)} of one process, through the launcher."""
    return process_launcher.run(argv)



def segment_create(out, compression, one_core):
    shutil.rmtree(out, ignore_errors=True)
    argv = [WORKER, "segment", "create", "--input", DATA, "--tar-compression", compression, "--out", out]
    return measure((["taskset", "-c", "0"] if one_core else []) + argv)


def uncompressed_size(out):
    """Bytes of the segment's files (what the tarball holds, uncompressed)."""
    tarball = os.path.join(out, os.listdir(out)[0])
    listing = subprocess.run(["tar", "-I", "zstd", "-tvf", tarball], check=True, capture_output=True, text=True).stdout
    return sum(int(line.split()[2]) for line in listing.splitlines() if line.startswith("-"))


def median(runs, key):
    return statistics.median(run[key] for run in runs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-gzip", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(DATA):
        raise SystemExit("run python3 Benchmarks/make_files.py first")
    work = tempfile.mkdtemp(prefix="lakeingest-segment-bench-")
    out = os.path.join(work, "out")
    rounds = []
    try:
        measure([sys.executable, "-c", PYARROW, DATA])  # warm the page cache and the imports
        segment_create(out, "zstd", False)
        for _ in range(args.runs):
            all_cores = segment_create(out, "zstd", False)
            pyarrow = measure([sys.executable, "-c", PYARROW, DATA])
            one_core = segment_create(out, "zstd", True)
            rounds.append({"all": all_cores, "pyarrow": pyarrow, "one": one_core})
        size = uncompressed_size(out)
        gzip = [segment_create(out, "gzip", False) for _ in range(0 if args.no_gzip else max(1, args.runs // 2))]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"{ROWS:,} rows, segment files {size / 1e6:.0f} MB uncompressed; medians of {args.runs} rounds ({os.cpu_count()} cores)")
    print(f"{'':40} {'CPU s':>8} {'wall s':>8} {'rows/s':>11} {'peak RSS MiB':>13}")
    lines = [("segment create, zstd, all cores", [r["all"] for r in rounds]),
             ("segment create, zstd, 1 core", [r["one"] for r in rounds]),
             ("pyarrow read_table(use_threads=False)", [r["pyarrow"] for r in rounds])]
    if gzip:
        lines.append(("segment create, gzip, all cores", gzip))
    for label, runs in lines:
        wall = median(runs, "wall")
        print(f"{label:40} {median(runs, 'cpu'):8.2f} {wall:8.2f} {ROWS / wall:11,.0f} {median(runs, 'rss'):13.0f}")
    cpu_ratio = statistics.median(r["all"]["cpu"] / r["pyarrow"]["cpu"] for r in rounds)
    wall_ratio = statistics.median(r["all"]["wall"] / r["one"]["wall"] for r in rounds)
    rss_ratio = median([r["all"] for r in rounds], "rss") * 1024 * 1024 / size
    print(f"CPU / pyarrow's: {cpu_ratio:.2f} (goal <= 2.0)")
    print(f"peak RSS / segment size: {rss_ratio:.2f} (goal <= 1.5)")
    print(f"wall, all cores / 1 core: {wall_ratio:.2f} (goal <= 0.6 on 2 cores)")


if __name__ == "__main__":
    main()
