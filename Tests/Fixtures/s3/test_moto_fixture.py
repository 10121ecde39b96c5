#!/usr/bin/env python3
"""Self-test of the S3 fixture (moto_server.py, with_s3.sh).

    python3 Tests/Fixtures/s3/test_moto_fixture.py [--no-big]

Starts moto_server.py as a subprocess (the same way with_s3.sh does) with and without the
signature fix, and checks with boto3 and with a small stdlib SigV4 signer (written from the
AWS spec, like our Swift client) that correctly signed requests for keys/queries needing
percent-encoding are accepted, wrong credentials are refused, and that without the fix the
same requests are refused. Includes a 100 MiB PUT/GET (~1.5 s, ~0.5 GB RAM; --no-big
skips it). Prints "N passed, M failed"; exits 1 on any failure.
"""

import datetime
import hashlib
import hmac
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "moto_server.py")
WITH_S3 = os.path.join(HERE, "with_s3.sh")
BUCKET = "lakeingest-fixture-test"
DAY_KEY = "day=2024-01-01/part 1.parquet"
UNI_KEY = "a+b/ü ñ.txt"
PLAIN_KEY = "plain.txt"

passed, failed = 0, 0


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"ok   {name}")
    except Exception:  # noqa: BLE001
        failed += 1
        print(f"FAIL {name}")
        traceback.print_exc(limit=3)


