// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * dataplane/bpf/mip4.bpf.c - the tunnel fast path as tc programs.
 *
 *   mip4_encap   tc egress of the tunnel TUN device (mip-ha0, mtun): a
 *                packet routed into the tunnel is looked up (HA: inner
 *                destination, MN: inner source), wrapped in the outer
 *                header built from the map's template (IP-in-IP, GRE, RFC
 *                3519 UDP) or in a minimal forwarding header (RFC 2004),
 *                given an Ethernet header from a FIB lookup and sent out
 *                of the outer device; a copy per care-of address.
 *   mip4_decap_eth / mip4_decap_l3
 *                tc ingress of the outer devices (Ethernet / no link
 *                header): tunnelled packets to our address from a
 *                registered outer source lose the outer header and enter
 *                the stack on the TUN, as if user space had written them
 *                there.
 *
 * Whatever a program does not handle it leaves alone (TC_ACT_UNSPEC: the
 * next filter, then the stack): on the TUN the packet reaches the
 * daemon's file descriptor and the userspace data plane decides, on the
 * outer devices it reaches the raw or UDP socket.  The map is a cache of
 * the daemon's binding table, never a second source of truth.  Every
 * decision is counted (mip4_stats, enum mip4_bpf_ctr).
 *
 * The license is dual so that the kernel lets the programs call the
 * GPL-only helpers (bpf_fib_lookup, bpf_redirect_neigh); the rest of
 * mip4d stays BSD-2-Clause.
 */
#ifndef __bpf__
/* scripts/lint.sh's analysers parse this file as host C17, where the GNU
 * typeof of libbpf's map macros is spelled __typeof__ */
#define typeof __typeof__
#endif
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "mip4_bpf.h"

/* For static analysers that do not read libbpf's headers (cppcheck in
 * scripts/lint.sh); the compiler has the real ones. */
#ifndef SEC
#define SEC(name) __attribute__((section(name), used))
#endif
#ifndef __uint
#define __uint(name, val) int(*name)[val]
#define __type(name, val) __typeof__(val) *name
#endif

/* Newer than Debian 12's linux-libc-dev (6.1); values from the running
 * kernel's include/uapi/linux/bpf.h. */
#ifndef BPF_FIB_LOOKUP_MARK
#define BPF_FIB_LOOKUP_MARK (1U << 5) /* Linux 6.10 */
#endif

#define AF_INET 2
#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff
#define ETH_LEN 14
#define MIP4_PROTO_MIN 55
#define MIP4_TD_TYPE 4 /* RFC 3519 §3.3 tunnel data */

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536); /* set by the loader */
	__type(key, __u32);
	__type(value, struct mip4_bpf_binding);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mip4_bind SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 65536); /* set by the loader, = mip4_bind's */
	__type(key, __u32);
	__type(value, struct mip4_bpf_bcount);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mip4_bcount SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MIP4_BPF_NCTR);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mip4_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mip4_bpf_conf);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mip4_conf SEC(".maps");

/* skb->data and skb->data_end are 32-bit context fields that the verifier
 * turns into packet pointers: the cast is how BPF C reads them. */
static __always_inline void *pkt_ptr(__u32 v)
{
	return (void *)(long)v; /* NOLINT(performance-no-int-to-ptr) */
}

/* CLOCK_MONOTONIC, coarse: expiry needs milliseconds, not a clocksource
 * read per packet (in a VM the precise one showed up in profiles) */
static __always_inline __u64 now_ns(void)
{
	return bpf_ktime_get_coarse_ns();
}

static __always_inline void count(__u32 ctr)
{
	__u64 *c = bpf_map_lookup_elem(&mip4_stats, &ctr);

	if (c)
		*c += 1;
}

/* Leave the packet to whoever comes next, counting why. */
static __always_inline int pass(__u32 ctr)
{
	count(ctr);
	return TC_ACT_UNSPEC;
}

static __always_inline int drop(__u32 ctr)
{
	count(ctr);
	return TC_ACT_SHOT;
}

