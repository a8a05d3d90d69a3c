/* SPDX-License-Identifier: MIT */
/*
 * A small JSON syntax checker for the formatter tests (RFC 8259 grammar:
 * objects, arrays, strings with escapes, numbers, true/false/null). It only
 * says whether a text is one valid JSON value; it builds nothing.
 */
#ifndef KVMSEA_TEST_JSON_CHECK_H
#define KVMSEA_TEST_JSON_CHECK_H

#include <stdbool.h>
#include <string.h>

struct json_cursor {
	const char *p;
	int depth;
};

static void json_ws(struct json_cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')
		c->p++;
}

static bool json_is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

static bool json_string(struct json_cursor *c)
{
	if (*c->p != '"')
		return false;
	c->p++;
	for (;;) {
		unsigned char ch = (unsigned char)*c->p;

		if (ch == '"') {
			c->p++;
			return true;
		}
		if (ch < 0x20) /* includes the terminating NUL */
			return false;
		if (ch == '\\') {
			c->p++;
			switch (*c->p) {
			case '"': case '\\': case '/': case 'b':
			case 'f': case 'n': case 'r': case 't':
				c->p++;
				break;
			case 'u':
				for (int i = 1; i <= 4; i++)
					if (!json_is_hex(c->p[i]))
						return false;
				c->p += 5;
				break;
			default:
				return false;
			}
			continue;
		}
		c->p++;
	}
}

static bool json_digits(struct json_cursor *c)
{
	if (*c->p < '0' || *c->p > '9')
		return false;
	while (*c->p >= '0' && *c->p <= '9')
		c->p++;
	return true;
}

static bool json_number(struct json_cursor *c)
{
	if (*c->p == '-')
		c->p++;
	if (*c->p == '0')
		c->p++;
	else if (!json_digits(c))
		return false;
	if (*c->p == '.') {
		c->p++;
		if (!json_digits(c))
			return false;
	}
	if (*c->p == 'e' || *c->p == 'E') {
		c->p++;
		if (*c->p == '+' || *c->p == '-')
			c->p++;
		if (!json_digits(c))
			return false;
	}
	return true;
}

static bool json_literal(struct json_cursor *c, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(c->p, word, n))
		return false;
	c->p += n;
	return true;
}

static bool json_value(struct json_cursor *c);

static bool json_members(struct json_cursor *c, char close, bool keyed)
{
	c->p++; /* the opening bracket */
	json_ws(c);
	if (*c->p == close) {
		c->p++;
		return true;
	}
	for (;;) {
		json_ws(c);
		if (keyed) {
			if (!json_string(c))
				return false;
			json_ws(c);
			if (*c->p++ != ':')
				return false;
		}
		if (!json_value(c))
			return false;
		json_ws(c);
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (*c->p != close)
			return false;
		c->p++;
		return true;
	}
}

static bool json_value(struct json_cursor *c)
{
	bool ok;

	json_ws(c);
	if (++c->depth > 64)
		return false;
	switch (*c->p) {
	case '{':
		ok = json_members(c, '}', true);
		break;
	case '[':
		ok = json_members(c, ']', false);
		break;
	case '"':
		ok = json_string(c);
		break;
	case 't':
		ok = json_literal(c, "true");
		break;
	case 'f':
		ok = json_literal(c, "false");
		break;
	case 'n':
		ok = json_literal(c, "null");
		break;
	default:
		ok = json_number(c);
		break;
	}
	c->depth--;
	return ok;
}

/* True when @text is exactly one JSON value (surrounding white space
 * allowed). */
static inline bool json_valid(const char *text)
{
	struct json_cursor c = { text, 0 };

	if (!json_value(&c))
		return false;
	json_ws(&c);
	return *c.p == '\0';
}

#endif /* KVMSEA_TEST_JSON_CHECK_H */
