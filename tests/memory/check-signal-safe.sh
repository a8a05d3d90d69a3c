#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# check-signal-safe.sh NM ALLOW-LIST FILE...
#
# The code that runs in signal handlers calls only async-signal-safe
# functions, checked on the compiled objects rather than assumed: every
# symbol the FILEs (object files or static archives, read with NM) leave
# undefined, less those one of them defines, must be
#   - a name in ALLOW-LIST (signal-safe.txt: POSIX's list), or
#   - one of gcc's out-of-line atomics on aarch64 (__aarch64_ldadd4_acq_rel
#     and the like: libgcc's LSE or load-exclusive/store-exclusive
#     sequences, lock-free by construction).
# Anything else fails: malloc, a pthread lock, stdio, and libatomic's
# __atomic_* calls, which stand in for atomics that are not lock-free.
# lib/meson.build's libkvmsea_signal archive holds the library's signal
# path; a new file there is checked with no change here.
# Exit: 0 all allowed, 1 a call that is not, 2 usage or a tool failure.
set -euo pipefail

[[ $# -ge 3 ]] || { echo "usage: check-signal-safe.sh NM ALLOW-LIST FILE..." >&2; exit 2; }
nm=$1
allow=$2
shift 2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-signal-safe.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The last field of nm's lines is the name; archive member headers and
# blank lines carry no symbol.
for f in "$@"; do
	[[ -f $f ]] || { echo "check-signal-safe: no file $f" >&2; exit 2; }
	"$nm" -A -u "$f" >>"$tmp/undefined" || exit 2
	"$nm" --defined-only "$f" >>"$tmp/defined" || exit 2
done
symbols() { awk 'NF >= 2 && $NF !~ /:$/ { print $NF }' "$1" | sort -u; }
symbols "$tmp/undefined" >"$tmp/u"
symbols "$tmp/defined" >"$tmp/d"
comm -23 "$tmp/u" "$tmp/d" >"$tmp/calls"
grep -v '^#' "$allow" | grep -v '^$' | sort -u >"$tmp/allowed"

bad=0
while read -r name; do
	if grep -qx -- "$name" "$tmp/allowed"; then
		continue
	fi
	if [[ $name =~ ^__aarch64_(cas|swp|ldadd|ldclr|ldeor|ldset)(1|2|4|8|16)_(relax|acq|rel|acq_rel|sync)$ ]]; then
		continue
	fi
	from=$(awk -v n="$name" '$NF == n { sub(/:$/, "", $1); print $1 }' "$tmp/undefined" | sort -u | tr '\n' ' ')
	echo "check-signal-safe: FAIL: $name is not async-signal-safe (called by $from)" >&2
	bad=1
done <"$tmp/calls"

[[ $bad -eq 0 ]] || exit 1
echo "check-signal-safe: OK: $# file(s) call only $(tr '\n' ' ' <"$tmp/calls")"
