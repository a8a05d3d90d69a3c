#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# archive-hosts.sh SRCDIR
#
# No tracked file names a host of the system's apt sources: the project
# reads its package archive from them at run time (scripts/debfetch), so
# a host written into the tree is a mistake. The hosts come from the same
# parse debfetch uses (`debfetch hosts`: every URI of every entry, and
# KVMSEA_DEBIAN_ARCHIVE's). Exit 0 pass, 1 a file names one, 77 when there
# is nothing to check (no host in the sources, or not a git checkout).
set -euo pipefail

src=${1:?usage: archive-hosts.sh SRCDIR}
skip() { echo "archive-hosts: SKIPPED: $*" >&2; exit 77; }

list=$("$src/scripts/debfetch" hosts)
mapfile -t hosts <<<"$list"
[[ -n $list ]] || skip "the system's apt sources name no host"
cd "$src"
count=$(git ls-files 2>/dev/null | wc -l) || count=0
[[ $count -gt 0 ]] || skip "$src is not a git checkout"
patterns=()
for h in "${hosts[@]}"; do patterns+=(-e "$h"); done

# file:line only, so the host is not printed again.
found=$(git ls-files -z | xargs -0 grep -n -i -s -F "${patterns[@]}" -- | cut -d: -f1,2) || true
if [[ -n $found ]]; then
	echo "archive-hosts: FAIL: these lines name a host of the system's apt sources; take it from the system's configuration (scripts/debfetch) instead:" >&2
	echo "$found" >&2
	exit 1
fi
echo "archive-hosts: PASS: $count tracked files, none names any of the ${#hosts[@]} host(s) of the system's apt sources"
