/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/etcdstore.c - the store's etcd backend (etcdstore.h).
 */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "etcdhttp.h"
#include "etcdjson.h"
#include "etcdstore.h"

#define ERR_MAX 512
#define KEY_MAX 160
/* etcd's default --max-txn-ops is 128 */
#define TXN_OPS_MAX 128
/*
 * After a request that no member answered, the next ones fail at once
 * with the same reason for this long instead of waiting out the timeout
 * each: a failed batch reads back every binding it touched (hastore.h),
 * and the receive loop must not stall for a timeout per binding.  The
 * probe (etcdstore_probe()) always asks.
 */
#define DOWN_MS 1000

/* The further care-of addresses of one binding, read by a load. */
struct coas {
	uint32_t home;
	uint8_t n;
	bool seen; /* its binding exists */
	struct mip4_coa c[MIP4_HA_MAX_COA];
	int64_t exp[MIP4_HA_MAX_COA];
};

struct etcdstore {
	struct etcd_http *http;
	char prefix[128];
	char desc[400];
	bool in_batch;
	json_object *pending; /* etcd key -> its txn operation */
	json_object *replay;  /* SA hex -> last id, read once; NULL */
	struct coas *more;    /* the load's, for etcdstore_load_coas() */
	size_t n_more;
	int64_t load_now;
	/* the election (etcdstore_elect()); name "": none */
	char name[64];
	unsigned ttl_s;
	int64_t lease;	/* ours, 0: none */
	bool holder;	/* the key holds our lease */
	char holder_name[64];
	bool down;		   /* the last request failed */
	uint64_t down_until_ms;	   /* fail at once until then */
	char down_err[ERR_MAX];	   /* why */
	char err[ERR_MAX];
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

__attribute__((format(printf, 2, 3))) static int
fail(struct etcdstore *es, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(es->err, sizeof es->err, fmt, ap);
	va_end(ap);
	return -1;
}

static void key(const struct etcdstore *es, char kind, uint32_t id,
		char *out)
{
	snprintf(out, KEY_MAX, "%s%c/%08" PRIx32, es->prefix, kind, id);
}

static json_object *b64(const void *p, size_t n)
{
	size_t cap = 4 * ((n + 2) / 3) + 1;
	char *s = malloc(cap);
	json_object *o = NULL;

	if (s && etcdj_b64enc(p, n, s, cap) >= 0)
		o = json_object_new_string(s);
	free(s);
	return o;
}

/* POST obj to path; the answer (free it) or NULL with es->err.  force:
 * ask even while the last request failed (DOWN_MS). */
static char *post_ex(struct etcdstore *es, const char *path,
		     json_object *obj, size_t *len, bool force)
{
	const char *body = json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PLAIN);
	char *out = NULL;

	if (!body) {
		fail(es, "etcd: out of memory");
		return NULL;
	}
	if (!force && es->down && mono_ms() < es->down_until_ms) {
		fail(es, "%s", es->down_err);
		return NULL;
	}
	if (etcd_http_post(es->http, path, body, strlen(body), &out, len,
			   es->err, sizeof es->err) < 0) {
		es->down = true;
		es->down_until_ms = mono_ms() + DOWN_MS;
		memcpy(es->down_err, es->err, sizeof es->err);
		return NULL;
	}
	es->down = false;
	return out;
}

static char *post(struct etcdstore *es, const char *path, json_object *obj,
		  size_t *len)
{
	return post_ex(es, path, obj, len, false);
}

