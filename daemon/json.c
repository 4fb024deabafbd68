/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/json.c - see json.h. */
#include "json.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mip4/ip.h"

void jadd_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

void jadd_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

void jadd_addr(json_object *o, const char *k, uint32_t a)
{
	char b[16];

	jadd_str(o, k, mip4_ntoa(a, b));
}

/* Append to buf at *at what fits. */
static void put(char *buf, size_t len, size_t *at, const char *s, size_t n)
{
	size_t room = *at < len - 1 ? len - 1 - *at : 0;

	if (n > room)
		n = room;
	memcpy(buf + *at, s, n);
	*at += n;
	buf[*at] = '\0';
}

static bool bare(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s == '"' || *s == '=' || *s == '\\' ||
		    (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* s, double-quoted, with '"', '\\' and control characters escaped. */
static void put_quoted(char *buf, size_t len, size_t *at, const char *s)
{
	put(buf, len, at, "\"", 1);
	for (; *s; s++) {
		char esc[8];

		if (*s == '"' || *s == '\\') {
			esc[0] = '\\';
			esc[1] = *s;
			put(buf, len, at, esc, 2);
		} else if ((unsigned char)*s < ' ') {
			int n = snprintf(esc, sizeof esc, "\\x%02x",
					 (unsigned char)*s);

			put(buf, len, at, esc, (size_t)n);
		} else {
			put(buf, len, at, s, 1);
		}
	}
	put(buf, len, at, "\"", 1);
}

void json_kv_line(json_object *o, char *buf, size_t len)
{
	size_t at = 0;
	const char *sep = "";

	buf[0] = '\0';
	json_object_object_foreach(o, k, v) {
		const char *s;

		put(buf, len, &at, sep, strlen(sep));
		sep = " ";
		put(buf, len, &at, k, strlen(k));
		put(buf, len, &at, "=", 1);
		switch (json_object_get_type(v)) {
		case json_type_string:
			s = json_object_get_string(v);
			if (bare(s))
				put(buf, len, &at, s, strlen(s));
			else
				put_quoted(buf, len, &at, s);
			break;
		case json_type_object:
		case json_type_array:
			put_quoted(buf, len, &at,
				   json_object_to_json_string_ext(
					   v, JSON_C_TO_STRING_PLAIN));
			break;
		default:
			s = json_object_to_json_string_ext(
				v, JSON_C_TO_STRING_PLAIN);
			put(buf, len, &at, s, strlen(s));
			break;
		}
	}
}
