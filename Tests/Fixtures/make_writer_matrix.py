#!/usr/bin/env python3
"""Generate the writer-matrix Parquet fixtures and their expectations.

    python3 Tests/Fixtures/make_writer_matrix.py

Writes Tests/Fixtures/writer-matrix/<writer>-<codec>[-...].parquet from four writers
(pyarrow, DuckDB, polars, fastparquet) over the same deterministic data, an expectation
<name>.parquet.json beside each (computed by reading the file back with pyarrow through
parquet_expect.py), and VERSIONS.json with the writer library versions. Stale files in the
output folder are removed first. Output is deterministic for fixed library versions
(see requirements.txt).
"""

import decimal
import json
import os
import platform
import random
import sys
import uuid

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import parquet_expect as pe  # noqa: E402

OUT_DIR = os.path.join(HERE, "writer-matrix")
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

SEED = 20240611
N_ROWS = 360
ROW_GROUP_SIZE = 150          # -> row groups of 150, 150, 60
DATA_PAGE_SIZE = 1536         # bytes; pyarrow and polars
WRITE_BATCH_SIZE = 32         # pyarrow checks the page size every write batch
MAX_ROWS_PER_PAGE = 48        # pyarrow: >= 4 data pages per column chunk (48, 48, 48, 6)
NULL_P = 0.3


# --------------------------------------------------------------------------- data

def _nullable(rng, make, p=NULL_P):
    return None if rng.random() < p else make()


def _f32(x):
    return float(np.float32(x))


def _float_specials(rng, bits):
    r = rng.random()
    if r < 0.04:
        return float("nan")
    if r < 0.07:
        return float("inf")
    if r < 0.10:
        return float("-inf")
    if r < 0.14:
        return -0.0
    if r < 0.17:
        return 0.0
    if r < 0.20:  # subnormal / extreme magnitudes
        return rng.choice([1e-45, -1e-45, 3.4e38, -3.4e38] if bits == 32 else
                          [5e-324, -5e-324, 1.7976931348623157e308, -1.7976931348623157e308])
    x = rng.uniform(-1e6, 1e6) * (10 ** rng.randint(-8, 4))
    return _f32(x) if bits == 32 else x


def _dec(rng, precision, scale):
    unscaled = rng.randint(-(10 ** precision - 1), 10 ** precision - 1)
    if rng.random() < 0.1:
        unscaled = rng.choice([0, 1, -1, 10 ** precision - 1, -(10 ** precision - 1)])
    return decimal.Decimal(unscaled).scaleb(-scale, context=decimal.Context(prec=100))


LOW_CARD = ["alpha", "beta", "gamma", "delta", "epsilon", "ζήτα", "", "theta ☃"]
ALPHABET = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,"
            "éüßçñøåæ中文字日本語한국어😀🚀\u00a0\u2028\"\\/\t\n")


def _text(rng, max_len):
    n = rng.choice([0, 1, 2, rng.randint(0, max_len), rng.randint(0, max_len)])
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def _bytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def _ts(rng, unit):
    # +-4e9 s around the epoch (years ~1843..2096) with sub-second parts in the unit
    per_s = {"ms": 1000, "us": 1000000, "ns": 1000000000}[unit]
    if rng.random() < 0.05:
        return rng.choice([0, -1, 1, -per_s, per_s - 1])
    return rng.randint(-4 * 10 ** 9 * per_s, 4 * 10 ** 9 * per_s)


