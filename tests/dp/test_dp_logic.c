/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the data plane's per-packet decisions (dataplane/
 * dp_logic.c): every verdict and drop reason on hand-built packets, then
 * random and mutated buffers through all three deciders (the verdict must
 * stay inside the buffer; ASan builds catch any stray read).
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

#define HOME 0x0a630064u   /* 10.99.0.100 */
#define HOME_U 0x0a630065u /* 10.99.0.101, UDP binding */
#define HOME_N 0x0a630066u /* 10.99.0.102, no T bit */
#define CN 0x0a630001u
#define COA 0xc0000202u	   /* 192.0.2.2 */
#define NAT 0xcb007101u	   /* 203.0.113.1 */
#define HA 0xc0000201u

struct fx {
	struct mip4_btable *t;
	struct mip4_binding *ipip, *udp, *nort;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	f->t = mip4_btable_new(8);
	f->ipip = mip4_btable_add(f->t, HOME, NULL, 0, 1000000);
	f->udp = mip4_btable_add(f->t, HOME_U, NULL, 0, 1000000);
	f->nort = mip4_btable_add(f->t, HOME_N, NULL, 0, 1000000);
	assert_non_null(f->ipip);
	assert_non_null(f->udp);
	assert_non_null(f->nort);
	f->ipip->coa = COA;
	f->ipip->peer_addr = COA;
	f->ipip->flags = MIP4_RRQ_T;
	f->udp->coa = 0x0a000005; /* private, behind the NAT */
	f->udp->peer_addr = NAT;
	f->udp->peer_port = 40000;
	f->udp->encap = MIP4_ENCAP_UDP;
	f->udp->flags = MIP4_RRQ_T;
	f->nort->coa = COA;
	f->nort->peer_addr = COA;
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

/* An inner IPv4/UDP packet of plen payload bytes; returns its length. */
static size_t mk_inner(uint8_t *out, size_t cap, uint32_t src, uint32_t dst,
		       size_t plen, bool df, uint8_t tos)
{
	size_t n = mip4_ip_put(out, cap, src, dst, MIP4_IPPROTO_UDP, 63, 7, df,
			       plen);

	assert_int_equal(n, 20);
	memset(out + 20, 0xab, plen);
	if (tos) {
		out[1] = tos;
		out[10] = out[11] = 0;
		uint16_t c = mip4_inet_csum(out, 20);
		out[10] = (uint8_t)(c >> 8);
		out[11] = (uint8_t)c;
	}
	return 20 + plen;
}

/* outer(src -> HA, proto 4) + inner */
static size_t mk_ipip(uint8_t *out, size_t cap, uint32_t osrc, uint32_t isrc,
		      uint32_t idst)
{
	size_t n = mk_inner(out + 20, cap - 20, isrc, idst, 30, false, 0);

	assert_int_equal(mip4_ip_put(out, cap, osrc, HA, MIP4_IPPROTO_IPIP, 64,
				     1, false, n), 20);
	return 20 + n;
}

static size_t mk_udp(uint8_t *out, size_t cap, uint32_t isrc)
{
	struct mip4_buf b;

	mip4_buf_init(&b, out, cap);
	mip4_tunnel_data_put(&b, MIP4_IPPROTO_IPIP);
	return 4 + mk_inner(out + 4, cap - 4, isrc, CN, 30, false, 0);
}

static void test_tun(void **state)
{
	struct fx *f = *state;
	struct dp_verdict v;
	uint8_t p[200];
	size_t n = mk_inner(p, sizeof p, CN, HOME, 40, true, 0);

	/* IPIP binding: to the care-of address; link padding trimmed */
	dp_decide_tun(f->t, p, n + 7, &v);
	assert_int_equal(v.act, DP_ACT_ENCAP_IPIP);
	assert_ptr_equal(v.b, f->ipip);
	assert_int_equal(v.dst, COA);
	assert_ptr_equal(v.inner, p);
	assert_int_equal(v.inner_len, n);

	/* UDP binding: to the NAT's outside address and port */
	n = mk_inner(p, sizeof p, CN, HOME_U, 40, false, 0);
	dp_decide_tun(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_ENCAP_UDP);
	assert_int_equal(v.dst, NAT);
	assert_int_equal(v.port, 40000);

	/* half bound (no port yet) or no care-of address: nowhere to send */
	f->udp->peer_port = 0;
	dp_decide_tun(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_NO_BINDING);
	f->udp->peer_port = 40000;

	n = mk_inner(p, sizeof p, CN, HOME + 50, 40, false, 0);
	dp_decide_tun(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_NO_BINDING);
	assert_null(v.b);

	/* malformed: short, IPv6, bad IHL, total length past the buffer */
	n = mk_inner(p, sizeof p, CN, HOME, 40, false, 0);
	dp_decide_tun(f->t, p, 19, &v);
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
	dp_decide_tun(f->t, p, n - 1, &v);
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
	p[0] = 0x65;
	dp_decide_tun(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
	p[0] = 0x44;
	dp_decide_tun(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
	dp_decide_tun(f->t, p, 0, &v);
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
}

static void test_ipip(void **state)
{
	struct fx *f = *state;
	struct dp_verdict v;
	uint8_t p[200];
	size_t n = mk_ipip(p, sizeof p, COA, HOME, CN);

	dp_decide_ipip(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_TO_TUN);
	assert_ptr_equal(v.b, f->ipip);
	assert_ptr_equal(v.inner, p + 20);
	assert_int_equal(v.inner_len, n - 20);

	/* the registration's source address is accepted too */
	f->ipip->peer_addr = 0xc0000209;
	n = mk_ipip(p, sizeof p, 0xc0000209, HOME, CN);
	dp_decide_ipip(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_TO_TUN);
	f->ipip->peer_addr = COA;

	/* RFC 3024: anyone else claiming the home address is spoofing */
	n = mk_ipip(p, sizeof p, 0xc0000263, HOME, CN);
	dp_decide_ipip(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_SPOOFED);
	assert_ptr_equal(v.b, f->ipip);

	/* RFC 3519 §4.7: a UDP binding never uses IP-in-IP */
	n = mk_ipip(p, sizeof p, NAT, HOME_U, CN);
	dp_decide_ipip(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_SPOOFED);

	/* no T bit: no reverse tunnel */
	n = mk_ipip(p, sizeof p, COA, HOME_N, CN);
	dp_decide_ipip(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_NOT_REVERSE);

	n = mk_ipip(p, sizeof p, COA, HOME + 9, CN);
	dp_decide_ipip(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_NO_BINDING);

	/* malformed: outer protocol, outer fragment, inner garbage */
	n = mk_ipip(p, sizeof p, COA, HOME, CN);
	p[9] = MIP4_IPPROTO_UDP;
	dp_decide_ipip(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
	p[9] = MIP4_IPPROTO_IPIP;
	p[6] = 0x20; /* MF */
	dp_decide_ipip(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
	p[6] = 0;
	p[20] = 0x60;
	dp_decide_ipip(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
	p[20] = 0x45;
	dp_decide_ipip(f->t, p, 39, &v); /* inner cut short */
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
}

static void test_udp(void **state)
{
	struct fx *f = *state;
	struct dp_verdict v;
	uint8_t p[200];
	size_t n = mk_udp(p, sizeof p, HOME_U);

	dp_decide_udp(f->t, NAT, 41000, p, n, &v);
	assert_int_equal(v.act, DP_ACT_TO_TUN);
	assert_ptr_equal(v.b, f->udp);
	assert_int_equal(v.port, 41000); /* the caller refreshes peer_port */
	assert_int_equal(f->udp->peer_port, 40000); /* pure: not mutated */
	assert_ptr_equal(v.inner, p + 4);
	assert_int_equal(v.inner_len, n - 4);

	/* RFC 3519 §6.1.2: the address is pinned */
	dp_decide_udp(f->t, NAT + 1, 41000, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_SPOOFED);
	/* an IP-in-IP binding does not take UDP tunnel data */
	n = mk_udp(p, sizeof p, HOME);
	dp_decide_udp(f->t, COA, 434, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_SPOOFED);
	n = mk_udp(p, sizeof p, HOME + 9);
	dp_decide_udp(f->t, NAT, 434, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_NO_BINDING);

	/* malformed: short, type, next header GRE / minimal, inner */
	n = mk_udp(p, sizeof p, HOME_U);
	dp_decide_udp(f->t, NAT, 434, p, 3, &v);
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
	dp_decide_udp(f->t, NAT, 434, p, 4, &v);
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
	p[0] = MIP4_MSG_RRQ;
	dp_decide_udp(f->t, NAT, 434, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
	p[0] = MIP4_MSG_TUNNEL_DATA;
	p[1] = MIP4_IPPROTO_GRE;
	dp_decide_udp(f->t, NAT, 434, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
	p[1] = MIP4_IPPROTO_MINENC;
	dp_decide_udp(f->t, NAT, 434, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_MALFORMED);
	p[1] = MIP4_IPPROTO_IPIP;
	/* reserved bits are ignored */
	p[2] = p[3] = 0xff;
	dp_decide_udp(f->t, NAT, 434, p, n, &v);
	assert_int_equal(v.act, DP_ACT_TO_TUN);
}

#define COA2 0xc6336402u /* 198.51.100.2, a second care-of address */
#define NAT2 0xcb007102u /* 203.0.113.2, a second NAT */

/* Give HOME (IP-in-IP, COA) a second IP-in-IP care-of address COA2 and a
 * third, UDP through NAT2 from port 40002. */
static void add_coas(struct fx *f)
{
	struct mip4_coa c = {.coa = COA2, .peer_addr = COA2,
			     .expires_ms = 1000000};

	assert_int_equal(mip4_btable_coa_put(f->t, f->ipip, &c, true), 1);
	c = (struct mip4_coa){.coa = 0x0a000009, .peer_addr = NAT2,
			      .peer_port = 40002, .encap = MIP4_ENCAP_UDP,
			      .expires_ms = 1000000};
	assert_int_equal(mip4_btable_coa_put(f->t, f->ipip, &c, true), 2);
}

/* RFC 5944 §4.2.3: with simultaneous bindings a copy of each packet goes
 * to each care-of address, each through its own kind of tunnel. */
static void test_tun_copies(void **state)
{
	struct fx *f = *state;
	struct dp_verdict v, c;
	uint8_t p[200];
	size_t n = mk_inner(p, sizeof p, CN, HOME, 40, true, 0);

	dp_decide_tun(f->t, p, n, &v);
	assert_int_equal(v.copies, 1); /* one care-of address: one copy */
	add_coas(f);
	dp_decide_tun(f->t, p, n, &v);
	assert_int_equal(v.copies, 3);
	assert_int_equal(v.act, DP_ACT_ENCAP_IPIP);
	assert_int_equal(v.dst, COA);
	assert_int_equal(v.coa, 0);
	dp_decide_tun_copy(f->t, &v, 1, &c);
	assert_int_equal(c.act, DP_ACT_ENCAP_IPIP);
	assert_int_equal(c.dst, COA2);
	assert_int_equal(c.coa, 1);
	assert_ptr_equal(c.b, f->ipip);
	assert_ptr_equal(c.inner, p);
	assert_int_equal(c.inner_len, n);
	dp_decide_tun_copy(f->t, &v, 2, &c);
	assert_int_equal(c.act, DP_ACT_ENCAP_UDP);
	assert_int_equal(c.dst, NAT2);
	assert_int_equal(c.port, 40002);
	assert_ptr_equal(c.inner, p);
	/* past the last one (the list shrank meanwhile): nothing */
	dp_decide_tun_copy(f->t, &v, 3, &c);
	assert_int_equal(c.act, DP_ACT_DROP_NO_BINDING);
	assert_null(c.b);
	/* a half-bound UDP care-of address drops its copy only */
	mip4_binding_set_peer_port(f->ipip, 2, 0);
	dp_decide_tun_copy(f->t, &v, 2, &c);
	assert_int_equal(c.act, DP_ACT_DROP_NO_BINDING);
	dp_decide_tun_copy(f->t, &v, 1, &c);
	assert_int_equal(c.act, DP_ACT_ENCAP_IPIP);
	/* the first one gone: its successor is copy 0 */
	assert_true(mip4_btable_coa_del(f->t, f->ipip, 0));
	dp_decide_tun(f->t, p, n, &v);
	assert_int_equal(v.copies, 2);
	assert_int_equal(v.dst, COA2);
}

/* RFC 3024 with simultaneous bindings: reverse-tunnelled packets from any
 * registered care-of address are accepted, each through its own tunnel
 * type; anybody else is still a spoofer. */
static void test_reverse_any_coa(void **state)
{
	struct fx *f = *state;
	struct dp_verdict v;
	uint8_t p[200];
	size_t n = mk_ipip(p, sizeof p, COA2, HOME, CN);

	dp_decide_ipip(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_SPOOFED); /* not yet registered */
	add_coas(f);
	dp_decide_ipip(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_TO_TUN);
	assert_ptr_equal(v.b, f->ipip);
	assert_int_equal(v.coa, 1);
	n = mk_ipip(p, sizeof p, COA, HOME, CN);
	dp_decide_ipip(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_TO_TUN);
	assert_int_equal(v.coa, 0);
	/* the UDP care-of address's NAT may not send IP-in-IP */
	n = mk_ipip(p, sizeof p, NAT2, HOME, CN);
	dp_decide_ipip(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_SPOOFED);
	n = mk_ipip(p, sizeof p, 0xc0000263, HOME, CN);
	dp_decide_ipip(f->t, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_SPOOFED);

	/* UDP tunnel data: only from the UDP care-of address's NAT */
	n = mk_udp(p, sizeof p, HOME);
	dp_decide_udp(f->t, NAT2, 41002, p, n, &v);
	assert_int_equal(v.act, DP_ACT_TO_TUN);
	assert_int_equal(v.coa, 2);
	assert_int_equal(v.port, 41002);
	dp_decide_udp(f->t, COA2, 41002, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_SPOOFED);
	dp_decide_udp(f->t, NAT, 41002, p, n, &v);
	assert_int_equal(v.act, DP_ACT_DROP_SPOOFED);
}

static void test_ipip_hdr(void **state)
{
	uint8_t in[100], h[DP_IPIP_HDR_LEN];
	struct mip4_ip ip;
	size_t n = mk_inner(in, sizeof in, CN, HOME, 50, true, 0xb8);

	(void)state;
	assert_int_equal(dp_ipip_hdr(h, HA, COA, in, n + 3), 20);
	assert_int_equal(mip4_ip_decode(h, 20, &ip), MIP4_IP_E_TOTLEN);
	assert_int_equal(mip4_inet_csum(h, 20), 0);
	assert_int_equal(h[1], 0xb8);		/* TOS copied */
	assert_int_equal(h[6] & 0x40, 0x40);	/* DF copied */
	assert_int_equal(h[9], MIP4_IPPROTO_IPIP);
	assert_int_equal(h[2] << 8 | h[3], n + 20); /* padding not counted */
	assert_int_equal(h[8], 64);

	n = mk_inner(in, sizeof in, CN, HOME, 50, false, 0);
	assert_int_equal(dp_ipip_hdr(h, HA, COA, in, n), 20);
	assert_int_equal(h[6] & 0x40, 0);
	assert_int_equal(h[1], 0);
	assert_int_equal(mip4_inet_csum(h, 20), 0);
	assert_int_equal(dp_ipip_hdr(h, HA, COA, in, 19), 0);
	/* 65535-byte inner: the outer would not fit in 16 bits */
	{
		uint8_t *big = calloc(1, 65535);

		assert_non_null(big);
		assert_int_equal(mip4_ip_put(big, 65535, CN, HOME, 17, 1, 0,
					     false, 65535 - 20), 20);
		assert_int_equal(dp_ipip_hdr(h, HA, COA, big, 65535), 0);
		free(big);
	}
}

static void test_count_drop(void **state)
{
	struct dp_stats s;

	(void)state;
	memset(&s, 0, sizeof s);
	assert_true(dp_count_drop(&s, DP_ACT_DROP_MALFORMED));
	assert_true(dp_count_drop(&s, DP_ACT_DROP_NO_BINDING));
	assert_true(dp_count_drop(&s, DP_ACT_DROP_SPOOFED));
	assert_true(dp_count_drop(&s, DP_ACT_DROP_NOT_REVERSE));
	assert_false(dp_count_drop(&s, DP_ACT_ENCAP_IPIP));
	assert_false(dp_count_drop(&s, DP_ACT_ENCAP_UDP));
	assert_false(dp_count_drop(&s, DP_ACT_TO_TUN));
	assert_int_equal(s.drop_malformed, 1);
	assert_int_equal(s.drop_no_binding, 1);
	assert_int_equal(s.drop_spoofed, 1);
	assert_int_equal(s.drop_not_reverse, 1);
	assert_int_equal(s.drop_send_error + s.encap_tx + s.tun_tx, 0);
}

static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 16;
}

/* A verdict that forwards must point inside the buffer it came from. */
static void check_bounds(const struct dp_verdict *v, const uint8_t *buf,
			 size_t len)
{
	if (v->act == DP_ACT_ENCAP_IPIP || v->act == DP_ACT_ENCAP_UDP ||
	    v->act == DP_ACT_TO_TUN) {
		assert_non_null(v->b);
		assert_true(v->inner >= buf);
		assert_true(v->inner_len >= 20);
		assert_true(v->inner + v->inner_len <= buf + len);
	} else if (v->act < DP_ACT_DROP_SPOOFED) {
		assert_null(v->b);
	}
}

static void test_fuzz(void **state)
{
	struct fx *f = *state;
	uint32_t seed = 12345;
	struct dp_verdict v, c;

	add_coas(f); /* copies too */
	for (int i = 0; i < 300000; i++) {
		size_t cap = 1 + lcg(&seed) % 120;
		uint8_t *p = malloc(cap);
		size_t n;

		assert_non_null(p);
		/* start from a valid packet most of the time, then mutate */
		switch (lcg(&seed) % 4) {
		case 0:
			for (size_t k = 0; k < cap; k++)
				p[k] = (uint8_t)lcg(&seed);
			n = cap;
			break;
		case 1: {
			uint8_t tmp[200];

			n = mk_ipip(tmp, sizeof tmp, COA, HOME, CN);
			n = n < cap ? n : cap;
			memcpy(p, tmp, n);
			break;
		}
		case 2: {
			uint8_t tmp[200];

			n = mk_udp(tmp, sizeof tmp, HOME_U);
			n = n < cap ? n : cap;
			memcpy(p, tmp, n);
			break;
		}
		default: {
			uint8_t tmp[200];

			n = mk_inner(tmp, sizeof tmp, CN, HOME, 40, false, 0);
			n = n < cap ? n : cap;
			memcpy(p, tmp, n);
			break;
		}
		}
		for (unsigned int m = lcg(&seed) % 4; m && n; m--)
			p[lcg(&seed) % n] ^= (uint8_t)(1u << (lcg(&seed) % 8));
		dp_decide_tun(f->t, p, n, &v);
		check_bounds(&v, p, n);
		for (size_t k = 1; k < v.copies; k++) {
			dp_decide_tun_copy(f->t, &v, k, &c);
			check_bounds(&c, p, n);
		}
		dp_decide_ipip(f->t, p, n, &v);
		check_bounds(&v, p, n);
		dp_decide_udp(f->t, NAT, 434, p, n, &v);
		check_bounds(&v, p, n);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tun, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tun_copies, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reverse_any_coa, setup,
						teardown),
		cmocka_unit_test(test_ipip_hdr),
		cmocka_unit_test(test_count_drop),
		cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
