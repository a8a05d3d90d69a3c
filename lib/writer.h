/* SPDX-License-Identifier: MIT */
/*
 * A byte writer with snprintf semantics, for the formatters: it counts the
 * bytes the full text needs and stores those that fit, keeping one byte
 * for the NUL, so truncated output is a prefix of the full output by
 * construction. No allocation, no locale, no stdio: only memcpy() and
 * strlen(), async-signal-safe since POSIX.1-2008 TC2, so safe in a signal
 * handler.
 */
#ifndef LIBKVMSEA_WRITER_H
#define LIBKVMSEA_WRITER_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The longer pieces: one copy per file that uses them, not one per call. */
#define W_OUTLINE __attribute__((noinline, unused))

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

/* @n bytes from @s, in one copy: a byte store may alias the writer itself,
 * so writing byte by byte reloads it each time. */
static inline void w_mem(struct kvmsea_writer *w, const char *s, size_t n)
{
	if (w->len + n < w->size) /* all of it, and room for the NUL */
		memcpy(w->buf + w->len, s, n); /* inlined for a constant @n */
	else if (w->len + 1 < w->size) /* the part that fits */
		memcpy(w->buf + w->len, s, w->size - 1 - w->len);
	w->len += n;
}

static inline void w_str(struct kvmsea_writer *w, const char *s)
{
	w_mem(w, s, strlen(s));
}

/* "0x" and at least @digits (up to 16) hex digits. */
static W_OUTLINE void w_hex(struct kvmsea_writer *w, uint64_t v,
			    unsigned int digits)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[2 + 16];
	unsigned int n = 1, i = 2;

	while (n < 16 && (v >> (4 * n)))
		n++;
	if (digits > n)
		n = digits < 16 ? digits : 16;
	tmp[0] = '0';
	tmp[1] = 'x';
	while (n--)
		tmp[i++] = hex[(v >> (4 * n)) & 15];
	w_mem(w, tmp, i);
}

static W_OUTLINE void w_dec(struct kvmsea_writer *w, uint64_t v)
{
	char tmp[20];
	unsigned int n = sizeof(tmp);

	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	w_mem(w, tmp + n, sizeof(tmp) - n);
}

/* A JSON string literal, escaping what JSON needs; the runs between escapes
 * are copied whole. */
static W_OUTLINE void w_json_str(struct kvmsea_writer *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	w_char(w, '"');
	for (;;) {
		const char *run = s;
		unsigned char c;

		while ((c = (unsigned char)*s) >= 0x20 && c != '"' && c != '\\')
			s++;
		w_mem(w, run, (size_t)(s - run));
		if (!c)
			break;
		if (c == '"' || c == '\\') {
			w_char(w, '\\');
			w_char(w, (char)c);
		} else {
			w_str(w, "\\u00");
			w_char(w, hex[c >> 4]);
			w_char(w, hex[c & 15]);
		}
		s++;
	}
	w_char(w, '"');
}

/* A JSON object's members after the first: ,"key": and the value. */
static inline void w_json_key(struct kvmsea_writer *w, const char *key)
{
	w_str(w, ",\"");
	w_str(w, key);
	w_str(w, "\":");
}

static inline void w_json_key_num(struct kvmsea_writer *w, const char *key,
				  uint64_t v)
{
	w_json_key(w, key);
	w_dec(w, v);
}

static inline void w_json_key_bool(struct kvmsea_writer *w, const char *key,
				   bool v)
{
	w_json_key(w, key);
	w_str(w, v ? "true" : "false");
}

static inline void w_json_key_str(struct kvmsea_writer *w, const char *key,
				  const char *v)
{
	w_json_key(w, key);
	w_json_str(w, v);
}

/* NUL-terminate; the length the full text needs, or -EOVERFLOW. */
static inline int w_finish(struct kvmsea_writer *w)
{
	if (w->size)
		w->buf[w->len < w->size ? w->len : w->size - 1] = '\0';
	return w->len > INT_MAX ? -EOVERFLOW : (int)w->len;
}

#endif /* LIBKVMSEA_WRITER_H */
