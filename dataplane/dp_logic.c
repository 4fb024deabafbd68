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

/* Where the copy of a packet for b's care-of address i goes. */
static void tun_target(struct mip4_binding *b, size_t i, struct dp_verdict *v)
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
	tun_target(b, 0, v);
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
	tun_target(b, i, v);
}

void dp_decide_ipip(const struct mip4_btable *t, const uint8_t *pkt,
		    size_t len, struct dp_verdict *v)
{
	struct mip4_ip outer, ip;
	struct mip4_binding *b;
	size_t n;

	memset(v, 0, sizeof *v);
	if (mip4_ip_decode(pkt, len, &outer) != MIP4_IP_OK ||
	    outer.proto != MIP4_IPPROTO_IPIP || mip4_ip_is_fragment(&outer) ||
	    !inner_parse(outer.payload, outer.payload_len, &ip, v))
		return verdict(v, DP_ACT_DROP_MALFORMED, NULL);
	b = mip4_btable_get(t, ip.src);
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
		    c.encap == MIP4_ENCAP_IPIP)
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