/* Operations ops[from..to) in one transaction: 0, or -1. */
static int send_txn(struct etcdstore *es, json_object *ops, size_t from,
		    size_t to)
{
	json_object *txn = json_object_new_object(),
		    *succ = json_object_new_array();
	size_t len;
	char *ans;
	int r;

	if (!txn || !succ) {
		json_object_put(txn);
		json_object_put(succ);
		return fail(es, "etcd: out of memory");
	}
	json_object_object_add(txn, "success", succ);
	if (es->name[0]) {
		/* the fence: our writes count only while the election key
		 * holds our lease (a cut-off former holder's fail) */
		json_object *cmp = json_object_new_array(),
			    *c = json_object_new_object();
		char k[KEY_MAX];

		if (!es->holder || !es->lease) {
			json_object_put(cmp);
			json_object_put(c);
			json_object_put(txn);
			return fail(es, "etcd: not the active home agent (the "
					"election key is %s%s)",
				    es->holder_name[0] ? "held by "
						       : "not ours",
				    es->holder_name);
		}
		snprintf(k, sizeof k, "%sleader", es->prefix);
		json_object_object_add(c, "key", b64(k, strlen(k)));
		json_object_object_add(c, "target",
				       json_object_new_string("LEASE"));
		json_object_object_add(c, "result",
				       json_object_new_string("EQUAL"));
		json_object_object_add(c, "lease",
				       json_object_new_int64(es->lease));
		json_object_array_add(cmp, c);
		json_object_object_add(txn, "compare", cmp);
	}
	for (size_t i = from; i < to; i++)
		json_object_array_add(succ, json_object_get(
			json_object_array_get_idx(ops, i)));
	ans = post(es, "/v3/kv/txn", txn, &len);
	json_object_put(txn);
	r = ans ? etcdj_txn(ans, len, es->err, sizeof es->err) : -1;
	free(ans);
	if (r == 0 && es->name[0]) {
		es->holder = false;
		return fail(es, "etcd: fenced: the election key no longer "
				"holds our lease");
	}
	if (r == 0) /* no compare: etcd runs "success" always */
		return fail(es, "etcd: txn did not succeed");
	return r < 0 ? -1 : 0;
}

/* Send what is pending, TXN_OPS_MAX operations per transaction. */
static int flush(struct etcdstore *es)
{
	json_object *ops = json_object_new_array();
	size_t total;
	int rc = 0;

	if (!ops)
		return fail(es, "etcd: out of memory");
	json_object_object_foreach(es->pending, k, op)
	{
		(void)k;
		json_object_array_add(ops, json_object_get(op));
	}
	total = json_object_array_length(ops);
	for (size_t i = 0; rc == 0 && i < total; i += TXN_OPS_MAX)
		rc = send_txn(es, ops, i,
			      total - i > TXN_OPS_MAX ? i + TXN_OPS_MAX : total);
	json_object_put(ops);
	json_object_put(es->pending);
	es->pending = json_object_new_object();
	return es->pending ? rc : fail(es, "etcd: out of memory");
}

/* One change, kept for the batch's commit or sent now. */
static int change(struct etcdstore *es, const char *k, const char *val,
		  size_t vlen)
{
	json_object *op = json_object_new_object(),
		    *req = json_object_new_object();

	if (!op || !req) {
		json_object_put(op);
		json_object_put(req);
		return fail(es, "etcd: out of memory");
	}
	json_object_object_add(req, "key", b64(k, strlen(k)));
	if (val)
		json_object_object_add(req, "value", b64(val, vlen));
	json_object_object_add(op, val ? "request_put"
				       : "request_delete_range",
			       req);
	json_object_object_add(es->pending, k, op);
	return es->in_batch ? 0 : flush(es);
}

/* A range read of [k, end) (end NULL: the key alone). */
static int range(struct etcdstore *es, const char *k, const char *end,
		 bool count_only, etcdj_kv_fn fn, void *ctx, int64_t *count)
{
	json_object *q = json_object_new_object();
	size_t len;
	char *ans;
	int rc;

	if (!q)
		return fail(es, "etcd: out of memory");
	json_object_object_add(q, "key", b64(k, strlen(k)));
	if (end)
		json_object_object_add(q, "range_end", b64(end, strlen(end)));
	if (count_only)
		json_object_object_add(q, "count_only",
				       json_object_new_boolean(1));
	ans = post_ex(es, "/v3/kv/range", q, &len, count_only);
	json_object_put(q);
	if (!ans)
		return -1;
	rc = etcdj_range(ans, len, fn, ctx, count, es->err, sizeof es->err);
	free(ans);
	return rc;
}

/* The keys of kind, as [lo, hi): "P k/" up to "P k0". */
static void kind_range(const struct etcdstore *es, char kind, char *lo,
		       char *hi)
{
	snprintf(lo, KEY_MAX, "%s%c/", es->prefix, kind);
	snprintf(hi, KEY_MAX, "%s%c0", es->prefix, kind);
}

