#!/bin/bash
# SPDX-License-Identifier: MIT
# Build qemu-system-aarch64 once from a Debian qemu source package, with
# Debian's patch series and our TEA patch. The binary is cached under
# $CACHE/qemu/<debian version>-<hash of patch, flags and devices>/.
#
#   build-qemu.sh [default|new]
#
#   default  bookworm's qemu 7.2 + qemu-tea.patch: the main e2e suite.
#   new      the newest qemu >= 10.2 that sid (or else forky) serves, with
#            qemu10-tea.patch, for two users: the e2e nested stage (-cpu
#            max has FEAT_NV2, so KVM can offer nested virtualization) and
#            tests/cper's guest (10.2 is the first with the QMP command
#            inject-ghes-v2-error). QEMU 10 needs meson >= 1.5: bookworm's
#            is 1.0, so meson comes from bookworm-backports, unpacked into
#            the cache (no install).
#
# Prints "qemu VERSION PATH" on the last line of stdout. Exit 77 when no
# source can be had or it does not build.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
debfetch=$here/../../scripts/debfetch
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libkvmsea
profile=${1:-default}
skip() { echo "build-qemu: cannot continue: $*" >&2; exit 77; }

# Everything optional off: TCG, the virt machine, and libfdt are all we use.
# The device list is ours: the virt board and what its Kconfig only gets
# from "default y" lines, which --without-default-devices drops.
flags=(--target-list=aarch64-softmmu --without-default-features
       --without-default-devices --with-devices-aarch64=kvmsea-e2e
       --enable-tcg --enable-fdt=system --disable-debug-info
       --disable-werror --disable-docs)
case $profile in
default)
	suites=bookworm
	spec=qemu
	tea=$here/qemu-tea.patch
	# QEMU 7.2: the TCG GICv3 for gic-version=3, and ARM_V7M because 7.2
	# links target/arm/m_helper.c into every TCG build (it needs the NVIC).
	devices='CONFIG_ARM_VIRT=y
CONFIG_ARM_GICV3_TCG=y
CONFIG_ARM_V7M=y'
	;;
new)
	suites='sid forky'
	spec='qemu>=1:10.2'
	tea=$here/qemu10-tea.patch
	# ras=on needs ACPI: GHES_CPER (the QMP injection), and CXL with what
	# it needs (virt's ACPI tables link against it and create its root
	# port), all "default y" lines that --without-default-devices drops.
	devices='CONFIG_ARM_VIRT=y
CONFIG_ARM_GICV3=y
CONFIG_GHES_CPER=y
CONFIG_PXB=y
CONFIG_CXL=y
CONFIG_CXL_MEM_DEVICE=y
CONFIG_PCIE_PORT=y'
	# The Debian source has no firmware blobs; we need none.
	flags+=(--disable-install-blobs)
	;;
*)
	echo "usage: build-qemu.sh [default|new]" >&2
	exit 2
	;;
esac
key=$( { cat "$tea"; echo "${flags[*]}" "$devices"; } | sha256sum | cut -c1-12)

# fetch_source SUITE: the newest source SUITE serves that $spec allows. An
# index may name a version the archive does not serve yet: after a failed
# download, the next older one (debfetch names the version it could not
# get).
fetch_source() {
	local want=$spec err failed
	err=$(mktemp)
	for _ in 1 2 3 4 5; do
		if "$debfetch" source "$1" "$want" 2>"$err"; then
			rm -f "$err"
			return 0
		fi
		failed=$(sed -n 's/.*download-only qemu=\([^ ]*\) failed.*/\1/p' "$err")
		[ -n "$failed" ] || break
		echo "build-qemu: $1 names qemu $failed, which the archive does not serve; trying an older one" >&2
		want="qemu<<$failed"
	done
	cat "$err" >&2
	rm -f "$err"
	return 1
}

# A meson that is new enough, on PYTHONPATH for configure and ninja.
new_meson() {
	local meson_deb root=$cache/meson-backports
	dpkg --compare-versions "$(meson --version 2>/dev/null || echo 0)" ge 1.5 && return 0
	read -r _ _ meson_deb < <("$debfetch" binary bookworm-backports meson) ||
		skip "meson from bookworm-backports"
	rm -rf "$root" && mkdir -p "$root"
	dpkg-deb -x "$meson_deb" "$root"
	export PYTHONPATH=$root/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}
}

# build VERSION ORIG DEBIAN OUT: unpack, patch and build into OUT. Returns 1
# when a patch does not apply (another suite's version may take it).
build() {
	local version=$1 orig=$2 debian=$3 out=$4 work=$cache/qemu/build-$key src p
	rm -rf "$work" && mkdir -p "$work"
	tar -xf "$orig" -C "$work"
	src=$(echo "$work"/qemu-*)
	tar -xf "$debian" -C "$src"
	# Debian's series (stable updates and packaging fixes), then ours.
	while read -r p; do
		patch -d "$src" -p1 -s -N < "$src/debian/patches/$p" ||
			{ echo "build-qemu: debian patch $p does not apply to $version" >&2; return 1; }
	done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$src/debian/patches/series")
	patch -d "$src" -p1 -s -N < "$tea" ||
		{ echo "build-qemu: ${tea##*/} does not apply to $version" >&2; return 1; }
	[ "$profile" = default ] || new_meson
	echo "$devices" > "$src/configs/devices/aarch64-softmmu/kvmsea-e2e.mak"
	mkdir -p "$src/build"
	(cd "$src/build" && ../configure "${flags[@]}" > configure.log 2>&1) || {
		tail -30 "$src/build/configure.log" >&2
		skip "qemu configure failed (missing build dependency? see above)"
	}
	ninja -C "$src/build" -j"$(nproc)" qemu-system-aarch64 > "$src/build/build.log" 2>&1 ||
		{ tail -30 "$src/build/build.log" >&2; skip "qemu build failed"; }
	mkdir -p "$out"
	cp "$src/build/qemu-system-aarch64" "$out/qemu-system-aarch64.tmp"
	mv "$out/qemu-system-aarch64.tmp" "$out/qemu-system-aarch64"
	rm -rf "$work"
}

for suite in $suites; do
	line=$(fetch_source "$suite") || continue
	read -r _ version _ orig debian <<<"$line"
	out=$cache/qemu/${version#*:}-$key
	bin=$out/qemu-system-aarch64
	if ! { [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; }; then
		build "$version" "$orig" "$debian" "$out" || continue
	fi
	echo "qemu $version $bin"
	exit 0
done
skip "no qemu source ($spec) in $suites that takes ${tea##*/}"
