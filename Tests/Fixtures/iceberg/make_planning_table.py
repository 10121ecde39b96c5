#!/usr/bin/env python3
"""Generate a large Iceberg table for scan-planning cost (NOT committed; made on demand).

    python3 Tests/Fixtures/iceberg/make_planning_table.py [--root DIR] [--manifests 200] [--files 100]
        [--metadata-versions N]

Writes table `bench.planning_<manifests>x<files>` (format v2) into the warehouse
file://<root>/warehouse (default root /tmp/lakeingest-iceberg-planning; the whole root is
deleted first) with <manifests> appends of <files> one-row Parquet files each: every append
adds one manifest, so the final snapshot's manifest list has <manifests> manifests and
<manifests> x <files> live data files (defaults: 200 manifests, 20,000 files, 20,000 rows).

Each data file is its own partition: identity(part), part = append * files + i, so the
manifests' partition summaries are disjoint ranges (append k holds part k*files ..
k*files+files-1) and a filter on `part` can prune manifests.

The files are written with pyarrow (Iceberg field ids in the Parquet schema) and registered
with a fast append per batch (pyiceberg's _FastAppendFiles + DataFile built from the footer
via pyiceberg's own statistics code), which is what table.append() does, minus its per-file
Arrow partitioning overhead.

Writes <root>/planning.json:
  {"table", "metadataLocation", "snapshotCount", "manifestCount", "dataFileCount",
   "recordCount", "filesPerManifest", "partitionField": "part", "seconds"}
Uses a seeded uuid/clock like make_tables.py, so the output is reproducible, but it is not
checked in: tests and benchmarks run this script when <root>/planning.json is missing.
About 1-2 minutes on 2 cores for the defaults.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import _deterministic  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default="/tmp/lakeingest-iceberg-planning")
    ap.add_argument("--manifests", type=int, default=200)
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--metadata-versions", type=int, default=None,
                    help="keep only the newest N previous metadata.json files (Iceberg's "
                         "write.metadata.delete-after-commit.enabled; default: keep all)")
    args = ap.parse_args()

    _deterministic.install(seed=20240918)

    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.io.pyarrow import (
        compute_statistics_plan,
        data_file_statistics_from_parquet_metadata,
        parquet_path_to_id_mapping,
        schema_to_pyarrow,
    )
    from pyiceberg.manifest import DataFile, DataFileContent, FileFormat
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.transforms import IdentityTransform
    from pyiceberg.typedef import Record
    from pyiceberg.types import IntegerType, LongType, NestedField, StringType

    t0 = time.monotonic()
    root = os.path.abspath(args.root)
    warehouse = os.path.join(root, "warehouse")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(warehouse)
    name = f"planning_{args.manifests}x{args.files}"

    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "part", IntegerType(), required=True),
        NestedField(3, "payload", StringType(), required=False),
    )
    spec = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="part"))
    arrow_schema = schema_to_pyarrow(schema)  # carries PARQUET:field_id metadata

    with tempfile.TemporaryDirectory() as tmp:
        catalog = SqlCatalog("planning", uri=f"sqlite:///{tmp}/catalog.db", warehouse="file://" + warehouse)
        catalog.create_namespace("bench")
        properties = {"format-version": "2", "commit.manifest-merge.enabled": "false"}
        if args.metadata_versions is not None:
            properties["write.metadata.delete-after-commit.enabled"] = "true"
            properties["write.metadata.previous-versions-max"] = str(args.metadata_versions)
        table = catalog.create_table(f"bench.{name}", schema=schema, partition_spec=spec, properties=properties)
        data_dir = os.path.join(warehouse, "bench", name, "data")
        stats_plan = compute_statistics_plan(schema, table.metadata.properties)
        id_mapping = parquet_path_to_id_mapping(schema)
        for k in range(args.manifests):
            files = []
            for i in range(args.files):
                part = k * args.files + i
                path = os.path.join(data_dir, f"part={part}", f"{part:06d}.parquet")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                tbl = pa.Table.from_pydict({"id": [part], "part": [part], "payload": [f"row {part}"]},
                                           schema=arrow_schema)
                pq.write_table(tbl, path, compression="zstd")
                meta = pq.read_metadata(path)
                stats = data_file_statistics_from_parquet_metadata(
                    parquet_metadata=meta, stats_columns=stats_plan, parquet_column_mapping=id_mapping)
                files.append(DataFile.from_args(
                    content=DataFileContent.DATA,
                    file_path="file://" + path,
                    file_format=FileFormat.PARQUET,
                    partition=Record(part),
                    file_size_in_bytes=os.path.getsize(path),
                    sort_order_id=None,
                    spec_id=table.metadata.default_spec_id,
                    equality_ids=None,
                    key_metadata=None,
                    **stats.to_serialized_dict(),
                ))
            with table.transaction() as tx:
                with tx.update_snapshot().fast_append() as app:
                    for f in files:
                        app.append_data_file(f)
            if (k + 1) % 20 == 0:
                print(f"{k + 1}/{args.manifests} appends, {time.monotonic() - t0:.0f}s", flush=True)

        table = catalog.load_table(f"bench.{name}")
        snap = table.current_snapshot()
        manifests = snap.manifests(table.io)
        n_files = sum(m.added_files_count + m.existing_files_count for m in manifests)
        n_rows = sum(m.added_rows_count + m.existing_rows_count for m in manifests)
        assert len(manifests) == args.manifests, len(manifests)
        assert n_files == args.manifests * args.files, n_files
        doc = {
            "table": f"bench.{name}",
            "metadataLocation": table.metadata_location,
            "snapshotCount": len(table.metadata.snapshots),
            "manifestCount": len(manifests),
            "dataFileCount": n_files,
            "recordCount": n_rows,
            "filesPerManifest": args.files,
            "partitionField": "part",
            "seconds": round(time.monotonic() - t0, 1),
        }
    with open(os.path.join(root, "planning.json"), "w") as fp:
        json.dump(doc, fp, indent=1)
        fp.write("\n")
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
