/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of GRE (RFC 2784) and minimal encapsulation (RFC 2004) in the
 * userspace data plane: the header builders and parsers of dp_logic.c
 * (byte layout, checksums, the S bit, fragments, IP options, round
 * trips), the home agent's decisions (dp_decide_tun / dp_decide_raw: which
 * encapsulation from which care-of address) and the mobile node's
 * (mndp_decide_tun / mndp_decide_raw), then mutated packets through every
 * parser (ASan builds catch stray reads).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dp_logic.h"
#include "mip4/ip.h"
#include "mip4/wire.h"
#include "mn.h"

#define HOME 0x0a630064u  /* 10.99.0.100, GRE */
#define HOME_M 0x0a630065u /* minimal */
#define HOME_U 0x0a630066u /* UDP */
#define CN 0x0a630001u
#define COA 0xc0000202u
#define EVIL 0xc0000263u
#define HA 0xc0000201u

/* An inner IPv4/UDP packet; with opts, 8 bytes of options (NOPs). */
static size_t mk_inner(uint8_t *out, uint32_t src, uint32_t dst, size_t plen,
		       bool frag, bool opts)
{
	size_t ihl = opts ? 28 : 20;

	assert_int_equal(mip4_ip_put(out, 20, src, dst, MIP4_IPPROTO_UDP, 61,
				     5, true, plen + ihl - 20),
			 20);
	if (opts) {
		out[0] = 0x47;
		memset(out + 20, 1, 8);
	}
	if (frag)
		mip4_put16(out + 6, 0x2000); /* MF */
	out[10] = out[11] = 0;
	mip4_put16(out + 10, mip4_inet_csum(out, ihl));
	for (size_t i = 0; i < plen; i++)
		out[ihl + i] = (uint8_t)(i * 7);
	return ihl + plen;
}

/* ---- GRE ---- */

static void test_gre_hdr_layout(void **state)
{
	uint8_t in[100], h[DP_GRE_HDR_LEN];
	size_t n = mk_inner(in, CN, HOME, 40, false, false);
	struct mip4_ip o;

	(void)state;
	in[1] = 0xb8; /* TOS copied (RFC 2003 §3.1 applies to the outer) */
	in[10] = in[11] = 0;
	mip4_put16(in + 10, mip4_inet_csum(in, 20));
	assert_int_equal(dp_gre_hdr(h, HA, COA, in, n), DP_GRE_HDR_LEN);
	assert_int_equal(mip4_ip_decode(h, sizeof h, &o), MIP4_IP_E_TOTLEN);
	assert_int_equal(h[9], MIP4_IPPROTO_GRE);
	assert_int_equal(mip4_get16(h + 2), DP_GRE_HDR_LEN + n);
	assert_int_equal(mip4_get16(h + 6), 0x4000); /* DF copied */
	assert_int_equal(h[1], 0xb8);
	assert_int_equal(mip4_inet_csum(h, 20), 0);
	assert_int_equal(mip4_get32(h + 12), HA);
	assert_int_equal(mip4_get32(h + 16), COA);
	/* RFC 2784: no checksum, version 0, protocol type IPv4 */
	assert_int_equal(mip4_get16(h + 20), 0);
	assert_int_equal(mip4_get16(h + 22), 0x0800);
	assert_int_equal(dp_gre_hdr(h, HA, COA, in, 19), 0);
	assert_int_equal(dp_gre_hdr(h, HA, COA, in, 65535 - 10), 0);
}

static void test_gre_parse(void **state)
{
	uint8_t p[64];

	(void)state;
	memset(p, 0, sizeof p);
	mip4_put16(p + 2, 0x0800);
	assert_int_equal(dp_gre_parse(p, 4), 4);
	assert_int_equal(dp_gre_parse(p, 3), 0);
	/* C set: checksum over header and payload must verify */
	p[0] = 0x80;
	memset(p + 8, 0x33, 20);
	mip4_put16(p + 4, mip4_inet_csum(p, 28));
	assert_int_equal(dp_gre_parse(p, 28), 8);
	p[20] ^= 1;
	assert_int_equal(dp_gre_parse(p, 28), 0);
	p[20] ^= 1;
	assert_int_equal(dp_gre_parse(p, 6), 0);
	/* key or sequence (RFC 2890), routing (RFC 1701), version 1 */
	p[0] = 0x20;
	assert_int_equal(dp_gre_parse(p, 28), 0);
	p[0] = 0x10;
	assert_int_equal(dp_gre_parse(p, 28), 0);
	p[0] = 0x40;
	assert_int_equal(dp_gre_parse(p, 28), 0);
	p[0] = 0;
	p[1] = 1;
	assert_int_equal(dp_gre_parse(p, 28), 0);
	/* another payload type (transparent Ethernet bridging) */
	p[1] = 0;
	mip4_put16(p + 2, 0x6558);
	assert_int_equal(dp_gre_parse(p, 28), 0);
}

