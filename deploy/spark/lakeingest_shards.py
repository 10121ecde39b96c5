#!/usr/bin/env python3
"""Run one LakeIngest task as N shards on Spark: one Spark task per shard.

    spark-submit [spark options] deploy/spark/lakeingest_shards.py \
        --worker /opt/lakeingest/ingest-worker --config /etc/lakeingest/orders.json --shards 8

    python deploy/spark/lakeingest_shards.py --master 'local[2,3]' \
        --worker .build/release/ingest-worker --config task.json --shards 3

Shard I runs `WORKER run --config CFG --shards N --shard I [--worker-arg ...]` as a subprocess of
its Spark task, with the executor's environment passed through unchanged (AWS credentials come from
there or from the instance profile / IRSA; nothing here prints them). A non-zero exit raises in the
task, so Spark retries that shard (spark.task.maxFailures; `local[K,F]` in local mode). Rerunning a
shard is safe: the worker's segment names do not depend on N or on the attempt, and a shard whose
part is done exits 0 having pushed nothing. The driver prints one line per shard (exit code,
seconds, attempt, host, the worker's last line) and exits non-zero when any shard still failed
after its retries.

The worker binary and the configuration are paths that exist on every executor (a shared volume,
the executor image, or spark-submit --files/--archives), or, with --distribute, local paths on the
driver that Spark ships to every executor (SparkContext.addFile / SparkFiles.get). See README.md.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

# The marker that carries a shard's result through a task failure's message to the driver.
RESULT_MARKER = "LAKEINGEST_SHARD_RESULT"
# Environment variables whose values are secrets: never echoed, and cut out of the worker's
# output should they ever appear in it.
SECRET_NAME = re.compile(r"(SECRET|TOKEN|PASSWORD|PASSWD|AUTHORIZATION|CREDENTIAL|PRIVATE|_KEY$|_KEY_ID$)", re.I)


# ---------------------------------------------------------------------------------------------
# What runs inside a Spark task (module-level functions: cloudpickle ships them to executors).
# ---------------------------------------------------------------------------------------------

def _secret_values(env):
    """The values of the environment's secret-looking variables (8 characters or more)."""
    return sorted({v for k, v in env.items() if SECRET_NAME.search(k) and v and len(v) >= 8}, key=len, reverse=True)


def _redact(line, secrets):
    for value in secrets:
        if value in line:
            line = line.replace(value, "***")
    return line


