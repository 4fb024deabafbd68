/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the Mobile IPv4 message codec (lib/wire.c): messages,
 * every registration extension, agent advertisements and solicitations,
 * malformed input and encoder overflow.
 *
 * Decoders are always fed an exact-size heap copy (heap_copy()) so that the
 * sanitizer build catches any read past the end of the input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mip4/auth.h"
#include "mip4/ip.h"
#include "mip4/wire.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define X4(v) v, v, v, v
#define X16(v) X4(v), X4(v), X4(v), X4(v)

static const struct mip4_rrq base_rrq = {
	.flags = MIP4_RRQ_S | MIP4_RRQ_T,
	.lifetime = 1800,
	.home_addr = 0x0a000005, /* 10.0.0.5 */
	.ha_addr = 0x0a000001,	 /* 10.0.0.1 */
	.coa = 0xc0000201,	 /* 192.0.2.1 */
	.id = 0x83aa7e8080000000ull,
};

/* Fail naming the table row when got != want. */
#define ROW_EQ(got, want, row)                                              \
	do {                                                                \
		long g_ = (long)(got), w_ = (long)(want);                   \
		if (g_ != w_)                                               \
			fail_msg("row %zu: %s is %ld, want %ld", (size_t)(row), \
				 #got, g_, w_);                             \
	} while (0)

static uint8_t *heap_copy(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);

	assert_non_null(q);
	if (n)
		memcpy(q, p, n);
	return q;
}

/* RRQ fixed part (flags given) followed by raw extension bytes. */
static size_t rrq_raw(uint8_t *out, size_t cap, uint8_t flags,
		      const uint8_t *ext, size_t ext_len)
{
	struct mip4_buf b;
	struct mip4_rrq r = base_rrq;

	r.flags = flags;
	mip4_buf_init(&b, out, cap);
	mip4_rrq_put(&b, &r);
	memcpy(mip4_buf_put(&b, ext_len), ext, ext_len);
	assert_false(b.overflow);
	return b.len;
}

/* ---- fixed parts ---- */

static void test_rrq_every_flag(void **state)
{
	static const uint8_t flags[] = {
		0,	     MIP4_RRQ_S, MIP4_RRQ_B, MIP4_RRQ_D, MIP4_RRQ_M,
		MIP4_RRQ_G, MIP4_RRQ_r, MIP4_RRQ_T, MIP4_RRQ_x, 0xff,
	};
	(void)state;
	for (size_t i = 0; i < N(flags); i++) {
		uint8_t mem[64];
		struct mip4_buf b;
		struct mip4_msg m;
		struct mip4_rrq r = base_rrq;

		r.flags = flags[i];
		r.lifetime = (uint16_t)(0xff00 + i);
		r.id = 0x0102030405060708ull * (i + 1);
		mip4_buf_init(&b, mem, sizeof mem);
		mip4_rrq_put(&b, &r);
		assert_false(b.overflow);
		assert_int_equal(b.len, MIP4_RRQ_LEN);
		assert_int_equal(mem[1], flags[i]);
		assert_int_equal(mip4_msg_decode(mem, b.len, &m), MIP4_OK);
		assert_int_equal(m.type, MIP4_MSG_RRQ);
		assert_int_equal(m.u.rrq.flags, r.flags);
		assert_int_equal(m.u.rrq.lifetime, r.lifetime);
		assert_int_equal(m.u.rrq.home_addr, r.home_addr);
		assert_int_equal(m.u.rrq.ha_addr, r.ha_addr);
		assert_int_equal(m.u.rrq.coa, r.coa);
		assert_int_equal(m.u.rrq.id, r.id);
		assert_int_equal(m.n_ext, 0);
		assert_int_equal(m.bad_ext_type, -1);
	}
}

/* RFC 5944 §3.3 and §3.5.2 figures, written out by hand.  The
 * authenticator is HMAC-MD5 with key "mip4d-test-key-1" over bytes
 * 0..29, computed offline with Python's hmac module. */
static const uint8_t rrq_wire[] = {
	0x01, 0x82, 0x07, 0x08,				/* type, S|T, 1800 */
	0x0a, 0x00, 0x00, 0x05,				/* home address */
	0x0a, 0x00, 0x00, 0x01,				/* home agent */
	0xc0, 0x00, 0x02, 0x01,				/* care-of address */
	0x83, 0xaa, 0x7e, 0x80, 0x80, 0x00, 0x00, 0x00, /* identification */
	0x20, 0x14, 0x00, 0x00, 0x01, 0x00,		/* MN-HA, 20, SPI 256 */
	0xbd, 0x5e, 0x8f, 0xe3, 0x84, 0xd6, 0xee, 0x25, /* authenticator */
	0x1c, 0x4e, 0x8b, 0x54, 0xc7, 0xfb, 0xef, 0x50,
};

static void test_rrq_mnha_bytes_exact(void **state)
{
	uint8_t mem[128];
	struct mip4_buf b;
	struct mip4_sa sa;
	struct mip4_msg m;
	uint8_t *p;

	(void)state;
	assert_int_equal(mip4_sa_init(&sa, 256, "mip4d-test-key-1", 16), 0);
	mip4_buf_init(&b, mem, sizeof mem);
	mip4_rrq_put(&b, &base_rrq);
	mip4_auth_append(&b, MIP4_EXT_MN_HA, &sa);
	assert_false(b.overflow);
	assert_int_equal(b.len, sizeof rrq_wire);
	assert_memory_equal(mem, rrq_wire, sizeof rrq_wire);

	p = heap_copy(rrq_wire, sizeof rrq_wire);
	assert_int_equal(mip4_msg_decode(p, sizeof rrq_wire, &m), MIP4_OK);
	assert_int_equal(m.u.rrq.flags, MIP4_RRQ_S | MIP4_RRQ_T);
	assert_int_equal(m.u.rrq.lifetime, 1800);
	assert_int_equal(m.u.rrq.home_addr, 0x0a000005);
	assert_int_equal(m.u.rrq.ha_addr, 0x0a000001);
	assert_int_equal(m.u.rrq.coa, 0xc0000201);
	assert_int_equal(m.u.rrq.id, 0x83aa7e8080000000ull);
	assert_int_equal(m.n_ext, 1);
	assert_int_equal(m.ext[0].type, MIP4_EXT_MN_HA);
	assert_int_equal(m.ext[0].off, 24);
	assert_int_equal(m.ext[0].len, 22);
	assert_ptr_equal(m.ext[0].data, p + 26);
	assert_int_equal(m.ext[0].data_len, 20);
	assert_int_equal(m.ext[0].u.auth.spi, 256);
	assert_ptr_equal(m.ext[0].u.auth.auth, p + 30);
	assert_int_equal(m.ext[0].u.auth.auth_len, 16);
	assert_int_equal(mip4_auth_verify_type(&sa, &m, MIP4_EXT_MN_HA),
			 MIP4_AUTH_OK);
	free(p);
}

static const uint8_t rrp_codes[] = {
	0,   1,	  64,  65,  66,	 67,  68,  69,	70,  71,  72,  73,  74,
	75,  76,  77,  78,  79,	 80,  81,  82,	88,  194, 128, 129, 130,
	131, 132, 133, 134, 135, 136, 137, 138, 139, 142, 143,
};

static void test_rrp_codes(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(rrp_codes); i++) {
		uint8_t mem[32];
		struct mip4_buf b;
		struct mip4_msg m;
		struct mip4_rrp r = {rrp_codes[i], (uint16_t)(i * 100),
				     0x0a000005, 0x0a000001,
				     0xfedcba9876543210ull ^ i};

		mip4_buf_init(&b, mem, sizeof mem);
		mip4_rrp_put(&b, &r);
		assert_false(b.overflow);
		assert_int_equal(b.len, MIP4_RRP_LEN);
		assert_int_equal(mip4_msg_decode(mem, b.len, &m), MIP4_OK);
		assert_int_equal(m.type, MIP4_MSG_RRP);
		assert_int_equal(m.u.rrp.code, r.code);
		assert_int_equal(m.u.rrp.lifetime, r.lifetime);
		assert_int_equal(m.u.rrp.home_addr, r.home_addr);
		assert_int_equal(m.u.rrp.ha_addr, r.ha_addr);
		assert_int_equal(m.u.rrp.id, r.id);
		assert_string_not_equal(mip4_code_str(r.code), "unknown code");
	}
	assert_string_equal(mip4_code_str(2), "unknown code");
	assert_string_equal(mip4_code_str(255), "unknown code");
}

/* RFC 5944 §3.4 figure by hand; authenticator as for rrq_wire (over
 * bytes 0..25, computed offline with Python's hmac module). */
