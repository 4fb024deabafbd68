/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the readers of etcd's answers and of the values the
 * etcd store keeps (daemon/etcdjson.c).  The input's first byte chooses
 * the reader, the rest is the text:
 *   0 etcdj_range   1 etcdj_txn   2 etcdj_binding_parse
 *   3 etcdj_coas_parse   4 etcdj_u64_parse   5 etcdj_b64dec
 *   6 etcdj_lease_grant  7 etcdj_lease_ttl   8 etcdj_txn_holder
 * Checks: a failure says why; every key and value a range answer hands
 * over was base64 in the text (no more bytes than its 3/4); a binding or
 * care-of addresses read back format again to a value that reads the
 * same; a number read prints back to the same value; base64 decoded
 * encodes back to as many characters as the text; a lease ID is > 0, a
 * TTL >= -1; a holder is a terminated string that fits, "" on success.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etcdjson.h"
#include "fuzz.h"

static size_t g_len;

static int kv(void *ctx, const unsigned char *k, size_t kl,
	      const unsigned char *v, size_t vl)
{
	volatile unsigned char sink = 0;

	(void)ctx;
	CHECK(k && v);
	CHECK(kl <= g_len / 4 * 3 && vl <= g_len / 4 * 3);
	/* every byte readable (ASan) */
	for (size_t i = 0; i < kl; i++)
		sink ^= k[i];
	for (size_t i = 0; i < vl; i++)
		sink ^= v[i];
	(void)sink;
	return 0;
}

struct coas {
	struct mip4_coa c[MIP4_HA_MAX_COA];
	int64_t exp[MIP4_HA_MAX_COA];
	size_t n;
};

static int take(void *ctx, const struct mip4_coa *c, int64_t exp)
{
	struct coas *s = ctx;

	CHECK(s->n < MIP4_HA_MAX_COA);
	s->c[s->n] = *c;
	s->exp[s->n++] = exp;
	return 0;
}

static void binding(const uint8_t *p, size_t n)
{
	struct mip4_binding b, b2;
	char nai[256], nai2[256], err[200], out[ETCDJ_BINDING_MAX];
	int64_t exp, exp2;
	int len;

	err[0] = '\0';
	if (etcdj_binding_parse(p, n, &b, nai, sizeof nai, &exp, err,
				sizeof err) < 0) {
		CHECK(err[0]);
		return;
	}
	CHECK(!b.nai || (b.nai == nai && strlen(nai) > 0));
	len = etcdj_binding_fmt(&b, exp, out, sizeof out);
	CHECK(len > 0);
	CHECK(etcdj_binding_parse((const unsigned char *)out, (size_t)len,
				  &b2, nai2, sizeof nai2, &exp2, err,
				  sizeof err) == 0);
	CHECK(exp == exp2 && !b.nai == !b2.nai);
	CHECK(!b.nai || strcmp(b.nai, b2.nai) == 0);
	b.nai = b2.nai = NULL;
	CHECK(memcmp(&b, &b2, sizeof b) == 0);
}

static void coas(const uint8_t *p, size_t n)
{
	struct coas a = {0}, a2 = {0};
	char err[200], out[ETCDJ_COAS_MAX];
	int r, len;

	err[0] = '\0';
	r = etcdj_coas_parse(p, n, take, &a, err, sizeof err);
	if (r < 0) {
		CHECK(err[0]);
		return;
	}
	CHECK((size_t)r == a.n);
	len = etcdj_coas_fmt(a.c, a.exp, a.n, out, sizeof out);
	CHECK(len > 0);
	CHECK(etcdj_coas_parse((const unsigned char *)out, (size_t)len, take,
			       &a2, err, sizeof err) == r);
	CHECK(memcmp(a.c, a2.c, sizeof a.c) == 0 &&
	      memcmp(a.exp, a2.exp, sizeof a.exp) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *txt = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;
	char err[300];
	int64_t count;
	uint64_t x;

	if (size == 0)
		return 0;
	g_len = n;
	err[0] = '\0';
	switch (data[0] % 9) {
	case 6: {
		int64_t id = 0;

		if (etcdj_lease_grant(txt, n, &id, err, sizeof err) < 0)
			CHECK(err[0]);
		else
			CHECK(id > 0);
		break;
	}
	case 7: {
		int64_t ttl = 0;

		if (etcdj_lease_ttl(txt, n, &ttl, err, sizeof err) < 0)
			CHECK(err[0]);
		else
			CHECK(ttl >= -1);
		break;
	}
	case 8: {
		char h[64];
		int r;

		memset(h, 'x', sizeof h);
		r = etcdj_txn_holder(txt, n, h, sizeof h, err, sizeof err);
		if (r < 0)
			CHECK(err[0]);
		else
			CHECK(memchr(h, '\0', sizeof h) && (r == 0 || !h[0]));
		break;
	}
	case 0:
		if (etcdj_range(txt, n, kv, NULL, &count, err, sizeof err) < 0)
			CHECK(err[0]);
		else
			CHECK(count >= 0);
		break;
	case 1:
		if (etcdj_txn(txt, n, err, sizeof err) < 0)
			CHECK(err[0]);
		break;
	case 2: binding(data + 1, n); break;
	case 3: coas(data + 1, n); break;
	case 4:
		if (etcdj_u64_parse(data + 1, n, &x) == 0) {
			char b[24];

			snprintf(b, sizeof b, "%" PRIu64, x);
			/* leading zeros are taken; the value is the same */
			CHECK(strtoull(b, NULL, 10) == x && n <= 20);
		}
		break;
	default: {
		unsigned char *out = malloc(n + 1);
		char *back = malloc(n + 8);
		int r;

		if (!out || !back) {
			free(out);
			free(back);
			return 0;
		}
		r = etcdj_b64dec(txt, n, out, n + 1);
		if (r >= 0) {
			CHECK((size_t)r <= n / 4 * 3);
			/* the same length back (its padding bits may differ) */
			CHECK(etcdj_b64enc(out, (size_t)r, back, n + 8) ==
			      (int)n);
		}
		free(out);
		free(back);
		break;
	}
	}
	return 0;
}
