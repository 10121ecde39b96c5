#!/usr/bin/env python3
"""Mirror benchmark: when an Iceberg table changes by row-level deletes, `ingest-worker run`
rebuilds only the segments holding the data files the deletes hit. For each scenario: rows
rewritten per row deleted, and the wall time of the incremental run against a full rebuild (a
first run, fresh state, on the changed snapshot).

    Tests/Fixtures/spark/setup_env.sh                  # once: venv + jars in /tmp/lakeingest-spark-env
    swift build -c release --product ingest-worker
    /tmp/lakeingest-spark-env/venv/bin/python Benchmarks/mirror_bench.py \
        [--worker PATH] [--runs N] [--generate-only] [--scenarios partition,range,scattered,eq-part,eq-global]

--worker defaults to .build-bench/release/ingest-worker, --runs to 3. Not part of any
test suite: it needs Spark 3.5.8 + Iceberg 1.10.2 and Java 17 (about 1.5 minutes on 2 cores,
generation included).

Data (Benchmarks/Data/mirror/, not committed; generated once, then reused): a format-v2
merge-on-read Iceberg table (Hadoop catalog, local warehouse; `write.{delete,update,merge}.mode`
= merge-on-read) of 5,000,000 rows `id bigint, category string, qty int, price double,
ts timestamp`, partitioned by identity(category) (10 values 'a'..'j', 500,000 consecutive ids
each), as 50 Parquet data files of 100,000 rows (5 per partition, each a contiguous id range:
file k holds ids k*100,000 .. k*100,000+99,999). The table is created unpartitioned and then
given its partition field before any row is written, so that spec 0 (unpartitioned) exists and a
global equality delete file can be committed. Segments of 100,000 rows: one data file each, 50
segments.

Scenarios, each on a fresh copy of that table: a first run (50 segments), the change committed by
Spark (or the Iceberg Java API over py4j, as Tests/Fixtures/spark/make_tables.py does), the
incremental run (timed, best of N, state restored before each), then a full rebuild (timed, best
of N, fresh state each time):

- partition  `DELETE FROM t WHERE category = 'c'` (Spark drops the 5 files: metadata only)
- range      `DELETE FROM t WHERE id BETWEEN 2,350,000 AND 2,359,999` (position deletes, 1 file)
- scattered  `DELETE FROM t WHERE id % 1000 = 0` (0.1%: position deletes in every file)
- eq-part    1,000 ids (500 from each of two files of partition 'e') as one equality delete file
             on `id` in partition 'e' (RowDelta through the Java API)
- eq-global  1,000 ids (500 from a file of 'b', 500 from a file of 'h') as one unpartitioned
             (global) equality delete file on `id`

Checks after each scenario: the full rebuild's `rowsIngested` equals Spark's count; the
incremental folder's live segments (tarballs in the output folder) equal the ledger's lines
(`state/segments.jsonl`), and the ledger's rows sum to Spark's count. Every time is a whole
process (wall clock through process_launcher.py).
"""
import json
import os
import sys

# Imported first: it starts the launcher before anything large is loaded.
import process_launcher  # noqa: E402
import argparse  # noqa: E402
import shutil  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "Data", "mirror")
BASE = os.path.join(ROOT, "base")            # the generated table, kept
WAREHOUSE = os.path.join(ROOT, "warehouse")  # the warehouse Spark writes in (the table's location)
TABLE_DIR = os.path.join(WAREHOUSE, "db", "t")
WORK = os.path.join(ROOT, "work")
JARS = os.environ.get("LAKEINGEST_SPARK_JARS", "/tmp/lakeingest-spark-env/jars")
NS = "local.db"
ROWS = 5_000_000
FILES = 50
FILE_ROWS = ROWS // FILES
CATEGORIES = "abcdefghij"
PART_ROWS = ROWS // len(CATEGORIES)
T0_MS = 1_700_000_000_000
MOR = {"write.delete.mode": "merge-on-read", "write.update.mode": "merge-on-read",
       "write.merge.mode": "merge-on-read"}
SCENARIOS = ["partition", "range", "scattered", "eq-part", "eq-global"]


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------- Spark

