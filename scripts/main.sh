#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# THE main-job command (README.md):
#
#     bash scripts/main.sh
#
# Installs what is needed (scripts/setup.sh), builds libkvmsea natively with
# gcc in build-gcc, then runs the demo. Three steps, one function each, so
# the demo can be replaced without touching the rest.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

export DEBIAN_FRONTEND=noninteractive

setup() {
	bash scripts/setup.sh </dev/null
}

build() {
	CC=gcc meson_configure build-gcc
	meson compile -C build-gcc
}

# ==== LEAD: the demo ======================================================
# For now: decode the syndrome KVM reports for a guest SEA on a data access
# (EC 0x24 data abort from a lower EL, IL, DFSC 0x10 synchronous external
# abort). To be replaced by the sea-vmm demo in the emulated arm64 host.
demo() {
	build-gcc/tools/kvmsea-esr 0x92000010
}
# ==========================================================================

setup
build
demo
