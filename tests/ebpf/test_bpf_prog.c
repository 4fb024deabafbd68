/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The eBPF data plane's programs through the kernel's verifier (every
 * program of the object is loaded, as the daemon would), then their
 * decisions on crafted packets with BPF_PROG_TEST_RUN, without namespaces
 * or devices: the decapsulation program on good, spoofed, unregistered,
 * T-bit-less, moved-port, keepalive, GRE-with-key, fragmented and
 * minimal-encapsulated packets (output bytes compared with the inner
 * packet), and the encapsulation program's cases that need no route
 * (no binding, expired, half bound, mixed encapsulations).  Every verdict
 * is checked with the counter it must move.  Needs CAP_BPF and
 * CAP_NET_ADMIN: skipped (77) without them.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/pkt_cls.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cap-ng.h>
#include <cmocka.h>
#include <sys/wait.h>

#include "bpf_load.h"
#include "bpf_maps.h"
#include "bpf_pack.h"
#include "dp_logic.h"
#include "mip4.skel.h"
#include "mip4/fa.h"
#include "mip4/ip.h"
#include "mip4/wire.h"

#define HA 0xc0000201u	 /* 192.0.2.1 */
#define COA 0xc0000202u	 /* 192.0.2.2 */
#define EVIL 0xc0000263u /* 192.0.2.99 */
#define HOME 0x0a630064u /* 10.99.0.100: IP-in-IP, T bit */
#define HOME_U 0x0a630065u /* UDP at COA:40000 */
#define HOME_N 0x0a630066u /* IP-in-IP, no T bit */
#define HOME_G 0x0a630067u /* GRE */
#define HOME_M 0x0a630068u /* minimal */
#define CN 0x0a630001u
#define TUN_IFINDEX 1	 /* the loopback: redirects are not performed */

struct fx {
	struct mip4_skel *s;
	struct mip4_bpf_maps *maps;
	uint64_t ctr[MIP4_BPF_NCTR];
};

static struct fx F;

static void put(uint32_t home, uint8_t encap, uint16_t port, uint32_t flags,
		uint64_t expires_ms)
{
	struct mip4_bpf_peer p = {.expires_ms = expires_ms, .peer = COA,
				  .port = port, .encap = encap};
	struct mip4_bpf_binding v;

	assert_int_equal(mip4_bpf_pack(&v, HA, 434, &p, 1, flags), 0);
	assert_int_equal(mip4_bpf_maps_put(F.maps, home, &v), 0);
}

static int setup(void **state)
{
	struct mip4_bpf_conf c;
	struct mip4_bpf_fds fds;
	struct bpf_map *m;

	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "test_bpf_prog: needs root (CAP_BPF)\n");
		exit(77);
	}
	F.s = mip4_skel__open();
	assert_non_null(F.s);
	bpf_object__for_each_map(m, F.s->obj)
		(void)bpf_map__set_pin_path(m, NULL);
	/* the verifier sees every program here */
	assert_int_equal(mip4_skel__load(F.s), 0);
	fds = (struct mip4_bpf_fds){bpf_map__fd(F.s->maps.mip4_bind),
				    bpf_map__fd(F.s->maps.mip4_bcount),
				    bpf_map__fd(F.s->maps.mip4_stats),
				    bpf_map__fd(F.s->maps.mip4_conf)};
	assert_int_equal(mip4_bpf_maps_open(&fds, &F.maps), 0);
	mip4_bpf_conf_pack(&c, MIP4_BPF_ROLE_HA, HA, 434, TUN_IFINDEX, 0, 0, 0);
	assert_int_equal(mip4_bpf_maps_conf_set(F.maps, &c), 0);
	put(HOME, MIP4_BPF_ENCAP_IPIP, 0, MIP4_BPF_F_REVERSE, UINT64_MAX);
	put(HOME_U, MIP4_BPF_ENCAP_UDP, 40000, MIP4_BPF_F_REVERSE, UINT64_MAX);
	put(HOME_N, MIP4_BPF_ENCAP_IPIP, 0, 0, UINT64_MAX);
	put(HOME_G, MIP4_BPF_ENCAP_GRE, 0, MIP4_BPF_F_REVERSE, UINT64_MAX);
	put(HOME_M, MIP4_BPF_ENCAP_MIN, 0, MIP4_BPF_F_REVERSE, UINT64_MAX);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mip4_bpf_maps_close(F.maps);
	mip4_skel__destroy(F.s);
	return 0;
}

