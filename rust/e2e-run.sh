#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs in the arm64 guest of tests/e2e (rust/e2e.sh puts it there, with the
# example as /e2e/e2e-30-rust-sea-vmm): the example VMM with a real SEA, its
# bad page backed by the hole at 0x0b000000 (tests/e2e/README.md), once per
# strategy; with poisoned guest RAM (the SIGBUS path) for the strategies
# that can carry an FnV abort; and once with the failed MMIO read. One E2E
# line per run.
vmm=/e2e/e2e-30-rust-sea-vmm
# one NAME ARGS...
one() {
	name=$1
	shift
	if out=$("$vmm" "$@" 2>&1); then
		echo "E2E PASS rust sea-vmm $name"
	else
		echo "E2E FAIL rust sea-vmm $name"
	fi
	echo "$out" | sed 's/^/  /'
}
for strategy in auto vcpu-events emulate; do
	one "--devmem 0x0b000000 --strategy $strategy" --devmem 0x0b000000 --strategy "$strategy"
done
for strategy in auto emulate; do
	one "--poison --strategy $strategy" --poison --strategy "$strategy"
done
one "(failed MMIO read, auto)"
