/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/dp_logic.c - per-packet decisions of the home agent's data
 * plane (see dp_logic.h).  Pure code.
 */
#include <string.h>

#include "dp_logic.h"
#include "mip4/ip.h"
#include "mip4/wire.h"

#define IP_DF 0x4000

/* Recompute the checksum of the IPv4 header at h (ihl bytes). */
static void ip_csum_set(uint8_t *h, size_t ihl)
{
	h[10] = h[11] = 0;
	mip4_put16(h + 10, mip4_inet_csum(h, ihl));
}

static void verdict(struct dp_verdict *v, enum dp_act act,
		    struct mip4_binding *b)
{
	v->act = act;
	v->b = b;
}

/* Parse the inner packet; false if it is not a well-formed IPv4 packet. */
static bool inner_parse(const uint8_t *pkt, size_t len, struct mip4_ip *ip,
			struct dp_verdict *v)
{
	if (mip4_ip_decode(pkt, len, ip) != MIP4_IP_OK)
		return false;
	v->inner = pkt;
	v->inner_len = ip->tot_len; /* trailing link padding is dropped */
	return true;
}

/* Where the copy of a packet for b's care-of address i goes (frag: the
 * inner packet is a fragment). */
static void tun_target(struct mip4_binding *b, size_t i, bool frag,
		       struct dp_verdict *v)
{
	struct mip4_coa c;

	mip4_binding_coa(b, i, &c);
	v->coa = (uint8_t)i;
	if (!c.coa)
		return verdict(v, DP_ACT_DROP_NO_BINDING, NULL);
	if (c.encap == MIP4_ENCAP_UDP) {
		/* RFC 3519 §2: same ports as the registration, reversed, to
		 * the address it came from (the NAT's outside) */
		v->dst = c.peer_addr ? c.peer_addr : c.coa;
		v->port = c.peer_port;
		if (!v->port) /* half bound, RFC 3519 §4.11: no keepalive yet */
			return verdict(v, DP_ACT_DROP_NO_BINDING, NULL);
		return verdict(v, DP_ACT_ENCAP_UDP, b);
	}
	v->dst = c.coa;
	v->port = 0;
	if (c.encap == MIP4_ENCAP_GRE)
		return verdict(v, DP_ACT_ENCAP_GRE, b);
	/* RFC 2004 §3: never a fragment; every mobile node decapsulates
	 * IP-in-IP (RFC 5944 §4.1) */
	if (c.encap == MIP4_ENCAP_MIN && !frag)
		return verdict(v, DP_ACT_ENCAP_MIN, b);
	return verdict(v, DP_ACT_ENCAP_IPIP, b);
}

void dp_decide_tun(const struct mip4_btable *t, const uint8_t *pkt,
		   size_t len, struct dp_verdict *v)
{
	struct mip4_ip ip;
	struct mip4_binding *b;

	memset(v, 0, sizeof *v);
	v->copies = 1;
	if (!inner_parse(pkt, len, &ip, v))
		return verdict(v, DP_ACT_DROP_MALFORMED, NULL);
	/* RFC 5944 §4.2.3: the HA tunnels what it intercepts for a home
	 * address to the care-of address of the binding, a copy to each
	 * when there are several. */
	b = mip4_btable_get(t, ip.dst);
	if (!b)
		return verdict(v, DP_ACT_DROP_NO_BINDING, NULL);
	v->copies = (uint8_t)mip4_binding_ncoa(b);
	tun_target(b, 0, mip4_ip_is_fragment(&ip), v);
}

void dp_decide_tun_copy(const struct mip4_btable *t,
			const struct dp_verdict *first, size_t i,
			struct dp_verdict *v)
{
	struct mip4_ip ip;
	struct mip4_binding *b = NULL;

	*v = *first;
	v->b = NULL;
	if (first->inner &&
	    mip4_ip_decode(first->inner, first->inner_len, &ip) == MIP4_IP_OK)
		b = mip4_btable_get(t, ip.dst);
	if (!b || i >= mip4_binding_ncoa(b))
		return verdict(v, DP_ACT_DROP_NO_BINDING, NULL);
	tun_target(b, i, mip4_ip_is_fragment(&ip), v);
}

