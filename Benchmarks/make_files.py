"""Writes the benchmarks' file set into Benchmarks/Data/ (not committed).

segment-10m.parquet: the segment-speed file (see segment_table_10m), 1,000,000-row row groups, snappy.

Two files with the same 2,000,000 rows, one SNAPPY and one ZSTD, as pyarrow writes them by
default (dictionary where it pays, 1 MiB pages, 1,000,000-row row groups):
  id        int64, sequential                      (PLAIN)
  ts        timestamp[us, UTC], increasing          (PLAIN)
  city      string, 50 distinct values              (dictionary)
  user      string, ~1.5M distinct values, 10-24 B  (dictionary falls back to PLAIN)
  amount    float64, random, 5% null
  quantity  int32, 1..20                            (dictionary)
Run: python3 Benchmarks/make_files.py
"""
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = 2_000_000


def table():
    rng = np.random.default_rng(20261125)
    cities = np.array([f"city-{i:02d}-{'x' * (i % 7)}" for i in range(50)], dtype=object)
    users = np.char.add("user-", rng.integers(0, 1_500_000, ROWS).astype(str))
    users = np.char.add(users, np.where(rng.random(ROWS) < 0.5, "-alpha", "-beta-gamma"))
    amount = rng.random(ROWS) * 1000
    amount_mask = rng.random(ROWS) < 0.05
    return pa.table({
        "id": pa.array(np.arange(ROWS, dtype=np.int64)),
        "ts": pa.array(1_700_000_000_000_000 + np.arange(ROWS, dtype=np.int64) * 1_000_003, pa.timestamp("us", tz="UTC")),
        "city": pa.array(cities[rng.integers(0, 50, ROWS)], pa.string()),
        "user": pa.array(users, pa.string()),
        "amount": pa.array(amount, pa.float64(), mask=amount_mask),
        "quantity": pa.array(rng.integers(1, 21, ROWS).astype(np.int32)),
    })


def wide_table():
    """20 int64/double/string columns, 300,000 rows: the object-store request-count benchmark."""
    rng = np.random.default_rng(7)
    n = 300_000
    columns = {}
    for i in range(20):
        kind = i % 3
        if kind == 0:
            columns[f"c{i:02d}"] = pa.array(rng.integers(0, 1 << 40, n))
        elif kind == 1:
            columns[f"c{i:02d}"] = pa.array(rng.random(n))
        else:
            columns[f"c{i:02d}"] = pa.array(np.char.add("v", rng.integers(0, 5000, n).astype(str)), pa.string())
    return pa.table(columns)


def segment_table():
    """5,000,000 rows × 8 columns for the segment-build benchmark: ids, timestamps, low- and
    high-cardinality strings, doubles."""
    rng = np.random.default_rng(5)
    n = 5_000_000
    cities = np.array([f"city-{i:03d}" for i in range(200)], dtype=object)
    devices = np.array(["ios", "android", "web", "tv", "car"], dtype=object)
    return pa.table({
        "id": pa.array(np.arange(n, dtype=np.int64)),
        "ts": pa.array(1_700_000_000_000 + np.sort(rng.integers(0, 30 * 86_400_000, n)), pa.timestamp("ms", tz="UTC")),
        "city": pa.array(cities[rng.integers(0, 200, n)], pa.string()),
        "device": pa.array(devices[rng.integers(0, 5, n)], pa.string()),
        "user": pa.array(np.char.add("user-", rng.integers(0, 2_000_000, n).astype(str)), pa.string()),
        "session": pa.array(np.char.add("s-", rng.integers(0, 4_000_000, n).astype(str)), pa.string()),
        "amount": pa.array(np.round(rng.random(n) * 1000, 2)),
        "latency": pa.array(rng.exponential(50, n)),
    })


def segment_table_10m():
    """10,000,000 rows × 8 columns, the shape of the segment-speed issue: int64 ids, millisecond
    timestamps, 200k-distinct int64s, 16- and 200-value strings, a 1.6M-distinct string,
    100k-distinct doubles, small int32s."""
    rng = np.random.default_rng(10)
    n = 10_000_000
    cities = np.array([f"city-{i:02d}" for i in range(16)], dtype=object)
    products = np.array([f"product-{i:03d}-{'x' * (i % 9)}" for i in range(200)], dtype=object)
    return pa.table({
        "id": pa.array(np.arange(n, dtype=np.int64)),
        "ts": pa.array(1_760_000_000_000 + np.sort(rng.integers(0, 30 * 86_400_000, n)), pa.timestamp("ms", tz="UTC")),
        "account": pa.array(rng.integers(0, 200_000, n) * 7919 + 10_000_000),
        "city": pa.array(cities[rng.integers(0, 16, n)], pa.string()),
        "product": pa.array(products[rng.integers(0, 200, n)], pa.string()),
        "user": pa.array(np.char.add("user-", rng.integers(0, 1_600_000, n).astype(str)), pa.string()),
        "price": pa.array(rng.integers(0, 100_000, n) / 100.0),
        "quantity": pa.array(rng.integers(1, 12, n).astype(np.int32)),
    })


def main():
    out = os.path.join(HERE, "Data")
    os.makedirs(out, exist_ok=True)
    segment10 = os.path.join(out, "segment-10m.parquet")
    if not os.path.exists(segment10):
        pq.write_table(segment_table_10m(), segment10, compression="snappy", row_group_size=1_000_000)
    print(segment10, os.path.getsize(segment10), "bytes")
    segment = os.path.join(out, "segment-5m.parquet")
    pq.write_table(segment_table(), segment, compression="snappy", row_group_size=1_000_000)
    print(segment, os.path.getsize(segment), "bytes")
    wide = os.path.join(out, "wide-20.parquet")
    pq.write_table(wide_table(), wide, compression="snappy", row_group_size=100_000)
    print(wide, os.path.getsize(wide), "bytes")
    t = table()
    for codec in ("snappy", "zstd"):
        path = os.path.join(out, f"bench-{codec}.parquet")
        pq.write_table(t, path, compression=codec, row_group_size=1_000_000)
        print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
