/* SPDX-License-Identifier: MIT */
/*
 * Events without a vCPU: kvmsea_event_init() and kvmsea_event_format()
 * (one line, text, the JSON record libkvmsea.event/1), with snprintf
 * semantics at every buffer size.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <libkvmsea/libkvmsea.h>

#include "json-check.h"

static const enum kvmsea_event_style styles[] = {
	KVMSEA_EVENT_ONELINE, KVMSEA_EVENT_TEXT, KVMSEA_EVENT_JSON,
};

static void test_init(void **state)
{
	struct kvmsea_event ev, before;

	(void)state;
	assert_int_equal(kvmsea_event_init(&ev, 0x92000050, 0x1234), 0);
	assert_int_equal(ev.source, KVMSEA_SOURCE_CALLER);
	assert_int_equal(ev.vcpu_id, KVMSEA_NO_VCPU);
	assert_true(ev.syndrome == 0x92000050);
	assert_int_equal(ev.esr.ec, KVMSEA_EC_DABT_LOW);
	assert_true(ev.esr.u.abort.wnr);
	assert_int_equal(ev.known, KVMSEA_KNOWN_GVA);
	assert_true(ev.gva == 0x1234);
	assert_true(ev.time_ns > 0);

	/* FnV: the address is not known, whatever was passed. */
	assert_int_equal(kvmsea_event_init(&ev, 0x82000410, 0x1234), 0);
	assert_int_equal(ev.known, 0);
	assert_true(ev.gva == 0);
	/* On a table walk FnV is RES0: FAR is valid. */
	assert_int_equal(kvmsea_event_init(&ev, 0x92000415, 0x1234), 0);
	assert_int_equal(ev.known, KVMSEA_KNOWN_GVA);

	/* Not an abort: refused, nothing written. */
	memset(&ev, 0x5a, sizeof(ev));
	before = ev;
	assert_int_equal(kvmsea_event_init(&ev, 0x5e000000, 0), -EINVAL);
	assert_int_equal(kvmsea_event_init(&ev, 0xbe000000, 0), -EINVAL);
	assert_memory_equal(&ev, &before, sizeof(ev));
	assert_int_equal(kvmsea_event_init(NULL, 0x92000010, 0), -EINVAL);
}

/* An event as the hook makes one, every field set. */
static struct kvmsea_event full_event(void)
{
	struct kvmsea_event ev;

	assert_int_equal(kvmsea_event_init(&ev, 0x92000050, 0x50000128), 0);
	ev.source = KVMSEA_SOURCE_EXIT;
	ev.vcpu_id = 3;
	ev.seq = 42;
	ev.time_ns = 1767225600000000000ULL;
	ev.known = KVMSEA_KNOWN_GVA | KVMSEA_KNOWN_GPA | KVMSEA_KNOWN_PAGE_GPA |
		   KVMSEA_KNOWN_GUEST;
	ev.gpa = 0x40000128;
	ev.page_gpa = 0x40000000;
	ev.page_size = 4096;
	ev.exit.flags = 1;
	ev.exit.esr = 0x92000050;
	ev.exit.gva = 0x50000128;
	ev.exit.gpa = 0x40000000;
	ev.guest.pc = 0x40000024;
	ev.guest.pstate = 0x600003c5;
	ev.guest.el = 1;
	ev.repeats = 2;
	ev.distinct_pages = 1;
	ev.action = KVMSEA_ACTION_DEFAULT;
	ev.injected = KVMSEA_STRATEGY_VCPU_EVENTS;
	ev.lost = KVMSEA_LOST_WNR | KVMSEA_LOST_FAR;
	return ev;
}

static void test_format_oneline(void **state)
{
	struct kvmsea_event ev = full_event();
	char buf[512];

	(void)state;
	assert_true(kvmsea_event_format(&ev, KVMSEA_EVENT_ONELINE, buf,
					sizeof(buf)) > 0);
	assert_string_equal(buf, "exit vcpu 3 #42: esr 0x92000050 DABT_LOW "
			    "gva 0x50000128 gpa 0x40000128 page 0x40000000+0x1000 "
			    "el1 pc 0x40000024 repeats 2 action default "
			    "injected vcpu-events lost far|wnr");
	assert_null(strchr(buf, '\n'));
}

static void test_format_text(void **state)
{
	struct kvmsea_event ev = full_event();
	char buf[2048];

	(void)state;
	assert_true(kvmsea_event_format(&ev, KVMSEA_EVENT_TEXT, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "memory error from exit on vCPU 3 (#42)\n"));
	assert_non_null(strstr(buf, "  esr      ESR 0x0000000092000050: EC 0x24 DABT_LOW"));
	assert_non_null(strstr(buf, "  gpa      0x40000128\n"));
	assert_non_null(strstr(buf, "  page     0x40000000 (host -, 4096 bytes)\n"));
	assert_non_null(strstr(buf, "  guest    EL1 AArch64, PC 0x40000024"));
	assert_non_null(strstr(buf, "  action   default, injected vcpu-events, lost far|wnr\n"));
}