static void test_rrp_bytes_exact(void **state)
{
	static const uint8_t want[] = {
		0x03, 0x00, 0x07, 0x08, 0x0a, 0x00, 0x00, 0x05,
		0x0a, 0x00, 0x00, 0x01, 0x83, 0xaa, 0x7e, 0x80,
		0x80, 0x00, 0x00, 0x00, 0x20, 0x14, 0x00, 0x00,
		0x01, 0x00, 0x21, 0xda, 0xdc, 0x86, 0xe8, 0x63,
		0x1b, 0xa0, 0xc7, 0x2f, 0x3e, 0x23, 0x1d, 0xe4,
		0xcf, 0x24,
	};
	struct mip4_rrp r = {0, 1800, 0x0a000005, 0x0a000001,
			     0x83aa7e8080000000ull};
	uint8_t mem[64];
	struct mip4_buf b;
	struct mip4_sa sa;
	struct mip4_msg m;

	(void)state;
	assert_int_equal(mip4_sa_init(&sa, 256, "mip4d-test-key-1", 16), 0);
	mip4_buf_init(&b, mem, sizeof mem);
	mip4_rrp_put(&b, &r);
	mip4_auth_append(&b, MIP4_EXT_MN_HA, &sa);
	assert_int_equal(b.len, sizeof want);
	assert_memory_equal(mem, want, sizeof want);
	assert_int_equal(mip4_msg_decode(want, sizeof want, &m), MIP4_OK);
	assert_int_equal(m.u.rrp.code, 0);
	assert_int_equal(m.u.rrp.lifetime, 1800);
	assert_int_equal(m.u.rrp.id, 0x83aa7e8080000000ull);
	assert_int_equal(m.n_ext, 1);
	assert_int_equal(m.ext[0].off, 20);
	assert_int_equal(mip4_auth_verify_type(&sa, &m, MIP4_EXT_MN_HA),
			 MIP4_AUTH_OK);
}

static void test_tunnel_data(void **state)
{
	/* The payload is an IPv4 header: 0x45 would be an unknown
	 * non-skippable extension type if it were (wrongly) walked. */
	static const uint8_t inner[] = {0x45, 0x00, 0x00, 0x14, 0x10, 0x02};
	static const uint8_t nh[] = {MIP4_IPPROTO_IPIP, MIP4_IPPROTO_GRE,
				     MIP4_IPPROTO_MINENC};
	(void)state;
	for (size_t i = 0; i < N(nh); i++) {
		uint8_t mem[16], *p;
		struct mip4_buf b;
		struct mip4_msg m;
		const uint8_t hdr[] = {0x04, nh[i], 0x00, 0x00};

		mip4_buf_init(&b, mem, sizeof mem);
		mip4_tunnel_data_put(&b, nh[i]);
		assert_int_equal(b.len, 4);
		assert_memory_equal(mem, hdr, 4); /* RFC 3519 §3.3 */
		memcpy(mip4_buf_put(&b, sizeof inner), inner, sizeof inner);
		p = heap_copy(mem, b.len);
		assert_int_equal(mip4_msg_decode(p, b.len, &m), MIP4_OK);
		assert_int_equal(m.type, MIP4_MSG_TUNNEL_DATA);
		assert_int_equal(m.u.td.next_header, nh[i]);
		assert_int_equal(m.u.td.reserved, 0);
		assert_ptr_equal(m.u.td.payload, p + 4);
		assert_int_equal(m.u.td.payload_len, sizeof inner);
		assert_int_equal(m.n_ext, 0);
		free(p);
	}
	{ /* reserved is carried through, header-only message is valid */
		static const uint8_t td[] = {0x04, 0x04, 0xab, 0xcd};
		struct mip4_msg m;

		assert_int_equal(mip4_msg_decode(td, 4, &m), MIP4_OK);
		assert_int_equal(m.u.td.reserved, 0xabcd);
		assert_int_equal(m.u.td.payload_len, 0);
	}
}

static void test_revocation(void **state)
{
	(void)state;
	for (int ai = 0; ai < 4; ai++) {
		struct mip4_revoke r = {ai & 1, ai >> 1, 0x0a000005,
					0x0a000001, 0xc0000201, 0x5f5e1000u + ai};
		/* RFC 3543 §3.3 figure: A and I are the top bits of octet 2 */
		const uint8_t want[MIP4_REVOKE_LEN] = {
			7,    0,    (uint8_t)((ai & 1 ? 0x80 : 0) | (ai & 2 ? 0x40 : 0)),
			0,    0x0a, 0, 0, 5, 0x0a, 0, 0, 1, 0xc0, 0, 2, 1,
			0x5f, 0x5e, 0x10, (uint8_t)ai,
		};
		uint8_t mem[32];
		struct mip4_buf b;
		struct mip4_msg m;

		mip4_buf_init(&b, mem, sizeof mem);
		mip4_revoke_put(&b, &r);
		assert_int_equal(b.len, MIP4_REVOKE_LEN);
		assert_memory_equal(mem, want, sizeof want);
		assert_int_equal(mip4_msg_decode(mem, b.len, &m), MIP4_OK);
		assert_int_equal(m.type, MIP4_MSG_REVOKE);
		assert_int_equal(m.u.rev.a_bit, r.a_bit);
		assert_int_equal(m.u.rev.i_bit, r.i_bit);
		assert_int_equal(m.u.rev.home_addr, r.home_addr);
		assert_int_equal(m.u.rev.home_domain, r.home_domain);
		assert_int_equal(m.u.rev.foreign_domain, r.foreign_domain);
		assert_int_equal(m.u.rev.revocation_id, r.revocation_id);
	}
}

static void test_revocation_ack(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		struct mip4_revoke_ack r = {i, 0x0a000005, 0x12345678};
		/* RFC 3543 §3.4 figure */
		const uint8_t want[MIP4_REVOKE_ACK_LEN] = {
			15,   0,    (uint8_t)(i ? 0x80 : 0), 0, 0x0a, 0, 0, 5,
			0x12, 0x34, 0x56, 0x78,
		};
		uint8_t mem[16];
		struct mip4_buf b;
		struct mip4_msg m;

		mip4_buf_init(&b, mem, sizeof mem);
		mip4_revoke_ack_put(&b, &r);
		assert_int_equal(b.len, MIP4_REVOKE_ACK_LEN);
		assert_memory_equal(mem, want, sizeof want);
		assert_int_equal(mip4_msg_decode(mem, b.len, &m), MIP4_OK);
		assert_int_equal(m.type, MIP4_MSG_REVOKE_ACK);
		assert_int_equal(m.u.rack.i_bit, r.i_bit);
		assert_int_equal(m.u.rack.home_addr, r.home_addr);
		assert_int_equal(m.u.rack.revocation_id, r.revocation_id);
	}
}

/* Every prefix shorter than the fixed part is MIP4_E_TRUNCATED; unknown
 * message types are MIP4_E_TYPE. */
static void test_fixed_part_truncated_and_type(void **state)
{
	static const struct {
		uint8_t type;
		size_t fixed;
	} t[] = {
		{MIP4_MSG_RRQ, MIP4_RRQ_LEN},
		{MIP4_MSG_RRP, MIP4_RRP_LEN},
		{MIP4_MSG_TUNNEL_DATA, MIP4_TUNNEL_DATA_LEN},
		{MIP4_MSG_REVOKE, MIP4_REVOKE_LEN},
		{MIP4_MSG_REVOKE_ACK, MIP4_REVOKE_ACK_LEN},
	};
	static const uint8_t bad_types[] = {0, 2, 5, 6, 8, 14, 16, 255};
	uint8_t mem[32] = {0};
	struct mip4_msg m;

	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		mem[0] = t[i].type;
		for (size_t len = 0; len <= t[i].fixed; len++) {
			uint8_t *p = heap_copy(mem, len);

			assert_int_equal(mip4_msg_decode(p, len, &m),
					 len < t[i].fixed ? MIP4_E_TRUNCATED
							  : MIP4_OK);
			free(p);
		}
	}
	for (size_t i = 0; i < N(bad_types); i++) {
		mem[0] = bad_types[i];
		assert_int_equal(mip4_msg_decode(mem, 24, &m), MIP4_E_TYPE);
	}
}

/* ---- extensions ---- */

static void put_pad(struct mip4_buf *b) { mip4_ext_put_pad(b); }
static void put_auth(struct mip4_buf *b, uint8_t type, uint8_t fill)
{
	uint8_t d[20];

	mip4_put32(d, 0x100u + type);
	memset(d + 4, fill, 16);
	if (type == MIP4_EXT_GEN_AUTH)
		mip4_ext_put_long(b, type, 1, d, sizeof d);
	else
		mip4_ext_put_raw(b, type, d, sizeof d);
}
static void put_mnha(struct mip4_buf *b) { put_auth(b, 32, 0xa1); }
static void put_mnfa(struct mip4_buf *b) { put_auth(b, 33, 0xb2); }
static void put_faha(struct mip4_buf *b) { put_auth(b, 34, 0xc3); }
static void put_gen(struct mip4_buf *b) { put_auth(b, 36, 0xd4); }
static void put_cvse(struct mip4_buf *b)
{
	mip4_ext_put_cvse(b, 5535, 7, "ab", 2);
}
static void put_udp_rep(struct mip4_buf *b)
{
	mip4_ext_put_udp_rep(b, 0, true, 110);
}
static void put_udp_rep2(struct mip4_buf *b)
{
	mip4_ext_put_udp_rep(b, 64, false, 0xfffe);
}
static void put_eds(struct mip4_buf *b) { mip4_ext_put_encap_delivery(b); }
static void put_nai(struct mip4_buf *b) { mip4_ext_put_nai(b, "mn@example.com"); }
static void put_chal(struct mip4_buf *b)
{
	mip4_ext_put_raw(b, MIP4_EXT_MN_FA_CHAL, "\xde\xad\xbe\xef", 4);
}
static void put_nvse(struct mip4_buf *b)
{
	mip4_ext_put_nvse(b, 5535, 9, "xyz", 3);
}
static void put_rev(struct mip4_buf *b)
{
	mip4_ext_put_rev_support(b, true, 0x5f5e1000);
}
static void put_rev2(struct mip4_buf *b)
{
	mip4_ext_put_rev_support(b, false, 0xffffffff);
}
static void put_dyn_ha(struct mip4_buf *b)
{
	mip4_ext_put_dyn_ha(b, 2, 0x0a000002);
}
static void put_udp_req(struct mip4_buf *b)
{
	mip4_ext_put_udp_req(b, true, false, MIP4_IPPROTO_IPIP);
}
static void put_udp_req2(struct mip4_buf *b)
{
	mip4_ext_put_udp_req(b, false, true, MIP4_IPPROTO_GRE);
}
static void put_msg_str(struct mip4_buf *b)
{
	mip4_ext_put_msg_string(b, 1, "hi");
}
static void put_tnc(struct mip4_buf *b) { mip4_ext_put_tnc(b); }

