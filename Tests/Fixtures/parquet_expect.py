"""Shared Parquet -> expected-Pinot-values conversion for the LakeIngest test fixtures.

`expect(path, rel)` reads one Parquet file with pyarrow and returns the expectation dict

    {"file": rel, "numRows": N,
     "columns": [{"name": ..., "pinotType": ..., "multiValue": bool}, ...],
     "rows": [[cell, ...], ...]}

or raises `ExpectError(code, reason)` for files a strict reader must reject (currently only
uint64 values above 2^63-1 -> "valueOutOfRange"); the caller turns that into the error form.
`dump(expectation, fp)` writes it deterministically (compact, one row per line).
INT96 columns are cross-checked (see _fix_int96).

Value encoding: see Tests/Fixtures/README.md. Types come from the Arrow schema pyarrow reads
(with Arrow extension types enabled, so Parquet UUID / JSON logical types arrive as
arrow.uuid / arrow.json); for top-level fields with a single Parquet leaf the Parquet logical
type is checked as well (UUID, JSON, ENUM, BSON, geospatial, Null).
"""

import decimal
import json
import math
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
import pyarrow.types as pt

__all__ = ["expect", "dump", "ExpectError", "error_doc"]

INT64_MAX = 2**63 - 1

_DEC_CTX = decimal.Context(prec=200)


class ExpectError(Exception):
    def __init__(self, code, reason):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def error_doc(rel, code, reason):
    return {"file": rel, "error": code, "reason": reason}


# --------------------------------------------------------------------------- leaf kinds
# A "leaf kind" is a Pinot type name plus how to turn the Arrow array into JSON cells.

_STRINGISH_LOGICAL = ("String", "Enum")


def _ext_name(t):
    return getattr(t, "extension_name", None) if isinstance(t, pa.BaseExtensionType) else None


def _is_uuid_type(t):
    return isinstance(t, pa.BaseExtensionType) and _ext_name(t) == "arrow.uuid"


def _is_json_type(t):
    return isinstance(t, pa.BaseExtensionType) and _ext_name(t) == "arrow.json"


def _strip(t):
    """Storage type for extension types other than uuid/json; decoded type for dictionaries."""
    while True:
        if isinstance(t, pa.BaseExtensionType) and not (_is_uuid_type(t) or _is_json_type(t)):
            t = t.storage_type
        elif pt.is_dictionary(t):
            t = t.value_type
        else:
            return t


def _is_list(t):
    return (pt.is_list(t) or pt.is_large_list(t) or pt.is_fixed_size_list(t)
            or pt.is_list_view(t) or pt.is_large_list_view(t)) and not pt.is_map(t)


def leaf_pinot_type(t):
    """Pinot type of a primitive Arrow type, or None if `t` is nested/unsupported."""
    if _is_uuid_type(t):
        return "STRING"
    if _is_json_type(t):
        return "JSON"
    t = _strip(t)
    if pt.is_boolean(t):
        return "BOOLEAN"
    if pt.is_int8(t) or pt.is_int16(t) or pt.is_int32(t) or pt.is_uint8(t) or pt.is_uint16(t):
        return "INT"
    if pt.is_int64(t) or pt.is_uint32(t) or pt.is_uint64(t):
        return "LONG"
    if pt.is_float16(t) or pt.is_float32(t):
        return "FLOAT"
    if pt.is_float64(t):
        return "DOUBLE"
    if pt.is_decimal(t):
        return "BIG_DECIMAL"
    if pt.is_string(t) or pt.is_large_string(t) or pt.is_string_view(t):
        return "STRING"
    if pt.is_binary(t) or pt.is_large_binary(t) or pt.is_binary_view(t) or pt.is_fixed_size_binary(t):
        return "BYTES"
    if pt.is_date32(t):
        return "INT"
    if pt.is_time32(t) or pt.is_time64(t):
        return "LONG"
    if pt.is_timestamp(t):
        return "TIMESTAMP"
    return None


# --------------------------------------------------------------------------- values

def _float_cell(x):
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def _decimal_cell(d, scale):
    if d is None:
        return None
    q = d.quantize(decimal.Decimal(1).scaleb(-scale, context=_DEC_CTX), context=_DEC_CTX)
    if q == 0:
        q = abs(q)  # never "-0.00"
    s = format(q, "f")
    assert "e" not in s.lower(), s
    return s