def build_table(n=N_ROWS, seed=SEED):
    """The common data set (pyarrow table). Column order is the file's schema order."""
    rng = random.Random(seed)
    cols = {}

    def col(name, typ, gen, nullable=True):
        vals = [(_nullable(rng, gen) if nullable else gen()) for _ in range(n)]
        cols[name] = (vals, typ)

    cols["id"] = (list(range(n)), pa.int64())
    col("bool_nn", pa.bool_(), lambda: rng.random() < 0.5, nullable=False)
    col("i32_nn", pa.int32(), lambda: rng.randint(-2**31, 2**31 - 1), nullable=False)
    col("str_nn", pa.string(), lambda: f"row-{rng.randint(0, 10**6)}", nullable=False)
    col("f64_nn", pa.float64(), lambda: _float_specials(rng, 64), nullable=False)
    col("bool", pa.bool_(), lambda: rng.random() < 0.5)
    col("i8", pa.int8(), lambda: rng.randint(-128, 127))
    col("i16", pa.int16(), lambda: rng.randint(-2**15, 2**15 - 1))
    col("i32", pa.int32(), lambda: rng.choice([rng.randint(-2**31, 2**31 - 1), rng.randint(-100, 100)]))
    col("i64", pa.int64(), lambda: rng.choice([rng.randint(-2**63, 2**63 - 1), rng.randint(-1000, 1000),
                                               -2**63, 2**63 - 1]))
    col("u8", pa.uint8(), lambda: rng.randint(0, 255))
    col("u16", pa.uint16(), lambda: rng.randint(0, 2**16 - 1))
    col("u32", pa.uint32(), lambda: rng.randint(0, 2**32 - 1))
    col("u64", pa.uint64(), lambda: rng.randint(0, 2**40))  # small: stays a valid LONG
    col("f16", pa.float16(), lambda: rng.choice([float("nan"), float("inf"), -0.0, 65504.0,
                                                 float(np.float16(rng.uniform(-100, 100)))]))
    col("f32", pa.float32(), lambda: _float_specials(rng, 32))
    col("f64", pa.float64(), lambda: _float_specials(rng, 64))
    col("dec9_2", pa.decimal128(9, 2), lambda: _dec(rng, 9, 2))
    col("dec18_4", pa.decimal128(18, 4), lambda: _dec(rng, 18, 4))
    col("dec30_6", pa.decimal128(30, 6), lambda: _dec(rng, 30, 6))
    col("str_low", pa.string(), lambda: rng.choice(LOW_CARD))
    col("str_high", pa.string(), lambda: _text(rng, 40))
    col("bin", pa.binary(), lambda: _bytes(rng, rng.randint(0, 24)))
    col("fsb16", pa.binary(16), lambda: _bytes(rng, 16))
    col("uuid", pa.binary(16), lambda: uuid.UUID(int=rng.getrandbits(128), version=4).bytes)
    col("date32", pa.date32(), lambda: rng.randint(-40000, 40000))
    col("time32_ms", pa.time32("ms"), lambda: rng.randint(0, 86400 * 1000 - 1))
    col("time64_us", pa.time64("us"), lambda: rng.randint(0, 86400 * 10**6 - 1))
    col("ts_ms", pa.timestamp("ms"), lambda: _ts(rng, "ms"))
    col("ts_us", pa.timestamp("us"), lambda: _ts(rng, "us"))
    col("ts_ns", pa.timestamp("ns"), lambda: _ts(rng, "ns"))
    col("ts_ms_tz", pa.timestamp("ms", tz="UTC"), lambda: _ts(rng, "ms"))
    col("ts_us_tz", pa.timestamp("us", tz="America/New_York"), lambda: _ts(rng, "us"))
    col("ts_ns_tz", pa.timestamp("ns", tz="UTC"), lambda: _ts(rng, "ns"))

    def list_of(gen, elem_null_p=0.2):
        r = rng.random()
        if r < 0.12:
            return []
        return [None if rng.random() < elem_null_p else gen() for _ in range(rng.randint(1, 5))]

    col("list_i32", pa.list_(pa.int32()), lambda: list_of(lambda: rng.randint(-2**31, 2**31 - 1)))
    col("list_str", pa.list_(pa.string()), lambda: list_of(lambda: _text(rng, 12)))
    col("struct_ab", pa.struct([("a", pa.int32()), ("b", pa.string())]),
        lambda: {"a": None if rng.random() < 0.25 else rng.randint(-1000, 1000),
                 "b": None if rng.random() < 0.25 else _text(rng, 10)})

    def a_map():
        keys = rng.sample(["k1", "k2", "k3", "key four", "ключ", ""], rng.randint(0, 4))
        return [(k, None if rng.random() < 0.2 else rng.randint(-2**40, 2**40)) for k in keys]

    col("map_si", pa.map_(pa.string(), pa.int64()), a_map)

    def a_json():
        return rng.choice([
            json.dumps({"k": rng.randint(0, 99), "v": [1, 2.5, None, "x"]}),
            json.dumps({"nested": {"ok": True, "s": _text(rng, 8)}}, ensure_ascii=False),
            "[1, 2,  3]", "\"plain string\"", "42", "null", "{}",
        ])

    col("json", pa.string(), a_json)

    arrays = {}
    for name, (vals, typ) in cols.items():
        if pa.types.is_float16(typ):
            mask = np.array([v is None for v in vals])
            arr = np.array([0.0 if v is None else v for v in vals], dtype=np.float16)
            arrays[name] = pa.array(arr, type=typ, mask=mask)
        else:
            arrays[name] = pa.array(vals, type=typ)
    if hasattr(pa, "uuid"):
        arrays["uuid"] = pa.ExtensionArray.from_storage(pa.uuid(), arrays["uuid"])
    else:  # pyarrow < 18: no UUID extension type -> no UUID column
        del arrays["uuid"]
    if hasattr(pa, "json_"):
        arrays["json"] = pa.ExtensionArray.from_storage(pa.json_(), arrays["json"])
    else:  # pyarrow < 19: no JSON extension type -> no JSON-annotated column
        del arrays["json"]
    # The *_nn columns (and id) never hold nulls and are declared non-nullable, so the
    # writers that honour it (pyarrow) make them REQUIRED (no definition levels).
    fields = [pa.field(k, a.type, nullable=not (k == "id" or k.endswith("_nn")))
              for k, a in arrays.items()]
    return pa.Table.from_arrays(list(arrays.values()), schema=pa.schema(fields))