def start_spark():
    from pyspark.sql import SparkSession
    jars = [os.path.join(JARS, "iceberg-spark-runtime-3.5_2.12-1.10.2.jar"),
            os.path.join(JARS, "iceberg-shaded-jackson-2.15.2.jar")]
    for j in jars:
        if not os.path.exists(j):
            sys.exit(f"missing {j}: run Tests/Fixtures/spark/setup_env.sh first")
    os.makedirs(WAREHOUSE, exist_ok=True)
    spark = (SparkSession.builder.master("local[2]").appName("lakeingest-mirror-bench")
             .config("spark.jars", ",".join(jars))
             .config("spark.driver.memory", "3g")
             .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
             .config("spark.sql.catalog.local", "org.apache.iceberg.spark.SparkCatalog")
             .config("spark.sql.catalog.local.type", "hadoop")
             .config("spark.sql.catalog.local.warehouse", "file:" + WAREHOUSE)
             .config("spark.sql.catalog.local.cache-enabled", "false")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def count(spark):
    return spark.sql(f"SELECT count(*) AS n FROM {NS}.t").collect()[0]["n"]


def data_files(spark):
    """How many live data files, and their record counts."""
    rows = spark.sql(f"SELECT record_count FROM {NS}.t.data_files").collect()
    return len(rows), sorted(r["record_count"] for r in rows)


# ---------------------------------------------------------------- the base table

def marker_text():
    return json.dumps({"table": TABLE_DIR, "rows": ROWS, "files": FILES, "layout": 2})


def generate(spark):
    """Makes the base table unless cached; returns (seconds it took, whether cached)."""
    marker = os.path.join(BASE, ".complete")
    if os.path.exists(marker):
        with open(marker) as fh:
            lines = fh.read().split("\n")
        if lines[0] == marker_text():
            log(f"base table cached in {BASE}")
            return float(lines[1]), True
    start = time.perf_counter()
    shutil.rmtree(BASE, ignore_errors=True)
    shutil.rmtree(TABLE_DIR, ignore_errors=True)
    props = {"format-version": "2", **MOR, "write.target-file-size-bytes": str(1 << 30),
             "write.distribution-mode": "none"}
    p = ", ".join(f"'{k}'='{v}'" for k, v in props.items())
    # unpartitioned first (spec 0, for a global equality delete), then identity(category) (spec 1)
    spark.sql(f"CREATE TABLE {NS}.t (id bigint NOT NULL, category string, qty int, price double, ts timestamp) "
              f"USING iceberg TBLPROPERTIES ({p})")
    spark.sql(f"ALTER TABLE {NS}.t ADD PARTITION FIELD category")
    cats = ", ".join(f"'{c}'" for c in CATEGORIES)
    # spark.range with 50 slices: each task holds 100,000 consecutive ids of one category -> one file
    df = spark.range(0, ROWS, 1, FILES).selectExpr(
        "id",
        f"element_at(array({cats}), CAST(id DIV {PART_ROWS} AS INT) + 1) AS category",
        "CAST(pmod(hash(id), 100) + 1 AS INT) AS qty",
        "round(pmod(hash(id, 17), 10000000) / 100.0, 2) AS price",
        f"timestamp_millis({T0_MS} + id * 1000 + pmod(hash(id, 3), 1000)) AS ts")
    df.writeTo(f"{NS}.t").append()
    n, counts = data_files(spark)
    if n != FILES or set(counts) != {FILE_ROWS} or count(spark) != ROWS:
        sys.exit(f"generated table has {n} files with counts {sorted(set(counts))}, not {FILES} of {FILE_ROWS}")
    shutil.copytree(TABLE_DIR, BASE)
    took = time.perf_counter() - start
    with open(marker, "w") as fh:
        fh.write(f"{marker_text()}\n{took:.1f}\n")
    log(f"generated {ROWS:,} rows in {FILES} files in {took:.1f}s -> {BASE}")
    return took, False


def fresh_table():
    """The table's folder as generated: metadata copied, data files hard-linked (never modified)."""
    shutil.rmtree(TABLE_DIR, ignore_errors=True)
    shutil.copytree(os.path.join(BASE, "metadata"), os.path.join(TABLE_DIR, "metadata"))
    shutil.copytree(os.path.join(BASE, "data"), os.path.join(TABLE_DIR, "data"), copy_function=os.link)


# ---------------------------------------------------------------- changes

def jtable(spark):
    return spark._jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark._jsparkSession, f"{NS}.t")


def eq_delete(spark, ids, partition_value):
    """One equality delete file on `id` with `ids`, in `partition_value`'s partition, or global
    (spec 0, unpartitioned) when None; committed with a RowDelta."""
    jvm, gw = spark._jvm, spark._sc._gateway
    jt = jtable(spark)
    schema = jt.schema()
    del_schema = schema.select(["id"])
    field_ids = gw.new_array(jvm.int, 1)
    field_ids[0] = schema.findField("id").fieldId()
    spec = jt.spec() if partition_value is not None else jt.specs().get(0)
    if partition_value is None and not spec.isUnpartitioned():
        sys.exit("spec 0 is not unpartitioned")
    fac = jvm.org.apache.iceberg.data.GenericAppenderFactory(schema, spec, field_ids, del_schema, None)
    fac.setAll(jt.properties())
    partition = None
    if partition_value is not None:
        partition = jvm.org.apache.iceberg.data.GenericRecord.create(spec.partitionType())
        partition.set(0, partition_value)
    FileFormat = jvm.org.apache.iceberg.FileFormat
    off = (jvm.org.apache.iceberg.io.OutputFileFactory.builderFor(jt, 1, 1)
           .format(FileFormat.PARQUET).operationId(str(uuid.uuid4())).build())
    out = off.newOutputFile() if partition is None else off.newOutputFile(spec, partition)
    # records built in the JVM from a Spark frame (keeps ids as java.lang.Long)
    jrows = spark.createDataFrame([(i,) for i in ids], "id bigint")._jdf.collectAsList()
    conv = jvm.org.apache.iceberg.spark.SparkValueConverter
    w = fac.newEqDeleteWriter(out, FileFormat.PARQUET, partition)
    for k in range(jrows.size()):
        w.write(conv.convert(del_schema, jrows.get(k)))
    w.close()
    jt.newRowDelta().addDeletes(w.toDeleteFile()).commit()