/* Every extension type in wire.h: encoder, the wire bytes from the RFC
 * figure, and the decoded view.  hdr is the header length before data. */
struct ext_case {
	void (*put)(struct mip4_buf *b);
	uint8_t wire[32];
	uint8_t len, hdr, subtype;
	struct mip4_ext want; /* only .u is used */
};

static const struct ext_case ext_cases[] = {
	/* RFC 5944 §2.1.3 / §1.8: one byte, no length */
	{put_pad, {0x00}, 1, 1, 0, {0}},
	/* RFC 5944 §3.5.2-3.5.4 */
	{put_mnha, {0x20, 0x14, 0, 0, 1, 0x20, X16(0xa1)}, 22, 2, 0,
	 {.u.auth = {0x120, NULL, 16}}},
	{put_mnfa, {0x21, 0x14, 0, 0, 1, 0x21, X16(0xb2)}, 22, 2, 0,
	 {.u.auth = {0x121, NULL, 16}}},
	{put_faha, {0x22, 0x14, 0, 0, 1, 0x22, X16(0xc3)}, 22, 2, 0,
	 {.u.auth = {0x122, NULL, 16}}},
	/* RFC 4721 §5: type, sub-type, 16-bit length */
	{put_gen, {0x24, 0x01, 0x00, 0x14, 0, 0, 1, 0x24, X16(0xd4)}, 24, 4, 1,
	 {.u.auth = {0x124, NULL, 16}}},
	/* RFC 3115 CVSE: type, reserved, 16-bit length, vendor, type */
	{put_cvse, {0x26, 0, 0, 8, 0, 0, 0x15, 0x9f, 0, 7, 'a', 'b'}, 12, 4, 0,
	 {.u.vse = {5535, 7, NULL, 2}}},
	/* RFC 3519 §3.2 */
	{put_udp_rep, {0x2c, 6, 0, 0, 0x80, 0, 0, 110}, 8, 3, 0,
	 {.u.udp_rep = {0, true, 110}}},
	{put_udp_rep2, {0x2c, 6, 0, 64, 0, 0, 0xff, 0xfe}, 8, 3, 0,
	 {.u.udp_rep = {64, false, 0xfffe}}},
	/* RFC 3024 §3.3 */
	{put_eds, {0x82, 0}, 2, 2, 0, {0}},
	/* RFC 2794 §2 */
	{put_nai, {0x83, 14, 'm', 'n', '@', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		   '.', 'c', 'o', 'm'},
	 16, 2, 0, {0}},
	/* RFC 4721 §4 */
	{put_chal, {0x84, 4, 0xde, 0xad, 0xbe, 0xef}, 6, 2, 0, {0}},
	/* RFC 3115 NVSE: type, length, 2 reserved, vendor, type */
	{put_nvse, {0x86, 11, 0, 0, 0, 0, 0x15, 0x9f, 0, 9, 'x', 'y', 'z'}, 13,
	 2, 0, {.u.vse = {5535, 9, NULL, 3}}},
	/* RFC 3543 §3.2 */
	{put_rev, {0x89, 6, 0x80, 0, 0x5f, 0x5e, 0x10, 0x00}, 8, 2, 0,
	 {.u.rev_support = {true, 0x5f5e1000}}},
	{put_rev2, {0x89, 6, 0, 0, 0xff, 0xff, 0xff, 0xff}, 8, 2, 0,
	 {.u.rev_support = {false, 0xffffffff}}},
	/* RFC 4433 §3.4 (short format, as the type is skippable) */
	{put_dyn_ha, {0x8b, 5, 2, 10, 0, 0, 2}, 7, 3, 2,
	 {.u.dyn_ha = {0x0a000002}}},
	/* RFC 3519 §3.1 */
	{put_udp_req, {0x90, 6, 0, 0, 0x80, 4, 0, 0}, 8, 3, 0,
	 {.u.udp_req = {true, false, 4}}},
	{put_udp_req2, {0x90, 6, 0, 0, 0x40, 47, 0, 0}, 8, 3, 0,
	 {.u.udp_req = {false, true, 47}}},
	/* RFC 4917 */
	{put_msg_str, {0x91, 3, 1, 'h', 'i'}, 5, 3, 1, {0}},
	/* RFC 5265 §3.4 */
	{put_tnc, {0x95, 2, 0, 0}, 4, 3, 0, {0}},
};

/* Compare one decoded extension with its table row. */
static void check_ext(const struct mip4_ext *e, const struct ext_case *c,
		      const uint8_t *msg, size_t off)
{
	assert_int_equal(e->type, c->wire[0]);
	assert_int_equal(e->subtype, c->subtype);
	assert_int_equal(e->off, off);
	assert_int_equal(e->len, c->len);
	assert_ptr_equal(e->data, msg + off + c->hdr);
	assert_int_equal(e->data_len, c->len - c->hdr);
	assert_false(e->skipped);
	switch (e->type) {
	case MIP4_EXT_MN_HA:
	case MIP4_EXT_MN_FA:
	case MIP4_EXT_FA_HA:
	case MIP4_EXT_GEN_AUTH:
		assert_int_equal(e->u.auth.spi, c->want.u.auth.spi);
		assert_ptr_equal(e->u.auth.auth, e->data + 4);
		assert_int_equal(e->u.auth.auth_len, c->want.u.auth.auth_len);
		break;
	case MIP4_EXT_CVSE:
	case MIP4_EXT_NVSE:
		assert_int_equal(e->u.vse.vendor, c->want.u.vse.vendor);
		assert_int_equal(e->u.vse.vtype, c->want.u.vse.vtype);
		assert_ptr_equal(e->u.vse.value,
				 e->data + (e->type == MIP4_EXT_NVSE ? 8 : 6));
		assert_int_equal(e->u.vse.value_len, c->want.u.vse.value_len);
		break;
	case MIP4_EXT_UDP_TUN_REP:
		assert_int_equal(e->u.udp_rep.code, c->want.u.udp_rep.code);
		assert_int_equal(e->u.udp_rep.forced, c->want.u.udp_rep.forced);
		assert_int_equal(e->u.udp_rep.keepalive,
				 c->want.u.udp_rep.keepalive);
		break;
	case MIP4_EXT_UDP_TUN_REQ:
		assert_int_equal(e->u.udp_req.force, c->want.u.udp_req.force);
		assert_int_equal(e->u.udp_req.fa_required,
				 c->want.u.udp_req.fa_required);
		assert_int_equal(e->u.udp_req.encap, c->want.u.udp_req.encap);
		break;
	case MIP4_EXT_REV_SUPPORT:
		assert_int_equal(e->u.rev_support.i_bit,
				 c->want.u.rev_support.i_bit);
		assert_int_equal(e->u.rev_support.timestamp,
				 c->want.u.rev_support.timestamp);
		break;
	case MIP4_EXT_DYN_HA:
		assert_int_equal(e->u.dyn_ha.ha, c->want.u.dyn_ha.ha);
		break;
	default:
		break;
	}
}

static void test_ext_each_type(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(ext_cases); i++) {
		const struct ext_case *c = &ext_cases[i];
		uint8_t mem[64], *p;
		struct mip4_buf b;
		struct mip4_msg m;

		mip4_buf_init(&b, mem, sizeof mem);
		mip4_rrq_put(&b, &base_rrq);
		c->put(&b);
		assert_false(b.overflow);
		assert_int_equal(b.len, MIP4_RRQ_LEN + c->len);
		assert_memory_equal(mem + MIP4_RRQ_LEN, c->wire, c->len);
		assert_string_not_equal(mip4_ext_type_str(c->wire[0]), "unknown");
		p = heap_copy(mem, b.len);
		assert_int_equal(mip4_msg_decode(p, b.len, &m), MIP4_OK);
		if (c->wire[0] == MIP4_EXT_PAD) { /* counted, not kept */
			assert_int_equal(m.n_ext, 0);
			assert_int_equal(m.n_pad, 1);
			free(p);
			continue;
		}
		assert_int_equal(m.n_ext, 1);
		check_ext(&m.ext[0], c, p, MIP4_RRQ_LEN);
		assert_ptr_equal(mip4_msg_find_ext(&m, c->wire[0], -1), &m.ext[0]);
		assert_ptr_equal(mip4_msg_find_ext(&m, c->wire[0], c->subtype),
				 &m.ext[0]);
		assert_null(mip4_msg_find_ext(&m, c->wire[0], c->subtype + 1));
		assert_int_equal(mip4_msg_ext_index(&m, c->wire[0]), 0);
		free(p);
	}
}

