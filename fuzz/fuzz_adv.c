/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: agent advertisements and solicitations (ICMP 9/10).
 *
 * Invariants checked:
 *  - a solicitation decodes iff it is >= 8 bytes of type 10 code 0, and
 *    nothing decodes as both;
 *  - decoded counts respect MIP4_MAX_ROUTERS / MIP4_MAX_COA and views
 *    point inside the input;
 *  - re-encoding with mip4_adv_put() gives a valid ICMP checksum, and
 *    decoding that again returns the same fields.  This holds for every
 *    input, not only canonical ones: the decoder already clamps routers,
 *    COAs and prefix lengths to what the encoder can carry.  What is NOT
 *    kept is the wire form: entry size (always 2 on output), extension
 *    order, padding, skipped extensions, duplicate challenges and the
 *    received checksum; has_mobility becomes true (the encoder always
 *    emits extension 16, zeros when there was none);
 *  - encoding is idempotent: put(decode(put(decode(x)))) == put(decode(x)).
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "mip4/ip.h"
#include "mip4/wire.h"

static void check_same(const struct mip4_adv *a, const struct mip4_adv *b)
{
	CHECK(a->code == b->code && a->lifetime == b->lifetime);
	CHECK(a->n_routers == b->n_routers);
	for (unsigned i = 0; i < a->n_routers; i++)
		CHECK(a->router[i].addr == b->router[i].addr &&
		      a->router[i].pref == b->router[i].pref);
	CHECK(a->seq == b->seq && a->reg_lifetime == b->reg_lifetime &&
	      a->flags == b->flags);
	CHECK(a->n_coa == b->n_coa);
	CHECK(memcmp(a->coa, b->coa, a->n_coa * sizeof a->coa[0]) == 0);
	CHECK(a->has_prefix_len == b->has_prefix_len &&
	      a->n_prefix_len == b->n_prefix_len);
	CHECK(memcmp(a->prefix_len, b->prefix_len, a->n_prefix_len) == 0);
	CHECK((a->challenge == NULL) == (b->challenge == NULL));
	if (a->challenge)
		CHECK(a->challenge_len == b->challenge_len &&
		      memcmp(a->challenge, b->challenge, a->challenge_len) ==
			      0);
}

/* Encode a, check the result and decode it into a2; returns the length. */
static size_t reencode(const struct mip4_adv *a, bool pad, uint8_t *buf,
		       size_t cap, struct mip4_adv *a2)
{
	struct mip4_buf b;

	mip4_buf_init(&b, buf, cap);
	mip4_adv_put(&b, a, pad);
	CHECK(!b.overflow && b.len >= 16);
	CHECK(mip4_inet_csum(buf, b.len) == 0);
	if (pad)
		CHECK(b.len % 2 == 0);
	CHECK(mip4_adv_decode(buf, b.len, a2) == MIP4_OK);
	CHECK(mip4_sol_decode(buf, b.len) != MIP4_OK);
	CHECK(a2->has_mobility && a2->addr_entry_size == 2 &&
	      a2->num_addrs == a->n_routers && a2->n_skipped == 0 &&
	      a2->n_pad <= 1);
	return b.len;
}

static void check_sol(void)
{
	uint8_t buf[8];
	struct mip4_buf b;

	mip4_buf_init(&b, buf, sizeof buf);
	mip4_sol_put(&b);
	CHECK(!b.overflow && b.len == 8);
	CHECK(mip4_sol_decode(buf, b.len) == MIP4_OK);
	CHECK(mip4_inet_csum(buf, b.len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Largest encoding: 8 + 16*8 + 8 + 16*4 + 2 + 16 + 2 + 255 + 1. */
	static uint8_t out1[1024], out2[1024];
	struct mip4_adv a, a2, a3;
	size_t n1, n2;
	bool pad;
	int rc = mip4_adv_decode(data, size, &a);
	int rs = mip4_sol_decode(data, size);

	CHECK((rs == MIP4_OK) == (size >= 8 && data[0] == MIP4_ICMP_SOL &&
				  data[1] == 0));
	if (rs == MIP4_OK)
		check_sol();
	CHECK(mip4_strerror(rc) != NULL);
	if (rc != MIP4_OK)
		return 0;
	CHECK(rs != MIP4_OK);

	CHECK(size >= 8 && data[0] == MIP4_ICMP_ADV && a.code == data[1]);
	CHECK(a.num_addrs == data[4] && a.addr_entry_size >= 2);
	CHECK(a.n_routers == (a.num_addrs < MIP4_MAX_ROUTERS
				      ? a.num_addrs
				      : MIP4_MAX_ROUTERS));
	CHECK(a.n_coa <= MIP4_MAX_COA && a.n_prefix_len <= MIP4_MAX_ROUTERS);
	CHECK(a.has_mobility || (a.n_coa == 0 && a.flags == 0));
	CHECK(a.has_prefix_len || a.n_prefix_len == 0);
	if (a.challenge)
		CHECK(a.challenge_len > 0 &&
		      INSIDE(a.challenge, a.challenge_len, data, size));
	for (unsigned i = 0; i < a.n_routers; i++)
		CHECK(a.router[i].addr ==
		      mip4_get32(data + 8 + i * a.addr_entry_size * 4u));

	pad = size & 1;
	n1 = reencode(&a, pad, out1, sizeof out1, &a2);
	check_same(&a, &a2);
	n2 = reencode(&a2, pad, out2, sizeof out2, &a3);
	check_same(&a2, &a3);
	CHECK(n1 == n2 && memcmp(out1, out2, n1) == 0);
	return 0;
}
