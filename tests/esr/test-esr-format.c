/* SPDX-License-Identifier: MIT */
/* kvmsea_esr_format(): the three styles, and its snprintf contract. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <libkvmsea/esr.h>
#include "json-check.h"

static const char *fmt(uint64_t esr, enum kvmsea_esr_style style)
{
	static char buf[8192];
	int n = kvmsea_esr_format(esr, style, buf, sizeof(buf));

	assert_true(n >= 0);
	assert_true((size_t)n < sizeof(buf));
	assert_int_equal(strlen(buf), n);
	return buf;
}

static __attribute__((noinline)) void assert_contains(const char *text,
						     const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("\"%s\" not found in:\n%s", needle, text);
}

static __attribute__((noinline)) void assert_lacks(const char *text,
						   const char *needle)
{
	if (strstr(text, needle))
		fail_msg("\"%s\" unexpectedly found in:\n%s", needle, text);
}

/* ---- the snprintf contract ----------------------------------------------- */

static void test_null_buffer_returns_length(void **state)
{
	int n = kvmsea_esr_format(0x92000010, KVMSEA_ESR_ONELINE, NULL, 0);

	(void)state;
	assert_true(n > 0);
	assert_int_equal(n, strlen(fmt(0x92000010, KVMSEA_ESR_ONELINE)));
}

static void test_unknown_style(void **state)
{
	char buf[16];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(kvmsea_esr_format(0, (enum kvmsea_esr_style)3, buf,
					   sizeof(buf)), -EINVAL);
	assert_int_equal(kvmsea_esr_format(0, (enum kvmsea_esr_style)-1, buf,
					   sizeof(buf)), -EINVAL);
	/* Nothing written. */
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 'x');
	/* A size with no buffer is refused too. */
	assert_int_equal(kvmsea_esr_format(0, KVMSEA_ESR_TREE, NULL, 4), -EINVAL);
}

static void test_size_zero_writes_nothing(void **state)
{
	char c = 'x';

	(void)state;
	assert_true(kvmsea_esr_format(0x92000010, KVMSEA_ESR_TREE, &c, 0) > 0);
	assert_int_equal(c, 'x');
}

static void test_size_one_is_empty_string(void **state)
{
	char buf[2] = { 'x', 'y' };

	(void)state;
	assert_true(kvmsea_esr_format(0x92000010, KVMSEA_ESR_JSON, buf, 1) > 0);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'y');
}

