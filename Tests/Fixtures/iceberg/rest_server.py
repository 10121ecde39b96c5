#!/usr/bin/env python3
"""A read-only Iceberg REST catalog over the committed fixture tables, checking AWS SigV4.

    python3 rest_server.py [--state-file PATH] [--port 0] [--signing-name glue|s3tables]
                           [--region R] [--warehouse W] [--access-key AK --secret-key SK]
                           [--base-path /iceberg] [--fail-first N] [--default-page-size N]
                           [--extra-namespaces N] [--extra-tables N] [--warehouse-dir DIR]
                           [--session-access-key AK --session-secret-key SK --session-token T]
                           [--keys-from OTHER_STATE_FILE] [--verbose]

Keys not given are generated (AKIA…/ASIA… ids, random secrets and session token).

Serves (under BASE = http://127.0.0.1:PORT/iceberg by default):

  GET  BASE/v1/config?warehouse=W            {"defaults":{}, "overrides":{"prefix":P}, "endpoints":[...]}
  GET  BASE/v1/P/namespaces[?parent=&pageToken=&pageSize=]
  GET|HEAD BASE/v1/P/namespaces/{ns}
  GET  BASE/v1/P/namespaces/{ns}/tables[?pageToken=&pageSize=]
  GET|HEAD BASE/v1/P/namespaces/{ns}/tables/{t}[?snapshots=all|refs]

P = "catalogs/" + percent-encode(W, every byte but A-Z a-z 0-9 - _ . ~). Multi-level
namespaces are joined with 0x1F in paths and `parent` (on the wire: %1F).

Every request under BASE must carry a valid SigV4 signature (Authorization header,
X-Amz-Date) for --signing-name and --region with one of the server's keys: the long-term
key, or the temporary key, which also needs its X-Amz-Security-Token. The server rebuilds
the request exactly as it arrived -- method, the raw request-target from the request line
(http.server's self.path is not decoded), the headers named in SignedHeaders, the body --
and recomputes the signature with botocore.auth.SigV4Auth (canonical URI: the wire path,
dot-segments removed, percent-encoded once more, as AWS does for every service but S3).
Query parameters are decoded and re-encoded the SigV4 way first (AWS servers canonicalise
the query from its decoded values). Any mismatch -> 403 with an Iceberg error body.

Errors: {"error": {"message": ..., "type": ..., "code": N}}.

Test controls (no signature, not under BASE):
  POST /_control/fail?count=N[&status=503][&match=SUBSTR]  next N matching requests fail
  GET  /_control/requests                                    {"requests": [{method, path, status}, ...]}
                                                             (every request under BASE, oldest first)
  POST /_control/reset                                       clear the log and pending failures
  POST /_control/register  {"namespace": [...], "name", "metadata-location", "metadata"}
                           a table written elsewhere: loadable, not listed

With --state-file, writes (mode 0600, atomically, once listening) and deletes on
SIGTERM/SIGINT:
  {"uri": "http://127.0.0.1:PORT/iceberg", "region", "signingName", "warehouse", "prefix",
   "accessKeyId", "secretAccessKey", "sessionAccessKeyId", "sessionSecretAccessKey",
   "sessionToken", "metadataRoot", "warehouseDir", "pid"}
"""

import argparse
import base64
import calendar
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_WAREHOUSE_DIR = os.path.join(HERE, "warehouse")
ACCOUNT = "123456789012"
UNRESERVED = "-_.~"
MAX_SKEW_S = 15 * 60
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

# Namespaces and the tables listed in them. A table is loadable when it maps to a table
# directory of the warehouse (namespace dir / table dir); the others are listed only and
# answer 404 NoSuchTableException on load.
BASE_NAMESPACES = {
    ("a",): {"comment": "parent of a multi-level namespace"},
    ("a", "b"): {"comment": "multi-level namespace"},
    ("ops",): {"comment": "listed-only tables"},
    ("sales",): {"comment": "the fixture tables"},
}
BASE_TABLES = {
    ("sales",): {"orders_v1": "sales/orders_v1", "orders_v2": "sales/orders_v2",
                 "refunds": None, "returns": None},
    ("ops",): {"audit_log": None},
    ("a", "b"): {"events": "sales/orders_v1"},  # same metadata as sales.orders_v1
    ("a",): {},
}


