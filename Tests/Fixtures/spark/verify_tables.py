#!/usr/bin/env python3
"""Check tables/<t>/expected.json (Spark's reading) against two other readers:

1. pyiceberg 0.12 scans (position deletes and DVs; pyiceberg refuses equality deletes, so only for
   tables without them);
2. a small independent reader in this file: manifests via pyiceberg's manifest classes, data and
   delete files via pyarrow, and the spec's rules applied by hand (position deletes: same file_path,
   data seq <= delete seq; equality deletes: data seq < delete seq and same partition, or an
   unpartitioned delete spec; NULL key matches NULL; columns matched by field id). DVs are skipped
   by this reader (no Roaring decoder here).

The metadata records the generation warehouse's absolute paths (file:/tmp/lakeingest-spark-XXXX/
db/<t>). When that folder does not exist this script creates it with symlinks
<location> -> tables/<t> (like the engine's location mapping), and removes what it created.

    python3 Tests/Fixtures/spark/verify_tables.py        # needs pyiceberg==0.12.0, pyarrow
Prints one line per table version and "N passed, N failed".
"""
import json
import os
import sys
from datetime import datetime, timezone

import pyarrow.parquet as pq
from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.manifest import DataFileContent
from pyiceberg.table import StaticTable

HERE = os.path.dirname(os.path.abspath(__file__))
TABLES = ["mor_v2", "dv_v3", "cow_v2", "eq_v2", "eq_part_v2"]


def strip_file(uri):
    return uri[len("file:"):] if uri.startswith("file:") else uri


def ensure_location(location, table_dir, created):
    path = strip_file(location)
    if os.path.exists(path):
        return
    parent = os.path.dirname(path)
    made = []
    p = parent
    while not os.path.exists(p):
        made.append(p)
        p = os.path.dirname(p)
    os.makedirs(parent, exist_ok=True)
    os.symlink(table_dir, path)
    created.append(path)
    created.extend(made)  # deepest first


def _ms(v):
    """Epoch milliseconds of an aware (or UTC-naive) datetime, exact."""
    if v.tzinfo is None:
        v = v.replace(tzinfo=timezone.utc)
    d = v - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (d.days * 86400 + d.seconds) * 1000 + d.microseconds // 1000


def rows_key(rows, cols):
    return sorted(tuple(r.get(c) for c in cols) for r in rows)


def pyiceberg_rows(tbl, sid, cols):
    at = tbl.scan(snapshot_id=sid).to_arrow()
    out = []
    for r in at.to_pylist():
        rr = {}
        for c in cols:
            v = r.get(c)
            rr[c] = _ms(v) if c == "ts" else v
        out.append(rr)
    return out


def read_by_field_id(path, fields):
    """Rows of a Parquet file as dicts keyed by field id (missing columns -> None)."""
    t = pq.read_table(strip_file(path))
    by_id = {}
    for i, f in enumerate(t.schema):
        fid = int(f.metadata[b"PARQUET:field_id"]) if f.metadata and b"PARQUET:field_id" in f.metadata else None
        by_id[fid] = t.column(i).to_pylist()
    n = t.num_rows
    return [{fid: (by_id[fid][k] if fid in by_id else None) for fid in fields} for k in range(n)]


def own_rows(md, tbl, sid):
    io = PyArrowFileIO()
    snap = tbl.metadata.snapshot_by_id(sid)
    schema = next(s for s in tbl.metadata.schemas if s.schema_id == snap.schema_id)
    specs = {s.spec_id: s for s in tbl.metadata.partition_specs}
    data, pos, eq = [], [], []
    for mf in snap.manifests(io):
        for e in mf.fetch_manifest_entry(io, discard_deleted=True):
            df = e.data_file
            item = (e.sequence_number, df)
            if df.content == DataFileContent.DATA:
                data.append(item)
            elif df.content == DataFileContent.POSITION_DELETES:
                if df.file_format.name == "PUFFIN":
                    return None  # DV: not handled here
                pos.append(item)
            else:
                eq.append(item)
    # position deletes: file_path -> [(seq, pos)]
    pos_by_file = {}
    for seq, df in pos:
        t = pq.read_table(strip_file(df.file_path), columns=["file_path", "pos"]).to_pylist()
        for r in t:
            pos_by_file.setdefault(r["file_path"], []).append((seq, r["pos"]))
    eq_sets = []
    for seq, df in eq:
        ids = list(df.equality_ids)
        rows = read_by_field_id(df.file_path, ids)
        keys = {tuple(r[i] for i in ids) for r in rows}
        global_ = specs[df.spec_id].is_unpartitioned()
        eq_sets.append((seq, ids, keys, global_, df.spec_id, tuple(df.partition)))
    fids = [f.field_id for f in schema.fields]
    out = []
    for seq, df in data:
        dels = {p for s, p in pos_by_file.get(df.file_path, []) if seq <= s}
        rows = read_by_field_id(df.file_path, fids + [i for _, ids, *_ in eq_sets for i in ids])
        for k, r in enumerate(rows):
            if k in dels:
                continue
            gone = False
            for s, ids, keys, global_, spec_id, part in eq_sets:
                if not seq < s:
                    continue
                if not global_ and (spec_id != df.spec_id or part != tuple(df.partition)):
                    continue
                if tuple(r[i] for i in ids) in keys:
                    gone = True
                    break
            if gone:
                continue
            rr = {}
            for f in schema.fields:
                v = r[f.field_id]
                rr[f.name] = _ms(v) if f.name == "ts" and v is not None else v
            out.append(rr)
    return out


def main():
    passed = failed = 0
    created = []
    try:
        for t in TABLES:
            tdir = os.path.join(HERE, "tables", t)
            exp = json.load(open(os.path.join(tdir, "expected.json")))
            has_eq = False
            for v in exp["versions"]:
                md = json.load(open(os.path.join(tdir, "metadata", v["metadataFile"])))
                ensure_location(md["location"], tdir, created)
                if v["snapshotId"] is None:
                    continue
                has_eq = has_eq or bool(v["liveFiles"]["equalityDeleteFiles"])
                tbl = StaticTable.from_metadata(md["location"] + "/metadata/" + v["metadataFile"])
                cols = v["columns"]
                want = rows_key(v["rows"], cols)
                results = []
                mine = own_rows(md, tbl, v["snapshotId"])
                if mine is not None:
                    results.append(("own", rows_key(mine, cols) == want))
                if not has_eq:
                    results.append(("pyiceberg", rows_key(pyiceberg_rows(tbl, v["snapshotId"], cols), cols) == want))
                ok = all(r for _, r in results)
                passed += ok
                failed += not ok
                print(f"{t} v{v['version']} {v['operation']}: " +
                      " ".join(f"{n}={'ok' if r else 'MISMATCH'}" for n, r in results))
    finally:
        for p in created:  # symlinks first, then the folders made for them, deepest first
            if os.path.islink(p):
                os.unlink(p)
        for p in sorted((p for p in created if not os.path.islink(p) and os.path.isdir(p)),
                        key=len, reverse=True):
            if not os.listdir(p):
                os.rmdir(p)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
