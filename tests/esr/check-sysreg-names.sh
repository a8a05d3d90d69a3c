#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks every name in the library's system register table against the
# name the aarch64 disassembler (GNU objdump) gives the same encoding.
# Usage: check-sysreg-names.sh DUMP-SYSREGS
# Exit 0 pass, 1 mismatch, 77 skip (no disassembler for aarch64).
set -eu

dump=$1
wrapper=${MESON_EXE_WRAPPER:-}

if command -v aarch64-linux-gnu-objdump >/dev/null 2>&1; then
	objdump=aarch64-linux-gnu-objdump
elif objdump -i 2>/dev/null | grep -q aarch64; then
	objdump=objdump
else
	echo "SKIP: no objdump that knows aarch64"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2086 # the wrapper is a command line
eval "$wrapper \"\$dump\" \"\$tmp/code.bin\"" >"$tmp/names.txt"

# One normalized name per instruction word, in order: "mrs x0, REG" and
# "msr REG, x0" give REG; "dc civac, x0" and "ic iallu" give "dc civac" and
# "ic iallu"; anything the disassembler cannot name gives "?".
"$objdump" -D -b binary -m aarch64 "$tmp/code.bin" |
awk -F'\t' '/^ *[0-9a-f]+:\t/ {
	mnem = $3; ops = $4
	n = split(ops, o, ", *")
	if (mnem == "mrs") name = o[2]
	else if (mnem == "msr") name = o[1]
	else if (mnem ~ /^(dc|ic|at|tlbi)$/) name = mnem " " o[1]
	else name = "?"
	print tolower(name)
}' >"$tmp/words.txt"

fail=0
i=0
while IFS= read -r expect; do
	i=$((i + 1))
	want=$(printf '%s\n' "$expect" | tr 'A-Z' 'a-z')
	a=$(sed -n "$((2 * i - 1))p" "$tmp/words.txt")
	b=$(sed -n "$((2 * i))p" "$tmp/words.txt")
	if [ "$a" != "$want" ] && [ "$b" != "$want" ]; then
		echo "MISMATCH: table says '$expect', disassembler says '$a' / '$b'"
		fail=1
	fi
done <"$tmp/names.txt"

if [ "$i" -eq 0 ]; then
	echo "no names dumped"
	exit 1
fi
echo "$i system register names checked against $objdump"
exit $fail
