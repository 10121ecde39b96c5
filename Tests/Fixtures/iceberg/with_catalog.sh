#!/usr/bin/env bash
# Run CMD against two local, signature-checking Iceberg REST catalogs (rest_server.py next to
# this script) serving the committed fixture tables:
#
#   Tests/Fixtures/iceberg/with_catalog.sh CMD [ARGS...]
#
# First installs the committed warehouse at the root its metadata names
# (install_warehouse.sh: /tmp/lakeingest-iceberg/warehouse), then starts
#   - a Glue-flavoured catalog: signing name glue, region us-east-1, warehouse 123456789012
#   - an S3 Tables-flavoured one: signing name s3tables, region us-west-2, warehouse
#     arn:aws:s3tables:us-west-2:123456789012:bucket/lakeingest-fixture
# sharing one set of keys, and exports for CMD:
#   LAKEINGEST_CATALOG_URI            http://127.0.0.1:PORT/iceberg   (Glue flavour)
#   LAKEINGEST_CATALOG_REGION         us-east-1
#   LAKEINGEST_CATALOG_WAREHOUSE      123456789012
#   LAKEINGEST_CATALOG_SIGNING_NAME   glue
#   LAKEINGEST_CATALOG_ACCESS_KEY, LAKEINGEST_CATALOG_SECRET_KEY          long-term key
#   LAKEINGEST_CATALOG_SESSION_ACCESS_KEY, _SESSION_SECRET_KEY, _SESSION_TOKEN
#                                     temporary key (needs X-Amz-Security-Token)
#   LAKEINGEST_CATALOG_CONTROL        http://127.0.0.1:PORT/_control  (failure injection, request log)
#   LAKEINGEST_CATALOG_S3TABLES_URI, _S3TABLES_REGION, _S3TABLES_WAREHOUSE,
#   _S3TABLES_SIGNING_NAME (s3tables), _S3TABLES_CONTROL             (S3 Tables flavour, same keys)
#   LAKEINGEST_ICEBERG_WAREHOUSE_DIR  /tmp/lakeingest-iceberg/warehouse (the installed tables)
# Always stops the servers afterwards (also on INT/TERM) and exits with CMD's exit code.
# Exits 1 with the server log if a server does not answer a signed GET /v1/config within
# LAKEINGEST_CATALOG_START_TIMEOUT seconds (default 30).
# Optional: PYTHON (default python3); LAKEINGEST_CATALOG_LOG=FILE keeps the servers' log
# (default: a temp file, deleted); LAKEINGEST_CATALOG_VERBOSE=1 logs every request there.
set -u

if [ $# -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=${PYTHON:-python3}
timeout_s=${LAKEINGEST_CATALOG_START_TIMEOUT:-30}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/with_catalog.XXXXXX") || exit 1
log=${LAKEINGEST_CATALOG_LOG:-$tmp/rest_server.log}
pids=()

cleanup() {
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 100); do # up to 10 s, then force
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
    echo "with_catalog.sh: REST catalog fixture failed to start: $1" >&2
    echo "--- rest_server.py log ($log) ---" >&2
    tail -n 40 "$log" >&2
    echo "--- (needs: pip install -r Tests/Fixtures/requirements.txt) ---" >&2
    exit 1
}

warehouse_dir=$("$here/install_warehouse.sh") || fail "could not install the warehouse"

verbose=()
[ "${LAKEINGEST_CATALOG_VERBOSE:-0}" = 1 ] && verbose=(--verbose)

wait_state() { # $1 state file, $2 pid
    local deadline=$((SECONDS + timeout_s))
    until [ -s "$1" ]; do
        kill -0 "$2" 2>/dev/null || fail "process exited"
        [ "$SECONDS" -lt "$deadline" ] || fail "no state file after ${timeout_s}s"
        sleep 0.1
    done
}

"$python" "$here/rest_server.py" --state-file "$tmp/glue.json" --signing-name glue "${verbose[@]}" >>"$log" 2>&1 &
pids+=($!)
wait_state "$tmp/glue.json" "${pids[0]}"
"$python" "$here/rest_server.py" --state-file "$tmp/s3tables.json" --signing-name s3tables \
    --keys-from "$tmp/glue.json" "${verbose[@]}" >>"$log" 2>&1 &
