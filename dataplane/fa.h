/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/fa.h - the foreign agent's userspace data plane, the FA
 * role's userspace backend of dp.h (dp_fa_user_ops).
 *
 * Delivery (RFC 5944 §4.2.2): IP-in-IP from a visitor's home agent to one
 * of our care-of addresses arrives on a raw IPPROTO_IPIP socket; the inner
 * packet, for a visitor's home address, is written to a TUN and the kernel
 * delivers it on the link through the /32 route and the permanent
 * neighbour entry the daemon installs per visitor (so the FA never ARPs
 * for a visitor).
 * Reverse tunnelling (RFC 3024): a policy rule sends a visitor's packets
 * (from its home address, in on the link) into the TUN; they go IP-in-IP
 * from the visitor's care-of address to its home agent (direct delivery
 * style, §5.1).  Encapsulating delivery style (§5.2): the visitor tunnels
 * to our link address itself; the raw socket receives that, and the inner
 * packet is re-encapsulated to the home agent.
 * The outer header is written by us (IP_HDRINCL, dp_ipip_hdr: TOS and DF
 * copied, RFC 2003 §3.1).  Every packet not forwarded is counted once.
 * RFC 3519 UDP tunnels are not handled here (the role does not offer U).
 */
#ifndef MIP4_FA_DP_H
#define MIP4_FA_DP_H

#include <stddef.h>
#include <stdint.h>

#include "mip4/fa.h"

struct fadp_stats {
	uint64_t tun_rx;	   /* reverse-tunnel packets read */
	uint64_t tun_tx;	   /* decapsulated packets written */
	uint64_t encap_tx;	   /* IP-in-IP sent to home agents */
	uint64_t decap_rx;	   /* IP-in-IP received */
	uint64_t drop_no_visitor;  /* inner destination/source not visiting */
	uint64_t drop_spoofed;	   /* outer source is not the visitor's HA
				    * (or, encapsulating style, its home) */
	uint64_t drop_not_reverse; /* visitor did not ask for T */
	uint64_t drop_malformed;   /* does not parse, not IPv4, fragment */
	uint64_t drop_not_ours;	   /* outer destination is no CoA of ours */
	uint64_t drop_send_error;  /* sendmmsg/write failed */
};

struct fadp_cfg {
	const char *tun_name; /* created */
	int mtu;	      /* TUN MTU (link MTU - 20) */
	const struct mip4_fa *fa; /* visitor table, read only */
	uint32_t link_addr;   /* our address on the mobile nodes' link */
};

struct fadp;

int fadp_open(const struct fadp_cfg *cfg, struct fadp **out); /* 0/-errno */
void fadp_close(struct fadp *f);
int fadp_tun_fd(const struct fadp *f);
int fadp_raw_fd(const struct fadp *f);
int fadp_tun_ifindex(const struct fadp *f);
/* Drain up to FADP_BATCH packets; return how many were handled. */
#define FADP_BATCH 64
int fadp_on_tun(struct fadp *f);
int fadp_on_raw(struct fadp *f);
const struct fadp_stats *fadp_stats(const struct fadp *f);
/* Every counter of s with its name ("tun-rx", "drop-spoofed" ...). */
void fadp_foreach_stat(const struct fadp_stats *s,
		       void (*fn)(void *ctx, const char *name, uint64_t v),
		       void *ctx);

/* ---- per-packet decisions, pure ---- */

enum fadp_act {
	FADP_DROP_MALFORMED,
	FADP_DROP_NO_VISITOR,
	FADP_DROP_SPOOFED,
	FADP_DROP_NOT_REVERSE,
	FADP_DROP_NOT_OURS,
	FADP_TO_TUN,	 /* deliver inner on the link */
	FADP_ENCAP_IPIP, /* inner IP-in-IP from src to dst */
};

struct fadp_verdict {
	enum fadp_act act;
	uint32_t src, dst;     /* ENCAP: outer addresses */
	const uint8_t *inner;
	size_t inner_len;
};

/* A packet read from the TUN (a visitor's, to be reverse tunnelled). */
void fadp_decide_tun(const struct mip4_fa *fa, const uint8_t *pkt,
		     size_t len, struct fadp_verdict *v);
/* An IP-in-IP packet (outer header included) from the raw socket. */
void fadp_decide_ipip(const struct mip4_fa *fa, uint32_t link_addr,
		      const uint8_t *pkt, size_t len, struct fadp_verdict *v);

#endif
