#!/usr/bin/env python3
"""Does S3's latency slow `run`? The same task from moto, with and without 20 ms before every answer.

    swift build -c release --product ingest-worker
    Tests/Fixtures/s3/with_s3.sh python3 Benchmarks/s3_latency_bench.py [--worker PATH] [--rounds 2]
        [--delay-ms 20] [--shapes large,small] [--pipeline JSON] [--json OUT]

Real S3 answers a ranged GET's first byte in 10–50 ms; moto on loopback in microseconds. This
kernel has no netem, so a delaying TCP proxy of our own (`delay_proxy.py`) sits between the worker
and moto and holds every request `--delay-ms` before passing it on. Both arms go through the
proxy (0 ms and 20 ms), so the proxy's own CPU is in both; they alternate (A B B A …) and the
best of the rounds is kept.

Shapes, from the 10M-row, 8-column benchmark file (Benchmarks/Data/segment-10m.parquet, 266 MB,
snappy, written by `Benchmarks/make_files.py`):
  large  two copies of the file (20M rows), as batch writers leave a table;
  small  the file split into 400 files of 25,000 rows, as streaming writers (Flink) leave it.
Each is uploaded once per invocation to a fresh moto bucket. The task: `s3-data-lake`, zstd
tarballs, local push. Reported per run: wall, CPU, peak RSS (wait4), rows/s; the proxy's count
of requests (per data file) and of bytes answered (against the files' size); and per shape the
throughput kept under latency (no-delay wall / delayed wall; target at least 0.85).
"""
import os
import sys

# Imported first: it starts the launcher before anything large is loaded.
import process_launcher  # noqa: E402
import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

from delay_proxy import DelayProxy  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "Data")
SOURCE = os.path.join(DATA, "segment-10m.parquet")


def shape_files(shape):
    """The local files of a shape (made once under Benchmarks/Data)."""
    import pyarrow.parquet as pq
    if not os.path.exists(SOURCE):
        raise SystemExit(f"error: {SOURCE} is missing: python3 Benchmarks/make_files.py writes it")
    if shape == "large":
        return [SOURCE, SOURCE]
    folder = os.path.join(DATA, "latency-small-400")
    marker = folder + ".complete"
    if not os.path.exists(marker):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        table = pq.read_table(SOURCE)
        per = -(-table.num_rows // 400)
        for i in range(400):
            pq.write_table(table.slice(i * per, per), os.path.join(folder, f"part-{i:03d}.parquet"), compression="snappy")
        open(marker, "w").close()
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".parquet"))


def upload(files, shape):
    import boto3
    env = os.environ
    bucket = f"latency-{shape}-{os.getpid()}"
    s3 = boto3.client("s3", endpoint_url=env["LAKEINGEST_S3_ENDPOINT"], region_name="us-east-1",
                      aws_access_key_id=env["LAKEINGEST_S3_ACCESS_KEY"], aws_secret_access_key=env["LAKEINGEST_S3_SECRET_KEY"])
    s3.create_bucket(Bucket=bucket)
    for i, path in enumerate(files):
        s3.upload_file(path, bucket, f"lake/{i:03d}-{os.path.basename(path)}")
    return bucket


def task(work, bucket, endpoint, pipeline):
    env = os.environ
    config = {"taskName": "latency", "table": "latency",
              "source": {"type": "s3-data-lake", "location": f"s3://{bucket}/lake/",
                         "storage": {"accessKey": env["LAKEINGEST_S3_ACCESS_KEY"], "secretKey": env["LAKEINGEST_S3_SECRET_KEY"],
                                     "region": "us-east-1", "endpoint": endpoint, "pathStyle": True}},
              "schema": {"timeColumn": None},
              "push": {"outputDir": os.path.join(work, "segments"), "tarCompression": "zstd"},
              "stateDir": os.path.join(work, "state")}
    if pipeline:
        config["pipeline"] = pipeline
    path = os.path.join(work, "task.json")
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", default=os.environ.get("LAKEINGEST_WORKER") or os.path.join(HERE, "..", ".build", "release", "ingest-worker"))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--delay-ms", type=float, default=20.0)
    parser.add_argument("--shapes", default="large,small")
    parser.add_argument("--pipeline", type=json.loads, default=None, help='the task\'s "pipeline" options as JSON')
    parser.add_argument("--target", type=float, default=0.85)
    parser.add_argument("--json")
    args = parser.parse_args()
    if not os.environ.get("LAKEINGEST_S3_ENDPOINT"):
        raise SystemExit("error: run under Tests/Fixtures/s3/with_s3.sh (moto)")
    worker = os.path.abspath(args.worker)
    import pyarrow.parquet as pq
    endpoint = os.environ["LAKEINGEST_S3_ENDPOINT"]
    host, port = endpoint.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    proxy = DelayProxy(host, int(port))
    proxied = f"http://{proxy.address[0]}:{proxy.address[1]}"
    print(f"worker {worker}\nmoto {endpoint}, through the proxy at {proxied}; delay {args.delay_ms:g} ms\n", flush=True)
    results = {}
    for shape in args.shapes.split(","):
        files = shape_files(shape)
        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        size = sum(os.path.getsize(f) for f in files)
        bucket = upload(files, shape)
        runs = []
        for r in range(args.rounds):
            for delay in ((0.0, args.delay_ms) if r % 2 == 0 else (args.delay_ms, 0.0)):
                work = tempfile.mkdtemp(prefix="lakeingest-latency-")
                try:
                    config = task(work, bucket, proxied, args.pipeline)
                    proxy.reset(delay)
                    result = process_launcher.run([worker, "run", "--config", config])
                    requests, answered = proxy.counts()
                    with open(os.path.join(work, "state", "status.json")) as f:
                        status = json.load(f)
                finally:
                    shutil.rmtree(work, ignore_errors=True)
                if status.get("state") != "COMPLETED" or status.get("rowsIngested") != rows:
                    raise SystemExit(f"error: {shape} with {delay} ms: {status.get('state')} {status.get('rowsIngested')} of {rows} rows")
                run = {"delay_ms": delay, "wall_s": result["wall"], "cpu_s": result["cpu"], "rss_mib": result["rss"],
                       "requests": requests, "bytes_answered": answered}
                runs.append(run)
                print(f"{shape:5} {delay:4.0f} ms: wall {run['wall_s']:6.2f} s, CPU {run['cpu_s']:6.2f} s, peak RSS {run['rss_mib']:5.0f} MiB, "
                      f"{rows / run['wall_s'] / 1e6:5.2f}M rows/s; {requests} requests ({requests / len(files):.1f} per file), "
                      f"{answered / size:.3f}× the files' bytes answered", flush=True)
        best = {d: min(r["wall_s"] for r in runs if r["delay_ms"] == d) for d in (0.0, args.delay_ms)}
        kept = best[0.0] / best[args.delay_ms]
        results[shape] = {"files": len(files), "rows": rows, "bytes": size, "runs": runs, "kept": kept}
        print(f"{shape}: {len(files)} files, {rows:,} rows; best wall {best[0.0]:.2f} s without delay, {best[args.delay_ms]:.2f} s "
              f"with {args.delay_ms:g} ms: throughput kept {kept:.2f} (target >= {args.target:g})\n", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"worker": worker, "delay_ms": args.delay_ms, "results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
