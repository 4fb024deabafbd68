/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the mobile node's tunnel-end decisions (dataplane/
 * mn_user.c, the pure part declared in mn.h): every verdict and drop
 * reason on hand-built packets, the keepalive encoder against the decoder,
 * and random / truncated buffers through all three deciders (the verdict
 * must stay inside the buffer; ASan builds catch stray reads).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dp_logic.h"
#include "mip4/agent.h"
#include "mip4/ip.h"
#include "mip4/mn.h"
#include "mip4/wire.h"
#include "mn.h"

#define HOME 0x0a4d0064u /* 10.77.0.100 */
#define CN 0x0a4d0001u	 /* 10.77.0.1 */
#define COA 0xc0000202u	 /* 192.0.2.2 */
#define HA 0xc6336402u	 /* 198.51.100.2 */
#define EVIL 0xc0000263u /* 192.0.2.99 */
#define IDENT 0x4d4eu

static const struct mndp_tunnel T_IPIP = {MNDP_IPIP, HOME, COA, HA, IDENT};
static const struct mndp_tunnel T_UDP = {MNDP_UDP, HOME, COA, HA, IDENT};
static const struct mndp_tunnel T_OFF = {MNDP_OFF, HOME, COA, HA, IDENT};

/* A UDP datagram src -> dst with 16 bytes of payload at p; returns its
 * length (44). */
static size_t udp_pkt(uint8_t *p, uint32_t src, uint32_t dst)
{
	memset(p, 0xab, 44);
	mip4_ip_put(p, 20, src, dst, MIP4_IPPROTO_UDP, 64, 7, true, 24);
	mip4_udp_put(p + 20, src, dst, 1000, 2000, 16);
	return 44;
}

/* IP-in-IP: outer src -> dst around inner (copied after the header). */
static size_t ipip_pkt(uint8_t *p, uint32_t src, uint32_t dst,
		       const uint8_t *inner, size_t n)
{
	memmove(p + DP_IPIP_HDR_LEN, inner, n);
	assert_int_equal(dp_ipip_hdr(p, src, dst, p + DP_IPIP_HDR_LEN, n),
			 DP_IPIP_HDR_LEN);
	return DP_IPIP_HDR_LEN + n;
}

/* RFC 3519 tunnel data around inner. */
static size_t tdata_pkt(uint8_t *p, const uint8_t *inner, size_t n)
{
	struct mip4_buf mb;

	memmove(p + MIP4_TUNNEL_DATA_LEN, inner, n);
	mip4_buf_init(&mb, p, MIP4_TUNNEL_DATA_LEN);
	mip4_tunnel_data_put(&mb, MIP4_IPPROTO_IPIP);
	return MIP4_TUNNEL_DATA_LEN + n;
}

static void test_tun_encap(void **state)
{
	uint8_t p[64];
	struct mndp_verdict v;
	size_t n = udp_pkt(p, HOME, CN);

	(void)state;
	mndp_decide_tun(&T_IPIP, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_ENCAP_IPIP);
	assert_ptr_equal(v.inner, p);
	assert_int_equal(v.inner_len, n);
	mndp_decide_tun(&T_UDP, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_ENCAP_UDP);
	/* trailing bytes beyond the IP total length are not sent */
	mndp_decide_tun(&T_UDP, p, n + 8, &v);
	assert_int_equal(v.inner_len, n);
}

static void test_tun_gated(void **state)
{
	uint8_t p[64];
	struct mndp_verdict v;
	struct mndp_tunnel t = T_IPIP;
	size_t n = udp_pkt(p, HOME, CN);

	(void)state;
	mndp_decide_tun(&T_OFF, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_GATED);
	/* garbage is gated too while off: nothing leaves */
	mndp_decide_tun(&T_OFF, p, 3, &v);
	assert_int_equal(v.act, MNDP_ACT_GATED);
	/* a mode without addresses is off */
	t.coa = 0;
	mndp_decide_tun(&t, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_GATED);
	t = T_UDP;
	t.ha = 0;
	mndp_decide_tun(&t, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_GATED);
}

