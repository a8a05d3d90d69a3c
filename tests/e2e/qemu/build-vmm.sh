#!/bin/bash
# SPDX-License-Identifier: MIT
# Cross-build the VMM under test: Debian trixie's qemu source (the version of
# the stock qemu-system-arm:arm64 it is compared with), with Debian's patch
# series and ours, as an aarch64 qemu-system-aarch64 for KVM only, linked
# against the arm64 folder of sysroot.sh and against libkvmsea, built here
# from this tree as a static library. Cached under
# $CACHE/vmm-qemu/<debian version>-<hash of patches, flags, devices, sysroot
# and libkvmsea's sources>/.
#
#   build-vmm.sh SYSROOT PATCH...   -> prints "vmm VERSION PATH" last
#
# Exit 77 when the source cannot be had or does not build.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tree=$(cd "$here/../../.." && pwd)
debfetch=$tree/scripts/debfetch
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libkvmsea
skip() { echo "build-vmm: cannot continue: $*" >&2; exit 77; }
[ $# -ge 1 ] || { echo "usage: build-vmm.sh SYSROOT PATCH..." >&2; exit 2; }
sysroot=$1
shift
patches=("$@")

# KVM only, every optional feature off but libkvmsea. The devices: the virt
# board (it selects the PL011, fw_cfg, virtio-mmio, ACPI with GHES and the
# KVM GIC). -Werror: the whole build, our patches included, is warning-free
# with Debian's cross gcc.
flags=(--cross-prefix=aarch64-linux-gnu- --target-list=aarch64-softmmu
       --without-default-features --without-default-devices
       --with-devices-aarch64=kvmsea-vmm --enable-kvm --disable-tcg
       --enable-fdt=system --enable-libkvmsea --disable-install-blobs
       --disable-debug-info --enable-werror --disable-docs)
devices='CONFIG_ARM_VIRT=y
CONFIG_ARM_GICV3=y'
# Debian's cross gcc searches its own arm64 libc (bookworm's, from
# libc6-dev-arm64-cross) before the sysroot: put the sysroot's headers,
# start files and libraries first, or trixie's libraries do not link.
# (-isystem folders come before the compiler's own system folders.)
cflags_for() { echo "--sysroot=$1 -isystem $1/usr/include/aarch64-linux-gnu -isystem $1/usr/include"; }
ldflags_for() { echo "--sysroot=$1 -B$1/usr/lib/aarch64-linux-gnu/ -L$1/usr/lib/aarch64-linux-gnu"; }
libkvmsea_setup=(-Ddefault_library=static -Dtests=disabled -Dtools=disabled
                 -Dexamples=disabled -Ddocs=disabled -De2e=disabled
                 --prefix=/usr --libdir=lib/aarch64-linux-gnu)

read -r _ version files < <("$debfetch" source trixie qemu) \
	|| skip "trixie's qemu source"
libkvmsea_sources=$(cd "$tree" && find meson.build meson_options.txt lib include \
	-type f | sort | xargs cat | sha256sum)
key=$( { cat "${patches[@]}" /dev/null
	 echo "${flags[*]} $devices ${libkvmsea_setup[*]} ${sysroot##*/} $libkvmsea_sources"
	 cflags_for SYSROOT; ldflags_for SYSROOT; } | sha256sum | cut -c1-12)
out=$cache/vmm-qemu/${version#*:}-$key
bin=$out/qemu-system-aarch64
if [ -s "$bin" ]; then
	echo "vmm $version $bin"
	exit 0
fi

# QEMU 10 needs meson >= 1.5 (bookworm has 1.0): bookworm-backports' meson,
# unpacked into the cache and put on PYTHONPATH (nothing is installed).
if ! dpkg --compare-versions "$(meson --version 2>/dev/null || echo 0)" ge 1.5; then
	read -r _ _ meson_deb < <("$debfetch" binary bookworm-backports meson) \
		|| skip "meson from bookworm-backports"
	meson_root=$cache/meson-backports
	if [ ! -d "$meson_root/usr/lib/python3/dist-packages/mesonbuild" ]; then
		rm -rf "$meson_root" && mkdir -p "$meson_root"
		dpkg-deb -x "$meson_deb" "$meson_root"
	fi
	export PYTHONPATH=$meson_root/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}
fi

work=$cache/vmm-qemu/build-$key
rm -rf "$work" && mkdir -p "$work"
# The build's own sysroot: the shared one (hard links, nothing copied) plus
# libkvmsea installed into it.
root=$work/sysroot
cp -al "$sysroot" "$root"
if ! { meson setup "$work/libkvmsea" "$tree" --cross-file "$tree/scripts/cross/aarch64-linux-gnu.ini" \
		"${libkvmsea_setup[@]}" && meson compile -C "$work/libkvmsea" &&
	DESTDIR=$root meson install -C "$work/libkvmsea"; } > "$work/libkvmsea.log" 2>&1; then
	tail -30 "$work/libkvmsea.log" >&2
	skip "libkvmsea does not build for aarch64"
fi

read -r _ orig debian <<<"$files"
tar -xf "$orig" -C "$work"
src=$(echo "$work"/qemu-*)
tar -xf "$debian" -C "$src"
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$src/debian/patches/series" |
while read -r p; do
	patch -d "$src" -p1 -s -N < "$src/debian/patches/$p" || skip "debian patch $p does not apply"
done
for p in "${patches[@]}"; do
	patch -d "$src" -p1 -s -N < "$p" || skip "${p##*/} does not apply"
done

echo "$devices" > "$src/configs/devices/aarch64-softmmu/kvmsea-vmm.mak"
mkdir -p "$src/build"
cd "$src/build"
# pkg-config reads the build sysroot's .pc files and prefixes their paths.
export PKG_CONFIG=pkg-config
export PKG_CONFIG_LIBDIR=$root/usr/lib/aarch64-linux-gnu/pkgconfig:$root/usr/share/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$root
../configure "${flags[@]}" --extra-cflags="$(cflags_for "$root")" \
	--extra-ldflags="$(ldflags_for "$root")" > configure.log 2>&1 ||
	{ tail -30 configure.log >&2; skip "qemu configure failed (see above)"; }
nice ninja -j"$(nproc)" qemu-system-aarch64 > build.log 2>&1 || { tail -30 build.log >&2; skip "qemu build failed"; }
mkdir -p "$out"
aarch64-linux-gnu-strip -o "$bin.tmp" qemu-system-aarch64 && mv "$bin.tmp" "$bin"
cd / && rm -rf "$work"
echo "vmm $version $bin"
