#!/bin/bash
# SPDX-License-Identifier: MIT
# The e2e suite: boot Debian's arm64 kernel under qemu-system-aarch64 (built
# here from Debian's source plus qemu-tea.patch), with an initramfs holding
# busybox and the test programs given as arguments, run KVM inside it and
# read the verdicts from the serial console.
#
#   run.sh PROGRAM...      (static aarch64 executables, run in name order)
#
# Exit: 0 all passed, 1 a failure or a timeout, 77 an asset could not be had
# (meson's "skip"; CI treats a skip of this suite as a failure).
# Environment: XDG_CACHE_HOME (cache root), KVMSEA_E2E_TIMEOUT (boot timeout
# in seconds, default 900), KVMSEA_E2E_KEEP (keep the work directory).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libkvmsea
timeout_s=${KVMSEA_E2E_TIMEOUT:-900}
t0=$(date +%s)
skip() { echo "e2e: SKIP (exit 77): $*" >&2; echo "e2e: SKIP: $*"; exit 77; }
say() { echo "e2e: [$(( $(date +%s) - t0 ))s] $*"; }

[ $# -gt 0 ] || { echo "usage: run.sh PROGRAM..." >&2; exit 2; }
for tool in python3 dpkg-deb cpio gzip ninja meson cc timeout; do
	command -v "$tool" >/dev/null || skip "host tool '$tool' is missing (see tests/e2e/README.md)"
done
mkdir -p "$cache/debs"

# Debian's arm64 kernel: the newest that sid's linux-image-arm64 points at,
# else trixie-backports'. Newer packaging keeps the image in linux-binary-*.
fetch_kernel() {
	local suite=$1 image pkg
	image=$("$here/debfetch.py" depends "$suite" arm64 linux-image-arm64 | grep '^linux-image-' | head -1) || return 1
	[ -n "$image" ] || return 1
	pkg=$("$here/debfetch.py" depends "$suite" arm64 "$image" | grep '^linux-binary-' | head -1) || true
	"$here/debfetch.py" binary "$suite" arm64 "${pkg:-$image}" "$cache/debs"
}
kernel_line=$(fetch_kernel sid) || kernel_line=$(fetch_kernel trixie-backports) ||
	skip "no arm64 kernel package from sid or trixie-backports"
read -r kernel_pkg kernel_version kernel_deb <<<"$kernel_line"
kernel_dir=$cache/kernel/${kernel_pkg}_${kernel_version#*:}
if [ ! -s "$kernel_dir/vmlinuz" ]; then
	rm -rf "$kernel_dir.tmp" && mkdir -p "$kernel_dir.tmp"
	dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$kernel_dir.tmp" --wildcards '*vmlinuz*'
	img=$(find "$kernel_dir.tmp" -name 'vmlinuz*' -type f | head -1)
	[ -n "$img" ] || skip "$kernel_pkg $kernel_version has no vmlinuz"
	mkdir -p "$kernel_dir" && mv "$img" "$kernel_dir/vmlinuz" && rm -rf "$kernel_dir.tmp"
fi

bb_line=$("$here/debfetch.py" binary sid arm64 busybox-static "$cache/debs") ||
	bb_line=$("$here/debfetch.py" binary trixie arm64 busybox-static "$cache/debs") ||
	skip "no busybox-static:arm64"
read -r _ bb_version bb_deb <<<"$bb_line"
say "assets: kernel $kernel_pkg $kernel_version, busybox-static:arm64 $bb_version"

say "qemu: building or reusing (cached under $cache/qemu)"
qemu_line=$("$here/build-qemu.sh" | tail -1) || exit $?
read -r _ qemu_version qemu <<<"$qemu_line"
say "qemu: Debian $qemu_version + qemu-tea.patch: $qemu"

work=$(mktemp -d "${TMPDIR:-/tmp}/kvmsea-e2e.XXXXXX")
[ -n "${KVMSEA_E2E_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/bin" "$root/e2e"
dpkg-deb --fsys-tarfile "$bb_deb" | tar -x -C "$work" ./usr/bin/busybox 2>/dev/null ||
	dpkg-deb --fsys-tarfile "$bb_deb" | tar -x -C "$work" ./bin/busybox
cp "$(find "$work/usr/bin" "$work/bin" -name busybox -type f 2>/dev/null | head -1)" "$root/bin/busybox"
cp "$here/init.sh" "$root/init"
for p in "$@"; do
	cp "$p" "$root/e2e/"
done
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initramfs.gz"

say "boot: qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu max -smp 2 (TCG), timeout ${timeout_s}s"
log=$work/console.log
set +e
timeout --foreground -k 10 "$timeout_s" "$qemu" \
	-M virt,virtualization=on,gic-version=3 -cpu max -smp 2 -m 1024 \
	-nographic -nic none -no-reboot \
	-kernel "$kernel_dir/vmlinuz" -initrd "$work/initramfs.gz" \
	-append "console=ttyAMA0 panic=-1 rdinit=/init" \
	< /dev/null 2>&1 | tr -d '\r' | tee "$log" | grep --line-buffered -E '^(E2E |smoke:|  )'
qemu_status=${PIPESTATUS[0]}
set -e
if [ "$qemu_status" = 124 ] || ! grep -q '^E2E DONE' "$log"; then
	tail -40 "$log"
	say "FAILED: no 'E2E DONE' (timeout after ${timeout_s}s or the guest died)"
	exit 1
fi

fails=$(grep -c '^E2E FAIL' "$log" || true)
passes=$(grep -c '^E2E PASS' "$log" || true)
skips=$(grep -c '^E2E SKIP' "$log" || true)
bad_exit=$(grep '^E2E EXIT' "$log" | grep -vc ' 0$' || true)
say "versions: kernel $kernel_pkg $kernel_version; qemu $qemu_version + qemu-tea.patch; busybox $bb_version"
echo "e2e: $passes passed, $fails failed, $skips skipped"
if [ "$fails" != 0 ] || [ "$bad_exit" != 0 ] || [ "$passes" = 0 ]; then
	exit 1
fi
exit 0
