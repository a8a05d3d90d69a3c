#!/bin/bash
# SPDX-License-Identifier: MIT
# Build qemu-system-aarch64 from Debian bookworm's qemu source with Debian's
# patch series and our qemu-tea.patch, once: the binary is cached under
# $CACHE/qemu/<debian version>-<hash of patch and configure flags>/.
# Prints "qemu VERSION PATH" on the last line of stdout. Exit 77 when the
# source cannot be had or does not build.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libkvmsea
skip() { echo "build-qemu: cannot continue: $*" >&2; exit 77; }

# Everything optional off: TCG, the virt machine, and libfdt are all we use.
# The device list is ours: the virt board and the two things its Kconfig
# only gets from "default y" lines, which --without-default-devices drops:
# the TCG GICv3 (gic-version=3), and ARM_V7M because QEMU 7.2 links
# target/arm/m_helper.c into every TCG build and it needs the NVIC.
devices='CONFIG_ARM_VIRT=y
CONFIG_ARM_GICV3_TCG=y
CONFIG_ARM_V7M=y'
flags=(--target-list=aarch64-softmmu --without-default-features
       --without-default-devices --with-devices-aarch64=kvmsea-e2e
       --enable-tcg --enable-fdt=system --disable-debug-info
       --disable-werror --disable-docs)

read -r _ version files < <("$here/debfetch.py" source bookworm qemu "$cache/src") \
	|| skip "bookworm's qemu source"
key=$( { cat "$here/qemu-tea.patch"; echo "${flags[*]}" "$devices"; } | sha256sum | cut -c1-12)
out=$cache/qemu/${version#*:}-$key
bin=$out/qemu-system-aarch64
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
	echo "qemu $version $bin"
	exit 0
fi

read -r dsc orig debian <<<"$files"
work=$cache/qemu/build-$key
rm -rf "$work" && mkdir -p "$work"
tar -xf "$orig" -C "$work"
src=$(echo "$work"/qemu-*)
tar -xf "$debian" -C "$src"
# Debian's series (stable updates and packaging fixes), then ours.
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$src/debian/patches/series" |
while read -r p; do
	patch -d "$src" -p1 -s -N < "$src/debian/patches/$p" || skip "debian patch $p does not apply"
done
patch -d "$src" -p1 -s -N < "$here/qemu-tea.patch" || skip "qemu-tea.patch does not apply"

echo "$devices" > "$src/configs/devices/aarch64-softmmu/kvmsea-e2e.mak"
mkdir -p "$src/build"
cd "$src/build"
../configure "${flags[@]}" > configure.log 2>&1 || { tail -30 configure.log >&2; skip "qemu configure failed (missing build dependency? see above)"; }
ninja -j"$(nproc)" qemu-system-aarch64 > build.log 2>&1 || { tail -30 build.log >&2; skip "qemu build failed"; }
mkdir -p "$out"
cp qemu-system-aarch64 "$bin.tmp" && mv "$bin.tmp" "$bin"
cd / && rm -rf "$work"
echo "qemu $version $bin"
