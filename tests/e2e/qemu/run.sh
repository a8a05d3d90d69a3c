#!/bin/bash
# SPDX-License-Identifier: MIT
# The VMM stage of the real-kernel suite: a real VMM (QEMU) and a real Linux
# guest (L2), inside the emulated arm64 host (L1: Debian's arm64 kernel
# under the e2e suite's qemu-system-aarch64, TCG, virtualization=on). The
# guest's processes touch bad memory; each scenario shows what happens to
# the guest under Debian's stock QEMU and under ours. See README.md.
#
#   run.sh VMM-RUN L2-TOUCH     (static aarch64 executables)
#
# Exit: 0 all passed, 1 a failure or a timeout, 77 an asset could not be had.
# Environment: XDG_CACHE_HOME, KVMSEA_E2E_TIMEOUT (the L1 boot, default
# 3600 s), KVMSEA_E2E_KEEP=1 (keep the work directory),
# KVMSEA_VMM_SCENARIOS (run only the scenarios whose names match this
# extended regular expression), KVMSEA_VMM_LOG (copy the emulated host's
# console there), KVMSEA_VMM_QEMU (an aarch64 QEMU binary to
# use as ours instead of building one: for developing the patch).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
e2e=$(cd "$here/.." && pwd)
debfetch=$e2e/../../scripts/debfetch
# meson test, in a cross build, puts the cross folders first in PATH; the
# host compiler building QEMU must not find the arm64 `as` there.
PATH=$(tr ':' '\n' <<<"$PATH" | grep -v -e aarch64-linux-gnu -e gcc-cross | paste -sd:)
export PATH
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libkvmsea
timeout_s=${KVMSEA_E2E_TIMEOUT:-3600}
t0=$(date +%s)
skip() { echo "e2e-qemu: SKIP (exit 77): $*" >&2; echo "e2e-qemu: SKIP: $*"; exit 77; }
say() { echo "e2e-qemu: [$(( $(date +%s) - t0 ))s] $*"; }

