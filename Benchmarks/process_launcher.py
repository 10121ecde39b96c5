"""Whole-process measurements for the benchmark scripts: wall clock, user+system CPU and peak
RSS from wait4().

Peak RSS (ru_maxrss) survives fork and exec: a child of a script that has loaded numpy or
pyarrow would report at least the script's own size. So every measured process is started by a
small launcher process, which this module starts when it is imported: import it before
anything large is loaded.
"""
import json
import subprocess
import sys

LAUNCHER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    argv = json.loads(line)
    start = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    print(json.dumps({"wall": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
                      "rss": usage.ru_maxrss / 1024, "code": os.waitstatus_to_exitcode(status), "err": err[-2000:].decode()}), flush=True)
"""
_launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def run(argv):
    """{wall, cpu, rss (MiB)} of one run of `argv`; exits naming it when it fails."""
    _launcher.stdin.write(json.dumps(argv) + "\n")
    _launcher.stdin.flush()
    result = json.loads(_launcher.stdout.readline())
    if result["code"] != 0:
        raise SystemExit(f"{argv[0]} failed: {result['err']}")
    return result
