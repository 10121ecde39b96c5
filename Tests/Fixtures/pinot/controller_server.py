#!/usr/bin/env python3
"""A Pinot controller for the push tests: the endpoints LakeIngest calls, with Pinot's rules.

    python3 controller_server.py --state-file PATH [--port 0] [--data-dir DIR]
                                 [--validator PATH/TO/ingest-worker] [--verbose]

Serves (rules as read from PinotSegmentUploadDownloadRestletResource, PinotSchemaRestletResource,
PinotTableRestletResource, PinotSegmentRestletResource and PinotHelixResourceManager;
shared/spec/pinot-segment-format.md §10–12 and §14):

  GET  /health                               "OK"
  GET  /schemas/{name}                       the schema JSON, or 404 {"code": 404, "error": ...}
  POST /schemas                              a schema JSON (schemaName required) -> 200
  GET  /tables/{name}[?type=OFFLINE]         {"OFFLINE": {...}} or {} (Pinot answers 200 either way)
  POST /tables                               an OFFLINE table config; its schema must exist -> 200
  GET  /segments/{table}                     [{"OFFLINE": [names...]}]
  POST /v2/segments?tableName=T&tableType=OFFLINE
       UPLOAD_TYPE SEGMENT (default): multipart/form-data with exactly one part (else 400
         "Invalid multi-part form"); the part's bytes are a gzip or zstd tarball whose first
         entry is the segment directory, named as its metadata.properties' segment.name; the
         segment must read back with the validator (`ingest-worker segment dump --rows`);
       UPLOAD_TYPE METADATA: one part, the metadata bundle (a directory with metadata.properties
         and creation.meta); DOWNLOAD_URI required and the object must exist there (file:// or
         s3:// on the moto server of LAKEINGEST_S3_*); COPY_SEGMENT_TO_DEEP_STORE recorded.
       The table must exist (else 400, as Pinot answers a missing table). A segment uploaded
       again under its name replaces the old one. 200 {"status": "Successfully uploaded segment: <name> of table: <table>_OFFLINE"}.

Segment lineage (§14; per table, as Pinot at 210c2951). {table} may carry the _OFFLINE suffix. For
start/end/revert/lineage and the list DELETE, `type` is required: missing 400 "Table type should
either be offline or realtime" (DELETE: "Table type must not be null"), not OFFLINE/REALTIME 400; a
missing table (or type=REALTIME) 404 "Table '<t>_OFFLINE' not found.". Every other failure of
start/end/revert is 500 with the message. "Routed" segments are what a broker queries: all
uploaded segments minus the segmentsTo of IN_PROGRESS and REVERTED entries and minus the
segmentsFrom of COMPLETED entries.
  POST /segments/{table}/startReplaceSegments?type=OFFLINE[&forceCleanup=true]
       body {"segmentsFrom": [...], "segmentsTo": [...], "customMap": {...}} (lists may be absent;
       both empty, or a body that is not JSON: 400; no body: 500). Every segmentsFrom must be routed,
       no segmentsTo may be routed; without forceCleanup no segmentsFrom may be the segmentsFrom, and
       no segmentsTo the segmentsTo, of an IN_PROGRESS or COMPLETED entry. With forceCleanup those
       checks are skipped and instead: an IN_PROGRESS entry sharing a segmentsFrom or segmentsTo is
       reverted (its segmentsTo not in the new segmentsTo become REVERTED and are deleted; when none
       are left the entry is removed), the segmentsTo of REVERTED entries are deleted, and for a
       REFRESH table the segmentsFrom of a COMPLETED entry whose segmentsTo equal the new
       segmentsFrom are deleted. New entry IN_PROGRESS -> 200 {"segmentLineageEntryId": "<uuid4>"}.
  POST /segments/{table}/endReplaceSegments?type=OFFLINE&segmentLineageEntryId=ID[&cleanup=true]
       optional body {"segmentsTo": [subset], "customMap": {...}}. No lineage / unknown id / REVERTED
       entry / a segmentsFrom gone / a body segmentsTo not in the entry / a segmentsTo not uploaded:
       500. IN_PROGRESS -> COMPLETED (segmentsTo narrowed to the body's subset); COMPLETED: no-op.
       200 with an empty body. `cleanup` is accepted and ignored (see /_control/retention).
  POST /segments/{table}/revertReplaceSegments?type=OFFLINE&segmentLineageEntryId=ID[&forceRevert=true]
       500 for: no lineage, unknown id, a REVERTED entry (not a no-op in Pinot), an IN_PROGRESS entry
       without forceRevert, a COMPLETED entry whose segmentsFrom are not all still uploaded, an entry
       whose segmentsTo are the segmentsFrom of an IN_PROGRESS or COMPLETED entry. Else REVERTED and
       its segmentsTo deleted. 200 with an empty body.
  GET  /segments/{table}/lineage?type=OFFLINE
       {"tableNameWithType": "<t>_OFFLINE", "lineageEntries": {"<id>": {"segmentsFrom": [...],
       "segmentsTo": [...], "state": "IN_PROGRESS|COMPLETED|REVERTED", "timestamp": <ms>}}}, entries
       in timestamp order; 200 with an EMPTY body while the table never had a lineage entry (Pinot
       answers so when the lineage znode does not exist).
  DELETE /segments/{table}/{segment}[?retention=..]  200 {"status": "Segment deleted"} (also when the
       segment does not exist, as Pinot)
  DELETE /segments/{table}?type=OFFLINE[&segments=a&segments=b]  200 {"status": "Deleted segments:
       [a, b] from table: <t>_OFFLINE"} (more than 5: "Deleted N segments from table: <t>_OFFLINE");
       with no `segments`, every segment of the table: {"status": "All segments of table <t>_OFFLINE deleted"}.
       A delete naming a segment that is in the segmentsFrom or segmentsTo of an IN_PROGRESS entry,
       or in the segmentsFrom of a COMPLETED entry, is refused whole (Pinot HEAD's rule; REVERTED
       entries lock nothing): 500 "Failed to delete segments from table: <t>_OFFLINE, error message:
       Cannot delete segments ... Blocking segments: [...]". Revert/end/retention are the way out.

Errors are Pinot's JSON {"code": N, "error": "..."}. When an `Authorization` value is set
(`--authorization` or /_control/auth), every request but /health and /_control must carry it
exactly, else 401.

Test controls (no auth):
  POST /_control/fail?count=N&status=S[&match=SUBSTR][&delay=SECONDS]
       the next N requests whose path contains SUBSTR answer S (status 0: never answer, holding
       the connection for `delay` seconds, default 3600) after reading the request
  POST /_control/auth?value=V      require Authorization: V (empty: none)
  POST /_control/clear-failures    clear pending failures
  POST /_control/reset             clear failures, tables, schemas, segments, lineage and the log
  GET  /_control/segments?table=T  {"segments": [{"name", "uploads", "uploadType", "downloadUri",
                                   "copyToDeepStore", "path", "bytes", "crc", "docs"}]}
  GET  /_control/requests          {"requests": [{"method", "path", "status", "bytes"}]}
  GET  /_control/routed?table=T    {"segments": [names...]} sorted: the segments a broker routes to
  GET  /_control/lineage?table=T   as GET /segments/T/lineage, but {"tableNameWithType", "lineageEntries": {}}
                                   rather than an empty body when there is no lineage
  POST /_control/retention?table=T Pinot's retention-manager lineage pass with zero retention: deletes
                                   the still-present segmentsFrom of COMPLETED entries and the segmentsTo
                                   of REVERTED ones; an entry with nothing left to delete is removed.
                                   {"deleted": [names...], "removedEntries": [ids...]}

--validator unset (benchmarks): tarballs are stored unread. The state file (mode 0600) holds
{"uri": "http://127.0.0.1:PORT", "control": ".../_control", "dataDir", "pid"}.
"""

