#!/bin/busybox sh
# shellcheck shell=dash
# SPDX-License-Identifier: MIT
#
# The examples inside the emulated arm64 host of tests/e2e/run.sh:
#
#   tests/e2e/run.sh BUILD/examples/minimal-static BUILD/examples/sea-vmm-static \
#       BUILD/examples/sea-policy-static examples/e2e-examples.sh
#
# (BUILD: an aarch64 build, e.g. with scripts/cross/aarch64-linux-gnu.ini.)
# run.sh puts the files in /e2e of its initramfs and runs each in name
# order: this script first, then each program once more on its own with its
# defaults. This script runs minimal, then sea-vmm with each strategy and
# access, real SEAs first, then --simulate, then sea-policy; it prints their
# output indented (run.sh shows lines starting with two spaces) and one
# "E2E PASS/FAIL/SKIP" verdict line per run. A real SEA on an instruction
# fetch cannot be raised here (KVM maps the /dev/mem hole as device memory,
# never executable, and answers a fetch with its own prefetch abort):
# sea-vmm says so and exits 77, shown as SKIP.
minimal=/e2e/minimal-static
vmm=/e2e/sea-vmm-static
policy=/e2e/sea-policy-static
out=/tmp/example.out
fails=0

# one PROGRAM NAME ARGS...
one() {
	prog=$1 name=$2
	shift 2
	echo "  \$ $name $*"
	"$prog" "$@" >"$out" 2>&1
	rc=$?
	sed 's/^/  /' "$out"
	case $rc in
	0) echo "E2E PASS $name $*" ;;
	77) echo "E2E SKIP $name $* (cannot run here)" ;;
	*) echo "E2E FAIL $name $* (exit $rc)"; fails=$((fails + 1)) ;;
	esac
}

one "$minimal" minimal
for access in load store; do
	for strategy in auto vcpu-events emulate; do
		one "$vmm" sea-vmm --strategy "$strategy" --access "$access"
	done
done
one "$vmm" sea-vmm --access fetch
for access in load store; do
	one "$vmm" sea-vmm --simulate --access "$access"
done
for strategy in auto emulate; do
	one "$vmm" sea-vmm --simulate --strategy "$strategy" --access fetch
done
one "$policy" sea-policy
[ "$fails" = 0 ]