static __always_inline const struct mip4_bpf_conf *conf_get(void)
{
	__u32 k = 0;
	const struct mip4_bpf_conf *c = bpf_map_lookup_elem(&mip4_conf, &k);

	return c && c->magic == MIP4_BPF_CONF_MAGIC &&
			       c->version == MIP4_BPF_CONF_VERSION
		       ? c
		       : 0;
}

/* Packets on the wire an skb stands for: a GSO super-packet is segmented
 * after us (per-binding counters count what the node sends and gets). */
static __always_inline __u32 segs(const struct __sk_buff *skb)
{
	return skb->gso_segs > 1 ? skb->gso_segs : 1;
}

static __always_inline void bcount(const struct mip4_bpf_binding *b,
				   __u32 pkts, __u64 bytes, int out)
{
	__u32 slot = b->slot;
	struct mip4_bpf_bcount *c = bpf_map_lookup_elem(&mip4_bcount, &slot);

	if (!c)
		return;
	if (out) {
		c->pkts_out += pkts;
		c->bytes_out += bytes;
	} else {
		c->pkts_in += pkts;
		c->bytes_in += bytes;
	}
}

/* ------------------------------------------------------------------ */
/* Encapsulation (TUN egress: no link header, skb->data is the IPv4     */
/* header).                                                              */

/* Where one copy goes: the FIB's answer for the outer destination. */
struct hop {
	__u32 ifindex;
	__u8 mac[12]; /* destination, source: the Ethernet header's start */
	int neigh;    /* 1: MACs known; 0: let bpf_redirect_neigh resolve */
};

/* Route the outer packet: 0 and *h filled, or the counter to pass with. */
static __always_inline int route(struct __sk_buff *skb, __u32 ifindex,
				 const struct mip4_bpf_conf *cf, __u32 src,
				 __u32 dst, __u8 tos, __u32 tot_len, int gso,
				 struct hop *h)
{
	struct bpf_fib_lookup fib = {};
	__u32 flags = 0;
	long rc;

	fib.family = AF_INET;
	fib.tos = tos;
	fib.ipv4_src = src;
	fib.ipv4_dst = dst;
	fib.ifindex = ifindex;
	/* Non-GSO: check the outer length against the route's MTU.  A GSO
	 * packet is segmented to the inner MSS, which the TUN's MTU already
	 * keeps under the outer MTU. */
	fib.tot_len = gso ? 0 : (__u16)tot_len;
	if (cf->fwmark) {
		/* input: the mark shares its place with smac (Linux 6.10) */
		__builtin_memcpy(fib.smac, &cf->fwmark, sizeof cf->fwmark);
		flags |= BPF_FIB_LOOKUP_MARK;
	}
	rc = bpf_fib_lookup(skb, &fib, sizeof fib, flags);
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return MIP4_BPF_PASS_TOO_BIG;
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
		h->ifindex = fib.ifindex;
		h->neigh = 0;
		return 0;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return MIP4_BPF_PASS_NO_ROUTE;
	h->ifindex = fib.ifindex;
	h->neigh = 1;
	__builtin_memcpy(h->mac, fib.dmac, 6);
	__builtin_memcpy(h->mac + 6, fib.smac, 6);
	return 0;
}

/* Ethernet + outer header of one copy, ready to store at offset 0. */
struct outer {
	/* 2 bytes of padding first: the IPv4 header is 4-byte aligned (the
	 * verifier refuses misaligned stack access) */
	__u8 b[2 + ETH_LEN + MIP4_BPF_HDR_MAX];
} __attribute__((aligned(8)));

