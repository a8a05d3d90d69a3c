#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks the kvmsea-esr command-line tool: every 64-bit value decodes and
# exits 0, anything else exits 2 with a message, stdin mode, --json, the
# length and NUL rules, escaped echoes, write errors (exit 1, even with
# endless input) and --log on a kernel log.
# Usage: test-tool.sh PATH-TO-kvmsea-esr PATH-TO-dmesg-arm64.txt
set -u

tool=$1
dmesg=$2
# shellcheck source-path=SCRIPTDIR source=../tool-check.sh
. "$(dirname "$0")/../tool-check.sh"

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
yes '[ 1.0]   ESR = 0x0000000096000044' | run_limited --log >/dev/full 2>"$tmp/err"
rc=$?
expect_write_error "endless --log >/dev/full"
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

# --log: every ESR of a kernel log, in order, decoded in the chosen style.
run --log --oneline <"$dmesg" >"$tmp/out" 2>"$tmp/err"
rc=$?
got=$(cut -d: -f1 "$tmp/out" | tr '\n' ' ')
want="ESR 0x0000000092000410 ESR 0x0000000096000044 ESR 0x0000000096000044 \
ESR 0x0000000002000000 ESR 0x0000000092000030 ESR 0x0000000086000010 \
ESR 0x0000000096000047 ESR 0x00000000bf000002 ESR 0x0000000096000010 "
[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ "$got" = "$want" ] && ok ||
	bad "--log dmesg: rc=$rc, got: $got"
expect_text "--log dmesg" "$tmp/out" "ESR 0x0000000096000044: EC 0x25 DABT_CUR"
run --log --json <"$dmesg" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 9 ] && ok || bad "--log --json: one line per ESR"
expect_text "--log --json" "$tmp/out" '"esr":"0x00000000bf000002"'
run --log <"$dmesg" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && [ "$(grep -c '^ESR ' "$tmp/out")" -eq 9 ] && [ "$(grep -c '^$' "$tmp/out")" -eq 8 ] &&
	ok || bad "--log --tree: nine trees, a blank line between"

# expect_log NAME INPUT WANT: --log --oneline on INPUT prints exactly the
# ESRs in WANT (space-separated 16-digit hex, "" for none) and exits 0.
expect_log() {
	printf '%s\n' "$2" | run --log --oneline >"$tmp/out" 2>"$tmp/err"
	rc=$?
	got=$(sed 's/^ESR 0x\([0-9a-f]*\):.*/\1/' "$tmp/out" | tr '\n' ' ')
	if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ "$got" = "${3:+$3 }" ]; then
		ok
	else
		bad "--log $1: rc=$rc, got '$got', want '$3', stderr: $(cat "$tmp/err")"
	fi
}
# Older kernels' forms.
expect_log "4.x Oops" "[    5.1] Internal error: Oops: 96000004 [#1] PREEMPT SMP" 0000000096000004
expect_log "BUG" "Internal error: Oops - BUG: 00000000f2000800 [#2] SMP" 00000000f2000800
expect_log "UBSAN" "Internal error: UBSAN: array index out of bounds: 00000000f2005512 [#1] SMP" \
	00000000f2005512
expect_log "bad mode" "Bad mode in Synchronous Abort handler detected on CPU1, code 0x96000210 -- DABT (current EL)" \
	0000000096000210
expect_log "bad EL0 sync" "Bad EL0 synchronous exception detected on CPU0, code 0x02000000 -- Unknown/Uncategorized" \
	0000000002000000
expect_log "4.x SError" "SError Interrupt on CPU2, code 0xbf000000 -- SError" 00000000bf000000
expect_log "4.x do_sea" "Synchronous External Abort: synchronous external abort (0x92000610) at 0x0000ffff8c9d5000" \
	0000000092000610
expect_log "4.x do_mem_abort" "Unhandled fault: synchronous parity error (translation table walk (0x9600001c) at 0x0000000000001000" \
	000000009600001c
expect_log "4.x user fault" "a.out[77]: unhandled level 3 translation fault (11) at 0x00000000, esr 0x92000007" \
	0000000092000007
expect_log "VHE hyp panic" "PS:800003c9 PC:ffff000008a1b2c4 ESR:96000004" 0000000096000004
expect_log "KVM esr 0" "kvm [9]: Unknown exception class: esr: 0000000000000000 -- Unknown/Uncategorized" \
	0000000000000000
expect_log "two in a line" "ESR = 0x92000010 and ESR 0x96000010" "0000000092000010 0000000096000010"
expect_log "CRLF" "$(printf '  ESR = 0x0000000092000010\r')" 0000000092000010
# Lines without an ESR (or not an arm64 one) are ignored.
expect_log "32-bit ARM Oops" "Internal error: Oops: 817 [#1] PREEMPT SMP ARM" ""
expect_log "32-bit Thumb Oops" "Internal error: Oops: 5 [#1] SMP THUMB2" ""
expect_log "no ESR" "$(sed -n '1,4p;6,13p' "$dmesg")" ""
expect_log "near misses" "ESRs 0x1
esr=foo
USESR 0x92000010
ESR 92000010
ESR 0x92000010zz
ESR_ELx=0x1
ESR: DABT (current EL)
SError Interrupt on CPU0, code 92000010
Internal error: Oops: 0x [#1]" ""
expect_log "empty" "" ""
# Bad input in a log: a number too big, a NUL, a line too long.
printf 'ESR 0x92000010\nESR = 0x10000000000000000\nESR 0x1\n' | run --log --oneline >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] &&
	grep -qF "line 2: invalid value '0x10000000000000000': does not fit in 64 bits" "$tmp/err" &&
	ok || bad "--log overflow: rc=$rc, stderr: $(cat "$tmp/err")"
printf 'ESR = 0x%064d\n' 1 | run --log >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "line 1: invalid value '0x0000.*longer than 64 characters" "$tmp/err" && ok ||
	bad "--log: a 66-character number"
printf 'ok\nESR = 0x92\00000010\n' | run --log >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "line 2: a NUL byte" "$tmp/err" && ok || bad "--log: NUL"
{ printf 'ESR = 0x92000010 '; printf '%04096d\n' 0; } | run --log >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "line 1: longer than 4096 bytes" "$tmp/err" && ok || bad "--log: long line"
printf '%04096d\nESR = 0x1\n' 0 | run --log --oneline >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] && ok || bad "--log: a 4096-byte line"
expect_usage "--log with a VALUE" --log 0x92000010
expect_text "--log with a VALUE" "$tmp/err" "no VALUE"

finish
