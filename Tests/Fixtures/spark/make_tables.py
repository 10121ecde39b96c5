#!/usr/bin/env python3
"""Generate Iceberg tables with row-level deletes using Spark 3.5.8 + Iceberg 1.10.2.

    Tests/Fixtures/spark/setup_env.sh                  # once: venv + jars in /tmp/lakeingest-spark-env
    /tmp/lakeingest-spark-env/venv/bin/python Tests/Fixtures/spark/make_tables.py --out Tests/Fixtures/spark

Writes <out>/tables/<table>/{metadata,data}/ (copied verbatim from the generation warehouse; paths in
the metadata stay the absolute file:/tmp/... paths of that warehouse) and
<out>/tables/<table>/expected.json (rows Spark reads at every metadata version). See README.md.
"""
import argparse
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
import uuid

from pyspark.sql import SparkSession
from pyspark.sql.types import (DoubleType, IntegerType, LongType, StringType, StructField,
                               StructType, TimestampType)

NS = "local.db"
T0_MS = 1_700_000_000_000  # 2023-11-14T22:13:20Z

SRC_SCHEMA = StructType([
    StructField("id", LongType(), False),
    StructField("category", StringType(), True),
    StructField("qty", IntegerType(), True),
    StructField("price", DoubleType(), True),
    StructField("ts_ms", LongType(), True),
])
DDL_COLS = "id bigint NOT NULL, category string, qty int, price double, ts timestamp"

LOG = []


def log(msg):
    line = f"[{time.strftime('%H:%M:%S')}] {msg}"
    LOG.append(line)
    print(line, flush=True)


def make_rows(ids, seed):
    """Deterministic rows. Every batch has NULLs in category, qty and price."""
    rnd = random.Random(seed)
    cats = ["a", "b", "c", "d", None]
    rows = []
    for k, i in enumerate(ids):
        cat = cats[(i * 7 + seed) % 5] if k % 11 else None
        qty = None if k % 13 == 5 else rnd.randint(0, 50)
        price = None if k % 17 == 3 else round(rnd.uniform(1, 100), 2)
        ts = T0_MS + i * 3_600_123 + rnd.randint(0, 999)
        if i == 1:
            ts = -86_400_000 * 365 + 123  # before 1970
        rows.append((i, cat, qty, price, ts))
    return rows


