#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Install everything libkvmsea's build, tests and demo need, on Debian
# bookworm (amd64), as root. Idempotent: when every package is already
# installed it only checks and returns (well under a second), so
# scripts/test.sh and scripts/main.sh call it every time.
#
# Never prompts: works with no stdin, CI=true, DEBIAN_FRONTEND=noninteractive.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

# --- The package list: one group a line, with why it is needed. ---------
packages=(
	# build: meson + ninja, the native C toolchain, the unit-test framework
	meson ninja-build pkg-config gcc g++ libc6-dev make python3 libcmocka-dev
	# the clang build, ASan/UBSan runtimes for clang, libFuzzer (clang-14's
	# -fsanitize=fuzzer needs libclang-rt-14-dev), llvm tools
	clang llvm libclang-rt-14-dev
	# the aarch64 cross build and its tests under qemu user mode
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
	libcmocka-dev:arm64 qemu-user
	# checks and docs: valgrind, ABI (abidiff), manual pages and rendering
	# them (man -l), shell lint
	valgrind abigail-tools scdoc man-db groff-base shellcheck file
	# fetching (scripts/debfetch: apt itself, python3; apt's https needs
	# the certificates) and unpacking Debian packages (uapi check, e2e
	# kernel and sources): .xz, initramfs cpio, dpkg-source
	ca-certificates xz-utils cpio dpkg-dev patch
	# e2e: building Debian bookworm's QEMU 7.2 source, aarch64-softmmu only
	# (a conservative subset of its Build-Depends)
	libglib2.0-dev libpixman-1-dev zlib1g-dev libfdt-dev libslirp-dev
	libcap-ng-dev libattr1-dev libzstd-dev flex bison bzip2
	device-tree-compiler
	# e2e, nested stage: QEMU 10's configure makes a python venv
	python3-venv
	# e2e: the assembler for the AArch32 EL1 guest (tests/e2e/guest32.S)
	binutils-arm-linux-gnueabihf
)

native_arch=$(dpkg --print-architecture)

# Print the packages of $@ that are not fully installed. A name without an
# arch qualifier means the native architecture (or "all"); a :arm64 name
# must be installed for arm64.
missing_packages() {
	local status
	# One dpkg-query for all names: "<name> <arch> <status>" per instance.
	status=$(dpkg-query -W -f='${Package} ${Architecture} ${db:Status-Abbrev}\n' \
		"${@%%:*}" 2>/dev/null || true)
	local p name arch
	for p in "$@"; do
		name=${p%%:*}
		if [[ $p == *:* ]]; then arch=${p#*:}; else arch=$native_arch; fi
		if ! awk -v n="$name" -v a="$arch" '
			$1 == n && ($2 == a || $2 == "all") && $3 == "ii" { found = 1 }
			END { exit !found }' <<<"$status"; then
			printf '%s\n' "$p"
		fi
	done
}

arm64_enabled() {
	dpkg --print-foreign-architectures | grep -qx arm64
}

mapfile -t missing < <(missing_packages "${packages[@]}")
if arm64_enabled && [[ ${#missing[@]} -eq 0 ]]; then
	echo "setup: all ${#packages[@]} packages already installed"
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "setup: missing packages: ${missing[*]:-none} (arm64 enabled: $(arm64_enabled && echo yes || echo no))" >&2
	echo "setup: run this script as root to install them" >&2
	exit 1
fi

if ! arm64_enabled; then
	echo "setup: dpkg --add-architecture arm64"
	dpkg --add-architecture arm64
fi

# Another apt/dpkg run may hold the lock: wait for it rather than fail.
apt_opts=(-q -o DPkg::Lock::Timeout=600
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

echo "setup: apt-get update"
apt-get "${apt_opts[@]}" update </dev/null

echo "setup: installing ${missing[*]:-(none; arm64 was just enabled)}"
apt-get "${apt_opts[@]}" install -y --no-install-recommends "${packages[@]}" </dev/null

mapfile -t missing < <(missing_packages "${packages[@]}")
if [[ ${#missing[@]} -ne 0 ]]; then
	echo "setup: still not installed: ${missing[*]}" >&2
	exit 1
fi
echo "setup: done, ${#packages[@]} packages installed"
