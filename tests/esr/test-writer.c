/* SPDX-License-Identifier: MIT */
/* lib/writer.h: each piece's text, JSON escaping, and the snprintf contract
 * (the full length returned, a NUL-terminated prefix kept, nothing written
 * past the size) at every buffer size. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "writer.h"

#define GUARD 16

/* One text made of every kind of piece, written into @buf of @size. */
static int write_sample(char *buf, size_t size)
{
	struct kvmsea_writer w;

	w_init(&w, buf, size);
	w_str(&w, "ESR ");
	w_hex(&w, 0x92000010, 16);
	w_char(&w, ' ');
	w_dec(&w, UINT64_MAX);
	w_mem(&w, "  ", 2);
	w_json_str(&w, "a\"b\\c\x01\x1f\x7f");
	w_str(&w, "");
	w_hex(&w, 0, 1);
	return w_finish(&w);
}

static const char sample[] = "ESR 0x0000000092000010 18446744073709551615  "
			     "\"a\\\"b\\\\c\\u0001\\u001f\x7f\"0x0";

static void test_pieces(void **state)
{
	char buf[256];
	struct kvmsea_writer w;

	(void)state;
	assert_int_equal(write_sample(buf, sizeof(buf)), strlen(sample));
	assert_string_equal(buf, sample);

	w_init(&w, buf, sizeof(buf));
	w_hex(&w, UINT64_MAX, 2);
	w_char(&w, ',');
	w_hex(&w, 0xabc, 2);
	w_char(&w, ',');
	w_dec(&w, 0);
	w_char(&w, ',');
	w_dec(&w, 10);
	w_char(&w, ',');
	w_json_str(&w, "");
	assert_int_equal(w_finish(&w), 32);
	assert_string_equal(buf, "0xffffffffffffffff,0xabc,0,10,\"\"");

	w_init(&w, buf, sizeof(buf));
	w_char(&w, '{');
	w_json_key_num(&w, "n", 42);
	w_json_key_bool(&w, "t", true);
	w_json_key_bool(&w, "f", false);
	w_json_key_str(&w, "s", "a\"b");
	w_json_key(&w, "z");
	w_str(&w, "null}");
	assert_int_equal(w_finish(&w), 48);
	assert_string_equal(buf, "{,\"n\":42,\"t\":true,\"f\":false,"
				 "\"s\":\"a\\\"b\",\"z\":null}");
}

static void test_every_size(void **state)
{
	char buf[256];
	int n = (int)strlen(sample);

	(void)state;
	assert_int_equal(write_sample(NULL, 0), n);
	for (size_t size = 1; size <= (size_t)n + 1; size++) {
		size_t kept = size - 1 < (size_t)n ? size - 1 : (size_t)n;

		memset(buf, '#', size + GUARD);
		assert_int_equal(write_sample(buf, size), n);
		assert_int_equal(buf[kept], '\0');
		assert_memory_equal(buf, sample, kept);
		for (size_t g = size; g < size + GUARD; g++)
			assert_int_equal(buf[g], '#');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_every_size),
	};

	return cmocka_run_group_tests_name("esr-writer", tests, NULL, NULL);
}