/* May a packet encapsulated with `kind` come from care-of entry c? */
static bool kind_ok(uint8_t kind, uint8_t encap)
{
	if (kind == MIP4_ENCAP_IPIP) /* RFC 3519 §4.7: never from UDP */
		return encap != MIP4_ENCAP_UDP;
	return kind == encap;
}

void dp_decide_raw(const struct mip4_btable *t, const uint8_t *pkt,
		   size_t len, struct dp_verdict *v)
{
	struct mip4_ip outer, ip;
	struct mip4_binding *b;
	uint32_t src;
	uint8_t kind;
	size_t n, hl;

	memset(v, 0, sizeof *v);
	if (mip4_ip_decode(pkt, len, &outer) != MIP4_IP_OK ||
	    mip4_ip_is_fragment(&outer))
		return verdict(v, DP_ACT_DROP_MALFORMED, NULL);
	switch (outer.proto) {
	case MIP4_IPPROTO_IPIP:
		kind = MIP4_ENCAP_IPIP;
		if (!inner_parse(outer.payload, outer.payload_len, &ip, v))
			return verdict(v, DP_ACT_DROP_MALFORMED, NULL);
		src = ip.src;
		break;
	case MIP4_IPPROTO_GRE:
		kind = MIP4_ENCAP_GRE;
		hl = dp_gre_parse(outer.payload, outer.payload_len);
		if (!hl || !inner_parse(outer.payload + hl,
					outer.payload_len - hl, &ip, v))
			return verdict(v, DP_ACT_DROP_MALFORMED, NULL);
		src = ip.src;
		break;
	case MIP4_IPPROTO_MINENC:
		kind = MIP4_ENCAP_MIN;
		v->rhdr_len = dp_min_parse(pkt, outer.tot_len, v->rhdr,
					   &v->inner, &v->inner_len);
		if (!v->rhdr_len)
			return verdict(v, DP_ACT_DROP_MALFORMED, NULL);
		src = mip4_get32(v->rhdr + 12);
		break;
	default:
		return verdict(v, DP_ACT_DROP_MALFORMED, NULL);
	}
	b = mip4_btable_get(t, src);
	if (!b)
		return verdict(v, DP_ACT_DROP_NO_BINDING, NULL);
	/* RFC 3024 §4.2 / RFC 5944 §3.8.3.1: decapsulate only what comes
	 * from a registered care-of address (or the address its
	 * registration came from), any of them with simultaneous bindings;
	 * RFC 3519 §4.7: a UDP tunnelled care-of address never uses
	 * IP-in-IP, so that too is someone else's packet. */
	n = mip4_binding_ncoa(b);
	for (v->coa = 0; v->coa < n; v->coa++) {
		struct mip4_coa c;

		mip4_binding_coa(b, v->coa, &c);
		if ((outer.src == c.coa || outer.src == c.peer_addr) &&
		    kind_ok(kind, c.encap))
			break;
	}
	if (v->coa == n) {
		v->coa = 0;
		return verdict(v, DP_ACT_DROP_SPOOFED, b);
	}
	/* RFC 3024 §3: reverse tunnelling is what the T bit asked for */
	if (!(b->flags & MIP4_RRQ_T))
		return verdict(v, DP_ACT_DROP_NOT_REVERSE, b);
	return verdict(v, DP_ACT_TO_TUN, b);
}

void dp_decide_ipip(const struct mip4_btable *t, const uint8_t *pkt,
		    size_t len, struct dp_verdict *v)
{
	dp_decide_raw(t, pkt, len, v);
}