def expect_error(code, status, fn):
    try:
        fn()
    except ClientError as e:
        got = (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
        assert got == (code, status), f"got {got}, want {(code, status)}"
        return
    raise AssertionError(f"no error, want {code} {status}")


class Server:
    def __init__(self, *extra):
        self.dir = tempfile.TemporaryDirectory()
        self.state_file = os.path.join(self.dir.name, "state.json")
        self.log = open(os.path.join(self.dir.name, "log"), "w+")
        self.proc = subprocess.Popen(
            [sys.executable, SERVER, "--state-file", self.state_file, *extra],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, timeout=30):
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.state_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                raise RuntimeError("moto_server.py did not start:\n" + self.log.read())
            time.sleep(0.05)
        with open(self.state_file) as f:
            self.state = json.load(f)
        return self

    def client(self, access_key=None, secret=None, **cfg):
        s = self.state
        return boto3.client(
            "s3",
            endpoint_url=s["endpoint"],
            region_name=s["region"],
            aws_access_key_id=access_key or s["accessKeyId"],
            aws_secret_access_key=secret or s["secretAccessKey"],
            config=Config(retries={"max_attempts": 1}, **cfg),
        )

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(10)
        self.log.close()
        state_left = os.path.exists(self.state_file)
        self.dir.cleanup()
        return rc, state_left


def raw(state, method, key, query=(), body=b"", secret=None, unsigned_payload=False, headers=None):
    """One request signed per the AWS SigV4 spec for S3, without botocore (like our Swift
    client): path segments and query keys/values percent-encoded over the RFC 3986
    unreserved set, '/' kept in the path, query sorted. Returns (status, headers, body)."""
    enc = lambda s, safe="~": urllib.parse.quote(s, safe=safe)  # noqa: E731
    host = urllib.parse.urlsplit(state["endpoint"]).netloc
    uri = f"/{BUCKET}" + (f"/{enc(key, '/~')}" if key else "")
    cq = "&".join(f"{k}={v}" for k, v in sorted((enc(k), enc(v)) for k, v in query))
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    payload = "UNSIGNED-PAYLOAD" if unsigned_payload else hashlib.sha256(body).hexdigest()
    hdrs = {"host": host, "x-amz-content-sha256": payload, "x-amz-date": amz_date}
    hdrs.update({k.lower(): v for k, v in (headers or {}).items()})
    signed = ";".join(sorted(hdrs))
    creq = "\n".join(
        [method, uri, cq, "".join(f"{k}:{hdrs[k].strip()}\n" for k in sorted(hdrs)), signed, payload]
    )
    scope = f"{amz_date[:8]}/{state['region']}/s3/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + (secret or state["secretAccessKey"])).encode()
    for part in (amz_date[:8], state["region"], "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    hdrs["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={state['accessKeyId']}/{scope}, "
        f"SignedHeaders={signed}, Signature={sig}"
    )
    conn = http.client.HTTPConnection(host, timeout=30)
    try:
        conn.request(method, uri + (f"?{cq}" if cq else ""), body=body, headers=hdrs)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def test_fixed(srv):
    s3 = srv.client()
    bodies = {DAY_KEY: b"PAR1 day", UNI_KEY: "ü ñ".encode(), PLAIN_KEY: b"plain"}

    check("create bucket", lambda: s3.create_bucket(Bucket=BUCKET))

    def put_get_head():
        for key, body in bodies.items():
            s3.put_object(Bucket=BUCKET, Key=key, Body=body)
            assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == body, key
            assert s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"] == len(body), key

    check("put/get/head day=…/part 1.parquet, a+b/ü ñ.txt, plain.txt", put_get_head)

    def lst(prefix, want):
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])]
        assert keys == want, (prefix, keys)

    check('list Prefix="day=2024-01-01/"', lambda: lst("day=2024-01-01/", [DAY_KEY]))
    check('list Prefix="a+b/"', lambda: lst("a+b/", [UNI_KEY]))
    check('list Prefix="a b/" (no match)', lambda: lst("a b/", []))

    def delimiter():
        r = s3.list_objects_v2(Bucket=BUCKET, Delimiter="/")
        assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a+b/", "day=2024-01-01/"], r
        assert [o["Key"] for o in r["Contents"]] == [PLAIN_KEY], r

    check('list Delimiter="/" -> CommonPrefixes', delimiter)

    page_keys = [f"pages/k={i:02d} x+y.bin" for i in range(7)]

    def pagination():
        for k in page_keys:
            s3.put_object(Bucket=BUCKET, Key=k, Body=b"p")
        got, tokens, kwargs = [], [], {}
        while True:
            r = s3.list_objects_v2(Bucket=BUCKET, Prefix="pages/", MaxKeys=3, **kwargs)
            got += [o["Key"] for o in r.get("Contents", [])]
            assert r["KeyCount"] == len(r.get("Contents", [])) <= 3
            if not r["IsTruncated"]:
                assert "NextContinuationToken" not in r
                break
            tokens.append(r["NextContinuationToken"])
            kwargs = {"ContinuationToken": tokens[-1]}
        assert got == page_keys, got
        assert len(tokens) == 2, tokens
        # StartAfter (a key needing encoding) works too
        r = s3.list_objects_v2(Bucket=BUCKET, Prefix="pages/", StartAfter=page_keys[4])
        assert [o["Key"] for o in r["Contents"]] == page_keys[5:], r
        paginator = s3.get_paginator("list_objects_v2")
        pages = list(paginator.paginate(Bucket=BUCKET, Prefix="pages/", PaginationConfig={"PageSize": 2}))
        assert len(pages) == 4 and sum(p["KeyCount"] for p in pages) == 7

    check("ListObjectsV2 pagination (MaxKeys=3, tokens, StartAfter, paginator)", pagination)

    def ranges():
        s3.put_object(Bucket=BUCKET, Key="range/0123456789.bin", Body=b"0123456789")
        for rng, want in [("bytes=2-5", b"2345"), ("bytes=-3", b"789"), ("bytes=7-", b"789"), ("bytes=8-100", b"89")]:
            r = s3.get_object(Bucket=BUCKET, Key="range/0123456789.bin", Range=rng)
            assert r["Body"].read() == want and r["ResponseMetadata"]["HTTPStatusCode"] == 206, rng
        r = s3.get_object(Bucket=BUCKET, Key="range/0123456789.bin", Range="bytes=2-5")
        assert r["ContentRange"] == "bytes 2-5/10", r["ContentRange"]
        expect_error("InvalidRange", 416, lambda: s3.get_object(Bucket=BUCKET, Key="range/0123456789.bin", Range="bytes=20-30"))

    check("Range GET (206, Content-Range; 416 InvalidRange past end)", ranges)

    def empty():
        s3.put_object(Bucket=BUCKET, Key="empty/zero bytes", Body=b"")
        assert s3.head_object(Bucket=BUCKET, Key="empty/zero bytes")["ContentLength"] == 0
        assert s3.get_object(Bucket=BUCKET, Key="empty/zero bytes")["Body"].read() == b""

    check("0-byte object put/head/get", empty)

    def multipart():
        key = "mpu/day=2024-01-02/big file.parquet"
        parts = [os.urandom(5 * 1024 * 1024), b"tail"]
        up = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
        etags = [
            {"PartNumber": i + 1, "ETag": s3.upload_part(Bucket=BUCKET, Key=key, UploadId=up, PartNumber=i + 1, Body=p)["ETag"]}
            for i, p in enumerate(parts)
        ]
        s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=up, MultipartUpload={"Parts": etags})
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"".join(parts)

    check("multipart upload (5 MiB + 4 B parts, key with = and space)", multipart)

    def delete():
        s3.put_object(Bucket=BUCKET, Key="del/a=1 b.txt", Body=b"x")
        s3.delete_object(Bucket=BUCKET, Key="del/a=1 b.txt")
        expect_error("404", 404, lambda: s3.head_object(Bucket=BUCKET, Key="del/a=1 b.txt"))
        expect_error("NoSuchKey", 404, lambda: s3.get_object(Bucket=BUCKET, Key="del/a=1 b.txt"))

    check("delete + 404 (HEAD has no error body: code '404')", delete)

    # --- stdlib signer (spec SigV4, no botocore) ---
    st = srv.state

    def raw_ok():
        assert raw(st, "GET", DAY_KEY)[0] == 200
        assert raw(st, "GET", UNI_KEY, unsigned_payload=True)[2] == "ü ñ".encode()
        status, _, body = raw(st, "GET", "", [("list-type", "2"), ("prefix", "a+b/"), ("max-keys", "10")])
        assert status == 200 and "<Key>a+b/ü ñ.txt</Key>" in body.decode(), body
        status, hdrs, body = raw(st, "GET", "range/0123456789.bin", headers={"Range": "bytes=1-2"})
        assert (status, body) == (206, b"12"), (status, body)
        assert raw(st, "PUT", "raw/k=v ü+!*'().txt", body=b"raw")[0] == 200
        assert raw(st, "GET", "raw/k=v ü+!*'().txt")[2] == b"raw"
        assert raw(st, "HEAD", "raw/k=v ü+!*'().txt")[0] == 200

    check("stdlib SigV4 signer: GET/PUT/HEAD/list/Range with encoded keys and queries", raw_ok)

    def raw_errors():
        status, hdrs, body = raw(st, "GET", DAY_KEY, secret="x" * 40)
        assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body, (status, body)
        assert hdrs.get("Content-Type", "").startswith(("application/xml", "text/xml")), hdrs
        status, _, body = raw({**st, "accessKeyId": "AKIAUNKNOWN000000000"}, "GET", "", [("list-type", "2")])
        assert status == 403 and b"<Code>InvalidAccessKeyId</Code>" in body, (status, body)
        status, _, body = raw(st, "HEAD", DAY_KEY, secret="x" * 40)
        assert status == 403 and body == b"", (status, body)

    check("stdlib signer: wrong secret/unknown key -> 403 XML <Code>; HEAD 403 without body", raw_errors)

    # --- (b) auth is enforced ---
    bad_secret = srv.client(secret=st["secretAccessKey"][::-1])
    unknown = srv.client(access_key="AKIAUNKNOWN000000000")
    check("wrong secret -> SignatureDoesNotMatch 403 (GET day=…)",
          lambda: expect_error("SignatureDoesNotMatch", 403, lambda: bad_secret.get_object(Bucket=BUCKET, Key=DAY_KEY)))
    check("wrong secret -> SignatureDoesNotMatch 403 (list a+b/)",
          lambda: expect_error("SignatureDoesNotMatch", 403, lambda: bad_secret.list_objects_v2(Bucket=BUCKET, Prefix="a+b/")))
    check("unknown key -> InvalidAccessKeyId 403 (GET plain.txt)",
          lambda: expect_error("InvalidAccessKeyId", 403, lambda: unknown.get_object(Bucket=BUCKET, Key=PLAIN_KEY)))
    check("unknown key -> InvalidAccessKeyId 403 (ListBuckets)",
          lambda: expect_error("InvalidAccessKeyId", 403, lambda: unknown.list_buckets()))


