"""Writes Samples/orders.parquet, the small file the README's first command prints.

Run: python3 Samples/make_sample.py   (needs pyarrow; see Tests/Fixtures/requirements.txt)
"""
import datetime as dt
import decimal
import os

import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    n = 12
    base = dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.timezone.utc)
    cities = ["Lisbon", "Oslo", "Kyoto", "Lima"]
    table = pa.table({
        "order_id": pa.array(range(1000, 1000 + n), pa.int64()),
        "ts": pa.array([base + dt.timedelta(minutes=37 * i) for i in range(n)], pa.timestamp("us", tz="UTC")),
        "city": pa.array([cities[i % 4] for i in range(n)], pa.string()),
        "amount": pa.array([decimal.Decimal(f"{(i * 7919) % 10000 / 100:.2f}") for i in range(n)], pa.decimal128(9, 2)),
        "quantity": pa.array([None if i % 5 == 3 else i % 4 + 1 for i in range(n)], pa.int32()),
        "discount": pa.array([None if i % 3 == 0 else round(0.05 * (i % 4), 2) for i in range(n)], pa.float64()),
        "tags": pa.array([["gift"] if i % 4 == 0 else [] if i % 4 == 1 else ["express", "fragile"] if i % 4 == 2 else None
                          for i in range(n)], pa.list_(pa.string())),
        "day": pa.array([(base + dt.timedelta(minutes=37 * i)).date() for i in range(n)], pa.date32()),
    })
    pq.write_table(table, os.path.join(HERE, "orders.parquet"), compression="snappy", row_group_size=8)


if __name__ == "__main__":
    main()