/* ---- packets ---- */

/* An inner UDP datagram src -> dst with plen payload bytes. */
static size_t inner(uint8_t *p, uint32_t src, uint32_t dst, size_t plen)
{
	assert_int_equal(mip4_ip_put(p, 20, src, dst, MIP4_IPPROTO_UDP, 64, 3,
				     true, 8 + plen),
			 20);
	memset(p + 28, 0x77, plen);
	mip4_udp_put(p + 20, src, dst, 1234, 5678, plen);
	return 28 + plen;
}

static size_t eth(uint8_t *f)
{
	static const uint8_t h[14] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2,
				      0x08, 0x00};

	memcpy(f, h, sizeof h);
	return sizeof h;
}

/* Ethernet + outer header of kind encap from src + the inner packet. */
static size_t frame(uint8_t *f, uint8_t encap, uint32_t src, const uint8_t *in,
		    size_t n, uint16_t sport)
{
	size_t l = eth(f), hl = 0, skip = 0;

	switch (encap) {
	case MIP4_ENCAP_GRE:
		hl = dp_gre_hdr(f + l, src, HA, in, n);
		break;
	case MIP4_ENCAP_MIN:
		hl = dp_min_hdr(f + l, src, HA, in, n, &skip);
		break;
	case MIP4_ENCAP_UDP:
		hl = mip4_ip_put(f + l, 20, src, HA, MIP4_IPPROTO_UDP, 64, 1,
				 false, 8 + 4 + n);
		f[l + 28] = MIP4_MSG_TUNNEL_DATA;
		f[l + 29] = MIP4_IPPROTO_IPIP;
		f[l + 30] = f[l + 31] = 0;
		memcpy(f + l + 32, in, n);
		mip4_udp_put(f + l + 20, src, HA, sport, 434, 4 + n);
		return l + 32 + n;
	default:
		hl = dp_ipip_hdr(f + l, src, HA, in, n);
	}
	assert_true(hl > 0);
	memcpy(f + l + hl, in + skip, n - skip);
	return l + hl + n - skip;
}

/* ---- running ---- */

static void counters(uint64_t out[MIP4_BPF_NCTR])
{
	assert_int_equal(mip4_bpf_maps_stats(F.maps, out), 0);
}

/* Run prog on f; return its verdict, the output in out (NULL-able), and
 * check that exactly counter ctr (or none, ctr < 0) moved by one. */
static int run(const struct bpf_program *prog, const uint8_t *f, size_t n,
	       int ctr, uint8_t *out, uint32_t *out_len)
{
	static uint8_t scratch[2048];
	uint64_t before[MIP4_BPF_NCTR], after[MIP4_BPF_NCTR];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f,
		    .data_size_in = (uint32_t)n, .data_out = out ? out : scratch,
		    .data_size_out = sizeof scratch, .repeat = 1);

	counters(before);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(prog), &o), 0);
	counters(after);
	for (int i = 0; i < MIP4_BPF_NCTR; i++)
		if (i == ctr)
			assert_int_equal(after[i] - before[i], 1);
		else if (after[i] != before[i])
			fail_msg("counter %s moved (expected %s)",
				 mip4_bpf_ctr_name((unsigned)i),
				 ctr < 0 ? "none" : mip4_bpf_ctr_name((unsigned)ctr));
	if (out_len)
		*out_len = o.data_size_out;
	return (int)o.retval;
}

static int decap(const uint8_t *f, size_t n, int ctr, uint8_t *out,
		 uint32_t *out_len)
{
	return run(F.s->progs.mip4_decap_eth, f, n, ctr, out, out_len);
}

/* ---- decapsulation ---- */

