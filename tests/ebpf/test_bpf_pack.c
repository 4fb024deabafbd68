/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of what the eBPF data plane's kernel programs copy onto the
 * wire and compare packets with (dataplane/bpf_pack.c and the inline
 * helpers of dataplane/bpf/mip4_bpf.h), outside BPF: the outer header
 * templates, the per-packet completion the program does (reproduced here
 * from mip4.bpf.c's outer_fill: TOS, length, DF, checksum) against the
 * userspace backend's own header builders, the map key/value packing of
 * bindings (simultaneous, NAT, T bit, limits) and the configuration.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bpf_pack.h"
#include "dp_logic.h"
#include "mip4/fa.h"
#include "mip4/ip.h"
#include "mip4/wire.h"

#define HA 0xc0000201u	  /* 192.0.2.1 */
#define COA 0xc0000202u	  /* 192.0.2.2 */
#define COA2 0xc0000302u  /* 192.0.3.2 */
#define NAT 0xcb007102u	  /* 203.0.113.2 */
#define PRIV 0x0a000002u  /* 10.0.0.2 */
#define HOME 0x0a630064u  /* 10.99.0.100 */
#define CN 0x0a630001u	  /* 10.99.0.1 */

/* ---- checksum helpers shared with the programs ---- */

static void test_ip_csum_matches_rfc1071(void **state)
{
	(void)state;
	srand(4);
	for (int i = 0; i < 10000; i++) {
		uint16_t w[10];
		uint8_t b[20];

		for (int k = 0; k < 10; k++)
			w[k] = (uint16_t)rand();
		w[5] = 0;
		memcpy(b, w, sizeof b);
		/* mip4_inet_csum reads big-endian words and returns a host
		 * value; the helper works on memory words and returns one */
		w[5] = mip4_bpf_ip_csum(w);
		memcpy(b, w, sizeof b);
		assert_int_equal(mip4_inet_csum(b, sizeof b), 0);
	}
}

static void test_min_csum_matches_rfc1071(void **state)
{
	(void)state;
	srand(5);
	for (int i = 0; i < 10000; i++) {
		uint16_t w[6];
		int s = i & 1;
		uint8_t b[12];

		for (int k = 0; k < 6; k++)
			w[k] = (uint16_t)rand();
		w[1] = 0;
		w[1] = mip4_bpf_min_csum(w, s);
		memcpy(b, w, sizeof b);
		assert_int_equal(mip4_inet_csum(b, s ? 12 : 8), 0);
	}
}

/* ---- templates ---- */

static void test_template_ipip(void **state)
{
	struct mip4_bpf_peer p = {.expires_ms = 1500, .peer = COA,
				  .encap = MIP4_BPF_ENCAP_IPIP};
	struct mip4_bpf_coa c;

	(void)state;
	assert_int_equal(mip4_bpf_coa_pack(&c, HA, 434, &p), 0);
	assert_int_equal(c.hlen, 20);
	assert_int_equal(c.encap, MIP4_BPF_ENCAP_IPIP);
	assert_int_equal(c.hdr[0], 0x45);
	assert_int_equal(c.hdr[8], 64);
	assert_int_equal(c.hdr[9], MIP4_IPPROTO_IPIP);
	assert_int_equal(mip4_get32(c.hdr + 12), HA);
	assert_int_equal(mip4_get32(c.hdr + 16), COA);
	/* left for the program: tos, length, id, flags, checksum */
	for (int i = 1; i < 8; i++)
		assert_int_equal(c.hdr[i], 0);
	assert_int_equal(c.hdr[10] | c.hdr[11], 0);
	assert_int_equal(c.peer, htonl(COA));
	assert_int_equal(c.peer_port, 0);
	assert_true(c.expires_ns == 1500000000ull);
}

static void test_template_gre(void **state)
{
	struct mip4_bpf_peer p = {.expires_ms = UINT64_MAX, .peer = COA,
				  .encap = MIP4_BPF_ENCAP_GRE};
	struct mip4_bpf_coa c;
	static const uint8_t gre[4] = {0, 0, 0x08, 0x00};

	(void)state;
	assert_int_equal(mip4_bpf_coa_pack(&c, HA, 434, &p), 0);
	assert_int_equal(c.hlen, 24);
	assert_int_equal(c.hdr[9], MIP4_IPPROTO_GRE);
	assert_memory_equal(c.hdr + 20, gre, 4);
	assert_true(c.expires_ns == UINT64_MAX);
}

static void test_template_udp(void **state)
{
	struct mip4_bpf_peer p = {.expires_ms = 7, .peer = NAT, .port = 50042,
				  .encap = MIP4_BPF_ENCAP_UDP};
	struct mip4_bpf_coa c;

	(void)state;
	assert_int_equal(mip4_bpf_coa_pack(&c, HA, 434, &p), 0);
	assert_int_equal(c.hlen, 32);
	assert_int_equal(c.hdr[9], MIP4_IPPROTO_UDP);
	assert_int_equal(mip4_get32(c.hdr + 16), NAT);
	assert_int_equal(mip4_get16(c.hdr + 20), 434);	 /* source: ours */
	assert_int_equal(mip4_get16(c.hdr + 22), 50042); /* the NAT's */
	assert_int_equal(mip4_get16(c.hdr + 24), 0);	 /* length: per packet */
	assert_int_equal(mip4_get16(c.hdr + 26), 0);	 /* checksum 0 */
	/* RFC 3519 §3.3: type 4, next header 4, reserved 0 */
	assert_int_equal(c.hdr[28], 4);
	assert_int_equal(c.hdr[29], 4);
	assert_int_equal(c.hdr[30] | c.hdr[31], 0);
	assert_int_equal(c.peer_port, htons(50042));
}

static void test_template_min_and_bad(void **state)
{
	struct mip4_bpf_peer p = {.peer = COA, .encap = MIP4_BPF_ENCAP_MIN};
	struct mip4_bpf_coa c;

	(void)state;
	assert_int_equal(mip4_bpf_coa_pack(&c, HA, 434, &p), 0);
	assert_int_equal(c.hdr[9], MIP4_IPPROTO_MINENC);
	assert_int_equal(mip4_get32(c.hdr + 12), HA); /* the encapsulator */
	p.encap = 9;
	assert_int_equal(mip4_bpf_coa_pack(&c, HA, 434, &p), -EINVAL);
}

/*
 * What mip4.bpf.c's outer_fill() does to a template for one packet (TOS
 * and DF copied, RFC 2003 §3.1; length; the checksum by the shared
 * helper; the UDP length), reproduced byte for byte.  Identification is
 * left 0 here: the program writes 0 for DF packets and a random one
 * otherwise.
 */
static void outer_fill(uint8_t out[MIP4_BPF_HDR_MAX],
		       const struct mip4_bpf_coa *c, const uint8_t *inner)
{
	uint16_t w[MIP4_BPF_HDR_MAX / 2];
	size_t tot = mip4_get16(inner + 2) + c->hlen;

	memcpy(w, c->hdr, sizeof w);
	((uint8_t *)w)[1] = inner[1];
	w[1] = htons((uint16_t)tot);
	w[2] = 0;
	w[3] = htons(mip4_get16(inner + 6) & 0x4000);
	w[5] = mip4_bpf_ip_csum(w);
	if (c->encap == MIP4_BPF_ENCAP_UDP)
		w[12] = htons((uint16_t)(tot - 20));
	memcpy(out, w, sizeof w);
}

static size_t mk_inner(uint8_t *out, bool df, uint8_t tos, size_t plen)
{
	size_t n = mip4_ip_put(out, 20, CN, HOME, MIP4_IPPROTO_UDP, 63, 9, df,
			       plen);

	assert_int_equal(n, 20);
	memset(out + 20, 0x5a, plen);
	out[1] = tos;
	out[10] = out[11] = 0;
	mip4_put16(out + 10, mip4_inet_csum(out, 20));
	return 20 + plen;
}

/* The kernel's outer header equals the userspace backend's, for every
 * TOS/DF/length: the two backends put the same bytes on the wire. */
static void test_kernel_header_equals_userspace(void **state)
{
	uint8_t inner[20 + 1400], k[MIP4_BPF_HDR_MAX], u[DP_GRE_HDR_LEN];

	(void)state;
	srand(6);
	for (int i = 0; i < 2000; i++) {
		bool df = i & 1;
		uint8_t tos = (uint8_t)rand();
		size_t n = mk_inner(inner, df, tos, (size_t)rand() % 1400);
		struct mip4_bpf_peer p = {.peer = COA};
		struct mip4_bpf_coa c;

		p.encap = (i & 2) ? MIP4_BPF_ENCAP_GRE : MIP4_BPF_ENCAP_IPIP;
		assert_int_equal(mip4_bpf_coa_pack(&c, HA, 434, &p), 0);
		outer_fill(k, &c, inner);
		if (p.encap == MIP4_BPF_ENCAP_GRE)
			assert_int_equal(dp_gre_hdr(u, HA, COA, inner, n), 24);
		else
			assert_int_equal(dp_ipip_hdr(u, HA, COA, inner, n), 20);
		/* the userspace header leaves identification to the kernel
		 * (0 in the buffer): equal byte for byte */
		assert_memory_equal(k, u, c.hlen);
		assert_int_equal(mip4_inet_csum(k, 20), 0);
	}
}

/* UDP: the program's outer IP + UDP + tunnel data header decode as what
 * the userspace backend's socket would send (ports, lengths). */
static void test_kernel_udp_header_decodes(void **state)
{
	uint8_t pkt[MIP4_BPF_HDR_MAX + 20 + 100];
	struct mip4_bpf_peer p = {.peer = NAT, .port = 50042,
				  .encap = MIP4_BPF_ENCAP_UDP};
	struct mip4_bpf_coa c;
	struct mip4_ip ip;
	struct mip4_udp u;
	size_t n;

	(void)state;
	n = mk_inner(pkt + 32, true, 0x10, 100);
	assert_int_equal(mip4_bpf_coa_pack(&c, HA, 434, &p), 0);
	outer_fill(pkt, &c, pkt + 32);
	assert_int_equal(mip4_ip_decode(pkt, 32 + n, &ip), MIP4_IP_OK);
	assert_true(ip.csum_ok);
	assert_int_equal(ip.tot_len, 32 + n);
	assert_int_equal(ip.tos, 0x10);
	assert_int_equal(ip.frag, 0x4000);
	assert_int_equal(mip4_udp_decode(ip.payload, ip.payload_len, &u),
			 MIP4_IP_OK);
	assert_int_equal(u.sport, 434);
	assert_int_equal(u.dport, 50042);
	assert_int_equal(u.len, 8 + 4 + n);
	assert_int_equal(u.csum, 0);
	assert_int_equal(u.payload[0], MIP4_MSG_TUNNEL_DATA);
	assert_int_equal(u.payload[1], MIP4_IPPROTO_IPIP);
}

/* ---- bindings ---- */

static struct mip4_binding *mk_binding(struct mip4_btable *t, uint8_t encap,
				       uint32_t coa, uint32_t peer,
				       uint16_t port, uint8_t flags)
{
	struct mip4_binding *b = mip4_btable_add(t, HOME, NULL, 0, 5000);
	struct mip4_coa c = {.expires_ms = 5000, .coa = coa, .peer_addr = peer,
			     .peer_port = port, .encap = encap};

	assert_non_null(b);
	assert_int_equal(mip4_btable_coa_put(t, b, &c, false), 0);
	b->flags = flags;
	return b;
}

static void test_pack_binding_ipip_t_bit(void **state)
{
	struct mip4_btable *t = mip4_btable_new(4);
	struct mip4_binding *b =
		mk_binding(t, MIP4_ENCAP_IPIP, COA, NAT, 0, MIP4_RRQ_T);
	struct mip4_bpf_binding v;

	(void)state;
	assert_int_equal(mip4_bpf_pack_binding(&v, b, HA, 434), 0);
	assert_int_equal(v.ncoa, 1);
	assert_int_equal(v.flags, MIP4_BPF_F_REVERSE);
	assert_int_equal(v.coa[0].peer, htonl(COA));
	/* the registration's source is accepted too (dp_decide_raw) */
	assert_int_equal(v.coa[0].alt, htonl(NAT));
	assert_true(v.coa[0].expires_ns == 5000000000ull);
	b->flags = 0;
	assert_int_equal(mip4_bpf_pack_binding(&v, b, HA, 434), 0);
	assert_int_equal(v.flags, 0);
	mip4_btable_free(t);
}

static void test_pack_binding_udp_nat(void **state)
{
	struct mip4_btable *t = mip4_btable_new(4);
	struct mip4_binding *b =
		mk_binding(t, MIP4_ENCAP_UDP, PRIV, NAT, 50042, MIP4_RRQ_T);
	struct mip4_bpf_binding v;

	(void)state;
	assert_int_equal(mip4_bpf_pack_binding(&v, b, HA, 434), 0);
	/* RFC 3519 §2: to where the registration came from */
	assert_int_equal(v.coa[0].peer, htonl(NAT));
	assert_int_equal(v.coa[0].peer_port, htons(50042));
	assert_int_equal(v.coa[0].alt, 0);
	assert_int_equal(mip4_get32(v.coa[0].hdr + 16), NAT);
	assert_int_equal(mip4_get16(v.coa[0].hdr + 22), 50042);
	/* half bound: the program leaves it to user space */
	mip4_binding_set_peer_port(b, 0, 0);
	assert_int_equal(mip4_bpf_pack_binding(&v, b, HA, 434), 0);
	assert_int_equal(v.coa[0].peer_port, 0);
	mip4_btable_free(t);
}

static void test_pack_binding_simultaneous_and_limits(void **state)
{
	struct mip4_btable *t = mip4_btable_new(4);
	struct mip4_binding *b =
		mk_binding(t, MIP4_ENCAP_GRE, COA, COA, 0, MIP4_RRQ_T);
	struct mip4_coa c = {.expires_ms = 9000, .coa = COA2,
			     .peer_addr = COA2, .encap = MIP4_ENCAP_MIN};
	struct mip4_bpf_binding v;

	(void)state;
	assert_int_equal(mip4_btable_coa_put(t, b, &c, true), 1);
	assert_int_equal(mip4_bpf_pack_binding(&v, b, HA, 434), 0);
	assert_int_equal(v.ncoa, 2);
	assert_int_equal(v.coa[0].encap, MIP4_BPF_ENCAP_GRE);
	assert_int_equal(v.coa[1].encap, MIP4_BPF_ENCAP_MIN);
	assert_int_equal(v.coa[1].peer, htonl(COA2));
	assert_true(v.coa[1].expires_ns == 9000000000ull);
	/* more care-of addresses than the map holds: user space keeps it */
	for (uint32_t i = 0; i < 3; i++) {
		c.coa = COA2 + 1 + i;
		assert_true(mip4_btable_coa_put(t, b, &c, true) >= 0);
	}
	assert_int_equal(mip4_binding_ncoa(b), 5);
	assert_int_equal(mip4_bpf_pack_binding(&v, b, HA, 434), -E2BIG);
	mip4_btable_free(t);
}

/* The foreign agent's visitor: IP-in-IP from the care-of address it
 * registered to its home agent; the delivery style picks the flag. */
static void test_pack_visitor(void **state)
{
	static const struct {
		uint8_t delivery;
		uint32_t flags;
	} k[] = {{MIP4_FA_DELIVERY_NONE, 0},
		 {MIP4_FA_DELIVERY_DIRECT, MIP4_BPF_F_REVERSE},
		 {MIP4_FA_DELIVERY_ENCAP, MIP4_BPF_F_ENCAP_DELIVERY}};
	struct mip4_fa_visitor v = {.home_addr = 0x0a000064u, .ha_addr = HA,
				    .coa = COA, .expires_ms = 7000};
	struct mip4_bpf_binding b;

	(void)state;
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		v.delivery = k[i].delivery;
		assert_int_equal(mip4_bpf_pack_visitor(&b, &v), 0);
		assert_int_equal(b.flags, k[i].flags);
		assert_int_equal(b.ncoa, 1);
		assert_int_equal(b.coa[0].encap, MIP4_BPF_ENCAP_IPIP);
		assert_int_equal(b.coa[0].hlen, 20);
		assert_int_equal(b.coa[0].peer, htonl(HA));
		assert_int_equal(b.coa[0].alt, 0);
		assert_true(b.coa[0].expires_ns == 7000000000ull);
		assert_int_equal(b.coa[0].hdr[9], MIP4_IPPROTO_IPIP);
		assert_int_equal(mip4_get32(b.coa[0].hdr + 12), COA);
		assert_int_equal(mip4_get32(b.coa[0].hdr + 16), HA);
	}
	v.coa = 0;
	assert_int_equal(mip4_bpf_pack_visitor(&b, &v), -EINVAL);
	v.coa = COA;
	v.ha_addr = 0;
	assert_int_equal(mip4_bpf_pack_visitor(&b, &v), -EINVAL);
}

