#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run.sh CPER-HOST GUEST.C: the CPER guest test (see tests/cper/README.md).
# Gets the assets (Debian's arm64 kernel, the same package tests/e2e boots;
# busybox-static:arm64; qemu-efi-aarch64's UEFI; QEMU >= 10.2 built by
# tests/e2e/build-qemu.sh new, the QEMU of the e2e nested stage), builds
# guest.c for arm64 and the initramfs, then runs run.py, which boots the
# guest and does the checking.
#
# Exit: 0 all passed, 1 a failure, 77 an asset could not be had (meson's
# "skip"; CI counts it as a failure). Environment: XDG_CACHE_HOME (the cache
# root), KVMSEA_CPER_KEEP=1 (keep the work directory).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
debfetch=$here/../../../scripts/debfetch
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libkvmsea
host_tool=${1:?usage: run.sh CPER-HOST GUEST.C}
guest_src=${2:?usage: run.sh CPER-HOST GUEST.C}
t0=$(date +%s)
skip() { echo "cper-guest: SKIP (exit 77): $*" >&2; echo "cper-guest: SKIP: $*"; exit 77; }
say() { echo "cper-guest: [$(( $(date +%s) - t0 ))s] $*"; }

for tool in python3 dpkg-deb cpio gzip aarch64-linux-gnu-gcc; do
	command -v "$tool" >/dev/null || skip "host tool '$tool' is missing (scripts/setup.sh installs it)"
done

# The kernel: Debian's arm64 kernel, as the e2e suite takes it.
read -r kernel_pkg kernel_version kernel_dir < <("$here/../../e2e/kernel.sh") ||
	skip "no kernel (kernel.sh says why above)"
kernel=$kernel_dir/vmlinuz
read -r _ bb_version bb_deb < <("$debfetch" binary sid busybox-static:arm64) ||
	skip "no busybox-static:arm64"
read -r _ efi_version efi_deb < <("$debfetch" binary sid qemu-efi-aarch64) ||
	skip "no qemu-efi-aarch64"
say "assets: kernel $kernel_pkg $kernel_version, busybox $bb_version, qemu-efi-aarch64 $efi_version"

say "qemu: building or reusing (cached under $cache/qemu)"
read -r _ qemu_version qemu < <("$here/../../e2e/build-qemu.sh" new | tail -1) || exit 77
say "qemu: Debian $qemu_version + qemu10-tea.patch: $qemu"

work=$(mktemp -d "${TMPDIR:-/tmp}/kvmsea-cper.XXXXXX")
[ -n "${KVMSEA_CPER_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/bin"
dpkg-deb --fsys-tarfile "$bb_deb" | tar -x -C "$work" ./usr/bin/busybox 2>/dev/null ||
	dpkg-deb --fsys-tarfile "$bb_deb" | tar -x -C "$work" ./bin/busybox
cp "$(find "$work/usr/bin" "$work/bin" -name busybox -type f 2>/dev/null | head -1)" "$root/bin/busybox"
cp "$here/init.sh" "$root/init" && chmod +x "$root/init"
aarch64-linux-gnu-gcc -static -O2 -std=c11 -Wall -Wextra -Werror -o "$root/cper-guest" "$guest_src"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"
dpkg-deb --fsys-tarfile "$efi_deb" | tar -x -C "$work" ./usr/share/qemu-efi-aarch64/QEMU_EFI.fd

say "boot: -M virt,ras=on -cpu max (TCG), UEFI, ACPI"
rc=0
python3 "$here/run.py" "$qemu" "$work/usr/share/qemu-efi-aarch64/QEMU_EFI.fd" "$kernel" \
	"$work/initrd.gz" "$host_tool" || rc=$?
say "versions: kernel $kernel_pkg $kernel_version; qemu $qemu_version; qemu-efi-aarch64 $efi_version; busybox $bb_version"
exit "$rc"