def _die_with_parent():
    """In the worker's child process: receive SIGTERM when the Python task process dies (Spark
    kills a task's Python worker when it cancels the task), so no shard outlives its task. The
    worker finishes its pushes and checkpoint on SIGTERM; a rerun of the shard is safe anyway."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except Exception:  # not Linux: the child may outlive a killed task; harmless, just slower
        pass


def _resolve_file(path, distributed):
    """The executor-side path of a file given to the launcher."""
    if not distributed:
        return path
    from pyspark import SparkFiles
    return SparkFiles.get(os.path.basename(path))


def _ensure_executable(path):
    if os.access(path, os.X_OK):
        return path
    try:
        os.chmod(path, os.stat(path).st_mode | 0o111)
    except OSError:
        pass
    return path


def _config_with_core_budget(config_path, cores, shard, attempt):
    """A copy of the configuration whose `pipeline` concurrency follows the shard's core budget
    (only the keys the configuration does not set itself), written beside the original so that
    its relative paths resolve to the same places. Returns (path to use, path to remove or None,
    note)."""
    try:
        with open(config_path, "rb") as f:
            document = json.load(f)
    except (OSError, ValueError) as error:
        # Let the worker read the file and report the problem in its own words.
        return config_path, None, f"core budget not applied: configuration unreadable here ({type(error).__name__})"
    if not isinstance(document, dict):
        return config_path, None, "core budget not applied: configuration is not a JSON object"
    pipeline = document.get("pipeline")
    if pipeline is None:
        pipeline = {}
    if not isinstance(pipeline, dict):
        return config_path, None, "core budget not applied: \"pipeline\" is not an object"
    budget = {"decodeConcurrency": cores, "buildConcurrency": cores, "fetchConcurrency": max(4, 2 * cores)}
    added = {k: v for k, v in budget.items() if k not in pipeline}
    if not added:
        return config_path, None, "pipeline concurrency set by the configuration"
    document["pipeline"] = dict(pipeline, **added)
    folder = os.path.dirname(os.path.abspath(config_path))
    name = f".{os.path.basename(config_path)}.shard{shard}-a{attempt}-{os.getpid()}.json"
    derived = os.path.join(folder, name)
    try:
        # 0600: the configuration may hold keys; removed when the shard ends.
        fd = os.open(derived, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        return config_path, None, f"core budget not applied: cannot write beside the configuration ({error.strerror})"
    with os.fdopen(fd, "w") as f:
        json.dump(document, f, indent=1)
    return derived, derived, "pipeline " + ", ".join(f"{k}={v}" for k, v in sorted(added.items()))


def run_shard(shard, settings):
    """Runs shard `shard` of the task; returns its result, or raises (so that Spark retries it)."""
    from pyspark import TaskContext

    context = TaskContext.get()
    attempt = context.attemptNumber() if context else 0
    cores = (context.cpus() if context else None) or settings["cores_per_shard"]
    worker = _ensure_executable(_resolve_file(settings["worker"], settings["distributed"]))
    config = _resolve_file(settings["config"], settings["distributed"])
    result = {"shard": shard, "attempt": attempt + 1, "host": socket.gethostname(), "cores": cores,
              "exit": None, "seconds": 0.0, "tail": [], "note": ""}
    remove = None
    if settings["core_budget"]:
        config, remove, result["note"] = _config_with_core_budget(config, cores, shard, attempt)
    command = [worker, "run", "--config", config, "--shards", str(settings["shards"]), "--shard", str(shard)]
    command += settings["worker_args"]
    env = os.environ.copy()
    secrets = _secret_values(env)
    prefix = f"[lakeingest shard {shard}/{settings['shards']} attempt {attempt + 1}]"
    tail = collections.deque(maxlen=settings["tail_lines"])
    started = time.monotonic()
    try:
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       env=env, preexec_fn=_die_with_parent, bufsize=1, text=True, errors="replace")
        except OSError as error:
            result["exit"] = 127
            result["tail"] = [f"cannot start {worker}: {error.strerror}"]
            raise RuntimeError(_failure_message(result))
        timer = None
        if settings["timeout"]:
            timer = threading.Timer(settings["timeout"], _stop, args=(process, tail))
            timer.daemon = True
            timer.start()
        for line in process.stdout:
            line = _redact(line.rstrip("\n"), secrets)
            tail.append(line)
            # The executor's log gets the whole output; the driver gets the tail.
            print(prefix, line, file=sys.stderr, flush=True)
        code = process.wait()
        if timer:
            timer.cancel()
    finally:
        result["seconds"] = round(time.monotonic() - started, 3)
        if remove:
            try:
                os.unlink(remove)
            except OSError:
                pass
    result["exit"] = code
    result["tail"] = list(tail)
    if code != 0:
        raise RuntimeError(_failure_message(result))
    return result


def _stop(process, tail):
    tail.append("(launcher: shard timed out; sending SIGTERM)")
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def _failure_message(result):
    lines = "\n".join("    " + line for line in result["tail"])
    return (f"LakeIngest shard {result['shard']} attempt {result['attempt']} exited {result['exit']} "
            f"after {result['seconds']} s on {result['host']}; last lines:\n{lines}\n"
            f"{RESULT_MARKER} {json.dumps(result, separators=(',', ':'))} {RESULT_MARKER}_END")


# ---------------------------------------------------------------------------------------------
# The driver.
# ---------------------------------------------------------------------------------------------

def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Run one LakeIngest task as N shards, one Spark task each.",
        epilog="Worker options that start with '-' need the '=' form: --worker-arg=--log-level=info.")
    parser.add_argument("--worker", required=True, help="the ingest-worker binary: a path on every executor, or a driver path with --distribute")
    parser.add_argument("--config", required=True, help="the task configuration: a path on every executor, or a driver path with --distribute")
    parser.add_argument("--shards", type=int, required=True, help="N: how many shards (Spark tasks)")
    parser.add_argument("--worker-arg", action="append", default=[], metavar="ARG",
                        help="an extra argument for `ingest-worker run` (repeatable)")
    parser.add_argument("--distribute", action="store_true",
                        help="ship --worker and --config to every executor with SparkContext.addFile")
    parser.add_argument("--cores-per-shard", type=int, default=1,
                        help="spark.task.cpus, and the worker's pipeline concurrency (default 1)")
    parser.add_argument("--no-core-budget", action="store_true",
                        help="do not pass the core budget to the worker (leave its pipeline options as configured)")
    parser.add_argument("--master", help="Spark master when not given by spark-submit, e.g. 'local[2,3]' "
                                         "(local[K] gets ',F' from --max-failures so that failed shards are retried)")
    parser.add_argument("--max-failures", type=int, default=None,
                        help="attempts per shard: spark.task.maxFailures (Spark's default 4), or F in local[K,F]")
    parser.add_argument("--shard-timeout", type=float, default=None, metavar="SECONDS",
                        help="stop a shard (SIGTERM) that runs longer; the attempt fails and is retried")
    parser.add_argument("--tail-lines", type=int, default=20, help="the worker's last lines kept per shard (default 20)")
    parser.add_argument("--app-name", default=None, help="Spark application name (default lakeingest-<config name>)")
    parser.add_argument("--results-json", default=None, metavar="FILE", help="also write the per-shard results as JSON")
    args = parser.parse_args(argv)
    if args.shards < 1:
        parser.error("--shards must be at least 1")
    if args.cores_per_shard < 1:
        parser.error("--cores-per-shard must be at least 1")
    if args.max_failures is not None and args.max_failures < 1:
        parser.error("--max-failures must be at least 1")
    if args.tail_lines < 1:
        parser.error("--tail-lines must be at least 1")
    return args


def local_master(master, max_failures):
    """`local`, `local[K]` or `local[*]` with the retry count added; anything else unchanged."""
    if master is None:
        return None
    match = re.fullmatch(r"local(?:\[(\d+|\*)\])?", master.strip())
    if not match:
        return master
    return f"local[{match.group(1) or '1'},{max_failures or 4}]"


def relative_paths(config_path):
    """The configuration's keys that name a relative local path (resolved against the
    configuration's folder, which differs on each executor under --distribute)."""
    try:
        with open(config_path, "rb") as f:
            document = json.load(f)
    except (OSError, ValueError):
        return []
    found = []

    def relative(value):
        if not isinstance(value, str) or "://" in value and not value.startswith("file://"):
            return False
        path = value[len("file://"):] if value.startswith("file://") else value
        return not path.startswith("/")

    state = document.get("stateDir", "state")
    if relative(state):
        found.append("stateDir")
    push = document.get("push") or {}
    if push.get("mode", "local") == "local" and relative(push.get("outputDir", "out/segments")):
        found.append("push.outputDir")
    source = document.get("source") or {}
    if source.get("type") in ("iceberg-table", "s3-data-lake") and relative(source.get("location")):
        found.append("source.location")
    return found


