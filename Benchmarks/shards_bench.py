#!/usr/bin/env python3
"""Shards benchmark: one S3-data-lake task run as N shards (`ingest-worker run --shards N
--shard I`) on this machine, each shard pinned to a core of its own, against the same task run
whole; what keeping the state on S3 costs per step; and the shard count a 10 TB first load needs.

    swift build -c release --product ingest-worker --scratch-path .build-bench
    python3 Benchmarks/shards_bench.py [--rounds N] [--files F] [--rows-per-file R] [--json OUT]
    Tests/Fixtures/s3/with_s3.sh python3 Benchmarks/shards_bench.py      # moto from the suite's script
    python3 Benchmarks/shards_bench.py --skip-s3                          # part 1 and 3 only

--worker defaults to .build-bench/release/ingest-worker. Without
LAKEINGEST_S3_ENDPOINT (with_s3.sh sets it) and without --skip-s3 the script starts
Tests/Fixtures/s3/moto_server.py itself, with --verbose so that its log names every request. Under
with_s3.sh, request counts need `LAKEINGEST_S3_VERBOSE=1 LAKEINGEST_S3_MOTO_LOG=FILE` on that
command line; without them the state bucket's objects are still counted. Small inputs need a
smaller --max-rows-per-segment to give the shards groups to share (a check of the script with a
debug build: `--worker .build/debug/ingest-worker --files 8 --rows-per-file 20000
--max-rows-per-segment 40000`, 4 groups). Every run also reports the share of the machine's CPU
time other processes took meanwhile (/proc/stat less the measured processes); above 5% the
figures are marked disturbed.

Input (Benchmarks/Data/shards-<F>x<R>/, not committed; made once, then reused): F Parquet files
of R rows (default 40 x 250,000 = 10M rows), pyarrow, snappy, two row groups per file: id int64
(sequential), ts timestamp[ms] (increasing), city string (50 values), user string (~200k
distinct per file), amount double (5% null), quantity int32 (1..20), the column mix of
engine_e2e.py. The task: `s3-data-lake` at a `file://` location, `maxRowsPerSegment` 1,000,000
(10 groups of 4 files for the default input, so 2 shards get 5 each), zstd tarballs, local push
(`push.outputDir`), `stateDir` a fresh local folder for every run.

1. Rows/s of the whole first load, in turn each round (A B C D, A B C D ...):
   - unsharded, not pinned (`run --config X`, the pipeline sized by the worker);
   - unsharded, pinned to one core (`taskset -c 0`);
   - 1 shard (`--shards 1 --shard 0`, `taskset -c 0`);
   - 2 shards (`--shards 2 --shard 0|1`, `taskset -c 0` and `taskset -c 1`), started together.
   A pinned process gets the core budget deploy/spark's launcher gives a one-core shard
   (`pipeline`: decodeConcurrency 1, buildConcurrency 1, fetchConcurrency 4; --no-core-budget
   leaves the pipeline to the worker). Wall is from the first process's start to the last one's
   exit; CPU is user+system and peak RSS ru_maxrss, per process, from wait4(). Min and median of
   --rounds (default 2). Each run is checked: every process exits 0, the checkpoint is one step,
   the ledger's segments hold every row and the output folder holds their tarballs.
2. The state on S3 (moto): the 2-shard first load with `stateDir: s3://BUCKET/state-.../` (the
   source stays local; `source.storage` carries moto's endpoint and keys), and a tiny step — one
   1,000-row file added to the already-ingested lake — with the state local and on S3, in turn
   each round; the wall-time difference is the state's cost per step. After each run the state
   prefix is listed (objects and bytes, and what the step added); when moto's log is readable
   the requests on the state bucket during the run are counted by kind (GET, PUT, LIST, DELETE,
   HEAD) with the 404s (absent objects) and 412s (lost conditional writes) among them. moto runs
   on the same 2 cores as the shards.
3. The shard count for a 10 TB first load within one hour, from the per-core rate (the 1-shard
   run pinned to one core, median): 25 bytes of Parquet per row assumed (10^13 bytes, 4x10^11
   rows), shards = ceil(rows / (rate x 3600)); linear scaling and no source or push limits
   assumed.
"""
import os
import subprocess
import sys

