#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The 'docs' suite's check of the built manual pages:
#
#   check-man.sh LIBKVMSEA.SYM PAGE...
#
# 1. Every name exported by the version script has a section 3 page,
#    NAME.3, which is a page or a ".so" link to one, and that page lists
#    the name in its NAME section.
# 2. Every name a section 3 page lists under NAME has its NAME.3, a link to
#    that page (or the page itself): `man NAME` finds it.
# 3. Every page (links included) renders without a warning: with
#    `man --warnings=w -l` when man-db is installed, else with
#    `groff -man -ww -z`. One of the two must be there (man-db or
#    groff-base; scripts/setup.sh installs both).
# Exit: 0 all good, 1 a check failed, 2 usage.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: check-man.sh LIBKVMSEA.SYM PAGE..." >&2; exit 2; }
sym=$1
shift

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/man
for page in "$@"; do
	section=${page##*.}
	mkdir -p "$root/man$section"
	cp "$page" "$root/man$section/"
done

fails=0
fail() {
	echo "check-man: $*" >&2
	fails=$((fails + 1))
}

# The page a name's file resolves to (following one .so link).
resolve() {
	local file=$1 target
	target=$(sed -n 's/^\.so \(.*\)$/\1/p' "$file" | head -1)
	if [ -n "$target" ]; then
		echo "$root/$target"
	else
		echo "$file"
	fi
}

# The names a page's NAME section lists, one a line.
names_of() {
	sed -n '/^\.SH NAME/,/^\.SH /p' "$1" | grep -v '^\.' | tr '\n' ' ' |
		sed 's/\\&//g; s/\\-/-/g; s/ - .*//' | tr ',' '\n' |
		sed 's/^ *//; s/ *$//' | grep -v '^$'
}

# 1. Coverage of the exported names.
exported=$(sed -n '/global:/,/local:/p' "$sym" | grep -o '^[[:space:]]*kvmsea_[a-z0-9_]*;' |
	tr -d ' \t;')
[ -n "$exported" ] || { echo "check-man: no names in $sym" >&2; exit 2; }
count=0
for name in $exported; do
	count=$((count + 1))
	file=$root/man3/$name.3
	if [ ! -f "$file" ]; then
		fail "$name: no page $name.3"
		continue
	fi
	page=$(resolve "$file")
	if [ ! -f "$page" ]; then
		fail "$name: $name.3 links to a missing page (${page#"$root"/})"
	elif ! names_of "$page" | grep -qx "$name"; then
		fail "$name: ${page#"$root"/} does not list it under NAME"
	fi
done
echo "check-man: $count exported names checked"

# 2. Every name under NAME can be looked up.
count=0
for page in "$root"/man3/*.3; do
	grep -q '^\.so ' "$page" && continue
	for name in $(names_of "$page"); do
		count=$((count + 1))
		file=$root/man3/$name.3
		if [ ! -f "$file" ]; then
			fail "${page#"$root"/} lists $name under NAME, but there is no $name.3"
		elif [ "$(resolve "$file")" != "$page" ]; then
			fail "$name.3 is not ${page#"$root"/}, which lists $name under NAME"
		fi
	done
done
echo "check-man: $count names listed under NAME checked"

# 3. Rendering, from the root of the tree so that .so links resolve.
if command -v man >/dev/null; then
	render() { { MANWIDTH=80 man --warnings=w -l "$1" >/dev/null; } 2>&1; }
	how="man --warnings=w -l"
elif command -v groff >/dev/null; then
	render() { groff -t -man -ww -z "$1" 2>&1 || echo "groff failed"; }
	how="groff -man -ww -z"
else
	echo "check-man: neither man (man-db) nor groff (groff-base) is installed" >&2
	exit 1
fi
cd "$root"
pages=0
for file in man*/*; do
	pages=$((pages + 1))
	warnings=$(render "$file")
	[ -z "$warnings" ] || fail "$file: $how: $warnings"
done
echo "check-man: $pages pages rendered with $how"

if [ "$fails" -ne 0 ]; then
	echo "check-man: $fails problem(s)" >&2
	exit 1
fi
echo "check-man: OK"
