#!/usr/bin/env bash
# Runs each fuzz target (or those named) for FUZZ_SECONDS (default 60) on its committed seeds,
# the inputs earlier long runs kept (Regressions/) and its dictionary, growing a scratch corpus
# under FUZZ_WORK (the committed files are only read), and prints each target's executions and
# coverage. A crash, timeout or out-of-memory input is kept under $FUZZ_WORK/artifacts and fails
# the run.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${FUZZ_SECONDS:-60}
WORK=${FUZZ_WORK:-/tmp/lakeingest-fuzz}
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then TARGETS=($(ls Sources)); fi
mkdir -p "$WORK/artifacts"
status=0
for target in "${TARGETS[@]}"; do
    mkdir -p "$WORK/$target"
    # Start from what earlier long runs kept (Regressions/, made by merge_regressions.sh).
    if [ -f "Regressions/$target.tar.gz" ]; then tar xzf "Regressions/$target.tar.gz" -C "$WORK/$target"; fi
    log="$WORK/$target.log"
    if ! .build/release/"$target" "$WORK/$target" "Corpus/$target" -dict="Dictionaries/$target.dict" \
        -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$WORK/artifacts/$target-" >"$log" 2>&1; then
        echo "$target: FAILED, see $log and $WORK/artifacts"
        status=1
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{print $2}')
    coverage=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
    echo "$target: ${runs:-?} executions in ${SECONDS_EACH} s, ${coverage:-no coverage line}"
done
exit $status