/* The id in a key "P k/HHHHHHHH". */
static int key_id(const struct etcdstore *es, const unsigned char *k,
		  size_t kl, uint32_t *id)
{
	size_t pl = strlen(es->prefix);
	uint32_t x = 0;

	if (kl != pl + 10)
		return -1;
	for (size_t i = pl + 2; i < kl; i++) {
		unsigned c = k[i];
		unsigned d = c >= '0' && c <= '9'   ? c - '0'
			     : c >= 'a' && c <= 'f' ? c - 'a' + 10
						    : 16;
		if (d == 16)
			return -1;
		x = x << 4 | d;
	}
	*id = x;
	return 0;
}

int etcdstore_open(const uint32_t *addr, const uint16_t *port, unsigned n,
		   const char *prefix, unsigned timeout_ms,
		   struct etcdstore **out, char *err, size_t errlen)
{
	struct etcdstore *es = calloc(1, sizeof *es);
	size_t used;

	*out = NULL;
	if (!es || strlen(prefix) >= sizeof es->prefix ||
	    !(es->pending = json_object_new_object()) ||
	    !(es->http = etcd_http_new(addr, port, n, timeout_ms))) {
		snprintf(err, errlen, "etcd: %s",
			 es && strlen(prefix) >= sizeof es->prefix
				 ? "prefix too long"
				 : "out of memory");
		etcdstore_close(es);
		return -1;
	}
	snprintf(es->prefix, sizeof es->prefix, "%s", prefix);
	used = (size_t)snprintf(es->desc, sizeof es->desc, "etcd ");
	for (unsigned i = 0; i < n && used < sizeof es->desc; i++)
		used += (size_t)snprintf(es->desc + used, sizeof es->desc - used,
					 "%s%u.%u.%u.%u:%u", i ? "," : "",
					 addr[i] >> 24, addr[i] >> 16 & 255,
					 addr[i] >> 8 & 255, addr[i] & 255,
					 port[i]);
	if (used < sizeof es->desc)
		snprintf(es->desc + used, sizeof es->desc - used, " prefix %s",
			 prefix);
	if (etcdstore_probe(es) < 0) {
		snprintf(err, errlen, "%s: %s", es->desc, es->err);
		etcdstore_close(es);
		return -1;
	}
	*out = es;
	return 0;
}

void etcdstore_close(struct etcdstore *es)
{
	if (!es)
		return;
	etcd_http_free(es->http);
	json_object_put(es->pending);
	json_object_put(es->replay);
	free(es->more);
	free(es);
}

int etcdstore_put(struct etcdstore *es, const struct mip4_binding *b,
		  int64_t expires_wall)
{
	char k[KEY_MAX], v[ETCDJ_BINDING_MAX];
	int n = etcdj_binding_fmt(b, expires_wall, v, sizeof v);

	if (n < 0)
		return fail(es, "etcd: binding too large");
	key(es, 'b', b->home_addr, k);
	return change(es, k, v, (size_t)n);
}

int etcdstore_del(struct etcdstore *es, uint32_t home_addr)
{
	char k[KEY_MAX];

	key(es, 'b', home_addr, k);
	if (change(es, k, NULL, 0) < 0)
		return -1;
	key(es, 'c', home_addr, k);
	return change(es, k, NULL, 0);
}

int etcdstore_put_coas(struct etcdstore *es, uint32_t home_addr,
		       const struct mip4_coa *c, const int64_t *expires_wall,
		       size_t n)
{
	char k[KEY_MAX], v[ETCDJ_COAS_MAX];
	int len;

	key(es, 'c', home_addr, k);
	if (n == 0)
		return change(es, k, NULL, 0);
	if (n > MIP4_HA_MAX_COA ||
	    (len = etcdj_coas_fmt(c, expires_wall, n, v, sizeof v)) < 0)
		return fail(es, "etcd: too many care-of addresses");
	return change(es, k, v, (size_t)len);
}

/* ---- loading -------------------------------------------------------- */

struct load {
	struct etcdstore *es;
	int (*fn)(void *ctx, const struct mip4_binding *b,
		  int64_t expires_wall);
	void *ctx;
	struct coas cur;
	size_t cap;
	int n;
};