/* A registration request carrying every extension type in wire.h plus
 * two unknown skippable ones.  Returns its length; rows[] gets the row
 * of ext_cases for each extension (or -1 for the unknown ones). */
static size_t rich_msg(uint8_t *mem, size_t cap, int *rows, unsigned *n)
{
	static const uint8_t skip1[] = {200, 3, 1, 2, 3}, skip2[] = {255, 0};
	struct mip4_buf b;

	*n = 0;
	mip4_buf_init(&b, mem, cap);
	mip4_rrq_put(&b, &base_rrq);
	for (size_t i = 0; i < N(ext_cases); i++) {
		ext_cases[i].put(&b);
		if (ext_cases[i].wire[0] != MIP4_EXT_PAD) /* counted apart */
			rows[(*n)++] = (int)i;
		if (i == 3) {
			memcpy(mip4_buf_put(&b, sizeof skip1), skip1, sizeof skip1);
			rows[(*n)++] = -1;
		}
	}
	memcpy(mip4_buf_put(&b, sizeof skip2), skip2, sizeof skip2);
	rows[(*n)++] = -2;
	assert_false(b.overflow);
	return b.len;
}

static void test_ext_rich_message(void **state)
{
	uint8_t mem[512], *p;
	int rows[MIP4_MAX_EXT];
	unsigned n;
	size_t len = rich_msg(mem, sizeof mem, rows, &n), off = MIP4_RRQ_LEN;
	struct mip4_msg m;

	(void)state;
	p = heap_copy(mem, len);
	assert_int_equal(mip4_msg_decode(p, len, &m), MIP4_OK);
	assert_int_equal(m.n_ext, n);
	assert_int_equal(m.n_pad, 1);
	for (unsigned i = 0; i < n; i++) {
		if (m.ext[i].off == off + 1 && p[off] == MIP4_EXT_PAD)
			off++; /* the padding byte before it */
		if (rows[i] >= 0) {
			check_ext(&m.ext[i], &ext_cases[rows[i]], p, off);
		} else { /* unknown skippable: kept, flagged, data visible */
			assert_true(m.ext[i].skipped);
			assert_int_equal(m.ext[i].off, off);
			assert_int_equal(m.ext[i].type, rows[i] == -1 ? 200 : 255);
			assert_int_equal(m.ext[i].data_len, rows[i] == -1 ? 3 : 0);
			assert_ptr_equal(m.ext[i].data, p + off + 2);
		}
		off += m.ext[i].len;
	}
	assert_int_equal(off, len);
	/* first of several with a sub-type filter */
	assert_ptr_equal(mip4_msg_find_ext(&m, MIP4_EXT_UDP_TUN_REQ, 0),
			 &m.ext[mip4_msg_ext_index(&m, MIP4_EXT_UDP_TUN_REQ)]);
	assert_null(mip4_msg_find_ext(&m, 1, -1));
	assert_int_equal(mip4_msg_ext_index(&m, 1), -1);
	free(p);
}

/* Unknown types 128..255 are skipped by their length and the rest of the
 * message is still parsed (RFC 5944 §1.8). */
static void test_ext_unknown_skippable(void **state)
{
	static const uint8_t types[] = {128, 129, 133, 135, 140, 200, 254, 255};
	(void)state;
	for (size_t i = 0; i < N(types); i++) {
		for (uint8_t dl = 0; dl < 4; dl++) {
			uint8_t ext[64] = {types[i], dl, 0xee, 0xee, 0xee}, mem[128];
			size_t n = 2u + dl, len;
			struct mip4_buf b;
			struct mip4_msg m;
			uint8_t *p;

			/* unknown, then NAI, then MN-HA */
			mip4_buf_init(&b, ext + n, sizeof ext - n);
			put_nai(&b);
			put_mnha(&b);
			len = rrq_raw(mem, sizeof mem, 0, ext, n + b.len);
			p = heap_copy(mem, len);
			assert_int_equal(mip4_msg_decode(p, len, &m), MIP4_OK);
			assert_int_equal(m.n_ext, 3);
			assert_true(m.ext[0].skipped);
			assert_int_equal(m.ext[0].type, types[i]);
			assert_int_equal(m.ext[0].len, n);
			assert_int_equal(m.ext[0].data_len, dl);
			assert_string_equal(mip4_ext_type_str(types[i]),
					    "unknown-skippable");
			check_ext(&m.ext[1], &ext_cases[9], p, 24 + n);
			check_ext(&m.ext[2], &ext_cases[1], p, 24 + n + 16);
			free(p);
		}
	}
}

/* Unknown types 0..127 discard the message (RFC 5944 §1.8). */
static void test_ext_unknown_nonskippable(void **state)
{
	static const uint8_t types[] = {1,  2,  5,  16, 19, 24, 31,
					35, 37, 39, 43, 45, 100, 127};
	(void)state;
	assert_string_equal(mip4_ext_type_str(5), "unknown");
	for (size_t i = 0; i < N(types); i++) {
		uint8_t ext[64], mem[128], *p;
		struct mip4_buf b;
		struct mip4_msg m;
		size_t len;
		const uint8_t unk[] = {types[i], 2, 0, 0};

		mip4_buf_init(&b, ext, sizeof ext);
		put_nai(&b);			/* 16 bytes */
		mip4_ext_put_raw(&b, 200, "x", 1); /* skippable, 3 bytes */
		memcpy(mip4_buf_put(&b, 4), unk, 4);
		put_mnha(&b);
		len = rrq_raw(mem, sizeof mem, 0, ext, b.len);
		p = heap_copy(mem, len);
		assert_int_equal(mip4_msg_decode(p, len, &m), MIP4_E_EXT_UNKNOWN);
		assert_int_equal(m.bad_ext_type, types[i]);
		assert_int_equal(m.bad_off, 24 + 16 + 3);
		free(p);
	}
}

/* Truncate a rich message at every byte: each prefix decodes either to
 * the shorter valid message ending on an extension boundary or to an
 * error naming the extension that was cut. */
static void test_truncation_every_offset(void **state)
{
	uint8_t mem[512];
	int rows[MIP4_MAX_EXT];
	unsigned n;
	size_t len = rich_msg(mem, sizeof mem, rows, &n);
	struct mip4_msg full, m;

	(void)state;
	assert_int_equal(mip4_msg_decode(mem, len, &full), MIP4_OK);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *p = heap_copy(mem, cut);
		int rc = mip4_msg_decode(p, cut, &m);
		unsigned whole = 0, partial = 0;

		for (unsigned i = 0; i < full.n_ext; i++) {
			size_t end = (size_t)full.ext[i].off + full.ext[i].len;

			if (end <= cut)
				whole++;
			else if (full.ext[i].off < cut)
				partial = i + 1;
		}
		if (cut < MIP4_RRQ_LEN) {
			assert_int_equal(rc, MIP4_E_TRUNCATED);
		} else if (!partial) {
			assert_int_equal(rc, MIP4_OK);
			assert_int_equal(m.n_ext, whole);
			for (unsigned i = 0; i < whole; i++) {
				assert_int_equal(m.ext[i].type, full.ext[i].type);
				assert_int_equal(m.ext[i].off, full.ext[i].off);
				assert_int_equal(m.ext[i].len, full.ext[i].len);
			}
		} else {
			assert_int_equal(rc, MIP4_E_EXT_TRUNCATED);
			assert_int_equal(m.bad_off, full.ext[partial - 1].off);
			assert_int_equal(m.bad_ext_type, full.ext[partial - 1].type);
			assert_int_equal(m.n_ext, partial - 1);
		}
		free(p);
	}
}

/* Raw extension bytes after an RRQ fixed part that must be refused. */
struct bad_ext {
	uint8_t b[40];
	uint8_t n;
	int err;
};

