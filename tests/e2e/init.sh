#!/bin/busybox sh
# shellcheck shell=dash
# SPDX-License-Identifier: MIT
# /init of the e2e initramfs: run every test program in /e2e (in name order)
# and power off. run.sh reads the console: "E2E PASS/FAIL/SKIP ..." lines from
# the programs, "E2E EXIT name status" per program, then "E2E DONE".
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "E2E BOOT kernel $(uname -r) $(uname -m) cpus $(grep -c ^processor /proc/cpuinfo)"
[ -c /dev/kvm ] || echo "E2E FAIL boot: no /dev/kvm ($(dmesg | grep -i kvm | tail -3))"
dmesg | grep -i -E 'kvm \[|kvm:' | head -5 | sed 's/^/E2E KMSG /'
for t in /e2e/*; do
	name=${t##*/}
	"$t"
	echo "E2E EXIT $name $?"
done
echo "E2E DONE"
poweroff -f
