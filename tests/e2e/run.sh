#!/bin/bash
# SPDX-License-Identifier: MIT
# The e2e suite: boot Debian's arm64 kernel under qemu-system-aarch64 (built
# here from Debian's source plus qemu-tea.patch), with an initramfs holding
# busybox and the test programs given as arguments, run KVM inside it and
# read the verdicts from the serial console.
#
#   run.sh PROGRAM...      (static aarch64 executables, run in name order)
#
# KVMSEA_E2E_PROGRAMS (space-separated paths) adds programs to the
# arguments: scripts/test.sh puts the Rust crates' example there
# (rust/e2e.sh --build-only), so that it runs in the e2e build's boot
# instead of a boot of its own.
#
# Exit: 0 all passed, 1 a failure or a timeout, 77 an asset could not be had
# (meson's "skip"; CI treats a skip of this suite as a failure).
# Environment: XDG_CACHE_HOME (cache root), KVMSEA_E2E_TIMEOUT (timeout of
# each boot in seconds, default 900), KVMSEA_E2E_KEEP (keep the work
# directory), KVMSEA_E2E_NESTED=1 (also boot for the *nested* programs),
# KVMSEA_E2E_SLOW=1 (also the nested scenario that takes ~5 min under TCG).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# meson test, in a cross build, puts the cross libraries' folders first in
# PATH; /usr/aarch64-linux-gnu/bin among them holds the arm64 `as`, which
# the host compiler building QEMU would then run. Drop those entries.
PATH=$(tr ':' '\n' <<<"$PATH" | grep -v -e aarch64-linux-gnu -e gcc-cross | paste -sd:)
export PATH
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libkvmsea
timeout_s=${KVMSEA_E2E_TIMEOUT:-900}
t0=$(date +%s)
skip() { echo "e2e: SKIP (exit 77): $*" >&2; echo "e2e: SKIP: $*"; exit 77; }
say() { echo "e2e: [$(( $(date +%s) - t0 ))s] $*"; }

