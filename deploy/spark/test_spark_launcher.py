#!/usr/bin/env python3
"""End-to-end test of lakeingest_shards.py in pyspark local mode.

    python3 deploy/spark/test_spark_launcher.py --worker .build/release/ingest-worker
    python3 deploy/spark/test_spark_launcher.py --stand-in-only

1. Stand-in checks (always first; --stand-in-only stops after them): the launcher runs a small
   shell script in place of the worker that records its arguments, environment and configuration
   per attempt. Proves: one task per shard with `run --config CFG --shards N --shard I`, retries of
   a failing shard (`local[K,F]`), --distribute (SparkFiles), the core budget in the configuration
   handed to the worker, secrets cut out of the output, and a non-zero exit with a summary naming
   the shard that failed after its retries.
2. The real worker: writes 6 Parquet files x 3000 rows (pyarrow) as an s3-data-lake folder, runs
   the worker once unsharded on configuration A, runs the launcher with N=3 on 2 local executor
   slots over configuration B, and demands the same segment names and, per segment, the same rows
   (`ingest-worker segment dump --rows`) and the same files apart from creation.meta (which holds
   the creation time). Then runs the launcher again: exit 0, and no segment added or rewritten.

The pyspark interpreter: $LAKEINGEST_SPARK_PYTHON if set, else
/tmp/lakeingest-spark-env/venv/bin/python if present, else a venv under
/tmp/lakeingest-pyspark-venv (made on first use: python3 -m venv + pip install pyspark==3.5.8).
Needs Java 17 (or 8/11) on PATH. Exits non-zero on the first failed check.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LAUNCHER = os.path.join(HERE, "lakeingest_shards.py")
PYSPARK_VERSION = "3.5.8"
PYARROW_VERSION = "26.0.1"  # Tests/Fixtures/requirements.txt's pin
SHARED_VENV = "/tmp/lakeingest-spark-env/venv/bin/python"
OWN_VENV = "/tmp/lakeingest-pyspark-venv"
FAKE_SECRET = "fakeSecretValue-0123456789-doNotPrint"

FILES, ROWS_PER_FILE, MAX_ROWS_PER_SEGMENT = 6, 3000, 3000


class CheckFailed(Exception):
    pass


class Checks:
    def __init__(self):
        self.passed = 0
        self.timings = []

    def ok(self, condition, what, detail=""):
        if not condition:
            raise CheckFailed(what + (f"\n{detail}" if detail else ""))
        self.passed += 1
        print(f"  ok: {what}", flush=True)

    def timed(self, label, seconds):
        self.timings.append((label, seconds))
        print(f"  time: {label}: {seconds:.1f} s", flush=True)


# ---------------------------------------------------------------------------------------------
# Interpreters
# ---------------------------------------------------------------------------------------------

def has_modules(python, *modules, version_of=None, version=None):
    code = "import " + ", ".join(modules)
    if version_of:
        code += f"; import sys; sys.exit(0 if {version_of}.__version__ == {version!r} else 3)"
    try:
        return subprocess.run([python, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def spark_python(checks, new_venv):
    """The interpreter that runs the launcher, made if needed (the time it took is reported)."""
    if not new_venv:
        chosen = os.environ.get("LAKEINGEST_SPARK_PYTHON")
        if chosen:
            if not has_modules(chosen, "pyspark"):
                raise CheckFailed(f"LAKEINGEST_SPARK_PYTHON={chosen} cannot import pyspark")
            return chosen, "LAKEINGEST_SPARK_PYTHON"
        if os.path.exists(SHARED_VENV) and has_modules(SHARED_VENV, "pyspark"):
            return SHARED_VENV, "shared venv"
    venv = new_venv or OWN_VENV
    python = os.path.join(venv, "bin", "python")
    if not new_venv and os.path.exists(python) and has_modules(python, "pyspark", version_of="pyspark", version=PYSPARK_VERSION):
        return python, "test venv (reused)"
    print(f"creating {venv} with pyspark=={PYSPARK_VERSION} (a few tens of seconds) ...", flush=True)
    started = time.monotonic()
    if os.path.exists(venv):
        shutil.rmtree(venv)
    run_checked([sys.executable if has_modules(sys.executable, "venv") else "python3", "-m", "venv", venv])
    run_checked([python, "-m", "pip", "install", "-q", f"pyspark=={PYSPARK_VERSION}"])
    checks.timed(f"venv creation (python3 -m venv + pip install pyspark=={PYSPARK_VERSION})", time.monotonic() - started)
    return python, "test venv (created)"


def pyarrow_python(checks, spark_py, spark_venv_made_here):
    """An interpreter that can write Parquet: this one, the Spark one, or the test's own venv after
    installing pyarrow into it."""
    for candidate in (sys.executable, spark_py):
        if has_modules(candidate, "pyarrow"):
            return candidate
    if spark_venv_made_here:
        started = time.monotonic()
        run_checked([spark_py, "-m", "pip", "install", "-q", f"pyarrow=={PYARROW_VERSION}"])
        checks.timed(f"pip install pyarrow=={PYARROW_VERSION} into the test venv", time.monotonic() - started)
        return spark_py
    raise CheckFailed(f"no interpreter with pyarrow: install it (pip install pyarrow=={PYARROW_VERSION}) "
                      f"into {sys.executable} or {spark_py}")


def run_checked(command, **kwargs):
    completed = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    if completed.returncode != 0:
        raise CheckFailed(f"{' '.join(command)} exited {completed.returncode}:\n{completed.stdout[-4000:]}")
    return completed.stdout


def launch(python, arguments, env=None, timeout=900):
    """Runs the launcher; returns (exit code, combined output, results JSON or None, seconds)."""
    results_path = tempfile.mktemp(prefix="lakeingest-shards-results-", suffix=".json")
    command = [python, LAUNCHER, *arguments, "--results-json", results_path]
    print("  $ " + " ".join(command), flush=True)
    started = time.monotonic()
    completed = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env, timeout=timeout, stdin=subprocess.DEVNULL)
    seconds = time.monotonic() - started
    results = None
    if os.path.exists(results_path):
        with open(results_path) as f:
            results = json.load(f)
        os.unlink(results_path)
    # The summary is on standard output; Spark's log and the workers' output on standard error.
    return completed.returncode, Output(completed.stdout, completed.stderr), results, seconds


class Output(str):
    """The launcher's standard output and error together (for `in`), and its summary (standard
    output) alone, or the end of standard error when there is none (for messages)."""

    def __new__(cls, stdout, stderr):
        text = super().__new__(cls, stdout + stderr)
        text.stdout, text.stderr = stdout, stderr
        return text


def excerpt(output, lines=40):
    if isinstance(output, Output):
        if "LakeIngest shards:" in output.stdout:
            return output.stdout.strip("\n")
        output = output.stderr
    return "\n".join(output.splitlines()[-lines:])


# ---------------------------------------------------------------------------------------------
# 1. Stand-in checks
# ---------------------------------------------------------------------------------------------

STAND_IN = r"""#!/bin/sh
# Stand-in for ingest-worker: `run --config CFG --shards N --shard I`. Records each attempt in
# $STANDIN_DIR; fails the first attempt of the shards in $STANDIN_FAIL_FIRST (exit 3) and every
# attempt of those in $STANDIN_FAIL_ALWAYS (exit 7). Echoes AWS_SECRET_ACCESS_KEY on purpose:
# the launcher must cut it out of what it prints.
set -eu
if [ "$#" -lt 7 ] || [ "$1" != run ] || [ "$2" != --config ] || [ "$4" != --shards ] || [ "$6" != --shard ]; then
  echo "stand-in: unexpected arguments: $*" >&2; exit 64
