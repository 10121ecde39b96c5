#!/usr/bin/env python3
"""Generate the committed Iceberg tables and their expectations.

    python3 Tests/Fixtures/iceberg/make_tables.py

Writes the tables with pyiceberg (SqlCatalog on sqlite in a temp dir) into the FIXED root
file:///tmp/lakeingest-iceberg/warehouse (deleted first), then copies that tree to
Tests/Fixtures/iceberg/warehouse/ (every absolute path in the metadata, manifest lists and
manifests starts with file:///tmp/lakeingest-iceberg/warehouse/). Also writes
expected/<table>.json and broken/ (see README). Stale outputs are removed first.

Tables (namespace `sales`):
  orders_v2  format v2, partitioned by day(ts), identity(category); 8 snapshots:
             append x3, [schema change], append, delete, overwrite, append, replace
  orders_v1  format v1, unpartitioned, 2 appends

Reproducible: _deterministic.install() seeds pyiceberg's uuids and Avro sync markers and
gives it a fake clock, so the same library versions give byte-identical trees.
"""

import datetime
import decimal
import glob
import json
import os
import random
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import _deterministic  # noqa: E402

_deterministic.install(seed=20240917)

import pyarrow as pa  # noqa: E402
from pyiceberg.catalog.sql import SqlCatalog  # noqa: E402
from pyiceberg.io.pyarrow import _dataframe_to_data_files  # noqa: E402
from pyiceberg.manifest import DataFileContent, ManifestEntryStatus  # noqa: E402
from pyiceberg.partitioning import PartitionField, PartitionSpec  # noqa: E402
from pyiceberg.schema import Schema  # noqa: E402
from pyiceberg.table.snapshots import Operation, Summary  # noqa: E402
from pyiceberg.table.update.snapshot import _OverwriteFiles  # noqa: E402
from pyiceberg.transforms import DayTransform, IdentityTransform  # noqa: E402
from pyiceberg.types import (  # noqa: E402
    DecimalType,
    DoubleType,
    IntegerType,
    LongType,
    NestedField,
    StringType,
    TimestamptzType,
)
from pyiceberg.typedef import EMPTY_DICT  # noqa: E402

ROOT = "/tmp/lakeingest-iceberg/warehouse"
ROOT_URI = "file://" + ROOT
OUT_WAREHOUSE = os.path.join(HERE, "warehouse")
OUT_EXPECTED = os.path.join(HERE, "expected")
OUT_BROKEN = os.path.join(HERE, "broken")
NAMESPACE = "sales"
SEED = 20240917

UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)

# --------------------------------------------------------------------------- data

V2_SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "ts", TimestamptzType(), required=False),
    NestedField(3, "category", StringType(), required=False),
    NestedField(4, "amount", DecimalType(10, 2), required=False),
    NestedField(5, "qty", IntegerType(), required=False),
    NestedField(6, "note", StringType(), required=False),
    identifier_field_ids=[1],
)
V2_SPEC = PartitionSpec(
    PartitionField(source_id=2, field_id=1000, transform=DayTransform(), name="ts_day"),
    PartitionField(source_id=3, field_id=1001, transform=IdentityTransform(), name="category"),
)

NOTES = ["", "gift wrap", "rush", "ζήτα", "emoji 😀", "leave at door", "x" * 40]


def _arrow_schema(evolved: bool) -> pa.Schema:
    fields = [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("ts", pa.timestamp("us", tz="UTC")),
        pa.field("category", pa.string()),
        pa.field("amount", pa.decimal128(10, 2)),
        pa.field("qty", pa.int32()),
        pa.field("comment" if evolved else "note", pa.string()),
    ]
    if evolved:
        fields.append(pa.field("discount", pa.float64()))
    return pa.schema(fields)