static void test_pack_limits(void **state)
{
	struct mip4_bpf_peer p[MIP4_BPF_MAX_COA + 1];
	struct mip4_bpf_binding v;

	(void)state;
	memset(p, 0, sizeof p);
	for (int i = 0; i <= MIP4_BPF_MAX_COA; i++)
		p[i].peer = COA + (uint32_t)i;
	assert_int_equal(mip4_bpf_pack(&v, HA, 434, p, 0, 0), -EINVAL);
	assert_int_equal(mip4_bpf_pack(&v, HA, 434, p, MIP4_BPF_MAX_COA, 0), 0);
	assert_int_equal(mip4_bpf_pack(&v, HA, 434, p, MIP4_BPF_MAX_COA + 1, 0),
			 -E2BIG);
	/* milliseconds that would overflow nanoseconds saturate */
	p[0].expires_ms = UINT64_MAX / 1000 + 1;
	assert_int_equal(mip4_bpf_pack(&v, HA, 434, p, 1, 0), 0);
	assert_true(v.coa[0].expires_ns == UINT64_MAX);
	assert_int_equal(mip4_bpf_encap_of(MIP4_ENCAP_MIN), MIP4_BPF_ENCAP_MIN);
	assert_int_equal(mip4_bpf_encap_of(200), -1);
}