[ $# -eq 2 ] || { echo "usage: run.sh VMM-RUN L2-TOUCH" >&2; exit 2; }
vmm_run=$1 l2_touch=$2
for tool in python3 dpkg-deb cpio gzip xz ninja meson timeout aarch64-linux-gnu-readelf; do
	command -v "$tool" >/dev/null || skip "host tool '$tool' is missing (see tests/e2e/README.md)"
done
mkdir -p "$cache/debs"

# --- Assets. ---------------------------------------------------------------
# Debian's arm64 kernel, for both L1 and L2, with hwpoison-inject.ko.
read -r kernel_pkg kernel_version kernel_dir < <("$e2e/kernel.sh") ||
	skip "no kernel (kernel.sh says why above)"
read -r _ bb_version bb_deb < <("$debfetch" binary sid,trixie busybox-static:arm64) ||
	skip "no busybox-static:arm64"
# UEFI for the ACPI guest (virt,ras=on: QEMU's GHES error source).
read -r _ _ efi_deb < <("$debfetch" binary trixie qemu-efi-aarch64) ||
	skip "no qemu-efi-aarch64"
say "assets: kernel $kernel_pkg $kernel_version (+ hwpoison-inject.ko), busybox $bb_version"

say "L1 qemu (the e2e suite's): building or reusing"
read -r _ l1_version l1_qemu < <("$e2e/build-qemu.sh" new | tail -1) || exit $?
say "sysroot (trixie arm64 libraries and Debian's qemu-system-arm): unpacking or reusing"
read -r _ stock_version sysroot < <("$here/sysroot.sh" | tail -1) || exit $?
say "VMM qemu (trixie's source + our patches, aarch64): building or reusing"
if [ -n "${KVMSEA_VMM_QEMU:-}" ]; then
	vmm_version="(KVMSEA_VMM_QEMU)" vmm_qemu=$KVMSEA_VMM_QEMU
else
	read -r _ vmm_version vmm_qemu < <("$here/build-vmm.sh" "$sysroot" \
		"$e2e/../../integrations/qemu/libkvmsea.patch" "$here/qemu-devmem-window.patch" | tail -1) ||
		exit $?
fi
say "qemu: L1 $l1_version; stock $stock_version; ours $vmm_version at $vmm_qemu"

work=$(mktemp -d "${TMPDIR:-/tmp}/kvmsea-e2e-qemu.XXXXXX")
[ -n "${KVMSEA_E2E_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
dpkg-deb --fsys-tarfile "$bb_deb" | tar -x -C "$work" ./usr/bin/busybox
busybox=$work/usr/bin/busybox

# --- The scenarios: NAME EXPECT QEMU ACCEL TOUCHES [QEMU-ARGS]. -------------
# stock = Debian's qemu-system-aarch64, ours = the patched build. The hole
# needs our test-only x-devmem-window (Debian's QEMU cannot map /dev/mem:
# its file backend needs a file size), so the hole's baseline is our build
# with the capability off (sea-exits=off: KVM's SError, as in stock QEMU).
hole_gpa=0x0b000000
hole="-object x-devmem-window,id=hole,offset=0x0b000000,size=0x10000,addr=$hole_gpa"
scenarios=(
	"stock-page vmm-exit stock kvm file-load"
	"off-hole guest-panic ours kvm,sea-exits=off hole-load $hole"
)
# A page of a file stays allocated after its process dies; an anonymous page
# is freed and, in a guest without ACPI, reused and touched again (trap).
for strategy in auto vcpu-events emulate; do
	scenarios+=("ours-$strategy survive ours kvm,sea-strategy=$strategy hole-load,hole-store,file-load,file-store $hole")
done
scenarios+=("ours-trap trap ours kvm ram-load")
# The same, and the guest's reboot after its panic resets the VM: QEMU then
# maps fresh memory over every page of its poisoned-page list.
scenarios+=("ours-reset reset ours kvm ram-load -action reboot=reset")
# ACPI: UEFI firmware, and QEMU's GHES error source (ras=on).
acpi="-bios /vmm/QEMU_EFI.fd -M ras=on"
scenarios+=("acpi-stock retire stock kvm ram-load $acpi"
	"acpi-ours retire ours kvm hole-load,ram-load $hole $acpi")

# --- The L2 guest: busybox, its init, l2-touch. -----------------------------
mkdir -p "$work/l2/bin"
cp "$busybox" "$work/l2/bin/busybox"
cp "$here/l2-init.sh" "$work/l2/init"
cp "$l2_touch" "$work/l2/l2-touch"
(cd "$work/l2" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/l2.cpio.gz"

# --- L1: busybox, the two QEMUs and the libraries they load, the guest. ----
root=$work/l1
mkdir -p "$root/bin" "$root/vmm" "$root/usr/lib/aarch64-linux-gnu" "$root/l2"
ln -s usr/lib "$root/lib"
cp "$busybox" "$root/bin/busybox"
cp "$here/l1-init.sh" "$root/init"
cp "$vmm_run" "$root/vmm/vmm-run"
cp "$kernel_dir/hwpoison-inject.ko" "$root/vmm/"
dpkg-deb --fsys-tarfile "$efi_deb" | tar -x -O ./usr/share/qemu-efi-aarch64/QEMU_EFI.fd > "$root/vmm/QEMU_EFI.fd"
cp "$kernel_dir/vmlinuz" "$root/l2/vmlinuz"
cp "$work/l2.cpio.gz" "$root/l2/initrd.gz"
cp "$sysroot/usr/bin/qemu-system-aarch64" "$root/vmm/qemu-stock"
cp "$vmm_qemu" "$root/vmm/qemu-ours"
# The shared libraries both need (their DT_NEEDED closure), and the loader.
needed() { aarch64-linux-gnu-readelf -d "$1" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'; }
todo=("$root/vmm/qemu-stock" "$root/vmm/qemu-ours")
while [ ${#todo[@]} -gt 0 ]; do
	f=${todo[0]} todo=("${todo[@]:1}")
	for lib in $(needed "$f"); do
		[ -e "$root/usr/lib/aarch64-linux-gnu/$lib" ] && continue
		src=$sysroot/usr/lib/aarch64-linux-gnu/$lib
		[ -e "$src" ] || skip "$lib (needed by ${f##*/}) is not in the sysroot"
		cp -L "$src" "$root/usr/lib/aarch64-linux-gnu/$lib"
		todo+=("$root/usr/lib/aarch64-linux-gnu/$lib")
	done
done
cp -L "$sysroot/usr/lib/ld-linux-aarch64.so.1" "$root/usr/lib/"

common="-M virt,gic-version=3 -cpu host -smp 2 -m 256 -nodefaults"
common+=" -display none -serial stdio -no-reboot -kernel /l2/vmlinuz -initrd /l2/initrd.gz"
: > "$root/vmm/scenarios"
for s in "${scenarios[@]}"; do
	read -r name expect which accel touches args <<<"$s"
	[[ $name =~ ${KVMSEA_VMM_SCENARIOS:-.} ]] || continue
	echo "$name $expect /vmm/qemu-$which -accel $accel $common ${args:-}" >> "$root/vmm/scenarios"
	# oops=panic: a guest that oopses ends its run at once (it may hang).
	echo "console=ttyAMA0 quiet panic=-1 oops=panic rdinit=/init kvmsea_touch=$touches kvmsea_hole=$hole_gpa" \
		> "$root/vmm/cmdline.$name"
done
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/l1.cpio.gz"
say "L1 initramfs $(du -h "$work/l1.cpio.gz" | cut -f1), $(wc -l < "$root/vmm/scenarios") scenarios"

# --- Boot L1. ----------------------------------------------------------------
log=$work/l1.log
say "boot: qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu max -smp 2 -m 2048 (TCG), timeout ${timeout_s}s"
set +e
timeout --foreground -k 10 "$timeout_s" "$l1_qemu" \
	-M virt,virtualization=on,gic-version=3 -cpu max -smp 2 -m 2048 \
	-nographic -nic none -no-reboot \
	-kernel "$kernel_dir/vmlinuz" -initrd "$work/l1.cpio.gz" \
	-append "console=ttyAMA0 panic=-1 rdinit=/init quiet" \
	< /dev/null 2>&1 | tr -d '\r' | tee "$log" | grep --line-buffered -E '^(E2E |vmm-run |[a-z0-9-]+( \(qemu\))?\| |\[ *[0-9.]+\] Memory failure)'
status=${PIPESTATUS[0]}
set -e
[ -z "${KVMSEA_VMM_LOG:-}" ] || cp "$log" "$KVMSEA_VMM_LOG"
if [ "$status" = 124 ] || ! grep -q '^E2E DONE' "$log"; then
	tail -40 "$log"
	say "FAILED: no 'E2E DONE' (timeout after ${timeout_s}s or L1 died)"
	exit 1
fi
fails=$(grep -c '^E2E FAIL' "$log" || true)
passes=$(grep -c '^E2E PASS' "$log" || true)
say "versions: kernel $kernel_pkg $kernel_version; L1 qemu $l1_version + qemu10-tea.patch; stock qemu-system-arm:arm64 $stock_version; ours $vmm_version + patches; busybox $bb_version"
echo "e2e-qemu: $passes passed, $fails failed"
[ "$fails" = 0 ] && [ "$passes" != 0 ]