# The launcher is started before numpy and pyarrow are loaded: ru_maxrss survives fork and exec,
# so a process forked from this script would report at least the script's size.
LAUNCHER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    jobs = json.loads(line)
    pending, popens, results = {}, [], [None] * len(jobs)
    start = time.perf_counter()
    for i, job in enumerate(jobs):
        env = dict(os.environ)
        env.update(job.get("env") or {})
        with open(job["stderr"], "wb") as err:
            p = subprocess.Popen(job["argv"], stdout=subprocess.DEVNULL, stderr=err, env=env)
        popens.append(p)
        pending[p.pid] = (i, p, time.perf_counter() - start)
    while pending:
        pid, status, usage = os.wait4(-1, 0)
        if pid not in pending:
            continue
        i, p, started = pending.pop(pid)
        ended = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        results[i] = {"started": started, "ended": ended, "wall": ended - started,
                      "user": usage.ru_utime, "sys": usage.ru_stime, "cpu": usage.ru_utime + usage.ru_stime,
                      "rss": usage.ru_maxrss / 1024, "code": p.returncode}
    print(json.dumps({"wall": max(r["ended"] for r in results), "procs": results}), flush=True)
"""
_launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
from collections import Counter  # noqa: E402

import pyarrow.parquet as pq  # noqa: E402

from event_table import event_table  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "Data")
MOTO = os.path.join(ROOT, "Tests", "Fixtures", "s3", "moto_server.py")
TINY_ROWS = 1_000
TARGET_BYTES = 10 * 10**12  # 10 TB (decimal)
BYTES_PER_ROW = 25          # assumed Parquet bytes per row for the sizing
TARGET_SECONDS = 3600
ONE_CORE_PIPELINE = {"decodeConcurrency": 1, "buildConcurrency": 1, "fetchConcurrency": 4}


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class RunFailed(Exception):
    pass


# ---------------------------------------------------------------- processes

def machine_cpu():
    """(busy, steal) CPU seconds of the whole machine so far, from /proc/stat."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    # user nice system idle iowait irq softirq steal ...
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6]
    return busy / tick, (fields[7] if len(fields) > 7 else 0) / tick


def launch(jobs):
    """Starts every job ({argv, env, stderr}) at once; {wall: first start to last exit, procs,
    otherCpu: CPU seconds the rest of the machine used meanwhile, steal: the hypervisor's}."""
    busy0, steal0 = machine_cpu()
    _launcher.stdin.write(json.dumps(jobs) + "\n")
    _launcher.stdin.flush()
    result = json.loads(_launcher.stdout.readline())
    busy1, steal1 = machine_cpu()
    result["otherCpu"] = max(0.0, busy1 - busy0 - sum(p["cpu"] for p in result["procs"]))
    result["steal"] = steal1 - steal0
    return result


def tail(path, lines=15):
    try:
        with open(path, errors="replace") as fh:
            return "".join(fh.readlines()[-lines:])
    except OSError:
        return ""


# ---------------------------------------------------------------- input

def write_file(path, index, rows, start):
    pq.write_table(event_table(rows, start, seed=3000 + index), path, compression="snappy", row_group_size=max(1, rows // 2))


def make_input(files, rows_per_file):
    folder = os.path.join(DATA, f"shards-{files}x{rows_per_file}")
    marker = os.path.join(folder, ".complete")
    if os.path.exists(marker):
        log(f"input cached in {folder}")
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    t0 = time.perf_counter()
    for f in range(files):
        write_file(os.path.join(folder, f"part-{f:04d}.parquet"), f, rows_per_file, f * rows_per_file)
    open(marker, "w").close()
    log(f"wrote {files} files of {rows_per_file:,} rows in {time.perf_counter() - t0:.1f}s -> {folder}")
    return folder


def parquet_files(folder):
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".parquet"))


def warm(folder):
    """Reads the input once, so that no configuration pays for a cold page cache."""
    for path in parquet_files(folder):
        with open(path, "rb") as fh:
            while fh.read(8 << 20):
                pass


def link_lake(src, dst):
    """dst: the input's files, hard-linked (copied where links fail)."""
    os.makedirs(dst)
    for path in parquet_files(src):
        target = os.path.join(dst, os.path.basename(path))
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)


# ---------------------------------------------------------------- tasks and state

def task_config(path, lake, state_dir, out_dir, segment_rows, one_core, storage=None):
    config = {
        "taskName": "shards-bench", "table": "shardsbench",
        "source": {"type": "s3-data-lake", "location": "file://" + lake.rstrip("/") + "/"},
        "schema": {"timeColumn": "ts"},
        "segments": {"maxRowsPerSegment": segment_rows},
        "push": {"outputDir": out_dir, "tarCompression": "zstd"},
        "stateDir": state_dir,
    }
    if storage:
        config["source"]["storage"] = storage
    if one_core:
        config["pipeline"] = dict(ONE_CORE_PIPELINE)
    with open(path, "w") as fp:
        json.dump(config, fp, indent=1)
    return path