/* ---- minimal encapsulation ---- */

static void test_min_hdr_layout_s_bit(void **state)
{
	uint8_t in[100], h[DP_MIN_HDR_MAX];
	size_t n = mk_inner(in, CN, HOME_M, 40, false, false), off = 0;

	(void)state;
	/* HA forwarding a correspondent's packet: S set, 12 bytes */
	assert_int_equal(dp_min_hdr(h, HA, COA, in, n, &off), 20 + 12);
	assert_int_equal(off, 20);
	assert_int_equal(h[9], MIP4_IPPROTO_MINENC);
	assert_int_equal(mip4_get16(h + 2), n + 12);
	assert_int_equal(h[8], 61); /* §3: TTL untouched */
	assert_int_equal(mip4_get32(h + 12), HA);
	assert_int_equal(mip4_get32(h + 16), COA);
	assert_int_equal(mip4_inet_csum(h, 20), 0);
	assert_int_equal(h[20], MIP4_IPPROTO_UDP);
	assert_int_equal(h[21], 0x80);
	assert_int_equal(mip4_inet_csum(h + 20, 12), 0);
	assert_int_equal(mip4_get32(h + 24), HOME_M);
	assert_int_equal(mip4_get32(h + 28), CN);
	/* the encapsulator is the original source: S clear, 8 bytes */
	n = mk_inner(in, HA, HOME_M, 40, false, false);
	assert_int_equal(dp_min_hdr(h, HA, COA, in, n, &off), 20 + 8);
	assert_int_equal(h[21], 0);
	assert_int_equal(mip4_inet_csum(h + 20, 8), 0);
	/* §3: never a fragment */
	n = mk_inner(in, CN, HOME_M, 40, true, false);
	assert_int_equal(dp_min_hdr(h, HA, COA, in, n, &off), 0);
	assert_int_equal(dp_min_hdr(h, HA, COA, in, 10, &off), 0);
}

/* Encapsulate and decapsulate: the original packet, byte for byte, also
 * with IP options. */
static void test_min_round_trip(void **state)
{
	uint8_t in[200], pkt[300], h[DP_MIN_HDR_MAX], r[DP_IP_HDR_MAX];
	const uint8_t *pay;
	size_t plen;

	(void)state;
	for (int i = 0; i < 4; i++) {
		bool opts = i & 1;
		uint32_t src = (i & 2) ? HA : CN;
		size_t n = mk_inner(in, src, HOME_M, 64, false, opts), off;
		size_t hl = dp_min_hdr(h, HA, COA, in, n, &off);

		assert_true(hl > 0);
		memcpy(pkt, h, hl);
		memcpy(pkt + hl, in + off, n - off);
		assert_int_equal(dp_min_parse(pkt, hl + n - off, r, &pay,
					      &plen),
				 off);
		assert_memory_equal(r, in, off);
		assert_int_equal(plen, n - off);
		assert_memory_equal(pay, in + off, plen);
		/* a flipped bit in the forwarding header */
		pkt[off + 5] ^= 0x10;
		assert_int_equal(dp_min_parse(pkt, hl + n - off, r, &pay,
					      &plen),
				 0);
	}
}

/* ---- the home agent's decisions ---- */

struct fx {
	struct mip4_btable *t;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	static const struct {
		uint32_t home;
		uint8_t encap;
	} b[] = {{HOME, MIP4_ENCAP_GRE},
		 {HOME_M, MIP4_ENCAP_MIN},
		 {HOME_U, MIP4_ENCAP_UDP}};

