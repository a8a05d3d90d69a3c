#!/bin/bash
# SPDX-License-Identifier: MIT
# An arm64 Debian trixie folder, unpacked from .debs (nothing installed):
# the sysroot the patched QEMU is cross-compiled against, and the shared
# libraries both QEMUs (Debian's qemu-system-arm:arm64 and ours) need at run
# time inside the emulated host. Cached under
# $CACHE/vmm-sysroot/<hash of the package set>/.
#
#   sysroot.sh   -> prints "sysroot STOCK_QEMU_VERSION DIR" on the last line
#
# Debian's qemu-system-aarch64 is then DIR/usr/bin/qemu-system-aarch64.
# Exit 77 when a package cannot be had.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
debfetch=$here/../../../scripts/debfetch
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libkvmsea
suite=trixie
skip() { echo "sysroot: cannot continue: $*" >&2; exit 77; }

# What we start from: the stock VMM and the build dependencies of a minimal
# aarch64-softmmu QEMU with KVM (glib, zlib, libfdt; libc6-dev for linking).
roots=(qemu-system-arm libglib2.0-dev libfdt-dev zlib1g-dev libc6-dev)
# Only libraries and their headers are followed: the rest of a package's
# dependencies (qemu-system-data, python3, adduser...) is not needed to link
# or to run a binary.
wanted='^(lib[a-z0-9.+-]*|zlib1g(-dev)?|linux-libc-dev|gcc-[0-9]+-base|uuid-dev)$'

# The qemu-system-arm version names the set: a new Debian upload of QEMU
# makes a new folder; the libraries follow the suite as it was then.
read -r _ stock_version < <("$debfetch" version "$suite" qemu-system-arm:arm64) ||
	skip "qemu-system-arm:arm64 from $suite"
key=$(echo "$suite ${roots[*]} $wanted $stock_version" | sha256sum | cut -c1-12)
out=$cache/vmm-sysroot/$key
if [ -f "$out/.complete" ]; then
	echo "sysroot $stock_version $out"
	exit 0
fi

# The dependency closure, breadth first (debfetch depends names the first
# alternative of each dependency), then one download of all of it.
queue=("${roots[@]}") seen=" " specs=()
while [ ${#queue[@]} -gt 0 ]; do
	p=${queue[0]} queue=("${queue[@]:1}")
	case $seen in *" $p "*) continue ;; esac
	seen+="$p "
	[ "$p" = qemu-system-arm ] || [[ $p =~ $wanted ]] || continue
	# A virtual name (libc-dev) is no package: its provider is in the
	# roots. A real library missing shows up when QEMU links or runs.
	more=$("$debfetch" depends "$suite" "$p:arm64" 2>/dev/null) ||
		{ echo "sysroot: no package $p:arm64 (virtual?), not followed" >&2; continue; }
	specs+=("$p:arm64")
	mapfile -t -O "${#queue[@]}" queue < <(sed 's/:.*//;/^$/d' <<<"$more")
done
mapfile -t debs < <("$debfetch" binary "$suite" "${specs[@]}" | awk '{ print $3 }') ||
	skip "the arm64 packages from $suite"
[ ${#debs[@]} = ${#specs[@]} ] || skip "the arm64 packages from $suite"

rm -rf "$out.tmp" && mkdir -p "$out.tmp"
for deb in "${debs[@]}"; do
	dpkg-deb -x "$deb" "$out.tmp"
done
# Absolute symlinks (e.g. libfoo.so -> /lib/aarch64-linux-gnu/libfoo.so.1)
# would point into the build host; make them relative to the folder.
find "$out.tmp" -type l -lname '/*' | while read -r link; do
	target=$(readlink "$link")
	ln -sfr "$out.tmp$target" "$link"
done
# trixie is merged-/usr: the base-files symlinks the linker scripts (and
# the loader path /lib/ld-linux-aarch64.so.1) rely on.
for d in lib bin sbin; do
	[ -e "$out.tmp/$d" ] || ln -s "usr/$d" "$out.tmp/$d"
done
printf '%s\n' "${debs[@]##*/}" > "$out.tmp/.packages"
touch "$out.tmp/.complete"
rm -rf "$out" && mv "$out.tmp" "$out"
echo "sysroot $stock_version $out"
