#!/usr/bin/env python3
"""Generate the Avro object container fixtures and their expectations.

    python3 Tests/Fixtures/avro/make_avro.py

Writes into Tests/Fixtures/avro/ (stale *.avro / *.json removed first):

  alltypes-{null,deflate,snappy,zstandard}.avro   same 160 records, one file per codec,
                                                  small sync interval -> >= 3 blocks each
  alltypes-*.avro.json                            expectation (records as fastavro reads them)
  evolved.avro                                    written with a NEWER writer schema ...
  evolved.reader-schema.json                      ... than this (older) reader schema
  evolved.avro.json                               records read with the writer schema
  evolved.resolved.json                           records read with the reader schema
  bad-magic.avro / bad-sync.avro / bad-truncated.avro   (+ .avro.json with {"error": ...})

Deterministic: fixed seed and a fixed sync marker; same fastavro/cramjam/backports.zstd/zlib
versions -> byte-identical files (see Tests/Fixtures/requirements.txt).
"""

import datetime
import decimal
import glob
import hashlib
import io
import json
import math
import os
import random
import uuid

import fastavro

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240917
N_RECORDS = 160
SYNC_INTERVAL = 4096  # bytes of uncompressed block data before a block is flushed
CODECS = ["null", "deflate", "snappy", "zstandard"]
SYNC_MARKER = hashlib.sha256(b"lakeingest-avro-fixture").digest()[:16]

# --------------------------------------------------------------------------- schemas

INNER = {
    "type": "record", "name": "Inner", "fields": [
        {"name": "x", "type": "int"},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "deep", "type": ["null", {"type": "record", "name": "Deep", "fields": [
            {"name": "z", "type": "double"},
            {"name": "label", "type": ["null", "string"], "default": None},
        ]}], "default": None},
    ],
}

ALLTYPES_SCHEMA = {
    "type": "record", "name": "AllTypes", "namespace": "lakeingest.fixture",
    "doc": "Every Avro type the LakeIngest Avro decoder must handle",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "n", "type": "null"},
        {"name": "b", "type": "boolean"},
        {"name": "i", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "by", "type": "bytes"},
        {"name": "s", "type": "string"},
        {"name": "opt_i", "type": ["null", "int"], "default": None},
        {"name": "opt_s", "type": ["null", "string"], "default": None},
        {"name": "s_or_null", "type": ["string", "null"], "default": ""},  # null second
        {"name": "multi", "type": ["null", "long", "string", "boolean"], "default": None},
        {"name": "arr_i", "type": {"type": "array", "items": "int"}},
        {"name": "arr_opt_s", "type": {"type": "array", "items": ["null", "string"]}},
        {"name": "opt_arr_l", "type": ["null", {"type": "array", "items": "long"}], "default": None},
        {"name": "map_l", "type": {"type": "map", "values": "long"}},
        {"name": "map_opt_d", "type": {"type": "map", "values": ["null", "double"]}},
        {"name": "nested", "type": INNER},
        {"name": "arr_rec", "type": {"type": "array", "items": "Inner"}},  # named-type reference
        {"name": "map_arr", "type": {"type": "map", "values": {"type": "array", "items": "int"}}},
        {"name": "color", "type": {"type": "enum", "name": "Color",
                                   "symbols": ["RED", "GREEN", "BLUE", "ULTRA_VIOLET"]}},
        {"name": "opt_color", "type": ["null", "Color"], "default": None},
        {"name": "fx", "type": {"type": "fixed", "name": "F4", "size": 4}},
        {"name": "dec_bytes", "type": {"type": "bytes", "logicalType": "decimal",
                                       "precision": 10, "scale": 2}},
        {"name": "dec_fixed", "type": {"type": "fixed", "name": "Dec16", "size": 16,
                                       "logicalType": "decimal", "precision": 38, "scale": 6}},
        {"name": "opt_dec", "type": ["null", {"type": "bytes", "logicalType": "decimal",
                                              "precision": 18, "scale": 0}], "default": None},
        {"name": "date", "type": {"type": "int", "logicalType": "date"}},
        {"name": "t_ms", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "t_us", "type": {"type": "long", "logicalType": "time-micros"}},
        {"name": "ts_ms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "ts_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "opt_ts_us", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}],
         "default": None},
        {"name": "uid", "type": {"type": "string", "logicalType": "uuid"}},
    ],
}