void dp_decide_udp(const struct mip4_btable *t, uint32_t src, uint16_t sport,
		   const uint8_t *msg, size_t len, struct dp_verdict *v)
{
	struct mip4_ip ip;
	struct mip4_binding *b;
	size_t n;

	memset(v, 0, sizeof *v);
	/* RFC 3519 §3.3: type 4, next header 4 (IPv4); GRE (47) and minimal
	 * encapsulation (55) are not offered, so they are malformed here */
	if (len < MIP4_TUNNEL_DATA_LEN || msg[0] != MIP4_MSG_TUNNEL_DATA ||
	    msg[1] != MIP4_IPPROTO_IPIP ||
	    !inner_parse(msg + MIP4_TUNNEL_DATA_LEN, len - MIP4_TUNNEL_DATA_LEN,
			 &ip, v))
		return verdict(v, DP_ACT_DROP_MALFORMED, NULL);
	b = mip4_btable_get(t, ip.src);
	if (!b)
		return verdict(v, DP_ACT_DROP_NO_BINDING, NULL);
	/* RFC 3519 §4.3 and §6.1.2: the outer address must be the one a
	 * registration came from; only the port may move (NAT rebinding). */
	n = mip4_binding_ncoa(b);
	for (v->coa = 0; v->coa < n; v->coa++) {
		struct mip4_coa c;

		mip4_binding_coa(b, v->coa, &c);
		if (c.encap == MIP4_ENCAP_UDP && c.peer_addr == src)
			break;
	}
	if (v->coa == n) {
		v->coa = 0;
		return verdict(v, DP_ACT_DROP_SPOOFED, b);
	}
	/* No T-bit check: RFC 3519 §2.1 makes the UDP tunnel usable in both
	 * directions once the home agent assented. */
	v->port = sport;
	return verdict(v, DP_ACT_TO_TUN, b);
}

bool dp_count_drop(struct dp_stats *s, enum dp_act act)
{
	switch (act) {
	case DP_ACT_DROP_MALFORMED:
		s->drop_malformed++;
		return true;
	case DP_ACT_DROP_NO_BINDING:
		s->drop_no_binding++;
		return true;
	case DP_ACT_DROP_SPOOFED:
		s->drop_spoofed++;
		return true;
	case DP_ACT_DROP_NOT_REVERSE:
		s->drop_not_reverse++;
		return true;
	case DP_ACT_ENCAP_IPIP:
	case DP_ACT_ENCAP_UDP:
	case DP_ACT_ENCAP_GRE:
	case DP_ACT_ENCAP_MIN:
	case DP_ACT_TO_TUN:
		break;
	}
	return false;
}

size_t dp_ipip_hdr(uint8_t out[DP_IPIP_HDR_LEN], uint32_t src, uint32_t dst,
		   const uint8_t *inner, size_t inner_len)
{
	struct mip4_ip ip;
	size_t n;

	if (mip4_ip_decode(inner, inner_len, &ip) != MIP4_IP_OK)
		return 0;
	n = mip4_ip_put(out, DP_IPIP_HDR_LEN, src, dst, MIP4_IPPROTO_IPIP, 64,
			0, (ip.frag & IP_DF) != 0, ip.tot_len);
	if (n != DP_IPIP_HDR_LEN)
		return 0;
	if (ip.tos) { /* TOS copied: recompute the 20-byte checksum */
		uint16_t c;

		out[1] = ip.tos;
		out[10] = 0;
		out[11] = 0;
		c = mip4_inet_csum(out, DP_IPIP_HDR_LEN);
		out[10] = (uint8_t)(c >> 8);
		out[11] = (uint8_t)c;
	}
	return DP_IPIP_HDR_LEN;
}