static const struct bad_ext bad_exts[] = {
	/* length runs past the end of the message */
	{{0x83, 5, 'a', 'b'}, 4, MIP4_E_EXT_TRUNCATED},
	{{0xc8, 4, 1, 2}, 4, MIP4_E_EXT_TRUNCATED},
	{{0x20, 0xff, 0, 0, 1, 0}, 6, MIP4_E_EXT_TRUNCATED},
	{{0x24, 1, 0x00, 0x30, 0, 0, 1, 0, X16(1)}, 24, MIP4_E_EXT_TRUNCATED},
	{{0x24, 1, 0xff, 0xff}, 4, MIP4_E_EXT_TRUNCATED},
	{{0x26, 0, 0}, 3, MIP4_E_EXT_TRUNCATED},
	{{0x90, 6, 0, 0, 0}, 5, MIP4_E_EXT_TRUNCATED},
	{{0x90, 6}, 2, MIP4_E_EXT_TRUNCATED},
	{{0x90}, 1, MIP4_E_EXT_TRUNCATED},
	{{0x86, 9, 0, 0, 0, 0, 0, 1, 0, 1}, 10, MIP4_E_EXT_TRUNCATED},
	/* zero-length data where the type needs some */
	{{0x20, 0}, 2, MIP4_E_EXT_LENGTH},
	{{0x21, 0}, 2, MIP4_E_EXT_LENGTH},
	{{0x22, 0}, 2, MIP4_E_EXT_LENGTH},
	{{0x24, 1, 0, 0}, 4, MIP4_E_EXT_LENGTH},
	{{0x26, 0, 0, 0}, 4, MIP4_E_EXT_LENGTH},
	{{0x83, 0}, 2, MIP4_E_EXT_LENGTH},
	{{0x84, 0}, 2, MIP4_E_EXT_LENGTH},
	{{0x86, 0}, 2, MIP4_E_EXT_LENGTH},
	{{0x89, 0}, 2, MIP4_E_EXT_LENGTH},
	/* short format: the length must at least cover the sub-type */
	{{0x2c, 0}, 2, MIP4_E_EXT_LENGTH},
	{{0x8b, 0}, 2, MIP4_E_EXT_LENGTH},
	{{0x90, 0}, 2, MIP4_E_EXT_LENGTH},
	{{0x91, 0}, 2, MIP4_E_EXT_LENGTH},
	{{0x95, 0}, 2, MIP4_E_EXT_LENGTH},
	/* data too short for the type */
	{{0x20, 3, 0, 0, 1}, 5, MIP4_E_EXT_LENGTH},
	{{0x24, 1, 0, 19, 0, 0, 1, 0, X16(0)}, 23, MIP4_E_EXT_LENGTH},
	{{0x26, 0, 0, 5, 0, 0, 0x15, 0x9f, 0}, 9, MIP4_E_EXT_LENGTH},
	{{0x86, 7, 0, 0, 0, 0, 0x15, 0x9f, 0}, 9, MIP4_E_EXT_LENGTH},
	{{0x89, 5, 0, 0, 1, 2, 3}, 7, MIP4_E_EXT_LENGTH},
	/* wrong fixed lengths */
	{{0x95, 3, 0, 0, 0}, 5, MIP4_E_EXT_LENGTH}, /* TNC is 2 */
	{{0x95, 1, 0}, 3, MIP4_E_EXT_LENGTH},
	{{0x2c, 5, 0, 0, 0x80, 0, 0}, 7, MIP4_E_EXT_LENGTH}, /* UDP rep 6 */
	{{0x2c, 7, 0, 0, 0x80, 0, 0, 1, 0}, 9, MIP4_E_EXT_LENGTH},
	{{0x90, 5, 0, 0, 0x80, 4, 0}, 7, MIP4_E_EXT_LENGTH}, /* UDP req 6 */
	{{0x90, 7, 0, 0, 0x80, 4, 0, 0, 0}, 9, MIP4_E_EXT_LENGTH},
	{{0x8b, 4, 1, 10, 0, 0}, 6, MIP4_E_EXT_LENGTH}, /* dyn HA 5 */
	{{0x8b, 6, 1, 10, 0, 0, 2, 0}, 8, MIP4_E_EXT_LENGTH},
	{{0x82, 1, 0}, 3, MIP4_E_EXT_LENGTH}, /* encap delivery 0 */
};

static void test_ext_bad_lengths(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(bad_exts); i++) {
		uint8_t ext[64], mem[128], *p;
		struct mip4_buf b;
		struct mip4_msg m;
		size_t len;

		mip4_buf_init(&b, ext, sizeof ext);
		put_nai(&b); /* a valid extension first: bad_off = 24 + 16 */
		memcpy(mip4_buf_put(&b, bad_exts[i].n), bad_exts[i].b,
		       bad_exts[i].n);
		len = rrq_raw(mem, sizeof mem, 0, ext, b.len);
		p = heap_copy(mem, len);
		ROW_EQ(mip4_msg_decode(p, len, &m), bad_exts[i].err, i);
		ROW_EQ(m.bad_ext_type, bad_exts[i].b[0], i);
		ROW_EQ(m.bad_off, 24 + 16, i);
		ROW_EQ(m.n_ext, 1, i);
		free(p);
	}
}

/* RFC 3543 §3.2: the revocation support extension's Length is "currently
 * 6" and "allows for a longer extension length should more bits be
 * required in the future", so a longer one must still parse. */
static void test_rev_support_longer_length(void **state)
{
	static const uint8_t ext[] = {0x89, 8, 0x80, 0, 0x5f, 0x5e, 0x10, 0,
				      0xaa, 0xbb};
	uint8_t mem[64];
	size_t len = rrq_raw(mem, sizeof mem, 0, ext, sizeof ext);
	struct mip4_msg m;

	(void)state;
	assert_int_equal(mip4_msg_decode(mem, len, &m), MIP4_OK);
	assert_int_equal(m.n_ext, 1);
	assert_true(m.ext[0].u.rev_support.i_bit);
	assert_int_equal(m.ext[0].u.rev_support.timestamp, 0x5f5e1000);
}

/* RFC 4433 §3.4 draws the dynamic HA extension in the long format:
 * type, sub-type, 16-bit length 4.  Accepted besides the short form. */
static void test_dyn_ha_long_form(void **state)
{
	(void)state;
	for (uint8_t st = 1; st <= 2; st++) {
		const uint8_t ext[] = {0x8b, st, 0, 4, 10, 0, 0, 9,
				       0x83, 1, 'a'};
		uint8_t mem[64], *p;
		size_t len = rrq_raw(mem, sizeof mem, 0, ext, sizeof ext);
		struct mip4_msg m;

		p = heap_copy(mem, len);
		assert_int_equal(mip4_msg_decode(p, len, &m), MIP4_OK);
		assert_int_equal(m.n_ext, 2);
		assert_int_equal(m.ext[0].subtype, st);
		assert_int_equal(m.ext[0].len, 8);
		assert_ptr_equal(m.ext[0].data, p + 28);
		assert_int_equal(m.ext[0].data_len, 4);
		assert_int_equal(m.ext[0].u.dyn_ha.ha, 0x0a000009);
		assert_int_equal(m.ext[1].type, MIP4_EXT_NAI);
		free(p);
		for (size_t cut = 25; cut < 32; cut++) { /* cut inside it */
			int rc;

			p = heap_copy(mem, cut);
			rc = mip4_msg_decode(p, cut, &m);
			/* 8b 0s 00 also reads as a short form of length 1 */
			if (rc != MIP4_E_EXT_TRUNCATED &&
			    !(cut == 27 && rc == MIP4_E_EXT_LENGTH))
				fail_msg("cut %zu: %s", cut, mip4_strerror(rc));
			assert_int_equal(m.bad_off, 24);
			free(p);
		}
	}
}

/* RFC 3519 §3.1 and §3.1.3: a UDP tunnel request whose Reserved 3 field
 * is not zero "MUST be handled as not understood and silently skipped". */
static void test_udp_req_reserved3_nonzero(void **state)
{
	static const uint8_t ext[] = {0x90, 6, 0, 0, 0x80, 4, 0, 1};
	uint8_t mem[64];
	size_t len = rrq_raw(mem, sizeof mem, 0, ext, sizeof ext);
	struct mip4_msg m;

	(void)state;
	assert_int_equal(mip4_msg_decode(mem, len, &m), MIP4_OK);
	assert_int_equal(m.n_ext, 1);
	assert_true(m.ext[0].skipped);
}

static void test_ext_too_many(void **state)
{
	/* MIP4_MAX_EXT + 1 skippable extensions of 2 bytes, a padding byte
	 * after each, then an NAI */
	uint8_t ext[3 * (MIP4_MAX_EXT + 1) + 3], mem[sizeof ext + 64];
	struct mip4_msg m;
	size_t len, off = 0;

	(void)state;
	for (unsigned i = 0; i < MIP4_MAX_EXT + 1; i++) {
		ext[off++] = 200; /* unknown, skippable */
		ext[off++] = 0;
		ext[off++] = MIP4_EXT_PAD;
	}
	/* padding does not count: MIP4_MAX_EXT extensions and as many
	 * paddings decode */
	len = rrq_raw(mem, sizeof mem, 0, ext, 3 * MIP4_MAX_EXT);
	assert_int_equal(mip4_msg_decode(mem, len, &m), MIP4_OK);
	assert_int_equal(m.n_ext, MIP4_MAX_EXT);
	assert_int_equal(m.n_pad, MIP4_MAX_EXT);
	/* a thousand paddings alone too */
	{
		static uint8_t pads[1000], big[1100];

		len = rrq_raw(big, sizeof big, 0, pads, sizeof pads);
		assert_int_equal(mip4_msg_decode(big, len, &m), MIP4_OK);
		assert_int_equal(m.n_ext, 0);
		assert_int_equal(m.n_pad, 1000);
	}
	/* one extension more fails, at that extension */
	len = rrq_raw(mem, sizeof mem, 0, ext, 3 * (MIP4_MAX_EXT + 1));
	assert_int_equal(mip4_msg_decode(mem, len, &m), MIP4_E_EXT_TOO_MANY);
	assert_int_equal(m.bad_off, 24 + 3 * MIP4_MAX_EXT);
	assert_int_equal(m.bad_ext_type, 200);
	/* MIP4_MAX_EXT extensions then an NAI */
	off = 3 * MIP4_MAX_EXT;
	ext[off] = MIP4_EXT_NAI;
	ext[off + 1] = 1;
	ext[off + 2] = 'a';
	len = rrq_raw(mem, sizeof mem, 0, ext, off + 3);
	assert_int_equal(mip4_msg_decode(mem, len, &m), MIP4_E_EXT_TOO_MANY);
	assert_int_equal(m.bad_ext_type, MIP4_EXT_NAI);
}

/* ---- placement rules, mip4_rrq_check_order() ---- */

struct order_case {
	const char *name;
	uint8_t flags;
	uint8_t ext[8]; /* extension types in order, 0 ends */
	int err;
	int bad_type; /* and its index in ext[] for MIP4_E_EXT_ORDER */
	int bad_idx;
};