# Schema evolution: the file is written with the NEWER schema (WRITER_V2); a reader holding
# the OLDER schema (READER_V1) resolves by field name:
#   - `email` exists only in the writer  -> skipped by the reader ("field removed")
#   - `region` exists only in the reader -> filled from its default ("field added with default")
#   - `score`  int in the writer, long in the reader (int -> long promotion)
#   - fields appear in a different order in the two schemas
WRITER_V2 = {
    "type": "record", "name": "Customer", "namespace": "lakeingest.fixture",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "email", "type": ["null", "string"], "default": None},
        {"name": "name", "type": "string"},
        {"name": "score", "type": "int"},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
    ],
}
READER_V1 = {
    "type": "record", "name": "Customer", "namespace": "lakeingest.fixture",
    "fields": [
        {"name": "name", "type": "string"},
        {"name": "id", "type": "long"},
        {"name": "score", "type": "long"},
        {"name": "region", "type": "string", "default": "unknown"},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
    ],
}

# --------------------------------------------------------------------------- data

EPOCH_DATE = datetime.date(1970, 1, 1)
EPOCH_DT = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
TEXT = ["", "a", "hello", "ζήτα", "emoji 😀", "tab\tnew\nline", "quote\"back\\slash",
        "x" * 300, "日本語テキスト", "\u0000nul"]


def _text(rng):
    if rng.random() < 0.3:
        return rng.choice(TEXT)
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789 -_") for _ in range(rng.randint(0, 24)))


def _float32(x):
    import struct
    return struct.unpack("<f", struct.pack("<f", x))[0]


def _float(rng, bits):
    r = rng.random()
    specials = [float("nan"), float("inf"), float("-inf"), -0.0, 0.0]
    if r < 0.15:
        return rng.choice(specials)
    if r < 0.2:
        return rng.choice([1e-45, 3.4028234663852886e38, -3.4028234663852886e38] if bits == 32
                          else [5e-324, 1.7976931348623157e308, -1.7976931348623157e308])
    x = rng.uniform(-1e6, 1e6) * 10 ** rng.randint(-6, 3)
    return _float32(x) if bits == 32 else x


def _dec(rng, precision, scale):
    m = 10 ** precision - 1
    unscaled = rng.choice([0, 1, -1, m, -m]) if rng.random() < 0.15 else rng.randint(-m, m)
    return decimal.Decimal(unscaled).scaleb(-scale, context=decimal.Context(prec=100))


def _inner(rng, depth=0):
    deep = None
    if rng.random() < 0.6:
        deep = {"z": _float(rng, 64), "label": rng.choice([None, _text(rng)])}
    return {"x": rng.randint(-2**31, 2**31 - 1),
            "tags": [_text(rng) for _ in range(rng.randint(0, 3))],
            "deep": deep}