# --------------------------------------------------------------------------- writers

PA_CODECS = [("uncompressed", "NONE"), ("snappy", "SNAPPY"), ("gzip", "GZIP"),
             ("zstd", "ZSTD"), ("lz4raw", "LZ4")]  # pyarrow's "LZ4" is LZ4_RAW

PA_COMMON = dict(row_group_size=ROW_GROUP_SIZE, data_page_size=DATA_PAGE_SIZE,
                 write_batch_size=WRITE_BATCH_SIZE, max_rows_per_page=MAX_ROWS_PER_PAGE,
                 write_statistics=True,
                 store_decimal_as_integer=True,  # decimal(9,2)->INT32, (18,4)->INT64, (30,6)->FLBA
                 dictionary_pagesize_limit=1024)  # high-cardinality columns fall back to PLAIN


def _storage(t):
    return t.storage_type if isinstance(t, pa.BaseExtensionType) else t


def _encodings_v1(schema):
    """DELTA_BINARY_PACKED ints, DELTA_LENGTH_BYTE_ARRAY strings/binary, BYTE_STREAM_SPLIT
    floats and FLBA, RLE booleans."""
    enc = {}
    for f in schema:
        t = _storage(f.type)
        if pa.types.is_boolean(t):
            enc[f.name] = "RLE"
        elif pa.types.is_integer(t) or pa.types.is_temporal(t):
            enc[f.name] = "DELTA_BINARY_PACKED"
        elif pa.types.is_decimal(t):
            enc[f.name] = "DELTA_BINARY_PACKED" if t.precision <= 18 else "BYTE_STREAM_SPLIT"
        elif pa.types.is_floating(t) or pa.types.is_fixed_size_binary(t):
            enc[f.name] = "BYTE_STREAM_SPLIT"
        elif pa.types.is_string(t) or pa.types.is_binary(t):
            enc[f.name] = "DELTA_LENGTH_BYTE_ARRAY"
    enc["list_i32.list.element"] = "DELTA_BINARY_PACKED"
    enc["list_str.list.element"] = "DELTA_LENGTH_BYTE_ARRAY"
    enc["struct_ab.a"] = "DELTA_BINARY_PACKED"
    enc["struct_ab.b"] = "DELTA_LENGTH_BYTE_ARRAY"
    enc["map_si.key_value.key"] = "DELTA_LENGTH_BYTE_ARRAY"
    enc["map_si.key_value.value"] = "DELTA_BINARY_PACKED"
    return enc


