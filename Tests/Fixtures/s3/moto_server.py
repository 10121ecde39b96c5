#!/usr/bin/env python3
"""Local S3 endpoint (moto) that checks every request's SigV4 signature.

    python3 moto_server.py --state-file PATH [--port 0] [--no-signature-fix] [--verbose]

Starts moto's standalone server on 127.0.0.1 (port 0 = any free port), creates an IAM
user with an s3:* policy and an access key through moto's IAM API, then turns signature
checking on for every later request and checks that it is on. When ready, writes
(atomically) to PATH:

    {"endpoint": "http://127.0.0.1:PORT", "region": "us-east-1",
     "accessKeyId": "...", "secretAccessKey": "...", "pid": PID}

Runs until SIGTERM/SIGINT, then stops the server, deletes PATH and exits 0. Creates no
buckets. Exits 1 (without writing PATH) if the startup checks fail.

Why the signature fix: moto recomputes the SigV4 signature from the URL after werkzeug has
percent-DECODED it (`/bkt/day=2024-01-01/part 1.parquet?prefix=a/b/`), and botocore's
S3SigV4Auth uses the path and query verbatim as the canonical URI / query. A client that
signs correctly (AWS S3 rules: each path segment and each query key/value percent-encoded
over the RFC 3986 unreserved set) is therefore refused with SignatureDoesNotMatch whenever a
key or query value contains anything that needs encoding. apply_signature_fix() re-encodes
the URL the way it was on the wire before moto computes the expected signature.
--no-signature-fix leaves moto as it is (used to show the fix is needed).
"""

import argparse
import json
import logging
import os
import signal
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

REGION = "us-east-1"
USER_NAME = "lakeingest-test"
POLICY_NAME = "lakeingest-test-s3-all"
POLICY_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}
# A role the user may assume: its temporary credentials (with a session token) test
# X-Amz-Security-Token signing end to end.
ROLE_NAME = "lakeingest-test-role"
ROLE_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}],
}


def _sigv4_quote(s: str, safe: str) -> str:
    # Decode to the exact bytes first (idempotent for already-encoded parts such as the
    # "%25" werkzeug leaves in place), then encode everything but the RFC 3986 unreserved
    # set (urllib's quote() never encodes A-Z a-z 0-9 - _ . ; `safe` adds ~ and, for the
    # path, /).
    return urllib.parse.quote(urllib.parse.unquote_to_bytes(s), safe=safe)


def sigv4_wire_url(url: str) -> str:
    """'/bkt/day=1/a b?prefix=a/b/' -> '/bkt/day%3D1/a%20b?prefix=a%2Fb%2F'."""
    path, sep, query = url.partition("?")
    out = _sigv4_quote(path, "/~")
    if sep:
        pairs = []
        for pair in query.split("&") if query else []:
            key, _, value = pair.partition("=")
            pairs.append(f"{_sigv4_quote(key, '~')}={_sigv4_quote(value, '~')}")
        out += "?" + "&".join(pairs)
    return out


def apply_signature_fix() -> None:
    # moto/iam/access_control.py: S3IAMRequest (via IAMRequestBase.check_signature ->
    # _calculate_signature) builds a botocore AWSRequest from `self._path`, i.e.
    # urlparse(werkzeug's request.url) -- percent-decoded -- and signs it with
    # S3SigV4Auth, which does not encode the path/query itself. Re-encode the URL the SigV4
    # way (as botocore puts it on the wire) so the expected signature matches what a
    # correct client computed. Only S3 requests are affected.
    from moto.iam.access_control import S3IAMRequest

    original = S3IAMRequest._create_aws_request

    def _create_aws_request(self):  # type: ignore[no-untyped-def]
        request = original(self)
        request.url = sigv4_wire_url(request.url)
        return request

    S3IAMRequest._create_aws_request = _create_aws_request


def _set_auth(enabled: bool) -> None:
    # moto checks signatures once ActionAuthenticatorMixin.request_count has reached
    # settings.INITIAL_NO_AUTH_ACTION_COUNT (env var, default inf = never). Same as moto's
    # own enable_iam_authentication()/the /moto-api/reset-auth endpoint, but in-process, so
    # the number of setup calls (retries...) does not matter.
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0 if enabled else float("inf")
    ActionAuthenticatorMixin.request_count = 0