def file_ids(k, n):
    """n ids spread over data file k (ids k*100,000 .. k*100,000+99,999)."""
    step = FILE_ROWS // n
    return [k * FILE_ROWS + 37 + j * step for j in range(n)]


def change(spark, name):
    """Commits the scenario's change; returns (description, rows Spark deletes)."""
    before = count(spark)
    if name == "partition":
        desc = "DELETE WHERE category = 'c'"
        spark.sql(f"DELETE FROM {NS}.t WHERE category = 'c'")
    elif name == "range":
        x = 23 * FILE_ROWS + 50_000
        desc = f"DELETE WHERE id BETWEEN {x} AND {x + 9999}"
        spark.sql(f"DELETE FROM {NS}.t WHERE id BETWEEN {x} AND {x + 9999}")
    elif name == "scattered":
        desc = "DELETE WHERE id % 1000 = 0"
        spark.sql(f"DELETE FROM {NS}.t WHERE id % 1000 = 0")
    elif name == "eq-part":
        ids = file_ids(20, 500) + file_ids(22, 500)  # two files of partition 'e'
        desc = "eq delete on id, partition 'e': 1,000 ids of 2 files"
        eq_delete(spark, ids, "e")
    elif name == "eq-global":
        ids = file_ids(7, 500) + file_ids(38, 500)  # a file of 'b' and a file of 'h'
        desc = "eq delete on id, global: 1,000 ids of 2 files"
        eq_delete(spark, ids, None)
    else:
        raise ValueError(name)
    after = count(spark)
    return desc, before - after, after


# ---------------------------------------------------------------- the worker

def task_config(work):
    config = {
        "taskName": "mirror", "table": "mirror",
        "source": {"type": "iceberg-table", "location": "file://" + TABLE_DIR},
        "schema": {"timeColumn": None},
        "segments": {"maxRowsPerSegment": FILE_ROWS},
        "push": {"outputDir": os.path.join(work, "segments")},
        "stateDir": os.path.join(work, "state"),
    }
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "task.json")
    with open(path, "w") as fp:
        json.dump(config, fp)
    return path


def run_worker(worker, work):
    """Wall seconds of one `ingest-worker run` and its status.json; raises RuntimeError with the
    worker's stderr when it fails."""
    config = task_config(work)
    try:
        result = process_launcher.run([worker, "run", "--config", config])
    except SystemExit as e:
        raise RuntimeError(str(e)) from None
    with open(os.path.join(work, "state", "status.json")) as fh:
        status = json.load(fh)
    if status.get("state") != "COMPLETED":
        raise RuntimeError(f"status {status.get('state')}: {json.dumps(status.get('error'))}")
    return result["wall"], status


def ledger(work):
    with open(os.path.join(work, "state", "segments.jsonl")) as fh:
        lines = [json.loads(line) for line in fh if line.strip()]
    return len(lines), sum(e["rows"] for e in lines)


def live_segments(work):
    folder = os.path.join(work, "segments")
    return sum(1 for f in os.listdir(folder) if f.endswith((".tar.gz", ".tar.zst")))


def restore(src, dst):
    """dst := src; the state copied, the segment tarballs hard-linked (the local push renames and
    removes, never writes in place)."""
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(os.path.join(src, "state"), os.path.join(dst, "state"))
    shutil.copytree(os.path.join(src, "segments"), os.path.join(dst, "segments"), copy_function=os.link)
    shutil.copy(os.path.join(src, "task.json"), os.path.join(dst, "task.json"))


