#!/usr/bin/env python3
"""Build the shaded-Jackson jar that iceberg-spark-runtime-3.5_2.12-1.10.2.jar (as shipped in the
PyPI package snowpark-connect-deps-iceberg==1.0.3) lacks.

That runtime jar references org.apache.iceberg.shaded.com.fasterxml.jackson.* but does not contain
those classes. This script takes pyspark's own Jackson 2.15.2 jars (jackson-core, jackson-databind,
jackson-annotations from pyspark/jars/) and relocates them into that package:

* every class file's constant pool is parsed and each CONSTANT_Utf8 entry has
  `com/fasterxml/jackson/` -> `org/apache/iceberg/shaded/com/fasterxml/jackson/` (internal names and
  descriptors) and `com.fasterxml.jackson.` -> `org.apache.iceberg.shaded.com.fasterxml.jackson.`
  (string literals used for reflection) replaced; the entry's length is rewritten;
* entry names are moved the same way; META-INF/services files are renamed and their contents
  relocated; module-info.class and META-INF/versions/ are dropped.

Usage: relocate_jackson.py --pyspark-jars DIR --out shaded-jackson.jar
"""
import argparse
import io
import os
import struct
import sys
import zipfile

OLD_SLASH = b"com/fasterxml/jackson/"
NEW_SLASH = b"org/apache/iceberg/shaded/com/fasterxml/jackson/"
OLD_DOT = b"com.fasterxml.jackson."
NEW_DOT = b"org.apache.iceberg.shaded.com.fasterxml.jackson."

JARS = ["jackson-annotations-2.15.2.jar", "jackson-core-2.15.2.jar", "jackson-databind-2.15.2.jar"]


def relocate_bytes(b: bytes) -> bytes:
    # Guard against double relocation (no entry in the inputs is already relocated).
    if NEW_SLASH in b or NEW_DOT in b:
        return b
    return b.replace(OLD_SLASH, NEW_SLASH).replace(OLD_DOT, NEW_DOT)


def relocate_class(data: bytes) -> bytes:
    if data[:4] != b"\xca\xfe\xba\xbe":
        raise ValueError("not a class file")
    out = io.BytesIO()
    out.write(data[:8])  # magic, minor, major
    (count,) = struct.unpack_from(">H", data, 8)
    out.write(data[8:10])
    pos = 10
    i = 1
    while i < count:
        tag = data[pos]
        if tag == 1:  # Utf8
            (n,) = struct.unpack_from(">H", data, pos + 1)
            s = data[pos + 3: pos + 3 + n]
            s2 = relocate_bytes(s)
            if len(s2) > 0xFFFF:
                raise ValueError("Utf8 constant too long after relocation")
            out.write(b"\x01" + struct.pack(">H", len(s2)) + s2)
            pos += 3 + n
        elif tag in (3, 4):  # Integer, Float
            out.write(data[pos: pos + 5]); pos += 5
        elif tag in (5, 6):  # Long, Double: two slots
            out.write(data[pos: pos + 9]); pos += 9; i += 1
        elif tag in (7, 8, 16, 19, 20):  # Class, String, MethodType, Module, Package
            out.write(data[pos: pos + 3]); pos += 3
        elif tag in (9, 10, 11, 12, 17, 18):  # refs, NameAndType, Dynamic, InvokeDynamic
            out.write(data[pos: pos + 5]); pos += 5
        elif tag == 15:  # MethodHandle
            out.write(data[pos: pos + 4]); pos += 4
        else:
            raise ValueError(f"unknown constant pool tag {tag} at {pos}")
        i += 1
    out.write(data[pos:])  # the rest of the class refers to the pool by index only
    return out.getvalue()


def relocate_name(name: str) -> str:
    if name.startswith("com/fasterxml/jackson/"):
        return "org/apache/iceberg/shaded/" + name
    if name.startswith("META-INF/services/com.fasterxml.jackson."):
        return "META-INF/services/org.apache.iceberg.shaded." + name[len("META-INF/services/"):]
    return name


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pyspark-jars", required=True, help="pyspark's jars/ folder")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    seen = set()
    n_classes = 0
    tmp = a.out + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        mf = zipfile.ZipInfo("META-INF/MANIFEST.MF", date_time=(1980, 2, 1, 0, 0, 0))
        zout.writestr(mf, "Manifest-Version: 1.0\nCreated-By: relocate_jackson.py\n\n")
        for jar in JARS:
            with zipfile.ZipFile(os.path.join(a.pyspark_jars, jar)) as zin:
                for info in zin.infolist():
                    name = info.filename
                    if info.is_dir() or name == "META-INF/MANIFEST.MF":
                        continue
                    if name.endswith("module-info.class") or name.startswith("META-INF/versions/"):
                        continue
                    if name.startswith("META-INF/maven/") or name in ("META-INF/LICENSE", "META-INF/NOTICE"):
                        name = f"META-INF/{jar[:-4]}/{os.path.basename(name)}" if not name.startswith("META-INF/maven/") else name
                    data = zin.read(info)
                    new = relocate_name(name)
                    if new.endswith(".class"):
                        data = relocate_class(data)
                        n_classes += 1
                    elif new.startswith("META-INF/services/"):
                        data = relocate_bytes(data)
                    if new in seen:
                        continue
                    seen.add(new)
                    zi = zipfile.ZipInfo(new, date_time=(1980, 2, 1, 0, 0, 0))
                    zi.compress_type = zipfile.ZIP_DEFLATED
                    zout.writestr(zi, data)
    os.replace(tmp, a.out)
    print(f"wrote {a.out}: {n_classes} relocated classes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
