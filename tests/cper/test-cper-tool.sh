#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks the kvmsea-cper command-line tool on blocks libkvmsea builds
# (make-block) and on malformed ones made from them here: a valid block
# decodes and exits 0, an invalid one is decoded as far as it goes and
# exits 1 with a message saying what is wrong, hex text, the input limits,
# escaped echoes, usage errors (exit 2) and write errors (exit 1).
# Usage: test-cper-tool.sh PATH-TO-kvmsea-cper PATH-TO-make-block
set -u

tool=$1
make_block=$2
# shellcheck source-path=SCRIPTDIR source=../tool-check.sh
. "$(dirname "$0")/../tool-check.sh"

# The blocks: 4k (one memory section), 64k (16), arm (a memory section
# and an ARM processor section with the ESR in its context).
for kind in 4k 64k arm; do
	if ! eval "$wrapper \"\$make_block\" $kind" >"$tmp/$kind.bin"; then
		echo "FAIL: make-block $kind"
		exit 1
	fi
done

# patch FILE OFFSET OCTAL-ESCAPES: a copy of FILE with bytes replaced at
# OFFSET, in $tmp/patched.bin.
patch() {
	cp "$1" "$tmp/patched.bin"
	# shellcheck disable=SC2059
	printf "$3" | dd of="$tmp/patched.bin" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# expect_valid NAME ARGS...: exit 0, the decode on stdout, nothing on stderr.
expect_valid() {
	name=$1
	shift
	run "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] || ! grep -q '^CPER block: ' "$tmp/out" || [ -s "$tmp/err" ]; then
		bad "$name: rc=$rc, stderr: $(cat "$tmp/err")"
	else
		ok
	fi
}

# expect_invalid NAME MESSAGE ARGS...: exit 1 and MESSAGE on stderr.
expect_invalid() {
	name=$1
	message=$2
	shift 2
	run "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 1 ] || ! grep -qF -- "$message" "$tmp/err"; then
		bad "$name: rc=$rc (want 1), stderr: $(cat "$tmp/err")"
	else
		ok
	fi
}


# expect_count NAME FILE N TEXT: TEXT on exactly N lines of FILE.
expect_count() {
	n=$(grep -cF -- "$4" "$2")
	[ "$n" -eq "$3" ] && ok || bad "$1: $n lines with '$4', want $3"
}

# Valid blocks, from a file and from standard input.
expect_valid 4k "$tmp/4k.bin"
expect_text 4k "$tmp/out" "CPER block: 172 bytes, severity recoverable, block status 0x00000011 uncorrectable, 1 entries"
expect_text 4k "$tmp/out" " entry 0: memory error, severity recoverable, revision 0x0300, flags 0x01 primary, 80 bytes"
expect_text 4k "$tmp/out" "  timestamp: 2025-12-01 12:00:00 imprecise"
expect_text 4k "$tmp/out" "  physical address: 0x0000000050000128"
expect_text 4k "$tmp/out" "  physical address mask: 0xfffffffffffff000"
expect_text 4k "$tmp/out" "   read of poisoned data"
run <"$tmp/4k.bin" >"$tmp/stdin" 2>"$tmp/err"
[ $? -eq 0 ] && cmp -s "$tmp/out" "$tmp/stdin" && ok || bad "4k on stdin: not the same decode"
run - <"$tmp/4k.bin" >"$tmp/stdin" 2>"$tmp/err"
[ $? -eq 0 ] && cmp -s "$tmp/out" "$tmp/stdin" && ok || bad "4k on stdin, -"

expect_valid 64k "$tmp/64k.bin"
expect_text 64k "$tmp/out" "CPER block: 2452 bytes, severity recoverable, block status 0x00000105 uncorrectable multiple, 16 entries"
expect_count 64k "$tmp/out" 16 ": memory error, severity recoverable"
expect_text 64k "$tmp/out" " entry 15: memory error"
expect_text 64k "$tmp/out" "  physical address: 0x0000000050001000"
expect_text 64k "$tmp/out" "  physical address: 0x000000005000f000"

expect_valid arm "$tmp/arm.bin"
expect_text arm "$tmp/out" " entry 1: ARM processor error, severity recoverable"
expect_text arm "$tmp/out" "  MIDR: 0x00000000410fd0c1"
expect_text arm "$tmp/out" "  MPIDR: 0x0000000080000001"
expect_text arm "$tmp/out" "    operation: data read"
expect_text arm "$tmp/out" "   virtual fault address: 0x0000ffff8c9d5128"
expect_text arm "$tmp/out" "  context 0: misc system registers, 10 bytes"
expect_text arm "$tmp/out" "   ESR_EL2: 0x0000000092000010"
expect_text arm "$tmp/out" "    ESR 0x0000000092000010: EC 0x24 DABT_LOW (Data Abort from a lower EL), IL 32-bit, SET 0b00 (UER: recoverable), FnV 0, EA 0, WnR 0 (read), DFSC 0x10 (synchronous external abort, not on a translation table walk), severity UER"

# Bytes after the block's own length (a source's whole block area) are
# ignored, up to the limit: 65536 bytes in all.
{ cat "$tmp/4k.bin"; head -c $((65536 - 172)) /dev/zero; } >"$tmp/big.bin"
expect_valid "64 KiB input" "$tmp/big.bin"
expect_text "64 KiB input" "$tmp/out" "CPER block: 172 bytes"
head -c 1 /dev/zero >>"$tmp/big.bin"
expect_invalid "65537 bytes" "standard input: longer than 65536 bytes" <"$tmp/big.bin"
[ -s "$tmp/out" ] && bad "65537 bytes: a decode on stdout" || ok

# Invalid blocks: decoded as far as they go, exit 1, what is wrong on stderr.
: >"$tmp/empty"
expect_invalid empty "'$tmp/empty': empty: no block" "$tmp/empty"
[ -s "$tmp/out" ] && bad "empty: a decode on stdout" || ok
expect_invalid "empty stdin" "standard input: empty: no block" </dev/null
head -c 19 "$tmp/4k.bin" >"$tmp/short"
expect_invalid "19 bytes" "invalid block: truncated: 19 bytes, shorter than the 20-byte header" "$tmp/short"
expect_text "19 bytes" "$tmp/out" "CPER block: malformed: shorter than its header"
for kind in 4k 64k arm; do
	size=$(wc -c <"$tmp/$kind.bin")
	head -c $((size - 1)) "$tmp/$kind.bin" >"$tmp/short"
	expect_invalid "$kind truncated" \
		"invalid block: truncated: its length is more than the $((size - 1)) bytes read" "$tmp/short"
	expect_text "$kind truncated" "$tmp/out" " malformed: longer than the buffer"
done
# Block Status 0: no record (a block has no checksum; this is its "valid").
patch "$tmp/4k.bin" 0 '\000\000\000\000'
expect_invalid "Block Status 0" "invalid block: no record (Block Status is 0)" "$tmp/patched.bin"
expect_text "Block Status 0" "$tmp/out" " no record (block status 0)"
# Data length: longer than the input, shorter than its entry, and not even
# one entry header.
patch "$tmp/4k.bin" 12 '\000\001'
expect_invalid "data length 256" "invalid block: truncated: its length is more than the 172 bytes read" \
	"$tmp/patched.bin"
patch "$tmp/4k.bin" 12 '\220'
expect_invalid "data length 144" "invalid block: malformed" "$tmp/patched.bin"
expect_text "data length 144" "$tmp/out" "CPER block: 164 bytes"
expect_text "data length 144" "$tmp/out" " malformed: stops here"
patch "$tmp/4k.bin" 12 '\020'
expect_invalid "data length 16" "invalid block: malformed" "$tmp/patched.bin"
# A severity Linux would take as fatal, in the block and in an entry.
patch "$tmp/4k.bin" 16 '\007'
expect_invalid "block severity 7" "invalid block: malformed" "$tmp/patched.bin"
expect_text "block severity 7" "$tmp/out" "severity invalid"
patch "$tmp/4k.bin" $((20 + 16)) '\007'
expect_invalid "entry severity 7" "invalid block: malformed" "$tmp/patched.bin"
expect_text "entry severity 7" "$tmp/out" " entry 0: memory error, severity invalid"
# A 64k block whose last entry's section runs past the data.
patch "$tmp/64k.bin" $((20 + 15 * 152 + 24)) '\121'
expect_invalid "64k: last section too long" "invalid block: malformed" "$tmp/patched.bin"
expect_text "64k: last section too long" "$tmp/out" " entry 14: memory error"
grep -q " entry 15:" "$tmp/out" && bad "64k: entry 15 decoded" || ok
# An ARM context of an unknown type (9): the memory entry decodes, the ARM
# one stops.
patch "$tmp/arm.bin" $((20 + 152 + 72 + 40 + 32 + 2)) '\011'
expect_invalid "arm: context type 9" "invalid block: malformed" "$tmp/patched.bin"
expect_text "arm: context type 9" "$tmp/out" " entry 1: ARM processor error"
expect_text "arm: context type 9" "$tmp/out" "  malformed: stops here"

# Hex text: od's bytes, xxd -p's lines (made with od here), print_hex_dump's
# bytes; the same decode as the binary block.
run "$tmp/arm.bin" >"$tmp/want"
od -An -tx1 -v "$tmp/arm.bin" >"$tmp/arm.od"
od -An -tx1 -v "$tmp/arm.bin" | tr -d ' \n' | fold -w 60 >"$tmp/arm.xxd"
for form in od xxd; do
	expect_valid "--hex $form" --hex "$tmp/arm.$form"
	cmp -s "$tmp/want" "$tmp/out" && ok || bad "--hex $form: not the binary's decode"
	run --hex <"$tmp/arm.$form" >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 0 ] && cmp -s "$tmp/want" "$tmp/out" && ok || bad "--hex $form on stdin"