import argparse
import io
import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ControllerError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.data_dir = args.data_dir or tempfile.mkdtemp(prefix="lakeingest-controller-")
        os.makedirs(self.data_dir, exist_ok=True)
        self.reset()
        self.authorization = args.authorization or ""

    def reset(self):
        self.schemas = {}
        self.tables = {}
        self.segments = {}  # (table, name) -> record
        self.lineage = {}  # table -> {entry id: {"segmentsFrom", "segmentsTo", "state", "timestamp"}}; a table is
        #                    present once it had an entry (Pinot's lineage znode), even with no entries left
        self.failures = []  # [count, status, match, delay]
        self.log = []
        self.authorization = ""


def java_list(names):
    """A list as Java's List.toString writes it, for messages."""
    return "[" + ", ".join(names) + "]"


def routed_segments(st, table):
    """The segments a broker routes to (SegmentLineageUtils.filterSegmentsBasedOnLineageInPlace). Caller holds st.lock."""
    names = {name for (t, name) in st.segments if t == table}
    for entry in st.lineage.get(table, {}).values():
        names.difference_update(entry["segmentsFrom"] if entry["state"] == "COMPLETED" else entry["segmentsTo"])
    return names


def delete_blocked_segments(st, table):
    """SegmentLineageUtils.getDeleteBlockedSegments: IN_PROGRESS locks from and to, COMPLETED from. Caller holds st.lock."""
    blocked = set()
    for entry in st.lineage.get(table, {}).values():
        if entry["state"] == "IN_PROGRESS":
            blocked.update(entry["segmentsFrom"], entry["segmentsTo"])
        elif entry["state"] == "COMPLETED":
            blocked.update(entry["segmentsFrom"])
    return blocked


