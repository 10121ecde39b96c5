"""Timestamps with sub-millisecond digits, written by pyarrow, DuckDB and fastparquet, and the
raw values each file holds as read back by pyarrow: what a LONG `1:MICROSECONDS:EPOCH` or
`1:NANOSECONDS:EPOCH` field must store digit for digit.

Columns: `id`; `ts_us` (µs, never null, 2001–2030: the time column); `ts_ns` (ns, nulls, values
on both sides of the epoch down to -1 ns); `ts_int96` (the same instants as `ts_ns`, INT96 where
the writer can, which readers take at µs). Writes `<writer>.parquet` and `<writer>.parquet.json`
(`{"columns": {name: {"unit": "us"|"ns", "values": [int|null]}}}`) into this folder.

    python3 Tests/Fixtures/time/make_sub_millisecond.py
"""
import json
import os
import random

import duckdb
import fastparquet
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = 200


def data():
    rng = random.Random(20261202)
    start, end = 978_307_200_000_000, 1_893_456_000_000_000  # 2001-01-01 .. 2030-01-01 in µs
    us = [rng.randrange(start, end) for _ in range(ROWS)]
    ns = []
    for i in range(ROWS):
        if i % 7 == 3:
            ns.append(None)
        elif i < 4:
            ns.append([-1, -999_999, -1_000_001, 1][i])  # around the epoch: floors, not truncates
        else:
            ns.append(rng.randrange(-2_208_988_800 * 10**9, 4_102_444_800 * 10**9))  # 1900 .. 2100
    return list(range(ROWS)), us, ns


def main():
    for name in os.listdir(HERE):
        if name.endswith(".parquet") or name.endswith(".parquet.json"):
            os.remove(os.path.join(HERE, name))
    ids, us, ns = data()
    frame = pd.DataFrame({
        "id": pd.array(ids, dtype="int64"),
        "ts_us": pd.array(pd.to_datetime(us, unit="us"), dtype="datetime64[us]"),
        "ts_ns": pd.array([pd.NaT if v is None else pd.Timestamp(v, unit="ns", tz="UTC") for v in ns], dtype="datetime64[ns, UTC]"),
        "ts_int96": pd.array([pd.NaT if v is None else pd.Timestamp(v, unit="ns") for v in ns], dtype="datetime64[ns]"),
    })

    # pyarrow: ts_us and ts_ns as INT64 timestamps; ts_int96 as INT96 (one writer call cannot mix,
    # so INT96 goes into the whole file and ts_us / ts_ns of the INT64 kinds into another).
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table.select(["id", "ts_us", "ts_ns"]), os.path.join(HERE, "pyarrow.parquet"), row_group_size=80, version="2.6")
    pq.write_table(table.select(["id", "ts_us", "ts_int96"]), os.path.join(HERE, "pyarrow-int96.parquet"), row_group_size=80,
                   use_deprecated_int96_timestamps=True)

    # DuckDB: TIMESTAMP (µs), TIMESTAMP_NS.
    con = duckdb.connect()
    con.register("frame", table.select(["id", "ts_us", "ts_ns"]))
    con.execute("COPY (SELECT id, ts_us, ts_ns::TIMESTAMP_NS AS ts_ns FROM frame ORDER BY id) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 80)"
                % os.path.join(HERE, "duckdb.parquet"))

    # fastparquet: ns INT64 by default, INT96 with times="int96".
    fastparquet.write(os.path.join(HERE, "fastparquet.parquet"), frame[["id", "ts_us", "ts_ns"]], row_group_offsets=80, stats=True)
    # fastparquet takes a µs column's values as ns when it writes INT96: give it ns.
    int96_frame = frame[["id", "ts_us", "ts_int96"]].astype({"ts_us": "datetime64[ns]"})
    fastparquet.write(os.path.join(HERE, "fastparquet-int96.parquet"), int96_frame, row_group_offsets=80, times="int96", stats=True)

    for name in sorted(os.listdir(HERE)):
        if not name.endswith(".parquet"):
            continue
        path = os.path.join(HERE, name)
        back = pq.read_table(path, coerce_int96_timestamp_unit="ns")
        columns = {}
        for field in back.schema:
            if not pa.types.is_timestamp(field.type):
                continue
            raw = back[field.name].cast(pa.int64()).to_pylist()
            physical = pq.ParquetFile(path).schema.column(back.schema.get_field_index(field.name)).physical_type
            if physical == "INT96":
                # Readers take INT96 at µs (Spark's reading); the nanoseconds of the day are
                # non-negative, so the µs are floored.
                columns[field.name] = {"unit": "us", "physical": "INT96", "values": [None if v is None else v // 1000 for v in raw]}
            else:
                columns[field.name] = {"unit": field.type.unit, "physical": physical, "values": raw}
        with open(path + ".json", "w") as out:
            json.dump({"writer": name.split(".")[0], "rows": back.num_rows, "columns": columns}, out, indent=1, sort_keys=True)
            out.write("\n")


if __name__ == "__main__":
    main()