def test_big(srv):
    s3 = srv.client()
    body = os.urandom(100 * 1024 * 1024)

    def big():
        t = time.monotonic()
        s3.put_object(Bucket=BUCKET, Key="big/100 MiB.bin", Body=body)
        got = s3.get_object(Bucket=BUCKET, Key="big/100 MiB.bin")["Body"].read()
        assert got == body
        print(f"     100 MiB put+get took {time.monotonic() - t:.1f}s")

    check("100 MiB single PUT + GET", big)


def test_unfixed(srv):
    s3 = srv.client()
    check("unfixed: create bucket + plain.txt still work",
          lambda: (s3.create_bucket(Bucket=BUCKET), s3.put_object(Bucket=BUCKET, Key=PLAIN_KEY, Body=b"p")))
    check("unfixed: PUT day=…/part 1.parquet refused (SignatureDoesNotMatch)",
          lambda: expect_error("SignatureDoesNotMatch", 403, lambda: s3.put_object(Bucket=BUCKET, Key=DAY_KEY, Body=b"x")))
    check('unfixed: list Prefix="day=2024-01-01/" refused',
          lambda: expect_error("SignatureDoesNotMatch", 403, lambda: s3.list_objects_v2(Bucket=BUCKET, Prefix="day=2024-01-01/")))


