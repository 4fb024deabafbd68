/* SPDX-License-Identifier: BSD-2-Clause */
/* IPv4 / UDP / Internet checksum helpers (RFC 791, RFC 768, RFC 1071). */
#include "mip4/ip.h"

#include <stdio.h>
#include <string.h>

#include "mip4/wire.h"

uint32_t mip4_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		if (sum & 0x80000000u)
			sum = (sum & 0xffff) + (sum >> 16);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

uint16_t mip4_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t mip4_inet_csum(const void *data, size_t len)
{
	return mip4_csum_fold(mip4_csum_add(0, data, len));
}

int mip4_ip_decode(const uint8_t *pkt, size_t len, struct mip4_ip *ip)
{
	memset(ip, 0, sizeof *ip);
	if (len < 20)
		return MIP4_IP_E_SHORT;
	if (pkt[0] >> 4 != 4)
		return MIP4_IP_E_VERSION;
	ip->ihl = (uint8_t)((pkt[0] & 0x0f) * 4);
	if (ip->ihl < 20 || ip->ihl > len)
		return MIP4_IP_E_IHL;
	ip->tos = pkt[1];
	ip->tot_len = mip4_get16(pkt + 2);
	if (ip->tot_len < ip->ihl || ip->tot_len > len)
		return MIP4_IP_E_TOTLEN;
	ip->ident = mip4_get16(pkt + 4);
	ip->frag = mip4_get16(pkt + 6);
	ip->ttl = pkt[8];
	ip->proto = pkt[9];
	ip->src = mip4_get32(pkt + 12);
	ip->dst = mip4_get32(pkt + 16);
	ip->payload = pkt + ip->ihl;
	ip->payload_len = (size_t)ip->tot_len - ip->ihl;
	ip->csum_ok = mip4_inet_csum(pkt, ip->ihl) == 0;
	return MIP4_IP_OK;
}

bool mip4_ip_is_fragment(const struct mip4_ip *ip)
{
	/* MF set or a non-zero offset */
	return (ip->frag & 0x3fff) != 0;
}

size_t mip4_ip_put(uint8_t *out, size_t cap, uint32_t src, uint32_t dst,
		   uint8_t proto, uint8_t ttl, uint16_t ident, bool df,
		   size_t payload_len)
{
	if (cap < 20 || payload_len > 65535 - 20)
		return 0;
	memset(out, 0, 20);
	out[0] = 0x45;
	mip4_put16(out + 2, (uint16_t)(20 + payload_len));
	mip4_put16(out + 4, ident);
	mip4_put16(out + 6, df ? 0x4000 : 0);
	out[8] = ttl;
	out[9] = proto;
	mip4_put32(out + 12, src);
	mip4_put32(out + 16, dst);
	mip4_put16(out + 10, mip4_inet_csum(out, 20));
	return 20;
}

int mip4_udp_decode(const uint8_t *p, size_t len, struct mip4_udp *u)
{
	memset(u, 0, sizeof *u);
	if (len < 8)
		return MIP4_IP_E_SHORT;
	u->sport = mip4_get16(p);
	u->dport = mip4_get16(p + 2);
	u->len = mip4_get16(p + 4);
	u->csum = mip4_get16(p + 6);
	if (u->len < 8 || u->len > len)
		return MIP4_IP_E_TOTLEN;
	u->payload = p + 8;
	u->payload_len = (size_t)u->len - 8;
	return MIP4_IP_OK;
}

uint16_t mip4_udp_csum(uint32_t src, uint32_t dst, const uint8_t *udp,
		       size_t n)
{
	uint8_t ph[12];
	uint32_t sum;
	uint16_t c;

	mip4_put32(ph, src);
	mip4_put32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = MIP4_IPPROTO_UDP;
	mip4_put16(ph + 10, (uint16_t)n);
	sum = mip4_csum_add(0, ph, sizeof ph);
	sum = mip4_csum_add(sum, udp, n);
	c = mip4_csum_fold(sum);
	return c;
}

void mip4_udp_put(uint8_t *udp, uint32_t src, uint32_t dst, uint16_t sport,
		  uint16_t dport, size_t payload_len)
{
	uint16_t c;

	mip4_put16(udp, sport);
	mip4_put16(udp + 2, dport);
	mip4_put16(udp + 4, (uint16_t)(8 + payload_len));
	mip4_put16(udp + 6, 0);
	c = mip4_udp_csum(src, dst, udp, 8 + payload_len);
	/* RFC 768: a computed zero is sent as all ones. */
	mip4_put16(udp + 6, c ? c : 0xffff);
}

/* A decimal number of 1..maxdig digits without a leading zero, at most
 * max; *s moves past it.  -1 when there is none. */
static long dec_field(const char **s, int maxdig, long max)
{
	const char *p = *s;
	long v = 0;
	int n = 0;

	while (*p >= '0' && *p <= '9' && n < maxdig + 1) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || n > maxdig || (n > 1 && **s == '0') || v > max)
		return -1;
	*s = p;
	return v;
}

int mip4_prefix_parse(const char *s, uint32_t *net, uint32_t *mask)
{
	uint32_t a = 0;
	long plen = 32;

	for (int i = 0; i < 4; i++) {
		long v = dec_field(&s, 3, 255);

		if (v < 0 || (i < 3 && *s++ != '.'))
			return MIP4_PREFIX_BAD;
		a = a << 8 | (uint32_t)v;
	}
	if (*s == '/') {
		s++;
		plen = dec_field(&s, 2, 32);
		if (plen < 0)
			return MIP4_PREFIX_BAD;
	}
	if (*s)
		return MIP4_PREFIX_BAD;
	*mask = plen ? 0xffffffffu << (32 - plen) : 0;
	*net = a & *mask;
	return *net == a ? 0 : MIP4_PREFIX_HOST_BITS;
}

const char *mip4_ntoa(uint32_t addr, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
	return buf;
}