static void test_decap_each_kind(void **state)
{
	static const struct {
		uint8_t encap;
		uint32_t home;
		int ctr;
	} k[] = {{MIP4_ENCAP_IPIP, HOME, MIP4_BPF_DECAP_IPIP},
		 {MIP4_ENCAP_GRE, HOME_G, MIP4_BPF_DECAP_GRE},
		 {MIP4_ENCAP_MIN, HOME_M, MIP4_BPF_DECAP_MIN},
		 {MIP4_ENCAP_UDP, HOME_U, MIP4_BPF_DECAP_UDP}};
	uint8_t in[200], f[400], out[2048];

	(void)state;
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		size_t n = inner(in, k[i].home, CN, 100);
		size_t fl = frame(f, k[i].encap, COA, in, n, 40000);
		struct mip4_bpf_bcount bc;
		uint32_t ol = 0;

		assert_int_equal(decap(f, fl, k[i].ctr, out, &ol),
				 TC_ACT_REDIRECT);
		/* what enters the stack: the Ethernet header, then exactly
		 * the inner packet (minimal: with its header restored) */
		assert_int_equal(ol, 14 + n);
		assert_memory_equal(out + 14, in, n);
		assert_int_equal(mip4_bpf_maps_bcount(F.maps, k[i].home, &bc), 0);
		assert_true(bc.pkts_in == 1 && bc.bytes_in == n);
	}
}

/* One crafted case: inner home -> dst, wrapped as encap from src:sport,
 * then byte at (Ethernet + off) xored with x. */
struct dcase {
	const char *what;
	uint32_t home, dst, src;
	uint8_t encap;
	uint16_t sport;
	size_t off;
	uint8_t x;
	int ctr, verdict;
};

static const struct dcase dcases[] = {
	/* RFC 3024 §4.2: the outer source is no care-of address */
	{"spoofed", HOME, CN, EVIL, MIP4_ENCAP_IPIP, 0, 0, 0,
	 MIP4_BPF_DROP_SPOOFED, TC_ACT_SHOT},
	/* RFC 3519 §4.7: a UDP care-of address never sends IP-in-IP */
	{"ipip from udp coa", HOME_U, CN, COA, MIP4_ENCAP_IPIP, 0, 0, 0,
	 MIP4_BPF_DROP_SPOOFED, TC_ACT_SHOT},
	/* not what the care-of address registered */
	{"gre from ipip coa", HOME, CN, COA, MIP4_ENCAP_GRE, 0, 0, 0,
	 MIP4_BPF_DROP_SPOOFED, TC_ACT_SHOT},
	/* IP-in-IP from a minimal one: its fragments come so */
	{"ipip from min coa", HOME_M, CN, COA, MIP4_ENCAP_IPIP, 0, 0, 0,
	 MIP4_BPF_DECAP_IPIP, TC_ACT_REDIRECT},
	/* RFC 3024 §3: no T bit, no reverse tunnel */
	{"no T bit", HOME_N, CN, COA, MIP4_ENCAP_IPIP, 0, 0, 0,
	 MIP4_BPF_DROP_NOT_REVERSE, TC_ACT_SHOT},
	/* no binding: user space decides (and counts) */
	{"no binding", 0x0a630077u, CN, COA, MIP4_ENCAP_IPIP, 0, 0, 0,
	 MIP4_BPF_PASS_NO_BINDING, TC_ACT_UNSPEC},
	/* RFC 3519 §4.11: a new NAT port goes to the daemon's socket */
	{"new port", HOME_U, CN, COA, MIP4_ENCAP_UDP, 40001, 0, 0,
	 MIP4_BPF_PASS_PORT, TC_ACT_UNSPEC},
	/* §4.9: a keepalive is for the HA itself */
	{"keepalive", HOME_U, HA, COA, MIP4_ENCAP_UDP, 40000, 0, 0,
	 MIP4_BPF_PASS_LOCAL, TC_ACT_UNSPEC},
	/* a registration request (type 1) is not ours: nothing counted */
	{"registration", HOME_U, CN, COA, MIP4_ENCAP_UDP, 40000, 28, 4 ^ 1,
	 -1, TC_ACT_UNSPEC},
	/* GRE with a key (RFC 2890): not RFC 2784, user space drops it */
	{"gre key", HOME_G, CN, COA, MIP4_ENCAP_GRE, 0, 20, 0x20,
	 MIP4_BPF_PASS_UNSUPPORTED, TC_ACT_UNSPEC},
	/* an outer fragment: the kernel reassembles it for the socket */
	{"fragment", HOME, CN, COA, MIP4_ENCAP_IPIP, 0, 6, 0x20,
	 MIP4_BPF_PASS_FRAGMENT, TC_ACT_UNSPEC},
	/* not to our address: not even looked at */
	{"not ours", HOME, CN, COA, MIP4_ENCAP_IPIP, 0, 19, 1, -1,
	 TC_ACT_UNSPEC},
	/* RFC 2004: the forwarding header's checksum fails */
	{"min checksum", HOME_M, CN, COA, MIP4_ENCAP_MIN, 0, 24, 0x40,
	 MIP4_BPF_DROP_MALFORMED, TC_ACT_SHOT},
};