static int take_coa(void *ctx, const struct mip4_coa *c, int64_t exp)
{
	struct load *l = ctx;

	if (l->cur.n >= MIP4_HA_MAX_COA)
		return -1;
	l->cur.c[l->cur.n] = *c;
	l->cur.exp[l->cur.n++] = exp;
	return 0;
}

/* A c/ entry: its live care-of addresses kept, the value rewritten when
 * some expired. */
static int load_coa_kv(void *ctx, const unsigned char *k, size_t kl,
		       const unsigned char *v, size_t vl)
{
	struct load *l = ctx;
	struct etcdstore *es = l->es;
	struct coas all = {0};
	char err[200], kbuf[KEY_MAX];
	struct coas *more;

	memset(&l->cur, 0, sizeof l->cur);
	if (key_id(es, k, kl, &l->cur.home) < 0)
		return fail(es, "etcd: load: a care-of address key that is "
				"not ours: %.*s", (int)(kl < 80 ? kl : 80),
			    (const char *)k);
	if (etcdj_coas_parse(v, vl, take_coa, l, err, sizeof err) < 0)
		return fail(es, "etcd: load: %08" PRIx32 ": %s", l->cur.home,
			    err);
	for (uint8_t i = 0; i < l->cur.n; i++)
		if (l->cur.exp[i] > es->load_now) {
			all.c[all.n] = l->cur.c[i];
			all.exp[all.n++] = l->cur.exp[i];
		}
	all.home = l->cur.home;
	key(es, 'c', all.home, kbuf);
	if (all.n == 0)
		return change(es, kbuf, NULL, 0);
	if (all.n < l->cur.n &&
	    etcdstore_put_coas(es, all.home, all.c, all.exp, all.n) < 0)
		return -1;
	if (es->n_more == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		if (!(more = realloc(es->more, l->cap * sizeof *more)))
			return fail(es, "etcd: out of memory");
		es->more = more;
	}
	es->more[es->n_more++] = all;
	return 0;
}

static int coas_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct coas *)a)->home,
		 y = ((const struct coas *)b)->home;

	return (x > y) - (x < y);
}

static struct coas *find_more(struct etcdstore *es, uint32_t home)
{
	struct coas k = {.home = home};

	if (!es->n_more)
		return NULL;
	return bsearch(&k, es->more, es->n_more, sizeof k, coas_cmp);
}

static int load_binding_kv(void *ctx, const unsigned char *k, size_t kl,
			   const unsigned char *v, size_t vl)
{
	struct load *l = ctx;
	struct etcdstore *es = l->es;
	char nai[256], err[200];
	struct mip4_binding b;
	struct coas *more;
	uint32_t home;
	int64_t exp;

	if (key_id(es, k, kl, &home) < 0)
		return fail(es, "etcd: load: a binding key that is not ours: "
				"%.*s", (int)(kl < 80 ? kl : 80),
			    (const char *)k);
	if (etcdj_binding_parse(v, vl, &b, nai, sizeof nai, &exp, err,
				sizeof err) < 0)
		return fail(es, "etcd: load: %08" PRIx32 ": %s", home, err);
	if (b.home_addr != home)
		return fail(es, "etcd: load: key %08" PRIx32 " holds the "
				"binding of %08" PRIx32,
			    home, b.home_addr);
	more = find_more(es, home);
	if (more)
		more->seen = true;
	if (exp <= es->load_now && !more)
		return etcdstore_del(es, home);
	if (l->n == INT32_MAX || l->fn(l->ctx, &b, exp) != 0)
		return fail(es, "etcd: load: stopped by the caller at "
				"%08" PRIx32, home);
	l->n++;
	return 0;
}