class Gen:
    def __init__(self, spark, warehouse):
        self.spark = spark
        self.warehouse = warehouse
        self.jvm = spark._jvm
        self.gw = spark._sc._gateway
        self.history = {}  # table -> list of step descriptions (one per metadata version)

    # ---------- helpers ----------
    def sql(self, q):
        log(f"SQL: {' '.join(q.split())}")
        return self.spark.sql(q)

    def step(self, table, text):
        self.history.setdefault(table, []).append(text)

    def create(self, table, props, partitioned=True, cols=DDL_COLS):
        p = ", ".join(f"'{k}'='{v}'" for k, v in props.items())
        part = "PARTITIONED BY (category)" if partitioned else ""
        self.sql(f"CREATE TABLE {NS}.{table} ({cols}) USING iceberg {part} TBLPROPERTIES ({p})")
        self.step(table, f"CREATE TABLE ({'partitioned by category' if partitioned else 'unpartitioned'}; {p})")

    def view(self, name, rows, extra_cols=None):
        df = self.spark.createDataFrame(rows, SRC_SCHEMA if not extra_cols else extra_cols)
        sel = ["id", "category", "qty", "price", "timestamp_millis(ts_ms) AS ts"]
        if extra_cols:
            sel += [f.name for f in extra_cols.fields if f.name not in SRC_SCHEMA.fieldNames()]
        df.selectExpr(*sel).createOrReplaceTempView(name)

    def insert(self, table, rows, note=None):
        self.view("src", rows)
        self.sql(f"INSERT INTO {NS}.{table} SELECT * FROM src")
        ids = [r[0] for r in rows]
        self.step(table, note or f"INSERT {len(rows)} rows (ids {min(ids)}..{max(ids)})")

    def compact(self, table, note="CALL rewrite_data_files (min-input-files=1)"):
        r = self.sql(f"CALL local.system.rewrite_data_files(table => 'db.{table}', "
                     f"options => map('min-input-files','1'))").collect()
        log(f"rewrite_data_files -> {r}")
        self.step(table, note + f" -> {r[0].asDict() if r else None}")

    def jtable(self, table):
        return self.jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(
            self.spark._jsparkSession, f"{NS}.{table}")

    def _records(self, rows, schema_ddl, iceberg_schema, ts_field=None, ts_values=None):
        """Spark rows -> Iceberg GenericRecords without passing values through Python (py4j would
        turn a small Python int into java.lang.Integer; SparkValueConverter keeps Spark's Long)."""
        df = self.spark.createDataFrame(rows, schema_ddl)
        jrows = df._jdf.collectAsList()
        conv = self.jvm.org.apache.iceberg.spark.SparkValueConverter
        recs = []
        for i in range(jrows.size()):
            rec = conv.convert(iceberg_schema, jrows.get(i))
            if ts_field is not None:
                ms = ts_values[i]
                if ms is None:
                    rec.setField(ts_field, None)
                else:  # generic Parquet writer wants OffsetDateTime for timestamptz
                    inst = self.jvm.java.time.Instant.ofEpochMilli(ms)
                    rec.setField(ts_field, self.jvm.java.time.OffsetDateTime.ofInstant(
                        inst, self.jvm.java.time.ZoneOffset.UTC))
            recs.append(rec)
        return recs

    def _partition(self, jt, value):
        spec = jt.spec()
        if spec.isUnpartitioned():
            return None
        p = self.jvm.org.apache.iceberg.data.GenericRecord.create(spec.partitionType())
        p.set(0, value)
        return p

    def _out(self, jt, partition, task):
        FileFormat = self.jvm.org.apache.iceberg.FileFormat
        off = (self.jvm.org.apache.iceberg.io.OutputFileFactory.builderFor(jt, 1, task)
               .format(FileFormat.PARQUET).operationId(str(uuid.uuid4())).build())
        return off.newOutputFile() if partition is None else off.newOutputFile(jt.spec(), partition)

    def eq_delete_file(self, jt, key_cols, key_rows, partition_value=None, task=1):
        """Write one equality delete file (Parquet) keyed on key_cols with the given key rows."""
        schema = jt.schema()
        del_schema = schema.select(key_cols)
        ids = self.gw.new_array(self.jvm.int, len(key_cols))
        for i, c in enumerate(key_cols):
            ids[i] = schema.findField(c).fieldId()
        fac = self.jvm.org.apache.iceberg.data.GenericAppenderFactory(
            schema, jt.spec(), ids, del_schema, None)
        fac.setAll(jt.properties())
        partition = self._partition(jt, partition_value)
        out = self._out(jt, partition, task)
        ddl = ", ".join({"id": "id bigint", "category": "category string", "qty": "qty int"}[c]
                        for c in key_cols)
        recs = self._records(key_rows, ddl, del_schema)
        w = fac.newEqDeleteWriter(out, self.jvm.org.apache.iceberg.FileFormat.PARQUET, partition)
        for r in recs:
            w.write(r)
        w.close()
        f = w.toDeleteFile()
        log(f"eq delete file {f.location()} keys={key_cols} rows={key_rows} partition={partition_value}")
        return f

    def data_file(self, jt, rows, partition_value=None, task=2):
        schema = jt.schema()
        fac = self.jvm.org.apache.iceberg.data.GenericAppenderFactory(schema, jt.spec())
        fac.setAll(jt.properties())
        partition = self._partition(jt, partition_value)
        out = self._out(jt, partition, task)
        # ts goes in as NULL and is then set to an OffsetDateTime built in the JVM
        recs = self._records([r[:4] + (None,) for r in rows],
                             "id bigint, category string, qty int, price double, ts timestamp",
                             schema, ts_field="ts", ts_values=[r[4] for r in rows])
        w = fac.newDataWriter(out, self.jvm.org.apache.iceberg.FileFormat.PARQUET, partition)
        for r in recs:
            w.write(r)
        w.close()
        f = w.toDataFile()
        log(f"data file {f.location()} rows={len(rows)} partition={partition_value}")
        return f

    def row_delta(self, table, deletes=(), adds=(), note=""):
        jt = self.jtable(table)
        rd = jt.newRowDelta()
        for d in deletes:
            rd = rd.addDeletes(d)
        for a in adds:
            rd = rd.addRows(a)
        rd.commit()
        log(f"RowDelta committed on {table}: {note}")
        self.step(table, note)