static void test_tun_drops(void **state)
{
	uint8_t p[64];
	struct mndp_verdict v;
	size_t n = udp_pkt(p, COA, CN);

	(void)state;
	mndp_decide_tun(&T_IPIP, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_DROP_NOT_FROM_HOME);
	n = udp_pkt(p, HOME, CN);
	mndp_decide_tun(&T_IPIP, p, 19, &v);
	assert_int_equal(v.act, MNDP_ACT_DROP_MALFORMED);
	p[0] = 0x60; /* IPv6 */
	mndp_decide_tun(&T_IPIP, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_DROP_MALFORMED);
}

static void test_ipip_in(void **state)
{
	uint8_t in[64], p[128];
	struct mndp_verdict v;
	size_t ni = udp_pkt(in, CN, HOME), n;

	(void)state;
	n = ipip_pkt(p, HA, COA, in, ni);
	mndp_decide_ipip(&T_IPIP, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_TO_TUN);
	assert_ptr_equal(v.inner, p + DP_IPIP_HDR_LEN);
	assert_int_equal(v.inner_len, ni);
	assert_memory_equal(v.inner, in, ni);
	/* also accepted in UDP mode: the source is still the HA */
	mndp_decide_ipip(&T_UDP, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_TO_TUN);
	mndp_decide_ipip(&T_OFF, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_GATED);

	n = ipip_pkt(p, EVIL, COA, in, ni);
	mndp_decide_ipip(&T_IPIP, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_DROP_NOT_FROM_HA);

	ni = udp_pkt(in, CN, 0x0a4d0063u);
	n = ipip_pkt(p, HA, COA, in, ni);
	mndp_decide_ipip(&T_IPIP, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_DROP_NOT_FOR_HOME);
}

static void test_ipip_malformed(void **state)
{
	uint8_t in[64], p[128];
	struct mndp_verdict v;
	size_t ni = udp_pkt(in, CN, HOME), n = ipip_pkt(p, HA, COA, in, ni);

	(void)state;
	/* inner cut short */
	mndp_decide_ipip(&T_IPIP, p, DP_IPIP_HDR_LEN + 10, &v);
	assert_int_equal(v.act, MNDP_ACT_DROP_MALFORMED);
	/* not protocol 4 */
	p[9] = MIP4_IPPROTO_UDP;
	mndp_decide_ipip(&T_IPIP, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_DROP_MALFORMED);
	p[9] = MIP4_IPPROTO_IPIP;
	/* an outer fragment (more fragments set) */
	p[6] |= 0x20;
	mndp_decide_ipip(&T_IPIP, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_DROP_MALFORMED);
}

static void test_udp_in(void **state)
{
	uint8_t in[64], p[128];
	struct mndp_verdict v;
	size_t ni = udp_pkt(in, CN, HOME), n = tdata_pkt(p, in, ni);

	(void)state;
	mndp_decide_udp(&T_UDP, HA, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_TO_TUN);
	assert_ptr_equal(v.inner, p + MIP4_TUNNEL_DATA_LEN);
	assert_int_equal(v.inner_len, ni);
	mndp_decide_udp(&T_UDP, EVIL, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_DROP_NOT_FROM_HA);
	mndp_decide_udp(&T_OFF, HA, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_GATED);
	mndp_decide_udp(&T_UDP, HA, p, 3, &v);
	assert_int_equal(v.act, MNDP_ACT_DROP_MALFORMED);
	p[1] = MIP4_IPPROTO_GRE; /* next header we never asked for */
	mndp_decide_udp(&T_UDP, HA, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_DROP_MALFORMED);
	p[1] = MIP4_IPPROTO_IPIP;
	p[0] = MIP4_MSG_RRP;
	mndp_decide_udp(&T_UDP, HA, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_DROP_MALFORMED);

	ni = udp_pkt(in, CN, CN);
	n = tdata_pkt(p, in, ni);
	mndp_decide_udp(&T_UDP, HA, p, n, &v);
	assert_int_equal(v.act, MNDP_ACT_DROP_NOT_FOR_HOME);
}

