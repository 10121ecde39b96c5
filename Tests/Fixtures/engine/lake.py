#!/usr/bin/env python3
"""Iceberg tables for the engine's end-to-end tests, written by pyiceberg at test time.

    python3 lake.py create    --state DIR --warehouse URI --table NAME [--format-version 2]
    python3 lake.py append    --state DIR --table NAME --batch K [--rows N] [--files F] [--epoch-zero]
    python3 lake.py evolve    --state DIR --table NAME --batch K   # rename qty->quantity, add discount, append
    python3 lake.py overwrite --state DIR --table NAME             # an overwrite snapshot
    python3 lake.py expected  --state DIR --table NAME             # pyiceberg's scan as Pinot rows (JSON)
    python3 lake.py register  --state DIR --table NAME --control URL [--control URL ...]
    python3 lake.py parquet   --out FILE --batch K [--rows N] [--row-group-rows R]   # a plain Parquet file
    python3 lake.py expected-files FILE...                         # those files as Pinot rows (JSON)

DIR holds the pyiceberg SqlCatalog (sqlite) and the warehouse URI. URI is file:///... or
s3://bucket/prefix; for s3 the moto server of Tests/Fixtures/s3/with_s3.sh is used
(LAKEINGEST_S3_ENDPOINT, _ACCESS_KEY, _SECRET_KEY, _REGION), and the bucket is created when
missing. Namespace `lake`; partition spec day(ts), identity(category).

Rows are deterministic per batch K: ids K*10000 + i, timestamps in 2024-09-01..03 (µs), and
every type the mapping has: long, timestamptz, string, decimal(12,2), int, double (with NaN
and -0.0), list<string> (null lists, empty lists, null elements), boolean, date,
struct<a: int, b: string> (a JSON column), binary, float. `expected` prints
{"metadataLocation", "snapshots": [{"id", "operation"}], "rows": [{column: value}]} with the
values as Pinot stores them (DESIGN.md's mapping and Pinot's value rules: NaN -> null,
-0.0 -> 0.0, list null/NaN elements dropped and empty lists null, JSON compact with sorted
keys), rows sorted by id, partition column ts_day (days) included.
"""

import argparse
import datetime
import decimal
import json
import math
import os
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import pyarrow as pa  # noqa: E402
from pyiceberg.catalog.sql import SqlCatalog  # noqa: E402
from pyiceberg.partitioning import PartitionField, PartitionSpec  # noqa: E402
from pyiceberg.schema import Schema  # noqa: E402
from pyiceberg.transforms import DayTransform, IdentityTransform  # noqa: E402
from pyiceberg.types import (  # noqa: E402
    BinaryType, BooleanType, DateType, DecimalType, DoubleType, FloatType, IntegerType, ListType,
    LongType, NestedField, StringType, StructType, TimestamptzType,
)

import parquet_expect  # noqa: E402
import pyarrow.fs  # noqa: E402

# pyarrow's S3 client opens a multipart upload for every file, and moto 5.2's answer to
# CompleteMultipartUpload is refused by aws-sdk-cpp as an "error embedded in a 200 OK response".
# With a delayed open, files below the part size (all of these) go up with one PutObject.
# pyiceberg imports S3FileSystem from pyarrow.fs when it makes one, so it gets this one.
_S3FileSystem = pyarrow.fs.S3FileSystem


def _delayed_open_s3(**kwargs):
    return _S3FileSystem(allow_delayed_open=True, **kwargs)


pyarrow.fs.S3FileSystem = _delayed_open_s3

NAMESPACE = "lake"
UTC = datetime.timezone.utc

SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "ts", TimestamptzType(), required=False),
    NestedField(3, "category", StringType(), required=False),
    NestedField(4, "amount", DecimalType(12, 2), required=False),
    NestedField(5, "qty", IntegerType(), required=False),
    NestedField(6, "price", DoubleType(), required=False),
    NestedField(7, "tags", ListType(element_id=13, element_type=StringType(), element_required=False), required=False),
    NestedField(8, "active", BooleanType(), required=False),
    NestedField(9, "event_date", DateType(), required=False),
    NestedField(10, "payload", StructType(NestedField(14, "a", IntegerType(), required=False),
                                          NestedField(15, "b", StringType(), required=False)), required=False),
    NestedField(11, "blob", BinaryType(), required=False),
    NestedField(12, "score", FloatType(), required=False),
    identifier_field_ids=[1],
)
SPEC = PartitionSpec(
    PartitionField(source_id=2, field_id=1000, transform=DayTransform(), name="ts_day"),
    PartitionField(source_id=3, field_id=1001, transform=IdentityTransform(), name="category"),
)
CATEGORIES = ["books", "games", "garden"]


