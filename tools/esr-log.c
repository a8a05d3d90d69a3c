/* SPDX-License-Identifier: MIT */
/* Finding ESR values in arm64 kernel log lines: the forms are in esr-log.h. */
#include "esr-log.h"

#include <string.h>

static bool is_hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool is_word_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Does [p, end) start with @s? (@icase: ignoring ASCII case) */
static bool starts_with(const char *p, const char *end, const char *s,
			bool icase)
{
	size_t n = strlen(s);

	if ((size_t)(end - p) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (icase ? lower(p[i]) != lower(s[i]) : p[i] != s[i])
			return false;
	return true;
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* The first @s in [p, end), or NULL. */
static const char *find(const char *p, const char *end, const char *s)
{
	for (; p < end; p++)
		if (starts_with(p, end, s, false))
			return p;
	return NULL;
}

/*
 * A number at @p: "0x" and hex digits, or (when @bare_ok) hex digits alone,
 * not running on into a word. Returns its end with @hit filled, or NULL.
 */
static const char *number(const char *p, const char *end, bool bare_ok,
			  struct esr_log_hit *hit)
{
	const char *d = p;
	size_t n = 0;

	if (end - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		d = p + 2;
	else if (!bare_ok)
		return NULL;
	while (d + n < end && is_hex_digit(d[n]))
		n++;
	if (!n || (d + n < end && is_word_char(d[n])))
		return NULL;
	hit->token = p;
	hit->token_len = (size_t)(d + n - p);
	hit->digits = d;
	hit->digits_len = n;
	return d + n;
}

/* ESR[_ELn] then "=" or ":" (number with or without 0x), or blanks (0x). */
static const char *esr_word(const char *line, const char *p, const char *end,
			    struct esr_log_hit *hit)
{
	const char *q = p + 3, *s;

	if ((p > line && is_word_char(p[-1])) ||
	    !starts_with(p, end, "esr", true))
		return NULL;
	if (starts_with(q, end, "_el", true) && end - q > 3 && q[3] >= '1' &&
	    q[3] <= '3')
		q += 4;
	s = skip_blanks(q, end);
	if (s < end && (*s == '=' || *s == ':'))
		return number(skip_blanks(s + 1, end), end, true, hit);
	if (s == q)
		return NULL;
	return number(s, end, false, hit);
}

/* " on CPU<n>, code 0x..." */
static const char *cpu_code(const char *line, const char *p, const char *end,
			    struct esr_log_hit *hit)
{
	const char *q = p + strlen("on CPU");

	if (p == line || p[-1] != ' ' || !starts_with(p, end, "on CPU", false))
		return NULL;
	if (q == end || *q < '0' || *q > '9')
		return NULL;
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (!starts_with(q, end, ", code ", false))
		return NULL;
	return number(q + strlen(", code "), end, false, hit);
}

/* Does the line end in the word @w (trailing blanks and CR aside)? */
static bool ends_with_word(const char *line, const char *end, const char *w)
{
	size_t n = strlen(w);

	while (end > line && (end[-1] == ' ' || end[-1] == '\t' ||
			      end[-1] == '\r'))
		end--;
	return (size_t)(end - line) > n && end[-(ptrdiff_t)n - 1] == ' ' &&
	       starts_with(end - n, end, w, false);
}

/* "Internal error: <what>: <number> [#<n>]" of an arm64 kernel. */
static const char *internal_error(const char *line, const char *p,
				  const char *end, struct esr_log_hit *hit)
{
	const char *q = p + strlen("Internal error: "), *b, *t;

	if (!starts_with(p, end, "Internal error: ", false))
		return NULL;
	b = find(q, end, " [#");
	if (!b)
		return NULL;
	t = b;
	while (t > q && is_hex_digit(t[-1]))
		t--;
	if (t - q >= 2 && t[-2] == '0' && (t[-1] == 'x' || t[-1] == 'X'))
		t -= 2;
	if (t - q < 2 || t[-2] != ':' || t[-1] != ' ' ||
	    number(t, end, true, hit) != b)
		return NULL;
	if (ends_with_word(line, end, "ARM") ||
	    ends_with_word(line, end, "THUMB2"))
		return NULL;
	return b;
}

/* "<what>: <name> (0x...) at 0x..." of older kernels' fault handlers. */
static const char *paren_code(const char *p, const char *end,
			      struct esr_log_hit *hit)
{
	static const char *const whats[] = {
		"Synchronous External Abort: ",
		"Unhandled fault: ",
		"Unhandled debug exception: ",
	};

	for (size_t i = 0; i < sizeof(whats) / sizeof(whats[0]); i++) {
		const char *o, *after;

		if (!starts_with(p, end, whats[i], false))
			continue;
		o = find(p + strlen(whats[i]), end, "(0x");
		if (!o)
			return NULL;
		after = number(o + 1, end, false, hit);
		if (!after || !starts_with(after, end, ") at ", false))
			return NULL;
		return after;
	}
	return NULL;
}

bool esr_log_next(const char *line, const char *end, const char **pos,
		  struct esr_log_hit *hit)
{
	for (const char *p = *pos; p < end; p++) {
		const char *after = esr_word(line, p, end, hit);

		if (!after)
			after = cpu_code(line, p, end, hit);
		if (!after)
			after = internal_error(line, p, end, hit);
		if (!after)
			after = paren_code(p, end, hit);
		if (after) {
			*pos = after;
			return true;
		}
	}
	*pos = end;
	return false;
}