#define T MIP4_RRQ_T
static const struct order_case order_cases[] = {
	{"nai, mn-ha", 0, {131, 32}, MIP4_OK, -1, -1},
	{"full MN order", T, {131, 144, 137, 32, 130, 134, 33}, MIP4_OK, -1, -1},
	{"FA adds udp + fa-ha", 0, {131, 32, 33, 144, 34}, MIP4_OK, -1, -1},
	{"no auth at all", 0, {131, 144}, MIP4_OK, -1, -1},
	{"repeatable types", 0, {134, 134, 200, 200, 32}, MIP4_OK, -1, -1},
	{"dup mn-ha", 0, {32, 32}, MIP4_E_EXT_DUPLICATE, 32, -1},
	{"dup mn-fa", 0, {32, 33, 33}, MIP4_E_EXT_DUPLICATE, 33, -1},
	{"dup fa-ha", 0, {32, 34, 34}, MIP4_E_EXT_DUPLICATE, 34, -1},
	{"dup nai", 0, {131, 131, 32}, MIP4_E_EXT_DUPLICATE, 131, -1},
	{"dup udp req", 0, {144, 144, 32}, MIP4_E_EXT_DUPLICATE, 144, -1},
	{"dup eds", T, {32, 130, 130}, MIP4_E_EXT_DUPLICATE, 130, -1},
	{"dup tnc", 0, {149, 149, 32}, MIP4_E_EXT_DUPLICATE, 149, -1},
	{"mn-fa before mn-ha", 0, {33, 32}, MIP4_E_EXT_ORDER, 33, 0},
	{"fa-ha before mn-ha", 0, {131, 34, 32}, MIP4_E_EXT_ORDER, 34, 1},
	{"nai after mn-ha", 0, {32, 131}, MIP4_E_EXT_ORDER, 131, 1},
	{"nai after mn-fa", 0, {33, 131}, MIP4_E_EXT_ORDER, 131, 1},
	{"udp after mn-ha (added by an FA)", 0, {32, 144}, MIP4_OK, -1, -1},
	{"udp after mn-ha, fa-ha first", 0, {32, 34, 144}, MIP4_E_EXT_ORDER,
	 144, 2},
	{"udp after mn-ha, fa-ha after", 0, {32, 144, 34}, MIP4_OK, -1, -1},
	{"eds, T, mn-ha < eds < mn-fa", T, {32, 130, 33}, MIP4_OK, -1, -1},
	{"eds without T", 0, {32, 130}, MIP4_E_EXT_ORDER, 130, 1},
	{"eds before mn-ha", T, {130, 32}, MIP4_E_EXT_ORDER, 130, 0},
	{"eds after mn-fa", T, {32, 33, 130}, MIP4_E_EXT_ORDER, 130, 2},
};
#undef T

static void put_type(struct mip4_buf *b, uint8_t type)
{
	for (size_t i = 0; i < N(ext_cases); i++)
		if (ext_cases[i].wire[0] == type) {
			ext_cases[i].put(b);
			return;
		}
	mip4_ext_put_raw(b, type, "?", 1); /* unknown skippable */
}

static void test_rrq_check_order(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(order_cases); i++) {
		const struct order_case *c = &order_cases[i];
		struct mip4_rrq r = base_rrq;
		uint8_t mem[512];
		struct mip4_buf b;
		struct mip4_msg m;

		r.flags = c->flags;
		mip4_buf_init(&b, mem, sizeof mem);
		mip4_rrq_put(&b, &r);
		for (size_t k = 0; k < sizeof c->ext && c->ext[k]; k++)
			put_type(&b, c->ext[k]);
		assert_false(b.overflow);
		assert_int_equal(mip4_msg_decode(mem, b.len, &m), MIP4_OK);
		ROW_EQ(mip4_rrq_check_order(&m), c->err, i);
		if (c->err != MIP4_OK)
			ROW_EQ(m.bad_ext_type, c->bad_type, i);
		if (c->bad_idx >= 0)
			ROW_EQ(m.bad_off, m.ext[c->bad_idx].off, i);
	}
}

/* ---- encoder overflow ---- */

static void enc_rrq(struct mip4_buf *b) { mip4_rrq_put(b, &base_rrq); }
static void enc_rrp(struct mip4_buf *b)
{
	struct mip4_rrp r = {0, 1, 2, 3, 4};

	mip4_rrp_put(b, &r);
}
static void enc_td(struct mip4_buf *b) { mip4_tunnel_data_put(b, 4); }
static void enc_rev(struct mip4_buf *b)
{
	struct mip4_revoke r = {true, true, 1, 2, 3, 4};

	mip4_revoke_put(b, &r);
}
static void enc_rack(struct mip4_buf *b)
{
	struct mip4_revoke_ack r = {true, 1, 2};

	mip4_revoke_ack_put(b, &r);
}
static void enc_short(struct mip4_buf *b) { mip4_ext_put_short(b, 200, 3, "abc", 3); }
static void enc_long(struct mip4_buf *b) { mip4_ext_put_long(b, 36, 1, "abcdefgh", 8); }
static void enc_full_rrq(struct mip4_buf *b)
{
	struct mip4_sa sa;

	assert_int_equal(mip4_sa_init(&sa, 300, "key", 3), 0);
	enc_rrq(b);
	put_nai(b);
	put_udp_req(b);
	mip4_auth_append(b, MIP4_EXT_MN_HA, &sa);
	put_eds(b);
	mip4_auth_append(b, MIP4_EXT_MN_FA, &sa);
	mip4_auth_append_gen(b, 1, &sa);
}
static const struct mip4_adv sample_adv = {
	.lifetime = 1800,
	.n_routers = 1,
	.router = {{0xc0000201, 0}},
	.seq = 42,
	.reg_lifetime = 600,
	.flags = MIP4_ADV_F | MIP4_ADV_G | MIP4_ADV_T | MIP4_ADV_U,
	.n_coa = 2,
	.coa = {0xc000020a, 0xc000020b},
	.has_prefix_len = true,
	.n_prefix_len = 1,
	.prefix_len = {24},
	.challenge = (const uint8_t *)"\xde\xad\xbe\xef",
	.challenge_len = 4,
};
static void enc_adv(struct mip4_buf *b) { mip4_adv_put(b, &sample_adv, true); }
static void enc_sol(struct mip4_buf *b) { mip4_sol_put(b); }

static void (*const encoders[])(struct mip4_buf *) = {
	enc_rrq,   enc_rrp,	 enc_td,  enc_rev,     enc_rack,
	enc_short, enc_long,	 enc_adv, enc_sol,     enc_full_rrq,
	put_pad,   put_mnha,	 put_gen, put_cvse,    put_udp_rep,
	put_eds,   put_nai,	 put_chal, put_nvse,   put_rev,
	put_dyn_ha, put_udp_req, put_msg_str, put_tnc,
};

#define GUARD 32

/* For every capacity below what an encoder needs: overflow is flagged,
 * len stays within cap and the guard after cap is untouched. */
static void test_encoder_overflow_guard(void **state)
{
	(void)state;
	for (size_t e = 0; e < N(encoders); e++) {
		uint8_t ref[512], mem[512 + GUARD];
		struct mip4_buf b;
		size_t need;

		mip4_buf_init(&b, ref, sizeof ref);
		encoders[e](&b);
		assert_false(b.overflow);
		need = b.len;
		for (size_t cap = 0; cap <= need; cap++) {
			memset(mem, 0xa5, sizeof mem);
			mip4_buf_init(&b, mem, cap);
			encoders[e](&b);
			assert_true(b.len <= cap);
			for (size_t k = cap; k < cap + GUARD; k++)
				assert_int_equal(mem[k], 0xa5);
			if (cap < need) {
				assert_true(b.overflow);
			} else {
				assert_false(b.overflow);
				assert_memory_equal(mem, ref, need);
			}
		}
	}
}

static void test_encoder_oversize(void **state)
{
	static uint8_t big[70000];
	char s[300];
	uint8_t mem[64];
	struct mip4_buf b;

	(void)state;
	memset(s, 'a', sizeof s - 1);
	s[sizeof s - 1] = 0;
#define OVERSIZE(call)                                                      \
	do {                                                                \
		mip4_buf_init(&b, mem, sizeof mem);                         \
		call;                                                       \
		assert_true(b.overflow);                                    \
		assert_int_equal(b.len, 0);                                 \
	} while (0)
	OVERSIZE(mip4_ext_put_raw(&b, 200, big, 256));
	OVERSIZE(mip4_ext_put_short(&b, 200, 0, big, 255));
	OVERSIZE(mip4_ext_put_long(&b, 36, 0, big, 65536));
	OVERSIZE(mip4_ext_put_nvse(&b, 1, 1, big, 248));
	OVERSIZE(mip4_ext_put_cvse(&b, 1, 1, big, 65530));
	OVERSIZE(mip4_ext_put_nai(&b, s));
	OVERSIZE(mip4_ext_put_msg_string(&b, 0, s));
	OVERSIZE(assert_null(mip4_buf_put(&b, SIZE_MAX)));
#undef OVERSIZE
	/* the largest that fit */
	{
		static uint8_t out[70000];

		mip4_buf_init(&b, out, sizeof out);
		mip4_ext_put_raw(&b, 200, big, 255);
		mip4_ext_put_short(&b, 200, 0, big, 254);
		mip4_ext_put_nvse(&b, 1, 1, big, 247);
		assert_false(b.overflow);
		assert_int_equal(b.len, 257 + 257 + 257);
		mip4_buf_init(&b, out, sizeof out);
		mip4_ext_put_cvse(&b, 1, 1, big, 65529);
		assert_false(b.overflow);
		assert_int_equal(mip4_get16(out + 2), 65535);
	}
	/* overflow is sticky */
	mip4_buf_init(&b, mem, 10);
	assert_null(mip4_buf_put(&b, 11));
	assert_null(mip4_buf_put(&b, 1));
	assert_true(b.overflow);
	assert_int_equal(b.len, 0);
}