def alltypes_records():
    rng = random.Random(SEED)
    out = []
    for k in range(N_RECORDS):
        ts_us = rng.randint(-2_208_988_800_000_000, 4_102_444_800_000_000)  # 1900..2100
        if k < 4:  # pre-epoch values with sub-unit parts, and exact epoch
            ts_us = [-1, -1001, 0, 1][k]
        rec = {
            "id": k,
            "n": None,
            "b": rng.random() < 0.5,
            "i": rng.choice([0, 1, -1, 2**31 - 1, -2**31]) if rng.random() < 0.2 else rng.randint(-10**6, 10**6),
            "l": rng.choice([0, 2**63 - 1, -2**63]) if rng.random() < 0.2 else rng.randint(-2**62, 2**62),
            "f": _float(rng, 32),
            "d": _float(rng, 64),
            "by": bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 12))),
            "s": _text(rng),
            "opt_i": None if rng.random() < 0.3 else rng.randint(-1000, 1000),
            "opt_s": None if rng.random() < 0.3 else _text(rng),
            "s_or_null": None if rng.random() < 0.3 else _text(rng),
            "multi": rng.choice([None, rng.randint(-2**40, 2**40), _text(rng), rng.random() < 0.5]),
            "arr_i": [rng.randint(-100, 100) for _ in range(rng.choice([0, 1, 3, 7]))],
            "arr_opt_s": [rng.choice([None, _text(rng)]) for _ in range(rng.randint(0, 4))],
            "opt_arr_l": None if rng.random() < 0.3 else [rng.randint(-2**40, 2**40) for _ in range(rng.randint(0, 3))],
            "map_l": {f"k{j}": rng.randint(-2**40, 2**40) for j in range(rng.randint(0, 4))},
            "map_opt_d": {_text(rng) + f"#{j}": rng.choice([None, _float(rng, 64)]) for j in range(rng.randint(0, 3))},
            "nested": _inner(rng),
            "arr_rec": [_inner(rng) for _ in range(rng.randint(0, 2))],
            "map_arr": {f"m{j}": [rng.randint(0, 9) for _ in range(rng.randint(0, 3))] for j in range(rng.randint(0, 2))},
            "color": rng.choice(["RED", "GREEN", "BLUE", "ULTRA_VIOLET"]),
            "opt_color": rng.choice([None, "RED", "BLUE"]),
            "fx": bytes(rng.getrandbits(8) for _ in range(4)),
            "dec_bytes": _dec(rng, 10, 2),
            "dec_fixed": _dec(rng, 38, 6),
            "opt_dec": None if rng.random() < 0.3 else _dec(rng, 18, 0),
            "date": rng.choice([0, -1, -719162, 2932896]) if rng.random() < 0.1 else rng.randint(-40000, 40000),
            "t_ms": rng.choice([0, 86_399_999]) if rng.random() < 0.1 else rng.randint(0, 86_399_999),
            "t_us": rng.choice([0, 86_399_999_999]) if rng.random() < 0.1 else rng.randint(0, 86_399_999_999),
            "ts_ms": ts_us // 1000 if rng.random() < 0.9 else rng.choice([-1, 0, 1]),
            "ts_us": ts_us,
            "opt_ts_us": None if rng.random() < 0.3 else ts_us + rng.randint(-10**9, 10**9),
            "uid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        }
        out.append(rec)
    return out


