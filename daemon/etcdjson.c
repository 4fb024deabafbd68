/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/etcdjson.c - the JSON of etcd's v3 gateway (etcdjson.h).
 *
 * Facts the readers rely on (etcd 3.4, /work/shared/notes/
 * ha-redundancy-engines.md §2): bytes are standard base64, int64 fields
 * come back as JSON strings, zero values are left out, errors come as
 * {"error","message","code"}.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etcdjson.h"

__attribute__((format(printf, 3, 4))) static int
bad(char *err, size_t errlen, const char *fmt, ...)
{
	if (errlen) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int etcdj_b64enc(const void *p, size_t n, char *out, size_t cap)
{
	if (n > INT32_MAX / 2 || cap < 4 * ((n + 2) / 3) + 1)
		return -1;
	return EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

int etcdj_b64dec(const char *s, size_t n, unsigned char *out, size_t cap)
{
	unsigned char *tmp;
	size_t pad = 0;
	int len;

	if (n % 4 || n > INT32_MAX / 2)
		return -1;
	if (n == 0)
		return 0;
	pad = (s[n - 1] == '=') + (s[n - 2] == '=');
	/* the alphabet only ('=' at the end): EVP_DecodeBlock would also
	 * skip white space, which would make the padding count wrong */
	for (size_t i = 0; i < n - pad; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
		      s[i] == '/'))
			return -1;
	/* EVP_DecodeBlock writes 3 bytes per 4, padding included */
	if (!(tmp = malloc(n / 4 * 3)))
		return -1;
	len = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n);
	if (len < 0 || (size_t)len < pad || (size_t)len - pad > cap) {
		free(tmp);
		return -1;
	}
	len -= (int)pad;
	memcpy(out, tmp, (size_t)len);
	free(tmp);
	return len;
}

/* txt parsed as one JSON object; NULL with err otherwise, or when it is
 * the gateway's error object. */