int etcdstore_load(struct etcdstore *es, int64_t now_wall,
		   int (*fn)(void *ctx, const struct mip4_binding *b,
			     int64_t expires_wall),
		   void *ctx)
{
	struct load l = {.es = es, .fn = fn, .ctx = ctx};
	char lo[KEY_MAX], hi[KEY_MAX];
	size_t keep = 0;

	/* the purge of what expired goes in one batch, as SQLite does */
	free(es->more);
	es->more = NULL;
	es->n_more = 0;
	es->load_now = now_wall;
	if (etcdstore_begin(es) < 0)
		return -1;
	kind_range(es, 'c', lo, hi);
	if (range(es, lo, hi, false, load_coa_kv, &l, NULL) < 0)
		goto fail;
	if (es->n_more)
		qsort(es->more, es->n_more, sizeof *es->more, coas_cmp);
	kind_range(es, 'b', lo, hi);
	if (range(es, lo, hi, false, load_binding_kv, &l, NULL) < 0)
		goto fail;
	/* care-of addresses whose binding is gone */
	for (size_t i = 0; i < es->n_more; i++) {
		if (es->more[i].seen) {
			es->more[keep++] = es->more[i];
			continue;
		}
		key(es, 'c', es->more[i].home, lo);
		if (change(es, lo, NULL, 0) < 0)
			goto fail;
	}
	es->n_more = keep;
	/* the purge is a write: the active home agent's (a standby leaves
	 * it, the fence would refuse it anyway) */
	if (es->name[0] && !es->holder)
		(void)etcdstore_rollback(es);
	else if (etcdstore_commit(es) < 0)
		return -1;
	return l.n;
fail:
	(void)etcdstore_rollback(es);
	return -1;
}

int etcdstore_load_coas(struct etcdstore *es,
			int (*fn)(void *ctx, uint32_t home_addr,
				  const struct mip4_coa *c,
				  int64_t expires_wall),
			void *ctx)
{
	int n = 0;

	for (size_t i = 0; i < es->n_more; i++)
		for (uint8_t j = 0; j < es->more[i].n; j++, n++)
			if (fn(ctx, es->more[i].home, &es->more[i].c[j],
			       es->more[i].exp[j]) != 0)
				return fail(es, "etcd: load: stopped by the "
						"caller at %08" PRIx32,
					    es->more[i].home);
	free(es->more);
	es->more = NULL;
	es->n_more = 0;
	return n;
}

struct get {
	struct etcdstore *es;
	uint32_t home;
	int (*fn)(void *ctx, const struct mip4_binding *b,
		  int64_t expires_wall);
	int (*coa_fn)(void *ctx, uint32_t home_addr, const struct mip4_coa *c,
		      int64_t expires_wall);
	void *ctx;
	int found;
};

static int get_binding_kv(void *ctx, const unsigned char *k, size_t kl,
			  const unsigned char *v, size_t vl)
{
	struct get *g = ctx;
	char nai[256], err[200];
	struct mip4_binding b;
	int64_t exp;

	(void)k;
	(void)kl;
	if (etcdj_binding_parse(v, vl, &b, nai, sizeof nai, &exp, err,
				sizeof err) < 0 ||
	    b.home_addr != g->home)
		return fail(g->es, "etcd: get %08" PRIx32 ": %s", g->home,
			    b.home_addr != g->home ? "another binding" : err);
	g->found = 1;
	return g->fn(g->ctx, &b, exp) ? fail(g->es, "etcd: get: stopped")
				       : 0;
}

static int get_coa(void *ctx, const struct mip4_coa *c, int64_t exp)
{
	struct get *g = ctx;

	return g->coa_fn(g->ctx, g->home, c, exp);
}

static int get_coas_kv(void *ctx, const unsigned char *k, size_t kl,
		       const unsigned char *v, size_t vl)
{
	struct get *g = ctx;
	char err[200];

	(void)k;
	(void)kl;
	if (etcdj_coas_parse(v, vl, get_coa, g, err, sizeof err) < 0)
		return fail(g->es, "etcd: get %08" PRIx32 ": %s", g->home,
			    err);
	return 0;
}

int etcdstore_get(struct etcdstore *es, uint32_t home_addr,
		  int (*fn)(void *ctx, const struct mip4_binding *b,
			    int64_t expires_wall),
		  int (*coa_fn)(void *ctx, uint32_t home_addr,
				const struct mip4_coa *c, int64_t expires_wall),
		  void *ctx)
{
	struct get g = {es, home_addr, fn, coa_fn, ctx, 0};
	char k[KEY_MAX];

	key(es, 'b', home_addr, k);
	if (range(es, k, NULL, false, get_binding_kv, &g, NULL) < 0)
		return -1;
	if (!g.found)
		return 0;
	key(es, 'c', home_addr, k);
	return range(es, k, NULL, false, get_coas_kv, &g, NULL) < 0 ? -1 : 1;
}

