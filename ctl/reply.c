/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Joining a control-socket answer that comes in one line or in several
 * (the "more" extension, written down in docs/mip4ctl.8 and mip4ctl.h).
 * No I/O here: the lines come in as arguments, so the fuzzer can drive it.
 */
#include <stdio.h>
#include <string.h>

#include "mip4ctl.h"

#define CTL_VERSION 1

static int fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

/* The entries of chunk c (a list) to the item sink; r->result stays an
 * empty list so that a later chunk must be a list too. */
static int sink(struct ctl_reply *r, json_object *c, char *err, size_t errlen)
{
	if (!r->result)
		r->result = json_object_new_array();
	if (!r->result || !json_object_is_type(r->result, json_type_array))
		return fail(err, errlen,
			    "the parts of mip4d's answer do not fit together");
	for (size_t i = 0; i < json_object_array_length(c); i++)
		if (r->item(r->item_ctx, json_object_array_get_idx(c, i)) < 0)
			return fail(err, errlen, "cannot write the answer out");
	return 0;
}

/* Append or merge chunk c into the joined result r (same JSON type). */
static int join(json_object *r, json_object *c)
{
	if (json_object_is_type(r, json_type_array) &&
	    json_object_is_type(c, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(c); i++)
			if (json_object_array_add(
				    r, json_object_get(json_object_array_get_idx(c, i))) < 0)
				return -1;
		return 0;
	}
	if (json_object_is_type(r, json_type_object) &&
	    json_object_is_type(c, json_type_object)) {
		json_object_object_foreach(c, k, v)
			if (json_object_object_add(r, k, json_object_get(v)) < 0)
				return -1;
		return 0;
	}
	return -1;
}

int ctl_reply_add(struct ctl_reply *r, const char *line, size_t len,
		  char *err, size_t errlen)
{
	struct json_tokener *tok;
	json_object *o, *v;
	bool more;
	int rc = -1;

	if (r->done)
		return fail(err, errlen, "answer continues after its last part");
	tok = json_tokener_new();
	if (!tok)
		return fail(err, errlen, "out of memory");
	/* json_tokener takes an int length; callers cap lines at 1 GiB */
	o = len <= 0x7fffffffu ? json_tokener_parse_ex(tok, line, (int)len) : NULL;
	if (o) {
		for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
			if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
				json_object_put(o);
				o = NULL;
				break;
			}
	}
	json_tokener_free(tok);
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "ok", &v)) {
		json_object_put(o);
		return fail(err, errlen, "garbled answer from mip4d");
	}
	if (!json_object_get_boolean(v)) {
		snprintf(err, errlen, "%s",
			 json_object_object_get_ex(o, "error", &v) &&
					 json_object_is_type(v, json_type_string)
				 ? json_object_get_string(v)
				 : "request failed");
		goto out;
	}
	if (json_object_object_get_ex(o, "version", &v) &&
	    json_object_get_int(v) != CTL_VERSION) {
		fail(err, errlen, "mip4d speaks another protocol version");
		goto out;
	}
	if (r->want_filtered &&
	    !(json_object_object_get_ex(o, "filtered", &v) &&
	      json_object_get_boolean(v))) {
		fail(err, errlen, "mip4d did not apply the filter (is it older "
				  "than this mip4ctl?)");
		goto out;
	}
	more = json_object_object_get_ex(o, "more", &v) &&
	       json_object_get_boolean(v);
	v = json_object_object_get_ex(o, "result", &v) ? v : NULL;
	if (r->item && v && json_object_is_type(v, json_type_array)) {
		if (sink(r, v, err, errlen) < 0)
			goto out;
	} else if (!r->result) {
		r->result = json_object_get(v);
	} else if (!v || join(r->result, v) < 0) {
		fail(err, errlen, "the parts of mip4d's answer do not fit together");
		goto out;
	}
	r->done = !more;
	rc = more ? 0 : 1;
out:
	json_object_put(o);
	return rc;
}

void ctl_reply_free(struct ctl_reply *r)
{
	json_object_put(r->result);
	r->result = NULL;
}
