/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the IPv4 / UDP / Internet checksum helpers (lib/ip.c).
 * Expected checksums of the hand-written packets were computed offline
 * with a Python RFC 1071 sum; ref_csum() below is an independent
 * implementation used for randomised comparisons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mip4/ip.h"
#include "mip4/wire.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Straightforward RFC 1071: 64-bit sum of big-endian words, odd byte
 * padded on the right, folded, complemented. */
static uint16_t ref_csum(const uint8_t *p, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint64_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint64_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 16;
}

static void test_csum_vectors(void **state)
{
	/* RFC 1071 §3 example: the one's complement sum is ddf2 */
	static const uint8_t rfc1071[] = {0x00, 0x01, 0xf2, 0x03,
					  0xf4, 0xf5, 0xf6, 0xf7};
	/* a well-known IPv4 header, checksum field b861 */
	static const uint8_t iphdr[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
					0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
					0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	uint8_t h[sizeof iphdr], zero[10] = {0};

	(void)state;
	assert_int_equal(mip4_inet_csum(rfc1071, 8), 0x220d);
	assert_int_equal((uint16_t)~mip4_csum_fold(mip4_csum_add(0, rfc1071, 8)),
			 0xddf2);
	/* odd lengths: the last byte is the high half of a word */
	assert_int_equal(mip4_inet_csum(rfc1071, 3), 0x0dfe);
	assert_int_equal(mip4_inet_csum((const uint8_t *)"\x00\x01\x02", 3),
			 0xfdfe);
	assert_int_equal(mip4_inet_csum(rfc1071, 0), 0xffff);
	assert_int_equal(mip4_inet_csum(zero, sizeof zero), 0xffff);
	assert_int_equal(mip4_inet_csum(iphdr, sizeof iphdr), 0);
	memcpy(h, iphdr, sizeof h);
	h[10] = h[11] = 0;
	assert_int_equal(mip4_inet_csum(h, sizeof h), 0xb861);
	/* fold of a sum with carries */
	assert_int_equal(mip4_csum_fold(0x0002ddf0), 0x220d);
	assert_int_equal(mip4_csum_fold(0xffffffff), 0x0000);
	assert_int_equal(mip4_csum_fold(0), 0xffff);
}

static void test_csum_against_reference(void **state)
{
	static uint8_t buf[200000];
	uint32_t x = 1;

	(void)state;
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)lcg(&x);
	for (size_t n = 0; n < 700; n++)
		assert_int_equal(mip4_inet_csum(buf + 1, n), ref_csum(buf + 1, n));
	assert_int_equal(mip4_inet_csum(buf, 65535), ref_csum(buf, 65535));
	assert_int_equal(mip4_inet_csum(buf, sizeof buf), ref_csum(buf, sizeof buf));
	/* running sums over even-sized pieces equal one sum over the whole */
	for (size_t k = 0; k <= 600; k += 2)
		assert_int_equal(
			mip4_csum_fold(mip4_csum_add(mip4_csum_add(0, buf, k),
						     buf + k, 601 - k)),
			ref_csum(buf, 601));
	/* long runs of 0xff exercise the carry folding */
	memset(buf, 0xff, sizeof buf);
	assert_int_equal(mip4_inet_csum(buf, sizeof buf), 0x0000);
	assert_int_equal(mip4_inet_csum(buf, sizeof buf - 1),
			 ref_csum(buf, sizeof buf - 1));
}

/* ---- IPv4 ---- */

#define SRC 0xc0000201u /* 192.0.2.1 */
#define DST 0xc6336407u /* 198.51.100.7 */

