#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora under Fuzz/Corpus/ (committed; rerun to regenerate).

Parquet seeds are small files written by pyarrow (every codec, dictionary and plain, nullable,
lists, v1 and v2 pages) and their footers; Avro, manifest and metadata seeds come from the
pyiceberg fixture warehouse; segment seeds are plain (uncompressed) tars of segments that
`ingest-worker segment create` builds from Samples/orders.parquet, so mutations reach the tar
headers and the index buffers; listing and catalog answers follow the AWS and Iceberg REST
formats. Usage: python3 Fuzz/make_seeds.py (after `swift build`).
"""
import base64
import decimal
import glob
import gzip
import io
import json
import os
import shutil
import struct
import subprocess
import tempfile

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fuzz", "Corpus")
WAREHOUSE = os.path.join(ROOT, "Tests", "Fixtures", "iceberg", "warehouse")


def target(name):
    path = os.path.join(CORPUS, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def write(folder, name, data):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def parquet_seeds():
    files = target("fuzz-parquet-file")
    footers = target("fuzz-thrift-footer")
    table = pa.table({
        "id": pa.array([1, 2, 3, None, 5], pa.int64()),
        "name": pa.array(["a", "bb", None, "a", "ccc"]),
        "score": pa.array([0.5, None, 2.25, 3.0, -1.0], pa.float64()),
        "flag": pa.array([True, False, None, True, True]),
        "tags": pa.array([["x"], [], None, ["y", "z"], ["x"]], pa.list_(pa.string())),
        "small": pa.array([1, 2, 1, 2, 1], pa.int32()),
        "ts": pa.array([0, 1_000, 2_000, None, 4_000], pa.timestamp("ms")),
        "dec": pa.array([decimal.Decimal("1.25"), None, decimal.Decimal("-3.50"), decimal.Decimal("0.01"), decimal.Decimal("99.99")], pa.decimal128(9, 2)),
    })
    variants = [("none", True, "1.0"), ("snappy", True, "2.0"), ("gzip", False, "1.0"), ("zstd", True, "2.0"),
                ("lz4", False, "2.0"), ("brotli", True, "1.0")]
    for codec, dictionary, page_version in variants:
        sink = io.BytesIO()
        pq.write_table(table, sink, compression=codec, use_dictionary=dictionary, data_page_version=page_version,
                       row_group_size=3)
        data = sink.getvalue()
        name = f"pyarrow-{codec}-{'dict' if dictionary else 'plain'}-v{page_version[0]}.parquet"
        write(files, name, data)
        (length,) = struct.unpack("<I", data[-8:-4])
        write(footers, name + ".footer", data[-8 - length:-8])


def iceberg_seeds():
    metadata = target("fuzz-iceberg-metadata")
    for path in sorted(glob.glob(os.path.join(WAREHOUSE, "**", "*.metadata.json"), recursive=True)):
        write(metadata, os.path.basename(path), open(path, "rb").read())
    manifests = target("fuzz-iceberg-manifest")
    avro = target("fuzz-avro-container")
    lists = sorted(glob.glob(os.path.join(WAREHOUSE, "**", "snap-*.avro"), recursive=True))
    for path in sorted(glob.glob(os.path.join(WAREHOUSE, "**", "*.avro"), recursive=True)):
        data = open(path, "rb").read()
        write(manifests, os.path.basename(path), data)
        write(avro, os.path.basename(path), data)
    template = open(lists[0], "rb").read()
    with open(os.path.join(ROOT, "Fuzz", "Sources", "fuzz-iceberg-manifest", "SeedList.swift"), "w") as f:
        f.write("// Written by Fuzz/make_seeds.py: a pyiceberg manifest list of the fixture warehouse.\n")
        f.write("let seedManifestList = \"" + base64.b64encode(template).decode() + "\"\n")
    answers = target("fuzz-catalog-answers")
    # The first byte picks the answer kind (0 config, 1 namespaces, 2 tables, 3 loadTable).
    write(answers, "config.json", b'\x00{"defaults": {"clients": "4"}, "overrides": {"prefix": "catalogs/123456789012"}}')
    write(answers, "namespaces.json", b'\x01{"namespaces": [["sales"], ["a", "b"]], "next-page-token": "t1"}')
    write(answers, "tables.json", b'\x02{"identifiers": [{"namespace": ["sales"], "name": "orders_v2"}], "next-page-token": null}')
    first = sorted(glob.glob(os.path.join(WAREHOUSE, "**", "*.metadata.json"), recursive=True))[-1]
    loaded = {"metadata-location": "s3://bucket/t/metadata/1.metadata.json", "metadata": json.load(open(first)),
              "config": {"s3.access-key-id": "AKID", "s3.secret-access-key": "seed", "s3.session-token": "seed"}}
    write(answers, "load-table.json", b"\x03" + json.dumps(loaded).encode())


def listing_seeds():
    folder = target("fuzz-s3-listing")
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    entry = ("<Contents><Key>{}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;{}&quot;</ETag>"
             "<Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>")
    write(folder, "page.xml", (head + "<Name>b</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>"
                               "<IsTruncated>false</IsTruncated>" + entry.format("p/a.parquet", "e1", 10)
                               + entry.format("p/x&amp;y.parquet", "e2", 0) + "</ListBucketResult>").encode())
    write(folder, "truncated.xml", (head + "<IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
                                    + entry.format("p/b.parquet", "e3", 4096) + "</ListBucketResult>").encode())
    write(folder, "empty.xml", (head + "<KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>").encode())


def segment_seeds():
    folder = target("fuzz-segment-reader")
    worker = os.path.join(ROOT, ".build", "debug", "ingest-worker")
    sample = os.path.join(ROOT, "Samples", "orders.parquet")
    with tempfile.TemporaryDirectory() as out:
        for label, extra in [("dictionary", []), ("raw", ["--no-dictionary", "city", "--no-dictionary", "order_id"])]:
            created = subprocess.run([worker, "segment", "create", "--input", sample, "--time-column", "ts",
                                      "--segment-name", "orders_" + label, "--out", out] + extra,
                                     check=True, capture_output=True, text=True).stdout.strip()
            write(folder, f"orders-{label}.tar", gzip.decompress(open(created, "rb").read()))


if __name__ == "__main__":
    parquet_seeds()
    iceberg_seeds()
    listing_seeds()
    segment_seeds()
    for name in sorted(os.listdir(CORPUS)):
        print(name, len(os.listdir(os.path.join(CORPUS, name))), "seeds")