def sigv4_quote(b: bytes) -> str:
    return urllib.parse.quote(b, safe=UNRESERVED)


def default_warehouse(signing_name: str, region: str) -> str:
    if signing_name == "s3tables":
        return f"arn:aws:s3tables:{region}:{ACCOUNT}:bucket/lakeingest-fixture"
    return ACCOUNT


def prefix_for(warehouse: str) -> str:
    return "catalogs/" + sigv4_quote(warehouse.encode())


class CatalogError(Exception):
    def __init__(self, code, type_, message):
        super().__init__(message)
        self.code, self.type, self.message = code, type_, message


# --------------------------------------------------------------------------- SigV4

_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$")


def canonical_wire_query(query: str) -> str:
    """Decode each key/value and re-encode it the SigV4 way (order kept; botocore sorts)."""
    if not query:
        return ""
    pairs = []
    for pair in query.split("&"):
        k, _, v = pair.partition("=")
        pairs.append(f"{sigv4_quote(urllib.parse.unquote_to_bytes(k))}="
                     f"{sigv4_quote(urllib.parse.unquote_to_bytes(v))}")
    return "&".join(pairs)


def verify_sigv4(method, raw_target, headers, body, keys, signing_name, region, now=None):
    """Raise CatalogError(403/400) unless the request is signed correctly. Returns the key id."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest, HTTPHeaders
    from botocore.credentials import Credentials

    auth = headers.get("Authorization")
    if not auth:
        raise CatalogError(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    m = _AUTH_RE.match(auth.strip())
    if not m:
        raise CatalogError(403, "IncompleteSignatureException",
                           "Authorization header is not 'AWS4-HMAC-SHA256 Credential=..., "
                           "SignedHeaders=..., Signature=...'")
    credential, signed_headers, signature = m.group(1), m.group(2), m.group(3).lower()
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise CatalogError(403, "IncompleteSignatureException", f"Credential is malformed: {credential}")
    access_key, scope_date, scope_region, scope_service, _ = parts
    key = keys.get(access_key)
    if key is None:
        raise CatalogError(403, "UnrecognizedClientException",
                           "The security token included in the request is invalid.")
    if scope_region != region:
        raise CatalogError(403, "InvalidSignatureException",
                           f"Credential should be scoped to a valid region. "
                           f"'{scope_region}' is not '{region}'.")
    if scope_service != signing_name:
        raise CatalogError(403, "InvalidSignatureException",
                           f"Credential should be scoped to correct service: '{signing_name}', "
                           f"not '{scope_service}'.")
    amz_date = headers.get("X-Amz-Date")
    if not amz_date or not re.fullmatch(r"\d{8}T\d{6}Z", amz_date):
        raise CatalogError(403, "IncompleteSignatureException", "X-Amz-Date header missing or malformed")
    if amz_date[:8] != scope_date:
        raise CatalogError(403, "InvalidSignatureException",
                           "Date in Credential scope does not match X-Amz-Date")
    t = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    if abs((now or time.time()) - t) > MAX_SKEW_S:
        raise CatalogError(403, "InvalidSignatureException",
                           f"Signature expired: {amz_date} is more than 15 minutes from the server time")
    names = signed_headers.split(";")
    if "host" not in names or "x-amz-date" not in names:
        raise CatalogError(403, "InvalidSignatureException", "SignedHeaders must include host and x-amz-date")
    if key.get("token") is not None:
        if headers.get("X-Amz-Security-Token") != key["token"]:
            raise CatalogError(403, "UnrecognizedClientException",
                               "The security token included in the request is invalid.")
        if "x-amz-security-token" not in names:
            raise CatalogError(403, "InvalidSignatureException", "x-amz-security-token must be signed")
    content_sha = headers.get("X-Amz-Content-SHA256")
    if content_sha is not None and content_sha != hashlib.sha256(body).hexdigest():
        raise CatalogError(400, "BadRequestException",
                           "x-amz-content-sha256 does not match the SHA-256 of the body")

    signed = HTTPHeaders()
    for name in names:
        values = headers.get_all(name)
        if values is None:
            raise CatalogError(403, "InvalidSignatureException", f"signed header '{name}' is not in the request")
        for v in values:
            signed[name] = v

    class _Signer(SigV4Auth):
        # Sign exactly the headers the client listed in SignedHeaders (botocore would take
        # every header of the request and skip user-agent etc.).
        def headers_to_sign(self, request):
            return signed

    path, sep, query = raw_target.partition("?")
    url = f"http://{headers.get('Host', 'localhost')}{path}"
    q = canonical_wire_query(query) if sep else ""
    if q:
        url += "?" + q
    request = AWSRequest(method=method, url=url, data=body, headers={})
    if content_sha is not None:
        request.headers["X-Amz-Content-SHA256"] = content_sha
    request.context["timestamp"] = amz_date
    signer = _Signer(Credentials(access_key, key["secret"], key.get("token")), signing_name, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, signature):
        raise CatalogError(403, "InvalidSignatureException",
                           "The request signature we calculated does not match the signature you "
                           "provided. Check your AWS Secret Access Key and signing method. "
                           "The Canonical String for this request should have been\n'"
                           + canonical + "'")
    return access_key


# --------------------------------------------------------------------------- catalog

class Catalog:
    def __init__(self, warehouse_dir, extra_namespaces=0, extra_tables=0):
        self.warehouse_dir = os.path.abspath(warehouse_dir)
        with open(os.path.join(self.warehouse_dir, "ROOT")) as fp:
            self.root_uri = fp.read().strip()  # file:///tmp/lakeingest-iceberg/warehouse
        self.namespaces = dict(BASE_NAMESPACES)
        self.registered = {}  # (namespace tuple, name) -> (metadata location, metadata document)
        self.tables = {ns: dict(t) for ns, t in BASE_TABLES.items()}
        for i in range(extra_namespaces):
            self.namespaces[(f"ns{i:04d}",)] = {}
            self.tables[(f"ns{i:04d}",)] = {}
        for i in range(extra_tables):
            self.tables[("ops",)][f"t{i:04d}"] = None
        for ns in self.namespaces:
            self.namespaces[ns] = {"comment": "", **self.namespaces[ns],
                                   "location": f"{self.root_uri}/{'/'.join(ns)}"}

    def children(self, parent):
        n = len(parent)
        return sorted(ns for ns in self.namespaces if len(ns) == n + 1 and ns[:n] == parent)

    def load(self, ns, name):
        if (ns, name) in self.registered:
            location, metadata = self.registered[(ns, name)]
            return location, json.loads(json.dumps(metadata))
        rel = self.tables.get(ns, {}).get(name)
        if rel is None:
            raise CatalogError(404, "NoSuchTableException",
                               f"Table does not exist: {'.'.join(ns)}.{name}")
        mdir = os.path.join(self.warehouse_dir, rel, "metadata")
        files = sorted(f for f in os.listdir(mdir) if f.endswith(".metadata.json"))
        latest = max(files, key=lambda f: int(f.split("-", 1)[0]))
        with open(os.path.join(mdir, latest), encoding="utf-8") as fp:
            metadata = json.load(fp)
        return f"{self.root_uri}/{rel}/metadata/{latest}", metadata


def page(items, token, size, kind, default_size):
    """Offset paging with an opaque token bound to `kind` (the listing it came from)."""
    start = 0
    if token:
        try:
            k, _, off = base64.urlsafe_b64decode(token.encode() + b"==").decode().rpartition("|")
            if k != kind:
                raise ValueError
            start = int(off)
        except Exception:  # noqa: BLE001
            raise CatalogError(400, "BadRequestException", f"Invalid pageToken: {token}")
    if size is None:
        size = default_size or None
    else:
        try:
            size = int(size)
        except ValueError:
            size = 0
        if size < 1:
            raise CatalogError(400, "BadRequestException", "pageSize must be a positive integer")
    end = len(items) if size is None else min(len(items), start + size)
    nxt = None
    if end < len(items):
        nxt = base64.urlsafe_b64encode(f"{kind}|{end}".encode()).decode().rstrip("=")
    return items[start:end], nxt


# --------------------------------------------------------------------------- HTTP

class State:
    def __init__(self, args, keys, catalog):
        self.args = args
        self.keys = keys
        self.catalog = catalog
        self.prefix = prefix_for(args.warehouse)
        self.lock = threading.Lock()
        self.fail_first = args.fail_first
        self.fail_rules = []  # [count, status, match]
        self.log = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "LakeIngestRESTCatalog/1"
    st: State = None  # set on the class by serve()

    def log_message(self, fmt, *args):
        if self.st.args.verbose:
            sys.stderr.write("rest_server: " + (fmt % args) + "\n")

    # -- plumbing
    def _send(self, status, doc=None, head=False):
        body = b"" if doc is None else json.dumps(doc, separators=(",", ":")).encode()
        # Logged before the answer goes out: a client that reads /_control/requests right after
        # its answer must find it there.
        if not self.path.startswith("/_control/"):
            with self.st.lock:
                self.st.log.append({"method": self.command, "path": self.path, "status": status})
        self.send_response(status)
        if doc is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "0" if head else str(len(body)))
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    def _error(self, e: CatalogError, head=False):
        self._send(e.code, {"error": {"message": e.message, "type": e.type, "code": e.code}}, head=head)

    def do_GET(self):
        self._handle(head=False)

    def do_HEAD(self):
        self._handle(head=True)

    def do_POST(self):
        self._handle(head=False)

    def do_DELETE(self):
        self._handle(head=False)

    def _handle(self, head):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        raw = self.path  # the request-target exactly as sent (http.server does not decode it)
        path, _, query = raw.partition("?")
        try:
            if path.startswith("/_control/"):
                return self._control(path, query, body)
            base = self.st.args.base_path.rstrip("/")
            if not (path == base or path.startswith(base + "/")):
                raise CatalogError(404, "NotFoundException", f"No route for {path}")
            with self.st.lock:
                fail = None
                if self.st.fail_first > 0:
                    self.st.fail_first -= 1
                    fail = 503
                else:
                    for rule in self.st.fail_rules:
                        if rule[0] > 0 and (not rule[2] or rule[2] in raw):
                            rule[0] -= 1
                            fail = rule[1]
                            break
            if fail:
                raise CatalogError(fail, "ServiceUnavailableException" if fail == 503 else "ServerError",
                                   f"Injected failure ({fail})")
            verify_sigv4(self.command, raw, self.headers, body, self.st.keys,
                         self.st.args.signing_name, self.st.args.region)
            if self.command not in ("GET", "HEAD"):
                raise CatalogError(405, "MethodNotAllowedException",
                                   f"{self.command} is not supported by this read-only catalog")
            doc = self._route(path[len(base):], query)
            if head:
                return self._send(204, None, head=True)
            self._send(200, doc)
        except CatalogError as e:
            self._error(e, head=head)
        except Exception as e:  # noqa: BLE001
            self._error(CatalogError(500, "InternalServerError", f"{type(e).__name__}: {e}"), head=head)

    def _control(self, path, query, body=b""):
        q = urllib.parse.parse_qs(query)
        if path == "/_control/register" and self.command == "POST":
            # A table written elsewhere (pyiceberg on moto S3): loadable, not listed, so the
            # listing tests see the fixed catalog whatever other tests register.
            doc = json.loads(body)
            with self.st.lock:
                self.st.catalog.registered[(tuple(doc["namespace"]), doc["name"])] = (doc["metadata-location"], doc["metadata"])
            return self._send(200, {"ok": True})
        if path == "/_control/fail" and self.command == "POST":
            with self.st.lock:
                self.st.fail_rules.append([int(q.get("count", ["1"])[0]), int(q.get("status", ["503"])[0]),
                                           q.get("match", [""])[0]])
            return self._send(200, {"ok": True})
        if path == "/_control/requests" and self.command == "GET":
            with self.st.lock:
                log = list(self.st.log)
            return self._send(200, {"requests": log})
        if path == "/_control/reset" and self.command == "POST":
            with self.st.lock:
                self.st.log.clear()
                self.st.fail_rules.clear()
                self.st.fail_first = 0
            return self._send(200, {"ok": True})
        raise CatalogError(404, "NotFoundException", f"No control route {self.command} {path}")

    # -- routes (path relative to the base path, raw)
    def _route(self, rel, query):
        q = {}
        for pair in query.split("&") if query else []:
            k, _, v = pair.partition("=")
            q[urllib.parse.unquote(k)] = urllib.parse.unquote(v)
        st = self.st
        if rel == "/v1/config":
            w = q.get("warehouse")
            if not w:
                raise CatalogError(400, "BadRequestException", "warehouse is required")
            if w != st.args.warehouse:
                raise CatalogError(404, "NoSuchWarehouseException", f"Warehouse not found: {w}")
            p = "/v1/{prefix}"
            return {"defaults": {}, "overrides": {"prefix": st.prefix},
                    "endpoints": [f"GET {p}/namespaces", f"GET {p}/namespaces/{{namespace}}",
                                  f"HEAD {p}/namespaces/{{namespace}}",
                                  f"GET {p}/namespaces/{{namespace}}/tables",
                                  f"GET {p}/namespaces/{{namespace}}/tables/{{table}}",
                                  f"HEAD {p}/namespaces/{{namespace}}/tables/{{table}}"]}
        head = f"/v1/{st.prefix}/"
        if not rel.startswith(head):
            if rel.startswith("/v1/"):
                raise CatalogError(404, "NoSuchWarehouseException",
                                   f"Unknown catalog prefix in {rel} (expected /v1/{st.prefix}/...)")
            raise CatalogError(404, "NotFoundException", f"No route for {rel}")
        segs = [urllib.parse.unquote(s) for s in rel[len(head):].split("/")]
        cat = st.catalog
        if segs == ["namespaces"]:
            parent = tuple(q["parent"].split("\x1f")) if q.get("parent") else ()
            if parent and parent not in cat.namespaces:
                raise CatalogError(404, "NoSuchNamespaceException",
                                   f"Namespace does not exist: {'.'.join(parent)}")
            items, nxt = page([list(ns) for ns in cat.children(parent)], q.get("pageToken"), q.get("pageSize"),
                              "ns:" + "\x1f".join(parent), st.args.default_page_size)
            return {"namespaces": items, "next-page-token": nxt}
        if len(segs) == 4 and segs[0] == "namespaces" and segs[2] == "tables" \
                and (tuple(segs[1].split("\x1f")), segs[3]) in cat.registered:
            mode = q.get("snapshots", "all")
            location, metadata = cat.load(tuple(segs[1].split("\x1f")), segs[3])
            if mode == "refs":
                keep = {r["snapshot-id"] for r in metadata.get("refs", {}).values()}
                metadata["snapshots"] = [s for s in metadata.get("snapshots", []) if s["snapshot-id"] in keep]
            return {"metadata-location": location, "metadata": metadata, "config": {}}
        if len(segs) >= 2 and segs[0] == "namespaces":
            ns = tuple(segs[1].split("\x1f"))
            if ns not in cat.namespaces:
                raise CatalogError(404, "NoSuchNamespaceException", f"Namespace does not exist: {'.'.join(ns)}")
            if len(segs) == 2:
                return {"namespace": list(ns), "properties": cat.namespaces[ns]}
            if len(segs) == 3 and segs[2] == "tables":
                names = sorted(cat.tables.get(ns, {}))
                items, nxt = page([{"namespace": list(ns), "name": n} for n in names], q.get("pageToken"),
                                  q.get("pageSize"), "tables:" + "\x1f".join(ns), st.args.default_page_size)
                return {"identifiers": items, "next-page-token": nxt}
            if len(segs) == 4 and segs[2] == "tables":
                mode = q.get("snapshots", "all")
                if mode not in ("all", "refs"):
                    raise CatalogError(400, "BadRequestException", f"Invalid snapshots mode: {mode}")
                location, metadata = cat.load(ns, segs[3])
                if mode == "refs":
                    keep = {r["snapshot-id"] for r in metadata.get("refs", {}).values()}
                    metadata["snapshots"] = [s for s in metadata.get("snapshots", []) if s["snapshot-id"] in keep]
                return {"metadata-location": location, "metadata": metadata, "config": {}}
        raise CatalogError(404, "NotFoundException", f"No route for {rel}")


def serve(args):
    keys = {
        args.access_key: {"secret": args.secret_key, "token": None},
        args.session_access_key: {"secret": args.session_secret_key, "token": args.session_token},
    }
    st = State(args, keys, Catalog(args.warehouse_dir, args.extra_namespaces, args.extra_tables))
    Handler.st = st
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    state = {
        "uri": f"http://127.0.0.1:{port}{args.base_path.rstrip('/')}",
        "region": args.region,
        "signingName": args.signing_name,
        "warehouse": args.warehouse,
        "prefix": st.prefix,
        "accessKeyId": args.access_key,
        "secretAccessKey": args.secret_key,
        "sessionAccessKeyId": args.session_access_key,
        "sessionSecretAccessKey": args.session_secret_key,
        "sessionToken": args.session_token,
        "metadataRoot": st.catalog.root_uri,
        "warehouseDir": st.catalog.warehouse_dir,
        "pid": os.getpid(),
    }

    def stop(signum, frame):
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.state_file:
        tmp = args.state_file + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fp:
            json.dump(state, fp)
        os.replace(tmp, args.state_file)
    print(f"rest_server: listening on {state['uri']} ({args.signing_name}, {args.region}, "
          f"warehouse {args.warehouse}, prefix {st.prefix}, key {args.access_key})", file=sys.stderr, flush=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()
        if args.state_file:
            try:
                os.remove(args.state_file)
            except FileNotFoundError:
                pass


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="Iceberg REST catalog fixture with SigV4 checking")
    ap.add_argument("--state-file")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--base-path", default="/iceberg")
    ap.add_argument("--signing-name", choices=["glue", "s3tables"], default="glue")
    ap.add_argument("--region", default=None,
                    help="default: us-east-1 (glue), us-west-2 (s3tables)")
    ap.add_argument("--warehouse", help="expected warehouse; default: account id 123456789012 (glue) "
                                        "or arn:aws:s3tables:REGION:123456789012:bucket/lakeingest-fixture")
    ap.add_argument("--access-key")
    ap.add_argument("--secret-key")
    ap.add_argument("--session-access-key")
    ap.add_argument("--session-secret-key")
    ap.add_argument("--session-token")
    ap.add_argument("--keys-from", metavar="STATE_FILE",
                    help="take all keys from another instance's state file (keeps secrets off the command line)")
    ap.add_argument("--fail-first", type=int, default=0, help="answer 503 to the first N requests under the base path")
    ap.add_argument("--default-page-size", type=int, default=0,
                    help="page size when the request has no pageSize (0: everything in one page)")
    ap.add_argument("--extra-namespaces", type=int, default=0, help="add top-level namespaces ns0000.. (empty)")
    ap.add_argument("--extra-tables", type=int, default=0, help="add listed-only tables t0000.. to namespace ops")
    ap.add_argument("--warehouse-dir", default=DEFAULT_WAREHOUSE_DIR)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    if args.region is None:
        args.region = "us-west-2" if args.signing_name == "s3tables" else "us-east-1"
    if args.warehouse is None:
        args.warehouse = default_warehouse(args.signing_name, args.region)
    if args.keys_from:
        with open(args.keys_from) as fp:
            other = json.load(fp)
        args.access_key, args.secret_key = other["accessKeyId"], other["secretAccessKey"]
        args.session_access_key = other["sessionAccessKeyId"]
        args.session_secret_key = other["sessionSecretAccessKey"]
        args.session_token = other["sessionToken"]
    if not args.access_key:
        args.access_key = "AKIA" + secrets.token_hex(8).upper()
    if not args.secret_key:
        args.secret_key = secrets.token_urlsafe(30)
    if not args.session_access_key:
        args.session_access_key = "ASIA" + secrets.token_hex(8).upper()
    if not args.session_secret_key:
        args.session_secret_key = secrets.token_urlsafe(30)
    if not args.session_token:
        args.session_token = base64.b64encode(secrets.token_bytes(96)).decode()
    return args


if __name__ == "__main__":
    serve(parse_args())
