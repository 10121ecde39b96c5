#!/usr/bin/env python3
"""Self-test of rest_server.py: starts it (glue and s3tables flavours) and checks signing,
paging, errors and retries. Prints "N passed, 0 failed"; exits 1 on any failure.

    python3 Tests/Fixtures/iceberg/test_rest_server.py
"""

import datetime
import hashlib
import hmac
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED_V2 = json.load(open(os.path.join(HERE, "expected", "orders_v2.json")))


class Server:
    def __init__(self, *extra):
        self.tmp = tempfile.mkdtemp(prefix="rest_server_test.")
        self.state_file = os.path.join(self.tmp, "state.json")
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "rest_server.py"),
                                      "--state-file", self.state_file, *extra],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 20
        while not os.path.exists(self.state_file):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("server did not start: " + self.proc.stderr.read().decode())
            time.sleep(0.05)
        self.s = json.load(open(self.state_file))
        u = urllib.parse.urlsplit(self.s["uri"])
        self.host, self.port, self.base = u.hostname, u.port, u.path

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        assert not os.path.exists(self.state_file), "state file not removed"
        self.proc.stderr.close()
        os.rmdir(self.tmp)

    # -- requests
    def raw(self, method, target, headers, body=b""):
        c = http.client.HTTPConnection(self.host, self.port, timeout=10)
        c.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            c.putheader(k, v)
        c.endheaders(body if body else None)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, (json.loads(data) if data else None)

    def signed(self, method, rel, key=None, secret=None, token=None, service=None, region=None,
               body=b"", extra_headers=None, tamper=None, sha_header=False):
        """Sign with botocore's SigV4Auth; `rel` is the wire path+query after the base path."""
        s = self.s
        target = self.base + rel
        headers = {"Host": f"{self.host}:{self.port}"}
        headers.update(extra_headers or {})
        if sha_header:
            headers["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest()
        req = AWSRequest(method=method, url=f"http://{self.host}:{self.port}{target}", data=body, headers=headers)
        creds = Credentials(key or s["accessKeyId"], secret or s["secretAccessKey"], token)
        SigV4Auth(creds, service or s["signingName"], region or s["region"]).add_auth(req)
        if tamper:
            target = tamper(target)
        return self.raw(method, target, dict(req.headers.items()), body)

    def prefixed(self, rest):
        return f"/v1/{self.s['prefix']}/{rest}"


# An independent SigV4 implementation (AWS docs), to show the server agrees with more than
# botocore: canonical URI = wire path percent-encoded again (non-S3 services).
def hand_sign(method, host, wire_path, query_pairs, ak, sk, region, service, wire_query=None, now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    amz = now.strftime("%Y%m%dT%H%M%SZ")
    enc = lambda b: urllib.parse.quote(b, safe="-_.~")  # noqa: E731
    canon_uri = urllib.parse.quote(wire_path, safe="/-_.~")  # encodes '%' -> '%25'
    canon_q = "&".join(sorted(f"{enc(k.encode())}={enc(v.encode())}" for k, v in query_pairs))
    signed = "host;x-amz-date"
    canon = "\n".join([method, canon_uri, canon_q, f"host:{host}\nx-amz-date:{amz}\n", signed,
                       hashlib.sha256(b"").hexdigest()])
    scope = f"{amz[:8]}/{region}/{service}/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(canon.encode()).hexdigest()])
    k = ("AWS4" + sk).encode()
    for part in (amz[:8], region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    q = wire_query if wire_query is not None else canon_q
    target = wire_path + ("?" + q if q else "")
    return target, {"Host": host, "X-Amz-Date": amz,
                    "Authorization": f"AWS4-HMAC-SHA256 Credential={ak}/{scope}, SignedHeaders={signed}, Signature={sig}"}


RESULTS = []


def check(name, cond, detail=""):
    RESULTS.append((name, bool(cond)))
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else f"   {detail}"))


def run_glue(g):
    s = g.s
    check("glue: prefix is catalogs/<account>", s["prefix"] == "catalogs/123456789012", s["prefix"])
    st, b = g.signed("GET", "/v1/config?warehouse=123456789012")
    check("glue: signed config 200", st == 200 and b["overrides"]["prefix"] == s["prefix"], (st, b))
    st, b = g.signed("GET", "/v1/config?warehouse=999999999999")
    check("glue: wrong warehouse -> 404 NoSuchWarehouseException",
          st == 404 and b["error"]["type"] == "NoSuchWarehouseException" and b["error"]["code"] == 404, (st, b))
    st, b = g.signed("GET", "/v1/config")
    check("glue: missing warehouse -> 400", st == 400 and b["error"]["type"] == "BadRequestException", (st, b))
    st, b = g.signed("GET", "/v1/catalogs/000000000000/namespaces")
    check("glue: wrong prefix -> 404", st == 404, (st, b))

    st, b = g.signed("GET", g.prefixed("namespaces"))
    check("glue: list namespaces", st == 200 and b["namespaces"] == [["a"], ["ops"], ["sales"]]
          and b["next-page-token"] is None, (st, b))
    pages, token = [], ""
    for _ in range(10):
        st, b = g.signed("GET", g.prefixed(f"namespaces?pageToken={urllib.parse.quote(token, safe='')}&pageSize=1"))
        if st != 200:
            break
        pages.append(b["namespaces"])
        token = b["next-page-token"]
        if token is None:
            break
    check("glue: namespaces pageSize=1 -> 3 pages", pages == [[["a"]], [["ops"]], [["sales"]]], pages)
    st, b = g.signed("GET", g.prefixed("namespaces?parent=a"))
    check("glue: parent=a -> [[a,b]]", st == 200 and b["namespaces"] == [["a", "b"]], (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces?parent=a%1Fb"))
    check("glue: parent=a%1Fb -> []", st == 200 and b["namespaces"] == [], (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces?parent=nope"))
    check("glue: unknown parent -> 404 NoSuchNamespaceException",
          st == 404 and b["error"]["type"] == "NoSuchNamespaceException", (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces/a%1Fb"))
    check("glue: GET namespace a%1Fb", st == 200 and b["namespace"] == ["a", "b"], (st, b))
    st, b = g.signed("HEAD", g.prefixed("namespaces/sales"))
    check("glue: HEAD namespace -> 204", st == 204, st)
    st, b = g.signed("HEAD", g.prefixed("namespaces/nope"))
    check("glue: HEAD missing namespace -> 404", st == 404, st)
    st, b = g.signed("GET", g.prefixed("namespaces/nope"))
    check("glue: GET missing namespace -> 404 body", st == 404 and b["error"]["type"] == "NoSuchNamespaceException"
          and set(b["error"]) == {"message", "type", "code"}, (st, b))

    ids, token = [], None
    for _ in range(10):
        q = "pageSize=1" + (f"&pageToken={urllib.parse.quote(token, safe='')}" if token else "")
        st, b = g.signed("GET", g.prefixed(f"namespaces/sales/tables?{q}"))
        if st != 200:
            break
        ids += b["identifiers"]
        token = b["next-page-token"]
        if token is None:
            break
    check("glue: tables paged", [i["name"] for i in ids] == ["orders_v1", "orders_v2", "refunds", "returns"]
          and all(i["namespace"] == ["sales"] for i in ids), ids)
    st, b = g.signed("GET", g.prefixed("namespaces/sales/tables?pageToken=bogus"))
    check("glue: invalid pageToken -> 400", st == 400, (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces/sales/tables?pageSize=0"))
    check("glue: pageSize=0 -> 400", st == 400, (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces/nope/tables"))
    check("glue: tables of missing namespace -> 404", st == 404 and b["error"]["type"] == "NoSuchNamespaceException")

    st, b = g.signed("GET", g.prefixed("namespaces/sales/tables/orders_v2?snapshots=all"))
    check("glue: load orders_v2 (all)", st == 200 and b["metadata-location"] == EXPECTED_V2["metadataLocation"]
          and len(b["metadata"]["snapshots"]) == len(EXPECTED_V2["snapshots"]) and b["config"] == {},
          (st, b and b.get("metadata-location")))
    st, b = g.signed("GET", g.prefixed("namespaces/sales/tables/orders_v2?snapshots=refs"))
    check("glue: load orders_v2 (refs) -> only the main head",
          st == 200 and [x["snapshot-id"] for x in b["metadata"]["snapshots"]] == [EXPECTED_V2["currentSnapshotId"]])
    st, b = g.signed("GET", g.prefixed("namespaces/sales/tables/orders_v2?snapshots=some"))
    check("glue: snapshots=some -> 400", st == 400)
    st, b = g.signed("GET", g.prefixed("namespaces/a%1Fb/tables/events"))
    check("glue: load a.b.events", st == 200 and b["metadata"]["format-version"] == 1, (st,))
    st, b = g.signed("HEAD", g.prefixed("namespaces/sales/tables/orders_v1"))
    check("glue: HEAD table -> 204", st == 204, st)
    st, b = g.signed("GET", g.prefixed("namespaces/sales/tables/refunds"))
    check("glue: listed-only table -> 404 NoSuchTableException",
          st == 404 and b["error"]["type"] == "NoSuchTableException", (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces/nope/tables/x"))
    check("glue: table in missing namespace -> 404 NoSuchNamespaceException",
          st == 404 and b["error"]["type"] == "NoSuchNamespaceException", (st, b))

    # auth failures
    st, b = g.signed("GET", g.prefixed("namespaces"), secret="wrong-secret")
    check("glue: wrong secret -> 403 InvalidSignatureException",
          st == 403 and b["error"]["type"] == "InvalidSignatureException" and b["error"]["code"] == 403, (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces"), key="AKIAUNKNOWNUNKNOWN00")
    check("glue: unknown key -> 403 UnrecognizedClientException",
          st == 403 and b["error"]["type"] == "UnrecognizedClientException", (st, b))
    st, b = g.raw("GET", g.base + g.prefixed("namespaces"), {"Host": f"{g.host}:{g.port}"})
    check("glue: unsigned -> 403 MissingAuthenticationTokenException",
          st == 403 and b["error"]["type"] == "MissingAuthenticationTokenException", (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces"), service="s3tables")
    check("glue: signed for s3tables -> 403", st == 403, (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces"), region="eu-west-1")
    check("glue: wrong region -> 403", st == 403 and "region" in b["error"]["message"], (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces/sales"), tamper=lambda t: t.replace("sales", "ops"))
    check("glue: path changed after signing -> 403", st == 403, (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces?parent=a"), tamper=lambda t: t.replace("parent=a", "parent=ops"))
    check("glue: query changed after signing -> 403", st == 403, (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces"), key=s["sessionAccessKeyId"],
                     secret=s["sessionSecretAccessKey"], token=s["sessionToken"])
    check("glue: session credentials + token -> 200", st == 200, (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces"), key=s["sessionAccessKeyId"], secret=s["sessionSecretAccessKey"])
    check("glue: session key without token -> 403", st == 403, (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces"), sha_header=True)
    check("glue: signed x-amz-content-sha256 -> 200", st == 200, (st, b))
    st, b = g.signed("GET", g.prefixed("namespaces"), extra_headers={"X-Amz-Content-SHA256": "0" * 64})
    check("glue: wrong x-amz-content-sha256 -> 400", st == 400, (st, b))
    old = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)
    target, headers = hand_sign("GET", f"{g.host}:{g.port}", g.base + g.prefixed("namespaces"), [],
                                s["accessKeyId"], s["secretAccessKey"], s["region"], "glue", now=old)
    st, b = g.raw("GET", target, headers)
    check("glue: 20-minute-old X-Amz-Date -> 403", st == 403 and "expired" in b["error"]["message"], (st, b))
    target, headers = hand_sign("GET", f"{g.host}:{g.port}", g.base + g.prefixed("namespaces/a%1Fb/tables/events"),
                                [("snapshots", "refs")], s["accessKeyId"], s["secretAccessKey"], s["region"], "glue")
    st, b = g.raw("GET", target, headers)
    check("glue: independent signer, %1F path -> 200", st == 200, (st, b))

    # retries: control endpoint
    st, _ = g.raw("POST", "/_control/reset", {"Host": "x"})
    st, _ = g.raw("POST", "/_control/fail?count=2&status=503&match=orders_v1", {"Host": "x"})
    codes = [g.signed("GET", g.prefixed("namespaces/sales/tables/orders_v1"))[0] for _ in range(3)]
    other = g.signed("GET", g.prefixed("namespaces/sales/tables/orders_v2"))[0]
    check("glue: /_control/fail count=2 match=orders_v1 -> 503, 503, 200", codes == [503, 503, 200] and other == 200,
          (codes, other))
    st, b = g.raw("GET", "/_control/requests", {"Host": "x"})
    check("glue: /_control/requests logs them", st == 200 and [r["status"] for r in b["requests"]] == [503, 503, 200, 200]
          and b["requests"][0]["path"].endswith("/tables/orders_v1"), b)


def run_s3tables(t):
    s = t.s
    arn = "arn:aws:s3tables:us-west-2:123456789012:bucket/lakeingest-fixture"
    check("s3tables: warehouse is the bucket ARN, region us-west-2", s["warehouse"] == arn and s["region"] == "us-west-2")
    check("s3tables: prefix is the encoded ARN",
          s["prefix"] == "catalogs/arn%3Aaws%3As3tables%3Aus-west-2%3A123456789012%3Abucket%2Flakeingest-fixture",
          s["prefix"])
    st, b = t.signed("GET", "/v1/config?warehouse=" + urllib.parse.quote(arn, safe=""))
    check("s3tables: config with encoded ARN", st == 200 and b["overrides"]["prefix"] == s["prefix"], (st, b))
    # the same query sent raw (':' and '/' unencoded) but signed in canonical form: AWS accepts it
    target, headers = hand_sign("GET", f"{t.host}:{t.port}", t.base + "/v1/config", [("warehouse", arn)],
                                s["accessKeyId"], s["secretAccessKey"], s["region"], "s3tables",
                                wire_query="warehouse=" + arn)
    st, b = t.raw("GET", target, headers)
    check("s3tables: raw ':' '/' in query, canonical signature -> 200", st == 200, (st, b))
    st, b = t.signed("GET", t.prefixed("namespaces/a%1Fb/tables/events"))
    check("s3tables: botocore-signed request with %3A %2F %1F in path -> 200", st == 200, (st, b))
    target, headers = hand_sign("GET", f"{t.host}:{t.port}", t.base + t.prefixed("namespaces/a%1Fb"), [],
                                s["accessKeyId"], s["secretAccessKey"], s["region"], "s3tables")
    st, b = t.raw("GET", target, headers)
    check("s3tables: independent signer (double-encoded canonical URI) -> 200", st == 200, (st, b))

    # a signer that does NOT encode the path again (S3-style) must be refused
    class S3Style(SigV4Auth):
        def _normalize_url_path(self, path):
            return path
    req = AWSRequest(method="GET", url=f"http://{t.host}:{t.port}{t.base}{t.prefixed('namespaces/a%1Fb')}",
                     headers={"Host": f"{t.host}:{t.port}"})
    S3Style(Credentials(s["accessKeyId"], s["secretAccessKey"]), "s3tables", s["region"]).add_auth(req)
    st, b = t.raw("GET", t.base + t.prefixed("namespaces/a%1Fb"), dict(req.headers.items()))
    check("s3tables: single-encoded canonical URI -> 403", st == 403, (st, b))
    st, b = t.signed("GET", t.prefixed("namespaces"), service="glue")
    check("s3tables: signed for glue -> 403", st == 403, (st, b))
    st, b = t.signed("GET", t.prefixed("namespaces"), secret="nope")
    check("s3tables: wrong secret -> 403", st == 403 and b["error"]["type"] == "InvalidSignatureException", (st, b))
    st, b = t.signed("GET", t.prefixed("namespaces/sales/tables/orders_v2"))
    check("s3tables: load orders_v2", st == 200 and b["metadata"]["current-snapshot-id"] == EXPECTED_V2["currentSnapshotId"])


def run_fail_first():
    f = Server("--fail-first", "2", "--default-page-size", "2", "--extra-namespaces", "3")
    try:
        codes = [f.signed("GET", "/v1/config?warehouse=123456789012") for _ in range(3)]
        check("--fail-first 2 -> 503, 503, 200", [c[0] for c in codes] == [503, 503, 200], codes)
        check("503 has an Iceberg error body", codes[0][1]["error"]["code"] == 503
              and codes[0][1]["error"]["type"] == "ServiceUnavailableException", codes[0])
        st, b = f.signed("GET", f.prefixed("namespaces"))
        check("--default-page-size 2 pages without pageSize", st == 200 and len(b["namespaces"]) == 2
              and b["next-page-token"], b)
        names, token = [], None
        for _ in range(10):
            st, b = f.signed("GET", f.prefixed("namespaces" + (f"?pageToken={token}" if token else "")))
            names += b["namespaces"]
            token = b["next-page-token"]
            if not token:
                break
        check("--extra-namespaces 3 -> 6 top-level namespaces (a, ns0000-ns0002, ops, sales)", len(names) == 6, names)
    finally:
        f.stop()


def main():
    glue = s3t = None
    try:
        glue = Server("--signing-name", "glue")
        s3t = Server("--signing-name", "s3tables")
        for fn, arg in ((run_glue, glue), (run_s3tables, s3t), (run_fail_first, None)):
            try:
                fn(arg) if arg else fn()
            except Exception:  # noqa: BLE001
                traceback.print_exc()
                check(fn.__name__ + " raised", False)
    finally:
        for srv in (glue, s3t):
            if srv:
                srv.stop()
    passed = sum(1 for _, ok in RESULTS if ok)
    failed = len(RESULTS) - passed
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
