#!/usr/bin/env python3
"""The 5-minute schedule's common case: one new small snapshot on a large table.

    python3 Benchmarks/incremental_bench.py --worker .build-bench/release/ingest-worker
        [--snapshots 1000] [--files 20] [--rounds 5] [--rows 100] [--json OUT] [--fresh]

The table: Iceberg v2, <snapshots> fast appends of <files> one-row Parquet files each
(`Tests/Fixtures/iceberg/make_planning_table.py`: 1,000 snapshots, 1,000 manifests and 20,000
data files by default, only the newest metadata.json kept, as tables that expire metadata do).
An `iceberg-table` task (local push, local state) ingests all of it once; table, state and
segments are then kept under Benchmarks/Data/incremental-<snapshots>x<files>/ (not committed) and
restored for every invocation, so each starts from the same warm state.

Each round appends one snapshot of <rows> rows in one file (pyiceberg, through a throwaway SQL
catalog that registers the table), then times `ingest-worker run` as a whole process: wall
clock from exec to exit, and from its log the planning time and the manifest lists and
manifests it read. The run must be COMPLETED with exactly the new rows, checkpointed at the new
snapshot. The peer, measured in the same round on the same snapshot: pyiceberg's
`table.scan().plan_files()` (it reads every manifest of the snapshot) and its incremental
equivalent, the entries of the manifests the new snapshot added (its manifest list read, those
manifests fetched). Target: the run
under a second of wall clock.
"""
import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DATA = os.path.join(HERE, "Data")


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def table_location(work, snapshots, files):
    return os.path.join(work, "table", "warehouse", "bench", f"planning_{snapshots}x{files}")


def newest_metadata(location):
    """The newest metadata.json (pyiceberg names them <version>-<uuid>.metadata.json)."""
    def version(path):
        return int(os.path.basename(path).split("-")[0])
    return max(glob.glob(os.path.join(location, "metadata", "*.metadata.json")), key=version)


def write_task(work, location):
    config = os.path.join(work, "task.json")
    with open(config, "w") as f:
        json.dump({"taskName": "incremental", "table": "incremental",
                   "source": {"type": "iceberg-table", "location": "file://" + location},
                   "schema": {"timeColumn": None},
                   "push": {"outputDir": os.path.join(work, "segments")}, "stateDir": os.path.join(work, "state")}, f)
    return config


def timed_run(worker, config):
    """(wall seconds, log text, status) of one `run`."""
    start = time.perf_counter()
    result = run([worker, "run", "--config", config])
    wall = time.perf_counter() - start
    log = result.stdout + result.stderr
    if result.returncode != 0:
        raise SystemExit(f"error: run exited {result.returncode}:\n{log[-3000:]}")
    with open(os.path.join(os.path.dirname(config), "state", "status.json")) as f:
        return wall, log, json.load(f)


def planned(log):
    """The run's `planned` log lines: (seconds, manifests read, files)."""
    lines = [line for line in log.splitlines() if line.rstrip().endswith("planned")]
    found = []
    for line in lines:
        fields = dict(re.findall(r"(\w+)=(\S+)", line))
        found.append((float(fields.get("seconds", "nan")), int(fields.get("manifestsRead", "-1")), int(fields.get("files", "-1"))))
    return found


def prepare(worker, snapshots, files, fresh):
    """The work folder: table, state and segments after a first run (made once, then restored)."""
    base = os.path.join(DATA, f"incremental-{snapshots}x{files}")
    work, pristine = os.path.join(base, "work"), os.path.join(base, "pristine")
    marker = os.path.join(base, "pristine.json")
    if fresh:
        shutil.rmtree(base, ignore_errors=True)
    if not os.path.exists(marker):
        shutil.rmtree(base, ignore_errors=True)
        os.makedirs(work)
        print(f"writing the table ({snapshots} snapshots of {files} files) into {work} …", flush=True)
        made = run([sys.executable, os.path.join(REPO, "Tests/Fixtures/iceberg/make_planning_table.py"),
                    "--root", os.path.join(work, "table"), "--manifests", str(snapshots), "--files", str(files),
                    "--metadata-versions", "1"])
        if made.returncode != 0:
            raise SystemExit(f"error: make_planning_table.py failed:\n{made.stdout[-2000:]}{made.stderr[-2000:]}")
        config = write_task(work, table_location(work, snapshots, files))
        print("first run (every file) …", flush=True)
        wall, log, status = timed_run(worker, config)
        if status.get("state") != "COMPLETED" or status.get("rowsIngested") != snapshots * files:
            raise SystemExit(f"error: the first run should ingest {snapshots * files} rows: {status}")
        first = {"first_run_s": wall, "segments": status.get("segmentsPushed"), "rows": status.get("rowsIngested")}
        print(f"first run: {wall:.1f} s, {first['rows']:,} rows in {first['segments']} segment(s)", flush=True)
        shutil.copytree(work, pristine, symlinks=True)
        with open(marker, "w") as f:
            json.dump(first, f)
    # The table was written in work/, so the paths its metadata holds are work/'s.
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(pristine, work, symlinks=True)
    with open(marker) as f:
        return work, json.load(f)