static json_object *parse_answer(const char *txt, size_t len, char *err,
				 size_t errlen)
{
	json_tokener *tok;
	json_object *o, *e;

	if (len > INT32_MAX)
		return bad(err, errlen, "etcd: answer too long"), NULL;
	if (!(tok = json_tokener_new()))
		return bad(err, errlen, "etcd: out of memory"), NULL;
	o = json_tokener_parse_ex(tok, txt, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success) {
		json_tokener_free(tok);
		json_object_put(o);
		return bad(err, errlen, "etcd: answer is not JSON"), NULL;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return bad(err, errlen, "etcd: answer is not a JSON object"),
		       NULL;
	}
	if (json_object_object_get_ex(o, "error", &e) ||
	    json_object_object_get_ex(o, "message", &e)) {
		const char *m = json_object_get_string(e);

		bad(err, errlen, "etcd: %.200s", m ? m : "error");
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* An int64 field, as a string or a number; absent is 0.  0 or -1. */
static int get_i64(json_object *o, const char *k, int64_t lo, int64_t hi,
		   int64_t *out)
{
	json_object *v;
	const char *s;
	char *end;
	long long x;

	*out = 0;
	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		x = json_object_get_int64(v);
	} else if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
			return -1;
		errno = 0;
		x = strtoll(s, &end, 10);
		if (errno || *end)
			return -1;
	} else {
		return -1;
	}
	if (x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

/* A base64 string field into a fresh buffer (*out, *n); 0 or -1. */
static int get_b64(json_object *o, const char *k, unsigned char **out,
		   size_t *n)
{
	json_object *v;
	const char *s;
	size_t len;
	int r;

	*out = NULL;
	*n = 0;
	if (!json_object_object_get_ex(o, k, &v))
		return 0; /* zero value: empty */
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (!(*out = malloc(len / 4 * 3 + 1)))
		return -1;
	r = etcdj_b64dec(s, len, *out, len / 4 * 3 + 1);
	if (r < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	*n = (size_t)r;
	return 0;
}

int etcdj_range(const char *txt, size_t len, etcdj_kv_fn fn, void *ctx,
		int64_t *count, char *err, size_t errlen)
{
	json_object *o = parse_answer(txt, len, err, errlen), *kvs;
	int64_t c;
	int rc = 0;

	if (!o)
		return -1;
	if (get_i64(o, "count", 0, INT64_MAX, &c) < 0) {
		json_object_put(o);
		return bad(err, errlen, "etcd: range: bad count");
	}
	if (count)
		*count = c;
	if (json_object_object_get_ex(o, "kvs", &kvs) &&
	    !json_object_is_type(kvs, json_type_array)) {
		json_object_put(o);
		return bad(err, errlen, "etcd: range: kvs is not an array");
	}
	for (size_t i = 0; kvs && i < json_object_array_length(kvs); i++) {
		json_object *kv = json_object_array_get_idx(kvs, i);
		unsigned char *k = NULL, *v = NULL;
		size_t kl, vl;

		if (!json_object_is_type(kv, json_type_object) ||
		    get_b64(kv, "key", &k, &kl) < 0 ||
		    get_b64(kv, "value", &v, &vl) < 0) {
			free(k);
			rc = bad(err, errlen, "etcd: range: entry %zu is not "
					      "a base64 key and value", i + 1);
			break;
		}
		if (fn && fn(ctx, k ? k : (const unsigned char *)"", kl,
			     v ? v : (const unsigned char *)"", vl) != 0)
			rc = -1;
		free(k);
		free(v);
		if (rc < 0)
			break;
	}
	json_object_put(o);
	return rc;
}

int etcdj_txn(const char *txt, size_t len, char *err, size_t errlen)
{
	json_object *o = parse_answer(txt, len, err, errlen), *v;
	int rc = 0;

	if (!o)
		return -1;
	if (!json_object_object_get_ex(o, "header", &v) ||
	    !json_object_is_type(v, json_type_object))
		rc = bad(err, errlen, "etcd: txn: no header in the answer");
	else if (json_object_object_get_ex(o, "succeeded", &v))
		rc = json_object_is_type(v, json_type_boolean) &&
		     json_object_get_boolean(v);
	json_object_put(o);
	return rc;
}

/* ---- the store's values -------------------------------------------- */

int etcdj_binding_fmt(const struct mip4_binding *b, int64_t exp_wall,
		      char *out, size_t cap)
{
	json_object *o = json_object_new_object();
	const char *s;
	int n;

	if (!o)
		return -1;
	json_object_object_add(o, "home", json_object_new_int64(b->home_addr));
	json_object_object_add(o, "coa", json_object_new_int64(b->coa));
	json_object_object_add(o, "peer",
			       json_object_new_int64(b->peer_addr));
	json_object_object_add(o, "port", json_object_new_int(b->peer_port));
	json_object_object_add(o, "life", json_object_new_int(b->lifetime));
	json_object_object_add(o, "ka", json_object_new_int(b->keepalive));
	json_object_object_add(o, "flags", json_object_new_int(b->flags));
	json_object_object_add(o, "encap", json_object_new_int(b->encap));
	json_object_object_add(o, "spi", json_object_new_int64(b->spi));
	json_object_object_add(o, "id", json_object_new_uint64(b->last_id));
	json_object_object_add(o, "exp", json_object_new_int64(exp_wall));
	json_object_object_add(o, "pto", json_object_new_uint64(b->pkts_to_mn));
	json_object_object_add(o, "bto",
			       json_object_new_uint64(b->bytes_to_mn));
	json_object_object_add(o, "pfrom",
			       json_object_new_uint64(b->pkts_from_mn));
	json_object_object_add(o, "bfrom",
			       json_object_new_uint64(b->bytes_from_mn));
	if (b->nai && b->nai[0])
		json_object_object_add(o, "nai", json_object_new_string(b->nai));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	n = snprintf(out, cap, "%s", s ? s : "");
	json_object_put(o);
	return !s || n < 0 || (size_t)n >= cap ? -1 : n;
}

/* A whole number field in 0..hi (absent fails). */
static int num(json_object *o, const char *k, uint64_t hi, uint64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	if (json_object_get_int64(v) < 0)
		return -1;
	/* above INT64_MAX json-c keeps it unsigned */
	*out = json_object_get_uint64(v);
	return *out <= hi ? 0 : -1;
}

static json_object *parse_value(const unsigned char *v, size_t n,
				json_type want)
{
	json_tokener *tok;
	json_object *o;

	if (n > INT32_MAX || !(tok = json_tokener_new()))
		return NULL;
	o = json_tokener_parse_ex(tok, (const char *)v, (int)n);
	if (o && (json_tokener_get_error(tok) != json_tokener_success ||
		  !json_object_is_type(o, want))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

int etcdj_binding_parse(const unsigned char *v, size_t n,
			struct mip4_binding *b, char *nai, size_t naicap,
			int64_t *exp_wall, char *err, size_t errlen)
{
	static const struct {
		const char *k;
		uint64_t hi;
	} f[] = {
		{"home", UINT32_MAX}, {"coa", UINT32_MAX}, {"peer", UINT32_MAX},
		{"port", UINT16_MAX}, {"life", UINT16_MAX}, {"ka", UINT16_MAX},
		{"flags", UINT8_MAX}, {"encap", UINT8_MAX}, {"spi", UINT32_MAX},
		{"id", UINT64_MAX},   {"pto", UINT64_MAX},  {"bto", UINT64_MAX},
		{"pfrom", UINT64_MAX}, {"bfrom", UINT64_MAX},
	};
	uint64_t x[sizeof f / sizeof f[0]];
	json_object *o = parse_value(v, n, json_type_object), *e;
	int64_t exp;

	memset(b, 0, sizeof *b);
	if (!o)
		return bad(err, errlen, "binding value is not a JSON object");
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (num(o, f[i].k, f[i].hi, &x[i]) < 0) {
			json_object_put(o);
			return bad(err, errlen, "binding value: bad or missing "
						"%s", f[i].k);
		}
	if (!json_object_object_get_ex(o, "exp", &e) ||
	    !json_object_is_type(e, json_type_int) ||
	    (exp = json_object_get_int64(e)) == INT64_MAX) {
		json_object_put(o);
		return bad(err, errlen, "binding value: bad or missing exp");
	}
	if (json_object_object_get_ex(o, "nai", &e)) {
		size_t l;

		if (!json_object_is_type(e, json_type_string) ||
		    (l = (size_t)json_object_get_string_len(e)) == 0 ||
		    l >= naicap || l > 255 ||
		    memchr(json_object_get_string(e), '\0', l)) {
			json_object_put(o);
			return bad(err, errlen, "binding value: bad nai");
		}
		memcpy(nai, json_object_get_string(e), l + 1);
		b->nai = nai;
	}
	json_object_put(o);
	b->home_addr = (uint32_t)x[0];
	b->coa = (uint32_t)x[1];
	b->peer_addr = (uint32_t)x[2];
	b->peer_port = (uint16_t)x[3];
	b->lifetime = (uint16_t)x[4];
	b->keepalive = (uint16_t)x[5];
	b->flags = (uint8_t)x[6];
	b->encap = (uint8_t)x[7];
	b->spi = (uint32_t)x[8];
	b->last_id = x[9];
	b->pkts_to_mn = x[10];
	b->bytes_to_mn = x[11];
	b->pkts_from_mn = x[12];
	b->bytes_from_mn = x[13];
	*exp_wall = exp;
	return 0;
}

int etcdj_coas_fmt(const struct mip4_coa *c, const int64_t *exp_wall,
		   size_t n, char *out, size_t cap)
{
	size_t used = 0;
	int w;

	w = snprintf(out, cap, "[");
	for (size_t i = 0; w >= 0 && (size_t)w < cap - used && i <= n; i++) {
		used += (size_t)w;
		if (i == n)
			w = snprintf(out + used, cap - used, "]");
		else
			w = snprintf(out + used, cap - used,
				     "%s{\"coa\":%" PRIu32 ",\"peer\":%" PRIu32
				     ",\"port\":%u,\"life\":%u,\"ka\":%u,"
				     "\"encap\":%u,\"exp\":%" PRId64 "}",
				     i ? "," : "", c[i].coa, c[i].peer_addr,
				     c[i].peer_port, c[i].lifetime,
				     c[i].keepalive, c[i].encap, exp_wall[i]);
	}
	if (w < 0 || (size_t)w >= cap - used)
		return -1;
	return (int)(used + (size_t)w);
}

int etcdj_coas_parse(const unsigned char *v, size_t n,
		     int (*fn)(void *ctx, const struct mip4_coa *c,
			       int64_t exp_wall),
		     void *ctx, char *err, size_t errlen)
{
	json_object *a = parse_value(v, n, json_type_array);
	size_t len;

	if (!a)
		return bad(err, errlen, "care-of addresses: not a JSON array");
	len = json_object_array_length(a);
	if (len > MIP4_HA_MAX_COA) {
		json_object_put(a);
		return bad(err, errlen, "care-of addresses: more than %d",
			   MIP4_HA_MAX_COA);
	}
	for (size_t i = 0; i < len; i++) {
		json_object *o = json_object_array_get_idx(a, i), *e;
		uint64_t x[6];
		static const char *const k[6] = {"coa", "life", "peer",
						 "port", "ka", "encap"};
		static const uint64_t hi[6] = {UINT32_MAX, UINT16_MAX,
					       UINT32_MAX, UINT16_MAX,
					       UINT16_MAX, UINT8_MAX};
		struct mip4_coa c;
		int64_t exp;
		bool ok = json_object_is_type(o, json_type_object);

		for (int j = 0; ok && j < 6; j++)
			ok = num(o, k[j], hi[j], &x[j]) == 0;
		if (ok)
			ok = json_object_object_get_ex(o, "exp", &e) &&
			     json_object_is_type(e, json_type_int) &&
			     (exp = json_object_get_int64(e)) != INT64_MAX;
		if (!ok) {
			json_object_put(a);
			return bad(err, errlen,
				   "care-of address %zu: bad or missing field",
				   i + 1);
		}
		c = (struct mip4_coa){.coa = (uint32_t)x[0],
				      .lifetime = (uint16_t)x[1],
				      .peer_addr = (uint32_t)x[2],
				      .peer_port = (uint16_t)x[3],
				      .keepalive = (uint16_t)x[4],
				      .encap = (uint8_t)x[5]};
		if (fn && fn(ctx, &c, exp) != 0) {
			json_object_put(a);
			return bad(err, errlen, "stopped by the caller");
		}
	}
	json_object_put(a);
	return (int)len;
}

int etcdj_u64_parse(const unsigned char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;

	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(v[i] - '0');

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

/* ---- the election (etcdstore.c) -------------------------------------- */

int etcdj_lease_grant(const char *txt, size_t len, int64_t *id, char *err,
		      size_t errlen)
{
	json_object *o = parse_answer(txt, len, err, errlen);
	int rc = 0;

	if (!o)
		return -1;
	if (get_i64(o, "ID", 1, INT64_MAX, id) < 0 || *id == 0)
		rc = bad(err, errlen, "etcd: lease grant: no lease ID");
	json_object_put(o);
	return rc;
}

int etcdj_lease_ttl(const char *txt, size_t len, int64_t *ttl, char *err,
		    size_t errlen)
{
	json_object *o = parse_answer(txt, len, err, errlen), *r;
	int rc = 0;

	if (!o)
		return -1;
	/* a keep-alive answers {"result":{...}}, time-to-live bare */
	if (!json_object_object_get_ex(o, "result", &r))
		r = o;
	if (!json_object_is_type(r, json_type_object) ||
	    get_i64(r, "TTL", -1, INT64_MAX, ttl) < 0)
		rc = bad(err, errlen, "etcd: lease: bad TTL");
	json_object_put(o);
	return rc;
}

int etcdj_txn_holder(const char *txt, size_t len, char *holder, size_t cap,
		     char *err, size_t errlen)
{
	json_object *o = parse_answer(txt, len, err, errlen), *v, *r;
	unsigned char *val = NULL;
	size_t vl = 0;
	int rc = 0;

	if (!o)
		return -1;
	holder[0] = '\0';
	if (json_object_object_get_ex(o, "succeeded", &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v)) {
		json_object_put(o);
		return 1;
	}
	/* responses[0].response_range.kvs[0].value; no kvs: nobody */
	if (json_object_object_get_ex(o, "responses", &v) &&
	    json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) > 0 &&
	    (r = json_object_array_get_idx(v, 0)) &&
	    json_object_is_type(r, json_type_object) &&
	    json_object_object_get_ex(r, "response_range", &r) &&
	    json_object_is_type(r, json_type_object) &&
	    json_object_object_get_ex(r, "kvs", &v) &&
	    json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) > 0) {
		r = json_object_array_get_idx(v, 0);
		if (!json_object_is_type(r, json_type_object) ||
		    get_b64(r, "value", &val, &vl) < 0 || vl >= cap ||
		    (vl && memchr(val, '\0', vl)))
			rc = bad(err, errlen, "etcd: election: bad holder");
		else if (vl)
			memcpy(holder, val, vl);
		if (rc == 0)
			holder[vl] = '\0';
	}
	free(val);
	json_object_put(o);
	return rc;
}
