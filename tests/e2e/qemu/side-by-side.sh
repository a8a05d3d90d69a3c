#!/bin/bash
# SPDX-License-Identifier: MIT
# Print two scenarios of a VMM-stage console log (run.sh's KVMSEA_VMM_LOG)
# side by side: what each guest printed and what its QEMU said, without the
# register dumps and call traces.
#
#   side-by-side.sh LOG LEFT RIGHT TITLE
set -euo pipefail

[ $# -eq 4 ] || { echo "usage: side-by-side.sh LOG LEFT RIGHT TITLE" >&2; exit 2; }
log=$1 left=$2 right=$3 title=$4
width=78

# The lines of scenario $1 worth reading, folded to one column.
column() {
	grep -a -E "^($1(\| | \(qemu\)\| )|E2E (PASS|FAIL) $1:)" "$log" |
		sed -E -e "s/^$1\| /  /" -e "s/^$1 \(qemu\)\| (qemu-[a-z]+: )?/  [qemu] /" \
			-e 's/^E2E (PASS|FAIL) [^:]*: expect [a-z-]+; /  => /' \
			-e 's/\x1b\[[0-9;=]*[a-zA-Z]//g' |
		grep -a -E 'L2 (BOOT|RESULT|ALIVE|DONE)|l2-touch|Bus error|Kernel panic|SError|Internal error|Hardware memory error|guest memory|Memory failure|Hardware Error\]: +physical_address|=> ' |
		sed -E -e 's/ (caller|exit vcpu [0-9]+) #[0-9]+: / /' -e 's/ repeats [0-9]+//' \
			-e 's/; first output [0-9.]+s, init/; init/' |
		fold -s -w $((width - 6)) | sed -E '/^  /!s/^/      /'
}

echo "==== $title"
printf "%-${width}s  %s\n" "$left" "$right"
printf "%-${width}s  %s\n" "$(printf '%*s' ${#left} '' | tr ' ' -)" "$(printf '%*s' ${#right} '' | tr ' ' -)"
paste -d '\t' <(column "$left") <(column "$right") |
	awk -F '\t' -v w="$width" '{ printf "%-" w "s  %s\n", $1, $2 }'
echo