# ---------------------------------------------------------------- tables

MOR = {"write.delete.mode": "merge-on-read", "write.update.mode": "merge-on-read",
       "write.merge.mode": "merge-on-read"}
SMALL_ROW_GROUPS = {"write.parquet.row-group-size-bytes": "1",
                    "write.parquet.row-group-check-min-record-count": "10",
                    "write.parquet.row-group-check-max-record-count": "10"}


def merge_source(g, name, matched_update, matched_delete, new_ids, seed):
    rows = []
    for i in matched_update:
        rows.append((i, "b" if i % 2 else "d", 7 + i % 5, round(500 + i / 4, 2), T0_MS + i, "U"))
    for i in matched_delete:
        rows.append((i, None, None, None, T0_MS, "D"))
    for r in make_rows(new_ids, seed):
        rows.append(r + ("I",))
    schema = StructType(SRC_SCHEMA.fields + [StructField("op", StringType(), False)])
    df = g.spark.createDataFrame(rows, schema)
    df.selectExpr("id", "category", "qty", "price", "timestamp_millis(ts_ms) AS ts", "op") \
        .createOrReplaceTempView(name)


MERGE_SQL = """MERGE INTO {t} t USING {s} s ON t.id = s.id
WHEN MATCHED AND s.op = 'D' THEN DELETE
WHEN MATCHED THEN UPDATE SET t.category = s.category, t.qty = s.qty, t.price = s.price
WHEN NOT MATCHED THEN INSERT (id, category, qty, price, ts) VALUES (s.id, s.category, s.qty, s.price, s.ts)"""


def build_mor_v2(g):
    t = "mor_v2"
    g.create(t, {"format-version": "2", **MOR, **SMALL_ROW_GROUPS})
    g.insert(t, make_rows(range(1, 61), 1))
    g.insert(t, make_rows(range(61, 121), 2))
    g.insert(t, make_rows(range(121, 181), 3))
    g.sql(f"DELETE FROM {NS}.{t} WHERE id % 7 = 0")
    g.step(t, "DELETE WHERE id % 7 = 0")
    g.sql(f"UPDATE {NS}.{t} SET qty = qty + 100 WHERE category = 'b'")
    g.step(t, "UPDATE SET qty = qty + 100 WHERE category = 'b'")
    merge_source(g, "msrc", matched_update=[2, 3, 10, 65, 130], matched_delete=[4, 66, 131],
                 new_ids=[14, 181, 182, 183, 184, 185], seed=4)
    g.sql(MERGE_SQL.format(t=f"{NS}.{t}", s="msrc"))
    g.step(t, "MERGE: update ids 2,3,10,65,130 (category may change), delete ids 4,66,131, "
              "insert ids 14 (deleted earlier by id % 7), 181..185")
    g.compact(t)
    g.sql(f"ALTER TABLE {NS}.{t} ADD COLUMN note string")
    g.step(t, "ALTER TABLE ADD COLUMN note string (no new snapshot)")
    rows = make_rows(range(186, 196), 5)
    schema = StructType(SRC_SCHEMA.fields + [StructField("note", StringType(), True)])
    g.view("src2", [r + (None if k == 3 else f"note-{r[0]}",) for k, r in enumerate(rows)], schema)
    g.sql(f"INSERT INTO {NS}.{t} SELECT * FROM src2")
    g.step(t, "INSERT 10 rows with note (ids 186..195)")
    g.sql(f"ALTER TABLE {NS}.{t} RENAME COLUMN qty TO quantity")
    g.step(t, "ALTER TABLE RENAME COLUMN qty TO quantity (no new snapshot)")
    g.sql(f"DELETE FROM {NS}.{t} WHERE quantity > 120")
    g.step(t, "DELETE WHERE quantity > 120")