done
tr 'a-f' 'A-F' <"$tmp/arm.xxd" | run --hex >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && cmp -s "$tmp/want" "$tmp/out" && ok || bad "--hex upper case"
printf '\r\n\t 0300 0000\f\v' | run --hex >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "invalid block: truncated: 4 bytes" "$tmp/err" && ok ||
	bad "--hex white space: $(cat "$tmp/err")"
expect_invalid "--hex: a bad digit" "standard input: line 2, column 5: not a hex digit: 'g'" \
	--hex <<EOF
03 00
00 0g
EOF
expect_invalid "--hex: an odd digit" "standard input: line 1, column 4: an odd number of hex digits" \
	--hex <<EOF
03 0 00 00
EOF
printf '03 0' | run --hex >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "line 1, column 4: an odd number" "$tmp/err" && ok || bad "--hex: odd at the end"
expect_invalid "--hex: 0x" "line 1, column 2: not a hex digit: 'x'" --hex <<EOF
0x03
EOF
printf '03 \000' | run --hex >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -qF "line 1, column 4: not a hex digit: '\x00'" "$tmp/err" && ok ||
	bad "--hex: a NUL byte: $(cat "$tmp/err")"
expect_invalid "--hex: empty" "standard input: empty: no block" --hex </dev/null
printf ' \n\n' | run --hex >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "empty: no block" "$tmp/err" && ok || bad "--hex: only white space"
head -c 65537 /dev/zero | od -An -tx1 -v | tr -d ' \n' | fold -w 60 >"$tmp/big.hex"
expect_invalid "--hex: 65537 bytes" "more than 65536 bytes" --hex "$tmp/big.hex"
head -c 262145 /dev/zero | tr '\0' ' ' >"$tmp/spaces"
expect_invalid "--hex: 262145 characters" "longer than 262144 characters" --hex "$tmp/spaces"
head -c 262144 /dev/zero | tr '\0' ' ' >"$tmp/spaces"
expect_invalid "--hex: 262144 blanks" "empty: no block" --hex "$tmp/spaces"

