/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/ctlreq.c - a control-socket request line, read (ctlreq.h). */
#include "ctlreq.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctlsock.h"
#include "mip4/ip.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The filter's home or coa member into *net, *mask. */
static int filter_prefix(const char *name, json_object *v, uint32_t *net,
			 uint32_t *mask, char *err, size_t errlen)
{
	const char *s = json_object_get_string(v);
	int rc;

	if (!json_object_is_type(v, json_type_string))
		return fail(err, errlen, "bad filter: %s must be a string", name);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		rc = MIP4_PREFIX_BAD; /* a NUL inside */
	else
		rc = mip4_prefix_parse(s, net, mask);
	if (rc == MIP4_PREFIX_HOST_BITS) {
		char nb[16];

		return fail(err, errlen,
			    "bad filter: %s: %.40s has host bits set (did you "
			    "mean %s/%d?)",
			    name, s, mip4_ntoa(*net, nb),
			    __builtin_popcount(*mask));
	}
	if (rc < 0)
		return fail(err, errlen,
			    "bad filter: %s: '%.40s' is not an address or a "
			    "prefix like 10.64.0.0/16",
			    name, s);
	return 0;
}

static int filter_parse(json_object *f, struct list_filter *out, char *err,
			size_t errlen)
{
	if (!json_object_is_type(f, json_type_object))
		return fail(err, errlen, "bad filter: not an object");
	json_object_object_foreach(f, k, v) {
		if (strcmp(k, "home") == 0) {
			if (filter_prefix("home", v, &out->home_net,
					  &out->home_mask, err, errlen) < 0)
				return -1;
		} else if (strcmp(k, "coa") == 0) {
			if (filter_prefix("coa", v, &out->coa_net,
					  &out->coa_mask, err, errlen) < 0)
				return -1;
		} else if (strcmp(k, "nai") == 0) {
			const char *s = json_object_get_string(v);
			size_t n = json_object_is_type(v, json_type_string)
					   ? (size_t)json_object_get_string_len(v)
					   : 0;

			if (n == 0 || n >= sizeof out->nai || strlen(s) != n)
				return fail(err, errlen,
					    "bad filter: nai must be a string "
					    "of 1 to 255 bytes");
			memcpy(out->nai, s, n + 1);
			out->nai_len = n;
		} else {
			return fail(err, errlen,
				    "bad filter: unknown member '%.40s' (home, "
				    "coa, nai)",
				    k);
		}
	}
	return 0;
}

int ctlreq_parse(const char *line, size_t len, struct ctlreq *rq, char *err,
		 size_t errlen)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *req = NULL, *ver, *cmd, *v;
	const char *name;
	int rc = -1;

	memset(rq, 0, sizeof *rq);
	if (!tok)
		return fail(err, errlen, "out of memory");
	if (len <= CTL_MAX_LINE)
		req = json_tokener_parse_ex(tok, line, (int)len);
	if (req) /* nothing but white space after the object */
		for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
			if (!strchr(" \t\r", line[i]) || !line[i]) {
				json_object_put(req);
				req = NULL;
				break;
			}
	json_tokener_free(tok);
	if (!req || !json_object_is_type(req, json_type_object) ||
	    !json_object_object_get_ex(req, "version", &ver) ||
	    !json_object_object_get_ex(req, "command", &cmd) ||
	    !json_object_is_type(cmd, json_type_string)) {
		fail(err, errlen, "bad request: want {\"version\":%d,"
				  "\"command\":...}",
		     MIP4_CTL_VERSION);
		goto out;
	}
	if (json_object_get_int(ver) != MIP4_CTL_VERSION) {
		fail(err, errlen, "unsupported protocol version");
		goto out;
	}
	name = json_object_get_string(cmd);
	if (json_object_get_string_len(cmd) < 1 ||
	    (size_t)json_object_get_string_len(cmd) >= sizeof rq->command ||
	    strlen(name) != (size_t)json_object_get_string_len(cmd)) {
		fail(err, errlen, "unknown command");
		goto out;
	}
	memcpy(rq->command, name, strlen(name) + 1);
	rq->more_ok = json_object_object_get_ex(req, "more-ok", &v) &&
		      json_object_get_boolean(v);
	if (json_object_object_get_ex(req, "filter", &v)) {
		rq->filtered = true;
		if (filter_parse(v, &rq->filter, err, errlen) < 0)
			goto out;
	}
	rc = 0;
out:
	json_object_put(req);
	if (rc < 0)
		memset(rq, 0, sizeof *rq);
	return rc;
}