def build_dv_v3(g):
    t = "dv_v3"
    g.create(t, {"format-version": "3", **MOR, **SMALL_ROW_GROUPS})
    g.insert(t, make_rows(range(1, 61), 11))
    g.insert(t, make_rows(range(61, 121), 12))
    g.insert(t, make_rows(range(121, 181), 13))
    g.sql(f"DELETE FROM {NS}.{t} WHERE id % 7 = 0")
    g.step(t, "DELETE WHERE id % 7 = 0")
    g.sql(f"UPDATE {NS}.{t} SET qty = qty + 100 WHERE category = 'b'")
    g.step(t, "UPDATE SET qty = qty + 100 WHERE category = 'b'")
    merge_source(g, "msrc", matched_update=[2, 3, 10, 65, 130], matched_delete=[4, 66, 131],
                 new_ids=[14, 181, 182, 183, 184, 185], seed=14)
    g.sql(MERGE_SQL.format(t=f"{NS}.{t}", s="msrc"))
    g.step(t, "MERGE: update ids 2,3,10,65,130, delete ids 4,66,131, insert ids 14, 181..185")
    g.sql(f"DELETE FROM {NS}.{t} WHERE id % 5 = 0")
    g.step(t, "DELETE WHERE id % 5 = 0 (hits files that already have a DV: the new DV replaces it)")
    g.compact(t)
    g.sql(f"DELETE FROM {NS}.{t} WHERE id % 3 = 0 AND id < 100")
    g.step(t, "DELETE WHERE id % 3 = 0 AND id < 100 (DVs on the compacted files)")


def build_cow_v2(g):
    t = "cow_v2"
    g.create(t, {"format-version": "2"})
    g.insert(t, make_rows(range(1, 61), 21))
    g.insert(t, make_rows(range(61, 121), 22))
    g.sql(f"DELETE FROM {NS}.{t} WHERE id % 7 = 0")
    g.step(t, "DELETE WHERE id % 7 = 0 (copy-on-write: rewrites files)")
    g.sql(f"UPDATE {NS}.{t} SET qty = qty + 100 WHERE category = 'b'")
    g.step(t, "UPDATE SET qty = qty + 100 WHERE category = 'b'")
    merge_source(g, "msrc", matched_update=[2, 3, 10, 65], matched_delete=[4, 66],
                 new_ids=[14, 121, 122, 123, 124], seed=24)
    g.sql(MERGE_SQL.format(t=f"{NS}.{t}", s="msrc"))
    g.step(t, "MERGE: update ids 2,3,10,65, delete ids 4,66, insert ids 14, 121..124")
    g.sql(f"DELETE FROM {NS}.{t} WHERE category = 'c'")
    g.step(t, "DELETE WHERE category = 'c' (whole partition: metadata-only delete)")
    rows = [(i, "a", i % 9, round(i * 1.25, 2), T0_MS + i * 1000) for i in range(201, 209)]
    rows[2] = (203, "a", None, None, T0_MS)
    g.view("src", rows)
    g.sql(f"INSERT OVERWRITE {NS}.{t} SELECT * FROM src")
    g.step(t, "INSERT OVERWRITE (dynamic) partition category='a' with ids 201..208")
    g.compact(t)


