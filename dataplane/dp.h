/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/dp.h - the home agent's tunnel data plane.
 *
 * Forward path (RFC 5944 §4.2.3): the daemon routes each registered home
 * address (/32) into a TUN device; dp_on_tun() reads those packets, finds
 * the binding by inner destination and tunnels them to the care-of
 * address with the binding's encapsulation: IP-in-IP (RFC 2003), GRE (RFC
 * 2784, G bit), minimal (RFC 2004, M bit; a fragment goes IP-in-IP, §3)
 * or in UDP (RFC 3519 §3.3 tunnel data).
 * Reverse path (RFC 3024): IP-in-IP, GRE and minimal encapsulation arrive
 * on raw sockets for protocols 4, 47 and 55 (dp_raw_fd is an epoll
 * descriptor over the three; dp_on_raw), UDP tunnel data arrives on the
 * daemon's port-434 socket and is handed in (dp_udp_input); after the
 * source checks the inner packet is written to the TUN and the kernel
 * routes it on.
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
 *  - GRE adds 24 bytes (IP 20 + GRE 4), minimal encapsulation 12 (8 when
 *    the HA itself is the inner source), both sent like IP-in-IP.
 *  - UDP tunnel data adds 32 bytes (IP 20 + UDP 8 + tunnel header 4).  RFC
 *    3519 §4.8: the HA SHOULD fragment before UDP encapsulation, which a
 *    TUN MTU of link MTU - 32 achieves; a larger one makes the daemon's UDP
 *    socket fragment the outer packet (works, but not through NATs that
 *    drop fragments).  Recommended: mtu = link MTU - the largest overhead
 *    of the encapsulations offered (32 with UDP tunnelling, 24 with GRE,
 *    20 otherwise).
 *  - The eBPF backend keeps the same rule: the kernel answers oversized DF
 *    packets with "fragmentation needed" at the TUN before the program
 *    sees them; GSO packets are encapsulated whole and segmented to the
 *    inner MSS afterwards (BPF_F_ADJ_ROOM_FIXED_GSO), which the TUN MTU
 *    already keeps under the outer MTU.  A non-GSO packet whose outer size
 *    would exceed the route's MTU is left to the userspace path (counted
 *    bpf_pass_too_big), which fails it as today.
 *  - No tunnel soft state (RFC 2003 §5.1): ICMP errors for the outer
 *    packet are not relayed to the inner sender.
 *
 * Backends: struct dp_ops below is the seam; dp_open() picks one from
 * cfg->backend and every other dp_* call dispatches through dp->ops.
 *  - userspace (dp_user.c): TUN + raw sockets + the daemon's UDP socket,
 *    every packet through user space.
 *  - ebpf (dp_ebpf.c): tc programs (dataplane/bpf/mip4.bpf.c) in front of
 *    the userspace one: a tc egress program on the TUN encapsulates what
 *    the binding map knows, a tc ingress program on the outer interfaces
 *    decapsulates reverse-tunnelled packets and lets them enter the stack
 *    on the TUN.  Whatever they do not handle (no map entry, an expired
 *    or half-bound care-of address, minimal encapsulation of a GSO
 *    packet, an unresolved neighbour for an extra copy, a new NAT port,
 *    keepalives) reaches the TUN's descriptor, the raw sockets or the UDP
 *    socket exactly as with the userspace backend, which decides as
 *    today.  The map is a cache of the binding table: dp_bind_update()
 *    / dp_bind_remove() keep it in step and must be called before the
 *    registration reply leaves (the map update is synchronous).
 *    The TUN is made persistent and the programs and maps are pinned
 *    under BPF_ROOT/mip4d/INSTANCE: after kill -9 the kernel keeps
 *    forwarding, and the next dp_open() takes them over and reconciles
 *    the map with the bindings it is given (dp_sync()).  dp_close()
 *    removes everything.
 *  - auto: ebpf if it can be loaded here, else userspace;
 *    dp_backend_why() says which and why.
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

enum dp_backend {
	DP_BACKEND_USERSPACE = 0, /* the default of a zeroed dp_cfg */
	DP_BACKEND_AUTO,	  /* ebpf when the kernel and our capabilities
				   * allow it, else userspace */
	DP_BACKEND_EBPF,	  /* ebpf or fail */
};

struct mip4_bpf_fds;

