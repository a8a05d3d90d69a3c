#!/bin/bash
# SPDX-License-Identifier: MIT
# Debian's arm64 kernel for the emulated hosts and guests (tests/e2e,
# tests/e2e/qemu, tests/cper/guest), fetched with scripts/debfetch and
# cached: the newest that sid's linux-image-arm64 points at, else
# trixie-backports'. Newer packaging keeps the image in linux-binary-* and
# the modules in linux-modules-* of the same version; older, both in the
# image package. Next to the image it keeps hwpoison-inject.ko
# (CONFIG_HWPOISON_INJECT=m), uncompressed for a plain finit_module().
#
#   kernel.sh     prints "PACKAGE VERSION DIR"; DIR holds vmlinuz and
#                 hwpoison-inject.ko
#
# Exit: 0, or 77 with the reason on stderr when an asset cannot be had.
# Environment: XDG_CACHE_HOME (cache root).
set -euo pipefail

debfetch=$(cd "$(dirname "$0")/../../scripts" && pwd)/debfetch
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libkvmsea
skip() { echo "kernel.sh: $*" >&2; exit 77; }

# kernel_of SUITE: "IMAGE-PACKAGE PACKAGE" of SUITE's linux-image-arm64.
kernel_of() {
	local image pkg
	image=$("$debfetch" depends "$1" linux-image-arm64:arm64 | grep '^linux-image-' | head -1) || return 1
	[ -n "$image" ] || return 1
	pkg=$("$debfetch" depends "$1" "$image:arm64" | grep '^linux-binary-' | head -1) || true
	echo "$image ${pkg:-$image}"
}
suite=sid
names=$(kernel_of sid) ||
	{ suite=trixie-backports && names=$(kernel_of trixie-backports); } ||
	skip "no arm64 kernel package from sid or trixie-backports"
read -r image pkg <<<"$names"
read -r _ version deb < <("$debfetch" binary "$suite" "$pkg:arm64") || skip "no $pkg"
dir=$cache/kernel/${pkg}_${version#*:}

if [ ! -s "$dir/vmlinuz" ]; then
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir.tmp" --wildcards '*vmlinuz*'
	img=$(find "$dir.tmp" -name 'vmlinuz*' -type f | head -1)
	[ -n "$img" ] || skip "$pkg $version has no vmlinuz"
	mkdir -p "$dir" && mv "$img" "$dir/vmlinuz" && rm -rf "$dir.tmp"
fi

kmod=$dir/hwpoison-inject.ko
if [ ! -s "$kmod" ]; then
	mods=$("$debfetch" depends "$suite" "$image:arm64" | grep '^linux-modules-' | head -1) || true
	mods_deb=$deb
	if [ -n "$mods" ]; then
		read -r _ _ mods_deb < <("$debfetch" binary "$suite" "$mods:arm64=$version") ||
			skip "no $mods $version"
	fi
	rm -rf "$kmod.tmp" && mkdir -p "$kmod.tmp"
	dpkg-deb --fsys-tarfile "$mods_deb" |
		tar -x -C "$kmod.tmp" --wildcards '*/hwpoison-inject.ko*' || true
	ko=$(find "$kmod.tmp" -name 'hwpoison-inject.ko*' -type f | head -1)
	[ -n "$ko" ] || skip "$pkg $version: no hwpoison-inject module in ${mods_deb##*/}"
	case $ko in *.xz) xz -d "$ko" && ko=${ko%.xz} ;; esac
	mv "$ko" "$kmod" && rm -rf "$kmod.tmp"
fi
echo "$pkg $version $dir"