static __always_inline void outer_fill(struct outer *o,
				       const struct mip4_bpf_coa *e,
				       const struct hop *h, __u8 tos,
				       __u16 frag, __u32 tot_len)
{
	__u8 *eth = o->b + 2;
	__u8 *ip = eth + ETH_LEN;
	__u16 *w = (__u16 *)ip;

	__builtin_memcpy(eth, h->mac, 12);
	eth[12] = 0x08; /* ETH_P_IP */
	eth[13] = 0x00;
	__builtin_memcpy(ip, e->hdr, MIP4_BPF_HDR_MAX);
	/* RFC 2003 §3.1: TOS copied, DF copied; identification 0 is fine
	 * for DF packets (RFC 6864), a random one otherwise */
	ip[1] = tos;
	w[1] = bpf_htons((__u16)tot_len);
	w[2] = (frag & bpf_htons(IP_DF)) ? 0 : (__u16)bpf_get_prandom_u32();
	w[3] = frag & bpf_htons(IP_DF);
	w[5] = mip4_bpf_ip_csum(w);
	if (e->encap == MIP4_BPF_ENCAP_UDP) /* UDP length */
		w[10 + 2] = bpf_htons((__u16)(tot_len - MIP4_BPF_IP_LEN));
}

/* Write o's first ETH_LEN + hlen bytes over the packet's head. */
static __always_inline long outer_store(struct __sk_buff *skb,
					const struct outer *o, __u32 hlen)
{
	const __u8 *p = o->b + 2;

	switch (hlen) {
	case MIP4_BPF_IP_LEN:
		return bpf_skb_store_bytes(skb, 0, p, ETH_LEN + MIP4_BPF_IP_LEN,
					   0);
	case MIP4_BPF_IP_LEN + MIP4_BPF_GRE_LEN:
		return bpf_skb_store_bytes(skb, 0, p,
					   ETH_LEN + MIP4_BPF_IP_LEN +
						   MIP4_BPF_GRE_LEN,
					   0);
	case MIP4_BPF_HDR_MAX:
		return bpf_skb_store_bytes(skb, 0, p, ETH_LEN + MIP4_BPF_HDR_MAX,
					   0);
	}
	return -1;
}

static __always_inline int live(const struct mip4_bpf_coa *e, __u64 now)
{
	if (e->expires_ns <= now)
		return 0;
	if (e->encap == MIP4_BPF_ENCAP_UDP && !e->peer_port)
		return 0; /* RFC 3519 §4.11: half bound, no keepalive yet */
	return 1;
}

/* Send the current packet (Ethernet header in place) out of h. */
static __always_inline int send(const struct hop *h)
{
	long rc = h->neigh ? bpf_redirect(h->ifindex, 0)
			   : bpf_redirect_neigh(h->ifindex, 0, 0, 0);

	if (rc != TC_ACT_REDIRECT)
		return drop(MIP4_BPF_DROP_REDIRECT);
	count(MIP4_BPF_ENCAP_TX);
	return TC_ACT_REDIRECT;
}

/* RFC 2004 for one care-of address: the inner header becomes the outer
 * one, the forwarding header goes between it and the payload. */
static __always_inline int encap_min(struct __sk_buff *skb,
				     const struct mip4_bpf_conf *cf,
				     const struct mip4_bpf_binding *b,
				     const struct mip4_bpf_coa *e,
				     struct iphdr *in, __u32 ifindex, int gso)
{
	__u8 buf[2 + ETH_LEN + MIP4_BPF_IP_LEN + MIP4_BPF_MIN_LEN_S]
		__attribute__((aligned(8)));
	__u8 *eth = buf + 2;
	__u16 *w = (__u16 *)(eth + ETH_LEN);
	__u16 *m = w + 10;
	__u32 tot = bpf_ntohs(in->tot_len), mlen;
	__u32 src;
	struct hop h = {};
	int with_src, r;

