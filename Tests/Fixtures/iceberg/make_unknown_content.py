#!/usr/bin/env python3
"""Writes broken/unknown-content-list.avro and broken/unknown-content-manifest.avro: copies of a
pyiceberg manifest list and manifest of the fixture warehouse, rewritten by fastavro with the
same schema but a `content` value no Iceberg version defines (7 in the list, 9 in a data file),
which a reader must refuse instead of taking as data files. Usage: python3 make_unknown_content.py
"""
import glob
import os

import fastavro

HERE = os.path.dirname(os.path.abspath(__file__))
WAREHOUSE = os.path.join(HERE, "warehouse", "sales", "orders_v2", "metadata")


def rewrite(source, target, change):
    with open(source, "rb") as f:
        reader = fastavro.reader(f)
        schema = reader.writer_schema
        metadata = {k: v for k, v in reader.metadata.items() if not k.startswith("avro.")}
        records = list(reader)
    change(records[0])
    with open(target, "wb") as f:
        fastavro.writer(f, schema, records, metadata=metadata, codec="null", sync_marker=b"\x01" * 16)


def set_list_content(record):
    record["content"] = 7


def set_file_content(record):
    record["data_file"]["content"] = 9


lists = sorted(glob.glob(os.path.join(WAREHOUSE, "snap-*.avro")))
manifests = sorted(glob.glob(os.path.join(WAREHOUSE, "*-m0.avro")))
rewrite(lists[0], os.path.join(HERE, "broken", "unknown-content-list.avro"), set_list_content)
rewrite(manifests[0], os.path.join(HERE, "broken", "unknown-content-manifest.avro"), set_file_content)