def append_snapshot(location, part, rows):
    """Appends one file of `rows` rows (one partition): the new snapshot's id, and pyiceberg's
    planning times of it (full scan and added files only)."""
    import pyarrow as pa
    from pyiceberg.catalog.sql import SqlCatalog

    with tempfile.TemporaryDirectory() as tmp:
        catalog = SqlCatalog("bench", uri=f"sqlite:///{tmp}/catalog.db", warehouse="file://" + os.path.dirname(os.path.dirname(location)))
        catalog.create_namespace("bench")
        table = catalog.register_table("bench.t", newest_metadata(location))
        schema = table.schema().as_arrow()
        batch = pa.Table.from_pydict({"id": list(range(part * 1000, part * 1000 + rows)), "part": [part] * rows,
                                      "payload": [f"new row {i}" for i in range(rows)]}, schema=schema)
        table.append(batch)
        table = catalog.load_table("bench.t")
        snapshot = table.current_snapshot()
        start = time.perf_counter()
        planned_files = list(table.scan().plan_files())
        full = time.perf_counter() - start
        start = time.perf_counter()
        added = [entry for manifest in snapshot.manifests(table.io) if manifest.added_snapshot_id == snapshot.snapshot_id
                 for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True)]
        incremental = time.perf_counter() - start
        return snapshot.snapshot_id, {"pyiceberg_plan_files_s": full, "pyiceberg_planned_files": len(planned_files),
                                      "pyiceberg_added_files_s": incremental, "pyiceberg_added_files": len(added)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", default=os.path.join(REPO, ".build", "release", "ingest-worker"))
    parser.add_argument("--snapshots", type=int, default=1000, help="snapshots (one manifest each) in the table (default 1000)")
    parser.add_argument("--files", type=int, default=20, help="one-row data files per snapshot (default 20)")
    parser.add_argument("--rounds", type=int, default=5, help="new snapshots, one run each (default 5)")
    parser.add_argument("--rows", type=int, default=100, help="rows in each new snapshot (default 100)")
    parser.add_argument("--target", type=float, default=1.0, help="seconds a run may take (default 1)")
    parser.add_argument("--fresh", action="store_true", help="make the table and the first run again")
    parser.add_argument("--json", help="also write the rounds and the summary to this file")
    args = parser.parse_args()
    worker = os.path.abspath(args.worker)
    if not os.access(worker, os.X_OK):
        raise SystemExit(f"error: {worker} is not an executable")

    work, first = prepare(worker, args.snapshots, args.files, args.fresh)
    location = table_location(work, args.snapshots, args.files)
    config = write_task(work, location)
    print(f"worker {worker}\ntable  {location}: {args.snapshots:,} snapshots, {args.snapshots * args.files:,} files "
          f"(first run {first['first_run_s']:.1f} s); each round appends {args.rows} rows in one file\n", flush=True)
    rounds = []
    for r in range(args.rounds):
        snapshot_id, peer = append_snapshot(location, 100_000 + r, args.rows)
        wall, log, status = timed_run(worker, config)
        plans = planned(log)
        if status.get("state") != "COMPLETED" or status.get("rowsIngested") != args.rows \
                or status.get("lastIngestedSnapshotId") != snapshot_id:
            raise SystemExit(f"error: the run should ingest {args.rows} rows of snapshot {snapshot_id}: {status}")
        result = {"round": r + 1, "snapshot": snapshot_id, "wall_s": wall, "plan_s": sum(p[0] for p in plans),
                  "manifests_read": sum(p[1] for p in plans), "files_planned": sum(p[2] for p in plans), **peer}
        rounds.append(result)
        print(f"round {r + 1}: run {wall:.3f} s (planning {result['plan_s']:.3f} s, {result['manifests_read']} manifest "
              f"lists and manifests read, {result['files_planned']} file planned); pyiceberg plan_files "
              f"{peer['pyiceberg_plan_files_s']:.3f} s ({peer['pyiceberg_planned_files']:,} files), added files "
              f"{peer['pyiceberg_added_files_s']:.3f} s", flush=True)
    walls = [r["wall_s"] for r in rounds]
    median = statistics.median(walls)
    print(f"\nrun wall: median {median:.3f} s, max {max(walls):.3f} s (target < {args.target:g} s); planning median "
          f"{statistics.median(r['plan_s'] for r in rounds):.3f} s; manifests read per run "
          f"{sorted(set(r['manifests_read'] for r in rounds))}; pyiceberg plan_files median "
          f"{statistics.median(r['pyiceberg_plan_files_s'] for r in rounds):.3f} s, added files median "
          f"{statistics.median(r['pyiceberg_added_files_s'] for r in rounds):.3f} s")
    print(f"verdict: {'within' if max(walls) < args.target else 'OVER'} the {args.target:g} s target")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"worker": worker, "snapshots": args.snapshots, "files": args.files, "first": first, "rounds": rounds}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
