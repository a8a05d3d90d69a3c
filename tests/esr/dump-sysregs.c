/* SPDX-License-Identifier: MIT */
/*
 * Helper for check-sysreg-names.sh: writes, for every entry of the system
 * register name table, two AArch64 instruction words that use its encoding
 * to the file named by argv[1] (little-endian), and the entry's name to
 * stdout, one a line in the same order. For registers the two words are MRS
 * and MSR (a register may be read-only or write-only, and the disassembler
 * names it only in the direction that exists); for SYS instructions they
 * are the forms with Rt = x0 and Rt = xzr (operations that take no register
 * are named only with xzr).
 */
#include <stdint.h>
#include <stdio.h>

#include "esr-internal.h"

static int put_word(FILE *f, uint32_t w)
{
	unsigned char b[4] = { w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, w >> 24 };

	return fwrite(b, 1, 4, f) == 4 ? 0 : -1;
}

int main(int argc, char **argv)
{
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CODE-FILE\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "wb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	for (unsigned int i = 0; i < kvmsea_sysreg_table_len; i++) {
		uint16_t key = kvmsea_sysreg_table[i].key;
		/* The key is op0:op1:CRn:CRm:op2, which is also bits [20:5] of
		 * the MRS/MSR/SYS encodings. */
		uint32_t sys = 0xd5000000u | (uint32_t)key << 5;
		int err;

		if (key >> 14 == 1)
			err = put_word(f, sys) || put_word(f, sys | 31);
		else
			err = put_word(f, sys | 1u << 21) || put_word(f, sys);
		if (err) {
			perror(argv[1]);
			return 1;
		}
		printf("%s\n", kvmsea_sysreg_entry_name(&kvmsea_sysreg_table[i]));
	}
	return fclose(f) ? 1 : 0;
}