def build_eq(g, t, partitioned):
    g.create(t, {"format-version": "2"}, partitioned=partitioned)
    b1 = make_rows(range(1, 41), 31)
    b2 = make_rows(range(41, 81), 32)
    g.insert(t, b1)
    g.insert(t, b2)
    rows_by_id = {r[0]: r for r in b1 + b2}
    jt = g.jtable(t)
    del1 = [3, 10, 20, 41, 55, 77]
    if not partitioned:
        f = g.eq_delete_file(jt, ["id"], [(i,) for i in del1])
        g.row_delta(t, deletes=[f], note=f"equality delete (Java RowDelta) on id: {del1}")
    else:
        # one file per partition, each holding the ids of its own partition, plus one id (the
        # first of another partition) that must NOT delete because the partition differs
        by_part = {}
        for i in del1:
            by_part.setdefault(rows_by_id[i][1], []).append(i)
        files, desc = [], []
        for k, (cat, ids) in enumerate(sorted(by_part.items(), key=lambda kv: str(kv[0]))):
            decoy = next(r[0] for r in b1 + b2 if r[1] != cat and r[0] not in del1)
            files.append(g.eq_delete_file(jt, ["id"], [(i,) for i in ids + [decoy]], cat, task=10 + k))
            desc.append(f"partition {cat!r}: ids {ids} + {decoy} (lives in another partition: kept)")
        g.row_delta(t, deletes=files, note="equality deletes (Java RowDelta) on id, one file per partition: "
                                         + "; ".join(desc))
    # re-insert deleted ids 3 and 41 (newer data sequence number -> not deleted)
    b3 = make_rows([3, 41] + list(range(81, 101)), 33)
    g.insert(t, b3, note="INSERT 22 rows: ids 3, 41 (deleted before; re-inserted, must survive), 81..100")
    allrows = b1 + b2 + b3
    # delete on (category, qty), including NULL keys
    jt = g.jtable(t)
    live = [r for r in allrows if r[0] not in del1 or r in b3]  # rows alive after the id delete
    null_q = next(r for r in live if r[2] is None and r[1] is not None)
    null_c = next(r for r in live if r[1] is None and r[2] is not None)
    pair = next(r for r in live if r[1] == "a" and r[2] is not None)
    keys = [(pair[1], pair[2]), (null_q[1], None), (None, null_c[2]), (None, None), ("zz", 1)]
    if not partitioned:
        f = g.eq_delete_file(jt, ["category", "qty"], keys)
        g.row_delta(t, deletes=[f], note=f"equality delete on (category, qty) keys {keys} "
                                         "(NULL in a key matches NULL)")
    else:
        files = []
        parts = {}
        for k in keys:
            if k[0] == "zz":
                continue
            parts.setdefault(k[0], []).append(k)
        for n, (cat, ks) in enumerate(sorted(parts.items(), key=lambda kv: str(kv[0]))):
            if cat is None:
                ks = ks + [(None, None)] if (None, None) not in ks else ks
            files.append(g.eq_delete_file(jt, ["category", "qty"], ks, cat, task=20 + n))
        g.row_delta(t, deletes=files, note=f"equality deletes on (category, qty), one file per partition, "
                                          f"keys {sorted(parts.items(), key=lambda kv: str(kv[0]))}")
    # Flink-style upsert commit: new data file + equality delete of the same ids in one RowDelta.
    jt = g.jtable(t)
    ups = [(i,) + rows_by_id[i][1:2] + (999, 9.5, T0_MS + 5) for i in (5, 6, 42)]
    ups.append((3, b3[0][1], 998, 9.25, T0_MS + 6))  # re-inserted row 3 upserted again
    if not partitioned:
        df_ = g.data_file(jt, ups)
        ef = g.eq_delete_file(jt, ["id"], [(r[0],) for r in ups], task=31)
        g.row_delta(t, deletes=[ef], adds=[df_],
                    note=f"Flink-style upsert RowDelta: data file with ids {[r[0] for r in ups]} + "
                         "equality delete on id of the same ids (applies only to older files)")
    else:
        adds, dels = [], []
        by_part = {}
        for r in ups:
            by_part.setdefault(r[1], []).append(r)
        for n, (cat, rs) in enumerate(sorted(by_part.items(), key=lambda kv: str(kv[0]))):
            adds.append(g.data_file(jt, rs, cat, task=40 + n))
            dels.append(g.eq_delete_file(jt, ["id"], [(r[0],) for r in rs], cat, task=50 + n))
        g.row_delta(t, deletes=dels, adds=adds,
                    note=f"Flink-style upsert RowDelta: per partition a data file with ids "
                         f"{[r[0] for r in ups]} + equality delete on id of the same ids")
    g.compact(t, note="CALL rewrite_data_files (min-input-files=1): compacted files keep the starting "
                      "sequence number, older equality deletes no longer apply to them")
    # equality delete after compaction: hits compacted files
    jt = g.jtable(t)
    del3 = [1, 2, 5, 42, 90]
    if not partitioned:
        f = g.eq_delete_file(jt, ["id"], [(i,) for i in del3], task=60)
        g.row_delta(t, deletes=[f], note=f"equality delete on id after compaction: {del3}")
    else:
        cur = {r["id"]: r["category"] for r in g.spark.sql(f"SELECT id, category FROM {NS}.{t}").collect()}
        by_part = {}
        for i in del3:
            if i in cur:  # an id already gone has no partition to target
                by_part.setdefault(cur[i], []).append(i)
        files = [g.eq_delete_file(jt, ["id"], [(i,) for i in ids], cat, task=60 + n)
                 for n, (cat, ids) in enumerate(sorted(by_part.items(), key=lambda kv: str(kv[0])))]
        g.row_delta(t, deletes=files, note=f"equality deletes on id after compaction, per partition: "
                                           f"{sorted(by_part.items(), key=lambda kv: str(kv[0]))}")


