/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/json.c - see json.h. */
#include "json.h"

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
