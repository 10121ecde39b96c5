#!/usr/bin/env python3
"""Does HTTP load on `ingest-worker serve` slow the run it is doing?

    python3 Benchmarks/serve_load_bench.py --worker .build/release/ingest-worker [--rounds 3]
        [--rows 2000000] [--files 8] [--rate 200] [--connections 8] [--pipeline JSON] [--json OUT] [--keep]

One task: an `s3-data-lake` over a local folder of Parquet files (pyarrow, cached under
Benchmarks/Data/serve-load-<rows>x<files>/; not committed), pushed to a local output folder.
Every measured run is a fresh `serve --max-concurrent-runs 1` in a fresh folder (new state,
so the task ingests everything from scratch):

  1. `ingest-worker pause --config` before start, so the run serve makes at start does nothing;
  2. serve starts; once that start run ended, POST /tasks/bench/resume;
  3. with load: the load generator starts and runs 1 s before the trigger, and until the run ends;
  4. POST /tasks/bench/trigger; the run's end is read from serve's log (no HTTP polling);
  5. the run's time is the sum the service itself records in lakeingest_run_duration_seconds
     (/metrics, ns precision; /tasks' lastRunStartedAt/EndedAt have whole seconds only),
     cross-checked against the trigger-to-end wall clock seen here; the run must be COMPLETED
     with every row; serve gets SIGTERM and must exit 0.

Rounds alternate the order (no load first, then load first) so that drift (page cache, heat)
does not favour one side. A warm-up run (not counted) reads the files into the page cache.

The load: --rate requests/s (default 200), half GET /tasks/bench and half GET /metrics, paced
on a fixed schedule (request k is due at start + k/rate) over --connections keep-alive
connections driven by one thread (requests made once as bytes, answers read by their
Content-Length, so the client stays cheap). Reported: achieved rate, latency p50/p99 (from send to the
whole body read; per path; and in the second before the trigger, when no run goes), p99 from
the due time (with the wait for a free connection), requests sent late (more than 10 ms behind
schedule, when every connection was busy), errors.

The load generator runs on this machine and takes CPU the worker could use, so the figures
include the client's cost: this script's CPU seconds per second of run (the load, and the poll
of serve's log for the run's end, which the runs without load pay too) are reported beside the
server's. Nothing leaves 127.0.0.1; every loop is bounded by the run's own timeout.
"""
import argparse
import json
import os
import re
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DATA = os.path.join(HERE, "Data")
TASK = "bench"
NEVER_DURING_RUN = "0 0 1 1 *"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- data ----------------------------------------------------------------------------------------