/* ---- agent advertisement and solicitation ---- */

/* RFC 5944 §2.1 / appendix G.1 by hand: one router, mobility extension
 * with two CoAs, prefix lengths, RFC 4721 challenge, one pad byte.  The
 * checksum 0xb416 was computed offline with a Python RFC 1071 sum. */
static const uint8_t adv_wire[] = {
	0x09, 0x00, 0xb4, 0x16, 0x01, 0x02, 0x07, 0x08, /* ICMP 9, 1 addr */
	0xc0, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, /* router, pref 0 */
	0x10, 0x0e, 0x00, 0x2a, 0x02, 0x58, 0x15, 0x80, /* type 16, F|G|T|U */
	0xc0, 0x00, 0x02, 0x0a, 0xc0, 0x00, 0x02, 0x0b, /* 2 CoAs */
	0x13, 0x01, 0x18,				/* prefix lengths */
	0x18, 0x04, 0xde, 0xad, 0xbe, 0xef,		/* challenge */
	0x00,						/* padding */
};

static void check_sample_adv(const struct mip4_adv *a, const uint8_t *p)
{
	assert_int_equal(a->code, 0);
	assert_int_equal(a->num_addrs, 1);
	assert_int_equal(a->addr_entry_size, 2);
	assert_int_equal(a->lifetime, 1800);
	assert_int_equal(a->n_routers, 1);
	assert_int_equal(a->router[0].addr, 0xc0000201);
	assert_int_equal(a->router[0].pref, 0);
	assert_true(a->has_mobility);
	assert_int_equal(a->seq, 42);
	assert_int_equal(a->reg_lifetime, 600);
	assert_int_equal(a->flags, 0x1580);
	assert_int_equal(a->n_coa, 2);
	assert_int_equal(a->coa[0], 0xc000020a);
	assert_int_equal(a->coa[1], 0xc000020b);
	assert_true(a->has_prefix_len);
	assert_int_equal(a->n_prefix_len, 1);
	assert_int_equal(a->prefix_len[0], 24);
	assert_ptr_equal(a->challenge, p + 37);
	assert_int_equal(a->challenge_len, 4);
	assert_int_equal(a->n_skipped, 0);
}

static void test_adv_bytes_exact(void **state)
{
	uint8_t mem[128], *p;
	struct mip4_buf b;
	struct mip4_adv a;

	(void)state;
	mip4_buf_init(&b, mem, sizeof mem);
	mip4_adv_put(&b, &sample_adv, true);
	assert_false(b.overflow);
	assert_int_equal(b.len, sizeof adv_wire);
	assert_memory_equal(mem, adv_wire, sizeof adv_wire);
	assert_int_equal(mip4_inet_csum(mem, b.len), 0);

	p = heap_copy(adv_wire, sizeof adv_wire);
	assert_int_equal(mip4_adv_decode(p, sizeof adv_wire, &a), MIP4_OK);
	check_sample_adv(&a, p);
	assert_int_equal(a.checksum, 0xb416);
	assert_int_equal(a.n_pad, 1);
	free(p);

	/* without padding: odd length, checksum still valid */
	mip4_buf_init(&b, mem, sizeof mem);
	mip4_adv_put(&b, &sample_adv, false);
	assert_int_equal(b.len, sizeof adv_wire - 1);
	assert_int_equal(mip4_inet_csum(mem, b.len), 0);
	p = heap_copy(mem, b.len);
	assert_int_equal(mip4_adv_decode(p, b.len, &a), MIP4_OK);
	check_sample_adv(&a, p);
	assert_int_equal(a.n_pad, 0);
	free(p);
}

static void test_adv_roundtrip(void **state)
{
	struct mip4_adv in = {0}, out;
	uint8_t mem[512], *p;
	struct mip4_buf b;

	(void)state;
	in.code = 16;
	in.lifetime = 0xffff;
	in.n_routers = 3;
	for (unsigned i = 0; i < 3; i++) {
		in.router[i].addr = 0x0a000001u + i;
		in.router[i].pref = (int32_t)i - 1; /* -1, 0, 1 */
		in.prefix_len[i] = (uint8_t)(8 + 8 * i);
	}
	in.has_prefix_len = true;
	in.n_prefix_len = 3;
	in.seq = 0xffff;
	in.reg_lifetime = 0xffff;
	in.flags = MIP4_ADV_R | MIP4_ADV_B | MIP4_ADV_H | MIP4_ADV_F |
		   MIP4_ADV_M | MIP4_ADV_X | MIP4_ADV_I;
	in.n_coa = MIP4_MAX_COA;
	for (unsigned i = 0; i < MIP4_MAX_COA; i++)
		in.coa[i] = 0xc0000200u + i;
	for (int pad = 0; pad < 2; pad++) {
		mip4_buf_init(&b, mem, sizeof mem);
		mip4_adv_put(&b, &in, pad);
		assert_false(b.overflow);
		/* 8 + 24 + 8 + 64 + 5 = 109, padded to 110 */
		assert_int_equal(b.len, pad ? 110 : 109);
		assert_int_equal(mip4_inet_csum(mem, b.len), 0);
		p = heap_copy(mem, b.len);
		assert_int_equal(mip4_adv_decode(p, b.len, &out), MIP4_OK);
		assert_int_equal(out.code, 16);
		assert_int_equal(out.lifetime, 0xffff);
		assert_int_equal(out.n_routers, 3);
		for (unsigned i = 0; i < 3; i++) {
			assert_int_equal(out.router[i].addr, in.router[i].addr);
			assert_int_equal(out.router[i].pref, in.router[i].pref);
			assert_int_equal(out.prefix_len[i], in.prefix_len[i]);
		}
		assert_int_equal(out.n_prefix_len, 3);
		assert_int_equal(out.seq, in.seq);
		assert_int_equal(out.reg_lifetime, in.reg_lifetime);
		assert_int_equal(out.flags, in.flags);
		assert_int_equal(out.n_coa, MIP4_MAX_COA);
		assert_memory_equal(out.coa, in.coa, sizeof in.coa);
		assert_null(out.challenge);
		assert_int_equal(out.n_pad, (unsigned)pad);
		free(p);
	}
	/* even length: pad_to_even adds nothing */
	in.has_prefix_len = false;
	mip4_buf_init(&b, mem, sizeof mem);
	mip4_adv_put(&b, &in, true);
	assert_int_equal(b.len, 8 + 24 + 8 + 64);
	assert_int_equal(mip4_inet_csum(mem, b.len), 0);
}

struct adv_case {
	const char *name;
	uint8_t b[48];
	uint8_t n;
	int err;
	unsigned n_skipped;
};

/* ICMP header with one router entry of 2 words, then extensions */
#define ADV1 9, 0, 0, 0, 1, 2, 7, 8, 192, 0, 2, 1, 0, 0, 0, 0
#define MOB0 16, 6, 0, 1, 0, 60, 0x10, 0
static const struct adv_case adv_cases[] = {
	{"entry size 1", {9, 0, 0, 0, 1, 1, 7, 8, 192, 0, 2, 1}, 12,
	 MIP4_E_ICMP, 0},
	{"entry size 0", {9, 0, 0, 0, 0, 0, 7, 8}, 8, MIP4_E_ICMP, 0},
	{"num_addrs past end", {9, 0, 0, 0, 3, 2, 7, 8, 192, 0, 2, 1, 0, 0, 0,
				 0, MOB0},
	 24, MIP4_E_TRUNCATED, 0},
	{"num_addrs 255", {9, 0, 0, 0, 255, 2, 7, 8}, 8, MIP4_E_TRUNCATED, 0},
	{"short header", {9, 0, 0, 0, 0, 2, 7}, 7, MIP4_E_TRUNCATED, 0},
	{"solicitation", {10, 0, 0, 0, 0, 0, 0, 0}, 8, MIP4_E_ICMP, 0},
	{"mobility len 0", {ADV1, 16, 0}, 18, MIP4_E_EXT_LENGTH, 0},
	{"mobility len 5", {ADV1, 16, 5, 0, 1, 0, 60, 0x10}, 23,
	 MIP4_E_EXT_LENGTH, 0},
	{"mobility len 7", {ADV1, 16, 7, 0, 1, 0, 60, 0x10, 0, 1}, 25,
	 MIP4_E_EXT_LENGTH, 0},
	{"mobility len 9", {ADV1, 16, 9, 0, 1, 0, 60, 0x10, 0, 1, 2, 3}, 27,
	 MIP4_E_EXT_LENGTH, 0},
	{"mobility len 10 ok", {ADV1, 16, 10, 0, 1, 0, 60, 0x10, 0, 1, 2, 3, 4},
	 28, MIP4_OK, 0},
	{"duplicate mobility", {ADV1, MOB0, MOB0}, 32, MIP4_E_EXT_DUPLICATE, 0},
	{"duplicate prefix", {ADV1, MOB0, 19, 1, 24, 19, 1, 24}, 30,
	 MIP4_E_EXT_DUPLICATE, 0},
	{"unknown 17", {ADV1, MOB0, 17, 0}, 26, MIP4_E_EXT_UNKNOWN, 0},
	{"unknown 32", {ADV1, MOB0, 32, 2, 0, 0}, 28, MIP4_E_EXT_UNKNOWN, 0},
	{"unknown 127", {ADV1, 127, 0, MOB0}, 26, MIP4_E_EXT_UNKNOWN, 0},
	{"challenge len 0", {ADV1, MOB0, 24, 0}, 26, MIP4_E_EXT_LENGTH, 0},
	{"ext overrun", {ADV1, 16, 10, 0, 1, 0, 60, 0x10, 0}, 24,
	 MIP4_E_EXT_TRUNCATED, 0},
	{"lone type byte", {ADV1, MOB0, 19}, 25, MIP4_E_EXT_TRUNCATED, 0},
	{"skippable counted", {ADV1, 128, 1, 9, MOB0, 255, 0, 0, 200, 2, 1, 2},
	 34, MIP4_OK, 3},
	{"pads", {ADV1, 0, MOB0, 0, 0}, 27, MIP4_OK, 0},
	{"no mobility ext", {ADV1}, 16, MIP4_OK, 0},
};