def _encodings_v2(schema):
    """BYTE_STREAM_SPLIT for 32/64-bit ints, decimals and floats, DELTA_BINARY_PACKED for the
    other ints and temporals, DELTA_BYTE_ARRAY for strings/binary/FLBA, RLE booleans."""
    enc = {}
    for f in schema:
        t = _storage(f.type)
        if pa.types.is_boolean(t):
            enc[f.name] = "RLE"
        elif pa.types.is_int32(t) or pa.types.is_int64(t) or pa.types.is_decimal(t):
            enc[f.name] = "BYTE_STREAM_SPLIT"
        elif pa.types.is_integer(t) or pa.types.is_temporal(t):
            enc[f.name] = "DELTA_BINARY_PACKED"
        elif pa.types.is_floating(t):
            enc[f.name] = "BYTE_STREAM_SPLIT"
        elif pa.types.is_string(t) or pa.types.is_binary(t) or pa.types.is_fixed_size_binary(t):
            enc[f.name] = "DELTA_BYTE_ARRAY"
    enc["list_i32.list.element"] = "BYTE_STREAM_SPLIT"
    enc["list_str.list.element"] = "DELTA_BYTE_ARRAY"
    enc["struct_ab.a"] = "DELTA_BINARY_PACKED"
    enc["struct_ab.b"] = "DELTA_BYTE_ARRAY"
    enc["map_si.key_value.key"] = "DELTA_BYTE_ARRAY"
    enc["map_si.key_value.value"] = "BYTE_STREAM_SPLIT"
    return enc


def write_pyarrow(table):
    made = []
    for cname, codec in PA_CODECS:
        for dict_name, use_dict in (("dict", True), ("plain", False)):
            for vname, ver in (("v1", "1.0"), ("v2", "2.0")):
                name = f"pyarrow-{cname}-{dict_name}-{vname}.parquet"
                pq.write_table(table, os.path.join(OUT_DIR, name), compression=codec,
                               use_dictionary=use_dict, data_page_version=ver, **PA_COMMON)
                made.append(name)
    for vname, ver, encf, codec in (("v1", "1.0", _encodings_v1, "SNAPPY"),
                                    ("v2", "2.0", _encodings_v2, "ZSTD")):
        name = f"pyarrow-{codec.lower()}-encodings-{vname}.parquet"
        pq.write_table(table, os.path.join(OUT_DIR, name), compression=codec,
                       use_dictionary=False, column_encoding=encf(table.schema),
                       data_page_version=ver, **PA_COMMON)
        made.append(name)
    name = "pyarrow-snappy-dict-v1-checksum.parquet"
    pq.write_table(table, os.path.join(OUT_DIR, name), compression="SNAPPY", use_dictionary=True,
                   data_page_version="1.0", write_page_checksum=True, write_page_index=True,
                   **PA_COMMON)
    made.append(name)
    return made


DUCK_CODECS = ["uncompressed", "snappy", "gzip", "zstd", "lz4"]  # duckdb's lz4 is LZ4_RAW


def write_duckdb(table):
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads=1")  # deterministic, insertion order
    # DuckDB cannot take float16 -> dropped. The rest comes over from Arrow; uuid/json are
    # cast explicitly so DuckDB writes the UUID / JSON logical types, fixed_size_binary(16)
    # becomes BLOB (DuckDB has no fixed-size binary), time32[ms] becomes TIME (us).
    src = table.drop_columns(["f16"])
    select = []
    for f in src.schema:
        q = '"' + f.name + '"'
        if f.name == "uuid":
            select.append(f"CAST({q} AS UUID) AS {q}" if not pe._is_uuid_type(f.type)
                          else q)
        elif f.name == "json":
            select.append(f"CAST(CAST({q} AS VARCHAR) AS JSON) AS {q}")
        else:
            select.append(q)
    # Small record batches: DuckDB closes a row group once ROW_GROUP_SIZE rows have
    # arrived, so 75-row batches give row groups of 150, 150, 60.
    batches = pa.Table.from_batches(src.to_batches(max_chunksize=75))
    con.register("src", batches)
    made = []
    versions = ["V1", "V2"]
    for codec in DUCK_CODECS:
        for ver in versions:
            name = f"duckdb-{'lz4raw' if codec == 'lz4' else codec}-{ver.lower()}.parquet"
            path = os.path.join(OUT_DIR, name)
            con.execute(f"COPY (SELECT {', '.join(select)} FROM src) TO '{path}' "
                        f"(FORMAT parquet, COMPRESSION {codec}, ROW_GROUP_SIZE {ROW_GROUP_SIZE}, "
                        f"PARQUET_VERSION {ver})")
            made.append(name)
    con.close()
    return made


