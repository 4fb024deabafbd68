/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/bpf/mip4_bpf.h - what the tc programs (mip4.bpf.c) and the C
 * side (bpf_pack.c, bpf_maps.c, bpf_load.c) agree on: map names, keys,
 * values, counter indices, and the few header computations both sides
 * make.  Included by clang -target bpf and by the host compilers, so it
 * uses only <linux/types.h> and static inline functions without loops of
 * unknown bound.
 *
 * Byte order: every address, port and header byte in a map is in network
 * byte order, exactly as it sits in a packet; the C side converts from the
 * binding table's host order when it packs a value (bpf_pack.c).
 *
 * Roles.  One object serves the home agent and the co-located mobile node;
 * mip4_bpf_conf.role says which way round the keys go:
 *   HA: encapsulation looks up the inner destination (the home address),
 *       decapsulation the inner source (RFC 3024 reverse tunnel);
 *   MN: encapsulation looks up the inner source (the home address: the
 *       reverse tunnel to the HA), decapsulation the inner destination.
 *   FA: one entry per visitor, keyed by its home address: the home agent
 *       (peer) and the care-of address it registered (the template's
 *       source).  Encapsulation (reverse tunnel, RFC 3024 §5.1) looks up
 *       the inner source; decapsulation the inner destination (delivery,
 *       RFC 5944 §4.2.2) or, for IP-in-IP from a visitor to local_addr
 *       (the FA's link address), the outer source (encapsulating
 *       delivery, RFC 3024 §5.2: the outer header is rewritten in place
 *       towards the home agent).
 */
#ifndef MIP4_BPF_H
#define MIP4_BPF_H

#include <linux/types.h>

/* Pin names (under BPF_ROOT/mip4d/INSTANCE/) are the map names; BPF object
 * names are limited to 15 characters. */
#define MIP4_BPF_MAP_BIND "mip4_bind"
#define MIP4_BPF_MAP_BCOUNT "mip4_bcount"
#define MIP4_BPF_MAP_STATS "mip4_stats"
#define MIP4_BPF_MAP_CONF "mip4_conf"

#define MIP4_BPF_MAX_COA 4  /* care-of addresses per binding in the map */
#define MIP4_BPF_HDR_MAX 32 /* IPv4 20 + UDP 8 + RFC 3519 type-4 header 4 */
#define MIP4_BPF_IP_LEN 20
#define MIP4_BPF_GRE_LEN 4  /* RFC 2784 without checksum */
#define MIP4_BPF_UDP_LEN 8
#define MIP4_BPF_TD_LEN 4   /* RFC 3519 §3.3 tunnel data header */
#define MIP4_BPF_MIN_LEN 8  /* RFC 2004, S = 0 */
#define MIP4_BPF_MIN_LEN_S 12 /* RFC 2004, S = 1 */

#define MIP4_BPF_CONF_MAGIC 0x6d697034u /* "mip4" */
#define MIP4_BPF_CONF_VERSION 1u

enum mip4_bpf_encap {
	MIP4_BPF_ENCAP_IPIP = 0, /* RFC 2003 */
	MIP4_BPF_ENCAP_UDP = 1,	 /* RFC 3519 type 4, next header 4 */
	MIP4_BPF_ENCAP_GRE = 2,	 /* RFC 2784, protocol type 0x0800 */
	MIP4_BPF_ENCAP_MIN = 3,	 /* RFC 2004 */
};

enum mip4_bpf_role {
	MIP4_BPF_ROLE_HA = 0,
	MIP4_BPF_ROLE_MN = 1,
	MIP4_BPF_ROLE_FA = 2,
};

/* One care-of address of a binding (HA) or the home agent (MN). */
struct mip4_bpf_coa {
	__u64 expires_ns; /* CLOCK_MONOTONIC (the program reads it coarse,
			   * a tick late at most); past it the program
			   * leaves packets to user space */
	__u32 peer;	  /* outer destination; for decapsulation an accepted
			   * outer source */
	__u32 alt;	  /* a second accepted outer source (the registered
			   * care-of address when the request came through a
			   * NAT), or 0 */
	__u16 peer_port;  /* UDP: outer destination port = the accepted
			   * source port (RFC 3519 §4.11); 0: half bound,
			   * not usable yet */
	__u8 encap;	  /* enum mip4_bpf_encap */
	__u8 hlen;	  /* bytes of hdr[] used: 20 IPIP, 24 GRE, 32 UDP,
			   * 20 MIN (the outer header is built per packet
			   * from the inner one; hdr[] holds src/dst only) */
	/* outer header template: IPv4 with tos, tot_len, id, frag_off and
	 * checksum zero (filled per packet), then GRE, or UDP (length and
	 * checksum zero) + tunnel data header */
	__u8 hdr[MIP4_BPF_HDR_MAX];
};

#define MIP4_BPF_F_REVERSE 0x1 /* T bit: reverse tunnel accepted (RFC 3024) */
#define MIP4_BPF_F_ENCAP_DELIVERY 0x2 /* FA: the visitor tunnels to us
				       * (RFC 3024 §5.2) */

