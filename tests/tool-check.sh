# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# What the command-line tools' checks share (tests/esr/test-tool.sh,
# tests/cper/test-cper-tool.sh), sourced after the script set $tool: the
# run, the counts and the verdicts that are the same for every tool.
# (In a cross build, meson test sets MESON_EXE_WRAPPER, e.g. qemu-aarch64.)

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

# expect_text NAME FILE TEXT: FILE holds TEXT.
expect_text() {
	if grep -qF -- "$3" "$2"; then
		ok
	else
		bad "$1: '$3' not in: $(cat "$2")"
	fi
}

# expect_write_error NAME: after a run with stdout and stderr redirected
# and its status in $rc, the tool ended with exit 1 and said why.
expect_write_error() {
	if [ "$rc" -eq 1 ] && grep -q "writing standard output" "$tmp/err"; then
		ok
	else
		bad "$1: rc=$rc (want 1), stderr: $(cat "$tmp/err")"
	fi
}

# The last line of a check: the counts, and its exit status.
finish() {
	echo "$passed passed, $failed failed"
	[ $failed -eq 0 ]
}
