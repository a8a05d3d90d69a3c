#!/bin/bash
# SPDX-License-Identifier: MIT
#
# apt-source.sh SUITE PACKAGE MIN-VERSION DEST
#
# Download the newest source of PACKAGE in SUITE that is at least
# MIN-VERSION and that the archive actually serves (an index may name a
# version whose files are not there yet), with apt's own client under a
# private configuration made from the system's apt sources: the system's
# apt state is not touched. Files land in DEST (kept: apt-get skips a file
# that is already there with the right hash).
# Prints "PACKAGE VERSION FILE..." (the .dsc first). Exit 77 when no such
# version can be had.
#
# Temporary: scripts/debfetch (apt-get with a private configuration, coming
# on main) replaces this once it can pick a version.
set -euo pipefail

suite=${1:?usage: apt-source.sh SUITE PACKAGE MIN-VERSION DEST} pkg=${2:?} min=${3:?} dest=${4:?}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libkvmsea
skip() { echo "apt-source: cannot continue: $*" >&2; exit 77; }

# The system's own Debian archive: the first URI of a deb822 stanza or a
# one-line entry that is not the security archive. No host name is written
# anywhere: it is read here, at run time.
archive=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [ -z "$archive" ] && [ -f /etc/apt/sources.list ]; then
	archive=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' /etc/apt/sources.list)
fi
[ -n "$archive" ] || skip "no Debian archive in the system's apt sources"

root=$cache/apt-$suite
mkdir -p "$root/lists/partial" "$root/archives/partial" "$dest"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $archive $suite main" > "$root/sources.list"
apt=(-o "Dir::Etc::SourceList=$root/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o "Dir::State=$root" -o "Dir::State::Lists=$root/lists" -o Dir::State::status=/dev/null
     -o "Dir::Cache=$root" -o "Dir::Cache::Archives=$root/archives"
     -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
     -o APT::Sandbox::User=root -q)

# Refresh the index at most every 10 minutes.
if [ -z "$(find "$root/lists" -maxdepth 1 -name '*Sources*' -mmin -10 2>/dev/null)" ]; then
	apt-get "${apt[@]}" update >/dev/null 2>&1 ||
		[ -n "$(find "$root/lists" -maxdepth 1 -name '*Sources*')" ] ||
		skip "$suite's source index cannot be had"
fi

mapfile -t versions < <(apt-cache "${apt[@]}" showsrc "$pkg" 2>/dev/null |
	awk '/^Package: /{p=$2} /^Version: /{ if (p == "'"$pkg"'") print $2 }' | sort -u |
	while read -r v; do dpkg --compare-versions "$v" ge "$min" && echo "$v"; done |
	sort -r -V)
[ ${#versions[@]} -gt 0 ] || skip "no $pkg >= $min in $suite"
for v in "${versions[@]}"; do
	if (cd "$dest" && apt-get "${apt[@]}" --download-only source "$pkg=$v" >/dev/null 2>&1); then
		upstream=${v#*:}
		files=("$dest/${pkg}_${upstream}.dsc")
		files+=("$dest/${pkg}_${upstream%-*}"*.orig.tar.*)
		files+=("$dest/${pkg}_${upstream}".debian.tar.*)
		echo "$pkg $v ${files[*]}"
		exit 0
	fi
	echo "apt-source: $pkg $v is in $suite's index but cannot be downloaded; trying an older one" >&2
done
skip "no $pkg >= $min from $suite could be downloaded"