static void test_ip_put(void **state)
{
	/* by hand after RFC 791 §3.1; checksum 3c05 computed offline */
	static const uint8_t want[20] = {0x45, 0x00, 0x00, 0x78, 0x12, 0x34, 0x40,
					 0x00, 0x40, 0x11, 0x3c, 0x05, 0xc0, 0x00,
					 0x02, 0x01, 0xc6, 0x33, 0x64, 0x07};
	uint8_t out[20 + 16];

	(void)state;
	memset(out, 0xa5, sizeof out);
	assert_int_equal(mip4_ip_put(out, 20, SRC, DST, MIP4_IPPROTO_UDP, 64,
				     0x1234, true, 100),
			 20);
	assert_memory_equal(out, want, 20);
	assert_int_equal(out[20], 0xa5);
	assert_int_equal(ref_csum(out, 20), 0);

	assert_int_equal(mip4_ip_put(out, sizeof out, SRC, DST, MIP4_IPPROTO_IPIP,
				     1, 0, false, 65515),
			 20);
	assert_int_equal(mip4_get16(out + 2), 65535);
	assert_int_equal(mip4_get16(out + 6), 0); /* no DF */
	assert_int_equal(out[8], 1);
	assert_int_equal(out[9], MIP4_IPPROTO_IPIP);
	assert_int_equal(ref_csum(out, 20), 0);

	/* refusals write nothing */
	memset(out, 0xa5, sizeof out);
	assert_int_equal(mip4_ip_put(out, 19, SRC, DST, 17, 64, 0, true, 0), 0);
	assert_int_equal(mip4_ip_put(out, 20, SRC, DST, 17, 64, 0, true, 65516),
			 0);
	for (size_t i = 0; i < sizeof out; i++)
		assert_int_equal(out[i], 0xa5);
}

static void test_ip_decode(void **state)
{
	uint8_t pkt[64] = {0};
	struct mip4_ip ip;

	(void)state;
	for (size_t i = 0; i < 20; i++)
		pkt[20 + i] = (uint8_t)i;
	mip4_ip_put(pkt, sizeof pkt, SRC, DST, MIP4_IPPROTO_GRE, 33, 0xbeef,
		    true, 20);
	pkt[1] = 0x10; /* TOS, then fix the checksum */
	pkt[10] = pkt[11] = 0;
	mip4_put16(pkt + 10, mip4_inet_csum(pkt, 20));
	/* 4 bytes of link-layer padding after the datagram are ignored */
	assert_int_equal(mip4_ip_decode(pkt, 44, &ip), MIP4_IP_OK);
	assert_int_equal(ip.ihl, 20);
	assert_int_equal(ip.tos, 0x10);
	assert_int_equal(ip.tot_len, 40);
	assert_int_equal(ip.ident, 0xbeef);
	assert_int_equal(ip.frag, 0x4000);
	assert_false(mip4_ip_is_fragment(&ip));
	assert_int_equal(ip.ttl, 33);
	assert_int_equal(ip.proto, MIP4_IPPROTO_GRE);
	assert_int_equal(ip.src, SRC);
	assert_int_equal(ip.dst, DST);
	assert_ptr_equal(ip.payload, pkt + 20);
	assert_int_equal(ip.payload_len, 20);
	assert_true(ip.csum_ok);
	/* a damaged header still parses but is flagged */
	pkt[8] ^= 1;
	assert_int_equal(mip4_ip_decode(pkt, 40, &ip), MIP4_IP_OK);
	assert_false(ip.csum_ok);
	pkt[8] ^= 1;

	/* with 4 bytes of options (IHL 6) */
	memmove(pkt + 24, pkt + 20, 20);
	memset(pkt + 20, 1, 4); /* NOPs */
	pkt[0] = 0x46;
	mip4_put16(pkt + 2, 44);
	pkt[10] = pkt[11] = 0;
	mip4_put16(pkt + 10, mip4_inet_csum(pkt, 24));
	assert_int_equal(mip4_ip_decode(pkt, 44, &ip), MIP4_IP_OK);
	assert_int_equal(ip.ihl, 24);
	assert_ptr_equal(ip.payload, pkt + 24);
	assert_int_equal(ip.payload_len, 20);
	assert_int_equal(ip.payload[0], 0);
	assert_true(ip.csum_ok);
}