	/* RFC 2004 §3: never for a fragment; GSO packets would need the
	 * kernel to segment protocol 55, which it cannot */
	if (gso || (in->frag_off & bpf_htons(IP_MF | IP_OFFMASK)))
		return pass(MIP4_BPF_PASS_GSO_MIN);
	if (in->ihl != 5)
		return pass(MIP4_BPF_PASS_UNSUPPORTED);
	__builtin_memcpy(&src, e->hdr + 12, 4); /* the template's source */
	/* S = 0 only when we are the original source */
	with_src = in->saddr != src;
	mlen = with_src ? MIP4_BPF_MIN_LEN_S : MIP4_BPF_MIN_LEN;
	if (tot + mlen > 0xffff)
		return pass(MIP4_BPF_PASS_UNSUPPORTED);
	r = route(skb, ifindex, cf, src, e->peer, in->tos, tot + mlen, 0, &h);
	if (r)
		return pass(r);
	/* the modified header (§3): protocol 55, destination the tunnel
	 * exit, source us, length + mlen, TTL untouched */
	__builtin_memcpy(w, in, MIP4_BPF_IP_LEN);
	m[0] = bpf_htons((__u16)in->protocol << 8 | (with_src ? 0x80 : 0));
	m[1] = 0;
	__builtin_memcpy(m + 2, &in->daddr, 4);
	__builtin_memcpy(m + 4, &in->saddr, 4);
	m[1] = mip4_bpf_min_csum(m, with_src);
	((__u8 *)w)[9] = MIP4_PROTO_MIN;
	__builtin_memcpy(w + 6, &src, 4);
	__builtin_memcpy(w + 8, &e->peer, 4);
	w[1] = bpf_htons((__u16)(tot + mlen));
	w[5] = mip4_bpf_ip_csum(w);
	__builtin_memcpy(eth, h.mac, 12);
	eth[12] = 0x08;
	eth[13] = 0x00;
	if (bpf_skb_change_head(skb, ETH_LEN, 0) ||
	    bpf_skb_adjust_room(skb, (__s32)mlen, BPF_ADJ_ROOM_NET, 0))
		return drop(MIP4_BPF_DROP_ADJUST);
	if (with_src)
		r = (int)bpf_skb_store_bytes(skb, 0, eth,
					     ETH_LEN + MIP4_BPF_IP_LEN +
						     MIP4_BPF_MIN_LEN_S,
					     0);
	else
		r = (int)bpf_skb_store_bytes(skb, 0, eth,
					     ETH_LEN + MIP4_BPF_IP_LEN +
						     MIP4_BPF_MIN_LEN,
					     0);
	if (r)
		return drop(MIP4_BPF_DROP_ADJUST);
	bcount(b, segs(skb), tot, 1);
	return send(&h);
}

static __always_inline __u64 adjust_flags(__u8 encap)
{
	__u64 f = BPF_F_ADJ_ROOM_FIXED_GSO | BPF_F_ADJ_ROOM_ENCAP_L3_IPV4;

	if (encap == MIP4_BPF_ENCAP_GRE)
		f |= BPF_F_ADJ_ROOM_ENCAP_L4_GRE;
	else if (encap == MIP4_BPF_ENCAP_UDP) /* the tunnel data header sits
						  between UDP and the inner
						  packet */
		f |= BPF_F_ADJ_ROOM_ENCAP_L4_UDP |
		     BPF_F_ADJ_ROOM_ENCAP_L2(MIP4_BPF_TD_LEN);
	return f;
}

