#!/usr/bin/env python3
"""End-to-end ingestion benchmark: `ingest-worker run` (release build) on an S3-data-lake task,
from local files and from moto S3, with all cores and with one, against pyarrow's decode-only
time of the same files; and an input ten times larger, to show that peak memory follows the
segment size and the channel capacities, not the input.

    swift build -c release --product ingest-worker
    python3 Benchmarks/engine_e2e.py [--runs N]            # local files
    Tests/Fixtures/s3/with_s3.sh python3 Benchmarks/engine_e2e.py   # and from moto S3

Data (Benchmarks/Data/engine-*, not committed): files of 250,000 rows each, one row group of
125,000 rows per half — id int64 (sequential), ts timestamp[ms] (increasing), city string
(50 values), user string (~200k distinct per file), amount double (5% null), quantity int32
(1..20); snappy. `small`: 4 files (1M rows); `large`: 40 files (10M rows). Segments of 500,000
rows (the default 64 MiB of decoded bytes in flight), and the 10x input again with 32 MiB in
flight and with 2M-row segments. Every figure is a whole process: wall clock, user+system CPU and peak RSS from wait4();
the best of N runs (default 3).
"""
import json
import os
import sys

# Imported first: it starts the launcher before anything large is loaded.
import process_launcher  # noqa: E402
import argparse  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "Data")
# LAKEINGEST_WORKER runs another build of the worker (an A/B against an earlier commit).
WORKER = os.environ.get("LAKEINGEST_WORKER") or os.path.join(HERE, "..", ".build", "release", "ingest-worker")
ROWS = 250_000


def make(name, files):
    folder = os.path.join(DATA, "engine-" + name)
    marker = os.path.join(folder, ".complete-%d" % files)
    if os.path.exists(marker):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    cities = np.array([f"city-{i:02d}" for i in range(50)], dtype=object)
    for f in range(files):
        rng = np.random.default_rng(1000 + f)
        start = f * ROWS
        users = np.char.add("user-", rng.integers(0, 200_000, ROWS).astype(str))
        amount = rng.random(ROWS) * 1000
        table = pa.table({
            "id": pa.array(np.arange(start, start + ROWS, dtype=np.int64)),
            "ts": pa.array(1_760_000_000_000 + np.arange(start, start + ROWS, dtype=np.int64) * 37, pa.timestamp("ms", tz="UTC")),
            "city": pa.array(cities[rng.integers(0, 50, ROWS)], pa.string()),
            "user": pa.array(users, pa.string()),
            "amount": pa.array(amount, pa.float64(), mask=rng.random(ROWS) < 0.05),
            "quantity": pa.array(rng.integers(1, 21, ROWS).astype(np.int32)),
        })
        pq.write_table(table, os.path.join(folder, f"part-{f:03d}.parquet"), row_group_size=ROWS // 2, compression="snappy")
    open(marker, "w").close()
    return folder


def measure(argv):
    """(wall seconds, cpu seconds, peak RSS MiB) of one process run, through the launcher."""
    result = process_launcher.run(argv)
    return result["wall"], result["cpu"], result["rss"]



def task_config(folder, location, storage, cores, work, segment_rows=500_000, budget=None):
    config = {
        "taskName": "bench", "table": "bench",
        "source": {"type": "s3-data-lake", "location": location},
        "schema": {"timeColumn": "ts"},
        "segments": {"maxRowsPerSegment": segment_rows},
        "push": {"outputDir": os.path.join(work, "segments"), "tarCompression": "zstd"},
        "stateDir": os.path.join(work, "state"),
    }
    if storage:
        config["source"]["storage"] = storage
    if cores == 1:
        config["pipeline"] = {"decodeConcurrency": 1, "buildConcurrency": 1, "fetchConcurrency": 2}
    if budget:
        config.setdefault("pipeline", {})["decodedBytesInFlight"] = budget
    path = os.path.join(work, "task.json")
    with open(path, "w") as fp:
        json.dump(config, fp)
    return path


def run_worker(location, storage, cores, runs, **options):
    best = None
    for _ in range(runs):
        work = tempfile.mkdtemp(prefix="lakeingest-bench-")
        try:
            config = task_config(None, location, storage, cores, work, **options)
            argv = [WORKER, "run", "--config", config]
            if cores == 1:
                argv = ["taskset", "-c", "0"] + argv
            result = measure(argv)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        best = result if best is None or result[0] < best[0] else best
    return best


def run_pyarrow(folder, runs):
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".parquet"))
    code = "import pyarrow.parquet as pq, sys\nfor f in sys.argv[1:]: pq.read_table(f, use_threads=False)"
    best = None
    for _ in range(runs):
        result = measure([sys.executable, "-c", code] + files)
        best = result if best is None or result[1] < best[1] else best
    return best