static void test_keepalive(void **state)
{
	uint8_t p[MNDP_KEEPALIVE_LEN + 8], r[MNDP_KEEPALIVE_LEN];
	struct mip4_ip ip;
	struct mndp_verdict v;
	size_t n;

	(void)state;
	assert_int_equal(mndp_keepalive_put(p, MNDP_KEEPALIVE_LEN - 1, HOME, HA,
					    IDENT, 1),
			 0);
	n = mndp_keepalive_put(p, sizeof p, HOME, HA, IDENT, 0x0102);
	assert_int_equal(n, MNDP_KEEPALIVE_LEN);
	/* RFC 3519 §3.3 header, then a valid IPv4 ICMP echo request */
	assert_int_equal(p[0], MIP4_MSG_TUNNEL_DATA);
	assert_int_equal(p[1], MIP4_IPPROTO_IPIP);
	assert_int_equal(p[2] | p[3], 0);
	assert_int_equal(mip4_ip_decode(p + 4, n - 4, &ip), MIP4_IP_OK);
	assert_true(ip.csum_ok);
	assert_int_equal(ip.src, HOME);
	assert_int_equal(ip.dst, HA);
	assert_int_equal(ip.proto, MIP4_IPPROTO_ICMP);
	assert_int_equal(ip.payload_len, 16);
	assert_int_equal(ip.payload[0], 8);
	assert_int_equal(mip4_inet_csum(ip.payload, ip.payload_len), 0);
	assert_int_equal(ip.payload[4] << 8 | ip.payload[5], IDENT);
	assert_int_equal(ip.payload[6] << 8 | ip.payload[7], 0x0102);
	/* the HA sends what it received as a request, as a reply: a
	 * keepalive reply for us, consumed */
	memcpy(r, p, n);
	mip4_ip_put(r + 4, 20, HA, HOME, MIP4_IPPROTO_ICMP, 64, 9, false, 16);
	r[24] = 0; /* echo reply */
	mndp_decide_udp(&T_UDP, HA, r, n, &v);
	assert_int_equal(v.act, MNDP_ACT_KEEPALIVE_REPLY);
	/* an application's echo reply (other identifier) goes to the TUN */
	r[28] ^= 0xff;
	mndp_decide_udp(&T_UDP, HA, r, n, &v);
	assert_int_equal(v.act, MNDP_ACT_TO_TUN);
	/* a keepalive-looking reply by IP-in-IP is just a packet */
	r[28] ^= 0xff;
	{
		uint8_t q[128];
		size_t nq = ipip_pkt(q, HA, COA, r + 4, n - 4);

		mndp_decide_ipip(&T_UDP, q, nq, &v);
		assert_int_equal(v.act, MNDP_ACT_TO_TUN);
	}
}

static void test_count(void **state)
{
	struct mndp_stats s;

	(void)state;
	memset(&s, 0, sizeof s);
	assert_true(mndp_count_drop(&s, MNDP_ACT_GATED));
	assert_true(mndp_count_drop(&s, MNDP_ACT_DROP_MALFORMED));
	assert_true(mndp_count_drop(&s, MNDP_ACT_DROP_NOT_FROM_HA));
	assert_true(mndp_count_drop(&s, MNDP_ACT_DROP_NOT_FOR_HOME));
	assert_true(mndp_count_drop(&s, MNDP_ACT_DROP_NOT_FROM_HOME));
	assert_false(mndp_count_drop(&s, MNDP_ACT_ENCAP_IPIP));
	assert_false(mndp_count_drop(&s, MNDP_ACT_ENCAP_UDP));
	assert_false(mndp_count_drop(&s, MNDP_ACT_TO_TUN));
	assert_false(mndp_count_drop(&s, MNDP_ACT_KEEPALIVE_REPLY));
	assert_int_equal(s.gated + s.drop_malformed + s.drop_not_from_ha +
				 s.drop_not_for_home + s.drop_not_from_home,
			 5);
	assert_int_equal(s.gated, 1);
	assert_int_equal(s.drop_not_from_home, 1);
}

/* Every prefix of valid packets, and random bytes: verdicts stay inside
 * the buffer, and only well-formed packets are forwarded. */
static void check_inside(const struct mndp_verdict *v, const uint8_t *buf,
			 size_t len)
{
	if (v->act == MNDP_ACT_ENCAP_IPIP || v->act == MNDP_ACT_ENCAP_UDP ||
	    v->act == MNDP_ACT_TO_TUN || v->act == MNDP_ACT_KEEPALIVE_REPLY) {
		assert_true(v->inner >= buf);
		assert_true(v->inner + v->inner_len <= buf + len);
		assert_true(v->inner_len >= 20);
	}
}