static void test_ip_decode_errors(void **state)
{
	static const struct {
		uint8_t vihl;
		uint16_t tot_len;
		size_t len;
		int err;
	} v[] = {
		{0x45, 20, 19, MIP4_IP_E_SHORT},   {0x45, 20, 0, MIP4_IP_E_SHORT},
		{0x65, 40, 40, MIP4_IP_E_VERSION}, {0x05, 40, 40, MIP4_IP_E_VERSION},
		{0xf5, 40, 40, MIP4_IP_E_VERSION}, {0x44, 40, 40, MIP4_IP_E_IHL},
		{0x40, 40, 40, MIP4_IP_E_IHL},	   {0x4b, 40, 40, MIP4_IP_E_IHL},
		{0x4f, 60, 59, MIP4_IP_E_IHL},	   {0x45, 19, 40, MIP4_IP_E_TOTLEN},
		{0x45, 0, 40, MIP4_IP_E_TOTLEN},   {0x46, 23, 40, MIP4_IP_E_TOTLEN},
		{0x45, 41, 40, MIP4_IP_E_TOTLEN},  {0x45, 65535, 40, MIP4_IP_E_TOTLEN},
		{0x4a, 40, 40, MIP4_IP_OK},	   {0x4f, 60, 60, MIP4_IP_OK},
		{0x45, 20, 20, MIP4_IP_OK},
	};
	(void)state;
	for (size_t i = 0; i < N(v); i++) {
		uint8_t pkt[64] = {0};
		uint8_t *p;
		struct mip4_ip ip;
		int rc;

		pkt[0] = v[i].vihl;
		mip4_put16(pkt + 2, v[i].tot_len);
		p = malloc(v[i].len ? v[i].len : 1); /* exact size for ASan */
		assert_non_null(p);
		memcpy(p, pkt, v[i].len);
		rc = mip4_ip_decode(p, v[i].len, &ip);
		if (rc != v[i].err)
			fail_msg("row %zu: %d, want %d", i, rc, v[i].err);
		free(p);
	}
}

static void test_ip_fragments(void **state)
{
	static const struct {
		uint16_t frag;
		bool is_frag;
	} v[] = {
		{0x0000, false}, {0x4000, false}, /* DF only */
		{0x8000, false},		  /* reserved bit */
		{0x2000, true},	 {0x6000, true},  /* MF */
		{0x0001, true},	 {0x1fff, true},  /* offset */
		{0x4001, true},	 {0x3fff, true},
	};
	(void)state;
	for (size_t i = 0; i < N(v); i++) {
		uint8_t pkt[20];
		struct mip4_ip ip;

		mip4_ip_put(pkt, sizeof pkt, SRC, DST, 17, 64, 1, false, 0);
		mip4_put16(pkt + 6, v[i].frag);
		assert_int_equal(mip4_ip_decode(pkt, 20, &ip), MIP4_IP_OK);
		assert_int_equal(ip.frag, v[i].frag);
		if (mip4_ip_is_fragment(&ip) != v[i].is_frag)
			fail_msg("row %zu: frag %04x", i, v[i].frag);
	}
}

/* ---- UDP ---- */

/* Checksum over the RFC 768 pseudo-header and the datagram, computed
 * here without the library. */
static uint16_t ref_udp_csum(uint32_t src, uint32_t dst, const uint8_t *udp,
			     size_t n)
{
	uint8_t buf[2048];

	assert_true(n + 12 <= sizeof buf);
	buf[0] = (uint8_t)(src >> 24);
	buf[1] = (uint8_t)(src >> 16);
	buf[2] = (uint8_t)(src >> 8);
	buf[3] = (uint8_t)src;
	buf[4] = (uint8_t)(dst >> 24);
	buf[5] = (uint8_t)(dst >> 16);
	buf[6] = (uint8_t)(dst >> 8);
	buf[7] = (uint8_t)dst;
	buf[8] = 0;
	buf[9] = 17;
	buf[10] = (uint8_t)(n >> 8);
	buf[11] = (uint8_t)n;
	memcpy(buf + 12, udp, n);
	return ref_csum(buf, 12 + n);
}

