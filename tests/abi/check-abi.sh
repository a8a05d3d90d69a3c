#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The 'abi' suite: the released ABI (tests/abi/libkvmsea.so.1.abi, made by
# update-abi.sh) against the libkvmsea.so just built.
#
#   check-abi.sh check BASELINE LIBRARY HEADERS-DIR   (the test)
#   check-abi.sh dump LIBRARY HEADERS-DIR OUT         (used by update-abi.sh)
#
# Only what the public headers declare counts (--headers-dir, and private
# types dropped). Added functions are compatible (new ones belong in a new
# version node of lib/libkvmsea.sym; --no-added-syms). Anything else
# abidiff reports (a removed function, a changed type or parameter, a
# reserved field put to use) fails, unless the soname and every version
# node changed with it: that is a new major ABI, and the baseline must then
# be regenerated. An intended compatible change is reviewed and then
# recorded by regenerating the baseline (update-abi.sh).
#
# abidw output depends on the compiler and the architecture: meson registers
# this test only for native x86_64 gcc builds with debug info.
# Exit: 0 compatible, 1 not, 2 usage or a tool failure.
set -euo pipefail

# One place for the abidw options, so baseline and check always agree.
dump() {
	abidw --headers-dir "$2" --drop-private-types --no-corpus-path \
		--no-comp-dir-path --short-locs --type-id-style hash \
		--out-file "$3" "$1"
}

soname() {
	sed -n "s/^<abi-corpus [^>]*soname='\([^']*\)'.*/\1/p" "$1" | head -1
}

# The version nodes the exported symbols carry, one a line.
version_nodes() {
	grep -o "<elf-symbol [^>]* version='[^']*'" "$1" |
		sed "s/.* version='\([^']*\)'/\1/" | sort -u
}

case ${1:-} in
dump)
	[ $# -eq 4 ] || { echo "usage: check-abi.sh dump LIBRARY HEADERS-DIR OUT" >&2; exit 2; }
	dump "$2" "$3" "$4"
	exit 0
	;;
check)
	[ $# -eq 4 ] || { echo "usage: check-abi.sh check BASELINE LIBRARY HEADERS-DIR" >&2; exit 2; }
	;;
*)
	echo "usage: check-abi.sh check|dump ..." >&2
	exit 2
	;;
esac
baseline=$2 library=$3 headers=$4

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-abi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
current=$tmp/current.abi
dump "$library" "$headers" "$current" || { echo "check-abi: abidw failed" >&2; exit 2; }

set +e
abidiff --no-added-syms "$baseline" "$current" > "$tmp/report"
rc=$?
set -e
cat "$tmp/report"
# abidiff's status is a bit mask: 1 error, 2 usage, 4 change, 8 incompatible.
if (( rc & 3 )); then
	echo "check-abi: abidiff failed (status $rc)" >&2
	exit 2
fi
if (( rc == 0 )); then
	echo "check-abi: compatible with $(basename "$baseline") ($(soname "$baseline"))"
	exit 0
fi

old_so=$(soname "$baseline") new_so=$(soname "$current")
shared=$(comm -12 <(version_nodes "$baseline") <(version_nodes "$current"))
if [ "$old_so" != "$new_so" ] && [ -z "$shared" ]; then
	echo "check-abi: a new major ABI ($old_so -> $new_so, new version nodes):"
	echo "check-abi: regenerate the baseline with tests/abi/update-abi.sh"
	exit 0
fi
nodes() { version_nodes "$1" | tr '\n' ' ' | sed 's/ $//'; }
echo "check-abi: the ABI changed (abidiff status $rc): soname $old_so -> $new_so," \
	"version nodes $(nodes "$baseline") -> $(nodes "$current")" >&2
echo "check-abi: an incompatible change needs a new soname (soversion) AND new" \
	"version nodes (lib/libkvmsea.sym); an intended compatible one: review it," \
	"then regenerate the baseline with tests/abi/update-abi.sh" >&2
exit 1