read -ra extra <<<"${KVMSEA_E2E_PROGRAMS:-}"
set -- "$@" "${extra[@]}"
[ $# -gt 0 ] || { echo "usage: run.sh PROGRAM..." >&2; exit 2; }
for tool in python3 dpkg-deb cpio gzip xz ninja meson cc timeout; do
	command -v "$tool" >/dev/null || skip "host tool '$tool' is missing (see tests/e2e/README.md)"
done
debfetch=$here/../../scripts/debfetch

# Debian's arm64 kernel, with hwpoison-inject.ko that poison.c loads.
read -r kernel_pkg kernel_version kernel_dir < <("$here/kernel.sh") ||
	skip "no kernel (kernel.sh says why above)"
kmod=$kernel_dir/hwpoison-inject.ko

bb_line=$("$debfetch" binary sid busybox-static:arm64) ||
	bb_line=$("$debfetch" binary trixie busybox-static:arm64) ||
	skip "no busybox-static:arm64"
read -r _ bb_version bb_deb <<<"$bb_line"
say "assets: kernel $kernel_pkg $kernel_version, busybox-static:arm64 $bb_version"

say "qemu: building or reusing (cached under $cache/qemu)"
qemu_line=$("$here/build-qemu.sh" default | tail -1) || exit $?
read -r _ qemu_version qemu <<<"$qemu_line"
say "qemu: Debian $qemu_version + qemu-tea.patch: $qemu"

work=$(mktemp -d "${TMPDIR:-/tmp}/kvmsea-e2e.XXXXXX")
[ -n "${KVMSEA_E2E_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
dpkg-deb --fsys-tarfile "$bb_deb" | tar -x -C "$work" ./usr/bin/busybox 2>/dev/null ||
	dpkg-deb --fsys-tarfile "$bb_deb" | tar -x -C "$work" ./bin/busybox
busybox=$(find "$work/usr/bin" "$work/bin" -name busybox -type f 2>/dev/null | head -1 || true)
[ -n "$busybox" ] || skip "no busybox in $bb_deb"

# Programs named *nested* need a second boot: another QEMU, and the kernel
# with kvm-arm.mode=nested. That stage is opt-in (KVMSEA_E2E_NESTED=1): it
# costs a second QEMU build on a cold cache.
main_progs=() nested_progs=()
for p in "$@"; do
	case ${p##*/} in
	*nested*) nested_progs+=("$p") ;;
	*) main_progs+=("$p") ;;
	esac
done

# boot NAME QEMU KERNEL_ARGS PROGRAM...: one boot, its console in
# $work/NAME.log. Fails the suite on a timeout or a guest that died.
boot() {
	local name=$1 qemu_bin=$2 args=$3 root=$work/$1-root log=$work/$1.log status
	shift 3
	mkdir -p "$root/bin" "$root/e2e"
	cp "$busybox" "$root/bin/busybox"
	cp "$here/init.sh" "$root/init"
	mkdir -p "$root/lib/modules" && cp "$kmod" "$root/lib/modules/"
	cp "$@" "$root/e2e/"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/$name.cpio.gz"
	say "boot ($name): qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu max -smp 2 (TCG), kernel args '$args', timeout ${timeout_s}s"
	set +e
	timeout --foreground -k 10 "$timeout_s" "$qemu_bin" \
		-M virt,virtualization=on,gic-version=3 -cpu max -smp 2 -m 1024 \
		-nographic -nic none -no-reboot \
		-kernel "$kernel_dir/vmlinuz" -initrd "$work/$name.cpio.gz" \
		-append "console=ttyAMA0 panic=-1 rdinit=/init $args" \
		< /dev/null 2>&1 | tr -d '\r' | tee "$log" | grep --line-buffered -E '^(E2E |smoke:|  )'
	status=${PIPESTATUS[0]}
	set -e
	if [ "$status" = 124 ] || ! grep -q '^E2E DONE' "$log"; then
		tail -40 "$log"
		say "FAILED: no 'E2E DONE' in the $name boot (timeout after ${timeout_s}s or the guest died)"
		exit 1
	fi
}

boot main "$qemu" "" "${main_progs[@]}"
versions="kernel $kernel_pkg $kernel_version; qemu $qemu_version + qemu-tea.patch; busybox $bb_version"

if [ ${#nested_progs[@]} -gt 0 ]; then
	if [ "${KVMSEA_E2E_NESTED:-0}" = 1 ]; then
		say "qemu (nested): building or reusing"
		qemu_line=$("$here/build-qemu.sh" new | tail -1) || exit $?
		read -r _ nested_version nested_qemu <<<"$qemu_line"
		say "qemu (nested): Debian $nested_version + qemu10-tea.patch: $nested_qemu"
		# The kernel hands an unknown name=value to init as environment.
		boot nested "$nested_qemu" \
			"kvm-arm.mode=nested${KVMSEA_E2E_SLOW:+ kvmsea_e2e_slow=1}" \
			"${nested_progs[@]}"
		versions+="; nested: qemu $nested_version + qemu10-tea.patch"
	else
		echo "E2E SKIP nested: set KVMSEA_E2E_NESTED=1 for the nested-virtualization boot" |
			tee "$work/nested.log"
	fi
fi

logs=("$work"/*.log)
fails=$(cat "${logs[@]}" | grep -c '^E2E FAIL' || true)
passes=$(cat "${logs[@]}" | grep -c '^E2E PASS' || true)
skips=$(cat "${logs[@]}" | grep -c '^E2E SKIP' || true)
bad_exit=$(cat "${logs[@]}" | grep '^E2E EXIT' | grep -vc ' 0$' || true)
say "versions: $versions"
echo "e2e: $passes passed, $fails failed, $skips skipped"
if [ "$fails" != 0 ] || [ "$bad_exit" != 0 ] || [ "$passes" = 0 ]; then
	exit 1
fi
exit 0
