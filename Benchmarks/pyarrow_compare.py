"""Times single-threaded decoding of the benchmark files: pyarrow read_table(use_threads=False)
against `ingest-worker parquet scan` (release build), best of N runs each, and prints the ratio.

Run from the repository root after `swift build -c release` and `python3 Benchmarks/make_files.py`:
  python3 Benchmarks/pyarrow_compare.py [runs]
Both sides decode every column to memory; the worker's figure is its own elapsed time for
opening the file, reading the footer and decoding every row group (process start-up excluded).
"""
import os
import re
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "..", ".build", "release", "ingest-worker")


def best_pyarrow(path, runs):
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        pq.read_table(path, use_threads=False)
        best = min(best, time.perf_counter() - start)
    return best


def best_worker(path, runs):
    best = float("inf")
    for _ in range(runs):
        out = subprocess.run([WORKER, "parquet", "scan", path], check=True, capture_output=True, text=True).stdout
        best = min(best, float(re.search(r"elapsed: ([0-9.]+) ms", out).group(1)) / 1000)
    return best


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    print(f"pyarrow {pa.__version__}, best of {runs}")
    print(f"{'file':24} {'rows':>9} {'MB (uncompr.)':>14} {'pyarrow ms':>11} {'worker ms':>10} {'worker/pyarrow speed':>21}")
    for name in sorted(os.listdir(os.path.join(HERE, "Data"))):
        if not name.endswith(".parquet"):
            continue
        path = os.path.join(HERE, "Data", name)
        meta = pq.ParquetFile(path).metadata
        uncompressed = sum(meta.row_group(g).column(c).total_uncompressed_size
                           for g in range(meta.num_row_groups) for c in range(meta.num_columns)) / 1e6
        p = best_pyarrow(path, runs)
        w = best_worker(path, runs)
        print(f"{name:24} {meta.num_rows:>9} {uncompressed:>14.1f} {p * 1000:>11.1f} {w * 1000:>10.1f} {p / w:>20.2f}x")


if __name__ == "__main__":
    main()