class LocalState:
    def __init__(self, folder):
        self.folder = folder

    def objects(self):
        """{name: bytes} of the state, without the workers' scratch and the flock file."""
        found = {}
        for dirpath, dirnames, filenames in os.walk(self.folder):
            rel = os.path.relpath(dirpath, self.folder)
            if rel == ".":
                dirnames[:] = [d for d in dirnames if not d.startswith("work")]
            for f in filenames:
                name = f if rel == "." else os.path.join(rel, f)
                if name != ".state-lock":
                    found[name] = os.path.getsize(os.path.join(dirpath, f))
        return found

    def read(self, name):
        try:
            with open(os.path.join(self.folder, name), "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            return None


class S3State:
    def __init__(self, s3, bucket, prefix):
        self.s3, self.bucket, self.prefix = s3, bucket, prefix

    def objects(self):
        found = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            for o in page.get("Contents", []):
                found[o["Key"][len(self.prefix):]] = o["Size"]
        return found

    def read(self, name):
        try:
            return self.s3.get_object(Bucket=self.bucket, Key=self.prefix + name)["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None


def verify(state, out_dir, rows, steps):
    """The checkpoint has `steps` steps, the ledger's segments hold `rows` rows, and the output
    folder holds a tarball per segment; returns the state's {name: bytes}."""
    objects = state.objects()
    checkpoint = state.read("checkpoint.json")
    if checkpoint is None:
        raise RunFailed("no checkpoint.json: the step did not complete")
    got_steps = json.loads(checkpoint).get("steps")
    if got_steps != steps:
        raise RunFailed(f"checkpoint has {got_steps} steps, expected {steps}")
    segments = [n for n in objects if n.startswith("ledger/") and os.path.basename(n).startswith("seg-")]
    ledger_rows = sum(json.loads(state.read(n))["rows"] for n in segments)
    if ledger_rows != rows:
        raise RunFailed(f"the ledger's {len(segments)} segments hold {ledger_rows:,} rows, expected {rows:,}")
    tarballs = [f for f in os.listdir(out_dir) if f.endswith((".tar.zst", ".tar.gz"))]
    if len(tarballs) != len(segments):
        raise RunFailed(f"{len(tarballs)} tarballs in {out_dir}, {len(segments)} segments in the ledger")
    return objects


# ---------------------------------------------------------------- one measured run

def cores():
    return sorted(os.sched_getaffinity(0))


def run_task(worker, config, shards, pinned, work):
    """One run of the task: unsharded (shards None) or N shard processes started together,
    pinned to cores 0..N-1 when `pinned`. Raises RunFailed naming a failing process."""
    cpus = cores()
    jobs = []
    for i in range(shards or 1):
        argv = [worker, "run", "--config", config]
        if shards is not None:
            argv += ["--shards", str(shards), "--shard", str(i)]
        if pinned:
            argv = ["taskset", "-c", str(cpus[i % len(cpus)])] + argv
        jobs.append({"argv": argv, "stderr": os.path.join(work, f"stderr-{i}.log")})
    result = launch(jobs)
    for i, p in enumerate(result["procs"]):
        if p["code"] != 0:
            raise RunFailed(f"{' '.join(jobs[i]['argv'])} exited {p['code']}:\n{tail(jobs[i]['stderr'])}")
    return result


# ---------------------------------------------------------------- moto S3

class S3:
    """The moto endpoint: the one with_s3.sh exported, or one started here."""

    def __init__(self, work):
        import boto3
        self.server = None
        env = os.environ
        if env.get("LAKEINGEST_S3_ENDPOINT"):
            self.endpoint = env["LAKEINGEST_S3_ENDPOINT"]
            self.access, self.secret = env["LAKEINGEST_S3_ACCESS_KEY"], env["LAKEINGEST_S3_SECRET_KEY"]
            self.log = env.get("LAKEINGEST_S3_MOTO_LOG")
            self.origin = "with_s3.sh"
        else:
            state = os.path.join(work, "moto-state.json")
            self.log = os.path.join(work, "moto.log")
            with open(self.log, "wb") as out:
                self.server = subprocess.Popen([sys.executable, MOTO, "--state-file", state, "--verbose"],
                                               stdout=out, stderr=subprocess.STDOUT)
            deadline = time.time() + 30
            while not (os.path.exists(state) and os.path.getsize(state) > 0):
                if self.server.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise SystemExit(f"moto_server.py did not start:\n{tail(self.log)}")
                time.sleep(0.1)
            time.sleep(0.1)
            with open(state) as fh:
                s = json.load(fh)
            self.endpoint, self.access, self.secret = s["endpoint"], s["accessKeyId"], s["secretAccessKey"]
            self.origin = "moto_server.py started by this script"
        self.client = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                                   aws_access_key_id=self.access, aws_secret_access_key=self.secret)
        self.bucket = f"lakeingest-shards-bench-{os.getpid()}"
        for attempt in range(20):
            try:
                self.client.create_bucket(Bucket=self.bucket)
                break
            except Exception:
                if attempt == 19:
                    raise
                time.sleep(0.25)
        self.storage = {"accessKey": self.access, "secretKey": self.secret, "region": "us-east-1",
                        "endpoint": self.endpoint, "pathStyle": True}

    def stop(self):
        if self.server and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()

    def log_offset(self):
        if not self.log or not os.path.exists(self.log):
            return None
        time.sleep(0.3)  # the server logs a request after answering it
        return os.path.getsize(self.log)

    LINE = re.compile(r'"(GET|PUT|POST|DELETE|HEAD) (\S+) HTTP/[\d.]+" (\d{3})')
    ANSI = re.compile(r"\x1b\[[0-9;]*m")

    def requests(self, start, end):
        """Requests on the bucket logged between two offsets: {kind: n, "404": n, "412": n,
        "total": n, "byFolder": {state folder: n}}; None when there is no log or it names no
        requests (not verbose). The state prefix is one level (`state-.../`)."""
        if start is None or end is None:
            return None
        with open(self.log, "rb") as fh:
            fh.seek(start)
            text = self.ANSI.sub("", fh.read(end - start).decode(errors="replace"))
        counts, folders = Counter(), Counter()
        seen = 0
        for line in text.splitlines():
            m = self.LINE.search(line)
            if not m:
                continue
            seen += 1
            method, target, status = m.groups()
            path, _, query = target.partition("?")
            if path.rstrip("/") != "/" + self.bucket and not path.startswith(f"/{self.bucket}/"):
                continue
            kind = method
            if method == "GET" and path.rstrip("/") == "/" + self.bucket:
                kind = "LIST"
            elif method == "POST" and "delete" in query:
                kind = "DELETE"
            counts[kind] += 1
            counts["total"] += 1
            if kind == "LIST":
                m = re.search(r"(?:^|&)prefix=([^&]*)", query)
                key = urllib.parse.unquote(m.group(1)) if m else ""
            else:
                key = urllib.parse.unquote(path[len(self.bucket) + 2:])
            parts = key.split("/")
            folders[(parts[1] if len(parts) > 2 else parts[-1] if len(parts) == 2 else key) or "(prefix)"] += 1
            if status in ("404", "412"):
                counts[status] += 1
        if not seen:
            return None
        result = dict(counts)
        result["byFolder"] = dict(folders.most_common())
        return result


# ---------------------------------------------------------------- part 1

def part1(args, worker, lake, rows, work):
    kinds = [
        ("unsharded", "unsharded, not pinned", None, False),
        ("unsharded-pinned", "unsharded, pinned to 1 core", None, True),
        ("1-shard", "1 shard, pinned to 1 core", 1, True),
        ("2-shards", "2 shards, 1 core each", 2, True),
    ]
    runs = {k: [] for k, *_ in kinds}
    errors = {}
    for r in range(args.rounds):
        for key, label, shards, pinned in kinds:
            if key in errors:
                continue
            folder = os.path.join(work, f"p1-{key}-{r}")
            os.makedirs(folder)
            state, out = os.path.join(folder, "state"), os.path.join(folder, "out")
            config = task_config(os.path.join(folder, "task.json"), lake, state, out, args.max_rows_per_segment,
                                 pinned and not args.no_core_budget)
            try:
                result = run_task(worker, config, shards, pinned, folder)
                verify(LocalState(state), out, rows, 1)
            except RunFailed as e:
                log(f"{label}: FAILED: {e}")
                errors[key] = str(e)
                continue
            result["rows"] = rows
            runs[key].append(result)
            log(f"round {r + 1}: {label}: {result['wall']:.2f}s wall, {sum(p['cpu'] for p in result['procs']):.2f}s CPU, "
                f"{rows / result['wall']:,.0f} rows/s")
            shutil.rmtree(folder, ignore_errors=True)
    return kinds, runs, errors


def summary(results, rows):
    walls = [r["wall"] for r in results]
    cpus = [sum(p["cpu"] for p in r["procs"]) for r in results]
    n = len(results[0]["procs"])
    return {
        "rounds": len(results), "walls": walls, "wallMin": min(walls), "wallMedian": statistics.median(walls),
        "rowsPerSecondBest": rows / min(walls), "rowsPerSecondMedian": rows / statistics.median(walls),
        "cpuMedian": statistics.median(cpus),
        "peakRssMiB": [max(r["procs"][i]["rss"] for r in results) for i in range(n)],
        "startSpreadMax": max(max(p["started"] for p in r["procs"]) for r in results),
        "otherCpuShareMax": max(other_share(r) for r in results),
    }


def other_share(result):
    """The share of the machine's CPU time that other processes used during a run."""
    return result["otherCpu"] / (result["wall"] * os.cpu_count())


# ---------------------------------------------------------------- part 2

def part2(args, worker, source, rows, work, s3):
    """2-shard first loads with the state on S3, then tiny steps with the state local and on S3."""
    lake = os.path.join(work, "tiny-lake")
    link_lake(source, lake)
    one_core = not args.no_core_budget
    out = {"full": [], "tinyLocal": [], "tinyS3": [], "errors": {}}

    def s3_run(name, state_prefix, out_dir, expected_rows, steps, before):
        config = task_config(os.path.join(work, f"{name}.json"), lake, f"s3://{s3.bucket}/{state_prefix}", out_dir,
                             args.max_rows_per_segment, one_core, s3.storage)
        folder = os.path.join(work, name)
        os.makedirs(folder, exist_ok=True)
        start = s3.log_offset()
        result = run_task(worker, config, 2, True, folder)
        end = s3.log_offset()
        result["requests"] = s3.requests(start, end)
        objects = verify(S3State(s3.client, s3.bucket, state_prefix), out_dir, expected_rows, steps)
        result.update(state_growth(before, objects))
        return result, objects

    # (a) first loads, fresh prefix each; the last one's state is the S3 base for the tiny steps
    s3_objects, s3_prefix, s3_out = None, None, None
    for r in range(args.rounds):
        s3_prefix, s3_out = f"state-full-{r}/", os.path.join(work, f"s3-full-{r}-out")
        try:
            result, s3_objects = s3_run(f"s3-full-{r}", s3_prefix, s3_out, rows, 1, {})
        except RunFailed as e:
            log(f"2 shards, S3 state: FAILED: {e}")
            out["errors"]["full"] = str(e)
            return out
        out["full"].append(result)
        log(f"round {r + 1}: 2 shards, S3 state, first load: {result['wall']:.2f}s, {rows / result['wall']:,.0f} rows/s, "
            f"{result['objects']} state objects, requests {fmt_requests(result['requests'])}")
        if r != args.rounds - 1:
            shutil.rmtree(s3_out, ignore_errors=True)

    # the local base: the same lake, a 2-shard first load into a local state
    local_state, local_out = os.path.join(work, "tiny-local-state"), os.path.join(work, "tiny-local-out")
    local_config = task_config(os.path.join(work, "tiny-local.json"), lake, local_state, local_out,
                               args.max_rows_per_segment, one_core)
    try:
        os.makedirs(os.path.join(work, "tiny-local"))
        run_task(worker, local_config, 2, True, os.path.join(work, "tiny-local"))
        local_objects = verify(LocalState(local_state), local_out, rows, 1)
    except RunFailed as e:
        log(f"local base for the tiny steps: FAILED: {e}")
        out["errors"]["tinyLocal"] = str(e)
        return out
    out["baseObjects"] = {"s3": len(s3_objects), "s3Bytes": sum(s3_objects.values()),
                          "local": len(local_objects), "localBytes": sum(local_objects.values())}

    # (b) a tiny step per round, in turn (local first on even rounds, S3 first on odd ones)
    for r in range(args.rounds):
        write_file(os.path.join(lake, f"extra-{r:04d}.parquet"), 100_000 + r, TINY_ROWS, rows + r * TINY_ROWS)
        expected, steps = rows + (r + 1) * TINY_ROWS, r + 2
        order = ["local", "s3"] if r % 2 == 0 else ["s3", "local"]
        for kind in order:
            try:
                if kind == "local":
                    folder = os.path.join(work, f"tiny-local-{r}")
                    os.makedirs(folder)
                    result = run_task(worker, local_config, 2, True, folder)
                    objects = verify(LocalState(local_state), local_out, expected, steps)
                    result.update(state_growth(local_objects, objects))
                    local_objects = objects
                    out["tinyLocal"].append(result)
                else:
                    result, s3_objects = s3_run(f"tiny-s3-{r}", s3_prefix, s3_out, expected, steps, s3_objects)
                    out["tinyS3"].append(result)
            except RunFailed as e:
                log(f"tiny step, {kind} state: FAILED: {e}")
                out["errors"]["tiny-" + kind] = str(e)
                return out
            log(f"round {r + 1}: tiny step, {kind} state: {result['wall']:.3f}s; the step added {result['objectsAdded']} objects "
                f"({result['bytesAdded']:,} bytes)" + (f"; requests {fmt_requests(result.get('requests'))}" if kind == "s3" else ""))
    return out


def state_growth(before, after):
    return {"objects": len(after), "bytes": sum(after.values()),
            "objectsAdded": len(set(after) - set(before)),
            "bytesAdded": sum(after.values()) - sum(before.values()),
            "byFolder": dict(Counter(n.split("/")[0] if "/" in n else "(top)" for n in after))}


def fmt_requests(req):
    if not req:
        return "n/a"
    parts = [f"{k} {req[k]}" for k in ("GET", "PUT", "LIST", "DELETE", "HEAD", "POST") if req.get(k)]
    extra = [f"{req[k]}x{k}" for k in ("404", "412") if req.get(k)]
    return f"{req.get('total', 0)}: " + ", ".join(parts) + (f" (incl. {', '.join(extra)})" if extra else "")


# ---------------------------------------------------------------- output

def md_table(head, rows):
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(["---"] + ["---:"] * (len(head) - 1)) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", default=".build-bench/release/ingest-worker")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--rows-per-file", type=int, default=250_000)
    parser.add_argument("--max-rows-per-segment", type=int, default=1_000_000,
                        help="segments.maxRowsPerSegment (default 1,000,000; smaller for small inputs, so there are groups to balance)")
    parser.add_argument("--no-core-budget", action="store_true",
                        help="leave a pinned process's pipeline to the worker instead of the one-core budget")
    parser.add_argument("--skip-s3", action="store_true", help="skip part 2 (the state on moto S3)")
    parser.add_argument("--json", help="write the results here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    worker = os.path.abspath(args.worker)
    if not os.access(worker, os.X_OK):
        sys.exit(f"no worker at {worker}")
    if shutil.which("taskset") is None:
        sys.exit("taskset is needed (util-linux)")
    cpus = cores()
    if len(cpus) < 2:
        sys.exit(f"2 shards on a core each need 2 cores; this process may use {cpus}")
    if args.rounds < 1 or args.files < 1 or args.rows_per_file < 1:
        sys.exit("--rounds, --files and --rows-per-file must be at least 1")
    debug = "/debug/" in worker
    rows = args.files * args.rows_per_file

    lake = make_input(args.files, args.rows_per_file)
    files = parquet_files(lake)
    parquet_bytes = sum(os.path.getsize(f) for f in files)
    per_file = [pq.ParquetFile(f).metadata.num_rows for f in files]
    groups, acc = 0, None
    for n in per_file:  # the planner's grouping: consecutive files while they fit
        if acc is None or acc + n > args.max_rows_per_segment:
            groups, acc = groups + 1, n
        else:
            acc += n
    warm(lake)
    work = tempfile.mkdtemp(prefix="lakeingest-shards-bench-")
    log(f"work folder {work}; worker {worker}{' (DEBUG build: figures are not representative)' if debug else ''}")

    with open("/proc/loadavg") as fh:
        load = " ".join(fh.read().split()[:3])
    report = {"loadAverage": load, "worker": worker, "debugBuild": debug, "cores": os.cpu_count(), "affinity": cpus, "rounds": args.rounds,
              "coreBudget": None if args.no_core_budget else ONE_CORE_PIPELINE,
              "input": {"folder": lake, "files": args.files, "rowsPerFile": args.rows_per_file, "rows": rows,
                        "parquetBytes": parquet_bytes, "bytesPerRow": parquet_bytes / rows,
                        "maxRowsPerSegment": args.max_rows_per_segment, "groups": groups}}
    failed = False
    s3 = None
    try:
        # ---- part 1
        kinds, runs, errors = part1(args, worker, lake, rows, work)
        failed |= bool(errors)
        report["part1"] = {"runs": runs, "errors": errors,
                           "summary": {k: summary(v, rows) for k, v in runs.items() if v}}
        sums = report["part1"]["summary"]

        # ---- part 2
        if not args.skip_s3:
            try:
                s3 = S3(work)
            except Exception as e:  # noqa: BLE001 (boto3/moto missing or not answering)
                log(f"S3 part skipped: {e}")
                report["part2"] = {"error": str(e)}
                failed = True
            if s3 is not None:
                p2 = part2(args, worker, lake, rows, work, s3)
                p2["endpoint"], p2["origin"], p2["bucket"] = s3.endpoint, s3.origin, s3.bucket
                p2["requestLog"] = s3.log
                report["part2"] = p2
                failed |= bool(p2["errors"])
    finally:
        if s3 is not None:
            s3.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")

    # ---- print
    print()
    print(f"# Shards benchmark{' — DEBUG worker, figures not representative' if debug else ''}")
    print()
    print(f"worker `{worker}`; {os.cpu_count()} cores; input {args.files} files x {args.rows_per_file:,} rows = {rows:,} rows, "
          f"{parquet_bytes / 1e6:.1f} MB Parquet ({parquet_bytes / rows:.1f} B/row); maxRowsPerSegment {args.max_rows_per_segment:,} "
          f"({groups} groups); {args.rounds} rounds; pinned processes: "
          + ("pipeline " + json.dumps(ONE_CORE_PIPELINE) if not args.no_core_budget else "pipeline as the worker sizes it"))
    print()
    print("## 1. One task: unsharded and as shards (local state, local push)")
    print()
    head = ["run", "processes", "wall s min / median", "rows/s (median wall)", "rows/s (min wall)", "CPU s (median, all processes)",
            "peak RSS MiB per process", "others' CPU share (max)"]
    rows_out = []
    for key, label, shards, pinned in kinds:
        if key in errors and not runs[key]:
            rows_out.append([label, "", "FAILED", "", "", "", "", ""])
            continue
        s = sums[key]
        rows_out.append([label, shards or 1, f"{s['wallMin']:.2f} / {s['wallMedian']:.2f}", f"{s['rowsPerSecondMedian']:,.0f}",
                         f"{s['rowsPerSecondBest']:,.0f}", f"{s['cpuMedian']:.2f}", " / ".join(f"{x:.0f}" for x in s["peakRssMiB"]),
                         f"{s['otherCpuShareMax'] * 100:.0f}%"])
    print(md_table(head, rows_out))
    speedups = {}
    if "2-shards" in sums:
        print()
        two = sums["2-shards"]
        lines = []
        for key, label in [("1-shard", "2 shards over 1 shard"), ("unsharded", "2 shards over unsharded (not pinned)"),
                           ("unsharded-pinned", "2 shards over unsharded pinned to 1 core")]:
            if key in sums:
                med, best = sums[key]["wallMedian"] / two["wallMedian"], sums[key]["wallMin"] / two["wallMin"]
                speedups[key] = {"median": med, "min": best}
                lines.append([label, f"{med:.2f}x", f"{best:.2f}x"])
        if "1-shard" in sums and "unsharded-pinned" in sums:
            ratio = sums["1-shard"]["wallMedian"] / sums["unsharded-pinned"]["wallMedian"]
            speedups["1-shard-vs-unsharded-pinned-wall"] = ratio
            lines.append(["1 shard's wall / unsharded pinned (the shard protocol's cost)", f"{ratio:.2f}", ""])
        print(md_table(["speedup (wall ratio)", "by median", "by min"], lines))
        print()
        print(f"2 shards: the second process started at most {two['startSpreadMax'] * 1000:.1f} ms after the first.")
    report["part1"]["speedups"] = speedups
    disturbed = max([s["otherCpuShareMax"] for s in sums.values()] or [0])
    if disturbed > 0.05:
        print()
        print(f"**Warning**: other processes used up to {disturbed * 100:.0f}% of the machine's CPU time during a run "
              f"(load average {report['loadAverage']} at the start): the figures are disturbed; rerun on an idle machine.")

    p2 = report.get("part2")
    if p2 and "full" in p2:
        print()
        print(f"## 2. The state on S3 (moto at {p2['endpoint']}, {p2['origin']}; 2 shards, 1 core each)")
        print()
        lines = []
        def wall_cells(results, rows_done):
            walls = [r["wall"] for r in results]
            return f"{min(walls):.3f} / {statistics.median(walls):.3f}", f"{rows_done / statistics.median(walls):,.0f}"
        if "2-shards" in sums:
            s = sums["2-shards"]
            lines.append(["first load, local state (part 1)", f"{s['wallMin']:.3f} / {s['wallMedian']:.3f}",
                          f"{s['rowsPerSecondMedian']:,.0f}", "", "", "", f"{s['otherCpuShareMax'] * 100:.0f}%"])
        if p2["full"]:
            w, rate = wall_cells(p2["full"], rows)
            last = p2["full"][-1]
            lines.append(["first load, S3 state", w, rate, fmt_requests(last.get("requests")),
                          f"{last['objects']} / {last['bytes']:,}", f"{last['objectsAdded']} / {last['bytesAdded']:,}",
                          f"{max(other_share(r) for r in p2['full']) * 100:.0f}%"])
        for key, label in [("tinyLocal", "tiny step (+1,000 rows), local state"), ("tinyS3", "tiny step (+1,000 rows), S3 state")]:
            if p2[key]:
                w, rate = wall_cells(p2[key], TINY_ROWS)
                last = p2[key][-1]
                lines.append([label, w, rate, fmt_requests(last.get("requests")) if key == "tinyS3" else "",
                              f"{last['objects']} / {last['bytes']:,}", f"{last['objectsAdded']} / {last['bytesAdded']:,}",
                              f"{max(other_share(r) for r in p2[key]) * 100:.0f}%"])
        print(md_table(["run", "wall s min / median", "rows/s (median)", "requests on the state bucket (last round)",
                        "state objects / bytes after", "objects / bytes the step added", "others' CPU share (max)"], lines))
        if p2["tinyLocal"] and p2["tinyS3"]:
            local_med = statistics.median(r["wall"] for r in p2["tinyLocal"])
            s3_med = statistics.median(r["wall"] for r in p2["tinyS3"])
            local_min = min(r["wall"] for r in p2["tinyLocal"])
            s3_min = min(r["wall"] for r in p2["tinyS3"])
            p2["overheadPerStep"] = {"median": s3_med - local_med, "min": s3_min - local_min}
            print()
            print(f"State on S3, cost per step (tiny step, S3 − local): {s3_med - local_med:+.3f} s by median, "
                  f"{s3_min - local_min:+.3f} s by min.")
            reqs = [r.get("requests") for r in p2["tinyS3"]]
            if all(reqs):
                print("Requests on the state bucket per tiny step: "
                      + "; ".join(f"round {i + 1}: {fmt_requests(q)}" for i, q in enumerate(reqs)) + ".")
                print("By object (last round): " + ", ".join(f"{k} {v}" for k, v in reqs[-1]["byFolder"].items()) + ".")
            else:
                print("Requests: n/a (no moto request log; under with_s3.sh set LAKEINGEST_S3_VERBOSE=1 and "
                      "LAKEINGEST_S3_MOTO_LOG=FILE).")
        if p2["full"] and "2-shards" in sums:
            s3_med = statistics.median(r["wall"] for r in p2["full"])
            p2["overheadFirstLoad"] = s3_med - sums["2-shards"]["wallMedian"]
            print(f"First load, S3 state − local state (median): {p2['overheadFirstLoad']:+.3f} s.")
        if p2["full"]:
            print(f"State objects after the first load by folder: {json.dumps(p2['full'][-1]['byFolder'])}.")
        if p2.get("errors"):
            print("Errors: " + "; ".join(f"{k}: {v.splitlines()[0]}" for k, v in p2["errors"].items()))
    elif args.skip_s3:
        print()
        print("## 2. The state on S3: skipped (--skip-s3)")

    # ---- part 3
    print()
    print("## 3. Shards for a 10 TB first load within one hour")
    print()
    target_rows = TARGET_BYTES // BYTES_PER_ROW
    sizing = {"targetBytes": TARGET_BYTES, "bytesPerRowAssumed": BYTES_PER_ROW, "rows": target_rows, "seconds": TARGET_SECONDS}
    if "1-shard" in sums:
        rate = sums["1-shard"]["rowsPerSecondMedian"]
        shards = math.ceil(target_rows / (rate * TARGET_SECONDS))
        sizing.update({"ratePerShard": rate, "shards": shards})
        print(f"Assumption: 25 bytes of Parquet per row (this input: {parquet_bytes / rows:.1f} B/row), so 10 TB = 10^13 bytes "
              f"= {target_rows:,} rows. Per-core rate: the 1-shard run pinned to one core, median: {rate:,.0f} rows/s.")
        print()
        print(f"shards = ceil({target_rows:,} / ({rate:,.0f} x 3600)) = **{shards:,}**")
        if "2-shards" in sums:
            per = sums["2-shards"]["rowsPerSecondMedian"] / 2
            alt = math.ceil(target_rows / (per * TARGET_SECONDS))
            sizing.update({"ratePerShardFrom2Shards": per, "shardsFrom2Shards": alt})
            print()
            print(f"(With the 2-shard run's rate per shard, {per:,.0f} rows/s: {alt:,} shards.) Assumes shards scale "
                  "linearly and that neither the source nor the push limits them.")
    else:
        print("n/a: the 1-shard run failed")
    report["sizing"] = sizing
    if debug:
        print()
        print("(DEBUG build: rerun with a release worker for real figures.)")

    if args.json:
        with open(args.json, "w") as fp:
            json.dump(report, fp, indent=1)
        log(f"wrote {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