static void test_format_json(void **state)
{
	struct kvmsea_event ev = full_event();
	char buf[8192];

	(void)state;
	assert_true(kvmsea_event_format(&ev, KVMSEA_EVENT_JSON, buf, sizeof(buf)) > 0);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "{\"schema\":\"libkvmsea.event/1\",\"source\":\"exit\","
			       "\"vcpu\":3,\"seq\":42,\"time_ns\":1767225600000000000,"
			       "\"esr\":{\"esr\":\"0x0000000092000050\""));
	assert_non_null(strstr(buf, "\"gva\":\"0x50000128\",\"gpa\":\"0x40000128\","
			       "\"page_gpa\":\"0x40000000\",\"page_hva\":null,"
			       "\"page_size\":4096,\"exit\":{\"flags\":1,"));
	assert_non_null(strstr(buf, "\"sigbus\":null,\"memory_fault\":null,\"guest\":{\"pc\":\"0x40000024\""));
	assert_non_null(strstr(buf, "\"repeats\":2,\"livelock\":false,"
			       "\"distinct_pages\":1,\"storm\":false,\"action\":\"default\","
			       "\"injected\":\"vcpu-events\",\"lost\":[\"far\",\"wnr\"]}"));

	/* A SIGBUS event: no exit, no gva, the signal's fields. */
	ev.source = KVMSEA_SOURCE_SIGBUS_AO;
	ev.vcpu_id = KVMSEA_NO_VCPU;
	ev.known = KVMSEA_KNOWN_PAGE_GPA | KVMSEA_KNOWN_PAGE_HVA;
	ev.page_hva = 0x7f0000200000;
	ev.page_size = 2 << 20;
	ev.sigbus.code = 5;
	ev.sigbus.addr = 0x7f0000200000;
	ev.sigbus.addr_lsb = 21;
	ev.lost = 0;
	assert_true(kvmsea_event_format(&ev, KVMSEA_EVENT_JSON, buf, sizeof(buf)) > 0);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"vcpu\":null"));
	assert_non_null(strstr(buf, "\"gva\":null,\"gpa\":null"));
	assert_non_null(strstr(buf, "\"exit\":null,\"sigbus\":{\"code\":5,"
			       "\"addr\":\"0x7f0000200000\",\"addr_lsb\":21},\"memory_fault\":null,"
			       "\"guest\":null"));
	assert_non_null(strstr(buf, "\"lost\":[]}"));
}

/* snprintf semantics: every size from 0 to the full length + 1 gives a
 * NUL-terminated prefix of the full text, never a byte past @size. */
static void test_format_every_size(void **state)
{
	struct kvmsea_event ev = full_event();
	char full[8192], buf[8200];

	(void)state;
	for (size_t s = 0; s < sizeof(styles) / sizeof(styles[0]); s++) {
		int n = kvmsea_event_format(&ev, styles[s], full, sizeof(full));

		assert_true(n > 0 && (size_t)n < sizeof(full));
		assert_int_equal(kvmsea_event_format(&ev, styles[s], NULL, 0), n);
		for (size_t size = 1; size <= (size_t)n + 1; size++) {
			memset(buf, '#', sizeof(buf));
			assert_int_equal(kvmsea_event_format(&ev, styles[s], buf, size), n);
			assert_int_equal(strlen(buf), size - 1 < (size_t)n ? size - 1 : (size_t)n);
			assert_memory_equal(buf, full, strlen(buf));
			assert_int_equal(buf[size], '#');
		}
	}
}

static void test_format_bad_input(void **state)
{
	struct kvmsea_event ev = full_event();
	char buf[16] = "untouched";

	(void)state;
	assert_int_equal(kvmsea_event_format(NULL, KVMSEA_EVENT_JSON, buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(kvmsea_event_format(&ev, (enum kvmsea_event_style)9, buf,
					     sizeof(buf)), -EINVAL);
	assert_int_equal(kvmsea_event_format(&ev, KVMSEA_EVENT_JSON, NULL, 4), -EINVAL);
	assert_string_equal(buf, "untouched");
	/* Garbage in the enums still formats, and stays valid JSON. */
	ev.source = (enum kvmsea_source)77;
	ev.action = (enum kvmsea_action)77;
	ev.injected = (enum kvmsea_strategy)77;
	ev.lost = 0xffffffff;
	{
		char json[8192];

		assert_true(kvmsea_event_format(&ev, KVMSEA_EVENT_JSON, json,
						sizeof(json)) > 0);
		assert_true(json_valid(json));
		assert_non_null(strstr(json, "\"source\":\"unknown\""));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_format_oneline),
		cmocka_unit_test(test_format_text),
		cmocka_unit_test(test_format_json),
		cmocka_unit_test(test_format_every_size),
		cmocka_unit_test(test_format_bad_input),
	};

	return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