static void test_adv_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(adv_cases); i++) {
		uint8_t *p = heap_copy(adv_cases[i].b, adv_cases[i].n);
		struct mip4_adv a;

		ROW_EQ(mip4_adv_decode(p, adv_cases[i].n, &a), adv_cases[i].err,
		       i);
		if (adv_cases[i].err == MIP4_OK) {
			ROW_EQ(a.n_skipped, adv_cases[i].n_skipped, i);
			ROW_EQ(a.n_routers, 1, i);
			ROW_EQ(a.router[0].addr, 0xc0000201, i);
		}
		free(p);
	}
	{ /* the OK rows in detail */
		struct mip4_adv a;

		assert_int_equal(mip4_adv_decode(adv_cases[19].b, 34, &a), MIP4_OK);
		assert_true(a.has_mobility);
		assert_int_equal(a.seq, 1);
		assert_int_equal(a.reg_lifetime, 60);
		assert_int_equal(a.flags, MIP4_ADV_F);
		assert_int_equal(a.n_coa, 0);
		assert_int_equal(mip4_adv_decode(adv_cases[20].b, 27, &a), MIP4_OK);
		assert_int_equal(a.n_pad, 3);
		assert_int_equal(mip4_adv_decode(adv_cases[21].b, 16, &a), MIP4_OK);
		assert_false(a.has_mobility);
	}
}

static void test_adv_entry_size_and_caps(void **state)
{
	uint8_t mem[512] = {9, 0, 0, 0, 20, 3, 0, 30};
	struct mip4_adv a;
	size_t off = 8;

	(void)state;
	/* 20 routers with 3-word entries (the third word is skipped) */
	for (unsigned i = 0; i < 20; i++, off += 12) {
		mip4_put32(mem + off, 0x0a000000u + i);
		mip4_put32(mem + off + 4, 0x80000000u + i);
		mip4_put32(mem + off + 8, 0xdeadbeef);
	}
	/* mobility extension with 20 care-of addresses */
	mem[off] = 16;
	mem[off + 1] = 6 + 20 * 4;
	off += 8;
	for (unsigned i = 0; i < 20; i++, off += 4)
		mip4_put32(mem + off, 0xc0000200u + i);
	assert_int_equal(mip4_adv_decode(mem, off, &a), MIP4_OK);
	assert_int_equal(a.num_addrs, 20);
	assert_int_equal(a.n_routers, MIP4_MAX_ROUTERS);
	assert_int_equal(a.router[15].addr, 0x0a00000f);
	assert_int_equal(a.router[15].pref, (int32_t)0x8000000f);
	assert_int_equal(a.n_coa, MIP4_MAX_COA);
	assert_int_equal(a.coa[15], 0xc000020f);
}

/* Every prefix of adv_wire: valid exactly on an extension boundary. */
static void test_adv_truncation_every_offset(void **state)
{
	static const size_t ok[] = {16, 32, 35, 41, 42};
	(void)state;
	for (size_t cut = 0; cut <= sizeof adv_wire; cut++) {
		uint8_t *p = heap_copy(adv_wire, cut);
		struct mip4_adv a;
		int rc = mip4_adv_decode(p, cut, &a), want = MIP4_E_EXT_TRUNCATED;

		if (cut < 16)
			want = MIP4_E_TRUNCATED;
		for (size_t k = 0; k < N(ok); k++)
			if (cut == ok[k])
				want = MIP4_OK;
		assert_int_equal(rc, want);
		free(p);
	}
}

static void test_solicitation(void **state)
{
	static const uint8_t want[] = {10, 0, 0xf5, 0xff, 0, 0, 0, 0};
	uint8_t mem[16], bad[12] = {10, 0, 0xf5, 0xff};
	struct mip4_buf b;

	(void)state;
	mip4_buf_init(&b, mem, sizeof mem);
	mip4_sol_put(&b);
	assert_int_equal(b.len, 8);
	assert_memory_equal(mem, want, 8);
	assert_int_equal(mip4_inet_csum(mem, 8), 0);
	assert_int_equal(mip4_sol_decode(mem, 8), MIP4_OK);
	assert_int_equal(mip4_sol_decode(bad, 12), MIP4_OK); /* extra bytes */
	assert_int_equal(mip4_sol_decode(mem, 7), MIP4_E_TRUNCATED);
	assert_int_equal(mip4_sol_decode(mem, 0), MIP4_E_TRUNCATED);
	bad[1] = 1;
	assert_int_equal(mip4_sol_decode(bad, 8), MIP4_E_ICMP);
	assert_int_equal(mip4_sol_decode(adv_wire, sizeof adv_wire), MIP4_E_ICMP);
}

/* ---- helpers and strings ---- */

static void test_byte_order_and_strings(void **state)
{
	static const int errs[] = {
		MIP4_OK,	      MIP4_E_TRUNCATED,	    MIP4_E_TYPE,
		MIP4_E_EXT_TRUNCATED, MIP4_E_EXT_LENGTH,    MIP4_E_EXT_UNKNOWN,
		MIP4_E_EXT_TOO_MANY,  MIP4_E_ICMP,	    MIP4_E_EXT_DUPLICATE,
		MIP4_E_EXT_ORDER,     MIP4_E_NOSPACE,
	};
	static const uint8_t types[] = {1, 3, 4, 7, 15};
	uint8_t p[8];

	(void)state;
	mip4_put64(p, 0x0102030405060708ull);
	assert_int_equal(p[0], 1);
	assert_int_equal(p[7], 8);
	assert_int_equal(mip4_get64(p), 0x0102030405060708ull);
	assert_int_equal(mip4_get32(p + 4), 0x05060708);
	assert_int_equal(mip4_get16(p + 6), 0x0708);
	mip4_put32(p, 0xfffefdfc);
	mip4_put16(p + 4, 0xabcd);
	assert_int_equal(mip4_get32(p), 0xfffefdfc);
	assert_int_equal(p[4], 0xab);
	for (size_t i = 0; i < N(errs); i++) {
		assert_string_not_equal(mip4_strerror(errs[i]), "unknown error");
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(mip4_strerror(errs[i]),
						mip4_strerror(errs[k]));
	}
	assert_string_equal(mip4_strerror(-99), "unknown error");
	for (size_t i = 0; i < N(types); i++)
		assert_string_not_equal(mip4_msg_type_str(types[i]), "unknown");
	assert_string_equal(mip4_msg_type_str(2), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rrq_every_flag),
		cmocka_unit_test(test_rrq_mnha_bytes_exact),
		cmocka_unit_test(test_rrp_codes),
		cmocka_unit_test(test_rrp_bytes_exact),
		cmocka_unit_test(test_tunnel_data),
		cmocka_unit_test(test_revocation),
		cmocka_unit_test(test_revocation_ack),
		cmocka_unit_test(test_fixed_part_truncated_and_type),
		cmocka_unit_test(test_ext_each_type),
		cmocka_unit_test(test_ext_rich_message),
		cmocka_unit_test(test_ext_unknown_skippable),
		cmocka_unit_test(test_ext_unknown_nonskippable),
		cmocka_unit_test(test_truncation_every_offset),
		cmocka_unit_test(test_ext_bad_lengths),
		cmocka_unit_test(test_rev_support_longer_length),
		cmocka_unit_test(test_dyn_ha_long_form),
		cmocka_unit_test(test_udp_req_reserved3_nonzero),
		cmocka_unit_test(test_ext_too_many),
		cmocka_unit_test(test_rrq_check_order),
		cmocka_unit_test(test_encoder_overflow_guard),
		cmocka_unit_test(test_encoder_oversize),
		cmocka_unit_test(test_adv_bytes_exact),
		cmocka_unit_test(test_adv_roundtrip),
		cmocka_unit_test(test_adv_malformed),
		cmocka_unit_test(test_adv_entry_size_and_caps),
		cmocka_unit_test(test_adv_truncation_every_offset),
		cmocka_unit_test(test_solicitation),
		cmocka_unit_test(test_byte_order_and_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