	assert_non_null(f);
	f->t = mip4_btable_new(4);
	for (size_t i = 0; i < 3; i++) {
		struct mip4_binding *x =
			mip4_btable_add(f->t, b[i].home, NULL, 0, 100000);
		struct mip4_coa c = {.expires_ms = 100000, .coa = COA,
				     .peer_addr = COA, .peer_port = 434,
				     .encap = b[i].encap};

		assert_non_null(x);
		assert_int_equal(mip4_btable_coa_put(f->t, x, &c, false), 0);
		x->flags = MIP4_RRQ_T;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mip4_btable_free(f->t);
	free(f);
	return 0;
}

static void test_ha_tun_picks_encapsulation(void **state)
{
	struct fx *f = *state;
	uint8_t in[100];
	struct dp_verdict v;
	size_t n;

	n = mk_inner(in, CN, HOME, 40, false, false);
	dp_decide_tun(f->t, in, n, &v);
	assert_int_equal(v.act, DP_ACT_ENCAP_GRE);
	assert_int_equal(v.dst, COA);
	n = mk_inner(in, CN, HOME_M, 40, false, false);
	dp_decide_tun(f->t, in, n, &v);
	assert_int_equal(v.act, DP_ACT_ENCAP_MIN);
	/* RFC 2004 §3: a fragment goes IP-in-IP instead */
	n = mk_inner(in, CN, HOME_M, 40, true, false);
	dp_decide_tun(f->t, in, n, &v);
	assert_int_equal(v.act, DP_ACT_ENCAP_IPIP);
}

/* An outer packet of kind proto from src to HA around inner in. */
static size_t outer(uint8_t *p, uint8_t proto, uint32_t src, const uint8_t *in,
		    size_t n)
{
	size_t hl, off = 0;

	if (proto == MIP4_IPPROTO_GRE)
		hl = dp_gre_hdr(p, src, HA, in, n);
	else if (proto == MIP4_IPPROTO_MINENC)
		hl = dp_min_hdr(p, src, HA, in, n, &off);
	else
		hl = dp_ipip_hdr(p, src, HA, in, n);
	assert_true(hl > 0);
	memcpy(p + hl, in + off, n - off);
	return hl + n - off;
}

static void test_ha_raw_kinds(void **state)
{
	struct fx *f = *state;
	uint8_t in[100], p[200];
	struct dp_verdict v;
	size_t n, pl;

	/* GRE from the GRE care-of address: the inner packet */
	n = mk_inner(in, HOME, CN, 30, false, false);
	pl = outer(p, MIP4_IPPROTO_GRE, COA, in, n);
	dp_decide_raw(f->t, p, pl, &v);
	assert_int_equal(v.act, DP_ACT_TO_TUN);
	assert_int_equal(v.inner_len, n);
	assert_memory_equal(v.inner, in, n);
	assert_int_equal(v.rhdr_len, 0);
	/* ... from anyone else: spoofed */
	pl = outer(p, MIP4_IPPROTO_GRE, EVIL, in, n);
	dp_decide_raw(f->t, p, pl, &v);
	assert_int_equal(v.act, DP_ACT_DROP_SPOOFED);
	/* IP-in-IP from a GRE care-of address: every node speaks it */
	pl = outer(p, MIP4_IPPROTO_IPIP, COA, in, n);
	dp_decide_raw(f->t, p, pl, &v);
	assert_int_equal(v.act, DP_ACT_TO_TUN);
	/* minimal from the GRE one: not what it registered */
	pl = outer(p, MIP4_IPPROTO_MINENC, COA, in, n);
	dp_decide_raw(f->t, p, pl, &v);
	assert_int_equal(v.act, DP_ACT_DROP_SPOOFED);
	/* minimal from the minimal one: header restored + payload */
	n = mk_inner(in, HOME_M, CN, 30, false, false);
	pl = outer(p, MIP4_IPPROTO_MINENC, COA, in, n);
	dp_decide_raw(f->t, p, pl, &v);
	assert_int_equal(v.act, DP_ACT_TO_TUN);
	assert_int_equal(v.rhdr_len, 20);
	assert_memory_equal(v.rhdr, in, 20);
	assert_int_equal(v.inner_len, n - 20);
	assert_memory_equal(v.inner, in + 20, n - 20);
	/* IP-in-IP from a UDP care-of address: RFC 3519 §4.7 */
	n = mk_inner(in, HOME_U, CN, 30, false, false);
	pl = outer(p, MIP4_IPPROTO_IPIP, COA, in, n);
	dp_decide_raw(f->t, p, pl, &v);
	assert_int_equal(v.act, DP_ACT_DROP_SPOOFED);
	/* an unknown protocol on the socket */
	p[9] = 99;
	p[10] = p[11] = 0;
	mip4_put16(p + 10, mip4_inet_csum(p, 20));
	dp_decide_raw(f->t, p, pl, &v);
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
}

/* ---- the mobile node's ---- */

static void test_mn_modes(void **state)
{
	struct mndp_tunnel g = {MNDP_GRE, HOME, COA, HA, 1};
	struct mndp_tunnel m = {MNDP_MIN, HOME, COA, HA, 1};
	struct mndp_verdict v;
	uint8_t in[100], p[200];
	size_t n, pl;

	(void)state;
	n = mk_inner(in, HOME, CN, 30, false, false);
	mndp_decide_tun(&g, in, n, &v);
	assert_int_equal(v.act, MNDP_ACT_ENCAP_GRE);
	mndp_decide_tun(&m, in, n, &v);
	assert_int_equal(v.act, MNDP_ACT_ENCAP_MIN);
	n = mk_inner(in, HOME, CN, 30, true, false);
	mndp_decide_tun(&m, in, n, &v);
	assert_int_equal(v.act, MNDP_ACT_ENCAP_IPIP);
	/* inbound: whichever kind the HA chose, only from the HA, only for
	 * the home address */
	n = mk_inner(in, CN, HOME, 30, false, false);
	pl = dp_gre_hdr(p, HA, COA, in, n);
	memcpy(p + pl, in, n);
	mndp_decide_raw(&m, p, pl + n, &v);
	assert_int_equal(v.act, MNDP_ACT_TO_TUN);
	assert_memory_equal(v.inner, in, n);
	{
		size_t off, hl = dp_min_hdr(p, HA, COA, in, n, &off);

		memcpy(p + hl, in + off, n - off);
		mndp_decide_raw(&g, p, hl + n - off, &v);
		assert_int_equal(v.act, MNDP_ACT_TO_TUN);
		assert_int_equal(v.rhdr_len, 20);
		assert_memory_equal(v.rhdr, in, 20);
		assert_memory_equal(v.inner, in + 20, n - 20);
		hl = dp_min_hdr(p, EVIL, COA, in, n, &off);
		memcpy(p + hl, in + off, n - off);
		mndp_decide_raw(&g, p, hl + n - off, &v);
		assert_int_equal(v.act, MNDP_ACT_DROP_NOT_FROM_HA);
		n = mk_inner(in, CN, HOME + 1, 30, false, false);
		hl = dp_min_hdr(p, HA, COA, in, n, &off);
		memcpy(p + hl, in + off, n - off);
		mndp_decide_raw(&g, p, hl + n - off, &v);
		assert_int_equal(v.act, MNDP_ACT_DROP_NOT_FOR_HOME);
	}
}

/* Mutated GRE and minimal packets through every parser: the verdict's
 * pieces stay inside the buffer (ASan catches stray reads). */
static void test_mutations(void **state)
{
	struct fx *f = *state;
	struct mndp_tunnel m = {MNDP_MIN, HOME_M, COA, HA, 1};
	uint8_t in[120], p[220], r[DP_IP_HDR_MAX];
	const uint8_t *pay;
	size_t plen;

	srand(3);
	for (int i = 0; i < 20000; i++) {
		uint8_t proto = (i & 1) ? MIP4_IPPROTO_GRE : MIP4_IPPROTO_MINENC;
		size_t n = mk_inner(in, HOME_M, CN, (size_t)rand() % 80, false,
				    i & 2);
		size_t pl = outer(p, proto, COA, in, n), cut;
		struct dp_verdict v;
		struct mndp_verdict w;

		for (int k = rand() % 4; k >= 0; k--)
			p[(size_t)rand() % pl] ^= (uint8_t)(1u << (rand() % 8));
		cut = pl - (size_t)rand() % (pl + 1);
		dp_decide_raw(f->t, p, cut, &v);
		if (v.act == DP_ACT_TO_TUN)
			assert_true(v.inner >= p && v.inner + v.inner_len <= p + cut);
		mndp_decide_raw(&m, p, cut, &w);
		if (w.act == MNDP_ACT_TO_TUN)
			assert_true(w.inner >= p && w.inner + w.inner_len <= p + cut);
		if (dp_min_parse(p, cut, r, &pay, &plen))
			assert_true(pay >= p && pay + plen <= p + cut);
		(void)dp_gre_parse(p + 20, cut > 20 ? cut - 20 : 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gre_hdr_layout),
		cmocka_unit_test(test_gre_parse),
		cmocka_unit_test(test_min_hdr_layout_s_bit),
		cmocka_unit_test(test_min_round_trip),
		cmocka_unit_test_setup_teardown(test_ha_tun_picks_encapsulation,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ha_raw_kinds, setup,
						teardown),
		cmocka_unit_test(test_mn_modes),
		cmocka_unit_test_setup_teardown(test_mutations, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