def test_with_s3():
    script = (
        'import os, boto3; e = os.environ; '
        'c = boto3.client("s3", endpoint_url=e["LAKEINGEST_S3_ENDPOINT"], region_name=e["LAKEINGEST_S3_REGION"], '
        'aws_access_key_id=e["LAKEINGEST_S3_ACCESS_KEY"], aws_secret_access_key=e["LAKEINGEST_S3_SECRET_KEY"]); '
        'c.create_bucket(Bucket="with-s3-test"); print("endpoint", e["LAKEINGEST_S3_ENDPOINT"]); '
        'print("secretlen", len(e["LAKEINGEST_S3_SECRET_KEY"]), flush=True); raise SystemExit(7)'
    )
    r = subprocess.run([WITH_S3, sys.executable, "-c", script], capture_output=True, text=True, timeout=60)

    def ok():
        assert r.returncode == 7, (r.returncode, r.stdout, r.stderr)
        assert "secretlen 40" in r.stdout, r.stdout
        endpoint = r.stdout.split("endpoint ", 1)[1].split()[0]
        port = int(endpoint.rsplit(":", 1)[1])
        import socket
        with socket.socket() as sock:  # server must be gone
            assert sock.connect_ex(("127.0.0.1", port)) != 0, "server still listening"

    check("with_s3.sh: env exported, CMD exit code (7) returned, server stopped", ok)


def main():
    t0 = time.monotonic()
    big = "--no-big" not in sys.argv[1:]
    fixed, unfixed = Server(), Server("--no-signature-fix")  # start both (moto import is slow)
    try:
        fixed.wait()
        test_fixed(fixed)
        if big:
            test_big(fixed)
    finally:
        rc, state_left = fixed.stop()
    def stopped_cleanly():
        assert (rc, state_left) == (0, False), (rc, state_left)

    check("SIGTERM -> exit 0, state file removed", stopped_cleanly)
    try:
        unfixed.wait()
        test_unfixed(unfixed)
    finally:
        unfixed.stop()
    test_with_s3()
    print(f"{passed} passed, {failed} failed ({time.monotonic() - t0:.1f}s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
