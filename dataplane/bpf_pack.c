/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/bpf_pack.c - the map values of the eBPF data plane
 * (bpf_pack.h).  Pure code.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "bpf_pack.h"
#include "mip4/fa.h"
#include "mip4/ip.h"
#include "mip4/wire.h"

#define TTL 64

/* Host order to what a BPF program compares with a packet field: the
 * packet's bytes in memory order, i.e. network byte order. */
#define nbo32 htonl
#define nbo16 htons

int mip4_bpf_encap_of(uint8_t mip4_encap)
{
	switch (mip4_encap) {
	case MIP4_ENCAP_IPIP:
		return MIP4_BPF_ENCAP_IPIP;
	case MIP4_ENCAP_UDP:
		return MIP4_BPF_ENCAP_UDP;
	case MIP4_ENCAP_GRE:
		return MIP4_BPF_ENCAP_GRE;
	case MIP4_ENCAP_MIN:
		return MIP4_BPF_ENCAP_MIN;
	default:
		return -1;
	}
}

int mip4_bpf_coa_pack(struct mip4_bpf_coa *out, uint32_t src, uint16_t sport,
		      const struct mip4_bpf_peer *p)
{
	uint8_t *h = out->hdr;
	uint8_t proto;

	memset(out, 0, sizeof *out);
	switch (p->encap) {
	case MIP4_BPF_ENCAP_IPIP:
		proto = MIP4_IPPROTO_IPIP;
		out->hlen = MIP4_BPF_IP_LEN;
		break;
	case MIP4_BPF_ENCAP_GRE:
		proto = MIP4_IPPROTO_GRE;
		out->hlen = MIP4_BPF_IP_LEN + MIP4_BPF_GRE_LEN;
		break;
	case MIP4_BPF_ENCAP_UDP:
		proto = MIP4_IPPROTO_UDP;
		out->hlen = MIP4_BPF_HDR_MAX;
		break;
	case MIP4_BPF_ENCAP_MIN:
		proto = MIP4_IPPROTO_MINENC;
		out->hlen = MIP4_BPF_IP_LEN;
		break;
	default:
		return -EINVAL;
	}
	out->encap = p->encap;
	out->peer = nbo32(p->peer);
	out->alt = nbo32(p->alt);
	out->peer_port = p->encap == MIP4_BPF_ENCAP_UDP ? nbo16(p->port) : 0;
	/* milliseconds to the program's nanoseconds, saturating */
	out->expires_ns = p->expires_ms >= UINT64_MAX / 1000000u
				  ? UINT64_MAX
				  : p->expires_ms * 1000000u;
	/* IPv4: version 4, IHL 5; tos, length, id, flags: per packet */
	h[0] = 0x45;
	h[8] = TTL;
	h[9] = proto;
	mip4_put32(h + 12, src);
	mip4_put32(h + 16, p->peer);
	if (p->encap == MIP4_BPF_ENCAP_GRE) {
		/* RFC 2784 §2.1: C = 0, reserved0 = 0, version 0; protocol
		 * type: the Ethernet type of IPv4 */
		mip4_put16(h + 20, 0);
		mip4_put16(h + 22, 0x0800);
	} else if (p->encap == MIP4_BPF_ENCAP_UDP) {
		/* RFC 3519 §3.3: the registration's ports, reversed;
		 * checksum 0 (allowed for IPv4, RFC 768) */
		mip4_put16(h + 20, sport);
		mip4_put16(h + 22, p->port);
		h[28] = MIP4_MSG_TUNNEL_DATA;
		h[29] = MIP4_IPPROTO_IPIP;
	}
	return 0;
}

int mip4_bpf_pack(struct mip4_bpf_binding *out, uint32_t src, uint16_t sport,
		  const struct mip4_bpf_peer *p, size_t n, uint32_t flags)
{
	memset(out, 0, sizeof *out);
	if (n == 0)
		return -EINVAL;
	if (n > MIP4_BPF_MAX_COA)
		return -E2BIG;
	out->flags = flags;
	out->ncoa = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		int r = mip4_bpf_coa_pack(&out->coa[i], src, sport, &p[i]);

		if (r < 0)
			return r;
	}
	return 0;
}

