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
	DP_ACT_TO_TUN,	   /* write inner to the TUN */
};

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
/* A packet read from the raw IPPROTO_IPIP socket (outer header
 * included); v->coa says which care-of address it came from. */
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

#endif
