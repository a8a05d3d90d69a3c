#!/bin/busybox sh
# shellcheck shell=dash
# SPDX-License-Identifier: MIT
# /init of the Linux guest (L2) that runs under the VMM under test. Two
# workers keep working while l2-touch processes touch bad memory, one per
# entry of kvmsea_touch (kernel command line, e.g. "hole-load,ram-store"; the
# kernel hands unknown name=value words to init as environment; the kinds
# are l2-touch's: hole, ram, file). Then init
# checks that the workers still work and a new process runs, and powers off.
# vmm-run reads "L2 BOOT", "L2 RESULT <touch> status <S>", "L2 ALIVE" and
# "L2 DONE" from the console.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "L2 BOOT kernel $(uname -r) cpus $(grep -c ^processor /proc/cpuinfo) uptime $(cut -d' ' -f1 /proc/uptime)"

worker() {
	n=0
	while :; do
		n=$((n + 1))
		echo "$n" > "/tmp/worker.$1.new"
		mv "/tmp/worker.$1.new" "/tmp/worker.$1" # never read half-written
		sleep 0.2
	done
}
worker 1 </dev/null & w1=$!
worker 2 </dev/null & w2=$!

for t in $(echo "${kvmsea_touch:-}" | tr , ' '); do
	case $t in
	hole-*) /l2-touch hole "${t#hole-}" "${kvmsea_hole:-0x0b000000}" ;;
	ram-*) /l2-touch ram "${t#ram-}" ;;
	file-*) /l2-touch file "${t#file-}" "/tmp/$t" ;;
	*) echo "l2-init: unknown touch '$t'"; false ;;
	esac
	echo "L2 RESULT $t status $?"
done

# Alive: both workers still exist and still count, and a new process runs.
a1=$(cat /tmp/worker.1) a2=$(cat /tmp/worker.2)
sleep 2
b1=$(cat /tmp/worker.1) b2=$(cat /tmp/worker.2)
sum=$(md5sum /l2-touch | cut -c1-8)
if kill -0 "$w1" "$w2" && [ "$b1" -gt "$a1" ] && [ "$b2" -gt "$a2" ] && [ -n "$sum" ]; then
	echo "L2 ALIVE workers $a1->$b1 $a2->$b2, new process md5 $sum, uptime $(cut -d' ' -f1 /proc/uptime)"
fi
echo "L2 DONE"
sleep 1 # poweroff -f does not wait for the console to drain
poweroff -f
