#!/usr/bin/env python3
"""A Pinot controller for the push tests: the endpoints LakeIngest calls, with Pinot's rules.

    python3 controller_server.py --state-file PATH [--port 0] [--data-dir DIR]
                                 [--validator PATH/TO/ingest-worker] [--verbose]

Serves (rules as read from PinotSegmentUploadDownloadRestletResource, PinotSchemaRestletResource
and PinotTableRestletResource; shared/spec/pinot-segment-format.md §10–12):

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

Errors are Pinot's JSON {"code": N, "error": "..."}. When an `Authorization` value is set
(`--authorization` or /_control/auth), every request but /health and /_control must carry it
exactly, else 401.

Test controls (no auth):
  POST /_control/fail?count=N&status=S[&match=SUBSTR][&delay=SECONDS]
       the next N requests whose path contains SUBSTR answer S (status 0: never answer, holding
       the connection for `delay` seconds, default 3600) after reading the request
  POST /_control/auth?value=V      require Authorization: V (empty: none)
  POST /_control/clear-failures    clear pending failures
  POST /_control/reset             clear failures, tables, schemas, segments and the log
  GET  /_control/segments?table=T  {"segments": [{"name", "uploads", "uploadType", "downloadUri",
                                   "copyToDeepStore", "path", "bytes", "crc", "docs"}]}
  GET  /_control/requests          {"requests": [{"method", "path", "status", "bytes"}]}

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
        self.failures = []  # [count, status, match, delay]
        self.log = []
        self.authorization = ""


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
            self._send(status, doc, text)
        except ControllerError as e:
            status = e.code
            self._send(e.code, {"code": e.code, "error": e.message})
        except Exception as e:  # noqa: BLE001
            status = 500
            self._send(500, {"code": 500, "error": f"{type(e).__name__}: {e}"})
        finally:
            if not path.startswith("/_control/"):
                with self.st.lock:
                    self.st.log.append({"method": self.command, "path": self.path, "status": status, "bytes": len(body)})

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
