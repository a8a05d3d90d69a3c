#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks the kvmsea-esr command-line tool: every 64-bit value decodes and
# exits 0, anything else exits 2 with a message, stdin mode, --json, the
# length and NUL rules, escaped echoes and write errors (exit 1, even with
# endless input).
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

# run, but killed after 120 s: for endless input, where a tool that does
# not stop would hang the suite instead of failing it.
run_limited() {
	eval "timeout 120 $wrapper \"\$tool\" \"\$@\""
}

ok() {
	passed=$((passed + 1))
}

bad() {
	printf "FAIL: %s\n" "$*"
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
[ $? -eq 2 ] && grep -q "longer than 64 characters" "$tmp/err" && ok || bad "stdin: over-long token"
printf '18446744073709551615\n' | run --json >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q '"esr":"0xffffffffffffffff"' "$tmp/out" && ok || bad "stdin: max value"

# A NUL byte inside a stdin token is bad input, not the end of the token;
# what came before it was decoded, nothing after.
printf '1 0x92\000x10 2\n' | run --oneline >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -q '^ESR 0x0000000000000001:' "$tmp/out" &&
	ok || bad "stdin NUL: rc=$rc (want 2), stdout: $(cat "$tmp/out")"
expect_text "stdin NUL" "$tmp/err" "invalid value '0x92\x00x10': contains a NUL byte"
printf '\000\n' | run >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "'\x00'" "$tmp/err" && ok || bad "stdin: a lone NUL"

# One length rule: at most 64 characters, as an argument and on stdin.
v64=0x$(printf '%062d' 1)
v65=0x$(printf '%063d' 1)
v203=0x$(printf '%0201d' 1)
expect_ok "64 characters" "$v64"
expect_text "64 characters" "$tmp/out" "ESR 0x0000000000000001"
expect_ok "64 decimal digits" "$(printf '%064d' 7)"
for v in "$v65" "$v203" "$(printf '%065d' 7)"; do
	expect_usage "${#v} characters" "$v"
	expect_text "${#v} characters" "$tmp/err" "longer than 64 characters"
	printf '%s\n' "$v" | run >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q "longer than 64 characters" "$tmp/err" &&
		ok || bad "stdin ${#v} characters: rc=$rc"
done
printf '%s\n' "$v64" | run >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q "^ESR 0x0000000000000001" "$tmp/out" && ok || bad "stdin: 64 characters"
# An endless token is refused without reading it all.
yes 1 | tr -d '\n' | run_limited >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "longer than 64" "$tmp/err" && ok || bad "stdin: endless token"

# Bad input comes back escaped (no terminal escape sequence reaches
# stderr) and cut after 64 bytes.
esc=$(printf '\033')
for v in "$(printf 'x\033[31mred\007')" "$(printf '\033]0;title\007')"; do
	expect_usage "escaped argument" "$v"
	if grep -q "$esc" "$tmp/err" || ! grep -qF '\x1b' "$tmp/err"; then
		bad "escaped argument: $(od -c "$tmp/err" | head -3)"
	else
		ok
	fi
	printf '%s\n' "$v" | run >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 2 ] && ! grep -q "$esc" "$tmp/err" && grep -qF '\x1b' "$tmp/err" && ok ||
		bad "escaped stdin token: $(od -c "$tmp/err" | head -3)"
done
expect_usage "escaped quote" "a\\b'c"
expect_text "escaped quote" "$tmp/err" "invalid value 'a\\\\b\\'c'"
expect_usage "escaped UTF-8" "$(printf '\303\251')"
expect_text "escaped UTF-8" "$tmp/err" "'\xc3\xa9'"
expect_usage "escaped option" "--${esc}[2J"
expect_text "escaped option" "$tmp/err" "unknown option '--\x1b[2J'"
grep -q "$esc" "$tmp/err" && bad "escaped option: raw ESC" || ok
long=$(printf '%01000d' 0 | tr 0 "$esc")
expect_usage "long echo" "$long"
line=$(head -n 1 "$tmp/err")
[ ${#line} -lt 400 ] && expect_text "long echo" "$tmp/err" "\x1b...': longer than 64" ||
	bad "long echo: ${#line} characters"

# Write errors end the tool with exit 1 and a message: a full device, a
# closed stdout, a dead pipe with SIGPIPE ignored; with endless input too.
# expect_write_error NAME: after a run with stdout and stderr redirected.
expect_write_error() {
	if [ "$rc" -eq 1 ] && grep -q "writing standard output" "$tmp/err"; then
		ok
	else
		bad "$1: rc=$rc (want 1), stderr: $(cat "$tmp/err")"
	fi
}
for args in --help --version "0x92000010" "--json 1 2 3"; do
	# shellcheck disable=SC2086
	run $args >/dev/full 2>"$tmp/err"
	rc=$?
	expect_write_error "$args >/dev/full"
	# shellcheck disable=SC2086
	run $args >&- 2>"$tmp/err"
	rc=$?
	expect_write_error "$args, stdout closed"
done
for style in --tree --oneline --json; do
	yes 0x92000010 | run_limited $style >/dev/full 2>"$tmp/err"
	rc=$?
	expect_write_error "endless input $style >/dev/full"
done
yes 0x92000010 | run_limited >&- 2>"$tmp/err"
rc=$?
expect_write_error "endless input, stdout closed"
(
	trap '' PIPE
	yes 0x92000010 2>/dev/null |
		{ run_limited --oneline 2>"$tmp/err"; echo $? >"$tmp/rc"; } | true
)
rc=$(cat "$tmp/rc")
expect_write_error "endless input, dead pipe, SIGPIPE ignored"
# Nothing to write to a closed stdout is no error.
printf '' | run >&- 2>"$tmp/err"
[ $? -eq 0 ] && [ ! -s "$tmp/err" ] && ok || bad "empty input, stdout closed"
# A read error is exit 1 too (a directory as stdin).
run <"$tmp" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "reading standard input" "$tmp/err" && ok || bad "read error"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