/* ---- replay state --------------------------------------------------- */

int etcdstore_put_replay(struct etcdstore *es, uint32_t spi, uint64_t last_id)
{
	char k[KEY_MAX], v[24];
	int n = snprintf(v, sizeof v, "%" PRIu64, last_id);

	key(es, 'r', spi, k);
	return change(es, k, v, (size_t)n);
}

static int replay_kv(void *ctx, const unsigned char *k, size_t kl,
		     const unsigned char *v, size_t vl)
{
	struct etcdstore *es = ctx;
	char hex[9];
	uint32_t spi;
	uint64_t id;

	if (key_id(es, k, kl, &spi) < 0 || etcdj_u64_parse(v, vl, &id) < 0)
		return fail(es, "etcd: replay state: a bad entry: %.*s",
			    (int)(kl < 80 ? kl : 80), (const char *)k);
	snprintf(hex, sizeof hex, "%08" PRIx32, spi);
	json_object_object_add(es->replay, hex, json_object_new_uint64(id));
	return 0;
}

/* Every SA's counter in one read: a start asks for each of its nodes. */
int etcdstore_get_replay(struct etcdstore *es, uint32_t spi,
			 uint64_t *last_id)
{
	char hex[9];
	json_object *v;

	if (!es->replay) {
		char lo[KEY_MAX], hi[KEY_MAX];

		if (!(es->replay = json_object_new_object()))
			return fail(es, "etcd: out of memory");
		kind_range(es, 'r', lo, hi);
		if (range(es, lo, hi, false, replay_kv, es, NULL) < 0) {
			json_object_put(es->replay);
			es->replay = NULL;
			return -1;
		}
	}
	snprintf(hex, sizeof hex, "%08" PRIx32, spi);
	if (!json_object_object_get_ex(es->replay, hex, &v))
		return 0;
	*last_id = json_object_get_uint64(v);
	return 1;
}

int etcdstore_del_replay(struct etcdstore *es, uint32_t spi)
{
	char k[KEY_MAX];

	key(es, 'r', spi, k);
	return change(es, k, NULL, 0);
}

/* ---- batches and the rest ------------------------------------------- */

int etcdstore_begin(struct etcdstore *es)
{
	if (es->in_batch)
		return fail(es, "etcd: a batch is already open");
	/* the counters read at start are stale once anything is written */
	json_object_put(es->replay);
	es->replay = NULL;
	es->in_batch = true;
	return 0;
}

int etcdstore_commit(struct etcdstore *es)
{
	if (!es->in_batch)
		return fail(es, "etcd: commit without a batch");
	es->in_batch = false;
	return flush(es);
}

int etcdstore_rollback(struct etcdstore *es)
{
	es->in_batch = false;
	json_object_put(es->pending);
	es->pending = json_object_new_object();
	return es->pending ? 0 : fail(es, "etcd: out of memory");
}

int64_t etcdstore_count(struct etcdstore *es)
{
	char lo[KEY_MAX], hi[KEY_MAX];
	int64_t n = 0;

	kind_range(es, 'b', lo, hi);
	return range(es, lo, hi, true, NULL, NULL, &n) < 0 ? -1 : n;
}

int etcdstore_probe(struct etcdstore *es)
{
	char hi[KEY_MAX];
	size_t l = strlen(es->prefix);
	int64_t n = 0;

	/* the prefix's range: its last byte plus one */
	memcpy(hi, es->prefix, l + 1);
	hi[l - 1] = (char)(hi[l - 1] + 1);
	return range(es, es->prefix, hi, true, NULL, NULL, &n);
}

const char *etcdstore_errmsg(const struct etcdstore *es)
{
	return es->err;
}

const char *etcdstore_desc(const struct etcdstore *es)
{
	return es->desc;
}

/* ---- the election --------------------------------------------------- */

