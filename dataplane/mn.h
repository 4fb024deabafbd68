/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/mn.h - the mobile node's userspace tunnel end, the MN
 * role's userspace backend of dp.h (dp_mn_user_ops) (co-located
 * care-of address, RFC 5944 §3.1 with the D bit; reverse tunnel RFC 3024;
 * RFC 3519 UDP tunnelling through NATs).
 *
 * Applications use the home address: it lives on a TUN device, and the
 * daemon's policy routing (nl_rule_add / nl_route_add_src) sends their
 * traffic into the TUN.  mndp_on_tun() encapsulates it to the home agent,
 * from the care-of address: IP-in-IP on a raw socket, or RFC 3519 tunnel
 * data on the daemon's port-434 UDP socket, or - when the registration
 * asked for them - GRE (RFC 2784, G bit) or minimal encapsulation (RFC
 * 2004, M bit) on the raw socket.  Both outer sockets carry
 * SO_MARK = cfg->fwmark so the outer packets follow the main table (a
 * "fwmark X lookup main" rule) and never re-enter the TUN.  Inbound,
 * IP-in-IP, GRE and minimal encapsulation from the home agent arrive on
 * three raw sockets behind one epoll descriptor (mndp_raw_fd,
 * mndp_on_raw), whichever encapsulation the tunnel uses;
 * tunnel data arrives on the daemon's UDP socket and is handed in
 * (mndp_udp_input).  After the checks (outer source = the home agent,
 * inner destination = the home address) the inner packet is written to
 * the TUN.
 *
 * The routing this expects (the daemon's job; see tests/mnplumb):
 *   rule P   fwmark X lookup main           outer packets: physical link
 *   rule P+1 lookup main suppress_prefixlength 0
 *                                            the local subnet and other
 *                                            specific routes: direct
 *   rule P+2 lookup T                        T: default dev TUN src home
 *
 * MNDP_OFF (at home, not registered, detection running - RFC 5265
 * §3.2.2): what the TUN yields is dropped and counted as gated, and so is
 * what still arrives tunnelled.
 *
 * MTU: IP-in-IP is sent with IP_HDRINCL, which the kernel never
 * fragments, so set cfg->mtu <= link MTU - 20 (or - 32 for UDP
 * tunnelling, RFC 3519 §4.8); larger packets fail as drop_send_error.
 *
 * Non-blocking and single-threaded, like dp.h: call the on_* functions
 * when poll() says the fds are readable.  Every packet not forwarded is
 * counted in exactly one drop or gated counter.
 */
#ifndef MIP4_MN_DP_H
#define MIP4_MN_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp.h" /* enum mndp_mode; the dp_ops this backend provides */

struct mndp_cfg {
	const char *tun_name; /* created; must not exist */
	int mtu;	      /* TUN MTU; 0 keeps the kernel's default */
	uint32_t home_addr;   /* assigned /32 to the TUN */
	uint32_t fwmark;      /* SO_MARK of the raw socket (0 = none) */
	int udp_fd; /* daemon's UDP socket bound to 0.0.0.0:434, SO_MARK set,
		     * IP_PKTINFO on: used to SEND RFC 3519 tunnel data (from
		     * coa:434); the daemon receives on it and hands type-4
		     * messages to mndp_udp_input.  -1 if UDP is never used. */
};

struct mndp_stats {
	uint64_t tun_rx;	     /* packets read from the TUN */
	uint64_t encap_tx;	     /* tunnelled packets sent (IPIP + UDP) */
	uint64_t decap_rx;	     /* tunnel packets received (raw + UDP) */
	uint64_t gated;		     /* dropped in MNDP_OFF (or no tunnel) */
	uint64_t drop_not_from_ha;   /* outer source is not the HA */
	uint64_t drop_not_for_home;  /* inner destination is not home */
	uint64_t drop_malformed;     /* does not parse / not IPv4 */
	uint64_t drop_send_error;    /* send or TUN write failed */
	uint64_t keepalives;	     /* keepalive requests sent */
	/* additions */
	uint64_t tun_tx;	     /* decapsulated packets written */
	uint64_t drop_not_from_home; /* TUN packet with another source */
	uint64_t keepalive_replies;  /* echo replies to our keepalives */
};

/* The counters by index, for listing: name ("tun-rx", "drop-malformed"
 * ...) and value; i < MNDP_NSTATS. */
#define MNDP_NSTATS 12
const char *mndp_stat_name(size_t i);
uint64_t mndp_stat(const struct mndp_stats *s, size_t i);

struct mndp;

/* TUN (IFF_TUN | IFF_NO_PI) created, home_addr/32 assigned, link up with
 * mtu, rp_filter 0 and IPv6 off on it; raw IPPROTO_IPIP, IPPROTO_GRE and
 * protocol-55 sockets with SO_MARK = fwmark (the first also sends every
 * raw kind).  Starts in MNDP_OFF.  0 or -errno. */
int mndp_open(const struct mndp_cfg *cfg, struct mndp **out);
/* Closes the TUN, which deletes it (and its address and routes). */
void mndp_close(struct mndp *m);
int mndp_tun_fd(const struct mndp *m);
/* An epoll descriptor over the three raw sockets: poll it for input. */
int mndp_raw_fd(const struct mndp *m);
int mndp_tun_ifindex(const struct mndp *m);
/* Switch the tunnel: MNDP_OFF, or to ha from coa (both needed, else it
 * acts as MNDP_OFF). */
void mndp_set_tunnel(struct mndp *m, enum mndp_mode mode, uint32_t coa,
		     uint32_t ha);

#define MNDP_BATCH 64
/* Drain up to MNDP_BATCH packets from the TUN and tunnel (or gate) them.
 * Returns how many were handled. */
int mndp_on_tun(struct mndp *m);
/* Drain up to MNDP_BATCH packets from each raw socket (one recvmmsg
 * each).  Returns how many were handled. */
int mndp_on_raw(struct mndp *m);
/* One RFC 3519 message of type 4 from src:434.  0 when written to the
 * TUN (or consumed as a keepalive reply), -1 on a counted drop. */
int mndp_udp_input(struct mndp *m, uint32_t src, const uint8_t *msg,
		   size_t len);
/* RFC 3519 §4.9 keepalive: an ICMP echo request home -> ha inside the UDP
 * tunnel; the HA answers through the tunnel and the reply is counted in
 * keepalive_replies.  Only in MNDP_UDP: -ENOTCONN otherwise.  0 or
 * -errno (send failures are also counted). */
int mndp_send_keepalive(struct mndp *m);
const struct mndp_stats *mndp_stats(const struct mndp *m);

/* ---- the per-packet decisions, pure (mn_user.c; unit-tested) ---- */

struct mndp_tunnel {
	enum mndp_mode mode;
	uint32_t home, coa, ha;
	uint16_t ka_ident; /* ICMP identifier of our keepalives */
};

enum mndp_act {
	MNDP_ACT_GATED,
	MNDP_ACT_DROP_MALFORMED,
	MNDP_ACT_DROP_NOT_FROM_HA,
	MNDP_ACT_DROP_NOT_FOR_HOME,
	MNDP_ACT_DROP_NOT_FROM_HOME,
	MNDP_ACT_ENCAP_IPIP,	 /* outer header coa -> ha, then inner */
	MNDP_ACT_ENCAP_UDP,	 /* tunnel data header, then inner, to ha:434 */
	MNDP_ACT_TO_TUN,	 /* write rhdr (if any) + inner to the TUN */
	MNDP_ACT_KEEPALIVE_REPLY, /* consume */
	MNDP_ACT_ENCAP_GRE,	 /* outer header + GRE coa -> ha, then inner */
	MNDP_ACT_ENCAP_MIN,	 /* inner with a minimal forwarding header */
};

struct mndp_verdict {
	enum mndp_act act;
	const uint8_t *inner; /* the packet to send or write */
	size_t inner_len;     /* its IPv4 total length */
	/* TO_TUN of a minimal-encapsulated packet: the restored header,
	 * written before inner (which is then the payload) */
	size_t rhdr_len;
	uint8_t rhdr[60];
};

/* A packet read from the TUN. */
void mndp_decide_tun(const struct mndp_tunnel *t, const uint8_t *pkt,
		     size_t len, struct mndp_verdict *v);
/* A packet from a raw socket (outer header included): IP-in-IP, GRE or
 * minimal encapsulation, whatever the tunnel's mode (the home agent
 * picks; RFC 2004 fragments come IP-in-IP). */
void mndp_decide_raw(const struct mndp_tunnel *t, const uint8_t *pkt,
		     size_t len, struct mndp_verdict *v);
/* The same (its name from when only IP-in-IP existed). */
void mndp_decide_ipip(const struct mndp_tunnel *t, const uint8_t *pkt,
		      size_t len, struct mndp_verdict *v);
/* An RFC 3519 message received from src:434. */
void mndp_decide_udp(const struct mndp_tunnel *t, uint32_t src,
		     const uint8_t *msg, size_t len, struct mndp_verdict *v);
/* True for drop (and gated) actions, after counting it. */
bool mndp_count_drop(struct mndp_stats *s, enum mndp_act act);

#define MNDP_KEEPALIVE_LEN (4 + 20 + 8 + 8) /* tunnel hdr, IP, ICMP, data */
/* The whole keepalive UDP payload: tunnel data header (type 4, next
 * header 4), IPv4 home -> ha, ICMP echo request ident/seq with 8 bytes of
 * data.  Returns MNDP_KEEPALIVE_LEN, or 0 if cap is too small. */
size_t mndp_keepalive_put(uint8_t *out, size_t cap, uint32_t home,
			  uint32_t ha, uint16_t ident, uint16_t seq);

#endif
