/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: IPv4 header, UDP header and the Internet checksum.
 *
 * mip4_ip_decode() on arbitrary bytes, then mip4_udp_decode() on its
 * payload (whatever the protocol field says).  Payload views must stay
 * inside the input; the checksum helpers are compared with a plain
 * reference; headers that the encoders can express must re-encode to the
 * input bytes.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "mip4/ip.h"
#include "mip4/wire.h"

/* RFC 1071, the obvious way. */
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

static void check_csum(const uint8_t *data, size_t size)
{
	uint16_t c = mip4_inet_csum(data, size);
	/* An even split point: the running sum must give the same result. */
	size_t k = size ? (data[0] % (size + 1)) & ~(size_t)1 : 0;

	CHECK(c == ref_csum(data, size));
	CHECK(mip4_csum_fold(mip4_csum_add(mip4_csum_add(0, data, k), data + k,
					   size - k)) == c);
}

static void check_ip(const uint8_t *data, size_t size, const struct mip4_ip *ip)
{
	uint8_t hdr[20];
	char a[16];
	uint16_t frag = mip4_get16(data + 6);

	CHECK(ip->ihl == (data[0] & 0x0f) * 4 && ip->ihl >= 20);
	CHECK(ip->tot_len == mip4_get16(data + 2));
	CHECK(ip->ihl <= ip->tot_len && ip->tot_len <= size);
	CHECK(ip->payload == data + ip->ihl &&
	      ip->payload_len == (size_t)ip->tot_len - ip->ihl);
	CHECK(INSIDE(ip->payload, ip->payload_len, data, size));
	CHECK(ip->csum_ok == (ref_csum(data, ip->ihl) == 0));
	CHECK(ip->frag == frag && ip->proto == data[9] && ip->ttl == data[8]);
	CHECK(ip->src == mip4_get32(data + 12) &&
	      ip->dst == mip4_get32(data + 16));
	CHECK(mip4_ip_is_fragment(ip) ==
	      ((frag & 0x2000) != 0 || (frag & 0x1fff) != 0));
	CHECK(strlen(mip4_ntoa(ip->src, a)) <= 15);

	/* mip4_ip_put writes IHL 5, TOS 0 and only DF among the flags. */
	if (ip->ihl != 20 || ip->tos != 0 || (frag & ~0x4000) != 0)
		return;
	CHECK(mip4_ip_put(hdr, sizeof hdr, ip->src, ip->dst, ip->proto,
			  ip->ttl, ip->ident, frag & 0x4000,
			  ip->payload_len) == 20);
	CHECK(mip4_inet_csum(hdr, 20) == 0);
	CHECK(memcmp(hdr, data, 10) == 0 &&
	      memcmp(hdr + 12, data + 12, 8) == 0);
	/* A right checksum is the one mip4_ip_put computes, except that a
	 * computed 0x0000 also verifies when received as 0xffff (the two
	 * one's complement zeros). */
	if (ip->csum_ok)
		CHECK(mip4_get16(hdr + 10) == mip4_get16(data + 10) ||
		      (mip4_get16(hdr + 10) == 0 &&
		       mip4_get16(data + 10) == 0xffff));
}

static void check_udp(const struct mip4_ip *ip, const struct mip4_udp *u)
{
	static uint8_t seg[65536];
	struct mip4_udp u2;
	const uint8_t *p = ip->payload;
	bool valid = u->csum != 0 &&
		     mip4_udp_csum(ip->src, ip->dst, p, u->len) == 0;

	CHECK(u->sport == mip4_get16(p) && u->dport == mip4_get16(p + 2) &&
	      u->len == mip4_get16(p + 4) && u->csum == mip4_get16(p + 6));
	CHECK(u->len >= 8 && u->len <= ip->payload_len);
	CHECK(u->payload == p + 8 && u->payload_len == u->len - 8u);
	CHECK(INSIDE(u->payload, u->payload_len, ip->payload,
		     ip->payload_len));

	/* Re-encode: always checksums to zero; equals the input when the
	 * input's checksum was present and right (RFC 768: a computed zero
	 * goes out as 0xffff, and 0xffff can never be computed). */
	memcpy(seg, p, u->len);
	mip4_udp_put(seg, ip->src, ip->dst, u->sport, u->dport,
		     u->payload_len);
	CHECK(mip4_udp_csum(ip->src, ip->dst, seg, u->len) == 0);
	CHECK(mip4_udp_decode(seg, u->len, &u2) == MIP4_IP_OK);
	CHECK(u2.sport == u->sport && u2.dport == u->dport &&
	      u2.len == u->len && u2.csum != 0);
	if (valid)
		CHECK(memcmp(seg, p, u->len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mip4_ip ip;
	struct mip4_udp u;
	int rc;

	if (size > 65535)
		return -1;
	check_csum(data, size);

	rc = mip4_ip_decode(data, size, &ip);
	CHECK(rc <= MIP4_IP_OK && rc >= MIP4_IP_E_TOTLEN);
	if (rc != MIP4_IP_OK)
		return 0;
	check_ip(data, size, &ip);

	rc = mip4_udp_decode(ip.payload, ip.payload_len, &u);
	CHECK(rc == MIP4_IP_OK || rc == MIP4_IP_E_SHORT ||
	      rc == MIP4_IP_E_TOTLEN);
	CHECK(rc != MIP4_IP_E_SHORT || ip.payload_len < 8);
	if (rc == MIP4_IP_OK)
		check_udp(&ip, &u);
	return 0;
}