static void test_decap_cases(void **state)
{
	uint8_t in[200], f[400];

	(void)state;
	for (size_t i = 0; i < sizeof dcases / sizeof dcases[0]; i++) {
		const struct dcase *c = &dcases[i];
		size_t n = inner(in, c->home, c->dst, c->dst == HA ? 8 : 50);
		size_t fl = frame(f, c->encap, c->src, in, n, c->sport);

		f[14 + c->off] ^= c->x;
		print_message("%s\n", c->what);
		assert_int_equal(decap(f, fl, c->ctr, NULL, NULL), c->verdict);
	}
	/* not a tunnel at all */
	assert_int_equal(decap(f, eth(f) + inner(f + 14, COA, HA, 50), -1,
			       NULL, NULL),
			 TC_ACT_UNSPEC);
}

/* Mutated frames never crash or escape the verifier's bounds, and each
 * verdict moves at most one counter. */
static void test_decap_mutations(void **state)
{
	static const uint8_t kinds[] = {MIP4_ENCAP_IPIP, MIP4_ENCAP_GRE,
					MIP4_ENCAP_MIN, MIP4_ENCAP_UDP};
	uint8_t in[200], f[400], out[2048];
	uint64_t before[MIP4_BPF_NCTR], after[MIP4_BPF_NCTR];

	(void)state;
	srand(11);
	for (int i = 0; i < 3000; i++) {
		uint8_t k = kinds[i % 4];
		size_t n = inner(in, k == MIP4_ENCAP_UDP ? HOME_U : HOME, CN,
				 (size_t)rand() % 100);
		size_t fl = frame(f, k, COA, in, n, 40000);
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f,
			    .data_out = out, .data_size_out = sizeof out,
			    .repeat = 1);
		uint64_t moved = 0;

		for (int m = rand() % 4; m >= 0; m--)
			f[14 + (size_t)rand() % (fl - 14)] ^=
				(uint8_t)(1u << (rand() % 8));
		o.data_size_in = (uint32_t)(fl - (size_t)rand() % 8);
		counters(before);
		assert_int_equal(
			bpf_prog_test_run_opts(
				bpf_program__fd(F.s->progs.mip4_decap_eth), &o),
			0);
		counters(after);
		for (int c = 0; c < MIP4_BPF_NCTR; c++)
			moved += after[c] - before[c];
		assert_true(moved <= 1);
		assert_true((int)o.retval == TC_ACT_UNSPEC ||
			    o.retval == TC_ACT_SHOT ||
			    o.retval == TC_ACT_REDIRECT);
	}
}

/* ---- encapsulation, the cases decided before any route ---- */

/* The encapsulation program reads an IPv4 header at the start, as on
 * the TUN.  The test runner takes the first 14 bytes for an Ethernet
 * header to find the protocol: with an inner source of 8.0.x.x its bytes
 * 12-13 read 0x0800, so the packet passes for IPv4 and the program sees
 * it from its first byte, as it would on the TUN. */
#define SRC8 0x08000001u /* 8.0.0.1 */

static int encap(const uint8_t *pkt, size_t n, int ctr)
{
	return run(F.s->progs.mip4_encap, pkt, n, ctr, NULL, NULL);
}

static void test_encap_before_routing(void **state)
{
	uint8_t in[200];
	size_t n;

	(void)state;
	n = inner(in, SRC8, 0x0a630077u, 40);
	assert_int_equal(encap(in, n, MIP4_BPF_PASS_NO_BINDING), TC_ACT_UNSPEC);
	/* every care-of address expired: user space decides */
	put(0x0a630070u, MIP4_BPF_ENCAP_IPIP, 0, 0, 1);
	n = inner(in, SRC8, 0x0a630070u, 40);
	assert_int_equal(encap(in, n, MIP4_BPF_PASS_EXPIRED), TC_ACT_UNSPEC);
	/* RFC 3519 §4.11: half bound (no port yet) */
	put(0x0a630071u, MIP4_BPF_ENCAP_UDP, 0, 0, UINT64_MAX);
	n = inner(in, SRC8, 0x0a630071u, 40);
	assert_int_equal(encap(in, n, MIP4_BPF_PASS_EXPIRED), TC_ACT_UNSPEC);
	assert_int_equal(mip4_bpf_maps_del(F.maps, 0x0a630070u), 0);
	assert_int_equal(mip4_bpf_maps_del(F.maps, 0x0a630071u), 0);
	n = inner(in, SRC8, 0x0a630070u, 40);
	assert_int_equal(encap(in, n, MIP4_BPF_PASS_NO_BINDING), TC_ACT_UNSPEC);
}