fi
cfg=$3; shard=$7
dir=${STANDIN_DIR:?}
n=1
while [ -e "$dir/shard-$shard.attempt-$n.args" ]; do n=$((n+1)); done
m="$dir/shard-$shard.attempt-$n"
printf '%s\n' "$@" > "$m.args"
cp "$cfg" "$m.config"
printf '%s\n' "${STANDIN_PASSTHROUGH:-unset}" > "$m.env"
echo "stand-in shard $shard attempt $n: starting (key ${AWS_SECRET_ACCESS_KEY:-none})"
case ",${STANDIN_FAIL_ALWAYS:-}," in *",$shard,"*) echo "stand-in shard $shard: failing for good" >&2; exit 7 ;; esac
case ",${STANDIN_FAIL_FIRST:-}," in *",$shard,"*) if [ "$n" -eq 1 ]; then echo "stand-in shard $shard: failing attempt 1" >&2; exit 3; fi ;; esac
sleep 1
echo "stand-in shard $shard attempt $n: done"
"""


def stand_in_checks(checks, python, root):
    print("\n== stand-in checks: launcher mechanics without the real worker", flush=True)
    folder = os.path.join(root, "stand-in")
    os.makedirs(folder)
    stand_in = os.path.join(folder, "fake-worker.sh")
    with open(stand_in, "w") as f:
        f.write(STAND_IN)
    os.chmod(stand_in, 0o755)
    config_dir = os.path.join(folder, "config")
    os.makedirs(config_dir)
    config = os.path.join(config_dir, "task.json")
    with open(config, "w") as f:
        json.dump({"taskName": "stand-in", "table": "t", "stateDir": os.path.join(folder, "state"),
                   "source": {"type": "s3-data-lake", "location": "file:///nowhere/"},
                   "push": {"mode": "local", "outputDir": os.path.join(folder, "out")}}, f)

    def environment(markers, **extra):
        env = dict(os.environ, STANDIN_DIR=markers, STANDIN_PASSTHROUGH="passed-through", AWS_SECRET_ACCESS_KEY=FAKE_SECRET)
        env.pop("PYSPARK_PYTHON", None)
        env.update(extra)
        return env

    def attempts(markers, shard):
        return sorted(n for n in os.listdir(markers) if n.startswith(f"shard-{shard}.attempt-") and n.endswith(".args"))

    # (a) 4 shards on local[2,3], shards 1 and 3 fail their first attempt; --distribute.
    markers = os.path.join(folder, "markers-a")
    os.makedirs(markers)
    code, output, results, seconds = launch(python, ["--master", "local[2,3]", "--worker", stand_in, "--config", config,
                                                     "--shards", "4", "--distribute", "--worker-arg=--log-level=info"],
                                            env=environment(markers, STANDIN_FAIL_FIRST="1,3"))
    checks.timed("stand-in (a): 4 shards on local[2,3] with 2 retries, JVM start included", seconds)
    checks.ok(code == 0, "(a) launcher exits 0 when every shard succeeds after retries", excerpt(output))
    checks.ok(results and results["ok"] and [r["shard"] for r in results["shards"]] == [0, 1, 2, 3],
              "(a) a result for each of the 4 shards", json.dumps(results, indent=1))
    checks.ok([r["exit"] for r in results["shards"]] == [0, 0, 0, 0], "(a) every shard's final exit code is 0")
    checks.ok([r["attempt"] for r in results["shards"]] == [1, 2, 1, 2],
              "(a) shards 1 and 3 succeeded on their second attempt, 0 and 2 on their first",
              str([r["attempt"] for r in results["shards"]]))
    checks.ok([len(attempts(markers, s)) for s in range(4)] == [1, 2, 1, 2], "(a) the worker ran 1, 2, 1, 2 times per shard")
    for shard in range(4):
        with open(os.path.join(markers, f"shard-{shard}.attempt-1.args")) as f:
            argv = f.read().split("\n")[:-1]
        shipped = argv[2]
        checks.ok(argv[:2] == ["run", "--config"] and argv[3:] == ["--shards", "4", "--shard", str(shard), "--log-level=info"],
                  f"(a) shard {shard} ran `run --config CFG --shards 4 --shard {shard} --log-level=info`", str(argv))
        checks.ok(os.path.dirname(shipped) != config_dir and "userFiles" in shipped,
                  f"(a) shard {shard} read the configuration from SparkFiles", shipped)
    with open(os.path.join(markers, "shard-0.attempt-1.env")) as f:
        checks.ok(f.read().strip() == "passed-through", "(a) the executor's environment reaches the worker")
    with open(os.path.join(markers, "shard-0.attempt-1.config")) as f:
        pipeline = json.load(f).get("pipeline")
    checks.ok(pipeline == {"decodeConcurrency": 1, "buildConcurrency": 1, "fetchConcurrency": 4},
              "(a) the worker's configuration carries the core budget (1 core: decode 1, build 1, fetch 4)", str(pipeline))
    checks.ok(FAKE_SECRET not in output and "key ***" in output, "(a) the secret the worker echoed is cut out of the output",
              "\n".join(line for line in output.splitlines() if "key " in line))
    checks.ok("OK: all 4 shard(s) exited 0" in output, "(a) the summary says all 4 shards exited 0")

    # (b) 3 shards, 2 cores each on local[2,2] (so one at a time); shard 2 always fails.
    with open(config) as f:
        document = json.load(f)
    document["pipeline"] = {"decodeConcurrency": 5}
    with open(config, "w") as f:
        json.dump(document, f)
    markers = os.path.join(folder, "markers-b")
    os.makedirs(markers)
    code, output, results, seconds = launch(python, ["--master", "local[2,2]", "--worker", stand_in, "--config", config,
                                                     "--shards", "3", "--cores-per-shard", "2"],
                                            env=environment(markers, STANDIN_FAIL_ALWAYS="2"))
    checks.timed("stand-in (b): 3 shards on local[2,2], one failing for good", seconds)
    checks.ok(code == 1, f"(b) launcher exits 1 when a shard fails after its retries (exit {code})", excerpt(output))
    checks.ok(results is not None and not results["ok"], "(b) results say not ok")
    by_shard = {r["shard"]: r for r in results["shards"] if r}
    checks.ok(by_shard.get(2, {}).get("exit") == 7 and by_shard[2]["attempt"] == 2,
              "(b) shard 2 reported with exit 7 on attempt 2 of 2", json.dumps(by_shard.get(2), indent=1))
    checks.ok(len(attempts(markers, 2)) == 2, "(b) shard 2 was tried twice (local[2,2])")
    checks.ok("FAILED: shard(s) 2 failed after their retries" in output and "shard 2 failed (exit 7, attempt 2)" in output
              and "stand-in shard 2: failing for good" in output,
              "(b) the summary names shard 2, its exit code and its last lines", excerpt(output))
    with open(os.path.join(markers, "shard-2.attempt-1.config")) as f:
        pipeline = json.load(f).get("pipeline")
    checks.ok(pipeline == {"decodeConcurrency": 5, "buildConcurrency": 2, "fetchConcurrency": 4},
              "(b) the core budget fills only what the configuration leaves unset (2 cores; decode 5 kept)", str(pipeline))
    checks.ok(sorted(os.listdir(config_dir)) == ["task.json"], "(b) no derived configuration is left beside the original",
              str(os.listdir(config_dir)))


# ---------------------------------------------------------------------------------------------
# 2. The real worker
# ---------------------------------------------------------------------------------------------

WRITE_LAKE = r"""
import sys, pyarrow as pa, pyarrow.parquet as pq
folder, files, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for f in range(files):
    ids = range(f * rows, (f + 1) * rows)
    table = pa.table({
        "id": pa.array(list(ids), pa.int64()),
        "name": pa.array([None if i % 97 == 0 else f"name-{i}-" + "xyz"[i % 3] * (i % 7) for i in ids], pa.string()),
        "ts": pa.array([1_700_000_000_000 + i * 1_000 + (i % 13) for i in ids], pa.timestamp("ms")),
    })
    pq.write_table(table, f"{folder}/part-{f:05d}.parquet", row_group_size=1000)