def _s3_status(endpoint: str, access_key: str, secret: str) -> tuple[int, str]:
    """ListBuckets with the given credentials -> (HTTP status, S3 error code or '')."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )
    try:
        s3.list_buckets()
        return 200, ""
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]


def start(port: int, signature_fix: bool):
    """Start moto, create the IAM user/key, enable and verify auth.

    Returns (server, state dict). Raises RuntimeError if auth does not behave.
    """
    _set_auth(False)  # setup calls below are unauthenticated
    if signature_fix:
        apply_signature_fix()

    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, bound_port = server.get_host_and_port()
    endpoint = f"http://{host}:{bound_port}"
    try:
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="setup",  # not checked: auth is still off
            aws_secret_access_key="setup",
        )
        iam.create_user(UserName=USER_NAME)
        policy_arn = iam.create_policy(
            PolicyName=POLICY_NAME, PolicyDocument=json.dumps(POLICY_DOCUMENT)
        )["Policy"]["Arn"]
        iam.attach_user_policy(UserName=USER_NAME, PolicyArn=policy_arn)
        key = iam.create_access_key(UserName=USER_NAME)["AccessKey"]
        access_key, secret = key["AccessKeyId"], key["SecretAccessKey"]
        role_arn = iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(ROLE_TRUST))["Role"]["Arn"]
        iam.attach_role_policy(RoleName=ROLE_NAME, PolicyArn=policy_arn)

        sts = boto3.client(
            "sts", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=access_key, aws_secret_access_key=secret
        )
        session = sts.assume_role(RoleArn=role_arn, RoleSessionName="lakeingest-tests")["Credentials"]

        _set_auth(True)  # every request from here on is signature-checked

        checks = {
            "valid key": (_s3_status(endpoint, access_key, secret), (200, "")),
            "wrong secret": (
                _s3_status(endpoint, access_key, secret[:-1] + ("A" if secret[-1] != "A" else "B")),
                (403, "SignatureDoesNotMatch"),
            ),
            "unknown key": (
                _s3_status(endpoint, "AKIAUNKNOWN000000000", secret),
                (403, "InvalidAccessKeyId"),
            ),
        }
        bad = [f"{n}: got {got}, want {want}" for n, (got, want) in checks.items() if got != want]
        if bad:
            raise RuntimeError("auth self-check failed: " + "; ".join(bad))
    except BaseException:
        server.stop()
        raise

    state = {
        "endpoint": endpoint,
        "region": REGION,
        "accessKeyId": access_key,
        "secretAccessKey": secret,
        "sessionAccessKeyId": session["AccessKeyId"],
        "sessionSecretAccessKey": session["SecretAccessKey"],
        "sessionToken": session["SessionToken"],
        "pid": os.getpid(),
    }
    return server, state


def write_state(path: str, state: dict) -> None:
    tmp = f"{path}.tmp.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds the secret
    with os.fdopen(fd, "w") as f:
        json.dump(state, f)
        f.write("\n")
    os.replace(tmp, path)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--state-file", required=True)
    p.add_argument("--port", type=int, default=0, help="0 = any free port (default)")
    p.add_argument(
        "--no-signature-fix",
        action="store_true",
        help="do not patch moto's signature check (requests with percent-encoded keys/queries fail)",
    )
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = p.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="moto_server: %(message)s")
    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    try:
        server, state = start(args.port, signature_fix=not args.no_signature_fix)
    except Exception as e:  # noqa: BLE001
        print(f"moto_server: failed to start: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    try:
        if stop.is_set():  # signalled during startup
            return 0
        write_state(args.state_file, state)
        logging.info(
            "ready on %s (signature fix %s), pid %d",
            state["endpoint"],
            "off" if args.no_signature_fix else "on",
            state["pid"],
        )
        while not stop.wait(3600):
            pass
    finally:
        server.stop()
        try:
            os.unlink(args.state_file)
        except FileNotFoundError:
            pass
    logging.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
