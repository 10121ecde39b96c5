#!/usr/bin/env python3
"""Write the expected Pinot values for every Parquet file of the parquet-testing corpus.

    python3 Tests/Fixtures/make_corpus_expectations.py [CORPUS_ROOT]

CORPUS_ROOT defaults to ../shared/corpus/parquet-testing relative to the repository root.
For every *.parquet under it (recursively) this writes
Tests/Fixtures/parquet-testing-expected/<relative path>.json (see parquet_expect.py and
README.md for the format). The corpus itself is only read, never copied or modified.
Exits non-zero if pyarrow cannot read a file that is not on the reject list below.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import parquet_expect as pe  # noqa: E402

REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_CORPUS = os.path.join(REPO_ROOT, "..", "shared", "corpus", "parquet-testing")
OUT_DIR = os.path.join(HERE, "parquet-testing-expected")

# Files our reader must reject; the error form is written without reading them.
REJECT = {
    "datapage_v1-corrupt-checksum.parquet":
        ("checksumMismatch", "first data page CRC32 does not match the page contents"),
    "rle-dict-uncompressed-corrupt-checksum.parquet":
        ("checksumMismatch", "page CRC32 does not match the page contents"),
    "incorrect_map_schema.parquet":
        ("invalidSchema", "MAP key field is not REQUIRED (Presto writer bug)"),
    "large_string_map.brotli.parquet":
        ("unsupportedCodec", "column chunks are BROTLI-compressed"),
}

# Raw INT96 bytes (hex) for rows pyarrow decodes wrongly, keyed by file -> (column, row).
# int96_from_spark.parquet row 5 was written by Spark from 290000-12-31T01:00:00+02:00
# (upstream int96_from_spark.md); Spark's micros->Julian-day conversion overflowed, leaving
# Julian day -105862232 and nanos-of-day -32509551616000. Reading it the Spark way (signed day,
# 64-bit wrapping microsecond arithmetic) gives back 9089380393200000000 us exactly, whereas
# pyarrow (unsigned day) returns -7188624036226874385 us. Bytes taken from the file's
# SNAPPY dictionary page (dictionary index 4).
INT96_OVERRIDES = {
    "int96_from_spark.parquet": {("a", 5): "0060b9c76ee2ffffa8abb0f9"},
}


def main(argv):
    corpus = os.path.abspath(argv[1] if len(argv) > 1 else DEFAULT_CORPUS)
    if not os.path.isdir(corpus):
        print(f"corpus root not found: {corpus}", file=sys.stderr)
        return 2
    files = []
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames.sort()
        for fn in filenames:
            if fn.endswith(".parquet"):
                files.append(os.path.relpath(os.path.join(dirpath, fn), corpus).replace(os.sep, "/"))
    files.sort()

    # Drop stale expectations (files that left the corpus) before writing.
    if os.path.isdir(OUT_DIR):
        for dirpath, _dirs, filenames in os.walk(OUT_DIR):
            for fn in filenames:
                if fn.endswith(".parquet.json"):
                    os.remove(os.path.join(dirpath, fn))

    failures, n_err, total = [], 0, 0
    for rel in files:
        base = rel.rsplit("/", 1)[-1]
        path = os.path.join(corpus, rel)
        if base in REJECT:
            doc = pe.error_doc(rel, *REJECT[base])
        else:
            try:
                doc = pe.expect(path, rel, INT96_OVERRIDES.get(rel))
            except pe.ExpectError as e:
                doc = pe.error_doc(rel, e.code, e.reason)
            except Exception as e:  # noqa: BLE001
                failures.append((rel, f"{type(e).__name__}: {e}"))
                continue
        out = os.path.join(OUT_DIR, rel + ".json")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w", encoding="utf-8", newline="\n") as fp:
            pe.dump(doc, fp)
        size = os.path.getsize(out)
        total += size
        if "error" in doc:
            n_err += 1
            print(f"{rel}: error {doc['error']} ({size} B)")
        else:
            print(f"{rel}: {doc['numRows']} rows, {len(doc['columns'])} columns ({size} B)")

    print(f"\n{len(files) - len(failures)} expectation files ({n_err} error form), "
          f"{total / 1e6:.2f} MB in {os.path.relpath(OUT_DIR, REPO_ROOT)}")
    if failures:
        print("\n" + "!" * 70, file=sys.stderr)
        print(f"!!! {len(failures)} corpus file(s) pyarrow could not read/convert:", file=sys.stderr)
        for rel, msg in failures:
            print(f"!!!   {rel}: {msg}", file=sys.stderr)
        print("!" * 70, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
