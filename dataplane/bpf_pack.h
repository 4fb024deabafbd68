/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/bpf_pack.h - building the values of the eBPF data plane's
 * maps (dataplane/bpf/mip4_bpf.h) from the daemon's state.  Pure code: no
 * system calls, host byte order in, network byte order out, so that every
 * byte the kernel program copies onto the wire is checked by unit tests
 * (tests/ebpf/test_bpf_pack.c) instead of only by captures.
 */
#ifndef MIP4_BPF_PACK_H
#define MIP4_BPF_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/mip4_bpf.h"
#include "mip4/binding.h"

/* Where copies for one key go (HA: a care-of address; MN: its HA). */
struct mip4_bpf_peer {
	uint64_t expires_ms; /* CLOCK_MONOTONIC milliseconds (the daemon's
			      * mip4d_now_ms()); UINT64_MAX: never */
	uint32_t peer;	     /* outer destination */
	uint32_t alt;	     /* another accepted outer source, or 0 */
	uint16_t port;	     /* UDP: outer destination port (0: half bound) */
	uint8_t encap;	     /* enum mip4_bpf_encap */
};

/* The map's encapsulation for a binding's (enum mip4_encap); -1 if it
 * has none. */
int mip4_bpf_encap_of(uint8_t mip4_encap);

/*
 * One care-of entry: the outer header template from src:sport (host
 * order) for p: IPv4 (TTL 64, DF, TOS, length, identification and
 * checksum left for the program, protocol 4/47/17/55) followed by the
 * GRE header (RFC 2784: no checksum, protocol type 0x0800) or the UDP
 * header (ports, length and checksum zero) and the RFC 3519 tunnel data
 * header (type 4, next header 4).  For minimal encapsulation only the
 * addresses are used (the header is built per packet).  Returns 0, or
 * -EINVAL for an unknown encapsulation.
 */
int mip4_bpf_coa_pack(struct mip4_bpf_coa *out, uint32_t src, uint16_t sport,
		      const struct mip4_bpf_peer *p);

/* A whole value: n (1..MIP4_BPF_MAX_COA) peers, flags MIP4_BPF_F_*.
 * 0, -EINVAL, or -E2BIG for more peers than the map holds. */
int mip4_bpf_pack(struct mip4_bpf_binding *out, uint32_t src, uint16_t sport,
		  const struct mip4_bpf_peer *p, size_t n, uint32_t flags);

/*
 * The home agent's value for binding b, tunnels from local:lport:
 * every care-of address (simultaneous bindings) with its own expiry; RFC
 * 3519 ones to the address and port the registration came from (NAT
 * aware), the others to the care-of address, also accepting the
 * registration's source address as outer source of reverse-tunnelled
 * packets (as dp_decide_ipip does).  The T bit becomes
 * MIP4_BPF_F_REVERSE.  0, -EINVAL (unknown encapsulation, no care-of
 * address) or -E2BIG (more care-of addresses than the map holds: the
 * binding stays on the userspace path).
 */
int mip4_bpf_pack_binding(struct mip4_bpf_binding *out,
			  const struct mip4_binding *b, uint32_t local,
			  uint16_t lport);

struct mip4_fa_visitor;
/*
 * The foreign agent's value for visitor v (key: its home address): one
 * entry, IP-in-IP between our care-of address v->coa (the template's
 * source, and the outer destination decapsulation accepts) and its home
 * agent (peer: outer destination of the reverse tunnel, accepted outer
 * source of delivery), expiring with the visitor.  Direct delivery style
 * becomes MIP4_BPF_F_REVERSE, encapsulating delivery style
 * MIP4_BPF_F_ENCAP_DELIVERY (RFC 3024 §5).  0 or -EINVAL (no care-of or
 * home agent address).
 */
int mip4_bpf_pack_visitor(struct mip4_bpf_binding *out,
			  const struct mip4_fa_visitor *v);

/* The configuration value. */
void mip4_bpf_conf_pack(struct mip4_bpf_conf *out, enum mip4_bpf_role role,
			uint32_t local, uint16_t lport, int tun_ifindex,
			uint32_t fwmark, uint64_t netns_dev,
			uint64_t netns_ino);

/* Name of counter i of enum mip4_bpf_ctr ("encap_tx", "drop_spoofed",
 * ...), NULL past the end. */
const char *mip4_bpf_ctr_name(unsigned int i);

#endif