# ---------------------------------------------------------------- expectations

def delete_file_kinds(g, table, sid):
    """Live (status != DELETED) delete files of a snapshot, from the entries metadata table."""
    df = (g.spark.read.format("iceberg").option("snapshot-id", sid)
          .load(f"{NS}.{table}.entries")
          .selectExpr("status", "data_file.content AS content", "data_file.file_format AS fmt",
                      "data_file.file_path AS path", "sequence_number"))
    out = {"positionDeleteFiles": 0, "deletionVectors": 0, "equalityDeleteFiles": 0, "dataFiles": 0}
    for r in df.collect():
        if r["status"] == 2:
            continue
        if r["content"] == 0:
            out["dataFiles"] += 1
        elif r["content"] == 1 and r["fmt"].upper() == "PUFFIN":
            out["deletionVectors"] += 1
        elif r["content"] == 1:
            out["positionDeleteFiles"] += 1
        elif r["content"] == 2:
            out["equalityDeleteFiles"] += 1
    return out


def expectations(g, table, meta_dir):
    versions = []
    files = sorted((int(m.group(1)), f) for f in os.listdir(meta_dir)
                   if (m := re.fullmatch(r"v(\d+)\.metadata\.json", f)))
    history = g.history[table]
    if len(history) != len(files):
        log(f"WARNING {table}: {len(files)} metadata versions but {len(history)} recorded steps")
    fmt = None
    for n, fname in files:
        with open(os.path.join(meta_dir, fname)) as fh:
            md = json.load(fh)
        fmt = md["format-version"]
        sid = md.get("current-snapshot-id")
        if sid is not None and sid < 0:
            sid = None
        snap = next((s for s in md.get("snapshots", []) if s["snapshot-id"] == sid), None)
        schema_id = snap.get("schema-id", md["current-schema-id"]) if snap else md["current-schema-id"]
        schema = next(s for s in md["schemas"] if s["schema-id"] == schema_id)
        cols = [f["name"] for f in schema["fields"]]
        cur_schema = next(s for s in md["schemas"] if s["schema-id"] == md["current-schema-id"])
        rows, kinds = [], None
        if sid is not None:
            df = g.spark.sql(f"SELECT * FROM {NS}.{table} VERSION AS OF {sid}")
            if df.columns != cols:
                raise SystemExit(f"{table} v{n}: spark columns {df.columns} != snapshot schema {cols}")
            sel = [f"unix_millis(`{f.name}`) AS `{f.name}`" if isinstance(f.dataType, TimestampType)
                   else f"`{f.name}`" for f in df.schema.fields]
            rows = [r.asDict() for r in df.selectExpr(*sel).orderBy("id").collect()]
            cnt = df.count()
            if cnt != len(rows):
                raise SystemExit(f"{table} v{n}: count {cnt} != {len(rows)}")
            ids = [r["id"] for r in rows]
            if len(set(ids)) != len(ids):
                log(f"NOTE {table} v{n}: duplicate ids {sorted(i for i in set(ids) if ids.count(i) > 1)}")
            kinds = delete_file_kinds(g, table, sid)
            s = snap["summary"]
            tr, tp, te = (int(s.get(k, 0)) for k in
                          ("total-records", "total-position-deletes", "total-equality-deletes"))
            log(f"{table} v{n}: op={s['operation']} rows={len(rows)} total-records={tr} "
                f"pos-deletes={tp} eq-deletes={te} (total-records - pos = {tr - tp}) files={kinds}")
        versions.append({
            "version": n,
            "metadataFile": fname,
            "step": history[n - 1] if n - 1 < len(history) else None,
            "snapshotId": sid,
            "newSnapshot": sid is not None and (not versions or versions[-1]["snapshotId"] != sid),
            "sequenceNumber": snap.get("sequence-number") if snap else None,
            "operation": snap["summary"]["operation"] if snap else None,
            "summary": snap["summary"] if snap else None,
            "schemaId": schema_id,
            "columns": cols,
            "currentSchemaId": md["current-schema-id"],
            "currentColumns": [f["name"] for f in cur_schema["fields"]],
            "liveFiles": kinds,
            "rows": rows,
        })
    # latest: reading the table itself gives the same rows
    latest = versions[-1]
    df = g.spark.table(f"{NS}.{table}")
    if df.count() != len(latest["rows"]):
        raise SystemExit(f"{table}: latest table read differs from snapshot read")
    return {"table": f"db.{table}", "formatVersion": fmt, "versions": versions}


