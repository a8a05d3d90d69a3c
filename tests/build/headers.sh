#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# headers.sh SRCDIR [CC [CC-ARGS...]]
#
# Each public header (include/libkvmsea/*.h) compiles alone, twice in a row
# (include guard), in a translation unit of its own:
#   as C99 with -pedantic -Wall -Wextra -Werror, with CC (the build's C
#   compiler), gcc and clang;
#   as C++11 with the same warnings, with g++ and clang++ when present.
# A missing gcc or clang is an error (scripts/setup.sh installs both).
set -euo pipefail

src=${1:?usage: headers.sh SRCDIR [CC [CC-ARGS...]]}
shift
if [[ $# -gt 0 ]]; then build_cc=("$@"); else build_cc=(cc); fi

warn=(-pedantic -Wall -Wextra -Werror)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmsea-headers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

shopt -s nullglob
headers=("$src"/include/libkvmsea/*.h)
[[ ${#headers[@]} -gt 0 ]] || { echo "headers: no headers in $src/include/libkvmsea" >&2; exit 1; }

failed=0
checked=0

# check LANG STD COMPILER [ARGS...]
check() {
	local lang=$1 std=$2
	shift 2
	local h name tu
	for h in "${headers[@]}"; do
		name=${h##*/}
		tu=$tmp/$name.$lang
		printf '#include <libkvmsea/%s>\n#include <libkvmsea/%s>\n' "$name" "$name" >"$tu"
		if "$@" -x "$lang" -std="$std" "${warn[@]}" -I "$src/include" -fsyntax-only "$tu"; then
			checked=$((checked + 1))
		else
			echo "headers: FAIL: <libkvmsea/$name> alone with: $* -x $lang -std=$std ${warn[*]}" >&2
			failed=1
		fi
	done
	echo "headers: $* -std=$std: ${#headers[@]} headers done"
}

check c c99 "${build_cc[@]}"
for c in gcc clang; do
	if command -v "$c" >/dev/null; then
		check c c99 "$c"
	else
		echo "headers: FAIL: $c not found (run scripts/setup.sh)" >&2
		failed=1
	fi
done
for cxx in g++ clang++; do
	if command -v "$cxx" >/dev/null; then
		check c++ c++11 "$cxx"
	else
		echo "headers: note: $cxx not found, C++ not checked with it"
	fi
done

if [[ $failed -ne 0 ]]; then
	echo "headers: FAIL"
	exit 1
fi
echo "headers: PASS ($checked header compilations)"