struct dp_cfg {
	const char *tun_name;	      /* e.g. "mip-ha0", created if missing */
	int mtu;		      /* TUN MTU, e.g. 1480; 0 keeps the device's */
	uint32_t local_addr;	      /* HA address: outer source of tunnels */
	int udp_fd;		      /* daemon's port-434 socket (sending only) */
	struct mip4_btable *bindings; /* read-only; counters and peer_port
				       * are updated */
	/* backend choice and the eBPF backend's settings */
	enum dp_backend backend;
	const char *instance;	      /* pin directory name, default "mip4d";
				       * unique per daemon instance */
	const char *bpf_root;	      /* bpffs mount point, default
				       * /sys/fs/bpf (mounted if needed) */
	const char *const *outer_ifs; /* decapsulate on these (NULL-ended);
				       * NULL: every interface but lo and the
				       * TUN */
	uint32_t max_bindings;	      /* map size, default 65536 */
	const struct mip4_bpf_fds *bpf_fds; /* maps loaded by a privileged
				       * parent (bpf_load.h): use these, load
				       * nothing; NULL: load here */
};

/* Creates the TUN (IFF_TUN | IFF_NO_PI), the raw sockets bound to
 * local_addr, and sets the link up with the MTU; with the eBPF backend
 * also loads (or takes over) and attaches the programs.  0 or -errno. */
int dp_open(const struct dp_cfg *cfg, struct dp **out);
/* The same, with a one-line reason in why: what was chosen and why, or
 * why it failed. */
int dp_open_why(const struct dp_cfg *cfg, struct dp **out, char *why,
		size_t why_len);
void dp_close(struct dp *dp);
/*
 * Close the descriptors and free, leaving the kernel as it is: the eBPF
 * backend's programs, pins and persistent TUN stay (the kernel keeps
 * forwarding; the next dp_open() takes them over).  For a process without
 * the privileges to tear them down (the unprivileged engine), and for a
 * privileged parent whose engine died.  The userspace backend: dp_close().
 */
void dp_release(struct dp *dp);
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

/* Which backend runs ("userspace" or "ebpf") and one line saying why
 * (for auto: why eBPF was not possible, if it was not). */
const char *dp_backend_name(const struct dp *dp);
const char *dp_backend_why(const struct dp *dp);

/* Tell the backend a binding was added, renewed or moved (call before
 * the registration reply leaves), or removed (call before the
 * deregistration reply leaves; b may be freed afterwards).  0, or -errno
 * when the kernel map could not be updated (the entry is then removed, so
 * that the userspace path handles the binding).  No-ops (0) for the
 * userspace backend, which reads the table per packet. */
int dp_bind_update(struct dp *dp, const struct mip4_binding *b);
int dp_bind_remove(struct dp *dp, uint32_t home_addr);
/* Make the backend's copy hold exactly cfg->bindings (after restoring
 * bindings at start; dp_open() does it once itself).  0 or -errno. */
int dp_sync(struct dp *dp);

/* A binding's data plane counters: what user space forwarded (b's own
 * fields) plus what the kernel forwarded. */
struct dp_bind_counters {
	uint64_t pkts_to_mn, bytes_to_mn, pkts_from_mn, bytes_from_mn;
};
void dp_bind_counters(const struct dp *dp, const struct mip4_binding *b,
		      struct dp_bind_counters *out);
/* Every counter of the backend with its name (the eBPF backend's kernel
 * counters as "bpf_NAME", enum mip4_bpf_ctr), for mip4ctl counters. */
void dp_foreach_counter(const struct dp *dp,
			void (*fn)(void *ctx, const char *name, uint64_t v),
			void *ctx);

/* The backend seam (see the comment at the top). */
struct dp_ops {
	const char *name;
	int (*open)(const struct dp_cfg *cfg, struct dp **out);
	void (*close)(struct dp *dp);
	void (*release)(struct dp *dp); /* NULL: close */
	int (*tun_fd)(const struct dp *dp);
	int (*raw_fd)(const struct dp *dp);
	int (*tun_ifindex)(const struct dp *dp);
	int (*on_tun)(struct dp *dp);
	int (*on_raw)(struct dp *dp);
	int (*udp_input)(struct dp *dp, uint32_t src, uint16_t sport,
			 const uint8_t *msg, size_t len);
	/* The binding changed / went / everything (NULL-able: userspace
	 * reads the table per packet and needs no notice). */
	int (*bind_update)(struct dp *dp, const struct mip4_binding *b);
	int (*bind_remove)(struct dp *dp, uint32_t home_addr);
	int (*sync)(struct dp *dp);
	const struct dp_stats *(*stats)(const struct dp *dp);
	/* NULL-able: kernel-side counters */
	void (*bind_counters)(const struct dp *dp,
			      const struct mip4_binding *b,
			      struct dp_bind_counters *add);
	void (*foreach_counter)(const struct dp *dp,
				void (*fn)(void *ctx, const char *name,
					   uint64_t v),
				void *ctx);
};

/* The backends (dp_user.c, dp_ebpf.c). */
extern const struct dp_ops dp_user_ops;
extern const struct dp_ops dp_ebpf_ops;

#endif
