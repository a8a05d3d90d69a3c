/* SPDX-License-Identifier: MIT */
/* The formatters' text writer (see text.h). */
#include <errno.h>
#include <limits.h>

#include "text.h"

void kvmsea_text_char(struct kvmsea_text *t, char c)
{
	/* Keep the last byte for the NUL. */
	if (t->len + 1 < t->size)
		t->buf[t->len] = c;
	t->len++;
}

void kvmsea_text_str(struct kvmsea_text *t, const char *s)
{
	while (*s)
		kvmsea_text_char(t, *s++);
}

void kvmsea_text_hex(struct kvmsea_text *t, uint64_t v, unsigned int digits)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int n = 1;

	while (n < 16 && (v >> (4 * n)))
		n++;
	if (digits > n)
		n = digits;
	kvmsea_text_str(t, "0x");
	while (n--)
		kvmsea_text_char(t, hex[(v >> (4 * n)) & 15]);
}

void kvmsea_text_dec(struct kvmsea_text *t, uint64_t v)
{
	char tmp[20];
	unsigned int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		kvmsea_text_char(t, tmp[--n]);
}

int kvmsea_text_end(struct kvmsea_text *t)
{
	if (t->size)
		t->buf[t->len < t->size ? t->len : t->size - 1] = '\0';
	if (t->len > INT_MAX)
		return -EOVERFLOW;
	return (int)t->len;
}