static void test_udp_put(void **state)
{
	/* 192.0.2.1:434 -> 198.51.100.7:434, "MIP4\x01"; checksum 71b6
	 * computed offline */
	static const uint8_t want[] = {0x01, 0xb2, 0x01, 0xb2, 0x00, 0x0d,
				       0x71, 0xb6, 'M',	 'I',  'P',  '4', 1};
	uint8_t udp[1500];
	uint32_t x = 7;
	struct mip4_udp u;

	(void)state;
	memcpy(udp + 8, "MIP4\x01", 5);
	mip4_udp_put(udp, SRC, DST, MIP4_PORT, MIP4_PORT, 5);
	assert_memory_equal(udp, want, sizeof want);
	assert_int_equal(mip4_udp_csum(SRC, DST, udp, sizeof want), 0);

	/* random payloads, odd and even, verified independently */
	for (size_t n = 0; n < 300; n += 7) {
		for (size_t i = 0; i < n; i++)
			udp[8 + i] = (uint8_t)lcg(&x);
		mip4_udp_put(udp, SRC + (uint32_t)n, DST, 1000, 434, n);
		assert_int_equal(ref_udp_csum(SRC + (uint32_t)n, DST, udp, 8 + n), 0);
		assert_int_not_equal(mip4_get16(udp + 6), 0);
		assert_int_equal(mip4_udp_decode(udp, 8 + n, &u), MIP4_IP_OK);
		assert_int_equal(u.sport, 1000);
		assert_int_equal(u.dport, 434);
		assert_int_equal(u.len, 8 + n);
		assert_ptr_equal(u.payload, udp + 8);
		assert_int_equal(u.payload_len, n);
	}
}

/* RFC 768: a computed checksum of zero is transmitted as all ones. */
static void test_udp_zero_checksum(void **state)
{
	uint8_t udp[12] = {0};
	uint16_t c;

	(void)state;
	/* choose the last payload word so that the sum is ffff */
	mip4_put16(udp, 1);
	mip4_put16(udp + 2, 2);
	mip4_put16(udp + 4, 12);
	c = ref_udp_csum(SRC, DST, udp, 12);
	mip4_put16(udp + 10, c); /* adds ~sum: the sum becomes ffff */
	assert_int_equal(ref_udp_csum(SRC, DST, udp, 12), 0);
	mip4_udp_put(udp, SRC, DST, 1, 2, 4);
	assert_int_equal(mip4_get16(udp + 6), 0xffff);
	assert_int_equal(mip4_udp_csum(SRC, DST, udp, 12), 0);
}

static void test_udp_decode_errors(void **state)
{
	static const struct {
		uint16_t len_field;
		size_t len;
		int err;
	} v[] = {
		{8, 7, MIP4_IP_E_SHORT},   {8, 0, MIP4_IP_E_SHORT},
		{7, 8, MIP4_IP_E_TOTLEN},  {0, 8, MIP4_IP_E_TOTLEN},
		{9, 8, MIP4_IP_E_TOTLEN},  {65535, 100, MIP4_IP_E_TOTLEN},
		{8, 8, MIP4_IP_OK},	   {20, 30, MIP4_IP_OK},
	};
	(void)state;
	for (size_t i = 0; i < N(v); i++) {
		uint8_t hdr[128] = {0, 1, 0, 2}, *p;
		struct mip4_udp u;
		int rc;

		mip4_put16(hdr + 4, v[i].len_field);
		p = malloc(v[i].len ? v[i].len : 1);
		assert_non_null(p);
		memcpy(p, hdr, v[i].len);
		rc = mip4_udp_decode(p, v[i].len, &u);
		if (rc != v[i].err)
			fail_msg("row %zu: %d, want %d", i, rc, v[i].err);
		if (rc == MIP4_IP_OK)
			assert_int_equal(u.payload_len, v[i].len_field - 8u);
		free(p);
	}
}