def upload(folder):
    import boto3
    env = os.environ
    bucket = "bench-%d" % os.getpid()
    s3 = boto3.client("s3", endpoint_url=env["LAKEINGEST_S3_ENDPOINT"], region_name="us-east-1",
                      aws_access_key_id=env["LAKEINGEST_S3_ACCESS_KEY"], aws_secret_access_key=env["LAKEINGEST_S3_SECRET_KEY"])
    s3.create_bucket(Bucket=bucket)
    for f in sorted(os.listdir(folder)):
        if f.endswith(".parquet"):
            s3.upload_file(os.path.join(folder, f), bucket, "lake/" + f)
    storage = {"accessKey": env["LAKEINGEST_S3_ACCESS_KEY"], "secretKey": env["LAKEINGEST_S3_SECRET_KEY"], "region": "us-east-1",
               "endpoint": env["LAKEINGEST_S3_ENDPOINT"], "pathStyle": True}
    return f"s3://{bucket}/lake/", storage


def size_mb(folder):
    files = [os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".parquet")]
    compressed = sum(os.path.getsize(f) for f in files)
    uncompressed = sum(pq.ParquetFile(f).metadata.row_group(i).total_byte_size for f in files for i in range(pq.ParquetFile(f).num_row_groups))
    return compressed / 1e6, uncompressed / 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    small, large = make("small", 4), make("large", 40)
    cores = os.cpu_count()
    rows_small, rows_large = 4 * ROWS, 40 * ROWS
    lines = []

    def report(label, rows, mb, result):
        wall, cpu, rss = result
        lines.append(f"| {label} | {rows:,} | {wall:.2f} | {cpu:.2f} | {rows / wall / 1e6:.2f} | {mb / wall:.0f} | {rss:.0f} |")

    small_mb, large_mb = size_mb(small)[1], size_mb(large)[1]
    report(f"local, {cores} cores", rows_small, small_mb, run_worker("file://" + small + "/", None, cores, args.runs))
    report("local, 1 core", rows_small, small_mb, run_worker("file://" + small + "/", None, 1, args.runs))
    report(f"local, 10x input, {cores} cores", rows_large, large_mb, run_worker("file://" + large + "/", None, cores, max(1, args.runs - 1)))
    report("local, 10x input, decodedBytesInFlight 32 MiB", rows_large, large_mb,
           run_worker("file://" + large + "/", None, cores, 1, budget=32 << 20))
    report("local, 10x input, 2M-row segments", rows_large, large_mb,
           run_worker("file://" + large + "/", None, cores, 1, segment_rows=2_000_000))
    if os.environ.get("LAKEINGEST_S3_ENDPOINT"):
        location, storage = upload(small)
        report(f"moto S3, {cores} cores", rows_small, small_mb, run_worker(location, storage, cores, args.runs))
        report("moto S3, 1 core", rows_small, small_mb, run_worker(location, storage, 1, args.runs))
    report("pyarrow read_table(use_threads=False), decode only", rows_small, small_mb, run_pyarrow(small, args.runs))
    report("pyarrow decode only, 10x input", rows_large, large_mb, run_pyarrow(large, 1))
    print(f"input: {rows_small:,} rows, {size_mb(small)[0]:.0f} MB snappy / {small_mb:.0f} MB uncompressed (10x: {size_mb(large)[0]:.0f} MB / {large_mb:.0f} MB)")
    print("| run | rows | wall s | CPU s | M rows/s (wall) | MB/s uncompressed | peak RSS MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