def dump_expected(exp):
    """JSON with one row per line (keeps the file small and diffable)."""
    c = lambda v: json.dumps(v, separators=(", ", ": "))
    out = ["{", f' "table": {c(exp["table"])},', f' "formatVersion": {c(exp["formatVersion"])},',
           ' "versions": [']
    for vi, v in enumerate(exp["versions"]):
        out.append("  {")
        keys = [k for k in v if k != "rows"]
        for k in keys:
            out.append(f"   {c(k)}: {c(v[k])},")
        if v["rows"]:
            out.append('   "rows": [')
            out.append(",\n".join("    " + c(r) for r in v["rows"]))
            out.append("   ]")
        else:
            out.append('   "rows": []')
        out.append("  }" + ("," if vi + 1 < len(exp["versions"]) else ""))
    out.append(" ]")
    out.append("}")
    text = "\n".join(out) + "\n"
    assert json.loads(text) == exp
    return text


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=here)
    ap.add_argument("--jars", default=os.environ.get("LAKEINGEST_SPARK_JARS", "/tmp/lakeingest-spark-env/jars"))
    ap.add_argument("--warehouse", help="generation warehouse (default: a new temp folder)")
    ap.add_argument("--tables", default="mor_v2,dv_v3,cow_v2,eq_v2,eq_part_v2")
    a = ap.parse_args()
    jars = [os.path.join(a.jars, "iceberg-spark-runtime-3.5_2.12-1.10.2.jar"),
            os.path.join(a.jars, "iceberg-shaded-jackson-2.15.2.jar")]
    for j in jars:
        if not os.path.exists(j):
            sys.exit(f"missing {j}: run setup_env.sh first")
    wh = a.warehouse or tempfile.mkdtemp(prefix="lakeingest-spark-")
    os.makedirs(wh, exist_ok=True)
    log(f"warehouse file:{wh}")
    spark = (SparkSession.builder.master("local[2]").appName("lakeingest-fixtures")
             .config("spark.jars", ",".join(jars))
             .config("spark.sql.extensions",
                     "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
             .config("spark.sql.catalog.local", "org.apache.iceberg.spark.SparkCatalog")
             .config("spark.sql.catalog.local.type", "hadoop")
             .config("spark.sql.catalog.local.warehouse", "file:" + wh)
             .config("spark.sql.catalog.local.cache-enabled", "false")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
             .config("spark.ui.enabled", "false")
             .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    log(f"spark {spark.version}, java {spark._jvm.java.lang.System.getProperty('java.version')}")
    g = Gen(spark, wh)
    builders = {"mor_v2": build_mor_v2, "dv_v3": build_dv_v3, "cow_v2": build_cow_v2,
                "eq_v2": lambda g: build_eq(g, "eq_v2", False),
                "eq_part_v2": lambda g: build_eq(g, "eq_part_v2", True)}
    tables = a.tables.split(",")
    for t in tables:
        log(f"=== building {t}")
        builders[t](g)
    out_tables = os.path.join(a.out, "tables")
    os.makedirs(out_tables, exist_ok=True)
    for t in tables:
        src = os.path.join(wh, "db", t)
        exp = expectations(g, t, os.path.join(src, "metadata"))
        dst = os.path.join(out_tables, t)
        if os.path.exists(dst):
            shutil.rmtree(dst)
        # copy metadata/ and data/ verbatim, without Hadoop's .crc side files
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".*.crc"))
        with open(os.path.join(dst, "expected.json"), "w") as fh:
            fh.write(dump_expected(exp))
        log(f"wrote {dst}")
    spark.stop()
    with open(os.path.join(a.out, "generation.log"), "w") as fh:
        fh.write("\n".join(LOG) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
