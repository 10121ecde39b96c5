#!/usr/bin/env bash
# Run CMD against the Pinot controller test server (controller_server.py next to this script):
#
#   Tests/Fixtures/pinot/with_controller.sh CMD [ARGS...]
#
# Exports LAKEINGEST_CONTROLLER_URI (http://127.0.0.1:PORT), LAKEINGEST_CONTROLLER_CONTROL
# (…/_control) and LAKEINGEST_CONTROLLER_DATA (where uploaded tarballs are kept) for CMD,
# always stops the server afterwards (also on INT/TERM) and exits with CMD's exit code.
# Uploaded segments are read back with LAKEINGEST_CONTROLLER_VALIDATOR (default
# .build/debug/ingest-worker, when it exists). Exits 1 with the server log if it does not
# answer GET /health within LAKEINGEST_CONTROLLER_START_TIMEOUT seconds (default 30).
set -u

if [ $# -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
python=${PYTHON:-python3}
timeout_s=${LAKEINGEST_CONTROLLER_START_TIMEOUT:-30}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/with_controller.XXXXXX") || exit 1
log=${LAKEINGEST_CONTROLLER_LOG:-$tmp/controller.log}
validator=${LAKEINGEST_CONTROLLER_VALIDATOR:-$repo/.build/debug/ingest-worker}
pid=

cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 1 100); do
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

args=(--state-file "$tmp/state.json" --data-dir "$tmp/data")
[ -x "$validator" ] && args+=(--validator "$validator")
[ "${LAKEINGEST_CONTROLLER_VERBOSE:-0}" = 1 ] && args+=(--verbose)
"$python" "$here/controller_server.py" "${args[@]}" >"$log" 2>&1 &
pid=$!

fail() {
    echo "with_controller.sh: the controller test server failed to start: $1" >&2
    tail -n 40 "$log" >&2
    exit 1
}

deadline=$((SECONDS + timeout_s))
until [ -s "$tmp/state.json" ]; do
    kill -0 "$pid" 2>/dev/null || fail "process exited"
    [ "$SECONDS" -lt "$deadline" ] || fail "no state file after ${timeout_s}s"
    sleep 0.1
done
values=$("$python" - "$tmp/state.json" <<'PYEOF'
import json, sys, urllib.request
s = json.load(open(sys.argv[1]))
assert urllib.request.urlopen(s["uri"] + "/health", timeout=5).read() == b"OK"
for k in ("uri", "control", "dataDir"):
    print(s[k])
PYEOF
) || fail "GET /health did not answer OK"
{
    read -r LAKEINGEST_CONTROLLER_URI
    read -r LAKEINGEST_CONTROLLER_CONTROL
    read -r LAKEINGEST_CONTROLLER_DATA
} <<<"$values"
export LAKEINGEST_CONTROLLER_URI LAKEINGEST_CONTROLLER_CONTROL LAKEINGEST_CONTROLLER_DATA
echo "with_controller.sh: Pinot controller test server at $LAKEINGEST_CONTROLLER_URI" >&2

"$@"
exit $?