def drop_segments(st, table, names):
    """Removes the named segments that exist (records and stored tarballs); the names removed. Caller holds st.lock."""
    dropped = []
    for name in names:
        record = st.segments.pop((table, name), None)
        if record is None:
            continue
        dropped.append(name)
        if record.get("path"):
            try:
                os.remove(record["path"])
            except FileNotFoundError:
                pass
    return dropped


def lineage_doc(st, table):
    """SegmentLineage.toJsonObject: entries in timestamp order. Caller holds st.lock."""
    entries = sorted(st.lineage.get(table, {}).items(), key=lambda item: item[1]["timestamp"])
    return {"tableNameWithType": f"{table}_OFFLINE",
            "lineageEntries": {entry_id: {"segmentsFrom": list(e["segmentsFrom"]), "segmentsTo": list(e["segmentsTo"]),
                                          "state": e["state"], "timestamp": e["timestamp"]} for entry_id, e in entries}}


def batch_ingestion_type(config):
    """IngestionConfigUtils.getBatchSegmentIngestionType: APPEND unless the table says REFRESH."""
    batch = ((config or {}).get("ingestionConfig") or {}).get("batchIngestionConfig") or {}
    return (batch.get("segmentIngestionType") or ((config or {}).get("segmentsConfig") or {}).get("segmentPushType") or "APPEND").upper()


def now_ms():
    return int(time.time() * 1000)


def read_tar(data):
    """The tarball's members (name -> bytes or None for directories), in order; gzip or zstd by magic."""
    if data[:4] == b"\x28\xb5\x2f\xfd":
        import zstandard
        data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read()
        mode = "r:"
    elif data[:2] == b"\x1f\x8b":
        mode = "r:gz"
    else:
        raise ControllerError(400, "the uploaded file is not a gzip or zstd tarball")
    members = []
    with tarfile.open(fileobj=io.BytesIO(data), mode=mode) as tar:
        for member in tar:
            members.append((member.name.rstrip("/"), None if member.isdir() else tar.extractfile(member).read()))
    return members