# Nothing but text reaches the terminal: a block full of escape bytes
# decodes to printable ASCII, and bad input comes back escaped.
esc=$(printf '\033')
for kind in 4k arm; do
	size=$(wc -c <"$tmp/$kind.bin")
	{ head -c 20 "$tmp/$kind.bin"; head -c $((size - 20)) /dev/zero | tr '\0' '\033'; } \
		>"$tmp/esc.bin"
	run "$tmp/esc.bin" >"$tmp/out" 2>"$tmp/err"
	if LC_ALL=C grep -q '[^[:print:]]' "$tmp/out" || [ ! -s "$tmp/out" ]; then
		bad "$kind with escape bytes: $(od -c "$tmp/out" | head -3)"
	else
		ok
	fi
done
printf '03 \033[2J' | run --hex >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && ! grep -q "$esc" "$tmp/err" && grep -qF "not a hex digit: '\x1b'" "$tmp/err" && ok ||
	bad "--hex: escape byte echoed raw"
run "$tmp/no${esc}such" >"$tmp/out" 2>"$tmp/err"
! grep -q "$esc" "$tmp/err" && grep -qF "no\x1bsuch': No such file or directory" "$tmp/err" && ok ||
	bad "file name escaped: $(od -c "$tmp/err" | head -3)"
expect_usage "option escaped" "--${esc}[2J"
expect_text "option escaped" "$tmp/err" "unknown option '--\x1b[2J'"

# Read errors: a missing file, a directory.
expect_invalid "missing file" "'$tmp/missing': No such file or directory" "$tmp/missing"
expect_invalid "directory" "'$tmp': reading: Is a directory" "$tmp"
expect_invalid "directory on stdin" "standard input: reading: Is a directory" <"$tmp"

# Usage.
run --help >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -qF "Usage: kvmsea-cper [--hex] [FILE]" "$tmp/out" && ok || bad "--help"
run --version >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q '^kvmsea-cper [0-9]' "$tmp/out" && ok || bad "--version"
expect_usage "unknown option" --frobnicate "$tmp/4k.bin"
expect_text "unknown option" "$tmp/err" "unknown option '--frobnicate'"
expect_usage "two files" "$tmp/4k.bin" "$tmp/4k.bin"
expect_valid "-- FILE" -- "$tmp/4k.bin"
expect_valid "-- -" -- - <"$tmp/4k.bin"

# Write errors end the tool with exit 1 and a message: a full device, a
# closed stdout; for a valid block, an invalid one (which also says what
# is wrong) and the help.
for args in "$tmp/4k.bin" "$tmp/64k.bin" "$tmp/short" --help --version; do
	for how in full closed; do
		if [ $how = full ]; then
			run "$args" >/dev/full 2>"$tmp/err"
		else
			run "$args" >&- 2>"$tmp/err"
		fi
		rc=$?
		expect_write_error "$args, stdout $how"
	done
done
run "$tmp/short" >&- 2>"$tmp/err"
grep -q "invalid block: truncated" "$tmp/err" && ok || bad "invalid block, stdout closed: no verdict"
# Nothing to write to a closed stdout is no error beyond the input's.
run "$tmp/empty" >&- 2>"$tmp/err"
[ $? -eq 1 ] && ! grep -q "writing" "$tmp/err" && ok || bad "empty, stdout closed"

finish
