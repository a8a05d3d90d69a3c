// SPDX-License-Identifier: MIT
#include "check.h"

#include <stdarg.h>

const char *e2e_scenario = "?";
int e2e_failures;

void e2e_begin(const char *scenario)
{
	e2e_scenario = scenario;
	e2e_failures = 0;
	printf("E2E BEGIN %s\n", scenario);
}

int e2e_end(const char *detail, ...)
{
	va_list ap;

	if (e2e_failures) {
		printf("E2E FAIL %s: %d check(s) failed\n", e2e_scenario, e2e_failures);
		return 1;
	}
	printf("E2E PASS %s: ", e2e_scenario);
	va_start(ap, detail);
	vprintf(detail, ap);
	va_end(ap);
	printf("\n");
	return 0;
}
