#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Regenerate tests/abi/libkvmsea.so.1.abi, the ABI baseline the 'abi' test
# compares against: a native x86_64 gcc build of the library with debug
# info (the only kind of build the test runs in), dumped by abidw.
#
#   tests/abi/update-abi.sh
#
# Run it at a release, or after reviewing an intended compatible change
# the test reported. The baseline is named after the soname: bump the
# soversion and it is a new file.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ "$(uname -m)" = x86_64 ] || { echo "update-abi: the baseline is an x86_64 gcc one" >&2; exit 1; }

build=$(mktemp -d "${TMPDIR:-/tmp}/update-abi.XXXXXX")
trap 'rm -rf "$build"' EXIT
CC=gcc meson setup "$build" "$root" --buildtype=debugoptimized \
	-Dtests=disabled -Dtools=disabled -Dexamples=disabled -Ddocs=disabled >/dev/null
meson compile -C "$build" >/dev/null

lib=$(find "$build/lib" -maxdepth 1 -name 'libkvmsea.so.*.*' -type f | head -1)
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
out=$here/$soname.abi
"$here/check-abi.sh" dump "$lib" "$root/include/libkvmsea" "$out"
echo "update-abi: wrote ${out#"$root"/} ($(gcc -dumpfullversion), $(grep -c '<elf-symbol ' "$out") symbols)"
