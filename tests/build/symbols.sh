#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# symbols.sh LIBRARY VERSION-SCRIPT
#
# The shared library exports exactly what the version script promises:
#   - every defined dynamic symbol is a kvmsea_* name listed in the version
#     script, bound to its node with a default version (name@@NODE), or is
#     the node's own version symbol (NODE, absolute);
#   - every name the version script lists is defined (a missing
#     implementation fails here, since ld does not complain about it);
#   - readelf --dyn-syms and nm -D --defined-only agree.
# readelf and nm read any ELF target, so this also checks a cross build.
set -euo pipefail

lib=${1:?usage: symbols.sh LIBRARY VERSION-SCRIPT}
map=${2:?usage: symbols.sh LIBRARY VERSION-SCRIPT}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmsea-symbols.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# "name node" for each name in a global: section of the version script
# (comments stripped first).
perl -0777 -pe 's{/\*.*?\*/}{}gs' "$map" | awk '
	/^[[:space:]]*[A-Za-z_][A-Za-z0-9_.]*[[:space:]]*\{/ {
		node = $1; sub(/\{.*/, "", node); section = "global"; next }
	/^[[:space:]]*global:/ { section = "global"; next }
	/^[[:space:]]*local:/ { section = "local"; next }
	/^[[:space:]]*\}/ { node = ""; next }
	node != "" && section == "global" {
		line = $0; gsub(/[[:space:];]/, "", line)
		if (line != "") print line, node
	}' | sort >"$tmp/promised"
cut -d' ' -f2 "$tmp/promised" | sort -u >"$tmp/nodes"
[[ -s $tmp/promised ]] || { echo "symbols: FAIL: no names found in $map" >&2; exit 1; }

# Exported (defined, not LOCAL) dynamic symbols as "name version ndx"
# (version "-" when none), from
# readelf: Num Value Size Type Bind Vis Ndx Name[@@version].
readelf --dyn-syms -W "$lib" | awk '
	$1 ~ /^[0-9]+:$/ && $5 != "LOCAL" && $7 != "UND" && NF >= 8 {
		name = $8; ver = "-"
		if (index(name, "@@")) { ver = substr(name, index(name, "@@") + 2); name = substr(name, 1, index(name, "@@") - 1) }
		else if (index(name, "@")) { ver = "@" substr(name, index(name, "@") + 1); name = substr(name, 1, index(name, "@") - 1) }
		print name, ver, $7
	}' | sort >"$tmp/defined"

nm -D --defined-only "$lib" | awk '{ name = $NF; sub(/@.*/, "", name); print name }' | sort >"$tmp/nm"

failed=0
bad() { echo "symbols: FAIL: $*" >&2; failed=1; }

while read -r name ver ndx; do
	if grep -qx -- "$name" "$tmp/nodes"; then
		[[ $ndx == ABS ]] || bad "version node symbol $name is not absolute ($ndx)"
		continue
	fi
	[[ $name == kvmsea_* ]] || bad "exported symbol without the kvmsea_ prefix: $name"
	node=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/promised")
	if [[ -z $node ]]; then
		bad "$name is exported but not listed in ${map##*/}"
	elif [[ $ver != "$node" ]]; then
		bad "$name has version '$ver', expected default version @@$node"
	fi
done <"$tmp/defined"

while read -r name node; do
	grep -q "^$name " "$tmp/defined" || bad "$name is listed in ${map##*/} ($node) but not defined in ${lib##*/}"
done <"$tmp/promised"

while read -r node; do
	grep -q "^$node " "$tmp/defined" || bad "no version node symbol $node in ${lib##*/}"
done <"$tmp/nodes"

if ! diff -u <(cut -d' ' -f1 "$tmp/defined") "$tmp/nm" >"$tmp/diff"; then
	bad "readelf --dyn-syms and nm -D --defined-only disagree:"
	cat "$tmp/diff" >&2
fi

if [[ $failed -ne 0 ]]; then
	echo "symbols: FAIL (${lib##*/})"
	exit 1
fi
echo "symbols: PASS: ${lib##*/} exports exactly the $(wc -l <"$tmp/promised") names of ${map##*/}, $(tr '\n' ' ' <"$tmp/nodes")"
