#!/bin/bash
# SPDX-License-Identifier: MIT
#
# build-qemu.sh: qemu-system-aarch64 for the CPER guest test, built once
# from Debian's qemu source (the newest sid serves that is >= 10.2: the
# first with the QMP command inject-ghes-v2-error) with Debian's patch
# series and nothing of ours. Only aarch64-softmmu, TCG, and the virt board
# with what ras=on needs (ACPI, the GHES error sources and their QMP
# injection, fw_cfg, pflash for UEFI). Cached under
# $CACHE/qemu/<debian version>-ghes-<hash of flags and devices>/.
#
# Prints "qemu VERSION PATH" on the last line. Exit 77 when the source cannot
# be had or does not build.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
debfetch=$here/../../../scripts/debfetch
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libkvmsea
skip() { echo "build-qemu: cannot continue: $*" >&2; exit 77; }

flags=(--target-list=aarch64-softmmu --without-default-features
       --without-default-devices --with-devices-aarch64=kvmsea-ghes
       --enable-tcg --enable-fdt=system --disable-debug-info
       --disable-werror --disable-docs --disable-install-blobs)
# --without-default-devices also drops the "default y" lines the virt
# board relies on: GHES_CPER (the QMP injection), and CXL with what it
# needs (virt's ACPI tables link against it and create its root port),
# so they are named here.
devices='CONFIG_ARM_VIRT=y
CONFIG_ARM_GICV3=y
CONFIG_GHES_CPER=y
CONFIG_PXB=y
CONFIG_CXL=y
CONFIG_CXL_MEM_DEVICE=y
CONFIG_PCIE_PORT=y'

# The newest qemu source sid serves that is >= 10.2: an index may name a
# version the archive does not serve yet, so after a failed download try
# the next older one (debfetch names the version it could not get).
spec='qemu>=1:10.2'
err=$(mktemp)
trap 'rm -f "$err"' EXIT
for _ in 1 2 3 4 5; do
	if line=$("$debfetch" source sid "$spec" 2>"$err"); then
		break
	fi
	line=
	failed=$(sed -n 's/.*download-only qemu=\([^ ]*\) failed.*/\1/p' "$err")
	[ -n "$failed" ] || { cat "$err" >&2; skip "a qemu >= 10.2 source"; }
	echo "build-qemu: sid names qemu $failed, which the archive does not serve; trying an older one" >&2
	spec="qemu<<$failed"
done
[ -n "$line" ] || skip "a qemu >= 10.2 source that sid serves"
read -r _ version files <<<"$line"
dpkg --compare-versions "$version" ge 1:10.2 || skip "sid serves no qemu >= 10.2 (newest: $version)"
key=$(echo "${flags[*]}" "$devices" | sha256sum | cut -c1-12)
out=$cache/qemu/${version#*:}-ghes-$key
bin=$out/qemu-system-aarch64
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
	echo "qemu $version $bin"
	exit 0
fi

# QEMU 10 needs meson >= 1.5; bookworm has 1.0: unpack bookworm-backports'
# into the cache and put it on PYTHONPATH (nothing is installed).
if ! dpkg --compare-versions "$(meson --version 2>/dev/null || echo 0)" ge 1.5; then
	read -r _ _ meson_deb < <("$debfetch" binary bookworm-backports meson) ||
		skip "meson from bookworm-backports"
	meson_root=$cache/meson-ghes
	rm -rf "$meson_root" && mkdir -p "$meson_root"
	dpkg-deb -x "$meson_deb" "$meson_root"
	export PYTHONPATH=$meson_root/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}
fi

read -r _ orig debian <<<"$files"
work=$cache/qemu/build-ghes-$key
rm -rf "$work" && mkdir -p "$work"
tar -xf "$orig" -C "$work"
src=$(echo "$work"/qemu-*)
tar -xf "$debian" -C "$src"
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$src/debian/patches/series" |
while read -r p; do
	patch -d "$src" -p1 -s -N < "$src/debian/patches/$p" || skip "debian patch $p does not apply"
done

echo "$devices" > "$src/configs/devices/aarch64-softmmu/kvmsea-ghes.mak"
mkdir -p "$src/build"
cd "$src/build"
../configure "${flags[@]}" > configure.log 2>&1 ||
	{ tail -30 configure.log >&2; skip "qemu configure failed (missing build dependency? see above)"; }
ninja -j"$(nproc)" qemu-system-aarch64 > build.log 2>&1 || { tail -30 build.log >&2; skip "qemu build failed"; }
mkdir -p "$out"
cp qemu-system-aarch64 "$bin.tmp" && mv "$bin.tmp" "$bin"
cd / && rm -rf "$work"
echo "qemu $version $bin"