static void test_conf_and_counter_names(void **state)
{
	struct mip4_bpf_conf c;

	(void)state;
	mip4_bpf_conf_pack(&c, MIP4_BPF_ROLE_MN, COA, 434, 7, 0x55, 1, 2);
	assert_int_equal(c.magic, MIP4_BPF_CONF_MAGIC);
	assert_int_equal(c.version, MIP4_BPF_CONF_VERSION);
	assert_int_equal(c.role, MIP4_BPF_ROLE_MN);
	assert_int_equal(c.local_addr, htonl(COA));
	assert_int_equal(c.local_port, htons(434));
	assert_int_equal(c.tun_ifindex, 7);
	assert_int_equal(c.fwmark, 0x55);
	assert_true(c.netns_dev == 1 && c.netns_ino == 2);
	for (unsigned int i = 0; i < MIP4_BPF_NCTR; i++) {
		const char *n = mip4_bpf_ctr_name(i);

		assert_non_null(n);
		assert_true(strncmp(n, "encap_", 6) == 0 ||
			    strncmp(n, "decap_", 6) == 0 ||
			    strncmp(n, "pass_", 5) == 0 ||
			    strncmp(n, "drop_", 5) == 0);
		for (unsigned int k = 0; k < i; k++)
			assert_string_not_equal(n, mip4_bpf_ctr_name(k));
	}
	assert_null(mip4_bpf_ctr_name(MIP4_BPF_NCTR));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip_csum_matches_rfc1071),
		cmocka_unit_test(test_min_csum_matches_rfc1071),
		cmocka_unit_test(test_template_ipip),
		cmocka_unit_test(test_pack_visitor),
		cmocka_unit_test(test_template_gre),
		cmocka_unit_test(test_template_udp),
		cmocka_unit_test(test_template_min_and_bad),
		cmocka_unit_test(test_kernel_header_equals_userspace),
		cmocka_unit_test(test_kernel_udp_header_decodes),
		cmocka_unit_test(test_pack_binding_ipip_t_bit),
		cmocka_unit_test(test_pack_binding_udp_nat),
		cmocka_unit_test(test_pack_binding_simultaneous_and_limits),
		cmocka_unit_test(test_pack_limits),
		cmocka_unit_test(test_conf_and_counter_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
