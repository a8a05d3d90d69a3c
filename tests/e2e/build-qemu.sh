#!/bin/bash
# SPDX-License-Identifier: MIT
# Build qemu-system-aarch64 once from a Debian qemu source package, with
# Debian's patch series and our TEA patch. The binary is cached under
# $CACHE/qemu/<debian version>-<hash of patch, flags and devices>/.
#
#   build-qemu.sh [default|nested]
#
#   default  bookworm's qemu 7.2 + qemu-tea.patch: the main suite.
#   nested   trixie's qemu 10.0 + qemu10-tea.patch: -cpu max has FEAT_NV2,
#            so KVM can offer nested virtualization (kvm-arm.mode=nested).
#            QEMU 10 needs meson >= 1.5: bookworm's is 1.0, so meson comes
#            from bookworm-backports, unpacked into the cache (no install).
#
# Prints "qemu VERSION PATH" on the last line of stdout. Exit 77 when the
# source cannot be had or does not build.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
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
	suite=bookworm
	tea=$here/qemu-tea.patch
	# QEMU 7.2: the TCG GICv3 for gic-version=3, and ARM_V7M because 7.2
	# links target/arm/m_helper.c into every TCG build (it needs the NVIC).
	devices='CONFIG_ARM_VIRT=y
CONFIG_ARM_GICV3_TCG=y
CONFIG_ARM_V7M=y'
	;;
nested)
	suite=trixie
	tea=$here/qemu10-tea.patch
	devices='CONFIG_ARM_VIRT=y
CONFIG_ARM_GICV3=y'
	# The Debian source has no firmware blobs; we need none.
	flags+=(--disable-install-blobs)
	;;
*)
	echo "usage: build-qemu.sh [default|nested]" >&2
	exit 2
	;;
esac

debfetch=$here/../../scripts/debfetch
read -r _ version files < <("$debfetch" source "$suite" qemu) \
	|| skip "$suite's qemu source"
key=$( { cat "$tea"; echo "${flags[*]}" "$devices"; } | sha256sum | cut -c1-12)
out=$cache/qemu/${version#*:}-$key
bin=$out/qemu-system-aarch64
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
	echo "qemu $version $bin"
	exit 0
fi

# A meson that is new enough, on PYTHONPATH for configure and ninja.
if [ "$profile" = nested ] &&
   ! dpkg --compare-versions "$(meson --version 2>/dev/null || echo 0)" ge 1.5; then
	read -r _ _ meson_deb < <("$debfetch" binary bookworm-backports meson) \
		|| skip "meson from bookworm-backports"
	meson_root=$cache/meson-backports
	rm -rf "$meson_root" && mkdir -p "$meson_root"
	dpkg-deb -x "$meson_deb" "$meson_root"
	export PYTHONPATH=$meson_root/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}
fi

read -r _ orig debian <<<"$files"
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
patch -d "$src" -p1 -s -N < "$tea" || skip "${tea##*/} does not apply"

echo "$devices" > "$src/configs/devices/aarch64-softmmu/kvmsea-e2e.mak"
mkdir -p "$src/build"
cd "$src/build"
../configure "${flags[@]}" > configure.log 2>&1 || { tail -30 configure.log >&2; skip "qemu configure failed (missing build dependency? see above)"; }
ninja -j"$(nproc)" qemu-system-aarch64 > build.log 2>&1 || { tail -30 build.log >&2; skip "qemu build failed"; }
mkdir -p "$out"
cp qemu-system-aarch64 "$bin.tmp" && mv "$bin.tmp" "$bin"
cd / && rm -rf "$work"
echo "qemu $version $bin"
