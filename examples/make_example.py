#!/usr/bin/env python3
"""Write the example Iceberg table that `make demo` ingests.

    python3 examples/make_example.py

A small table written by pyiceberg (SqlCatalog on sqlite in a temp dir): `shop.orders`,
format v2, partitioned by day(ts) and identity(region), three append snapshots of 40, 25 and
15 rows (ids, timestamps, regions, amounts as decimal(10,2), quantities, a list of tags, a
struct). pyiceberg records absolute paths, so the table is written at the fixed root
file:///tmp/lakeingest-example/warehouse and then copied to examples/lake/; the task
configuration reads it there, and the engine maps the recorded location onto the folder
it was found in (see README, "The example table"). Reproducible: the same seeded uuids, sync
markers and clock as the test fixtures (Tests/Fixtures/iceberg/_deterministic.py).
"""

import datetime
import decimal
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Tests", "Fixtures", "iceberg"))

import _deterministic  # noqa: E402

_deterministic.install(seed=20261201)

import pyarrow as pa  # noqa: E402
from pyiceberg.catalog.sql import SqlCatalog  # noqa: E402
from pyiceberg.partitioning import PartitionField, PartitionSpec  # noqa: E402
from pyiceberg.schema import Schema  # noqa: E402
from pyiceberg.transforms import DayTransform, IdentityTransform  # noqa: E402
from pyiceberg.types import (  # noqa: E402
    DecimalType, IntegerType, ListType, LongType, NestedField, StringType, StructType, TimestamptzType,
)

ROOT = "/tmp/lakeingest-example/warehouse"
OUT = os.path.join(HERE, "lake")
UTC = datetime.timezone.utc

SCHEMA = Schema(
    NestedField(1, "order_id", LongType(), required=True),
    NestedField(2, "ts", TimestamptzType(), required=True),
    NestedField(3, "region", StringType(), required=False),
    NestedField(4, "amount", DecimalType(10, 2), required=False),
    NestedField(5, "quantity", IntegerType(), required=False),
    NestedField(6, "tags", ListType(element_id=8, element_type=StringType(), element_required=False), required=False),
    NestedField(7, "shipping", StructType(NestedField(9, "carrier", StringType(), required=False),
                                          NestedField(10, "days", IntegerType(), required=False)), required=False),
    identifier_field_ids=[1],
)
SPEC = PartitionSpec(
    PartitionField(source_id=2, field_id=1000, transform=DayTransform(), name="ts_day"),
    PartitionField(source_id=3, field_id=1001, transform=IdentityTransform(), name="region"),
)
REGIONS = ["eu-west", "us-east", "ap-south"]


def batch(start, n, day):
    base = datetime.datetime(2026, 11, day, tzinfo=UTC)
    ids = list(range(start, start + n))
    return pa.table({
        "order_id": pa.array(ids, pa.int64()),
        "ts": pa.array([base + datetime.timedelta(minutes=17 * i) for i in range(n)], pa.timestamp("us", tz="UTC")),
        "region": pa.array([REGIONS[i % 3] for i in ids], pa.string()),
        "amount": pa.array([None if i % 9 == 0 else decimal.Decimal(i * 137 % 10000) / 100 for i in ids], pa.decimal128(10, 2)),
        "quantity": pa.array([1 + i % 5 for i in ids], pa.int32()),
        "tags": pa.array([[["gift"], [], None, ["express", "fragile"]][i % 4] for i in ids], pa.list_(pa.field("element", pa.string()))),
        "shipping": pa.array([None if i % 7 == 0 else {"carrier": ["post", "courier"][i % 2], "days": 1 + i % 4} for i in ids],
                             pa.struct([pa.field("carrier", pa.string()), pa.field("days", pa.int32())])),
    }, schema=pa.schema([
        pa.field("order_id", pa.int64(), nullable=False), pa.field("ts", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("region", pa.string()), pa.field("amount", pa.decimal128(10, 2)), pa.field("quantity", pa.int32()),
        pa.field("tags", pa.list_(pa.field("element", pa.string()))),
        pa.field("shipping", pa.struct([pa.field("carrier", pa.string()), pa.field("days", pa.int32())])),
    ]))


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    os.makedirs(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        catalog = SqlCatalog("example", uri="sqlite:///" + os.path.join(tmp, "catalog.db"), warehouse="file://" + ROOT)
        catalog.create_namespace("shop")
        table = catalog.create_table("shop.orders", schema=SCHEMA, partition_spec=SPEC, properties={"format-version": "2"})
        for start, n, day in [(1000, 40, 28), (2000, 25, 29), (3000, 15, 30)]:
            table.append(batch(start, n, day))
    shutil.rmtree(OUT, ignore_errors=True)
    shutil.copytree(ROOT, OUT)
    print(f"wrote {OUT} (recorded location file://{ROOT}/shop/orders)")


if __name__ == "__main__":
    main()
