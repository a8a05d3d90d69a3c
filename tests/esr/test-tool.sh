#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks the kvmsea-esr command-line tool: every 64-bit value decodes and
# exits 0, anything else exits 2 with a message, stdin mode, and --json.
# Usage: test-tool.sh PATH-TO-kvmsea-esr
# (In a cross build, meson test sets MESON_EXE_WRAPPER, e.g. qemu-aarch64.)
set -u

tool=$1
wrapper=${MESON_EXE_WRAPPER:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

run() {
	eval "$wrapper \"\$tool\" \"\$@\""
}

ok() {
	passed=$((passed + 1))
}

bad() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# expect_ok NAME ARGS...: exit 0, something on stdout, nothing on stderr.
expect_ok() {
	name=$1
	shift
	run "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] || [ ! -s "$tmp/out" ] || [ -s "$tmp/err" ]; then
		bad "$name: rc=$rc, stderr: $(cat "$tmp/err")"
	else
		ok
	fi
}

# expect_usage NAME ARGS...: exit 2, a message on stderr, nothing on stdout.
expect_usage() {
	name=$1
	shift
	run "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 2 ] || [ ! -s "$tmp/err" ] || [ -s "$tmp/out" ]; then
		bad "$name: rc=$rc (want 2), stdout: $(cat "$tmp/out")"
	else
		ok
	fi
}

expect_text() {
	name=$1
	file=$2
	text=$3
	if grep -qF -- "$text" "$file"; then
		ok
	else
		bad "$name: '$text' not in: $(cat "$file")"
	fi
}

# Every 64-bit value, decimal and hex, at the edges of the range.
expect_ok zero 0
expect_text zero "$tmp/out" "ESR 0x0000000000000000"
expect_ok one 1
expect_ok max-decimal 18446744073709551615
expect_text max-decimal "$tmp/out" "ESR 0xffffffffffffffff"
expect_ok max-hex 0xffffffffffffffff
expect_ok max-hex-upper 0XFFFFFFFFFFFFFFFF
expect_ok leading-zeros 0x00000000000000000000092000010
expect_text leading-zeros "$tmp/out" "ESR 0x0000000092000010"
expect_ok decimal-kvm-exit 2449473552
expect_text decimal-kvm-exit "$tmp/out" "DABT_LOW"
expect_ok high-bit 9223372036854775808
expect_text high-bit "$tmp/out" "ESR 0x8000000000000000"

# Garbage, overflow and negative values.
for v in xyz 0x 12a 0xg1 -1 +5 18446744073709551616 0x10000000000000000 \
	"" " 1" "1 " 0x-1 1.5 1e3; do
	expect_usage "bad value '$v'" "$v"
	expect_text "message for '$v'" "$tmp/err" "invalid value"
done
run -- -1 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "negative" "$tmp/err" && ok || bad "negative after --"
run 18446744073709551616 >"$tmp/out" 2>"$tmp/err"
grep -q "64 bits" "$tmp/err" && ok || bad "overflow message"
# One bad value among good ones: nothing is printed.
expect_usage "bad value last" 0x92000010 0x96000010 zzz

# Options.
expect_ok help --help
expect_text help "$tmp/out" "Usage:"
expect_ok version --version
expect_text version "$tmp/out" "kvmsea-esr "
expect_usage unknown-option --frobnicate 0

# The styles.
expect_ok oneline --oneline 0x92000010
expect_text oneline "$tmp/out" "ESR 0x0000000092000010: EC 0x24 DABT_LOW (Data Abort from a lower EL), IL 32-bit, SET 0b00 (UER: recoverable), FnV 0, EA 0, WnR 0 (read), DFSC 0x10 (synchronous external abort, not on a translation table walk), severity UER"
expect_ok tree-two 0x92000010 0xbe001811
[ "$(grep -c '^ESR ' "$tmp/out")" -eq 2 ] && ok || bad "tree-two: two trees"
[ "$(grep -c '^$' "$tmp/out")" -eq 1 ] && ok || bad "tree-two: one blank line between"
expect_text tree-two "$tmp/out" "AET         [12:10] 0b110     CE: corrected"

expect_ok json --json 0x92000010 0 18446744073709551615 0x62300421
[ "$(wc -l <"$tmp/out")" -eq 4 ] && ok || bad "json: one line per value"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json, sys
for line in sys.stdin:
    d = json.loads(line)
    assert d["esr"].startswith("0x") and len(d["esr"]) == 18
' <"$tmp/out" && ok || bad "json: each line parses"
fi
expect_text json "$tmp/out" '"esr":"0xffffffffffffffff"'

# Standard input: whitespace-separated values, any white space.
printf '0x92000010\n 1\t2\r\n\n  0xbe001811' | run --oneline >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 4 ] && [ ! -s "$tmp/err" ] && ok ||
	bad "stdin: rc=$rc lines=$(wc -l <"$tmp/out")"
expect_text stdin "$tmp/out" "ESR 0x00000000be001811: EC 0x2f SERROR"
printf '' | run >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && [ ! -s "$tmp/out" ] && ok || bad "stdin: empty input"
printf '0x92000010 bogus 1\n' | run --json >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "invalid value 'bogus'" "$tmp/err" && ok || bad "stdin: bad value rc=$rc"
printf '%0200d\n' 1 | run >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "longer than 127" "$tmp/err" && ok || bad "stdin: over-long token"
printf '18446744073709551615\n' | run --json >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q '"esr":"0xffffffffffffffff"' "$tmp/out" && ok || bad "stdin: max value"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