POLARS_CODECS = ["uncompressed", "snappy", "gzip", "zstd", "lz4"]  # polars' lz4 is LZ4_RAW


def write_polars(table):
    import polars as pl

    # polars has no map, fixed-size binary, UUID or JSON logical type: map_si, fsb16, uuid
    # and json are dropped. str_low is written as a Categorical (dictionary) column.
    src = table.drop_columns([c for c in ("map_si", "fsb16", "uuid", "json") if c in table.column_names])
    df = pl.from_arrow(src)
    df = df.with_columns(pl.col("str_low").cast(pl.Categorical))
    made = []
    for codec in POLARS_CODECS:
        name = f"polars-{'lz4raw' if codec == 'lz4' else codec}.parquet"
        df.write_parquet(os.path.join(OUT_DIR, name), compression=codec, statistics=True,
                         row_group_size=ROW_GROUP_SIZE, data_page_size=DATA_PAGE_SIZE,
                         use_pyarrow=False)
        made.append(name)
    return made


FASTPARQUET_CODECS = [("uncompressed", "UNCOMPRESSED"), ("snappy", "SNAPPY"), ("gzip", "GZIP"),
                      ("zstd", "ZSTD"), ("lz4raw", "LZ4_RAW")]  # its "LZ4" is the deprecated codec 5


def _fastparquet_frame(table):
    """The data set as fastparquet takes it: a pandas DataFrame with nullable integer and
    boolean dtypes (fastparquet writes every column OPTIONAL). fastparquet writes flat columns
    only: lists, the struct and the map go as JSON text (its object_encoding "json", the JSON
    logical type), float16, decimals, dates, times, fixed-size binary and UUID are dropped."""
    import pandas as pd

    drop = ("f16", "dec9_2", "dec18_4", "dec30_6", "date32", "time32_ms", "time64_us", "uuid", "fsb16")
    src = table.drop_columns([c for c in drop if c in table.column_names])
    nullable = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
                pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
                pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype()}
    df = src.to_pandas(types_mapper=nullable.get)
    encodings = {}
    for f in src.schema:
        t = _storage(f.type)
        if not f.nullable and t in nullable:
            df[f.name] = df[f.name].astype(t.to_pandas_dtype())
        if pa.types.is_string(t):
            encodings[f.name] = "utf8"
            df[f.name] = pd.Series(src.column(f.name).to_pylist(), dtype=object)
        elif pa.types.is_binary(t):
            encodings[f.name] = "bytes"
        elif pa.types.is_nested(t):
            encodings[f.name] = "json"
            df[f.name] = pd.Series(src.column(f.name).to_pylist(), dtype=object)
    return df, encodings


def write_fastparquet(table):
    """Every codec with dictionary pages (pandas categoricals, the only columns fastparquet
    dictionary-encodes) and without, and int96 timestamps (`times="int96"`)."""
    import fastparquet

    df, encodings = _fastparquet_frame(table)
    categorical = df.copy()
    for name in ("str_nn", "str_low", "str_high"):
        categorical[name] = categorical[name].astype("category")
    made = []
    common = dict(object_encoding=encodings, row_group_offsets=ROW_GROUP_SIZE, stats=True)
    for cname, codec in FASTPARQUET_CODECS:
        for dict_name, frame in (("dict", categorical), ("plain", df)):
            name = f"fastparquet-{cname}-{dict_name}.parquet"
            fastparquet.write(os.path.join(OUT_DIR, name), frame, compression=codec, **common)
            made.append(name)
    name = "fastparquet-snappy-int96.parquet"
    fastparquet.write(os.path.join(OUT_DIR, name), categorical, compression="SNAPPY", times="int96", **common)
    made.append(name)
    return made