int mip4_bpf_pack_visitor(struct mip4_bpf_binding *out,
			  const struct mip4_fa_visitor *v)
{
	struct mip4_bpf_peer p = {.expires_ms = v->expires_ms,
				  .peer = v->ha_addr,
				  .encap = MIP4_BPF_ENCAP_IPIP};
	uint32_t flags = v->delivery == MIP4_FA_DELIVERY_DIRECT
				 ? MIP4_BPF_F_REVERSE
			 : v->delivery == MIP4_FA_DELIVERY_ENCAP
				 ? MIP4_BPF_F_ENCAP_DELIVERY
				 : 0;

	memset(out, 0, sizeof *out);
	if (!v->coa || !v->ha_addr)
		return -EINVAL;
	return mip4_bpf_pack(out, v->coa, 0, &p, 1, flags);
}

int mip4_bpf_pack_binding(struct mip4_bpf_binding *out,
			  const struct mip4_binding *b, uint32_t local,
			  uint16_t lport)
{
	struct mip4_bpf_peer p[MIP4_BPF_MAX_COA];
	size_t n = mip4_binding_ncoa(b);

	memset(out, 0, sizeof *out);
	if (n > MIP4_BPF_MAX_COA)
		return -E2BIG;
	for (size_t i = 0; i < n; i++) {
		struct mip4_coa c;
		int e;

		mip4_binding_coa(b, i, &c);
		e = mip4_bpf_encap_of(c.encap);
		if (!c.coa || e < 0)
			return -EINVAL;
		p[i] = (struct mip4_bpf_peer){.expires_ms = c.expires_ms,
					      .encap = (uint8_t)e};
		if (e == MIP4_BPF_ENCAP_UDP) {
			/* RFC 3519 §2: to the address and port the
			 * registration came from (the NAT's outside) */
			p[i].peer = c.peer_addr ? c.peer_addr : c.coa;
			p[i].port = c.peer_port;
		} else {
			p[i].peer = c.coa;
			if (c.peer_addr && c.peer_addr != c.coa)
				p[i].alt = c.peer_addr;
		}
	}
	return mip4_bpf_pack(out, local, lport, p, n,
			     (b->flags & MIP4_RRQ_T) ? MIP4_BPF_F_REVERSE : 0);
}

void mip4_bpf_conf_pack(struct mip4_bpf_conf *out, enum mip4_bpf_role role,
			uint32_t local, uint16_t lport, int tun_ifindex,
			uint32_t fwmark, uint64_t netns_dev,
			uint64_t netns_ino)
{
	memset(out, 0, sizeof *out);
	out->magic = MIP4_BPF_CONF_MAGIC;
	out->version = MIP4_BPF_CONF_VERSION;
	out->role = role;
	out->local_addr = nbo32(local);
	out->tun_ifindex = tun_ifindex > 0 ? (uint32_t)tun_ifindex : 0;
	out->fwmark = fwmark;
	out->local_port = nbo16(lport);
	out->netns_dev = netns_dev;
	out->netns_ino = netns_ino;
}

static const char *const ctr_names[MIP4_BPF_NCTR] = {
	[MIP4_BPF_ENCAP_TX] = "encap_tx",
	[MIP4_BPF_DECAP_IPIP] = "decap_ipip",
	[MIP4_BPF_DECAP_UDP] = "decap_udp",
	[MIP4_BPF_DECAP_GRE] = "decap_gre",
	[MIP4_BPF_DECAP_MIN] = "decap_min",
	[MIP4_BPF_PASS_NO_BINDING] = "pass_no_binding",
	[MIP4_BPF_PASS_EXPIRED] = "pass_expired",
	[MIP4_BPF_PASS_UNSUPPORTED] = "pass_unsupported",
	[MIP4_BPF_PASS_GSO_MIN] = "pass_gso_min",
	[MIP4_BPF_PASS_TOO_BIG] = "pass_too_big",
	[MIP4_BPF_PASS_NO_ROUTE] = "pass_no_route",
	[MIP4_BPF_PASS_NO_NEIGH] = "pass_no_neigh",
	[MIP4_BPF_PASS_FRAGMENT] = "pass_fragment",
	[MIP4_BPF_PASS_PORT] = "pass_port",
	[MIP4_BPF_PASS_LOCAL] = "pass_local",
	[MIP4_BPF_DROP_SPOOFED] = "drop_spoofed",
	[MIP4_BPF_DROP_NOT_REVERSE] = "drop_not_reverse",
	[MIP4_BPF_DROP_MALFORMED] = "drop_malformed",
	[MIP4_BPF_DROP_ADJUST] = "drop_adjust",
	[MIP4_BPF_DROP_REDIRECT] = "drop_redirect",
};

const char *mip4_bpf_ctr_name(unsigned int i)
{
	return i < MIP4_BPF_NCTR ? ctr_names[i] : NULL;
}