static void test_fuzzish(void **state)
{
	uint8_t in[64], p[128], r[512];
	struct mndp_verdict v;
	size_t ni = udp_pkt(in, CN, HOME), n = ipip_pkt(p, HA, COA, in, ni);

	(void)state;
	for (size_t k = 0; k <= n; k++) {
		uint8_t *c = malloc(k ? k : 1);

		assert_non_null(c);
		memcpy(c, p, k);
		mndp_decide_ipip(&T_IPIP, c, k, &v);
		check_inside(&v, c, k);
		if (k < n)
			assert_int_not_equal(v.act, MNDP_ACT_TO_TUN);
		mndp_decide_udp(&T_UDP, HA, c, k, &v);
		check_inside(&v, c, k);
		mndp_decide_tun(&T_UDP, c, k, &v);
		check_inside(&v, c, k);
		free(c);
	}
	srand(4242);
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)rand() % sizeof r;

		for (size_t k = 0; k < len; k++)
			r[k] = (uint8_t)rand();
		if (i & 1) { /* often plausible: IPv4, proto 4, from the HA */
			r[0] = 0x45;
			r[9] = MIP4_IPPROTO_IPIP;
			r[12] = 0xc6, r[13] = 0x33, r[14] = 0x64, r[15] = 0x02;
		}
		mndp_decide_ipip(&T_IPIP, r, len, &v);
		check_inside(&v, r, len);
		mndp_decide_udp(&T_UDP, HA, r, len, &v);
		check_inside(&v, r, len);
		mndp_decide_tun(&T_IPIP, r, len, &v);
		check_inside(&v, r, len);
	}
}

/*
 * `mip4ctl counters` for a mobile node puts the registration machine's
 * counters, the data plane's ("dp-") and agent discovery's ("agent-") in
 * one JSON object: every name must be one of a kind (#11: the data plane's
 * drop-malformed overwrote the registration machine's).  Each value is
 * read back by its index.
 */
static void test_counter_names_unique(void **state)
{
	const char *names[MIP4_MN_NCOUNTERS + MNDP_NSTATS + MIP4_AGENT_NCOUNTERS];
	static char buf[MNDP_NSTATS + MIP4_AGENT_NCOUNTERS][64];
	struct mndp_stats st;
	size_t n = 0, k = 0;

	(void)state;
	for (int i = 0; i < MIP4_MN_NCOUNTERS; i++)
		names[n++] = mip4_mn_counter_name((enum mip4_mn_counter)i);
	for (size_t i = 0; i < MNDP_NSTATS; i++) {
		snprintf(buf[k], sizeof buf[k], "dp-%s", mndp_stat_name(i));
		names[n++] = buf[k++];
	}
	for (int i = 0; i < MIP4_AGENT_NCOUNTERS; i++) {
		snprintf(buf[k], sizeof buf[k], "agent-%s",
			 mip4_agent_counter_name((enum mip4_agent_counter)i));
		names[n++] = buf[k++];
	}
	for (size_t i = 0; i < n; i++) {
		assert_string_not_equal(names[i], "unknown");
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(names[i], names[j]);
	}
	/* values by index: every field of the struct under exactly one */
	for (size_t f = 0; f < MNDP_NSTATS; f++) {
		unsigned hits = 0;

		memset(&st, 0, sizeof st);
		memset((char *)&st + f * sizeof(uint64_t), 0xff, sizeof(uint64_t));
		for (size_t j = 0; j < MNDP_NSTATS; j++)
			hits += mndp_stat(&st, j) != 0;
		assert_int_equal(hits, 1);
	}
	memset(&st, 0, sizeof st);
	st.drop_malformed = 7;
	for (size_t i = 0; i < MNDP_NSTATS; i++)
		if (strcmp(mndp_stat_name(i), "drop-malformed") == 0)
			assert_int_equal(mndp_stat(&st, i), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tun_encap),
		cmocka_unit_test(test_tun_gated),
		cmocka_unit_test(test_tun_drops),
		cmocka_unit_test(test_ipip_in),
		cmocka_unit_test(test_ipip_malformed),
		cmocka_unit_test(test_udp_in),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_fuzzish),
		cmocka_unit_test(test_counter_names_unique),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