def properties(text):
    values = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def parse_multipart(content_type, body):
    match = re.search(r'boundary="?([^";]+)"?', content_type or "")
    if not content_type or not content_type.startswith("multipart/form-data") or not match:
        raise ControllerError(400, "Invalid multi-part form: the request is not multipart/form-data")
    boundary = b"--" + match.group(1).encode()
    pieces = body.split(boundary)
    parts = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            break
        piece = piece[2:] if piece.startswith(b"\r\n") else piece
        head, _, content = piece.partition(b"\r\n\r\n")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        headers = {}
        for line in head.decode("latin-1").split("\r\n"):
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        parts.append((headers, content))
    return parts


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "LakeIngestPinotController/1"
    st: State = None

    def log_message(self, fmt, *args):
        if self.st.args.verbose:
            sys.stderr.write("controller: " + (fmt % args) + "\n")

    def _send(self, status, doc=None, text=None):
        body = json.dumps(doc).encode() if doc is not None else (text or "").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if doc is not None else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    def _handle(self):
        path, _, query = self.path.partition("?")
        q = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
        if self.st.args.accept_any and path == "/v2/segments" and self.command == "POST":
            return self._accept_any()
        body = self._read_body()
        status = 500
        try:
            if path.startswith("/_control/"):
                status = 200
                return self._control(path, q)
            fail = None
            with self.st.lock:
                for rule in self.st.failures:
                    if rule[0] > 0 and rule[2] in self.path:
                        rule[0] -= 1
                        fail = rule
                        break
            if fail:
                if fail[1] == 0:
                    time.sleep(fail[3])
                    self.close_connection = True
                    return
                raise ControllerError(fail[1], f"Injected failure ({fail[1]})")
            if path != "/health" and self.st.authorization and self.headers.get("Authorization") != self.st.authorization:
                raise ControllerError(401, "HTTP 401 Unauthorized: the Authorization header is missing or wrong")
            status, doc, text = self._route(path, q, body)
            answer = (status, doc, text)
        except ControllerError as e:
            status = e.code
            answer = (e.code, {"code": e.code, "error": e.message}, None)
        except Exception as e:  # noqa: BLE001
            status = 500
            answer = (500, {"code": 500, "error": f"{type(e).__name__}: {e}"}, None)
        finally:
            # Logged before the answer goes out: a client that reads /_control/requests right
            # after its answer must find it there.
            if not path.startswith("/_control/"):
                with self.st.lock:
                    self.st.log.append({"method": self.command, "path": self.path, "status": status, "bytes": len(body)})
        self._send(*answer)

    def _accept_any(self):
        """Benchmarks: the body streamed to a file in 1 MiB pieces, then deleted."""
        remaining = int(self.headers.get("Content-Length") or 0)
        target = os.path.join(self.st.data_dir, "upload-%d" % threading.get_ident())
        with open(target, "wb") as fp:
            while remaining > 0:
                piece = self.rfile.read(min(remaining, 1 << 20))
                if not piece:
                    break
                fp.write(piece)
                remaining -= len(piece)
        os.remove(target)
        self._send(200, {"status": "accepted"})

    def _control(self, path, q):
        st = self.st
        if path == "/_control/fail" and self.command == "POST":
            with st.lock:
                st.failures.append([int(q.get("count", "1")), int(q.get("status", "503")), q.get("match", ""), float(q.get("delay", "3600"))])
            return self._send(200, {"ok": True})
        if path == "/_control/auth" and self.command == "POST":
            with st.lock:
                st.authorization = q.get("value", "")
            return self._send(200, {"ok": True})
        if path == "/_control/clear-failures" and self.command == "POST":
            with st.lock:
                st.failures.clear()
            return self._send(200, {"ok": True})
        if path == "/_control/reset" and self.command == "POST":
            with st.lock:
                st.reset()
            return self._send(200, {"ok": True})
        if path == "/_control/segments":
            with st.lock:
                records = [dict(r, name=name) for (table, name), r in st.segments.items() if table == q.get("table")]
            return self._send(200, {"segments": sorted(records, key=lambda r: r["name"])})
        if path == "/_control/requests":
            with st.lock:
                return self._send(200, {"requests": list(st.log)})
        if path == "/_control/routed":
            with st.lock:
                return self._send(200, {"segments": sorted(routed_segments(st, q.get("table")))})
        if path == "/_control/lineage":
            with st.lock:
                return self._send(200, lineage_doc(st, q.get("table")))
        if path == "/_control/retention" and self.command == "POST":
            return self._send(200, self._retention(q.get("table")))
        raise ControllerError(404, f"no control route {self.command} {path}")

    def _route(self, path, q, body):
        st = self.st
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
        if path == "/health" and self.command == "GET":
            return 200, None, "OK"
        if parts[0] == "schemas":
            if self.command == "GET" and len(parts) == 2:
                with st.lock:
                    schema = st.schemas.get(parts[1])
                if schema is None:
                    raise ControllerError(404, f"Schema {parts[1]} not found")
                return 200, schema, None
            if self.command == "POST" and len(parts) == 1:
                schema = json.loads(body)
                if not schema.get("schemaName"):
                    raise ControllerError(400, "Invalid schema: schemaName is missing")
                with st.lock:
                    st.schemas[schema["schemaName"]] = schema
                return 200, {"unrecognizedProperties": {}, "status": f"{schema['schemaName']} successfully added"}, None
        if parts[0] == "tables":
            if self.command == "GET" and len(parts) == 2:
                with st.lock:
                    table = st.tables.get(parts[1])
                return 200, ({"OFFLINE": table} if table else {}), None
            if self.command == "POST" and len(parts) == 1:
                config = json.loads(body)
                name = config.get("tableName", "")
                if name.endswith("_OFFLINE"):
                    name = name[:-len("_OFFLINE")]
                if config.get("tableType") != "OFFLINE":
                    raise ControllerError(400, "Invalid table config: only OFFLINE tables are accepted here")
                with st.lock:
                    schema_name = config.get("segmentsConfig", {}).get("schemaName") or name
                    if schema_name not in st.schemas:
                        raise ControllerError(400, f"Invalid table config for table {name}: schema {schema_name} does not exist")
                    if name in st.tables:
                        raise ControllerError(409, f"Table config for {name}_OFFLINE already exists")
                    st.tables[name] = config
                return 200, {"unrecognizedProperties": {}, "status": f"Table {name}_OFFLINE successfully added"}, None
        if parts[0] == "segments" and len(parts) == 2 and self.command == "GET":
            with st.lock:
                names = sorted(name for (table, name) in st.segments if table == parts[1])
            return 200, [{"OFFLINE": names}], None
        if path == "/v2/segments" and self.command == "POST":
            return self._upload(q, body)
        if parts[0] == "segments" and len(parts) == 3 and self.command == "POST" and parts[2] == "startReplaceSegments":
            return self._start_replace(parts[1], q, body)
        if parts[0] == "segments" and len(parts) == 3 and self.command == "POST" and parts[2] == "endReplaceSegments":
            return self._end_replace(parts[1], q, body)
        if parts[0] == "segments" and len(parts) == 3 and self.command == "POST" and parts[2] == "revertReplaceSegments":
            return self._revert_replace(parts[1], q, body)
        if parts[0] == "segments" and len(parts) == 3 and self.command == "GET" and parts[2] == "lineage":
            table = self._existing_table(parts[1], self._table_type(q))
            with st.lock:
                if table not in st.lineage:
                    return 200, None, ""
                return 200, lineage_doc(st, table), None
        if parts[0] == "segments" and len(parts) == 3 and self.command == "DELETE":
            table = self._existing_table(parts[1], "OFFLINE")
            self._delete_segments(table, [parts[2]])
            return 200, {"status": "Segment deleted"}, None
        if parts[0] == "segments" and len(parts) == 2 and self.command == "DELETE":
            table = self._existing_table(parts[1], self._table_type(q, "Table type must not be null"))
            names = urllib.parse.parse_qs(self.path.partition("?")[2]).get("segments", [])
            if not names:
                with st.lock:
                    every = sorted(name for (t, name) in st.segments if t == table)
                self._delete_segments(table, every)
                return 200, {"status": f"All segments of table {table}_OFFLINE deleted"}, None
            self._delete_segments(table, names)
            if len(names) <= 5:
                return 200, {"status": f"Deleted segments: {java_list(names)} from table: {table}_OFFLINE"}, None
            return 200, {"status": f"Deleted {len(names)} segments from table: {table}_OFFLINE"}, None
        raise ControllerError(404, f"HTTP 404 Not Found: {self.command} {path}")

    def _upload(self, q, body):
        st = self.st
        table = q.get("tableName", "")
        if table.endswith("_OFFLINE"):
            table = table[:-len("_OFFLINE")]
        if q.get("tableType", "OFFLINE") != "OFFLINE":
            raise ControllerError(400, "only OFFLINE uploads are accepted")
        with st.lock:
            if table not in st.tables:
                raise ControllerError(400, f"Failed to find table config for table: {table}_OFFLINE")
        parts = parse_multipart(self.headers.get("Content-Type"), body)
        if len(parts) != 1:
            raise ControllerError(400, f"Invalid multi-part form: {len(parts)} parts, exactly one expected")
        headers, data = parts[0]
        upload_type = self.headers.get("UPLOAD_TYPE", "SEGMENT").upper()
        members = read_tar(data)
        if not members or members[0][1] is not None:
            raise ControllerError(400, "the first tar entry must be the segment directory")
        top = members[0][0]
        files = {name: content for name, content in members if content is not None}
        meta_path = next((n for n in files if n.endswith("metadata.properties")), None)
        if meta_path is None:
            raise ControllerError(400, "the tarball holds no metadata.properties")
        meta = properties(files[meta_path].decode("latin-1"))
        name = meta.get("segment.name", "")
        if name != top:
            raise ControllerError(400, f"the segment directory {top} is not named as segment.name {name}")
        creation = next((files[n] for n in files if n.endswith("creation.meta")), b"")
        crc = int.from_bytes(creation[:8], "big") if len(creation) >= 8 else None
        record = {"uploadType": upload_type, "crc": crc, "docs": int(meta.get("segment.total.docs", "-1")),
                  "table": meta.get("segment.table.name"), "bytes": len(data)}
        if upload_type == "METADATA":
            uri = self.headers.get("DOWNLOAD_URI")
            if not uri:
                raise ControllerError(400, "DOWNLOAD_URI is required for a METADATA upload")
            if set(os.path.basename(n) for n in files) != {"metadata.properties", "creation.meta"}:
                raise ControllerError(400, "a metadata bundle holds only metadata.properties and creation.meta")
            if not self._exists(uri):
                raise ControllerError(400, f"Failed to find the segment at the download URI: {uri}")
            record.update(downloadUri=uri, copyToDeepStore=self.headers.get("COPY_SEGMENT_TO_DEEP_STORE"))
            target = None
        else:
            target = os.path.join(st.data_dir, table, name + (".tar.zst" if data[:4] == b"\x28\xb5\x2f\xfd" else ".tar.gz"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target + ".tmp", "wb") as fp:
                fp.write(data)
            if st.args.validator:
                check = subprocess.run([st.args.validator, "segment", "dump", target + ".tmp", "--rows"], capture_output=True)
                if check.returncode != 0 or b"does NOT match" in check.stdout:
                    os.remove(target + ".tmp")
                    raise ControllerError(400, f"segment {name} does not read back: {check.stderr.decode(errors='replace')[-300:]}")
            for old in (os.path.join(st.data_dir, table, name + ext) for ext in (".tar.gz", ".tar.zst")):
                if os.path.exists(old):
                    os.remove(old)
            os.replace(target + ".tmp", target)
            record.update(path=target)
        with st.lock:
            previous = st.segments.get((table, name))
            record["uploads"] = (previous or {}).get("uploads", 0) + 1
            st.segments[(table, name)] = record
        return 200, {"status": f"Successfully uploaded segment: {name} of table: {table}_OFFLINE"}, None

    def _table_type(self, q, missing="Table type should either be offline or realtime"):
        """Constants.validateTableType: blank -> 400 `missing`, not OFFLINE/REALTIME -> 400."""
        value = q.get("type", "")
        if not value.strip():
            raise ControllerError(400, missing)
        if value.upper() not in ("OFFLINE", "REALTIME"):
            raise ControllerError(400, f"Illegal table type '{value}'")
        return value.upper()

    def _existing_table(self, name, table_type):
        """ResourceUtils.getExistingTableNamesWithType: the raw name, or 404. Only OFFLINE tables exist here."""
        if name.endswith("_OFFLINE"):
            name, table_type = name[:-len("_OFFLINE")], "OFFLINE"
        elif name.endswith("_REALTIME"):
            name, table_type = name[:-len("_REALTIME")], "REALTIME"
        with self.st.lock:
            exists = name in self.st.tables
        if table_type != "OFFLINE" or not exists:
            raise ControllerError(404, f"Table '{name}_{table_type}' not found.")
        return name

    @staticmethod
    def _json_body(body, what):
        if not body.strip():
            return None
        try:
            doc = json.loads(body)
        except ValueError as e:
            raise ControllerError(400, f"Unable to parse the {what} request body as JSON: {e}")
        if not isinstance(doc, dict):
            raise ControllerError(400, f"the {what} request body must be a JSON object")
        return doc

    @staticmethod
    def _names(doc, key):
        value = (doc or {}).get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ControllerError(400, f"'{key}' must be a list of segment names")
        return list(value)

    def _start_replace(self, raw_table, q, body):
        st = self.st
        table = self._existing_table(raw_table, self._table_type(q))
        force_cleanup = q.get("forceCleanup", "false").lower() == "true"
        doc = self._json_body(body, "startReplaceSegments")
        if doc is None:  # Pinot: a null request, dereferenced inside the handler's try
            raise ControllerError(500, "the startReplaceSegments request body is missing")
        segments_from, segments_to = self._names(doc, "segmentsFrom"), self._names(doc, "segmentsTo")
        if not segments_from and not segments_to:
            raise ControllerError(400, "'segmentsFrom' and 'segmentsTo' cannot both be empty")
        table_name = f"{table}_OFFLINE"
        failed = (f"Failed to update the segment lineage during startReplaceSegments. (tableName = {table_name}, "
                  f"segmentsFrom = {java_list(segments_from)}, segmentsTo = {java_list(segments_to)})")
        entry_id = str(uuid.uuid4())
        with st.lock:
            routed = routed_segments(st, table)
            for segment in segments_from:
                if segment not in routed:
                    raise ControllerError(500, f"Segment: {segment} from 'segmentsFrom' does not exist in table: {table_name}")
            for segment in segments_to:
                if segment in routed:
                    raise ControllerError(500, f"Segment: {segment} from 'segmentsTo' exists in table: {table_name}")
            entries = st.lineage.get(table, {})
            refresh = batch_ingestion_type(st.tables.get(table)) == "REFRESH"
            updates, removals, clean_up = {}, [], []
            for other_id, entry in entries.items():
                if entry["state"] == "REVERTED":
                    if force_cleanup:
                        clean_up.extend(entry["segmentsTo"])
                    continue
                if force_cleanup:
                    if entry["state"] == "IN_PROGRESS" and (set(segments_from) & set(entry["segmentsFrom"]) or set(segments_to) & set(entry["segmentsTo"])):
                        left = [s for s in entry["segmentsTo"] if s not in segments_to]
                        if left:
                            updates[other_id] = dict(entry, segmentsTo=left, state="REVERTED", timestamp=now_ms())
                        else:
                            removals.append(other_id)
                        clean_up.extend(left)
                    elif entry["state"] == "COMPLETED" and refresh and sorted(segments_from) == sorted(entry["segmentsTo"]):
                        clean_up.extend(entry["segmentsFrom"])
                    continue
                for segment in segments_from:
                    if segment in entry["segmentsFrom"]:
                        raise ControllerError(500, f"{failed}: Segment: {segment} from 'segmentsFrom' exists in table: {table_name}, "
                                                   f"entry id: {other_id} as 'segmentsFrom' (replacing a replaced segment)")
                for segment in segments_to:
                    if segment in entry["segmentsTo"]:
                        raise ControllerError(500, f"{failed}: Segment: {segment} from 'segmentsTo' exists in table: {table_name}, "
                                                   f"entry id: {other_id} as 'segmentTo' (name conflict)")
            entries = st.lineage.setdefault(table, {})
            entries.update(updates)
            for other_id in removals:
                del entries[other_id]
            entries[entry_id] = {"segmentsFrom": segments_from, "segmentsTo": segments_to, "state": "IN_PROGRESS",
                                 "timestamp": now_ms(), "customMap": doc.get("customMap")}
            drop_segments(st, table, clean_up)
        return 200, {"segmentLineageEntryId": entry_id}, None

    def _lineage_entry(self, table, q, call):
        """The entry named by segmentLineageEntryId, with the message prefix for failures. Caller holds st.lock."""
        entry_id = q.get("segmentLineageEntryId")
        failed = (f"Failed to update the segment lineage during {call}. (tableName = {table}_OFFLINE, "
                  f"segmentLineageEntryId = {entry_id})")
        if entry_id is None:
            raise ControllerError(500, "'segmentLineageEntryId' should not be null")
        if table not in self.st.lineage:
            raise ControllerError(500, f"{failed}: Failed to find segment lineage for table: {table}_OFFLINE")
        entry = self.st.lineage[table].get(entry_id)
        if entry is None:
            raise ControllerError(500, f"{failed}: Failed to find entry id: {entry_id} from segment lineage for table: {table}_OFFLINE")
        return entry_id, entry, failed

    def _end_replace(self, raw_table, q, body):
        st = self.st
        table = self._existing_table(raw_table, self._table_type(q))
        doc = self._json_body(body, "endReplaceSegments")
        subset = self._names(doc, "segmentsTo")
        with st.lock:
            entry_id, entry, failed = self._lineage_entry(table, q, "endReplaceSegments")
            if entry["state"] == "COMPLETED":
                return 200, None, ""
            if entry["state"] == "REVERTED":
                raise ControllerError(500, f"{failed}: The target lineage entry state is not 'IN_PROGRESS'. Cannot update to "
                                           f"'COMPLETED' state. (tableNameWithType={table}_OFFLINE, segmentLineageEntryId={entry_id}, state=REVERTED)")
            present = {name for (t, name) in st.segments if t == table}
            missing = [s for s in entry["segmentsFrom"] if s not in present]
            if missing:
                raise ControllerError(500, f"{failed}: Cannot complete segment replacement: segments from 'segmentsFrom' no longer exist "
                                           f"in IdealState (likely deleted by a concurrent request). Recover by calling revertReplaceSegments "
                                           f"with forceRevert=true. (tableNameWithType={table}_OFFLINE, segmentLineageEntryId={entry_id}, "
                                           f"missingSegmentsFrom={java_list(missing)})")
            segments_to = entry["segmentsTo"]
            if subset:
                for segment in subset:
                    if segment not in segments_to:
                        raise ControllerError(500, f"{failed}: Segment: {segment} from EndReplaceSegmentsRequest does not exist in original "
                                                   f"segmentsTo list used while starting segment replacement: {table}_OFFLINE")
                segments_to = subset
            for segment in segments_to:
                if segment not in present:
                    raise ControllerError(500, f"{failed}: Segment: {segment} from 'segmentsTo' does not exist in table: {table}_OFFLINE")
            st.lineage[table][entry_id] = dict(entry, segmentsTo=list(segments_to), state="COMPLETED", timestamp=now_ms())
        return 200, None, ""

    def _revert_replace(self, raw_table, q, body):
        st = self.st
        table = self._existing_table(raw_table, self._table_type(q))
        self._json_body(body, "revertReplaceSegments")
        force_revert = q.get("forceRevert", "false").lower() == "true"
        with st.lock:
            entry_id, entry, failed = self._lineage_entry(table, q, "revertReplaceSegments")
            if entry["state"] == "REVERTED" or (entry["state"] == "IN_PROGRESS" and not force_revert):
                raise ControllerError(500, f"{failed}: Lineage state is not valid. Cannot update the lineage entry to be 'REVERTED'. "
                                           f"(tableNameWithType={table}_OFFLINE, segmentLineageEntryId={entry_id}, "
                                           f"segmentLineageEntryState={entry['state']}, forceRevert={str(force_revert).lower()})")
            if entry["state"] == "COMPLETED":
                for segment in entry["segmentsFrom"]:
                    if (table, segment) not in st.segments:
                        raise ControllerError(500, f"{failed}: Segment: {segment} from 'segmentsFrom' does not exist in table: "
                                                   f"{table}_OFFLINE (reverting a deleted segment)")
            for other_id, other in st.lineage[table].items():
                if other["state"] in ("IN_PROGRESS", "COMPLETED"):
                    for segment in entry["segmentsTo"]:
                        if segment in other["segmentsFrom"]:
                            raise ControllerError(500, f"{failed}: Segment: {segment} from 'segmentsTo' exists in table: {table}_OFFLINE, "
                                                       f"entry id: {other_id} as 'segmentsTo' (reverting a merged segment)")
            st.lineage[table][entry_id] = dict(entry, state="REVERTED", timestamp=now_ms())
            drop_segments(st, table, entry["segmentsTo"])
        return 200, None, ""

    def _delete_segments(self, table, names):
        """PinotHelixResourceManager.deleteSegments: the whole batch refused when one is lineage-locked."""
        with self.st.lock:
            blocked = delete_blocked_segments(self.st, table)
            blocking = [name for name in names if name in blocked]
            if blocking:
                raise ControllerError(500, f"Failed to delete segments from table: {table}_OFFLINE, error message: Cannot delete segments "
                                           f"from table: {table}_OFFLINE because they participate in a live segment lineage entry. Use the "
                                           f"lineage lifecycle (endReplaceSegments / revertReplaceSegments with forceRevert=true) to clean "
                                           f"them up. Blocking segments: {java_list(blocking)}")
            drop_segments(self.st, table, names)

    def _retention(self, table):
        """DefaultLineageManager.updateLineageForRetention with both retention periods zero (stale IN_PROGRESS untouched)."""
        st = self.st
        deleted, removed = [], []
        with st.lock:
            entries = st.lineage.get(table, {})
            present = {name for (t, name) in st.segments if t == table}
            for entry_id, entry in list(entries.items()):
                victims = entry["segmentsFrom"] if entry["state"] == "COMPLETED" else entry["segmentsTo"] if entry["state"] == "REVERTED" else None
                if victims is None:
                    continue
                left = [s for s in victims if s in present]
                if left:
                    deleted.extend(drop_segments(st, table, left))
                else:
                    del entries[entry_id]
                    removed.append(entry_id)
        return {"deleted": deleted, "removedEntries": removed}

    def _exists(self, uri):
        if uri.startswith("file://"):
            return os.path.exists(urllib.parse.unquote(uri[len("file://"):]))
        if uri.startswith("s3://"):
            import boto3
            env = os.environ
            bucket, _, key = uri[len("s3://"):].partition("/")
            client = boto3.client("s3", endpoint_url=env["LAKEINGEST_S3_ENDPOINT"], region_name=env.get("LAKEINGEST_S3_REGION", "us-east-1"),
                                  aws_access_key_id=env["LAKEINGEST_S3_ACCESS_KEY"], aws_secret_access_key=env["LAKEINGEST_S3_SECRET_KEY"])
            try:
                client.head_object(Bucket=bucket, Key=key)
                return True
            except Exception:  # noqa: BLE001
                return False
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--state-file")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data-dir")
    parser.add_argument("--validator")
    parser.add_argument("--authorization")
    parser.add_argument("--accept-any", action="store_true",
                        help="benchmarks: stream uploads to disk unread and answer 200 (no table, tar or deep-store checks)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    st = State(args)
    Handler.st = st
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    state = {"uri": f"http://127.0.0.1:{port}", "control": f"http://127.0.0.1:{port}/_control", "dataDir": st.data_dir, "pid": os.getpid()}

    def stop(signum, frame):
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.state_file:
        fd = os.open(args.state_file + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fp:
            json.dump(state, fp)
        os.replace(args.state_file + ".tmp", args.state_file)
    print(f"controller: listening on {state['uri']}, data in {st.data_dir}", file=sys.stderr, flush=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()
        if args.state_file:
            try:
                os.remove(args.state_file)
            except FileNotFoundError:
                pass


if __name__ == "__main__":
    main()