def scenario(spark, worker, name, runs):
    t0 = time.perf_counter()
    fresh_table()
    first, pristine, incr, full = (os.path.join(WORK, d) for d in ("first", "pristine", "incr", "full"))
    for d in (first, pristine, incr, full):
        shutil.rmtree(d, ignore_errors=True)
    wall_first, status = run_worker(worker, first)
    if status["segmentsPushed"] != FILES or status["rowsIngested"] != ROWS:
        raise RuntimeError(f"first run pushed {status['segmentsPushed']} segments, {status['rowsIngested']} rows")
    os.rename(first, pristine)
    log(f"{name}: first run {wall_first:.1f}s, {status['segmentsPushed']} segments")
    t1 = time.perf_counter()
    desc, deleted, expected = change(spark, name)
    log(f"{name}: {desc}: Spark deletes {deleted:,} rows ({expected:,} left) in {time.perf_counter() - t1:.1f}s")
    best_incr, step = None, None
    for _ in range(runs):
        restore(pristine, incr)
        wall, status = run_worker(worker, incr)
        if best_incr is None or wall < best_incr:
            best_incr = wall
        steps = status["snapshots"]
        if len(steps) != 1:
            raise RuntimeError(f"incremental run made {len(steps)} steps: {json.dumps(steps)}")
        step = steps[0]
    lines, ledger_rows = ledger(incr)
    live = live_segments(incr)
    best_full, full_status = None, None
    for _ in range(runs):
        shutil.rmtree(full, ignore_errors=True)
        wall, full_status = run_worker(worker, full)
        if best_full is None or wall < best_full:
            best_full = wall
    checks = []
    if full_status["rowsIngested"] != expected:
        checks.append(f"full rebuild rowsIngested {full_status['rowsIngested']:,} != Spark's {expected:,}")
    if live != lines:
        checks.append(f"{live} live segments != {lines} ledger lines")
    if ledger_rows != expected:
        checks.append(f"ledger rows {ledger_rows:,} != Spark's {expected:,}")
    log(f"{name}: step {json.dumps(step)}; incremental {best_incr:.2f}s, full {best_full:.2f}s; "
        f"ledger {lines} lines / {ledger_rows:,} rows, {live} live segments; "
        f"full: {full_status['segmentsPushed']} segments, {full_status['rowsIngested']:,} rows; "
        f"{'CHECKS FAILED: ' + '; '.join(checks) if checks else 'checks ok'}; scenario {time.perf_counter() - t0:.0f}s")
    for d in (pristine, incr, full):
        shutil.rmtree(d, ignore_errors=True)
    return {"name": name, "desc": desc, "deleted": deleted, "replaced": step["segmentsReplaced"],
            "rewritten": step["rows"], "engineDeleted": step["rowsDeleted"], "incr": best_incr, "full": best_full,
            "checks": checks, "seconds": time.perf_counter() - t0}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", default=".build-bench/release/ingest-worker")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--generate-only", action="store_true", help="make the base table and stop")
    args = parser.parse_args()
    worker = os.path.abspath(args.worker)
    if not os.access(worker, os.X_OK):
        sys.exit(f"no worker at {worker}")
    names = args.scenarios.split(",")
    for n in names:
        if n not in SCENARIOS:
            sys.exit(f"unknown scenario {n}; choose from {SCENARIOS}")
    spark = start_spark()
    gen, cached = generate(spark)
    if args.generate_only:
        spark.stop()
        return 0
    results = []
    for name in names:
        try:
            results.append(scenario(spark, worker, name, args.runs))
        except Exception as e:  # an engine error: reported, the other scenarios go on
            log(f"{name}: FAILED: {e}")
            results.append({"name": name, "error": str(e)})
    spark.stop()
    fresh_table()  # leave the warehouse as generated

    print()
    print(f"{ROWS:,} rows, {FILES} data files = {FILES} segments of {FILE_ROWS:,} rows; "
          f"{os.cpu_count()} cores; best of {args.runs}; generation {gen:.0f}s" + (" (earlier, cached)" if cached else ""))
    head = ("scenario", "rows deleted", "segments replaced", "rows rewritten", "rewritten/deleted",
            "incremental s", "full rebuild s", "full/incr")
    rows = []
    for r in results:
        if "error" in r:
            rows.append((r["name"], "ERROR", "", "", "", "", "", ""))
            continue
        per = f"{r['rewritten'] / r['deleted']:.1f}" if r["deleted"] else "-"
        rows.append((r["name"], f"{r['deleted']:,}", f"{r['replaced']} of {FILES}", f"{r['rewritten']:,}", per,
                     f"{r['incr']:.2f}", f"{r['full']:.2f}", f"{r['full'] / r['incr']:.1f}x"))
    widths = [max(len(str(x[i])) for x in [head] + rows) for i in range(len(head))]
    print("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(head, widths))))
    for row in rows:
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    print()
    for r in results:
        if "error" in r:
            print(f"{r['name']}: ERROR {r['error']}")
        else:
            print(f"{r['name']}: {r['desc']}; engine rowsDeleted {r['engineDeleted']:,}; "
                  f"{'checks ok' if not r['checks'] else 'CHECKS FAILED: ' + '; '.join(r['checks'])}; {r['seconds']:.0f}s")
    return 1 if any("error" in r or r.get("checks") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
