#!/usr/bin/env bash
# Put the committed Iceberg fixture tables where their metadata says they are.
#
#   Tests/Fixtures/iceberg/install_warehouse.sh
#
# Every path inside the committed metadata, manifest lists and manifests starts with the URI
# in warehouse/ROOT (file:///tmp/lakeingest-iceberg/warehouse). This copies
# Tests/Fixtures/iceberg/warehouse/ to that directory, unless an identical copy is already
# there (checked with diff -r). The copy is made beside the target and renamed into place.
# Prints the installed directory.
set -eu
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$here/warehouse
root_uri=$(cat "$src/ROOT")
dst=${root_uri#file://}
case "$dst" in /tmp/*) ;; *) echo "install_warehouse.sh: refusing to write outside /tmp: $dst" >&2; exit 1 ;; esac
if [ -d "$dst" ] && diff -r -q "$src" "$dst" >/dev/null 2>&1; then
    echo "$dst"
    exit 0
fi
parent=$(dirname "$dst")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.warehouse.XXXXXX")
cp -R "$src/." "$tmp/"
old=
if [ -e "$dst" ]; then
    old=$parent/.warehouse.old.$$
    mv "$dst" "$old"
fi
mv "$tmp" "$dst"
[ -n "$old" ] && rm -rf "$old"
echo "$dst"