# --------------------------------------------------------------------------- read-back

def read_back(path):
    """Arrow table the expectation is computed from: pyarrow's read of the file. Only for
    DuckDB files, columns pyarrow refuses are read by DuckDB instead (and the caller checks
    the result against the V1 twin, which pyarrow reads in full). Returns (table, columns
    read by DuckDB)."""
    try:
        return pe.read_table(path), []
    except Exception:  # noqa: BLE001
        if not os.path.basename(path).startswith("duckdb-"):
            raise
    import duckdb

    schema = pq.ParquetFile(path).schema_arrow
    arrays, fallback = [], []
    for f in schema:
        try:
            arrays.append(pe.read_table(path, columns=[f.name]).column(0))
        except Exception:  # noqa: BLE001
            q = '"' + f.name.replace('"', '""') + '"'
            rdr = duckdb.sql(f"SELECT {q} FROM read_parquet('{path}')").arrow()
            t = rdr.read_all() if hasattr(rdr, "read_all") else rdr
            arrays.append(t.column(0).cast(f.type))
            fallback.append(f.name)
    return pa.Table.from_arrays(arrays, schema=schema), fallback


# --------------------------------------------------------------------------- main

def main():
    import duckdb
    import fastparquet
    import pandas
    import polars

    os.makedirs(OUT_DIR, exist_ok=True)
    for fn in os.listdir(OUT_DIR):
        if fn.endswith(".parquet") or fn.endswith(".parquet.json"):
            os.remove(os.path.join(OUT_DIR, fn))

    table = build_table()
    made = write_pyarrow(table) + write_duckdb(table) + write_polars(table) + write_fastparquet(table)

    total = 0
    for name in sorted(made):
        path = os.path.join(OUT_DIR, name)
        md = pq.ParquetFile(path).metadata
        table, fallback = read_back(path)
        doc = pe.expect(path, name, table=table)
        if fallback:
            twin = name.replace("-v2.parquet", "-v1.parquet")
            twin_doc = pe.expect(os.path.join(OUT_DIR, twin), twin)
            assert twin_doc["columns"] == doc["columns"] and twin_doc["rows"] == doc["rows"], name
            print(f"  {name}: pyarrow refuses {fallback} (INT32 DELTA_BINARY_PACKED with "
                  f"miniblock bit width > 32); read by DuckDB, equal to {twin}")
        with open(path + ".json", "w", encoding="utf-8", newline="\n") as fp:
            pe.dump(doc, fp)
        size = os.path.getsize(path) + os.path.getsize(path + ".json")
        total += size
        codecs = sorted({md.row_group(i).column(j).compression
                         for i in range(md.num_row_groups) for j in range(md.num_columns)})
        print(f"{name}: {doc['numRows']} rows, {len(doc['columns'])} cols, "
              f"{md.num_row_groups} row groups, {'/'.join(codecs)}, "
              f"{os.path.getsize(path)} B + {os.path.getsize(path + '.json')} B json")

    versions = {"pyarrow": pa.__version__, "duckdb": duckdb.__version__,
                "polars": polars.__version__, "fastparquet": fastparquet.__version__,
                "pandas": pandas.__version__, "numpy": np.__version__,
                "python": platform.python_version(), "seed": SEED, "rows": N_ROWS}
    with open(os.path.join(OUT_DIR, "VERSIONS.json"), "w", encoding="utf-8", newline="\n") as fp:
        json.dump(versions, fp, indent=1, sort_keys=True)
        fp.write("\n")
    print(f"\n{len(made)} Parquet files + expectations: {total / 1e6:.2f} MB in "
          f"{os.path.relpath(OUT_DIR, REPO_ROOT)}")


if __name__ == "__main__":
    main()