class Rows:
    """Deterministic order rows; ids increase across all batches."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.next_id = 1

    def batch(self, parts, evolved=False):
        """parts: [(day 'YYYY-MM-DD', category or None, n_rows)]."""
        rng = self.rng
        cols = {k: [] for k in _arrow_schema(evolved).names}
        for day, category, n in parts:
            d0 = datetime.datetime.fromisoformat(day).replace(tzinfo=UTC)
            for _ in range(n):
                cols["id"].append(self.next_id)
                self.next_id += 1
                cols["ts"].append(d0 + datetime.timedelta(microseconds=rng.randrange(86_400_000_000)))
                cols["category"].append(category)
                cols["amount"].append(None if rng.random() < 0.1 else
                                      decimal.Decimal(rng.randint(-99_999, 9_999_999)).scaleb(-2))
                cols["qty"].append(None if rng.random() < 0.1 else rng.randint(1, 10))
                cols["comment" if evolved else "note"].append(None if rng.random() < 0.4 else rng.choice(NOTES))
                if evolved:
                    cols["discount"].append(None if rng.random() < 0.3 else
                                            rng.choice([0.0, 0.05, 0.1, 0.25, float("nan"), -0.0]))
        return pa.Table.from_pydict(cols, schema=_arrow_schema(evolved))


# --------------------------------------------------------------------------- replace

class _ReplaceFiles(_OverwriteFiles):
    """A `replace` snapshot (compaction): pyiceberg 0.12 has no public API for one, and its
    summary code rejects Operation.REPLACE, so the summary is built as for an overwrite and
    relabelled."""

    def _summary(self, snapshot_properties=EMPTY_DICT):
        self._operation = Operation.OVERWRITE
        try:
            s = super()._summary(snapshot_properties)
        finally:
            self._operation = Operation.REPLACE
        return Summary(operation=Operation.REPLACE, **s.additional_properties)


def compact_partition(table, partition_match):
    """Rewrite all live files of one partition into one file (same rows, current schema)."""
    tasks = [t for t in table.scan().plan_files() if partition_match(t.file.partition)]
    assert len(tasks) >= 2, "need at least two files to compact"
    from pyiceberg.io.pyarrow import ArrowScan
    md = table.metadata
    df = ArrowScan(table_metadata=md, io=table.io, projected_schema=md.schema(),
                   row_filter=_always_true()).to_table(tasks=tasks)
    df = df.sort_by("id")
    with table.transaction() as tx:
        producer = _ReplaceFiles(operation=Operation.REPLACE, transaction=tx, io=table.io)
        new_files = list(_dataframe_to_data_files(table_metadata=tx.table_metadata, df=df, io=table.io,
                                                  write_uuid=producer.commit_uuid))
        assert len(new_files) == 1
        for t in tasks:
            producer.delete_data_file(t.file)
        for f in new_files:
            producer.append_data_file(f)
        producer.commit()
    return [t.file.file_path for t in tasks], [f.file_path for f in new_files]


def _always_true():
    from pyiceberg.expressions import AlwaysTrue
    return AlwaysTrue()


# --------------------------------------------------------------------------- expectations

def _partition_json(table, spec_id, partition):
    spec = table.metadata.specs()[spec_id]
    out = {}
    for i, pf in enumerate(spec.fields):
        v = partition[i]
        if isinstance(v, datetime.date) and not isinstance(v, datetime.datetime):
            v = (v - datetime.date(1970, 1, 1)).days
        out[pf.name] = v
    return out


def _rel(path):
    assert path.startswith(ROOT_URI + "/"), path
    return path


def describe_table(table, catalog):
    """The expected/<table>.json document."""
    md = table.metadata
    io = table.io
    data_files = {}
    snaps = []
    snapshots = sorted(md.snapshots, key=lambda s: (s.sequence_number or 0, s.timestamp_ms))
    by_id = {s.snapshot_id: s for s in snapshots}
    for snap in snapshots:
        added, deleted, existing = [], [], []
        added_records = deleted_records = 0
        for manifest in snap.manifests(io):
            for entry in manifest.fetch_manifest_entry(io=io, discard_deleted=False):
                df = entry.data_file
                assert df.content == DataFileContent.DATA, "fixture has no delete files"
                path = _rel(df.file_path)
                info = {
                    "path": path,
                    "recordCount": df.record_count,
                    "fileSizeInBytes": df.file_size_in_bytes,
                    "partition": _partition_json(table, manifest.partition_spec_id, df.partition),
                    "specId": manifest.partition_spec_id,
                    "fileFormat": str(df.file_format.value if hasattr(df.file_format, "value") else df.file_format),
                }
                assert data_files.get(path, info) == info
                data_files[path] = info
                if entry.snapshot_id == snap.snapshot_id and entry.status == ManifestEntryStatus.ADDED:
                    added.append(path)
                    added_records += df.record_count
                elif entry.snapshot_id == snap.snapshot_id and entry.status == ManifestEntryStatus.DELETED:
                    deleted.append(path)
                    deleted_records += df.record_count
                elif entry.status != ManifestEntryStatus.DELETED:
                    existing.append(path)
        live = sorted(_rel(t.file.file_path) for t in table.scan(snapshot_id=snap.snapshot_id).plan_files())
        # cross-checks: manifests vs scan planning vs the parent's live set
        assert sorted(added + existing) == live, snap.snapshot_id
        parent_live = set()
        if snap.parent_snapshot_id is not None:
            parent_live = {_rel(t.file.file_path)
                           for t in table.scan(snapshot_id=snap.parent_snapshot_id).plan_files()}
        assert set(live) - parent_live == set(added), snap.snapshot_id
        assert parent_live - set(live) == set(deleted), snap.snapshot_id
        # pyiceberg's inspect.entries agrees on ADDED / DELETED
        ent = table.inspect.entries(snapshot_id=snap.snapshot_id).to_pylist()
        assert sorted(e["data_file"]["file_path"] for e in ent
                      if e["status"] == 1 and e["snapshot_id"] == snap.snapshot_id) == sorted(added)
        assert sorted(e["data_file"]["file_path"] for e in ent
                      if e["status"] == 2 and e["snapshot_id"] == snap.snapshot_id) == sorted(deleted)
        op = snap.summary.operation.value if snap.summary else None
        summary = dict(snap.summary.additional_properties) if snap.summary else {}
        snaps.append({
            "snapshotId": snap.snapshot_id,
            "parentId": snap.parent_snapshot_id,
            "sequenceNumber": snap.sequence_number or 0,
            "timestampMs": snap.timestamp_ms,
            "operation": op,
            "schemaId": snap.schema_id,
            "manifestList": _rel(snap.manifest_list),
            "summary": {"operation": op, **summary},
            "addedDataFiles": sorted(added),
            "deletedDataFiles": sorted(deleted),
            "addedRecords": added_records,
            "deletedRecords": deleted_records,
            "totalRecords": sum(data_files[p]["recordCount"] for p in live),
            "liveDataFiles": live,
        })
        assert snap.parent_snapshot_id is None or snap.parent_snapshot_id in by_id
    # main branch order = parent chain from the current snapshot
    chain = []
    s = md.current_snapshot()
    while s is not None:
        chain.append(s.snapshot_id)
        s = by_id.get(s.parent_snapshot_id) if s.parent_snapshot_id is not None else None
    chain.reverse()
    assert chain == [x["snapshotId"] for x in snaps]
    return {
        "table": f"{NAMESPACE}.{table.name()[-1]}",
        "formatVersion": md.format_version,
        "tableUuid": str(md.table_uuid),
        "location": md.location,
        "metadataLocation": table.metadata_location,
        "currentSnapshotId": md.current_snapshot_id,
        "currentSchemaId": md.current_schema_id,
        "defaultSpecId": md.default_spec_id,
        "snapshots": snaps,
        "dataFiles": [data_files[p] for p in sorted(data_files)],
    }


def _dumps(x):
    return json.dumps(x, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def write_expected(path, doc):
    with open(path, "w", encoding="utf-8", newline="\n") as fp:
        fp.write(json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False) + "\n")


def dump_rows(table, snapshot_id):
    """Rows of a snapshot as JSON-ready lists (ordered by id), for the row-level expectation."""
    t = table.scan(snapshot_id=snapshot_id).to_arrow().sort_by("id")
    out = []
    for row in t.to_pylist():
        r = {}
        for k, v in row.items():
            if isinstance(v, datetime.datetime):
                delta = v - EPOCH
                v = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
            elif isinstance(v, decimal.Decimal):
                v = str(v)
            elif isinstance(v, float) and v != v:
                v = "NaN"
            r[k] = v
        out.append(r)
    return list(t.schema.names), out


# --------------------------------------------------------------------------- tables

def make_orders_v2(catalog):
    rows = Rows(SEED)
    t = catalog.create_table(f"{NAMESPACE}.orders_v2", schema=V2_SCHEMA, partition_spec=V2_SPEC,
                             properties={"format-version": "2"})
    steps = []
    # 1-3: appends (2-3 files each: one file per (day, category) partition)
    t.append(rows.batch([("2024-09-01", "books", 40), ("2024-09-01", "games", 25), ("2024-09-02", "books", 30)]))
    steps.append("append")
    t.append(rows.batch([("2024-09-02", "games", 35), ("2024-09-03", "garden", 20),
                         ("1969-12-31", "books", 5)]))  # pre-epoch day: ts_day = -1
    steps.append("append")
    t.append(rows.batch([("2024-09-01", "books", 30), ("2024-09-03", None, 12)]))  # null identity partition
    steps.append("append")
    # schema change (no snapshot): add discount, rename note -> comment
    with t.update_schema() as us:
        us.add_column("discount", DoubleType(), doc="fraction off")
        us.rename_column("note", "comment")
    # 4: append with the new schema
    t.append(rows.batch([("2024-09-01", "books", 25), ("2024-09-04", "games", 30)], evolved=True))
    steps.append("append")
    # 5: delete whole files (every row of category 'garden') -> operation `delete`
    t.delete("category = 'garden'")
    steps.append("delete")
    # 6: overwrite the 'games' rows with qty = 10 -> pyiceberg writes an `overwrite` snapshot
    #    (each file holding such rows is rewritten without them; no file is dropped whole, so
    #    there is no `delete` snapshot), then 7: an `append` with the new rows
    t.overwrite(rows.batch([("2024-09-04", "books", 6), ("2024-09-02", "games", 4)], evolved=True),
                overwrite_filter="category = 'games' AND qty = 10")
    steps.append("overwrite+append")
    # 8: replace: compact partition (2024-09-01, books) into one file
    compact_partition(t, lambda p: p[0] == 19967 and p[1] == "books")  # 19967 = 2024-09-01
    steps.append("replace")
    return catalog.load_table(f"{NAMESPACE}.orders_v2")


def make_orders_v1(catalog):
    rows = Rows(SEED + 1)
    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "ts", TimestamptzType(), required=False),
        NestedField(3, "category", StringType(), required=False),
        NestedField(4, "amount", DecimalType(10, 2), required=False),
        NestedField(5, "qty", IntegerType(), required=False),
        NestedField(6, "note", StringType(), required=False),
        identifier_field_ids=[1],
    )
    t = catalog.create_table(f"{NAMESPACE}.orders_v1", schema=schema,
                             properties={"format-version": "1",
                                         "write.parquet.compression-codec": "snappy",
                                         "write.avro.compression-codec": "null"})
    t.append(rows.batch([("2024-09-01", "books", 30), ("2024-09-02", "games", 20)]))
    t.append(rows.batch([("2024-09-03", "garden", 25)]))
    return catalog.load_table(f"{NAMESPACE}.orders_v1")


# --------------------------------------------------------------------------- broken

def make_broken(v2_doc):
    """Corrupt copies next to the warehouse (they reference the good tree's files)."""
    os.makedirs(OUT_BROKEN)
    meta_uri = v2_doc["metadataLocation"]
    meta_path = meta_uri[len("file://"):]
    with open(meta_path, "rb") as fp:
        meta_bytes = fp.read()
    meta = json.loads(meta_bytes)
    cases = []

    # 1. metadata JSON with a syntax error (cut just before the end + a stray comma)
    bad = meta_bytes[: len(meta_bytes) // 2] + b",,"
    name = "syntax-error.metadata.json"
    with open(os.path.join(OUT_BROKEN, name), "wb") as fp:
        fp.write(bad)
    cases.append({"file": name, "error": "invalidMetadataJSON",
                  "reason": "table metadata JSON cut in half (+ ',,'): not valid JSON"})

    # 2. metadata whose current snapshot's manifest list does not exist
    m2 = json.loads(meta_bytes)
    cur = m2["current-snapshot-id"]
    missing = m2["location"] + "/metadata/snap-missing-manifest-list.avro"
    for s in m2["snapshots"]:
        if s["snapshot-id"] == cur:
            s["manifest-list"] = missing
    name = "missing-manifest-list.metadata.json"
    with open(os.path.join(OUT_BROKEN, name), "w", encoding="utf-8") as fp:
        json.dump(m2, fp, ensure_ascii=False)
    cases.append({"file": name, "error": "notFound", "missingPath": missing, "snapshotId": cur,
                  "reason": "the current snapshot's manifest-list names a file that does not exist; "
                            "the metadata itself parses"})

    # 3. a truncated manifest (Avro): first manifest of the current snapshot, cut mid-block
    import fastavro
    cur_snap = next(s for s in meta["snapshots"] if s["snapshot-id"] == cur)
    with open(cur_snap["manifest-list"][len("file://"):], "rb") as fp:
        manifests = list(fastavro.reader(fp))
    src = sorted(m["manifest_path"] for m in manifests)[0]
    with open(src[len("file://"):], "rb") as fp:
        data = fp.read()
    cut = len(data) - 40  # the last block's data ends 16 (sync) bytes before EOF
    name = "truncated-manifest.avro"
    with open(os.path.join(OUT_BROKEN, name), "wb") as fp:
        fp.write(data[:cut])
    try:
        with open(os.path.join(OUT_BROKEN, name), "rb") as fp:
            list(fastavro.reader(fp))
        raise SystemExit("truncated manifest still readable")
    except EOFError:
        pass
    cases.append({"file": name, "error": "truncated", "source": src, "byteOffset": cut,
                  "originalSize": len(data),
                  "reason": f"copy of {src.rsplit('/', 1)[-1]} cut at byte {cut} of {len(data)}, "
                            "inside its (last) data block"})
    write_expected(os.path.join(OUT_BROKEN, "expected.json"), {"cases": cases})


# --------------------------------------------------------------------------- main

def main():
    for d in (OUT_WAREHOUSE, OUT_BROKEN):
        shutil.rmtree(d, ignore_errors=True)
    # expected/ also holds the hand-written orders_v2.pinot-schema.json: remove only our files
    for p in glob.glob(os.path.join(OUT_EXPECTED, "orders_v*.json")):
        if not p.endswith(".pinot-schema.json"):
            os.remove(p)
    shutil.rmtree(os.path.dirname(ROOT), ignore_errors=True)
    os.makedirs(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        catalog = SqlCatalog("fixture", uri=f"sqlite:///{tmp}/catalog.db", warehouse=ROOT_URI)
        catalog.create_namespace(NAMESPACE)
        v2 = make_orders_v2(catalog)
        v1 = make_orders_v1(catalog)
        os.makedirs(OUT_EXPECTED, exist_ok=True)
        docs = {}
        for t in (v2, v1):
            doc = describe_table(t, catalog)
            name = t.name()[-1]
            docs[name] = doc
            write_expected(os.path.join(OUT_EXPECTED, f"{name}.json"), doc)
            # row-level expectation of the current snapshot (current schema, ordered by id)
            cols, rws = dump_rows(t, t.metadata.current_snapshot_id)
            with open(os.path.join(OUT_EXPECTED, f"{name}.rows.json"), "w", encoding="utf-8", newline="\n") as fp:
                fp.write("{" + _dumps("snapshotId") + ":" + _dumps(t.metadata.current_snapshot_id) + ",\n")
                fp.write(_dumps("columns") + ":" + _dumps(cols) + ",\n" + _dumps("rows") + ":[\n")
                fp.write(",\n".join(_dumps(r) for r in rws))
                fp.write("\n]}\n")
            print(f"{name}: {len(doc['snapshots'])} snapshots "
                  f"({', '.join(s['operation'] for s in doc['snapshots'])}), "
                  f"{len(doc['dataFiles'])} data files, {len(rws)} live rows")
        make_broken(docs["orders_v2"])
    shutil.copytree(ROOT, OUT_WAREHOUSE)
    with open(os.path.join(OUT_EXPECTED, "..", "warehouse", "ROOT"), "w") as fp:
        fp.write(ROOT_URI + "\n")


if __name__ == "__main__":
    main()
