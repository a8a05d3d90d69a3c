/* SPDX-License-Identifier: MIT */
/*
 * A tiny text writer with snprintf() semantics, shared by the formatters
 * (esr-format.c, cper-format.c). It is ours instead of snprintf() because
 * the formatters promise no allocation and async-signal safety, which
 * snprintf() does not, and writing byte by byte makes "a cut text is a
 * prefix of the whole text" hold by construction.
 */
#ifndef LIBKVMSEA_TEXT_H
#define LIBKVMSEA_TEXT_H

#include <stddef.h>
#include <stdint.h>

struct kvmsea_text {
	char *buf;
	size_t size;
	size_t len; /* bytes the whole text needs so far */
};

void kvmsea_text_char(struct kvmsea_text *t, char c);
void kvmsea_text_str(struct kvmsea_text *t, const char *s);
/* "0x" and at least @digits hex digits (as many as the value needs). */
void kvmsea_text_hex(struct kvmsea_text *t, uint64_t v, unsigned int digits);
void kvmsea_text_dec(struct kvmsea_text *t, uint64_t v);
/* NUL-terminate (when size > 0) and return the whole length, or
 * -EOVERFLOW when it does not fit an int. */
int kvmsea_text_end(struct kvmsea_text *t);

#endif /* LIBKVMSEA_TEXT_H */
