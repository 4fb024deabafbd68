/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/dp_logic.h - the per-packet decisions of the data plane as
 * pure functions: a buffer and the binding table in, an action out.  No
 * I/O and no mutation (the caller applies the verdict), so they can be
 * unit-tested and fed garbage.
 */
#ifndef MIP4_DP_LOGIC_H
#define MIP4_DP_LOGIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp.h"
#include "mip4/binding.h"

enum dp_act {
	DP_ACT_DROP_MALFORMED,
	DP_ACT_DROP_NO_BINDING,
	DP_ACT_DROP_SPOOFED,
	DP_ACT_DROP_NOT_REVERSE,
	DP_ACT_ENCAP_IPIP, /* send inner IP-in-IP to dst */
	DP_ACT_ENCAP_UDP,  /* send tunnel data + inner to dst:port */
	DP_ACT_TO_TUN,	   /* write rhdr (if any) + inner to the TUN */
	DP_ACT_ENCAP_GRE,  /* send inner in GRE (RFC 2784) to dst */
	DP_ACT_ENCAP_MIN,  /* send inner with a minimal forwarding header
			    * (RFC 2004) to dst */
};

/* The largest header in front of a minimal-encapsulated payload: an IPv4
 * header with options (60) and the forwarding header with S (12). */
#define DP_MIN_HDR_MAX (60 + 12)
#define DP_IP_HDR_MAX 60

struct dp_verdict {
	enum dp_act act;
	struct mip4_binding *b; /* set from DP_ACT_DROP_SPOOFED on */
	uint32_t dst;		/* ENCAP_*: outer destination */
	uint16_t port;		/* ENCAP_UDP: destination port; from UDP
				 * input: the sender's port */
	const uint8_t *inner;	/* the packet to send or write */
	size_t inner_len;	/* its IPv4 total length */
	uint8_t coa;		/* which care-of address of b (0 = first) */
	uint8_t copies;		/* dp_decide_tun(): copies to send, >= 1 */
	/* TO_TUN of a minimal-encapsulated packet: the restored IPv4
	 * header, written before inner (which is then the payload) */
	size_t rhdr_len;
	uint8_t rhdr[DP_IP_HDR_MAX];
};

/*
 * A packet read from the TUN (to a home address): the verdict for the
 * binding's first care-of address.  With simultaneous bindings a copy goes
 * to each (RFC 5944 §4.2.3): v->copies of them, the others decided by
 * dp_decide_tun_copy().
 */
void dp_decide_tun(const struct mip4_btable *t, const uint8_t *pkt,
		   size_t len, struct dp_verdict *v);
/* Copy i (1 <= i < first->copies) of the packet dp_decide_tun() decided
 * as first. */
void dp_decide_tun_copy(const struct mip4_btable *t,
			const struct dp_verdict *first, size_t i,
			struct dp_verdict *v);
/* A packet read from a raw socket (outer header included): IP-in-IP
 * (protocol 4), GRE (47) or minimal encapsulation (55); v->coa says which
 * care-of address it came from.  IP-in-IP is accepted from a care-of
 * address registered with any encapsulation but UDP (RFC 5944 §4.1:
 * every node supports it, and fragments of a minimal-encapsulation
 * binding travel in it); GRE and minimal only from one registered with
 * them. */
void dp_decide_raw(const struct mip4_btable *t, const uint8_t *pkt,
		   size_t len, struct dp_verdict *v);
/* The same (the name from when only IP-in-IP existed). */
void dp_decide_ipip(const struct mip4_btable *t, const uint8_t *pkt,
		    size_t len, struct dp_verdict *v);
/* An RFC 3519 tunnel data message received from src:sport. */
void dp_decide_udp(const struct mip4_btable *t, uint32_t src, uint16_t sport,
		   const uint8_t *msg, size_t len, struct dp_verdict *v);

/* True for drop actions, after counting it in the matching counter. */
bool dp_count_drop(struct dp_stats *s, enum dp_act act);

#define DP_IPIP_HDR_LEN 20
/* The outer IPv4 header for IP-in-IP (RFC 2003 §3.1): TOS and DF copied
 * from the inner header, TTL 64, identification left 0 (the kernel picks
 * one for header-included raw sends).  Returns 20, or 0 if the inner
 * packet is too short or the result would exceed 65535 bytes. */
size_t dp_ipip_hdr(uint8_t out[DP_IPIP_HDR_LEN], uint32_t src, uint32_t dst,
		   const uint8_t *inner, size_t inner_len);

#define DP_GRE_LEN 4
#define DP_GRE_HDR_LEN (DP_IPIP_HDR_LEN + DP_GRE_LEN)
/* The outer IPv4 header (protocol 47; TOS and DF as for IP-in-IP) and
 * the RFC 2784 header: no checksum (C = 0: the inner packet has its
 * own, and the kernel's GSO of GRE expects none), reserved0 and version
 * 0, protocol type 0x0800.  Returns 24, or 0 like dp_ipip_hdr(). */
size_t dp_gre_hdr(uint8_t out[DP_GRE_HDR_LEN], uint32_t src, uint32_t dst,
		  const uint8_t *inner, size_t inner_len);
/* The inner packet of an RFC 2784 payload p (after the outer IPv4
 * header): version 0, protocol type 0x0800, no RFC 2890 key or sequence
 * number; with C set the checksum over header and payload must verify.
 * Returns the header length (4 or 8), or 0. */
size_t dp_gre_parse(const uint8_t *p, size_t len);

/*
 * RFC 2004 §3 encapsulation of inner from the encapsulator src to the
 * tunnel exit dst: out gets the inner's IPv4 header (options kept) with
 * protocol 55, destination dst, source src, total length grown and a new
 * checksum, TTL untouched, then the forwarding header (protocol, S set
 * and the original source when src is not it, checksum, original
 * destination).  *payload_off is where the rest of inner starts (its
 * IHL).  Returns the length of out, or 0 for a malformed inner packet,
 * a fragment (never minimal-encapsulated, §3: use IP-in-IP), or one that
 * would outgrow 65535 bytes.
 */
size_t dp_min_hdr(uint8_t out[DP_MIN_HDR_MAX], uint32_t src, uint32_t dst,
		  const uint8_t *inner, size_t inner_len, size_t *payload_off);
/*
 * RFC 2004 decapsulation of pkt (its IPv4 header with protocol 55 first):
 * hdr gets the original header (protocol, destination and, with S, the
 * source restored; length shrunk; checksum recomputed), *payload the
 * rest after the forwarding header.  Returns the length of hdr, or 0 if
 * the packet is short, a fragment, or the forwarding header's checksum
 * fails.
 */
size_t dp_min_parse(const uint8_t *pkt, size_t len,
		    uint8_t hdr[DP_IP_HDR_MAX], const uint8_t **payload,
		    size_t *payload_len);

#endif