def rows(batch, n, evolved=False, epoch_zero=False):
    """Deterministic rows of batch `batch` as an Arrow table; with `epoch_zero` the first row's
    ts is 1970-01-01T00:00:00Z (a value Pinot refuses as a time value)."""
    base = datetime.datetime(2024, 9, 1, tzinfo=UTC)
    cols = {k: [] for k in ["id", "ts", "category", "amount", "qty", "price", "tags", "active", "event_date",
                            "payload", "blob", "score"]}
    if evolved:
        cols["discount"] = []
    for i in range(n):
        k = batch * 10000 + i
        cols["id"].append(k)
        cols["ts"].append(datetime.datetime(1970, 1, 1, tzinfo=UTC) if epoch_zero and i == 0
                          else base + datetime.timedelta(seconds=(k * 7919) % (3 * 86400), microseconds=(k * 37) % 1000000))
        cols["category"].append(None if i % 11 == 3 else CATEGORIES[(k // 3) % 3])
        cols["amount"].append(None if i % 7 == 2 else decimal.Decimal(k * 13 % 100000) / 100 - (500 if i % 5 == 0 else 0))
        cols["qty"].append(None if i % 9 == 4 else (k * 31) % 50 - 5)
        cols["price"].append([float("nan"), -0.0, None, 1.5e300, 0.1][i % 5] if i % 6 == 0 else (k % 997) / 7.0)
        cols["tags"].append([None, [], ["a"], ["x", None, "y"], ["t%d" % (k % 4), "u"]][i % 5])
        cols["active"].append(None if i % 13 == 6 else (k % 2 == 0))
        cols["event_date"].append(None if i % 10 == 7 else datetime.date(2024, 8, 1) + datetime.timedelta(days=k % 60))
        cols["payload"].append(None if i % 8 == 1 else {"a": k % 100, "b": "p%d" % (k % 5) if i % 3 else None})
        cols["blob"].append(None if i % 4 == 3 else bytes([k % 256, (k * 7) % 256, 0]))
        cols["score"].append(None if i % 5 == 1 else float(k % 1000) / 8)
        if evolved:
            cols["discount"].append(None if i % 3 == 0 else (k % 10) / 4)
    fields = [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("ts", pa.timestamp("us", tz="UTC")),
        pa.field("category", pa.string()),
        pa.field("amount", pa.decimal128(12, 2)),
        pa.field("quantity" if evolved else "qty", pa.int32()),
        pa.field("price", pa.float64()),
        pa.field("tags", pa.list_(pa.field("element", pa.string()))),
        pa.field("active", pa.bool_()),
        pa.field("event_date", pa.date32()),
        pa.field("payload", pa.struct([pa.field("a", pa.int32()), pa.field("b", pa.string())])),
        pa.field("blob", pa.binary()),
        pa.field("score", pa.float32()),
    ]
    arrays = [cols[name] for name in ["id", "ts", "category", "amount", "qty", "price", "tags", "active", "event_date", "payload", "blob", "score"]]
    if evolved:
        fields.append(pa.field("discount", pa.float64()))
        arrays.append(cols["discount"])
    return pa.Table.from_arrays([pa.array(a, type=f.type) for a, f in zip(arrays, fields)], schema=pa.schema(fields))


def s3_properties():
    env = os.environ
    return {
        "s3.endpoint": env["LAKEINGEST_S3_ENDPOINT"],
        "s3.access-key-id": env["LAKEINGEST_S3_ACCESS_KEY"],
        "s3.secret-access-key": env["LAKEINGEST_S3_SECRET_KEY"],
        "s3.region": env.get("LAKEINGEST_S3_REGION", "us-east-1"),
        "s3.force-virtual-addressing": "false",
    }


def ensure_bucket(warehouse):
    import boto3
    env = os.environ
    bucket = warehouse[len("s3://"):].split("/", 1)[0]
    client = boto3.client("s3", endpoint_url=env["LAKEINGEST_S3_ENDPOINT"], region_name=env.get("LAKEINGEST_S3_REGION", "us-east-1"),
                          aws_access_key_id=env["LAKEINGEST_S3_ACCESS_KEY"], aws_secret_access_key=env["LAKEINGEST_S3_SECRET_KEY"])
    try:
        client.head_bucket(Bucket=bucket)
    except Exception:  # noqa: BLE001
        client.create_bucket(Bucket=bucket)


def catalog(state):
    with open(os.path.join(state, "lake.json")) as fp:
        settings = json.load(fp)
    props = {"uri": "sqlite:///" + os.path.join(state, "catalog.db"), "warehouse": settings["warehouse"]}
    if settings["warehouse"].startswith("s3://"):
        props.update(s3_properties())
    return SqlCatalog("lake", **props)


def append(table, batch, n, files, evolved=False, epoch_zero=False):
    data = rows(batch, n, evolved, epoch_zero)
    size = max(1, math.ceil(n / files))
    with table.transaction() as tx:
        for start in range(0, n, size):
            tx.append(data.slice(start, size))


def cmd_create(args):
    os.makedirs(args.state, exist_ok=True)
    with open(os.path.join(args.state, "lake.json"), "w") as fp:
        json.dump({"warehouse": args.warehouse}, fp)
    if args.warehouse.startswith("s3://"):
        ensure_bucket(args.warehouse)
    cat = catalog(args.state)
    cat.create_namespace_if_not_exists(NAMESPACE)
    cat.create_table(f"{NAMESPACE}.{args.table}", schema=SCHEMA, partition_spec=SPEC,
                     properties={"format-version": str(args.format_version)})


def cmd_append(args):
    table = catalog(args.state).load_table(f"{NAMESPACE}.{args.table}")
    evolved = any(f.name == "quantity" for f in table.schema().fields)
    append(table, args.batch, args.rows, args.files, evolved=evolved, epoch_zero=args.epoch_zero)


def cmd_evolve(args):
    table = catalog(args.state).load_table(f"{NAMESPACE}.{args.table}")
    with table.update_schema() as update:
        update.rename_column("qty", "quantity")
        update.add_column("discount", DoubleType())
    table = catalog(args.state).load_table(f"{NAMESPACE}.{args.table}")
    append(table, args.batch, args.rows, args.files, evolved=True)


def cmd_overwrite(args):
    table = catalog(args.state).load_table(f"{NAMESPACE}.{args.table}")
    from pyiceberg.expressions import EqualTo
    table.delete(EqualTo("category", "books"))


def pinot_rules(value, kind):
    """Pinot's value rules on one expected value (see the module doc)."""
    if value is None:
        return None
    if kind == "mv":
        kept = [v for v in value if v is not None and v != "NaN"]
        return kept or None
    if kind == "float":
        if value == "NaN":
            return None
        if isinstance(value, float) and value == 0.0:
            return 0.0
        return value
    if kind == "json":
        return json.dumps(json.loads(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return value


def pinot_rows(arrow, partition_day=True):
    """The rows of an Arrow table as Pinot stores them, sorted by id."""
    names = [f.name for f in arrow.schema]
    kinds = {}
    for f in arrow.schema:
        t = f.type
        kinds[f.name] = ("mv" if pa.types.is_list(t) else "json" if pa.types.is_struct(t)
                         else "float" if pa.types.is_floating(t) else "plain")
    columns = {}
    for name in names:
        vals = []
        for chunk in arrow.column(name).chunks:
            vals.extend(parquet_expect.values(chunk))
        if kinds[name] == "json":
            vals = [None if v is None else parquet_expect._json_text(v) for v in vals]
        columns[name] = [pinot_rules(v, kinds[name]) for v in vals]
    out = []
    for i in range(arrow.num_rows):
        row = {name: columns[name][i] for name in names}
        if partition_day:
            ts = row.get("ts")
            row["ts_day"] = None if ts is None else ts // 86400000
        out.append(row)
    out.sort(key=lambda r: r["id"])
    return out


def cmd_expected(args):
    table = catalog(args.state).load_table(f"{NAMESPACE}.{args.table}")
    out = pinot_rows(table.scan().to_arrow())
    snapshots = [{"id": s.snapshot_id, "operation": s.summary.operation.value if s.summary else "append"} for s in table.snapshots()]
    print(json.dumps({"metadataLocation": table.metadata_location, "snapshots": snapshots, "rows": out},
                     ensure_ascii=False, allow_nan=False, separators=(",", ":")))


def cmd_expected_files(args):
    import pyarrow.parquet as pq
    tables = [parquet_expect.read_table(path) for path in args.files]
    out = pinot_rows(pa.concat_tables(tables), partition_day=False)
    print(json.dumps({"metadataLocation": "", "snapshots": [], "rows": out}, ensure_ascii=False, allow_nan=False, separators=(",", ":")))


def cmd_register(args):
    table = catalog(args.state).load_table(f"{NAMESPACE}.{args.table}")
    doc = {"namespace": [NAMESPACE], "name": args.table, "metadata-location": table.metadata_location,
           "metadata": json.loads(table.metadata.model_dump_json(by_alias=True, exclude_none=True))}
    for control in args.control:
        request = urllib.request.Request(control.rstrip("/") + "/register", data=json.dumps(doc).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200


def cmd_parquet(args):
    import pyarrow.parquet as pq
    data = rows(args.batch, args.rows)
    data = data.drop_columns(["payload"])
    pq.write_table(data, args.out, row_group_size=args.row_group_rows or max(1, args.rows // 2))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ["create", "append", "evolve", "overwrite", "expected", "register"]:
        p = sub.add_parser(name)
        p.add_argument("--state", required=True)
        p.add_argument("--table", required=True)
        if name == "create":
            p.add_argument("--warehouse", required=True)
            p.add_argument("--format-version", type=int, default=2)
        if name in ("append", "evolve"):
            p.add_argument("--batch", type=int, required=True)
            p.add_argument("--rows", type=int, default=120)
            p.add_argument("--files", type=int, default=1)
            p.add_argument("--epoch-zero", action="store_true")
        if name == "register":
            p.add_argument("--control", action="append", required=True)
    p = sub.add_parser("expected-files")
    p.add_argument("files", nargs="+")
    p = sub.add_parser("parquet")
    p.add_argument("--out", required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--rows", type=int, default=50)
    p.add_argument("--row-group-rows", type=int, default=0)
    args = parser.parse_args()
    globals()["cmd_" + args.command.replace("-", "_")](args)


if __name__ == "__main__":
    main()
