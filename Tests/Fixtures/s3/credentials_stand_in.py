#!/usr/bin/env python3
"""Stand-ins for the two AWS credential endpoints a pod or an instance asks, serving the
temporary keys given on the command line (moto's assumed-role keys in the tests):

    python3 credentials_stand_in.py --state-file PATH --access-key K --secret-key S --token T
                                    [--auth-token A] [--expires-in SECONDS]

- the container credentials endpoint (ECS, EKS Pod Identity): GET /creds, answered only when
  the Authorization header equals --auth-token;
- IMDSv2: PUT /latest/api/token (with X-aws-ec2-metadata-token-ttl-seconds) gives a session
  token; GET /latest/meta-data/iam/security-credentials/ names the role and
  GET /latest/meta-data/iam/security-credentials/<role> gives the keys, each only with
  X-aws-ec2-metadata-token.

- STS (POST /sts, form-encoded): `AssumeRole` only when SigV4-signed with --caller-key and with
  RoleArn --role-arn and ExternalId --external-id; `AssumeRoleWithWebIdentity` (unsigned) only
  with WebIdentityToken --web-token and RoleArn --role-arn. A refusal is STS's XML AccessDenied.
  (moto's own STS refuses every AssumeRole once signature checking is on: its policy check
  denies sts:AssumeRole whatever the user's policies say, so the tests use this stand-in for
  the call and moto's real temporary keys for S3.)

Keys expire --expires-in seconds after each answer (default 120: inside a client's five-minute
refresh margin, so a client that refreshes asks again for every request). GET /_count answers
{"creds": N, "imds": N, "tokens": N, "sts": N, "web": N, "refused": N}. The state file holds {"uri": ..., "pid": ...}.
"""
import argparse
import datetime
import json
import os
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROLE = "lakeingest-instance-role"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--state-file", required=True)
    parser.add_argument("--access-key", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--auth-token", default="")
    parser.add_argument("--expires-in", type=int, default=120)
    parser.add_argument("--caller-key", default="")
    parser.add_argument("--role-arn", default="")
    parser.add_argument("--external-id", default="")
    parser.add_argument("--web-token", default="")
    args = parser.parse_args()
    counts = {"creds": 0, "imds": 0, "tokens": 0, "sts": 0, "web": 0, "refused": 0}
    lock = threading.Lock()
    session = "imds-session-" + os.urandom(8).hex()

    def keys():
        expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=args.expires_in)
        return json.dumps({"AccessKeyId": args.access_key, "SecretAccessKey": args.secret_key, "Token": args.token,
                           "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"), "Code": "Success"}).encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def answer(self, status, body=b"", count=None):
            with lock:
                if count:
                    counts[count] += 1
                if status in (401, 403):
                    counts["refused"] += 1
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            if self.path != "/sts":
                return self.answer(404)
            denied = b"<ErrorResponse><Error><Code>AccessDenied</Code><Message>not authorized to assume the role</Message></Error></ErrorResponse>"
            action = form.get("Action")
            auth = self.headers.get("Authorization") or ""
            if action == "AssumeRole":
                signed = auth.startswith("AWS4-HMAC-SHA256 Credential=" + args.caller_key + "/") and "/sts/aws4_request" in auth
                if not (signed and form.get("RoleArn") == args.role_arn and form.get("ExternalId", "") == args.external_id):
                    return self.answer(403, denied)
                count = "sts"
            elif action == "AssumeRoleWithWebIdentity":
                if auth or form.get("WebIdentityToken") != args.web_token or form.get("RoleArn") != args.role_arn:
                    return self.answer(403, denied)
                count = "web"
            else:
                return self.answer(400)
            expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=args.expires_in)
            body = ("<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
                    "<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>"
                    % (args.access_key, args.secret_key, args.token, expiration.strftime("%Y-%m-%dT%H:%M:%SZ"))).encode()
            return self.answer(200, body, count)

        def do_PUT(self):
            if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.answer(200, session.encode(), "tokens")
            return self.answer(403)

        def do_GET(self):
            if self.path == "/_count":
                with lock:
                    body = json.dumps(counts).encode()
                return self.answer(200, body)
            if self.path == "/creds":
                if args.auth_token and self.headers.get("Authorization") != args.auth_token:
                    return self.answer(401)
                return self.answer(200, keys(), "creds")
            if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
                if self.headers.get("X-aws-ec2-metadata-token") != session:
                    return self.answer(401)
                if self.path.endswith("/security-credentials/"):
                    return self.answer(200, ROLE.encode())
                if self.path.endswith("/" + ROLE):
                    return self.answer(200, keys(), "imds")
            return self.answer(404)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.state_file + ".tmp", "w") as f:
        json.dump({"uri": "http://127.0.0.1:%d" % server.server_address[1], "pid": os.getpid()}, f)
    os.replace(args.state_file + ".tmp", args.state_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
