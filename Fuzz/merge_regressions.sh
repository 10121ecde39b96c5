#!/usr/bin/env bash
# After long runs (FUZZ_SECONDS=1800 Fuzz/run.sh), keeps what they found: the scratch corpus of
# each target (or of each one named) under FUZZ_WORK, minimized by libFuzzer's -merge=1 against
# the seeds, becomes Regressions/<target>.tar.gz (replayed by the normal test suite and by later
# runs).
set -euo pipefail
cd "$(dirname "$0")"
WORK=${FUZZ_WORK:-/tmp/lakeingest-fuzz}
mkdir -p Regressions
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then TARGETS=($(ls Sources)); fi
for target in "${TARGETS[@]}"; do
    [ -d "$WORK/$target" ] || continue
    merged=$(mktemp -d)
    previous=$(mktemp -d)
    if [ -f "Regressions/$target.tar.gz" ]; then tar xzf "Regressions/$target.tar.gz" -C "$previous"; fi
    .build/release/"$target" -merge=1 -max_len=65536 "$merged" "Corpus/$target" "$previous" "$WORK/$target" >/dev/null 2>&1
    # The seeds stay in Corpus/; only what they do not cover is kept here.
    for seed in "Corpus/$target"/*; do
        hash=$(sha1sum "$seed" | cut -d' ' -f1)
        rm -f "$merged/$hash"
    done
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - -C "$merged" . | gzip -n -9 > "Regressions/$target.tar.gz"
    echo "$target: $(ls "$merged" | wc -l) inputs kept"
    rm -rf "$merged" "$previous"
done