pids+=($!)
wait_state "$tmp/s3tables.json" "${pids[1]}"

# One value per line; secrets go straight into variables, never to the terminal.
values=$("$python" - "$tmp/glue.json" "$tmp/s3tables.json" <<'PYEOF'
import json, sys, urllib.parse, urllib.request
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
g, t = (json.load(open(p)) for p in sys.argv[1:3])
for s in (g, t):  # a signed GET /v1/config must work
    url = s["uri"] + "/v1/config?warehouse=" + urllib.parse.quote(s["warehouse"], safe="-_.~")
    req = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials(s["accessKeyId"], s["secretAccessKey"]), s["signingName"], s["region"]).add_auth(req)
    with urllib.request.urlopen(urllib.request.Request(url, headers=dict(req.headers.items())), timeout=5) as r:
        assert json.load(r)["overrides"]["prefix"] == s["prefix"]
origin = lambda s: s["uri"].rsplit("/", 1)[0]
for v in (g["uri"], g["region"], g["warehouse"], g["signingName"], g["accessKeyId"], g["secretAccessKey"],
          g["sessionAccessKeyId"], g["sessionSecretAccessKey"], g["sessionToken"], origin(g) + "/_control",
          t["uri"], t["region"], t["warehouse"], t["signingName"], origin(t) + "/_control"):
    print(v)
PYEOF
) || fail "a signed GET /v1/config did not succeed"
{
    read -r LAKEINGEST_CATALOG_URI
    read -r LAKEINGEST_CATALOG_REGION
    read -r LAKEINGEST_CATALOG_WAREHOUSE
    read -r LAKEINGEST_CATALOG_SIGNING_NAME
    read -r LAKEINGEST_CATALOG_ACCESS_KEY
    read -r LAKEINGEST_CATALOG_SECRET_KEY
    read -r LAKEINGEST_CATALOG_SESSION_ACCESS_KEY
    read -r LAKEINGEST_CATALOG_SESSION_SECRET_KEY
    read -r LAKEINGEST_CATALOG_SESSION_TOKEN
    read -r LAKEINGEST_CATALOG_CONTROL
    read -r LAKEINGEST_CATALOG_S3TABLES_URI
    read -r LAKEINGEST_CATALOG_S3TABLES_REGION
    read -r LAKEINGEST_CATALOG_S3TABLES_WAREHOUSE
    read -r LAKEINGEST_CATALOG_S3TABLES_SIGNING_NAME
    read -r LAKEINGEST_CATALOG_S3TABLES_CONTROL
} <<<"$values"
unset values
LAKEINGEST_ICEBERG_WAREHOUSE_DIR=$warehouse_dir
export LAKEINGEST_CATALOG_URI LAKEINGEST_CATALOG_REGION LAKEINGEST_CATALOG_WAREHOUSE \
    LAKEINGEST_CATALOG_SIGNING_NAME LAKEINGEST_CATALOG_ACCESS_KEY LAKEINGEST_CATALOG_SECRET_KEY \
    LAKEINGEST_CATALOG_SESSION_ACCESS_KEY LAKEINGEST_CATALOG_SESSION_SECRET_KEY \
    LAKEINGEST_CATALOG_SESSION_TOKEN LAKEINGEST_CATALOG_CONTROL \
    LAKEINGEST_CATALOG_S3TABLES_URI LAKEINGEST_CATALOG_S3TABLES_REGION \
    LAKEINGEST_CATALOG_S3TABLES_WAREHOUSE LAKEINGEST_CATALOG_S3TABLES_SIGNING_NAME \
    LAKEINGEST_CATALOG_S3TABLES_CONTROL LAKEINGEST_ICEBERG_WAREHOUSE_DIR
echo "with_catalog.sh: REST catalogs at $LAKEINGEST_CATALOG_URI (glue, $LAKEINGEST_CATALOG_REGION) and" \
    "$LAKEINGEST_CATALOG_S3TABLES_URI (s3tables, $LAKEINGEST_CATALOG_S3TABLES_REGION), key $LAKEINGEST_CATALOG_ACCESS_KEY" >&2

"$@"
exit $?
