/* SPDX-License-Identifier: MIT */
/*
 * Writes a CPER block that libkvmsea builds to stdout, for the kvmsea-cper
 * checks (test-cper-tool.sh), which make the malformed ones from these.
 *
 *   make-block 4k     a consumed 4 KiB error at a load: one memory section
 *   make-block 64k    a 64 KiB host page under a 4 KiB guest: 16 sections
 *   make-block arm    the 4 KiB error with the ARM processor section, its
 *                     context holding the abort's ESR
 */
#include <stdio.h>
#include <string.h>

#include <libkvmsea/libkvmsea.h>

int main(int argc, char **argv)
{
	static unsigned char buf[65536];
	struct kvmsea_mem_error e;
	int sections, len;

	if (argc != 2) {
		fputs("usage: make-block 4k|64k|arm\n", stderr);
		return 2;
	}
	memset(&e, 0, sizeof(e));
	e.gpa = 0x50000128;
	e.page_size = 4096;
	e.flags = KVMSEA_MEM_CONSUMED;
	e.time = 1764590400; /* 2025-12-01 12:00:00 UTC */
	if (!strcmp(argv[1], "64k")) {
		e.page_size = 65536;
	} else if (!strcmp(argv[1], "arm")) {
		e.flags |= KVMSEA_MEM_ARM | KVMSEA_MEM_VA_VALID |
			   KVMSEA_MEM_MPIDR_VALID;
		e.esr = 0x92000010; /* DABT_LOW, a load, FSC 0x10 */
		e.va = 0x0000ffff8c9d5128;
		e.midr = 0x410fd0c1; /* Cortex-A76 r0p1 */
		e.mpidr = 0x80000001;
	} else if (strcmp(argv[1], "4k")) {
		fprintf(stderr, "make-block: unknown kind %s\n", argv[1]);
		return 2;
	}
	sections = kvmsea_cper_sections(&e);
	if (sections < 0)
		return 1;
	len = kvmsea_cper_build(&e, 0, (uint32_t)sections, buf, sizeof(buf));
	if (len < 0 || (size_t)len > sizeof(buf) ||
	    fwrite(buf, 1, (size_t)len, stdout) != (size_t)len ||
	    fflush(stdout) == EOF) {
		fputs("make-block: cannot build or write the block\n", stderr);
		return 1;
	}
	return 0;
}
