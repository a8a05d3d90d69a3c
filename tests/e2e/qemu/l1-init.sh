#!/bin/busybox sh
# shellcheck shell=dash
# SPDX-License-Identifier: MIT
# /init of the emulated arm64 host (L1) for the VMM stage: load
# hwpoison_inject, then run each line of /vmm/scenarios with vmm-run (one
# Linux guest under one QEMU each) and power off. A line is
#   NAME EXPECT QEMU-BINARY [QEMU-ARGS...]
# and the guest's kernel command line is in /vmm/cmdline.NAME.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
echo "E2E BOOT kernel $(uname -r) $(uname -m) cpus $(grep -c ^processor /proc/cpuinfo) mem $(grep MemTotal /proc/meminfo | tr -s ' ')"
[ -c /dev/kvm ] || echo "E2E FAIL boot: no /dev/kvm"
insmod /vmm/hwpoison-inject.ko || echo "E2E FAIL boot: insmod hwpoison-inject.ko"
[ -e /sys/kernel/debug/hwpoison/corrupt-pfn ] || echo "E2E FAIL boot: no hwpoison corrupt-pfn"
timeout=${kvmsea_vmm_timeout:-900}
while read -r name expect qemu args; do
	# shellcheck disable=SC2086 # the QEMU arguments are words
	/vmm/vmm-run "$name" "$expect" "$timeout" "/tmp/$name.mon" -- "$qemu" $args \
		-monitor "unix:/tmp/$name.mon,server=on,wait=off" \
		-append "$(cat "/vmm/cmdline.$name")"
done < /vmm/scenarios
echo "E2E DONE"
poweroff -f