size_t dp_gre_hdr(uint8_t out[DP_GRE_HDR_LEN], uint32_t src, uint32_t dst,
		  const uint8_t *inner, size_t inner_len)
{
	if (inner_len > 65535 - DP_GRE_HDR_LEN ||
	    !dp_ipip_hdr(out, src, dst, inner, inner_len))
		return 0;
	/* the IP-in-IP header, re-labelled: protocol 47, 4 bytes longer */
	out[9] = MIP4_IPPROTO_GRE;
	mip4_put16(out + 2, (uint16_t)(mip4_get16(out + 2) + DP_GRE_LEN));
	ip_csum_set(out, DP_IPIP_HDR_LEN);
	/* RFC 2784 §2: C = 0, reserved0 = 0, version 0; protocol type is
	 * the Ethernet type of the payload */
	mip4_put16(out + DP_IPIP_HDR_LEN, 0);
	mip4_put16(out + DP_IPIP_HDR_LEN + 2, 0x0800);
	return DP_GRE_HDR_LEN;
}

size_t dp_gre_parse(const uint8_t *p, size_t len)
{
	uint16_t flags;
	size_t hl;

	if (len < DP_GRE_LEN)
		return 0;
	flags = mip4_get16(p);
	/* RFC 2784 §2.5: version 0; reserved0 bits 1-12 non-zero are RFC
	 * 1701 or RFC 2890 (key, sequence) headers we do not speak */
	if ((flags & 0x7fff) != 0 || mip4_get16(p + 2) != 0x0800)
		return 0;
	hl = (flags & 0x8000) ? 8 : 4;
	if (len < hl)
		return 0;
	/* §2.2: the checksum covers the GRE header and the payload */
	if (hl == 8 && mip4_inet_csum(p, len) != 0)
		return 0;
	return hl;
}

size_t dp_min_hdr(uint8_t out[DP_MIN_HDR_MAX], uint32_t src, uint32_t dst,
		  const uint8_t *inner, size_t inner_len, size_t *payload_off)
{
	struct mip4_ip ip;
	size_t mlen;
	uint8_t *m;

	if (mip4_ip_decode(inner, inner_len, &ip) != MIP4_IP_OK ||
	    mip4_ip_is_fragment(&ip))
		return 0;
	/* §3: S only when the encapsulator is not the original source */
	mlen = ip.src == src ? 8 : 12;
	if ((size_t)ip.tot_len + mlen > 65535)
		return 0;
	memcpy(out, inner, ip.ihl);
	out[9] = MIP4_IPPROTO_MINENC;
	mip4_put16(out + 2, (uint16_t)(ip.tot_len + mlen));
	mip4_put32(out + 12, src);
	mip4_put32(out + 16, dst);
	ip_csum_set(out, ip.ihl);
	m = out + ip.ihl;
	m[0] = ip.proto;
	m[1] = mlen == 12 ? 0x80 : 0;
	m[2] = m[3] = 0;
	mip4_put32(m + 4, ip.dst);
	if (mlen == 12)
		mip4_put32(m + 8, ip.src);
	mip4_put16(m + 2, mip4_inet_csum(m, mlen));
	*payload_off = ip.ihl;
	return ip.ihl + mlen;
}

size_t dp_min_parse(const uint8_t *pkt, size_t len,
		    uint8_t hdr[DP_IP_HDR_MAX], const uint8_t **payload,
		    size_t *payload_len)
{
	struct mip4_ip o;
	const uint8_t *m;
	size_t mlen;

	if (mip4_ip_decode(pkt, len, &o) != MIP4_IP_OK ||
	    o.proto != MIP4_IPPROTO_MINENC || mip4_ip_is_fragment(&o) ||
	    o.payload_len < 8)
		return 0;
	m = o.payload;
	mlen = (m[1] & 0x80) ? 12 : 8;
	if (o.payload_len < mlen || mip4_inet_csum(m, mlen) != 0)
		return 0;
	/* §3: restore protocol, destination and (S) source; length back */
	memcpy(hdr, pkt, o.ihl);
	hdr[9] = m[0];
	mip4_put16(hdr + 2, (uint16_t)(o.tot_len - mlen));
	memcpy(hdr + 16, m + 4, 4);
	if (mlen == 12)
		memcpy(hdr + 12, m + 8, 4);
	ip_csum_set(hdr, o.ihl);
	*payload = m + mlen;
	*payload_len = o.payload_len - mlen;
	return o.ihl;
}