def summarize(results, shards, failed_detail, seconds, out):
    print(f"\nLakeIngest shards: {shards} shard(s), {seconds:.1f} s", file=out)
    print(f"{'shard':>5}  {'exit':>4}  {'attempt':>7}  {'seconds':>8}  {'host':<20} last line", file=out)
    for shard in range(shards):
        r = results.get(shard)
        if r is None:
            print(f"{shard:>5}  {'-':>4}  {'-':>7}  {'-':>8}  {'-':<20} (did not finish: the job stopped first)", file=out)
            continue
        last = r["tail"][-1] if r["tail"] else ""
        print(f"{shard:>5}  {r['exit']:>4}  {r['attempt']:>7}  {r['seconds']:>8.2f}  {r['host'][:20]:<20} {last}", file=out)
    for r in failed_detail:
        print(f"\nshard {r['shard']} failed (exit {r['exit']}, attempt {r['attempt']}); its last lines:", file=out)
        for line in r["tail"]:
            print("    " + line, file=out)
    failed = [s for s in range(shards) if s in results and results[s]["exit"] != 0]
    unfinished = [s for s in range(shards) if s not in results]
    bad = failed + unfinished
    if bad:
        parts = ([f"shard(s) {', '.join(map(str, failed))} failed after their retries"] if failed else []) \
            + ([f"shard(s) {', '.join(map(str, unfinished))} did not finish"] if unfinished else [])
        print(f"\nFAILED: {'; '.join(parts)} ({len(bad)} of {shards} shard(s))", file=out)
    else:
        print(f"\nOK: all {shards} shard(s) exited 0", file=out)
    return not bad


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    for label, path in (("--worker", args.worker), ("--config", args.config)):
        if args.distribute and not os.path.isfile(path):
            print(f"lakeingest_shards: {label} {path}: no such file on the driver (--distribute ships driver files)", file=sys.stderr)
            return 2
    if args.distribute:
        args.worker = os.path.abspath(args.worker)
        args.config = os.path.abspath(args.config)
        if os.path.basename(args.worker) == os.path.basename(args.config):
            print("lakeingest_shards: --worker and --config must have different file names with --distribute", file=sys.stderr)
            return 2
        relative = relative_paths(args.config)
        if relative:
            print(f"lakeingest_shards: with --distribute the configuration is read from each executor's SparkFiles folder, "
                  f"so its relative {', '.join(relative)} would differ per executor: make them absolute (or s3://)", file=sys.stderr)
            return 2

    master = local_master(args.master, args.max_failures)
    if master and master.startswith("local") and "PYSPARK_PYTHON" not in os.environ:
        # Local Python workers run this interpreter (the one that has pyspark).
        os.environ["PYSPARK_PYTHON"] = sys.executable

    from pyspark.accumulators import AccumulatorParam
    from pyspark.sql import SparkSession

    class ListParam(AccumulatorParam):
        def zero(self, value):
            return []

        def addInPlace(self, a, b):
            return a + b

    builder = SparkSession.builder.appName(args.app_name or f"lakeingest-{os.path.splitext(os.path.basename(args.config))[0]}")
    if master:
        builder = builder.master(master)
    builder = builder.config("spark.task.cpus", str(args.cores_per_shard))
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    if args.max_failures is not None:
        builder = builder.config("spark.task.maxFailures", str(args.max_failures))
    started = time.monotonic()
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel(os.environ.get("LAKEINGEST_SPARK_LOG_LEVEL", "WARN"))
    local = re.fullmatch(r"local\[\s*(?:\d+|\*)\s*,\s*(\d+)\s*\]", sc.master)
    attempts = local.group(1) if local else ("1" if sc.master.startswith("local") else sc.getConf().get("spark.task.maxFailures", "4"))
    print(f"lakeingest_shards: {args.shards} shard(s) of {args.config} on {sc.master} "
          f"(application {sc.applicationId}; spark.task.cpus={args.cores_per_shard}, "
          f"up to {attempts} attempt(s) per shard)", file=sys.stderr, flush=True)
    if args.distribute:
        sc.addFile(args.worker)
        sc.addFile(args.config)

    settings = {"worker": args.worker, "config": args.config, "shards": args.shards, "worker_args": list(args.worker_arg),
                "distributed": args.distribute, "cores_per_shard": args.cores_per_shard,
                "core_budget": not args.no_core_budget, "timeout": args.shard_timeout, "tail_lines": args.tail_lines}
    finished = sc.accumulator([], ListParam())

    def task(iterator):
        for shard in iterator:
            result = run_shard(shard, settings)
            finished.add([result])
            yield result

    results, failed_detail = {}, []
    try:
        # parallelize slices range(N) into N partitions of one index each.
        for r in sc.parallelize(range(args.shards), args.shards).mapPartitions(task).collect():
            results[r["shard"]] = r
    except Exception as error:  # the job aborted: a shard failed on every attempt (or Spark failed)
        for r in finished.value:
            results[r["shard"]] = r
        text = str(error)
        for blob in re.findall(re.escape(RESULT_MARKER) + r" (\{.*?\}) " + re.escape(RESULT_MARKER) + "_END", text, re.S):
            try:
                r = json.loads(blob)
            except ValueError:
                continue
            # The message may quote the task's error more than once: keep each shard's last attempt.
            known = results.get(r["shard"])
            if known is None or (known["exit"] != 0 and known["attempt"] < r["attempt"]):
                results[r["shard"]] = r
        failed_detail = [results[s] for s in sorted(results) if results[s]["exit"] != 0]
        if not failed_detail:
            print(f"lakeingest_shards: the Spark job failed: {text.splitlines()[0] if text else type(error).__name__}", file=sys.stderr)
    finally:
        seconds = time.monotonic() - started
        spark.stop()
    ok = summarize(results, args.shards, failed_detail, seconds, sys.stdout)
    if args.results_json:
        with open(args.results_json, "w") as f:
            json.dump({"ok": ok, "seconds": round(seconds, 3), "master": master,
                       "shards": [results.get(s) for s in range(args.shards)]}, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