"""


def write_config(folder, lake):
    os.makedirs(folder)
    path = os.path.join(folder, "task.json")
    with open(path, "w") as f:
        json.dump({"taskName": "spark-shards-test", "table": "events",
                   "source": {"type": "s3-data-lake", "location": "file://" + lake + "/"},
                   "schema": {"timeColumn": None},
                   "segments": {"maxRowsPerSegment": MAX_ROWS_PER_SEGMENT},
                   "push": {"mode": "local", "outputDir": os.path.join(folder, "segments"), "tarCompression": "gzip"},
                   "stateDir": os.path.join(folder, "state")}, f, indent=1)
    return path, os.path.join(folder, "segments")


def segments(folder):
    if not os.path.isdir(folder):
        return {}
    return {n: os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n.endswith((".tar.gz", ".tar.zst")) and not n.startswith(".")}


def fingerprint(folder):
    out = {}
    for name, path in segments(folder).items():
        with open(path, "rb") as f:
            out[name] = (hashlib.sha256(f.read()).hexdigest(), os.stat(path).st_mtime_ns)
    return out


def dump_rows(worker, tarball):
    text = run_checked([worker, "segment", "dump", tarball, "--rows"])
    header = text.split("\n", 1)[0]
    docs = int(header.split("docs:")[1].split()[0])
    return docs, text


def members_except_creation_meta(tarball):
    with tarfile.open(tarball) as archive:
        out = {}
        for member in archive.getmembers():
            if member.isfile() and os.path.basename(member.name) != "creation.meta":
                out[member.name] = hashlib.sha256(archive.extractfile(member).read()).hexdigest()
        return out


def worker_has_shards(worker):
    try:
        text = subprocess.run([worker, "run", "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60).stdout
    except OSError:
        return False
    return "--shards" in text


def real_worker_checks(checks, python, arrow_python, worker, root):
    print("\n== the real worker: unsharded (A) against 3 Spark shards (B)", flush=True)
    lake = os.path.join(root, "lake")
    os.makedirs(lake)
    run_checked([arrow_python, "-c", WRITE_LAKE, lake, str(FILES), str(ROWS_PER_FILE)])
    checks.ok(len(os.listdir(lake)) == FILES, f"wrote {FILES} Parquet files x {ROWS_PER_FILE} rows (id int64, name string, ts timestamp[ms])")
    config_a, out_a = write_config(os.path.join(root, "A"), lake)
    config_b, out_b = write_config(os.path.join(root, "B"), lake)

    started = time.monotonic()
    completed = subprocess.run([worker, "run", "--config", config_a], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    checks.timed("worker, unsharded, on A", time.monotonic() - started)
    checks.ok(completed.returncode == 0, "unsharded run on A exits 0", completed.stdout[-3000:])
    expected_segments = FILES * ROWS_PER_FILE // MAX_ROWS_PER_SEGMENT
    checks.ok(len(segments(out_a)) >= 2, f"A holds several segments ({len(segments(out_a))}; {expected_segments} expected)")

    sharded = worker_has_shards(worker)
    if not sharded:
        print(f"  note: `{worker} run --help` shows no --shards: the sharded run below will fail with an argument error", flush=True)
    code, output, results, seconds = launch(python, ["--master", "local[2,3]", "--worker", worker, "--config", config_b, "--shards", "3"])
    checks.timed("launcher on B: 3 shards, local[2,3], JVM start included", seconds)
    print(indent(excerpt(output, 12)), flush=True)
    checks.ok(code == 0, "sharded run on B (3 shards on 2 local slots) exits 0",
              excerpt(output) + ("" if sharded else f"\n(this worker has no `run --shards` yet: {worker})"))
    checks.ok([r["exit"] for r in results["shards"]] == [0, 0, 0], "every shard exited 0")

    names_a, names_b = segments(out_a), segments(out_b)
    checks.ok(list(names_a) == list(names_b), f"A and B hold the same {len(names_a)} segment names",
              f"A: {list(names_a)}\nB: {list(names_b)}")
    total = 0
    for name in names_a:
        docs_a, rows_a = dump_rows(worker, names_a[name])
        docs_b, rows_b = dump_rows(worker, names_b[name])
        checks.ok(docs_a == docs_b and rows_a == rows_b, f"{name}: {docs_a} rows, the same rows in A and B")
        checks.ok(members_except_creation_meta(names_a[name]) == members_except_creation_meta(names_b[name]),
                  f"{name}: the same segment files apart from creation.meta")
        total += docs_a
    checks.ok(total == FILES * ROWS_PER_FILE, f"the segments hold all {FILES * ROWS_PER_FILE} rows")

    before = fingerprint(out_b)
    code, output, results, seconds = launch(python, ["--master", "local[2,3]", "--worker", worker, "--config", config_b, "--shards", "3"])
    checks.timed("launcher on B again (nothing new), JVM start included", seconds)
    checks.ok(code == 0, "the rerun exits 0", excerpt(output))
    checks.ok(fingerprint(out_b) == before, "the rerun added, removed and rewrote no segment")


def indent(text):
    return "\n".join("    | " + line for line in text.splitlines())


def main():
    parser = argparse.ArgumentParser(description="Test deploy/spark/lakeingest_shards.py in pyspark local mode.")
    parser.add_argument("--worker", help="the ingest-worker binary (not needed with --stand-in-only)")
    parser.add_argument("--stand-in-only", action="store_true", help="only the launcher mechanics, with a shell stand-in")
    parser.add_argument("--new-venv", metavar="DIR", help="make a fresh venv in DIR (removed first) instead of finding one")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if not args.stand_in_only and not args.worker:
        parser.error("--worker is required (or --stand-in-only)")
    worker = os.path.abspath(args.worker) if args.worker else None
    if worker and not os.access(worker, os.X_OK):
        print(f"FAIL: --worker {worker} is not an executable file", file=sys.stderr)
        return 2
    if not shutil.which("java"):
        print("FAIL: no `java` on PATH: pyspark's local mode needs a Java runtime (17)", file=sys.stderr)
        return 2

    checks = Checks()
    root = tempfile.mkdtemp(prefix="lakeingest-spark-test-")
    started = time.monotonic()
    failed = None
    try:
        python, origin = spark_python(checks, args.new_venv)
        print(f"pyspark interpreter: {python} ({origin})", flush=True)
        stand_in_checks(checks, python, root)
        if not args.stand_in_only:
            arrow = pyarrow_python(checks, python, origin.endswith("(created)"))
            real_worker_checks(checks, python, arrow, worker, root)
    except (CheckFailed, subprocess.TimeoutExpired) as error:
        failed = error
    finally:
        print("\n== summary", flush=True)
        for label, seconds in checks.timings:
            print(f"  {seconds:7.1f} s  {label}")
        print(f"  {time.monotonic() - started:7.1f} s  whole test")
        if failed or args.keep:
            print(f"  kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    if failed:
        print(f"\nFAIL: {failed}", file=sys.stderr)
        print(f"{checks.passed} passed, 1 failed")
        return 1
    print(f"{checks.passed} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
