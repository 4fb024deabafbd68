/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/json.h - members of JSON objects: a string, an integer, a dotted
 * address. */
#ifndef MIP4D_JSON_H
#define MIP4D_JSON_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

void jadd_str(json_object *o, const char *k, const char *v);
void jadd_int(json_object *o, const char *k, int64_t v);
void jadd_addr(json_object *o, const char *k, uint32_t a);

/*
 * An event as one log line of key=value fields, in the object's order:
 * strings bare when they are one word of printable characters without
 * '"', '=' or '\\', else double-quoted with those escaped; numbers as they
 * are; arrays and objects as compact JSON, quoted.  Truncated to fit buf
 * (len > 0), always NUL-terminated.
 */
void json_kv_line(json_object *o, char *buf, size_t len);

#endif
