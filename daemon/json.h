/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/json.h - members of JSON objects: a string, an integer, a dotted
 * address. */
#ifndef MIP4D_JSON_H
#define MIP4D_JSON_H

#include <json-c/json.h>
#include <stdint.h>

void jadd_str(json_object *o, const char *k, const char *v);
void jadd_int(json_object *o, const char *k, int64_t v);
void jadd_addr(json_object *o, const char *k, uint32_t a);

#endif