static void test_exact_fit(void **state)
{
	char buf[512];
	int n = kvmsea_esr_format(0x92000010, KVMSEA_ESR_ONELINE, NULL, 0);

	(void)state;
	assert_true(n + 2 < (int)sizeof(buf));
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(kvmsea_esr_format(0x92000010, KVMSEA_ESR_ONELINE, buf,
					   (size_t)n + 1), n);
	assert_int_equal(buf[n], '\0');
	assert_int_equal(buf[n + 1], 'x');
	/* One byte short: the last character is dropped, still terminated. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(kvmsea_esr_format(0x92000010, KVMSEA_ESR_ONELINE, buf,
					   (size_t)n), n);
	assert_int_equal(buf[n - 1], '\0');
	assert_int_equal(buf[n], 'x');
}

/* ---- ONELINE ------------------------------------------------------------- */

static void test_oneline_kvm_exit(void **state)
{
	(void)state;
	assert_string_equal(fmt(0x92000010, KVMSEA_ESR_ONELINE),
		"ESR 0x0000000092000010: EC 0x24 DABT_LOW (Data Abort from a lower EL), "
		"IL 32-bit, SET 0b00 (UER: recoverable), FnV 0, EA 0, WnR 0 (read), "
		"DFSC 0x10 (synchronous external abort, not on a translation table walk), "
		"severity UER");
}

static void test_oneline_fnv_and_sysreg(void **state)
{
	const char *s;

	(void)state;
	assert_contains(fmt(0x96000410, KVMSEA_ESR_ONELINE), "FnV 1,");
	s = fmt(0x62300421, KVMSEA_ESR_ONELINE);
	assert_contains(s, "EC 0x18 SYS64");
	assert_contains(s, "Op0 0b11, Op2 0b000, Op1 0b000, CRn 0x1, Rt 0x01, CRm 0x0");
	assert_contains(s, "Direction 1 (read, MRS)");
	assert_contains(s, "register SCTLR_EL1");
	/* An unknown register gets the generic spelling. */
	assert_contains(fmt(0x62300001 | 15u << 10, KVMSEA_ESR_ONELINE),
			"register S3_0_C15_C0_0");
	assert_lacks(s, "\n");
}

static void test_oneline_unallocated(void **state)
{
	(void)state;
	assert_string_equal(fmt(0xfc000000, KVMSEA_ESR_ONELINE),
		"ESR 0x00000000fc000000: EC 0x3f UNALLOCATED (Unallocated EC 0x3f), "
		"IL 16-bit, ISS 0x0000000");
}

static void test_oneline_serror_ce(void **state)
{
	(void)state;
	assert_string_equal(fmt(0xbe001811, KVMSEA_ESR_ONELINE),
		"ESR 0x00000000be001811: EC 0x2f SERROR (SError exception), IL 32-bit, "
		"AET 0b110 (CE: corrected), DFSC 0x11 (asynchronous SError), severity CE");
}

static void test_oneline_set_reserved_and_tnd(void **state)
{
	(void)state;
	assert_contains(fmt(0x92000810, KVMSEA_ESR_ONELINE),
			"SET 0b01 (reserved)");
	assert_contains(fmt(0x92000810, KVMSEA_ESR_ONELINE), "severity reserved");
	assert_contains(fmt(0x40092000010ull, KVMSEA_ESR_ONELINE), "TnD 1");
	assert_contains(fmt(0x9200003f, KVMSEA_ESR_ONELINE), "DFSC 0x3f (reserved)");
	assert_contains(fmt(0x96000013, KVMSEA_ESR_ONELINE),
			"DFSC 0x13 (synchronous external abort on a translation "
			"table walk, level -1)");
}

/* ---- TREE ---------------------------------------------------------------- */

static void test_tree_kvm_exit(void **state)
{
	const char *s = fmt(0x92000010, KVMSEA_ESR_TREE);

	(void)state;
	assert_true(!strncmp(s, "ESR 0x0000000092000010\n", 23));
	assert_contains(s, "  EC          [31:26] 0x24      DABT_LOW: Data Abort from a lower EL\n");
	assert_contains(s, "  IL          [25]    1 ");
	assert_contains(s, "  ISS         [24:0]  0x0000010\n");
	assert_contains(s, "    ISV         [24]    0         no instruction syndrome\n");
	assert_contains(s, "    SET         [12:11] 0b00      UER: recoverable\n");
	assert_contains(s, "    FnV         [10]    0         FAR valid\n");
	assert_contains(s, "    WnR         [6]     0         read\n");
	assert_contains(s, "    DFSC        [5:0]   0x10      synchronous external abort, not on a translation table walk\n");
	assert_contains(s, "  ISS2        [55:32] 0x000000\n");
	assert_contains(s, "  summary: severity UER, KVM SEA yes, FAR valid yes\n");
	assert_lacks(s, "RES0");
	/* ISS2 is zero: its fields are not listed. */
	assert_lacks(s, "TnD");
	assert_int_equal(s[strlen(s) - 1], '\n');
}

static void test_tree_res0_reported(void **state)
{
	const char *s = fmt(0xff00000086001a3full, KVMSEA_ESR_TREE);

	(void)state;
	/* SET is RES0 for IFSC 0x3f; bits [63:56] are RES0 everywhere. */
	assert_contains(s, "    RES0        [12:11] 0b11      reserved bits set\n");
	assert_contains(s, "  RES0        [63:56] 0xff      reserved bits set\n");
	assert_lacks(s, "SET ");
	/* ISS2 bits an instruction abort does not define. */
	s = fmt(0x40082000010ull, KVMSEA_ESR_TREE);
	assert_contains(s, "    RES0        [42]    1         reserved bits set\n");
}

static void test_tree_every_layout(void **state)
{
	(void)state;
	assert_contains(fmt(0x06000000 | 1u << 24 | 0xeu << 20 | 2, KVMSEA_ESR_TREE),
			"    TI          [1:0]   0b10      WFIT\n");
	assert_contains(fmt(0x5a001234, KVMSEA_ESR_TREE),
			"    imm16       [15:0]  0x1234    immediate\n");
	assert_contains(fmt(0x62300421, KVMSEA_ESR_TREE),
			"  summary: register SCTLR_EL1, severity none");
	assert_contains(fmt(0xcb000062, KVMSEA_ESR_TREE),
			"    EX          [6]     1         stepped a load-exclusive\n");
	assert_contains(fmt(0xb2800001, KVMSEA_ESR_TREE),
			"    IOF         [0]     1         invalid operation\n");
	assert_contains(fmt(0x36000003, KVMSEA_ESR_TREE),
			"    BTYPE       [1:0]   0b11      PSTATE.BTYPE\n");
	assert_contains(fmt(0x72000002, KVMSEA_ESR_TREE),
			"    IorD        [1]     1         data key\n");
	assert_contains(fmt(0x9e000000 | 1u << 24, KVMSEA_ESR_TREE),
			"    MemInst     [24]    1         SET* instruction\n");
	assert_contains(fmt(0xb6000000 | 2u << 20, KVMSEA_ESR_TREE),
			"    ExType      [23:20] 0x2       exception type\n");
	assert_contains(fmt(0xbe000000 | 1u << 24 | 0x123456, KVMSEA_ESR_TREE),
			"    IMPDEF      [23:0]  0x123456  IMPLEMENTATION DEFINED\n");
}

static void test_tree_iss_res0_classes(void **state)
{
	(void)state;
	/* EC 0x0e (illegal state) has an all-RES0 ISS: set bits are flagged. */
	assert_contains(fmt(0x3a000005, KVMSEA_ESR_TREE),
			"    RES0        [2]     1         reserved bits set\n");
	assert_contains(fmt(0x3a000005, KVMSEA_ESR_TREE),
			"    RES0        [0]     1         reserved bits set\n");
	/* A class shown raw makes no claim about its ISS bits. */
	assert_lacks(fmt(0x0e000005, KVMSEA_ESR_TREE), "RES0");
	assert_lacks(fmt(0xfc0000ff, KVMSEA_ESR_TREE), "RES0");
}

/* ---- JSON ---------------------------------------------------------------- */

static void test_json_snapshot(void **state)
{
	(void)state;
	assert_string_equal(fmt(0x62300421, KVMSEA_ESR_JSON),
		"{\"esr\":\"0x0000000062300421\",\"ec\":24,\"ec_name\":\"SYS64\","
		"\"ec_description\":\"Trapped MSR, MRS or System instruction\","
		"\"ec_allocated\":true,\"il\":1,\"iss\":3146785,\"iss2\":0,\"res0_hi\":0,"
		"\"layout\":\"sysreg\",\"severity\":\"none\",\"is_sea\":false,"
		"\"far_valid\":false,\"sysreg\":\"SCTLR_EL1\",\"fields\":["
		"{\"name\":\"Op0\",\"bits\":\"21:20\",\"value\":3,\"meaning\":null},"
		"{\"name\":\"Op2\",\"bits\":\"19:17\",\"value\":0,\"meaning\":null},"
		"{\"name\":\"Op1\",\"bits\":\"16:14\",\"value\":0,\"meaning\":null},"
		"{\"name\":\"CRn\",\"bits\":\"13:10\",\"value\":1,\"meaning\":null},"
		"{\"name\":\"Rt\",\"bits\":\"9:5\",\"value\":1,\"meaning\":\"register number\"},"
		"{\"name\":\"CRm\",\"bits\":\"4:1\",\"value\":0,\"meaning\":null},"
		"{\"name\":\"Direction\",\"bits\":\"0\",\"value\":1,\"meaning\":\"read, MRS\"}]}");
}

static void test_json_keys_always_present(void **state)
{
	static const char *const keys[] = {
		"\"esr\":", "\"ec\":", "\"ec_name\":", "\"ec_description\":",
		"\"ec_allocated\":", "\"il\":", "\"iss\":", "\"iss2\":",
		"\"res0_hi\":", "\"layout\":", "\"severity\":", "\"is_sea\":",
		"\"far_valid\":", "\"sysreg\":", "\"fields\":[",
	};

	(void)state;
	for (unsigned int ec = 0; ec < 64; ec++) {
		const char *s = fmt((uint64_t)ec << 26 | 0x2000000 | ec, KVMSEA_ESR_JSON);

		assert_true(json_valid(s));
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			assert_contains(s, keys[i]);
		assert_lacks(s, "\n");
	}
}

static void test_json_kvm_exit(void **state)
{
	const char *s = fmt(0xa500040092000010ull, KVMSEA_ESR_JSON);

	(void)state;
	assert_true(json_valid(s));
	assert_contains(s, "\"esr\":\"0xa500040092000010\"");
	assert_contains(s, "\"ec\":36,\"ec_name\":\"DABT_LOW\"");
	assert_contains(s, "\"iss2\":1024,\"res0_hi\":165");
	assert_contains(s, "\"severity\":\"UER\",\"is_sea\":true,\"far_valid\":true,"
			"\"sysreg\":null");
	assert_contains(s, "{\"name\":\"TnD\",\"bits\":\"42\",\"value\":1,");
	assert_contains(s, "{\"name\":\"DFSC\",\"bits\":\"5:0\",\"value\":16,"
			"\"meaning\":\"synchronous external abort, not on a "
			"translation table walk\"}");
}

static void test_json_checker_rejects(void **state)
{
	(void)state;
	/* The checker used by the property tests is not a rubber stamp. */
	assert_true(json_valid("{\"a\":[1,-2.5e3,true,false,null,\"x\\u00e9\"]}"));
	assert_false(json_valid(""));
	assert_false(json_valid("{"));
	assert_false(json_valid("{\"a\":1,}"));
	assert_false(json_valid("{\"a\" 1}"));
	assert_false(json_valid("[1 2]"));
	assert_false(json_valid("\"tab\there\""));
	assert_false(json_valid("\"bad \\x escape\""));
	assert_false(json_valid("{} {}"));
	assert_false(json_valid("01"));
	assert_false(json_valid("nul"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_buffer_returns_length),
		cmocka_unit_test(test_unknown_style),
		cmocka_unit_test(test_size_zero_writes_nothing),
		cmocka_unit_test(test_size_one_is_empty_string),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_oneline_kvm_exit),
		cmocka_unit_test(test_oneline_fnv_and_sysreg),
		cmocka_unit_test(test_oneline_unallocated),
		cmocka_unit_test(test_oneline_serror_ce),
		cmocka_unit_test(test_oneline_set_reserved_and_tnd),
		cmocka_unit_test(test_tree_kvm_exit),
		cmocka_unit_test(test_tree_res0_reported),
		cmocka_unit_test(test_tree_every_layout),
		cmocka_unit_test(test_tree_iss_res0_classes),
		cmocka_unit_test(test_json_snapshot),
		cmocka_unit_test(test_json_keys_always_present),
		cmocka_unit_test(test_json_kvm_exit),
		cmocka_unit_test(test_json_checker_rejects),
	};

	return cmocka_run_group_tests_name("esr-format", tests, NULL, NULL);
}