static void test_ntoa(void **state)
{
	static const struct {
		uint32_t a;
		const char *s;
	} v[] = {
		{0, "0.0.0.0"},
		{0xffffffff, "255.255.255.255"},
		{SRC, "192.0.2.1"},
		{0x0a000001, "10.0.0.1"},
		{0x01020304, "1.2.3.4"},
		{0xe0000001, "224.0.0.1"},
	};
	(void)state;
	for (size_t i = 0; i < N(v); i++) {
		char buf[16 + 4];

		memset(buf, 'x', sizeof buf);
		assert_ptr_equal(mip4_ntoa(v[i].a, buf), buf);
		assert_string_equal(buf, v[i].s);
		for (size_t k = 16; k < sizeof buf; k++)
			assert_int_equal(buf[k], 'x');
	}
}

static void test_prefix_parse(void **state)
{
	static const struct {
		const char *s;
		int rc;
		uint32_t net, mask;
	} cases[] = {
		{"10.64.0.0/16", 0, 0x0a400000, 0xffff0000},
		{"192.0.2.7", 0, 0xc0000207, 0xffffffff},
		{"192.0.2.7/32", 0, 0xc0000207, 0xffffffff},
		{"0.0.0.0/0", 0, 0, 0},
		{"255.255.255.255", 0, 0xffffffff, 0xffffffff},
		{"10.64.1.5/16", MIP4_PREFIX_HOST_BITS, 0x0a400000, 0xffff0000},
		{"1.2.3.4/0", MIP4_PREFIX_HOST_BITS, 0, 0},
		{"10.64.0.0/33", MIP4_PREFIX_BAD, 0, 0},
		{"10.64.0.0/016", MIP4_PREFIX_BAD, 0, 0},
		{"10.64.0.0/", MIP4_PREFIX_BAD, 0, 0},
		{"10.064.0.0", MIP4_PREFIX_BAD, 0, 0},
		{"10.64.0", MIP4_PREFIX_BAD, 0, 0},
		{"10.64.0.0.1", MIP4_PREFIX_BAD, 0, 0},
		{"10.64.0.256", MIP4_PREFIX_BAD, 0, 0},
		{"10.64.0.0 ", MIP4_PREFIX_BAD, 0, 0},
		{"10.64.0.1000", MIP4_PREFIX_BAD, 0, 0},
		{"-1.0.0.0", MIP4_PREFIX_BAD, 0, 0},
		{"", MIP4_PREFIX_BAD, 0, 0},
		{"/8", MIP4_PREFIX_BAD, 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t net = 1, mask = 1;
		int rc = mip4_prefix_parse(cases[i].s, &net, &mask);

		if (rc != cases[i].rc)
			fail_msg("'%s': %d, want %d", cases[i].s, rc, cases[i].rc);
		if (rc != MIP4_PREFIX_BAD) {
			assert_int_equal(net, cases[i].net);
			assert_int_equal(mask, cases[i].mask);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_vectors),
		cmocka_unit_test(test_csum_against_reference),
		cmocka_unit_test(test_ip_put),
		cmocka_unit_test(test_ip_decode),
		cmocka_unit_test(test_ip_decode_errors),
		cmocka_unit_test(test_ip_fragments),
		cmocka_unit_test(test_udp_put),
		cmocka_unit_test(test_udp_zero_checksum),
		cmocka_unit_test(test_udp_decode_errors),
		cmocka_unit_test(test_ntoa),
		cmocka_unit_test(test_prefix_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
