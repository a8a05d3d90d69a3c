/* SPDX-License-Identifier: MIT */
/*
 * A byte writer with snprintf semantics, for the formatters: it counts the
 * bytes the full text needs and stores those that fit, keeping one byte
 * for the NUL, so truncated output is a prefix of the full output by
 * construction. No allocation, no locale, no stdio: safe in a signal
 * handler.
 */
#ifndef LIBKVMSEA_WRITER_H
#define LIBKVMSEA_WRITER_H

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct kvmsea_writer {
	char *buf;
	size_t size;
	size_t len; /* bytes the full text needs so far */
};

static inline void w_init(struct kvmsea_writer *w, char *buf, size_t size)
{
	w->buf = buf;
	w->size = size;
	w->len = 0;
}

static inline void w_char(struct kvmsea_writer *w, char c)
{
	if (w->len + 1 < w->size)
		w->buf[w->len] = c;
	w->len++;
}

static inline void w_str(struct kvmsea_writer *w, const char *s)
{
	while (*s)
		w_char(w, *s++);
}

/* "0x" and at least @digits hex digits. */
static inline void w_hex(struct kvmsea_writer *w, uint64_t v,
			 unsigned int digits)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int n = 1;

	while (n < 16 && (v >> (4 * n)))
		n++;
	if (digits > n)
		n = digits;
	w_str(w, "0x");
	while (n--)
		w_char(w, hex[(v >> (4 * n)) & 15]);
}

static inline void w_dec(struct kvmsea_writer *w, uint64_t v)
{
	char tmp[20];
	unsigned int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		w_char(w, tmp[--n]);
}

/* A JSON string literal, escaping what JSON needs. */
static inline void w_json_str(struct kvmsea_writer *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	w_char(w, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			w_char(w, '\\');
			w_char(w, (char)c);
		} else if (c < 0x20) {
			w_str(w, "\\u00");
			w_char(w, hex[c >> 4]);
			w_char(w, hex[c & 15]);
		} else {
			w_char(w, (char)c);
		}
	}
	w_char(w, '"');
}

/* NUL-terminate; the length the full text needs, or -EOVERFLOW. */
static inline int w_finish(struct kvmsea_writer *w)
{
	if (w->size)
		w->buf[w->len < w->size ? w->len : w->size - 1] = '\0';
	return w->len > INT_MAX ? -EOVERFLOW : (int)w->len;
}

#endif /* LIBKVMSEA_WRITER_H */