/* ---- the foreign agent's role ---- */

#define LINK 0xc0000203u    /* 192.0.2.3: the FA's link address */
#define VHOME 0x0a630080u   /* visitor, direct delivery style (T) */
#define VHOME_E 0x0a630081u /* visitor, encapsulating delivery style */
#define VHOME_N 0x0a630082u /* visitor without a reverse tunnel */

static void fa_put(uint32_t home, uint8_t delivery)
{
	struct mip4_fa_visitor v = {.home_addr = home, .ha_addr = HA,
				    .coa = COA, .expires_ms = UINT64_MAX,
				    .delivery = delivery};
	struct mip4_bpf_binding b;

	assert_int_equal(mip4_bpf_pack_visitor(&b, &v), 0);
	assert_int_equal(mip4_bpf_maps_put(F.maps, home, &b), 0);
}

/* Ethernet + IP-in-IP src -> dst around in. */
static size_t ipip_frame(uint8_t *f, uint32_t src, uint32_t dst,
			 const uint8_t *in, size_t n)
{
	size_t l = eth(f), hl = dp_ipip_hdr(f + l, src, dst, in, n);

	assert_int_equal(hl, 20);
	memcpy(f + l + hl, in, n);
	return l + hl + n;
}

/* One case: IP-in-IP osrc -> odst around isrc -> idst. */
struct fcase {
	const char *what;
	uint32_t osrc, odst, isrc, idst;
	int ctr, verdict;
};

static const struct fcase fcases[] = {
	/* RFC 5944 §4.2.2: from the visitor's HA to its care-of address */
	{"delivery", HA, COA, CN, VHOME, MIP4_BPF_DECAP_IPIP, TC_ACT_REDIRECT},
	/* delivery does not depend on the reverse tunnel */
	{"delivery, no T", HA, COA, CN, VHOME_N, MIP4_BPF_DECAP_IPIP,
	 TC_ACT_REDIRECT},
	/* not from the visitor's home agent */
	{"spoofed delivery", EVIL, COA, CN, VHOME, MIP4_BPF_DROP_SPOOFED,
	 TC_ACT_SHOT},
	/* to an address that is not the visitor's care-of address: the
	 * stack decides (forwarding, or the raw socket counts it) */
	{"not our coa", HA, EVIL, CN, VHOME, -1, TC_ACT_UNSPEC},
	/* no such visitor: the userspace path counts it */
	{"no visitor", HA, COA, CN, 0x0a630099u, MIP4_BPF_PASS_NO_BINDING,
	 TC_ACT_UNSPEC},
	/* RFC 3024 §5.2 from a visitor that registered direct delivery */
	{"encapsulating, not asked for", VHOME, LINK, VHOME, CN,
	 MIP4_BPF_DROP_NOT_REVERSE, TC_ACT_SHOT},
	/* §5.2 with an inner source that is not the visitor */
	{"encapsulating, inner spoofed", VHOME_E, LINK, EVIL, CN,
	 MIP4_BPF_DROP_SPOOFED, TC_ACT_SHOT},
};

