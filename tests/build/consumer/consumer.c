/* SPDX-License-Identifier: MIT */
/*
 * A program outside the project using an installed libkvmsea (or the
 * libkvmsea subproject): decodes the syndrome KVM reports for a guest SEA on
 * a data access and checks what a VMM would look at.
 */
#include <stdio.h>

#include <libkvmsea/libkvmsea.h>

int main(void)
{
	/* EC 0x24 (data abort from a lower EL), IL, DFSC 0x10 (SEA). */
	const uint64_t esr = 0x92000010;
	struct kvmsea_esr d;
	int failed = 0;

	kvmsea_esr_decode(esr, &d);
	if (d.ec != KVMSEA_EC_DABT_LOW) {
		fprintf(stderr, "consumer: EC 0x%x, expected 0x%x\n", d.ec,
			KVMSEA_EC_DABT_LOW);
		failed = 1;
	}
	if (d.layout != KVMSEA_LAYOUT_ABORT || d.u.abort.fsc != KVMSEA_FSC_EXTABT) {
		fprintf(stderr, "consumer: not decoded as an abort with FSC 0x10\n");
		failed = 1;
	}
	if (!kvmsea_esr_is_sea(esr)) {
		fprintf(stderr, "consumer: kvmsea_esr_is_sea() is false\n");
		failed = 1;
	}
	if (!failed)
		printf("consumer: 0x%llx is EC 0x%x %s, an SEA\n",
		       (unsigned long long)esr, d.ec, kvmsea_esr_ec_name(d.ec));
	return failed;
}
