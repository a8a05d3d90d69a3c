#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs in the arm64 guest of tests/e2e (rust/e2e.sh puts it there, with the
# example as /e2e/30-rust-sea-vmm): the example VMM with a real SEA, its
# bad page backed by the hole at 0x0b000000 (tests/e2e/README.md), once per
# strategy, and once with the failed MMIO read. One E2E line per run.
vmm=/e2e/30-rust-sea-vmm
for args in "--strategy auto" "--strategy vcpu-events" "--strategy emulate"; do
	# shellcheck disable=SC2086 # the words are the options
	if out=$("$vmm" --devmem 0x0b000000 $args 2>&1); then
		echo "E2E PASS rust sea-vmm --devmem 0x0b000000 $args"
	else
		echo "E2E FAIL rust sea-vmm --devmem 0x0b000000 $args"
	fi
	echo "$out" | sed 's/^/  /'
done
if out=$("$vmm" 2>&1); then
	echo "E2E PASS rust sea-vmm (failed MMIO read, auto)"
else
	echo "E2E FAIL rust sea-vmm (failed MMIO read, auto)"
fi
echo "$out" | sed 's/^/  /'