def make_data(rows, files):
    """The lake folder: `files` Parquet files of rows/files rows each (cached)."""
    folder = os.path.join(DATA, f"serve-load-{rows}x{files}")
    marker = folder + ".complete"
    if os.path.exists(marker):
        return folder
    import pyarrow.parquet as pq
    from event_table import event_table

    print(f"writing {rows:,} rows in {files} files to {folder} …", flush=True)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    per_file = -(-rows // files)
    start = 0
    for f in range(files):
        n = min(per_file, rows - start)
        pq.write_table(event_table(n, start, seed=4242 + f), os.path.join(folder, f"part-{f:03d}.parquet"), compression="snappy",
                       row_group_size=max(1, n // 2))
        start += n
    open(marker, "w").close()
    return folder


# --- the service ---------------------------------------------------------------------------------

def get_json(url, method="GET", timeout=30):
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def get_text(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return answer.read().decode()


def wait_until(what, condition, timeout, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise SystemExit(f"error: timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def run_duration_sum(metrics):
    """(sum, count) of lakeingest_run_duration_seconds for the task."""
    values = {}
    for suffix in ("sum", "count"):
        match = re.search(r'^lakeingest_run_duration_seconds_%s\{[^}]*task="%s"[^}]*\}\s+(\S+)$' % (suffix, TASK), metrics, re.M)
        values[suffix] = float(match.group(1)) if match else 0.0
    return values["sum"], int(values["count"])


def machine_busy_seconds():
    """CPU seconds every process on the machine has used (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


class Serve:
    def __init__(self, worker, root, lake, pipeline=None):
        self.root = root
        tasks = os.path.join(root, "tasks")
        os.makedirs(tasks)
        config = os.path.join(tasks, TASK + ".json")
        with open(config, "w") as f:
            json.dump({"taskName": TASK, "table": TASK, "schedule": NEVER_DURING_RUN,
                       "source": {"type": "s3-data-lake", "location": "file://" + lake + "/"},
                       "push": {"outputDir": os.path.join(root, "out")}, "stateDir": os.path.join(root, "state"),
                       **({"pipeline": pipeline} if pipeline else {})}, f)
        paused = subprocess.run([worker, "pause", "--config", config], capture_output=True, text=True)
        if paused.returncode != 0:
            raise SystemExit(f"error: ingest-worker pause failed ({paused.returncode}): {paused.stderr.strip()}")
        self.log_path = os.path.join(root, "serve.log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen([worker, "serve", "--tasks", tasks, "--http", "127.0.0.1:0", "--max-concurrent-runs", "1"],
                                        stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def ended_runs(self):
        """The outcomes of the task's ended runs, from the log, in order."""
        return re.findall(r"outcome=(\w+) task=%s \[Service\] run ended" % TASK, self.log_text())

    def start(self, timeout):
        def address():
            if self.process.poll() is not None:
                raise SystemExit(f"error: serve exited with {self.process.returncode}:\n{self.log_text()[-3000:]}")
            match = re.search(r"serving \d+ task\(s\) on (http://127\.0\.0\.1:\d+)", self.log_text())
            return match and match.group(1)
        self.url = wait_until("serve to listen", address, timeout)
        self.port = int(self.url.rsplit(":", 1)[1])
        wait_until("the start run (paused) to end", lambda: self.ended_runs(), timeout)
        if self.ended_runs() != ["paused"]:
            raise SystemExit(f"error: the start run should do nothing (paused); it ended {self.ended_runs()}")
        status, answer = get_json(self.url + f"/tasks/{TASK}/resume", "POST")
        if status != 200 or answer.get("enabled") is not True:
            raise SystemExit(f"error: resume answered {status} {answer}")

    def stop(self, timeout=60):
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        self.log.close()
        return code


# --- the load ------------------------------------------------------------------------------------

class Load:
    """`rate` requests/s on a fixed schedule, alternating GET /tasks/{TASK} and GET /metrics.

    One thread drives `connections` keep-alive sockets with `selectors`: the requests are bytes
    made once, and an answer is read by its Content-Length, so the client's own CPU (which it
    takes from the 2 cores the worker could use) stays small and is reported beside the server's.
    Request k is due at t0 + k/rate and goes out on the first free connection; when none is free
    it goes out late, and the lateness is recorded."""

    def __init__(self, port, rate, connections, nice=0):
        self.port, self.rate, self.connections, self.nice = port, rate, connections, nice
        self.paths = [f"/tasks/{TASK}", "/metrics"]
        self.requests = [f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() for path in self.paths]
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.records = []  # (sent at, latency s, late by s, ok, path)
        self.errors = []
        self.thread = threading.Thread(target=self.work, daemon=True)

    def start(self):
        self.t0 = time.perf_counter() + 0.05
        self.thread.start()

    def stop(self):
        self.stopping.set()
        self.thread.join(30)

    def connect(self, selector):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        connection = {"sock": sock, "buffer": bytearray(), "request": None}
        selector.register(sock, selectors.EVENT_READ, connection)
        return connection

    @staticmethod
    def complete(buffer):
        """(status, length of the whole answer) once `buffer` holds a whole answer, else None."""
        head_end = buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return None
        head = bytes(buffer[:head_end]).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ")[1])
        length = None
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if length is None:
            raise ValueError(f"an answer without Content-Length: {head[0]}")
        total = head_end + 4 + length
        return (status, total) if len(buffer) >= total else None

    def work(self):
        if self.nice:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.nice)
        selector = selectors.DefaultSelector()
        free = [self.connect(selector) for _ in range(self.connections)]
        k = 0
        try:
            while not self.stopping.is_set():
                now = time.perf_counter()
                while free and self.t0 + k / self.rate <= now:
                    connection = free.pop()
                    due = self.t0 + k / self.rate
                    connection["request"] = (k % 2, time.perf_counter(), due)
                    connection["sock"].sendall(self.requests[k % 2])
                    k += 1
                wait = 0.05 if not free else max(0.0, min(0.05, self.t0 + k / self.rate - time.perf_counter()))
                for key, _ in selector.select(wait):
                    connection = key.data
                    chunk = connection["sock"].recv(1 << 20)
                    which, sent, due = connection["request"]
                    if not chunk:
                        raise ConnectionError(f"{self.paths[which]}: the server closed the connection")
                    connection["buffer"] += chunk
                    answer = self.complete(connection["buffer"])
                    if answer is None:
                        continue
                    status, total = answer
                    done = time.perf_counter()
                    del connection["buffer"][:total]
                    ok = status == 200
                    if not ok:
                        self.errors.append(f"{self.paths[which]}: HTTP {status}")
                    with self.lock:
                        self.records.append((sent, done - sent, max(0.0, sent - due), ok, self.paths[which]))
                    connection["request"] = None
                    free.append(connection)
        except (OSError, ValueError) as error:
            self.errors.append(f"{type(error).__name__}: {error}")
        finally:
            for key in list(selector.get_map().values()):
                key.fileobj.close()
            selector.close()

    def window(self, start, end):
        """Achieved rate, latencies and lateness of the requests sent between start and end."""
        with self.lock:
            inside = [r for r in self.records if start <= r[0] <= end]
        latencies = sorted(r[1] for r in inside if r[3])
        # From when the request was due: includes the wait for a free connection.
        from_due = sorted(r[1] + r[2] for r in inside if r[3])
        answer = {
            "requests": len(inside), "rate": len(inside) / (end - start) if end > start else 0.0,
            "p50_ms": percentile(latencies, 50) * 1000, "p99_ms": percentile(latencies, 99) * 1000,
            "max_ms": (latencies[-1] * 1000) if latencies else float("nan"),
            "p99_from_due_ms": percentile(from_due, 99) * 1000,
            "late": sum(1 for r in inside if r[2] > 0.01), "errors": sum(1 for r in inside if not r[3]),
        }
        for path, key in zip(self.paths, ("task", "metrics")):
            own = sorted(r[1] for r in inside if r[3] and r[4] == path)
            answer[f"{key}_p50_ms"], answer[f"{key}_p99_ms"] = percentile(own, 50) * 1000, percentile(own, 99) * 1000
        return answer


def percentile(values, p):
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, int(round(p / 100 * len(values) + 0.5)) - 1))
    return values[index]


# --- one run -------------------------------------------------------------------------------------

def measure(worker, lake, rows, loaded, args, work):
    root = tempfile.mkdtemp(prefix="serve-load-", dir=work)
    serve = Serve(worker, root, lake, args.pipeline)
    load = None
    try:
        serve.start(args.timeout)
        base_sum, base_count = run_duration_sum(get_text(serve.url + "/metrics"))
        if loaded:
            load = Load(serve.port, args.rate, args.connections, args.client_nice)
            load.start()
            wait_until("the load to reach its rate", lambda: len(load.records) >= args.rate, args.timeout)
            idle_end = time.perf_counter()
        cpu_before = cpu_seconds(serve.process.pid)
        busy_before = machine_busy_seconds()
        client_before = time.process_time()
        triggered = time.perf_counter()
        status, answer = get_json(serve.url + f"/tasks/{TASK}/trigger", "POST")
        if status != 202:
            raise SystemExit(f"error: trigger answered {status} {answer}")
        wait_until("the run to end", lambda: len(serve.ended_runs()) >= 2 or serve.process.poll() is not None,
                    args.timeout, interval=0.01)
        ended = time.perf_counter()
        client_cpu = time.process_time() - client_before
        cpu = cpu_seconds(serve.process.pid) - cpu_before
        # Whatever else ran meanwhile (a build, another benchmark): it makes the figures noise.
        others = machine_busy_seconds() - busy_before - cpu - client_cpu
        if load:
            load.stop()
        outcomes = serve.ended_runs()
        if outcomes[1:] != ["completed"]:
            raise SystemExit(f"error: the run ended {outcomes[1:]}:\n{serve.log_text()[-3000:]}")
        total, count = run_duration_sum(get_text(serve.url + "/metrics"))
        if count != base_count + 1:
            raise SystemExit(f"error: lakeingest_run_duration_seconds_count went {base_count} -> {count}")
        status, task = get_json(serve.url + f"/tasks/{TASK}")
        if task.get("state") != "COMPLETED" or task.get("rowsIngested") != rows:
            raise SystemExit(f"error: the run should ingest {rows:,} rows: {task.get('state')} {task.get('rowsIngested')}")
        result = {"loaded": loaded, "run_s": total - base_sum, "wall_s": ended - triggered, "server_cpu_s": cpu,
                  "other_cpu_s": max(0.0, others), "client_cpu_s": client_cpu,
                  "segments": task.get("segmentsGenerated")}
        if load:
            result.update(load.window(triggered, ended))
            idle = load.window(load.t0, idle_end)  # the second before the trigger: no run going
            result["idle_p50_ms"], result["idle_p99_ms"] = idle["p50_ms"], idle["p99_ms"]
            result["error_samples"] = load.errors[:3]
        code = serve.stop()
        serve = None
        if code != 0:
            raise SystemExit(f"error: serve exited {code} after SIGTERM")
        return result
    finally:
        if load and not load.stopping.is_set():
            load.stop()
        if serve is not None and serve.process.poll() is None:
            serve.process.kill()
            serve.process.wait()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", default=os.path.join(REPO, ".build", "release", "ingest-worker"))
    parser.add_argument("--rounds", type=int, default=3, help="rounds of one run without and one with load (default 3)")
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows in the lake (default 2,000,000)")
    parser.add_argument("--files", type=int, default=8, help="Parquet files (default 8)")
    parser.add_argument("--rate", type=float, default=200, help="requests/s of the load (default 200)")
    parser.add_argument("--client-nice", type=int, default=0,
                        help="the load thread's nice value (default 0; 19 lets the worker's threads go first)")
    parser.add_argument("--connections", type=int, default=8, help="the load's keep-alive connections (default 8)")
    parser.add_argument("--warmup", type=int, default=1, help="runs before the measured ones, not counted (default 1)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds a run may take (default 1800)")
    parser.add_argument("--target", type=float, default=5.0, help="the slowdown allowed, %% (default 5)")
    parser.add_argument("--pipeline", type=json.loads, default=None,
                        help='the task\'s "pipeline" options as JSON, e.g. \'{"buildConcurrency": 1}\' (default: none)')
    parser.add_argument("--json", help="also write the runs and the summary to this file")
    parser.add_argument("--keep", action="store_true", help="keep each run's folder (state, segments, log)")
    args = parser.parse_args()
    worker = os.path.abspath(args.worker)
    if not os.access(worker, os.X_OK):
        raise SystemExit(f"error: {worker} is not an executable")
    helped = subprocess.run([worker, "--help"], capture_output=True, text=True).stdout
    if not re.search(r"^\s+serve\s", helped, re.M):
        raise SystemExit(f"error: {worker} has no `serve` command (an older build?)")

    lake = make_data(args.rows, args.files)
    work = tempfile.mkdtemp(prefix="serve-load-bench-")
    print(f"worker {worker}\nlake   {lake} ({args.rows:,} rows, {args.files} files)\n"
          f"load   {args.rate:g} req/s (GET /tasks/{TASK} and GET /metrics), {args.connections} keep-alive connections\n", flush=True)
    runs = []
    try:
        for i in range(args.warmup):
            r = measure(worker, lake, args.rows, False, args, work)
            print(f"warm-up {i + 1}: run {r['run_s']:.3f} s", flush=True)
        for round_ in range(args.rounds):
            for loaded in ((False, True) if round_ % 2 == 0 else (True, False)):
                r = measure(worker, lake, args.rows, loaded, args, work)
                r["round"] = round_ + 1
                runs.append(r)
                line = (f"round {round_ + 1} {'load   ' if loaded else 'no load'}: run {r['run_s']:8.3f} s "
                        f"(wall {r['wall_s']:.3f} s), server CPU {r['server_cpu_s']:.2f} s, other processes {r['other_cpu_s']:.2f} s")
                if loaded:
                    line += (f"; {r['requests']} requests at {r['rate']:.1f}/s, p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms, "
                             f"max {r['max_ms']:.1f} ms, late {r['late']}, errors {r['errors']}, client CPU {r['client_cpu_s']:.2f} s\n"
                             f"      by path p50/p99: /tasks/{TASK} {r['task_p50_ms']:.2f}/{r['task_p99_ms']:.2f} ms, "
                             f"/metrics {r['metrics_p50_ms']:.2f}/{r['metrics_p99_ms']:.2f} ms; "
                             f"before the trigger (no run) {r['idle_p50_ms']:.2f}/{r['idle_p99_ms']:.2f} ms; "
                             f"p99 from due time {r['p99_from_due_ms']:.1f} ms")
                print(line, flush=True)
                for sample in r.get("error_samples", []):
                    print(f"    error: {sample}")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    quiet = [r for r in runs if not r["loaded"]]
    loaded = [r for r in runs if r["loaded"]]
    q_min, q_med = min(r["run_s"] for r in quiet), statistics.median(r["run_s"] for r in quiet)
    l_min, l_med = min(r["run_s"] for r in loaded), statistics.median(r["run_s"] for r in loaded)
    slow_min, slow_med = (l_min / q_min - 1) * 100, (l_med / q_med - 1) * 100
    latencies = {k: statistics.median(r[k] for r in loaded)
                 for k in ("rate", "p50_ms", "p99_ms", "p99_from_due_ms", "idle_p50_ms", "idle_p99_ms")}
    cpu_q = statistics.median(r["server_cpu_s"] / r["run_s"] for r in quiet)
    cpu_l = statistics.median(r["server_cpu_s"] / r["run_s"] for r in loaded)
    client = statistics.median(r["client_cpu_s"] / r["wall_s"] for r in loaded)
    client_q = statistics.median(r["client_cpu_s"] / r["wall_s"] for r in quiet)
    print(f"\nrun time, {len(quiet)} runs each (s)     min        median")
    print(f"  no load                      {q_min:9.3f}  {q_med:9.3f}")
    print(f"  {args.rate:g} req/s                  {l_min:9.3f}  {l_med:9.3f}")
    print(f"  slowdown                     {slow_min:+8.1f}%  {slow_med:+8.1f}%   (target < {args.target:g}%)")
    print(f"load: achieved {latencies['rate']:.1f} req/s, latency p50 {latencies['p50_ms']:.2f} ms, p99 {latencies['p99_ms']:.2f} ms "
          f"(medians over the loaded runs); p99 from due time {latencies['p99_from_due_ms']:.2f} ms; "
          f"with no run going p50 {latencies['idle_p50_ms']:.2f} ms, p99 {latencies['idle_p99_ms']:.2f} ms; "
          f"late {sum(r['late'] for r in loaded)} of {sum(r['requests'] for r in loaded)}, errors {sum(r['errors'] for r in loaded)}")
    print(f"CPU per second of run: server {cpu_q:.2f} without load, {cpu_l:.2f} with; this script {client:.2f} with load, "
          f"{client_q:.2f} without (of {os.cpu_count()} cores)")
    others = max(r["other_cpu_s"] / r["wall_s"] for r in runs)
    if others > 0.1:
        print(f"WARNING: other processes used up to {others:.2f} cores during a run: the machine was not quiet, "
              "the figures are noisy")
    verdict = "within" if slow_med < args.target else "OVER"
    print(f"verdict: median slowdown {slow_med:+.1f}% is {verdict} the {args.target:g}% target")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"worker": worker, "rows": args.rows, "files": args.files, "rate": args.rate, "runs": runs,
                       "summary": {"no_load_min_s": q_min, "no_load_median_s": q_med, "load_min_s": l_min, "load_median_s": l_med,
                                   "slowdown_min_pct": slow_min, "slowdown_median_pct": slow_med, **latencies}}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