/* Value of mip4_bind; key: __u32 home address. */
struct mip4_bpf_binding {
	__u32 flags; /* MIP4_BPF_F_* */
	__u32 ncoa;  /* 1..MIP4_BPF_MAX_COA */
	__u32 slot;  /* this binding's index in mip4_bcount (bpf_maps.c
		      * hands them out) */
	__u32 pad;
	struct mip4_bpf_coa coa[MIP4_BPF_MAX_COA];
};

/* Value of mip4_bcount, a per-CPU array indexed by the binding's slot:
 * one array access per packet instead of a second hash lookup (measured:
 * a per-CPU hash keyed by home address cost 300-400 ns more per packet
 * with 1,000 bindings in use than with one, on the 2-vCPU test VM). */
struct mip4_bpf_bcount {
	__u64 pkts_out, bytes_out; /* encapsulated (towards the MN) */
	__u64 pkts_in, bytes_in;   /* decapsulated (from the MN) */
};

/* The one value of mip4_conf (key 0). */
struct mip4_bpf_conf {
	__u32 magic;	   /* MIP4_BPF_CONF_MAGIC: 0 = not configured, pass
			    * everything */
	__u32 version;	   /* MIP4_BPF_CONF_VERSION */
	__u32 role;	   /* enum mip4_bpf_role */
	__u32 local_addr;  /* HA: its address; MN: the care-of address; FA:
			    * its link address */
	__u32 tun_ifindex; /* decapsulated packets enter the stack here */
	__u32 fwmark;	   /* FIB lookups of outer packets use this mark */
	__u16 local_port;  /* RFC 3519: our UDP port (434) */
	__u16 pad;
	__u32 pad2;
	__u64 netns_dev, netns_ino; /* owner: the namespace that pinned it */
};

/* Counters of mip4_stats (per-CPU array).  "pass_*": left to the
 * userspace path (TC_ACT_UNSPEC, the packet goes on as if no program were
 * there); "drop_*": dropped in the kernel; the rest: handled. */
enum mip4_bpf_ctr {
	MIP4_BPF_ENCAP_TX,	     /* copies encapsulated and sent */
	MIP4_BPF_DECAP_IPIP,	     /* decapsulated, by kind */
	MIP4_BPF_DECAP_UDP,
	MIP4_BPF_DECAP_GRE,
	MIP4_BPF_DECAP_MIN,
	MIP4_BPF_PASS_NO_BINDING,    /* no map entry for the key */
	MIP4_BPF_PASS_EXPIRED,	     /* every care-of address expired or
				      * half bound */
	MIP4_BPF_PASS_UNSUPPORTED,   /* header options, GRE flags, mixed
				      * encapsulations, odd lengths */
	MIP4_BPF_PASS_GSO_MIN,	     /* GSO or fragment for minimal encap */
	MIP4_BPF_PASS_TOO_BIG,	     /* outer packet above the route MTU */
	MIP4_BPF_PASS_NO_ROUTE,	     /* FIB lookup failed */
	MIP4_BPF_PASS_NO_NEIGH,	     /* extra copy with no resolved
				      * neighbour */
	MIP4_BPF_PASS_FRAGMENT,	     /* outer fragment: reassembled by the
				      * kernel for the raw socket */
	MIP4_BPF_PASS_PORT,	     /* UDP from another source port: the
				      * daemon learns it (RFC 3519 §4.11) */
	MIP4_BPF_PASS_LOCAL,	     /* to the agent itself (keepalives) */
	MIP4_BPF_DROP_SPOOFED,	     /* outer source is no care-of address
				      * of the inner source's binding */
	MIP4_BPF_DROP_NOT_REVERSE,   /* reverse tunnel without the T bit */
	MIP4_BPF_DROP_MALFORMED,     /* bad inner header, bad minimal
				      * header checksum */
	MIP4_BPF_DROP_ADJUST,	     /* growing/shrinking the packet failed */
	MIP4_BPF_DROP_REDIRECT,	     /* redirect or clone refused */
	MIP4_BPF_NCTR
};

/* The RFC 1071 checksum of a 20-byte IPv4 header given as ten 16-bit
 * words in network byte order (the checksum word itself is skipped): the
 * value to store, in network byte order.  One's complement sums do not
 * depend on byte order as long as every word is taken the same way. */
static inline __u16 mip4_bpf_ip_csum(const __u16 *w)
{
	__u32 s = (__u32)w[0] + w[1] + w[2] + w[3] + w[4] + w[6] + w[7] +
		  w[8] + w[9];

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* The RFC 2004 minimal forwarding header checksum over its 4 (S = 0) or 6
 * (S = 1) words, checksum word (w[1]) skipped; network byte order. */
static inline __u16 mip4_bpf_min_csum(const __u16 *w, int with_src)
{
	__u32 s = (__u32)w[0] + w[2] + w[3];

	if (with_src)
		s += (__u32)w[4] + w[5];
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

#endif
