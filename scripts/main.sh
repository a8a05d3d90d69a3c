#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# THE main-job command (README.md):
#
#     bash scripts/main.sh
#
# Installs what is needed (scripts/setup.sh), builds libkvmsea natively with
# gcc in build-gcc, then runs the demo below. Three steps, one function each.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

export DEBIAN_FRONTEND=noninteractive

setup() {
	bash scripts/setup.sh </dev/null
}

build() {
	CC=gcc meson_configure build-gcc -Dwerror=true
	meson compile -C build-gcc
}

# The demo: the examples in an emulated arm64 host (Debian's arm64 kernel
# with KVM, under the patched qemu-system-aarch64 of tests/e2e). minimal,
# then sea-vmm: it raises real SEAs on a bad page, shows the decoded event,
# injects with each strategy and shows the guest's handler running; then the
# same with the kernel's exit written by hand (--simulate), then sea-policy.
# The first run downloads the kernel and QEMU's source and builds QEMU
# (about 10 minutes on 2 cores); later runs take the cached copies.
demo() {
	build-gcc/tools/kvmsea-esr --oneline 0x92000010
	meson_configure build-aarch64 --cross-file scripts/cross/aarch64-linux-gnu.ini -Dwerror=true
	meson compile -C build-aarch64 examples/minimal-static examples/sea-vmm-static \
		examples/sea-policy-static
	tests/e2e/run.sh build-aarch64/examples/minimal-static \
		build-aarch64/examples/sea-vmm-static build-aarch64/examples/sea-policy-static \
		examples/e2e-examples.sh
}

# The headline: a real VMM. The same Linux guest and the same bad memory
# under Debian's QEMU and under QEMU with libkvmsea (integrations/qemu),
# inside the same emulated host, side by side (tests/e2e/qemu). The first run
# also unpacks trixie's arm64 libraries and builds the patched QEMU (2 to 5
# more minutes on 2 cores, measured); then 50 s for the boot and the three
# guests (measured warm, 2026-12-01).
headline() {
	local log
	meson_configure build-e2e --cross-file scripts/cross/aarch64-linux-gnu.ini -De2e=enabled -Dwerror=true
	meson compile -C build-e2e tests/e2e/qemu/e2e-qemu-vmm-run tests/e2e/qemu/e2e-qemu-l2-touch
	log=build-e2e/headline-console.log # the emulated host's console, kept
	KVMSEA_VMM_SCENARIOS='^(stock-page|off-hole|ours-auto)$' KVMSEA_VMM_LOG=$log \
		tests/e2e/qemu/run.sh build-e2e/tests/e2e/qemu/e2e-qemu-vmm-run \
		build-e2e/tests/e2e/qemu/e2e-qemu-l2-touch
	tests/e2e/qemu/side-by-side.sh "$log" off-hole ours-auto \
		"(a) a real SEA (exit 41): QEMU with the capability off (as stock) | QEMU with libkvmsea"
	tests/e2e/qemu/side-by-side.sh "$log" stock-page ours-auto \
		"(b) a poisoned page of guest RAM (SIGBUS): Debian's QEMU | QEMU with libkvmsea"
}

setup
build
demo
headline