def evolved_records():
    rng = random.Random(SEED + 1)
    return [{"id": 1000 + k,
             "email": None if rng.random() < 0.3 else f"user{k}@example.com",
             "name": _text(rng),
             "score": rng.randint(-2**31, 2**31 - 1),
             "tags": [_text(rng) for _ in range(rng.randint(0, 3))]}
            for k in range(N_RECORDS // 2)]


# --------------------------------------------------------------------------- expectation

def _num(x):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def _named(schema, names):
    """Resolve a named-type reference (string) to its definition."""
    if isinstance(schema, str) and schema in names:
        return names[schema]
    return schema


def _collect_names(schema, names, ns=None):
    if isinstance(schema, list):
        for s in schema:
            _collect_names(s, names, ns)
    elif isinstance(schema, dict):
        t = schema["type"]
        if t in ("record", "enum", "fixed"):
            ns2 = schema.get("namespace", ns)
            names[schema["name"]] = schema
            if ns2:
                names[f"{ns2}.{schema['name']}"] = schema
            for f in schema.get("fields", []):
                _collect_names(f["type"], names, ns2)
        elif t == "array":
            _collect_names(schema["items"], names, ns)
        elif t == "map":
            _collect_names(schema["values"], names, ns)
        elif isinstance(t, (dict, list)):
            _collect_names(t, names, ns)


def _type_name(s):
    if isinstance(s, str):
        return s
    return s["type"] if isinstance(s["type"], str) else _type_name(s["type"])


def _branch_matches(s, v, names):
    s = _named(s, names)
    t = _type_name(s)
    lt = s.get("logicalType") if isinstance(s, dict) else None
    if v is None:
        return t == "null"
    if lt == "decimal":
        return isinstance(v, decimal.Decimal)
    if lt in ("timestamp-millis", "timestamp-micros"):
        return isinstance(v, datetime.datetime)
    if lt == "date":
        return isinstance(v, datetime.date) and not isinstance(v, datetime.datetime)
    if lt in ("time-millis", "time-micros"):
        return isinstance(v, datetime.time)
    if lt == "uuid":
        return isinstance(v, uuid.UUID)
    if isinstance(v, bool):
        return t == "boolean"
    if isinstance(v, int):
        return t in ("int", "long")
    if isinstance(v, float):
        return t in ("float", "double")
    if isinstance(v, str):
        return t in ("string", "enum")
    if isinstance(v, (bytes, bytearray)):
        return t in ("bytes", "fixed")
    if isinstance(v, list):
        return t == "array"
    if isinstance(v, dict):
        return t in ("record", "map")
    return False


def to_json(schema, v, names):
    """A value as fastavro read it (logical types converted) -> its JSON form."""
    schema = _named(schema, names)
    if isinstance(schema, list):
        branches = [s for s in schema if _branch_matches(s, v, names)]
        assert len(branches) == 1, (schema, v)
        return to_json(branches[0], v, names)
    t = _type_name(schema)
    lt = schema.get("logicalType") if isinstance(schema, dict) else None
    if isinstance(schema, dict) and isinstance(schema["type"], (dict, list)):
        return to_json(schema["type"], v, names)
    if lt == "decimal":
        scale = schema.get("scale", 0)
        assert isinstance(v, decimal.Decimal)
        return format(v, f".{scale}f")
    if lt == "date":
        return (v - EPOCH_DATE).days
    if lt == "time-millis":
        return ((v.hour * 60 + v.minute) * 60 + v.second) * 1000 + v.microsecond // 1000
    if lt == "time-micros":
        return ((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000 + v.microsecond
    if lt in ("timestamp-millis", "timestamp-micros"):
        delta = v - EPOCH_DT
        us = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
        if lt == "timestamp-millis":
            assert us % 1000 == 0
            return us // 1000
        return us
    if lt == "uuid":
        return str(v)
    if t == "null":
        assert v is None
        return None
    if t in ("boolean", "int", "long", "string", "enum"):
        return v
    if t in ("float", "double"):
        return _num(v)
    if t in ("bytes", "fixed"):
        return bytes(v).hex()
    if t == "array":
        return [to_json(schema["items"], x, names) for x in v]
    if t == "map":
        return {k: to_json(schema["values"], x, names) for k, x in v.items()}
    if t == "record":
        return {f["name"]: to_json(f["type"], v[f["name"]], names) for f in schema["fields"]}
    raise TypeError(schema)


def raw_json(schema, v, names):
    """The generator's input value (temporals as raw ints) -> JSON form, for cross-checking."""
    schema = _named(schema, names)
    if isinstance(schema, list):
        if v is None:
            return None
        cands = [s for s in schema if _type_name(_named(s, names)) != "null"]
        for s in cands:
            try:
                out = raw_json(s, v, names)
                if _raw_ok(_named(s, names), v, names):
                    return out
            except Exception:
                pass
        raise TypeError((schema, v))
    if isinstance(schema, dict) and isinstance(schema["type"], (dict, list)):
        return raw_json(schema["type"], v, names)
    t = _type_name(schema)
    lt = schema.get("logicalType") if isinstance(schema, dict) else None
    if lt == "decimal":
        return format(v, f".{schema.get('scale', 0)}f")
    if lt in ("date", "time-millis", "time-micros", "timestamp-millis", "timestamp-micros", "uuid"):
        return v
    if t in ("float",):
        return _num(_float32(v))
    if t == "double":
        return _num(v)
    if t in ("bytes", "fixed"):
        return v.hex()
    if t == "array":
        return [raw_json(schema["items"], x, names) for x in v]
    if t == "map":
        return {k: raw_json(schema["values"], x, names) for k, x in v.items()}
    if t == "record":
        return {f["name"]: raw_json(f["type"], v.get(f["name"]), names) for f in schema["fields"]}
    return v


def _raw_ok(s, v, names):
    t = _type_name(s)
    lt = s.get("logicalType") if isinstance(s, dict) else None
    if lt == "decimal":
        return isinstance(v, decimal.Decimal)
    if isinstance(v, bool):
        return t == "boolean"
    if isinstance(v, int):
        return t in ("int", "long")
    if isinstance(v, str):
        return t in ("string", "enum")
    if isinstance(v, list):
        return t == "array"
    if isinstance(v, dict):
        return t in ("record", "map")
    if isinstance(v, (bytes, bytearray)):
        return t in ("bytes", "fixed")
    if isinstance(v, float):
        return t in ("float", "double")
    return False


def _eq_json(a, b):
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


# --------------------------------------------------------------------------- container parsing

def _read_long(buf, pos):
    shift = result = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return (result >> 1) ^ -(result & 1), pos


def block_layout(data):
    """-> (header_end, [ (block_start, count, data_start, data_size, sync_start) ... ])."""
    assert data[:4] == b"Obj\x01"
    pos = 4
    while True:  # metadata map blocks
        n, pos = _read_long(data, pos)
        if n == 0:
            break
        if n < 0:
            n = -n
            _, pos = _read_long(data, pos)
        for _ in range(n):
            klen, pos = _read_long(data, pos)
            pos += klen
            vlen, pos = _read_long(data, pos)
            pos += vlen
    sync = data[pos:pos + 16]
    assert sync == SYNC_MARKER
    pos += 16
    header_end = pos
    blocks = []
    while pos < len(data):
        start = pos
        count, pos = _read_long(data, pos)
        size, pos = _read_long(data, pos)
        blocks.append((start, count, pos, size, pos + size))
        pos += size
        assert data[pos:pos + 16] == sync
        pos += 16
    return header_end, blocks


# --------------------------------------------------------------------------- output

def _dumps(x):
    return json.dumps(x, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def write_expectation(path, header, records):
    with open(path, "w", encoding="utf-8", newline="\n") as fp:
        fp.write("{")
        fp.write(",\n".join(_dumps(k) + ":" + _dumps(v) for k, v in header.items()))
        fp.write(",\n" + _dumps("records") + ":[\n")
        fp.write(",\n".join(_dumps(r) for r in records))
        fp.write("\n]}\n")


def write_json(path, doc):
    with open(path, "w", encoding="utf-8", newline="\n") as fp:
        fp.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")


def write_avro(name, schema, records, codec, sync_interval=SYNC_INTERVAL):
    buf = io.BytesIO()
    fastavro.writer(buf, fastavro.parse_schema(schema), records, codec=codec,
                    sync_interval=sync_interval, sync_marker=SYNC_MARKER,
                    metadata={"lakeingest.fixture": name}, strict=True)
    data = buf.getvalue()
    with open(os.path.join(HERE, name), "wb") as fp:
        fp.write(data)
    return data


def read_expectation(name, data, schema, inputs, reader_schema=None):
    """Read `data` back with fastavro and build (header, records) for the .json file."""
    rd = fastavro.reader(io.BytesIO(data), reader_schema=fastavro.parse_schema(reader_schema)
                         if reader_schema else None)
    file_schema = json.loads(rd.metadata["avro.schema"])
    effective = reader_schema or file_schema
    names = {}
    _collect_names(effective, names)
    records = [to_json(effective, r, names) for r in rd]
    if inputs is not None:  # cross-check against what was written
        assert len(records) == len(inputs)
        for got, want in zip(records, inputs):
            want_j = raw_json(effective, want, names)
            assert _eq_json(got, want_j), (got, want_j)
    blocks = [b.num_records for b in fastavro.block_reader(io.BytesIO(data))]
    header_end, layout = block_layout(data)
    assert [b[1] for b in layout] == blocks
    header = {
        "file": name,
        "codec": rd.metadata.get("avro.codec", "null"),
        "syncMarker": SYNC_MARKER.hex(),
        "numRecords": len(records),
        "blockRecordCounts": blocks,
        "metadata": {k: v for k, v in sorted(rd.metadata.items()) if k not in ("avro.schema",)},
        "schema": file_schema,
    }
    if reader_schema:
        header["readerSchema"] = reader_schema
    return header, records, layout


def main():
    for p in glob.glob(os.path.join(HERE, "*.avro")) + glob.glob(os.path.join(HERE, "*.json")):
        os.remove(p)

    recs = alltypes_records()
    null_data = None
    for codec in CODECS:
        name = f"alltypes-{codec}.avro"
        data = write_avro(name, ALLTYPES_SCHEMA, recs, codec)
        header, records, layout = read_expectation(name, data, ALLTYPES_SCHEMA, recs)
        assert len(layout) >= 3, (name, len(layout))
        write_expectation(os.path.join(HERE, name + ".json"), header, records)
        if codec == "null":
            null_data, null_layout, null_header = data, layout, header
        print(f"{name}: {len(records)} records, {len(layout)} blocks, {len(data)} bytes")

    # Schema evolution.
    ev = evolved_records()
    data = write_avro("evolved.avro", WRITER_V2, ev, "deflate", sync_interval=1024)
    header, records, layout = read_expectation("evolved.avro", data, WRITER_V2, ev)
    assert len(layout) >= 3
    write_expectation(os.path.join(HERE, "evolved.avro.json"), header, records)
    write_json(os.path.join(HERE, "evolved.reader-schema.json"), READER_V1)
    resolved_inputs = [{"name": r["name"], "id": r["id"], "score": r["score"], "region": "unknown",
                        "tags": r["tags"]} for r in ev]
    header, records, _ = read_expectation("evolved.avro", data, WRITER_V2, resolved_inputs,
                                          reader_schema=READER_V1)
    header["file"] = "evolved.avro"
    write_expectation(os.path.join(HERE, "evolved.resolved.json"), header, records)
    print(f"evolved.avro: {len(records)} records, {len(layout)} blocks")

    # Broken copies of alltypes-null.avro.
    header_end, layout = block_layout(null_data)
    b1 = layout[1]  # second block: (start, count, data_start, size, sync_start)
    bad = {}
    d = bytearray(null_data)
    d[3] = 0x02  # "Obj\x02"
    bad["bad-magic.avro"] = (bytes(d), {"error": "badMagic", "byteOffset": 3,
                                        "reason": "magic is 4f626a02, not 4f626a01 ('Obj' 1)"})
    d = bytearray(null_data)
    d[b1[4] + 5] ^= 0xFF
    bad["bad-sync.avro"] = (bytes(d), {
        "error": "syncMismatch", "blockIndex": 1, "byteOffset": b1[4] + 5,
        "recordsBeforeBadBlock": layout[0][1],
        "reason": "one byte of the sync marker after the second block (index 1) is inverted"})
    cut = b1[2] + b1[3] // 2
    bad["bad-truncated.avro"] = (null_data[:cut], {
        "error": "truncated", "blockIndex": 1, "byteOffset": cut,
        "recordsBeforeBadBlock": layout[0][1],
        "reason": f"file cut at byte {cut}, in the middle of the second block's data "
                  f"(block size says {b1[3]} bytes from offset {b1[2]})"})
    for name, (data, doc) in bad.items():
        with open(os.path.join(HERE, name), "wb") as fp:
            fp.write(data)
        doc = {"file": name, "source": "alltypes-null.avro", **doc}
        write_json(os.path.join(HERE, name + ".json"), doc)
        # fastavro must reject it too (its reader does not check the magic: is_avro does)
        if name == "bad-magic.avro":
            assert not fastavro.is_avro(io.BytesIO(data))
            print(f"{name}: fastavro.is_avro: False")
            continue
        try:
            list(fastavro.reader(io.BytesIO(data)))
        except Exception as e:  # noqa: BLE001
            print(f"{name}: fastavro: {type(e).__name__}: {str(e)[:80]}")
        else:
            raise SystemExit(f"{name}: fastavro read it without error")


if __name__ == "__main__":
    main()
