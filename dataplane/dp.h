/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/dp.h - the home agent's tunnel data plane.
 *
 * Forward path (RFC 5944 §4.2.3): the daemon routes each registered home
 * address (/32) into a TUN device; dp_on_tun() reads those packets, finds
 * the binding by inner destination and tunnels them to the care-of
 * address, IP-in-IP (RFC 2003) or in UDP (RFC 3519 §3.3 tunnel data).
 * Reverse path (RFC 3024): IP-in-IP arrives on a raw protocol-4 socket
 * (dp_on_raw), UDP tunnel data arrives on the daemon's port-434 socket and
 * is handed in (dp_udp_input); after the source checks the inner packet is
 * written to the TUN and the kernel routes it on.
 *
 * Everything is non-blocking and single-threaded: call the on_* functions
 * when poll() says the fds are readable.  Every packet not forwarded is
 * counted in exactly one drop_* counter.
 *
 * MTU and fragmentation (decided):
 *  - IP-in-IP is sent with IP_HDRINCL: we write the outer header, copying
 *    TOS and the DF bit from the inner header (RFC 2003 §3.1, MUST for DF).
 *    The kernel never fragments a header-included packet: one larger than
 *    the route's MTU fails with EMSGSIZE and counts as drop_send_error.  So
 *    set cfg->mtu <= link MTU - 20; the kernel then answers oversized DF
 *    inner packets with ICMP "fragmentation needed" for the TUN MTU before
 *    they reach us, and PMTU discovery of the inner flow works.
 *  - UDP tunnel data adds 32 bytes (IP 20 + UDP 8 + tunnel header 4).  RFC
 *    3519 §4.8: the HA SHOULD fragment before UDP encapsulation, which a
 *    TUN MTU of link MTU - 32 achieves; a larger one makes the daemon's UDP
 *    socket fragment the outer packet (works, but not through NATs that
 *    drop fragments).  Recommended: mtu = link MTU - 32 when UDP
 *    tunnelling is enabled, link MTU - 20 otherwise.
 *  - No tunnel soft state (RFC 2003 §5.1): ICMP errors for the outer
 *    packet are not relayed to the inner sender.
 *
 * Backends: struct dp_ops below is the seam.  dp_open() picks a backend
 * and every other dp_* call dispatches through dp->ops.  The userspace
 * backend (dp_user.c: TUN + raw socket + sendmmsg/recvmmsg) is the only
 * one today.  A kernel backend (an ipip/fou or xfrm interface per care-of
 * address, or one "external" collect_md ipip device with lwtunnel encap
 * routes per home address) would implement the same ops: open() creates
 * the devices through nl.h, on_tun/on_raw return 0 because the kernel
 * forwards (their fds are -1 and the daemon simply does not poll them),
 * udp_input decapsulates by the same checks or is left to a fou socket,
 * and stats() reads the device counters.  The binding table stays the
 * daemon's; a kernel backend would additionally need a "binding changed"
 * op to reprogram routes, which is why struct dp_ops has bind_update.
 */
#ifndef MIP4_DP_H
#define MIP4_DP_H

#include <stddef.h>
#include <stdint.h>

#include "mip4/binding.h"

struct dp; /* opaque */

struct dp_stats {
	uint64_t tun_rx;	  /* packets read from the TUN */
	uint64_t tun_tx;	  /* packets written to the TUN (decapsulated) */
	uint64_t encap_tx;	  /* tunnelled packets sent (IPIP + UDP) */
	uint64_t decap_rx;	  /* IP-in-IP packets read from the raw socket */
	uint64_t udp_rx;	  /* tunnel data messages passed to dp_udp_input */
	uint64_t drop_no_binding; /* no binding for the home address */
	uint64_t drop_spoofed;	  /* outer source is not the binding's */
	uint64_t drop_malformed;  /* does not parse / unsupported next header */
	uint64_t drop_send_error; /* sendmmsg/write failed (incl. EAGAIN) */
	uint64_t drop_not_reverse;/* binding did not ask for a reverse tunnel */
};

struct dp_cfg {
	const char *tun_name;	      /* e.g. "mip-ha0", created if missing */
	int mtu;		      /* TUN MTU, e.g. 1480; 0 keeps the device's */
	uint32_t local_addr;	      /* HA address: outer source of tunnels */
	int udp_fd;		      /* daemon's port-434 socket (sending only) */
	struct mip4_btable *bindings; /* read-only; counters and peer_port
				       * are updated */
};

/* Creates the TUN (IFF_TUN | IFF_NO_PI), the raw IPPROTO_IPIP socket bound
 * to local_addr, and sets the link up with the MTU.  0 or -errno. */
int dp_open(const struct dp_cfg *cfg, struct dp **out);
void dp_close(struct dp *dp);
int dp_tun_fd(const struct dp *dp);
int dp_raw_fd(const struct dp *dp);
int dp_tun_ifindex(const struct dp *dp);

/* Event-loop callbacks: each drains up to DP_BATCH packets, never blocks,
 * and returns how many packets it handled (forwarded or dropped). */
#define DP_BATCH 64
int dp_on_tun(struct dp *dp);
int dp_on_raw(struct dp *dp);
/*
 * One RFC 3519 tunnel data message (type 4) received on port 434 from
 * src:sport.  Next header must be 4, the inner IPv4 packet must parse and
 * its source must have a UDP binding whose peer_addr is src (the address
 * is pinned, RFC 3519 §6.1.2; the port follows NAT rebinding: peer_port
 * becomes sport).  Returns 0 when written to the TUN, -1 on a counted drop.
 */
int dp_udp_input(struct dp *dp, uint32_t src, uint16_t sport,
		 const uint8_t *msg, size_t len);
const struct dp_stats *dp_stats(const struct dp *dp);

/* The backend seam (see the comment at the top). */
struct dp_ops {
	const char *name;
	int (*open)(const struct dp_cfg *cfg, struct dp **out);
	void (*close)(struct dp *dp);
	int (*tun_fd)(const struct dp *dp);
	int (*raw_fd)(const struct dp *dp);
	int (*tun_ifindex)(const struct dp *dp);
	int (*on_tun)(struct dp *dp);
	int (*on_raw)(struct dp *dp);
	int (*udp_input)(struct dp *dp, uint32_t src, uint16_t sport,
			 const uint8_t *msg, size_t len);
	/* A binding was added, moved or removed (NULL-able; userspace
	 * reads the table per packet and needs no notice). */
	void (*bind_update)(struct dp *dp, const struct mip4_binding *b);
	const struct dp_stats *(*stats)(const struct dp *dp);
};

/* Tell the backend a binding changed (no-op for the userspace backend). */
void dp_bind_update(struct dp *dp, const struct mip4_binding *b);

/* The userspace backend (dp_user.c). */
extern const struct dp_ops dp_user_ops;

#endif