SEC("tc")
int mip4_encap(struct __sk_buff *skb)
{
	void *data = pkt_ptr(skb->data);
	void *end = pkt_ptr(skb->data_end);
	const struct mip4_bpf_conf *cf = conf_get();
	const struct mip4_bpf_binding *b;
	struct iphdr *in = data;
	struct hop hops[MIP4_BPF_MAX_COA] = {};
	__u32 ifindex = skb->ifindex, len = skb->len;
	int gso = skb->gso_segs > 1 || skb->gso_size;
	__u32 key, tot, hlen = 0, n = 0, mask = 0, first = 0, i;
	__u64 now;
	__u16 frag;
	__u8 tos, encap = 0;
	struct outer o;
	int r;

	if (!cf || skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_UNSPEC;
	if ((void *)(in + 1) > end || in->version != 4)
		return pass(MIP4_BPF_PASS_UNSUPPORTED);
	key = cf->role == MIP4_BPF_ROLE_MN ? in->saddr : in->daddr;
	b = bpf_map_lookup_elem(&mip4_bind, &key);
	if (!b)
		return pass(MIP4_BPF_PASS_NO_BINDING);
	tot = bpf_ntohs(in->tot_len);
	if (tot != len || tot < MIP4_BPF_IP_LEN)
		return pass(MIP4_BPF_PASS_UNSUPPORTED);
	now = now_ns();
	/* which care-of addresses get a copy: bit i of mask (the loops are
	 * unrolled, so every b->coa[i] and hops[i] has a constant index) */
#pragma clang loop unroll(full)
	for (i = 0; i < MIP4_BPF_MAX_COA; i++) {
		const struct mip4_bpf_coa *e = &b->coa[i];

		if (i >= b->ncoa || !live(e, now))
			continue;
		if (n && e->hlen != hlen)
			return pass(MIP4_BPF_PASS_UNSUPPORTED);
		if (!n)
			first = i;
		hlen = e->hlen;
		encap = e->encap;
		mask |= 1u << i;
		n++;
	}
	if (!n)
		return pass(MIP4_BPF_PASS_EXPIRED);
	if (encap == MIP4_BPF_ENCAP_MIN) {
		if (n > 1) /* copies: user space builds each */
			return pass(MIP4_BPF_PASS_UNSUPPORTED);
		return encap_min(skb, cf, b, &b->coa[first & 3], in, ifindex,
				 gso);
	}
	if (hlen != MIP4_BPF_IP_LEN &&
	    hlen != MIP4_BPF_IP_LEN + MIP4_BPF_GRE_LEN &&
	    hlen != MIP4_BPF_HDR_MAX)
		return pass(MIP4_BPF_PASS_UNSUPPORTED);
	if (tot + hlen > 0xffff)
		return pass(MIP4_BPF_PASS_UNSUPPORTED);
	tos = in->tos;
	frag = in->frag_off;
	/* Route every copy before touching the packet, so that a copy we
	 * cannot send leaves the whole packet to user space unchanged. */
#pragma clang loop unroll(full)
	for (i = 0; i < MIP4_BPF_MAX_COA; i++) {
		const struct mip4_bpf_coa *e = &b->coa[i];
		__u32 src;

		if (!(mask & (1u << i)))
			continue;
		__builtin_memcpy(&src, e->hdr + 12, 4);
		r = route(skb, ifindex, cf, src, e->peer, tos, tot + hlen, gso,
			  &hops[i]);
		if (r)
			return pass((__u32)r);
		/* a clone needs its MACs now; only the copy sent last (the
		 * first care-of address) may leave the neighbour to
		 * bpf_redirect_neigh */
		if (i != first && !hops[i].neigh)
			return pass(MIP4_BPF_PASS_NO_NEIGH);
	}
	if (bpf_skb_adjust_room(skb, (__s32)hlen, BPF_ADJ_ROOM_MAC,
				adjust_flags(encap)) ||
	    bpf_skb_change_head(skb, ETH_LEN, 0))
		return drop(MIP4_BPF_DROP_ADJUST);
	/* RFC 5944 §4.2.3: a copy to each care-of address; the extra ones
	 * are clones sent right away, the first goes last */
#pragma clang loop unroll(full)
	for (i = 0; i < MIP4_BPF_MAX_COA; i++) {
		if (!(mask & (1u << i)) || i == first)
			continue;
		outer_fill(&o, &b->coa[i], &hops[i], tos, frag, tot + hlen);
		if (outer_store(skb, &o, hlen))
			return drop(MIP4_BPF_DROP_ADJUST);
		if (bpf_clone_redirect(skb, hops[i].ifindex, 0)) {
			count(MIP4_BPF_DROP_REDIRECT);
			continue;
		}
		count(MIP4_BPF_ENCAP_TX);
	}
#pragma clang loop unroll(full)
	for (i = 0; i < MIP4_BPF_MAX_COA; i++) {
		if (i != first)
			continue;
		outer_fill(&o, &b->coa[i], &hops[i], tos, frag, tot + hlen);
		if (outer_store(skb, &o, hlen))
			return drop(MIP4_BPF_DROP_ADJUST);
		bcount(b, n * segs(skb), (__u64)tot * n, 1);
		return send(&hops[i]);
	}
	return drop(MIP4_BPF_DROP_ADJUST); /* not reached */
}

/* ------------------------------------------------------------------ */
/* Decapsulation (outer device ingress; l2 = link header length).       */

#define DECAP_PULL 52 /* outer IP + UDP + tunnel data header + inner IP */

struct tun_hdr {
	__u32 ohl;	/* bytes to remove after the link header */
	__u8 kind;	/* enum mip4_bpf_encap */
	__u16 sport;	/* UDP: network order */
	__u16 min[6];	/* RFC 2004 header as received */
};

/* Parse what follows the outer IPv4 header: 0 and *t, TC_ACT_UNSPEC
 * silently for what is not a tunnel packet of ours, or a counter + 1000
 * to pass with. */
static __always_inline int outer_parse(const struct mip4_bpf_conf *cf,
				       void *p, const void *end, __u8 proto,
				       struct tun_hdr *t)
{
	if (proto == IPPROTO_IPIP) {
		t->ohl = MIP4_BPF_IP_LEN;
		t->kind = MIP4_BPF_ENCAP_IPIP;
		return 0;
	}
	if (proto == IPPROTO_GRE) {
		__u16 *g = p;

		if ((void *)(g + 2) > end)
			return 1000 + MIP4_BPF_PASS_UNSUPPORTED;
		/* RFC 2784: no checksum, reserved0 and version 0 (and no
		 * RFC 2890 key or sequence), protocol type IPv4 */
		if (g[0] != 0 || g[1] != bpf_htons(ETH_P_IP))
			return 1000 + MIP4_BPF_PASS_UNSUPPORTED;
		t->ohl = MIP4_BPF_IP_LEN + MIP4_BPF_GRE_LEN;
		t->kind = MIP4_BPF_ENCAP_GRE;
		return 0;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *u = p;
		__u8 *td = (__u8 *)(u + 1);

		if ((void *)(td + MIP4_BPF_TD_LEN) > end)
			return TC_ACT_UNSPEC;
		if (u->dest != cf->local_port)
			return TC_ACT_UNSPEC;
		/* registration messages and other types: the daemon's */
		if (td[0] != MIP4_TD_TYPE)
			return TC_ACT_UNSPEC;
		if (td[1] != IPPROTO_IPIP)
			return 1000 + MIP4_BPF_PASS_UNSUPPORTED;
		t->ohl = MIP4_BPF_IP_LEN + MIP4_BPF_UDP_LEN + MIP4_BPF_TD_LEN;
		t->kind = MIP4_BPF_ENCAP_UDP;
		t->sport = u->source;
		return 0;
	}
	if (proto == MIP4_PROTO_MIN) {
		__u16 *m = p;

		if ((void *)(m + 4) > end)
			return 1000 + MIP4_BPF_PASS_UNSUPPORTED;
		t->kind = MIP4_BPF_ENCAP_MIN;
		if (((__u8 *)m)[1] & 0x80) {
			if ((void *)(m + 6) > end)
				return 1000 + MIP4_BPF_PASS_UNSUPPORTED;
			__builtin_memcpy(t->min, m, 12);
			t->ohl = MIP4_BPF_MIN_LEN_S;
		} else {
			__builtin_memcpy(t->min, m, 8);
			t->ohl = MIP4_BPF_MIN_LEN;
		}
		if (mip4_bpf_min_csum(t->min, t->ohl == MIP4_BPF_MIN_LEN_S) !=
		    t->min[1])
			return 1000 + MIP4_BPF_DROP_MALFORMED;
		return 0;
	}
	return TC_ACT_UNSPEC;
}

/* Does outer source src (port sport) belong to entry e of the kind? */
static __always_inline int from_coa(const struct mip4_bpf_coa *e, __u64 now,
				    __u8 kind, __u32 src)
{
	if (e->expires_ns <= now)
		return 0;
	/* IP-in-IP from any but a UDP care-of address (RFC 5944 §4.1,
	 * RFC 3519 §4.7), the others only from their own (as
	 * dp_decide_raw) */
	if (kind == MIP4_BPF_ENCAP_IPIP ? e->encap == MIP4_BPF_ENCAP_UDP
					: e->encap != kind)
		return 0;
	if (kind == MIP4_BPF_ENCAP_UDP) /* the address is pinned, §6.1.2 */
		return e->peer == src;
	return e->peer == src || (e->alt && e->alt == src);
}

/* Rebuild the inner header from a minimal-encapsulated one (RFC 2004:
 * restore protocol, destination and, with S, source; length - mlen). */
static __always_inline int min_restore(struct __sk_buff *skb, __u32 l2,
				       const struct iphdr *o,
				       const struct tun_hdr *t)
{
	__u16 w[10];
	__u8 *b = (__u8 *)w;

	__builtin_memcpy(w, o, MIP4_BPF_IP_LEN);
	b[9] = ((const __u8 *)t->min)[0];
	__builtin_memcpy(w + 8, &t->min[2], 4);
	if (t->ohl == MIP4_BPF_MIN_LEN_S)
		__builtin_memcpy(w + 6, &t->min[4], 4);
	w[1] = bpf_htons((__u16)(bpf_ntohs(o->tot_len) - t->ohl));
	w[5] = mip4_bpf_ip_csum(w);
	if (bpf_skb_adjust_room(skb, -(__s32)t->ohl, BPF_ADJ_ROOM_NET, 0))
		return -1;
	return (int)bpf_skb_store_bytes(skb, l2, w, sizeof w, 0);
}

static __always_inline int decap(struct __sk_buff *skb, const __u32 l2)
{
	__u8 *data = (__u8 *)pkt_ptr(skb->data);
	void *end = pkt_ptr(skb->data_end);
	const struct mip4_bpf_conf *cf;
	const struct mip4_bpf_binding *b;
	struct iphdr *o = (struct iphdr *)(data + l2);
	struct tun_hdr t = {};
	__u32 key, i, inner_len;
	__u64 now;
	int r, ok = 0;
	__u8 proto;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_UNSPEC;
	if ((void *)(o + 1) > end)
		return TC_ACT_UNSPEC;
	proto = o->protocol;
	if (proto != IPPROTO_IPIP && proto != IPPROTO_GRE &&
	    proto != IPPROTO_UDP && proto != MIP4_PROTO_MIN)
		return TC_ACT_UNSPEC;
	cf = conf_get();
	if (!cf || o->daddr != cf->local_addr)
		return TC_ACT_UNSPEC;
	if (o->ihl != 5)
		return pass(MIP4_BPF_PASS_UNSUPPORTED);
	if (o->frag_off & bpf_htons(IP_MF | IP_OFFMASK))
		return pass(MIP4_BPF_PASS_FRAGMENT);
	/* the headers in the linear part, for direct access (a short
	 * packet makes the pull fail: the bounds checks below decide) */
	if ((void *)(data + l2 + DECAP_PULL) > end) {
		bpf_skb_pull_data(skb, l2 + DECAP_PULL);
		data = (__u8 *)pkt_ptr(skb->data);
		end = pkt_ptr(skb->data_end);
		o = (struct iphdr *)(data + l2);
		if ((void *)(o + 1) > end)
			return pass(MIP4_BPF_PASS_UNSUPPORTED);
	}
	r = outer_parse(cf, (void *)(o + 1), end, proto, &t);
	if (r == TC_ACT_UNSPEC)
		return TC_ACT_UNSPEC;
	if (r >= 1000 + MIP4_BPF_DROP_SPOOFED)
		return drop((__u32)(r - 1000));
	if (r)
		return pass((__u32)(r - 1000));
	if (t.ohl > 32)
		return pass(MIP4_BPF_PASS_UNSUPPORTED);
	if (t.kind == MIP4_BPF_ENCAP_MIN) {
		/* the inner header is this one, restored below (RFC 2004:
		 * without S the encapsulator was the original source) */
		if (bpf_ntohs(o->tot_len) < MIP4_BPF_IP_LEN + t.ohl)
			return drop(MIP4_BPF_DROP_MALFORMED);
		if (cf->role == MIP4_BPF_ROLE_MN)
			__builtin_memcpy(&key, &t.min[2], 4);
		else if (t.ohl == MIP4_BPF_MIN_LEN_S)
			__builtin_memcpy(&key, &t.min[4], 4);
		else
			key = o->saddr;
		inner_len = bpf_ntohs(o->tot_len) - t.ohl;
	} else {
		struct iphdr *in = (struct iphdr *)(data + l2 + t.ohl);

		if ((void *)(in + 1) > end)
			return pass(MIP4_BPF_PASS_UNSUPPORTED);
		if (in->version != 4 || in->ihl < 5)
			return drop(MIP4_BPF_DROP_MALFORMED);
		/* packets for the agent itself (RFC 3519 keepalives) and,
		 * on a mobile node, its keepalive replies: the daemon's */
		if (cf->role == MIP4_BPF_ROLE_HA && in->daddr == cf->local_addr)
			return pass(MIP4_BPF_PASS_LOCAL);
		if (cf->role == MIP4_BPF_ROLE_MN &&
		    t.kind == MIP4_BPF_ENCAP_UDP && in->saddr == o->saddr &&
		    in->protocol == IPPROTO_ICMP)
			return pass(MIP4_BPF_PASS_LOCAL);
		key = cf->role == MIP4_BPF_ROLE_MN ? in->daddr : in->saddr;
		inner_len = bpf_ntohs(in->tot_len);
	}
	b = bpf_map_lookup_elem(&mip4_bind, &key);
	if (!b)
		return pass(MIP4_BPF_PASS_NO_BINDING);
	now = now_ns();
	for (i = 0; i < MIP4_BPF_MAX_COA; i++) {
		const struct mip4_bpf_coa *e = &b->coa[i];

		if (i >= b->ncoa)
			break;
		if (!from_coa(e, now, t.kind, o->saddr))
			continue;
		/* RFC 3519 §4.11: the NAT moved the port: the daemon
		 * learns the new one from the socket */
		if (t.kind == MIP4_BPF_ENCAP_UDP && e->peer_port != t.sport)
			return pass(MIP4_BPF_PASS_PORT);
		ok = 1;
		break;
	}
	if (!ok)
		return drop(MIP4_BPF_DROP_SPOOFED);
	/* RFC 3024 §3: the T bit; RFC 3519 §2.1: a UDP tunnel is two-way */
	if (cf->role == MIP4_BPF_ROLE_HA && t.kind != MIP4_BPF_ENCAP_UDP &&
	    !(b->flags & MIP4_BPF_F_REVERSE))
		return drop(MIP4_BPF_DROP_NOT_REVERSE);
	if (t.kind == MIP4_BPF_ENCAP_MIN) {
		if (min_restore(skb, l2, o, &t))
			return drop(MIP4_BPF_DROP_ADJUST);
		count(MIP4_BPF_DECAP_MIN);
	} else {
		if (bpf_skb_adjust_room(skb, -(__s32)t.ohl, BPF_ADJ_ROOM_MAC,
					BPF_F_ADJ_ROOM_FIXED_GSO))
			return drop(MIP4_BPF_DROP_ADJUST);
		count(t.kind == MIP4_BPF_ENCAP_UDP   ? MIP4_BPF_DECAP_UDP
		      : t.kind == MIP4_BPF_ENCAP_GRE ? MIP4_BPF_DECAP_GRE
						     : MIP4_BPF_DECAP_IPIP);
	}
	bcount(b, segs(skb), inner_len, 0);
	/* into the stack on the tunnel device, like a write to the TUN */
	return (int)bpf_redirect(cf->tun_ifindex, BPF_F_INGRESS);
}

SEC("tc")
int mip4_decap_eth(struct __sk_buff *skb)
{
	return decap(skb, ETH_LEN);
}

SEC("tc")
int mip4_decap_l3(struct __sk_buff *skb)
{
	return decap(skb, 0);
}