def _time_unit_div(unit, target):
    """Integer factor from `unit` down to `target` ('ms' or 'us')."""
    per_s = {"s": 1, "ms": 1000, "us": 1000000, "ns": 1000000000}
    return per_s[unit], per_s[target]


def _ints(arr):
    if pt.is_time32(arr.type):
        return arr.cast(pa.int32()).to_pylist()
    return arr.cast(pa.int64()).to_pylist()


def _scaled(arr, unit, target):
    src, dst = _time_unit_div(unit, target)
    raw = _ints(arr)
    if src >= dst:
        f = src // dst
        return [None if v is None else v // f for v in raw]  # floor division
    f = dst // src
    return [None if v is None else v * f for v in raw]


def values(arr, override=None):
    """Python/JSON cell values for every slot of a (non-chunked) Arrow array.

    Leaves are encoded as the top-level cells are; nested types become Python
    dicts/lists ready for json.dumps. `override` is the Parquet logical type ('UUID',
    'JSON', 'Enum') of the single leaf of this top-level field, if any.
    """
    t = arr.type
    if _is_uuid_type(t):
        return [None if b is None else str(uuid.UUID(bytes=b)) for b in arr.storage.to_pylist()]
    if _is_json_type(t):
        return arr.storage.cast(pa.large_string()).to_pylist()
    if isinstance(t, pa.BaseExtensionType):
        return values(arr.storage, override)
    if pt.is_dictionary(t):
        return values(arr.dictionary_decode(), override)

    if pt.is_null(t):
        return [None] * len(arr)
    if pt.is_boolean(t) or pt.is_integer(t):
        return arr.to_pylist()
    if pt.is_floating(t):
        return [_float_cell(x) for x in arr.to_pylist()]
    if pt.is_decimal(t):
        return [_decimal_cell(d, t.scale) for d in arr.to_pylist()]
    if pt.is_string(t) or pt.is_large_string(t) or pt.is_string_view(t):
        return arr.to_pylist()
    if pt.is_binary(t) or pt.is_large_binary(t) or pt.is_binary_view(t) or pt.is_fixed_size_binary(t):
        raw = arr.to_pylist()
        if override == "UUID" and pt.is_fixed_size_binary(t) and t.byte_width == 16:
            return [None if b is None else str(uuid.UUID(bytes=b)) for b in raw]
        if override in ("Enum", "JSON"):
            return [None if b is None else b.decode("utf-8") for b in raw]
        return [None if b is None else b.hex() for b in raw]
    if pt.is_date32(t):
        return arr.cast(pa.int32()).to_pylist()
    if pt.is_time32(t) or pt.is_time64(t):
        return _scaled(arr, t.unit, "us")
    if pt.is_timestamp(t):
        return _scaled(arr, t.unit, "ms")

    if pt.is_struct(t):
        n = len(arr)
        children = arr.flatten()  # honours the struct's offset
        cols = [values(c) for c in children]
        names = [t.field(i).name for i in range(t.num_fields)]
        valid = arr.is_valid().to_pylist()
        out = []
        for i in range(n):
            if not valid[i]:
                out.append(None)
            else:
                out.append({names[k]: cols[k][i] for k in range(len(names))})
        return out

    if pt.is_map(t):
        # MapArray: offsets honour the slice; keys/items are the whole child arrays.
        offsets = arr.offsets.to_pylist()
        keys = values(arr.keys)
        items = values(arr.items)
        string_keys = leaf_pinot_type(t.key_type) == "STRING" and not _is_uuid_type(t.key_type)
        valid = arr.is_valid().to_pylist()
        out = []
        for i in range(len(arr)):
            if not valid[i]:
                out.append(None)
                continue
            ks, vs = keys[offsets[i]:offsets[i + 1]], items[offsets[i]:offsets[i + 1]]
            if string_keys:
                out.append({k: v for k, v in zip(ks, vs)})
            else:
                out.append([{"key": k, "value": v} for k, v in zip(ks, vs)])
        return out

    if _is_list(t):
        flat = values(arr.flatten(), override)  # offset-aware, skips values behind null lists
        if pt.is_fixed_size_list(t):
            valid = arr.is_valid().to_pylist()
            lens = [t.list_size if v else None for v in valid]
        else:
            lens = arr.value_lengths().to_pylist()
        out, pos = [], 0
        for n_ in lens:
            if n_ is None:
                out.append(None)
            else:
                out.append(flat[pos:pos + n_])
                pos += n_
        assert pos == len(flat), (pos, len(flat))
        return out

    raise TypeError(f"no Pinot mapping for Arrow type {t}")


# --------------------------------------------------------------------------- columns

_PHYSICAL_PINOT = {"BOOLEAN": "BOOLEAN", "INT32": "INT", "INT64": "LONG", "INT96": "TIMESTAMP",
                   "FLOAT": "FLOAT", "DOUBLE": "DOUBLE", "BYTE_ARRAY": "BYTES",
                   "FIXED_LEN_BYTE_ARRAY": "BYTES"}


def _parquet_leaves(pf):
    leaves = []
    for i in range(len(pf.schema)):
        c = pf.schema.column(i)
        lt = str(c.logical_type)
        leaves.append((c.path, lt.split("(")[0], c.physical_type))
    return leaves


def _leaf_hint(field_name, leaves):
    """Parquet logical type of the single leaf under top-level field `field_name`, or None."""
    mine = [l for l in leaves if l[0] == field_name or l[0].startswith(field_name + ".")]
    if len(mine) != 1:
        return None, None
    _, logical, physical = mine[0]
    return logical, physical


def _column_plan(field, leaves):
    """(pinotType, multiValue, kind, override) for a top-level Arrow field; kind is
    leaf/mv/json, override the leaf's Parquet logical-type hint for values()."""
    t = field.type
    logical, physical = _leaf_hint(field.name, leaves)
    override = None
    if logical == "UUID":
        override = "UUID"
    elif logical == "JSON":
        override = "JSON"
    elif logical == "Enum":
        override = "Enum"

    def leaf_type(lt):
        if _is_uuid_type(lt):
            return "STRING"
        if _is_json_type(lt):
            return "JSON"
        s = _strip(lt)
        if override == "UUID" and pt.is_fixed_size_binary(s) and s.byte_width == 16:
            return "STRING"
        if override == "JSON" and (pt.is_string(s) or pt.is_large_string(s) or pt.is_binary(s)
                                   or pt.is_large_binary(s) or pt.is_string_view(s)):
            return "JSON"
        if override == "Enum" and leaf_pinot_type(s) in ("STRING", "BYTES"):
            return "STRING"
        if pt.is_null(s):
            # Parquet "Null" logical type on some physical column: use the physical type.
            return _PHYSICAL_PINOT.get(physical, "STRING")
        return leaf_pinot_type(lt)

    if not (pt.is_struct(_strip(t)) or pt.is_map(_strip(t)) or _is_list(_strip(t))):
        p = leaf_type(t)
        if p is None:
            raise TypeError(f"column {field.name!r}: no Pinot mapping for Arrow type {t}")
        return p, False, "leaf", override
    s = _strip(t)
    if _is_list(s):
        et = s.value_type
        se = _strip(et)
        if not (pt.is_struct(se) or pt.is_map(se) or _is_list(se)):
            p = leaf_type(et)
            if p is None:
                raise TypeError(f"column {field.name!r}: no Pinot mapping for element type {et}")
            return p, True, "mv", override
    return "JSON", False, "json", None


def _json_text(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _check_long_range(vals, name):
    for v in vals:
        if isinstance(v, int) and not isinstance(v, bool) and v > INT64_MAX:
            raise ExpectError("valueOutOfRange",
                              f"column {name!r} holds uint64 value {v} > 2^63-1, not a Pinot LONG")
        if isinstance(v, list):
            _check_long_range(v, name)


def int96_spark_millis(raw12):
    """Spark's reading of one raw INT96 value (12 bytes: int64 nanos-of-day LE, int32 Julian
    day LE): signed day, microsecond arithmetic wrapping at 64 bits (inverts Spark's own
    overflow on write), then floor to milliseconds."""
    nanos = int.from_bytes(raw12[:8], "little", signed=True)
    day = int.from_bytes(raw12[8:], "little", signed=True)
    micros_in_day = -((-nanos) // 1000) if nanos < 0 else nanos // 1000  # truncating, as Java
    us = (day - 2440588) * 86400000000 + micros_in_day
    us = (us + 2**63) % 2**64 - 2**63
    return us // 1000


def _int96_columns(pf, leaves):
    return {path for path, _logical, physical in leaves if physical == "INT96"}


def _fix_int96(path, field, vals, int96_overrides, rel):
    """pyarrow's INT96 decoding (unsigned Julian day, wrapping nanosecond maths) is wrong for
    values outside the int64-nanosecond range. Cross-check the microsecond read against a
    second-resolution read (which cannot wrap); rows that disagree need an override holding
    the raw 12 bytes (see make_corpus_expectations.py), else fail loudly."""
    secs = pq.read_table(path, columns=[field.name], coerce_int96_timestamp_unit="s")
    secs = secs.column(0).cast(pa.int64()).to_pylist()
    out = list(vals)
    for i, (ms, s) in enumerate(zip(vals, secs)):
        if ms is None and s is None:
            continue
        if ms is not None and s is not None and ms // 1000 == s:
            continue
        key = (field.name, i)
        if key not in int96_overrides:
            raise ValueError(f"{rel}: INT96 column {field.name!r} row {i}: pyarrow gives "
                             f"{ms} ms but {s} s; add a raw-bytes override")
        out[i] = int96_spark_millis(bytes.fromhex(int96_overrides[key]))
    return out


def read_table(path, columns=None):
    """The pyarrow read every expectation is computed from."""
    return pq.read_table(path, columns=columns, coerce_int96_timestamp_unit="us",
                         arrow_extensions_enabled=True)


def expect(path, rel, int96_overrides=None, table=None):
    """Expectation dict for one Parquet file. `int96_overrides` maps (column, row) to the
    raw INT96 bytes (hex) for rows pyarrow cannot decode (see _fix_int96). `table` replaces
    the pyarrow read (make_writer_matrix.py uses it for columns pyarrow refuses)."""
    int96_overrides = int96_overrides or {}
    pf = pq.ParquetFile(path)
    leaves = _parquet_leaves(pf)
    int96_cols = _int96_columns(pf, leaves)
    if table is None:
        table = read_table(path)
    # Rows = sum of the row groups' num_rows (repeated_no_annotation.parquet has a footer
    # num_rows of 0 but one row group of 6 rows; pyarrow and our reader follow the row groups).
    assert table.num_rows == sum(pf.metadata.row_group(i).num_rows
                                 for i in range(pf.metadata.num_row_groups))
    columns, cols_vals = [], []
    for i, field in enumerate(table.schema):
        pinot, mv, kind, override = _column_plan(field, leaves)
        columns.append({"name": field.name, "pinotType": pinot, "multiValue": mv})
        vals = []
        for chunk in table.column(i).chunks:
            vals.extend(values(chunk, override))
        if kind == "json":
            if any(c.startswith(field.name + ".") for c in int96_cols):
                raise TypeError(f"{rel}: nested INT96 under {field.name!r} not handled")
            vals = [None if v is None else _json_text(v) for v in vals]
        elif field.name in int96_cols and kind == "leaf":
            vals = _fix_int96(path, field, vals, int96_overrides, rel)
        elif pinot == "LONG":
            _check_long_range(vals, field.name)
        assert len(vals) == table.num_rows
        cols_vals.append(vals)
    unused = set(int96_overrides) - {(f.name, r) for f in table.schema for r in range(table.num_rows)}
    assert not unused, unused
    rows = [list(r) for r in zip(*cols_vals)]
    if not cols_vals:
        rows = [[] for _ in range(table.num_rows)]
    return {"file": rel, "numRows": table.num_rows, "columns": columns, "rows": rows}


def _dumps(x):
    return json.dumps(x, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def dump(doc, fp):
    """Deterministic, diff-friendly JSON: header keys first, then one row per line."""
    if "error" in doc:
        fp.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        return
    fp.write("{" + _dumps("file") + ":" + _dumps(doc["file"]) + ",\n")
    fp.write(_dumps("numRows") + ":" + _dumps(doc["numRows"]) + ",\n")
    fp.write(_dumps("columns") + ":[\n")
    fp.write(",\n".join(_dumps(c) for c in doc["columns"]))
    fp.write("\n],\n" + _dumps("rows") + ":[\n")
    fp.write(",\n".join(_dumps(r) for r in doc["rows"]))
    fp.write("\n]}\n")
