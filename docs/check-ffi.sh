#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The 'docs' suite's check of the Rust FFI sketch in docs/integration.md:
#
#   check-ffi.sh INTEGRATION.MD INCLUDE-DIR LIB-DIR RUSTC CC [CC-ARGS...]
#
# Compiles the sketch's Rust block with rustc, links it against the
# libkvmsea.so just built, and compares the size and alignment of each
# struct and the offset of each field, as Rust lays them out, with what the
# C compiler says for the public headers. Also checks the sizes in the
# document's layout table, and makes one call through the bindings.
# Exit: 0 all match, 1 a mismatch or a build failure, 2 usage.
set -euo pipefail

[ $# -ge 5 ] || { echo "usage: check-ffi.sh DOC INCLUDE-DIR LIB-DIR RUSTC CC..." >&2; exit 2; }
doc=$1 inc=$2 libdir=$3 rustc=$4
shift 4
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-ffi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# struct:field ... (struct alone: its size and alignment)
items="kvmsea_caps kvmsea_caps:sea_exits_possible kvmsea_caps:sea_exits_enabled
kvmsea_caps:reserved kvmsea_esr kvmsea_esr:ec kvmsea_esr:il kvmsea_esr:iss
kvmsea_esr:iss2 kvmsea_esr:res0_hi kvmsea_esr:ec_allocated kvmsea_esr:layout
kvmsea_esr:u kvmsea_esr:severity kvmsea_esr_abort kvmsea_esr_abort:fsc
kvmsea_esr_abort:level kvmsea_esr_abort:xs kvmsea_guest kvmsea_guest:el
kvmsea_guest:nested kvmsea_event kvmsea_event:vcpu_id kvmsea_event:count
kvmsea_event:raw_gpa kvmsea_event:esr kvmsea_event:gva_valid
kvmsea_event:addr_valid kvmsea_event:gva kvmsea_event:addr kvmsea_event:guest
kvmsea_event:repeats kvmsea_event:livelock kvmsea_event:injected
kvmsea_event:reserved"

{
	echo '#include <stdio.h>'
	echo '#include <stddef.h>'
	echo '#include <libkvmsea/libkvmsea.h>'
	echo 'int main(void) {'
	for it in $items; do
		s=${it%%:*}
		if [ "$it" = "$s" ]; then
			printf '%s\n' "printf(\"$s %zu %zu\\n\", sizeof(struct $s), _Alignof(struct $s));"
		else
			printf '%s\n' "printf(\"$it %zu\\n\", offsetof(struct $s, ${it#*:}));"
		fi
	done
	echo 'return 0; }'
} > "$tmp/layout.c"

# The rust code block that starts with #![allow(non_camel_case_types)].
awk '
	/^```rust$/ { block = ""; inside = 1; next }
	!inside { next }
	/^```$/ { if (block ~ /^#!\[allow\(non_camel_case_types\)\]/) printf "%s", block; inside = 0; next }
	{ block = block $0 "\n" }' "$doc" > "$tmp/ffi.rs"
[ -s "$tmp/ffi.rs" ] || { echo "check-ffi: no FFI block in $doc" >&2; exit 1; }
{
	cat "$tmp/ffi.rs"
	echo 'use std::mem::{align_of, offset_of, size_of};'
	echo 'fn main() {'
	for it in $items; do
		s=${it%%:*}
		if [ "$it" = "$s" ]; then
			echo "println!(\"$s {} {}\", size_of::<$s>(), align_of::<$s>());"
		else
			echo "println!(\"$it {}\", offset_of!($s, ${it#*:}));"
		fi
	done
	# One call: the library fills the Rust struct as C would.
	echo 'let mut d: kvmsea_esr = unsafe { std::mem::zeroed() };'
	echo 'unsafe { kvmsea_esr_decode(0x92000050, &mut d) };'
	echo 'assert!(d.ec == 0x24 && unsafe { d.u.abort.wnr && d.u.abort.fsc == 0x10 });'
	echo '}'
} > "$tmp/main.rs"

"$@" -I "$inc" -o "$tmp/layout" "$tmp/layout.c"
"$tmp/layout" > "$tmp/c.txt"
"$rustc" --edition 2021 -A dead_code -L "$libdir" -o "$tmp/rs" "$tmp/main.rs"
LD_LIBRARY_PATH=$libdir "$tmp/rs" > "$tmp/rust.txt"

fails=0
if ! diff -u "$tmp/c.txt" "$tmp/rust.txt"; then
	echo "check-ffi: the Rust sketch's layout differs from the C headers (- C, + Rust)" >&2
	fails=1
fi
# The table: "| `struct` | size | align |".
while read -r s size align; do
	case $s in *:*) continue ;; esac
	if ! grep -q "^| \`$s\` | $size | $align |" "$doc"; then
		echo "check-ffi: $doc: the layout table does not say $s is $size bytes, align $align" >&2
		fails=1
	fi
done < "$tmp/c.txt"
[ "$fails" = 0 ] || exit 1
echo "check-ffi: the Rust sketch matches the C layout ($(wc -l < "$tmp/c.txt") items)"
