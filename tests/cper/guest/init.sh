#!/bin/busybox sh
# shellcheck shell=dash
# SPDX-License-Identifier: MIT
# /init of the CPER guest test's initramfs: mount what guest.c reads, keep
# kernel messages off the console (guest.c hands them over on request), and
# run guest.c on the console until the host is done.
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
dmesg -n 1
/cper-guest
poweroff -f