static void test_fa_role(void **state)
{
	struct mip4_bpf_conf c;
	uint8_t in[200], f[400], out[2048];

	(void)state;
	mip4_bpf_conf_pack(&c, MIP4_BPF_ROLE_FA, LINK, 434, TUN_IFINDEX, 0, 0,
			   0);
	assert_int_equal(mip4_bpf_maps_conf_set(F.maps, &c), 0);
	fa_put(VHOME, MIP4_FA_DELIVERY_DIRECT);
	fa_put(VHOME_E, MIP4_FA_DELIVERY_ENCAP);
	fa_put(VHOME_N, MIP4_FA_DELIVERY_NONE);
	for (size_t i = 0; i < sizeof fcases / sizeof fcases[0]; i++) {
		const struct fcase *k = &fcases[i];
		size_t n = inner(in, k->isrc, k->idst, 60);
		size_t fl = ipip_frame(f, k->osrc, k->odst, in, n);
		uint32_t ol = 0;

		print_message("fa: %s\n", k->what);
		assert_int_equal(decap(f, fl, k->ctr, out, &ol), k->verdict);
		if (k->verdict == TC_ACT_REDIRECT) {
			/* what enters the stack on the TUN: exactly the
			 * inner packet */
			assert_int_equal(ol, 14 + n);
			assert_memory_equal(out + 14, in, n);
		}
	}
	/* GRE to the care-of address: not the FA's (fa_user.c reads
	 * IP-in-IP only) */
	{
		size_t n = inner(in, CN, VHOME, 60);
		size_t l = eth(f), hl = dp_gre_hdr(f + l, HA, COA, in, n);

		memcpy(f + l + hl, in, n);
		assert_int_equal(decap(f, l + hl + n, -1, NULL, NULL),
				 TC_ACT_UNSPEC);
	}
	/* the reverse tunnel (TUN egress): keyed by the inner source; a
	 * visitor without T never gets one (RFC 3024 §3).  Sources in
	 * 8.0/16: the test run reads bytes 12-13 as the EtherType (SRC8) */
	fa_put(SRC8 + 0x81, MIP4_FA_DELIVERY_NONE);
	assert_int_equal(encap(in, inner(in, SRC8 + 0x81, CN, 40),
			       MIP4_BPF_DROP_NOT_REVERSE),
			 TC_ACT_SHOT);
	assert_int_equal(mip4_bpf_maps_del(F.maps, SRC8 + 0x81), 0);
	assert_int_equal(encap(in, inner(in, SRC8 + 0x81, CN, 40),
			       MIP4_BPF_PASS_NO_BINDING),
			 TC_ACT_UNSPEC);
	/* the visitor's counters: one delivery to VHOME */
	{
		struct mip4_bpf_bcount bc;

		assert_int_equal(mip4_bpf_maps_bcount(F.maps, VHOME, &bc), 0);
		assert_true(bc.pkts_in == 1 && bc.bytes_in == 28 + 60);
	}
	assert_int_equal(mip4_bpf_maps_del(F.maps, VHOME), 0);
	assert_int_equal(mip4_bpf_maps_del(F.maps, VHOME_E), 0);
	assert_int_equal(mip4_bpf_maps_del(F.maps, VHOME_N), 0);
	mip4_bpf_conf_pack(&c, MIP4_BPF_ROLE_HA, HA, 434, TUN_IFINDEX, 0, 0, 0);
	assert_int_equal(mip4_bpf_maps_conf_set(F.maps, &c), 0);
}

/* The privilege split: a process without any capability (the engine)
 * updates the maps and reads the counters through descriptors it was
 * given, and cannot load a program itself. */
static void test_maps_without_capabilities(void **state)
{
	pid_t pid;
	int st;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		uint64_t ctr[MIP4_BPF_NCTR];
		struct mip4_bpf_bcount bc;
		char why[256];

		capng_clear(CAPNG_SELECT_BOTH);
		if (capng_apply(CAPNG_SELECT_BOTH) < 0)
			_exit(10);
		if (mip4_bpf_verify(why, sizeof why) != -EPERM)
			_exit(11); /* capabilities not really gone */
		struct mip4_bpf_peer p = {.expires_ms = UINT64_MAX,
					  .peer = COA,
					  .encap = MIP4_BPF_ENCAP_GRE};
		struct mip4_bpf_binding v;

		/* no cmocka asserts in the child: exit codes */
		if (mip4_bpf_pack(&v, HA, 434, &p, 1, 0) < 0 ||
		    mip4_bpf_maps_put(F.maps, 0x0a630090u, &v) < 0 ||
		    mip4_bpf_maps_stats(F.maps, ctr) < 0 ||
		    mip4_bpf_maps_bcount(F.maps, 0x0a630090u, &bc) < 0 ||
		    mip4_bpf_maps_del(F.maps, 0x0a630090u) < 0)
			_exit(12);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decap_each_kind),
		cmocka_unit_test(test_decap_cases),
		cmocka_unit_test(test_decap_mutations),
		cmocka_unit_test(test_encap_before_routing),
		cmocka_unit_test(test_fa_role),
		cmocka_unit_test(test_maps_without_capabilities),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
