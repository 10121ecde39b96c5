#!/usr/bin/env bash
# Run CMD against a local, signature-checking S3 (moto_server.py next to this script):
#
#   Tests/Fixtures/s3/with_s3.sh CMD [ARGS...]
#
# Exports LAKEINGEST_S3_ENDPOINT, LAKEINGEST_S3_REGION, LAKEINGEST_S3_ACCESS_KEY and
# LAKEINGEST_S3_SECRET_KEY (and LAKEINGEST_S3_SESSION_ACCESS_KEY, _SESSION_SECRET_KEY and
# _SESSION_TOKEN: an assumed role's temporary credentials) for CMD, always stops the server afterwards (also on INT/TERM)
# and exits with CMD's exit code. Exits 1 with a message if moto does not come up within
# LAKEINGEST_S3_START_TIMEOUT seconds (default 30).
# Optional: PYTHON (default python3); LAKEINGEST_S3_MOTO_LOG=FILE keeps the server's log
# (default: a temp file, deleted); LAKEINGEST_S3_VERBOSE=1 logs every request there.
set -u

if [ $# -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=${PYTHON:-python3}
timeout_s=${LAKEINGEST_S3_START_TIMEOUT:-30}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/with_s3.XXXXXX") || exit 1
state=$tmp/state.json
log=${LAKEINGEST_S3_MOTO_LOG:-$tmp/moto.log}
pid=

cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 1 100); do # up to 10 s, then force
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

verbose=()
[ "${LAKEINGEST_S3_VERBOSE:-0}" = 1 ] && verbose=(--verbose)
"$python" "$here/moto_server.py" --state-file "$state" "${verbose[@]}" >"$log" 2>&1 &
pid=$!

fail() {
    echo "with_s3.sh: moto S3 server failed to start: $1" >&2
    echo "--- moto_server.py log ($log) ---" >&2
    tail -n 40 "$log" >&2
    echo "--- (needs: pip install -r Tests/Fixtures/requirements.txt) ---" >&2
    exit 1
}

# Wait for the state file (written only after moto verified auth), then for the endpoint.
deadline=$((SECONDS + timeout_s))
until [ -s "$state" ]; do
    kill -0 "$pid" 2>/dev/null || fail "process exited"
    [ "$SECONDS" -lt "$deadline" ] || fail "no state file after ${timeout_s}s"
    sleep 0.1
done

# One value per line; the secret goes straight into a variable, never to the terminal.
values=$("$python" - "$state" <<'EOF'
import json, sys, boto3
from botocore.config import Config
s = json.load(open(sys.argv[1]))
boto3.client("s3", endpoint_url=s["endpoint"], region_name=s["region"],
             aws_access_key_id=s["accessKeyId"], aws_secret_access_key=s["secretAccessKey"],
             config=Config(connect_timeout=5, read_timeout=5, retries={"max_attempts": 1}),
             ).list_buckets()  # signed request: endpoint and key work
for k in ("endpoint", "region", "accessKeyId", "secretAccessKey", "sessionAccessKeyId", "sessionSecretAccessKey", "sessionToken"):
    print(s[k])
EOF
) || fail "endpoint in $state does not answer a signed ListBuckets"
{
    read -r LAKEINGEST_S3_ENDPOINT
    read -r LAKEINGEST_S3_REGION
    read -r LAKEINGEST_S3_ACCESS_KEY
    read -r LAKEINGEST_S3_SECRET_KEY
    read -r LAKEINGEST_S3_SESSION_ACCESS_KEY
    read -r LAKEINGEST_S3_SESSION_SECRET_KEY
    read -r LAKEINGEST_S3_SESSION_TOKEN
} <<<"$values"
unset values
export LAKEINGEST_S3_ENDPOINT LAKEINGEST_S3_REGION LAKEINGEST_S3_ACCESS_KEY LAKEINGEST_S3_SECRET_KEY
# Temporary credentials of an assumed role (access key, secret, session token).
export LAKEINGEST_S3_SESSION_ACCESS_KEY LAKEINGEST_S3_SESSION_SECRET_KEY LAKEINGEST_S3_SESSION_TOKEN
echo "with_s3.sh: S3 (moto) at $LAKEINGEST_S3_ENDPOINT, region $LAKEINGEST_S3_REGION, key $LAKEINGEST_S3_ACCESS_KEY" >&2

"$@"
exit $?