void etcdstore_elect_setup(struct etcdstore *es, const char *name,
			   unsigned ttl_s)
{
	snprintf(es->name, sizeof es->name, "%s", name);
	es->ttl_s = ttl_s;
}

/* A JSON request whose answer goes to parse; 0 or -1. */
static char *ask(struct etcdstore *es, const char *path, json_object *q,
		 size_t *len)
{
	char *ans;

	if (!q) {
		fail(es, "etcd: out of memory");
		return NULL;
	}
	ans = post_ex(es, path, q, len, true);
	json_object_put(q);
	return ans;
}

/* Our lease alive (granted or kept alive); 0 or -1. */
static int lease_alive(struct etcdstore *es)
{
	json_object *q = json_object_new_object();
	int64_t v = 0;
	size_t len;
	char *ans;
	int r;

	if (q && es->lease) {
		json_object_object_add(q, "ID", json_object_new_int64(es->lease));
		ans = ask(es, "/v3/lease/keepalive", q, &len);
		r = ans ? etcdj_lease_ttl(ans, len, &v, es->err, sizeof es->err)
			: -1;
		free(ans);
		if (r < 0)
			return -1;
		if (v > 0)
			return 0;
		es->lease = 0; /* expired: the key went with it */
		es->holder = false;
		q = json_object_new_object();
	}
	if (q)
		json_object_object_add(q, "TTL",
				       json_object_new_int64(es->ttl_s));
	ans = ask(es, "/v3/lease/grant", q, &len);
	r = ans ? etcdj_lease_grant(ans, len, &v, es->err, sizeof es->err)
		: -1;
	free(ans);
	if (r == 0)
		es->lease = v;
	return r;
}

static json_object *kv_op(const char *op, const char *k, const char *v,
			  int64_t lease)
{
	json_object *o = json_object_new_object(),
		    *r = json_object_new_object();

	json_object_object_add(r, "key", b64(k, strlen(k)));
	if (v)
		json_object_object_add(r, "value", b64(v, strlen(v)));
	if (lease)
		json_object_object_add(r, "lease", json_object_new_int64(lease));
	json_object_object_add(o, op, r);
	return o;
}

int etcdstore_elect(struct etcdstore *es)
{
	json_object *q, *a;
	char k[KEY_MAX];
	size_t len;
	char *ans;
	int r;

	if (lease_alive(es) < 0) {
		es->holder = false;
		return -1;
	}
	snprintf(k, sizeof k, "%sleader", es->prefix);
	/* the key, created with our lease when nobody holds it; read
	 * otherwise (it may hold our lease already) */
	q = json_object_new_object();
	a = json_object_new_array();
	{
		json_object *c = json_object_new_object();

		json_object_object_add(c, "key", b64(k, strlen(k)));
		json_object_object_add(c, "target",
				       json_object_new_string("CREATE"));
		json_object_object_add(c, "result",
				       json_object_new_string("EQUAL"));
		json_object_object_add(c, "create_revision",
				       json_object_new_int64(0));
		json_object_array_add(a, c);
	}
	json_object_object_add(q, "compare", a);
	a = json_object_new_array();
	json_object_array_add(a, kv_op("request_put", k, es->name, es->lease));
	json_object_object_add(q, "success", a);
	a = json_object_new_array();
	json_object_array_add(a, kv_op("request_range", k, NULL, 0));
	json_object_object_add(q, "failure", a);
	ans = ask(es, "/v3/kv/txn", q, &len);
	r = ans ? etcdj_txn_holder(ans, len, es->holder_name,
				   sizeof es->holder_name, es->err,
				   sizeof es->err)
		: -1;
	free(ans);
	if (r < 0) {
		es->holder = false;
		return -1;
	}
	if (r == 1)
		snprintf(es->holder_name, sizeof es->holder_name, "%s",
			 es->name);
	/* a key that names us under another lease (an earlier run of ours)
	 * is not ours: it goes when that lease expires */
	es->holder = r == 1 || (es->holder && strcmp(es->holder_name,
						      es->name) == 0);
	return es->holder;
}

bool etcdstore_holder(const struct etcdstore *es, const char **name)
{
	if (name)
		*name = es->holder_name;
	return es->holder;
}
