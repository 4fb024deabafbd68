/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/fa_user.c - the foreign agent's userspace data plane (see
 * fa.h): a TUN for the link side, a raw IPPROTO_IPIP socket for the home
 * agents' side; one recvmmsg()/sendmmsg() per batch.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dp_backend.h"
#include "dp_logic.h"
#include "fa.h"
#include "tun.h"
#include "mip4/ip.h"
#include "nl.h"

#define FADP_BUF 65536
#define FADP_SOCKBUF (4 << 20)

struct fadp {
	struct dp base; /* first: the dp_ops handle (dp_fa_user_ops) */
	const struct mip4_fa *fa;
	uint32_t link_addr;
	int tun_fd, raw_fd, ifindex;
	struct fadp_stats st;
	uint8_t (*buf)[FADP_BUF];
	struct mmsghdr msg[FADP_BATCH];
	struct iovec iov[FADP_BATCH][2];
	struct sockaddr_in to[FADP_BATCH];
	uint8_t hdr[FADP_BATCH][DP_IPIP_HDR_LEN];
};

/* ---- decisions ---- */

static void verdict(struct fadp_verdict *v, enum fadp_act act)
{
	memset(v, 0, sizeof *v);
	v->act = act;
}

/* A whole, unfragmented IPv4 packet. */
static bool ipv4_ok(const uint8_t *pkt, size_t len, struct mip4_ip *ip)
{
	return mip4_ip_decode(pkt, len, ip) == 0 && ip->tot_len <= len;
}

void fadp_decide_tun(const struct mip4_fa *fa, const uint8_t *pkt,
		     size_t len, struct fadp_verdict *v)
{
	const struct mip4_fa_visitor *vis;
	struct mip4_ip ip;

	if (!ipv4_ok(pkt, len, &ip))
		return verdict(v, FADP_DROP_MALFORMED);
	vis = mip4_fa_visitor_get(fa, ip.src);
	if (!vis)
		return verdict(v, FADP_DROP_NO_VISITOR);
	if (vis->delivery == MIP4_FA_DELIVERY_NONE)
		return verdict(v, FADP_DROP_NOT_REVERSE);
	verdict(v, FADP_ENCAP_IPIP);
	v->src = vis->coa;
	v->dst = vis->ha_addr;
	v->inner = pkt;
	v->inner_len = ip.tot_len;
}

void fadp_decide_ipip(const struct mip4_fa *fa, uint32_t link_addr,
		      const uint8_t *pkt, size_t len, struct fadp_verdict *v)
{
	const struct mip4_fa_visitor *vis;
	struct mip4_ip out, in;

	if (!ipv4_ok(pkt, len, &out) || out.proto != MIP4_IPPROTO_IPIP ||
	    mip4_ip_is_fragment(&out) ||
	    !ipv4_ok(out.payload, out.payload_len, &in))
		return verdict(v, FADP_DROP_MALFORMED);
	/* RFC 3024 §5.2: encapsulating delivery style from a visitor to our
	 * link address.  The link address may also be the care-of address
	 * the home agents tunnel to: only a visitor's own packets are this
	 * case, the rest is §4.2.2 below. */
	vis = link_addr && out.dst == link_addr
		      ? mip4_fa_visitor_get(fa, out.src)
		      : NULL;
	if (vis) {
		/* the inner source must be the visitor too */
		if (in.src != out.src)
			return verdict(v, FADP_DROP_SPOOFED);
		if (vis->delivery != MIP4_FA_DELIVERY_ENCAP)
			return verdict(v, FADP_DROP_NOT_REVERSE);
		verdict(v, FADP_ENCAP_IPIP);
		v->src = vis->coa;
		v->dst = vis->ha_addr;
		v->inner = out.payload;
		v->inner_len = in.tot_len;
		return;
	}
	/* RFC 5944 §4.2.2: from the visitor's HA to its CoA, for it. */
	vis = mip4_fa_visitor_get(fa, in.dst);
	if (!vis)
		return verdict(v, FADP_DROP_NO_VISITOR);
	if (out.dst != vis->coa)
		return verdict(v, FADP_DROP_NOT_OURS);
	if (out.src != vis->ha_addr)
		return verdict(v, FADP_DROP_SPOOFED);
	verdict(v, FADP_TO_TUN);
	v->inner = out.payload;
	v->inner_len = in.tot_len;
}

static bool count_drop(struct fadp_stats *s, enum fadp_act act)
{
	switch (act) {
	case FADP_DROP_MALFORMED: s->drop_malformed++; return true;
	case FADP_DROP_NO_VISITOR: s->drop_no_visitor++; return true;
	case FADP_DROP_SPOOFED: s->drop_spoofed++; return true;
	case FADP_DROP_NOT_REVERSE: s->drop_not_reverse++; return true;
	case FADP_DROP_NOT_OURS: s->drop_not_ours++; return true;
	default: return false;
	}
}

/* ---- sockets ---- */

void fadp_close(struct fadp *f)
{
	if (!f)
		return;
	if (f->tun_fd >= 0)
		close(f->tun_fd);
	if (f->raw_fd >= 0)
		close(f->raw_fd);
	free(f->buf);
	free(f);
}


/* Best effort: no IPv6 noise in the TUN; decapsulated packets come from
 * anywhere, so no reverse-path filter on it. */

int fadp_open(const struct fadp_cfg *cfg, struct fadp **out)
{
	char ifname[IFNAMSIZ];
	int one = 1, sz = FADP_SOCKBUF, r;
	struct fadp *f;
	struct nl *nl;

	if (!cfg || !cfg->fa || !cfg->tun_name || !cfg->tun_name[0] ||
	    strlen(cfg->tun_name) >= IFNAMSIZ || cfg->mtu < 0)
		return -EINVAL;
	f = calloc(1, sizeof *f);
	if (!f)
		return -ENOMEM;
	f->base.ops = &dp_fa_user_ops;
	f->fa = cfg->fa;
	f->link_addr = cfg->link_addr;
	f->raw_fd = -1;
	f->tun_fd = dp_tun_open(cfg->tun_name, false, ifname);
	if (f->tun_fd < 0) {
		r = f->tun_fd;
		goto fail;
	}
	/* Unbound: tunnels to every care-of address and, encapsulating
	 * delivery style, to our link address. */
	f->raw_fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			   IPPROTO_IPIP);
	if (f->raw_fd < 0 ||
	    setsockopt(f->raw_fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one) < 0) {
		r = -errno;
		goto fail;
	}
	if (setsockopt(f->raw_fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
		(void)setsockopt(f->raw_fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	f->buf = malloc(sizeof *f->buf * FADP_BATCH);
	if (!f->buf) {
		r = -ENOMEM;
		goto fail;
	}
	f->ifindex = nl_ifindex(ifname);
	if (f->ifindex < 0) {
		r = f->ifindex;
		goto fail;
	}
	dp_dev_sysctl("ipv6", ifname, "disable_ipv6", "1");
	dp_dev_sysctl("ipv4", ifname, "rp_filter", "0");
	r = nl_open(&nl);
	if (r < 0)
		goto fail;
	r = nl_link_set_up(nl, f->ifindex, cfg->mtu);
	nl_close(nl);
	if (r < 0)
		goto fail;
	*out = f;
	return 0;
fail:
	fadp_close(f);
	return r;
}

int fadp_tun_fd(const struct fadp *f)
{
	return f->tun_fd;
}

int fadp_raw_fd(const struct fadp *f)
{
	return f->raw_fd;
}

int fadp_tun_ifindex(const struct fadp *f)
{
	return f->ifindex;
}

const struct fadp_stats *fadp_stats(const struct fadp *f)
{
	return &f->st;
}

/* Queue inner for IP-in-IP in slot n; false (counted) if it cannot be. */
static bool encap_queue(struct fadp *f, unsigned n, const struct fadp_verdict *v)
{
	struct msghdr *mh = &f->msg[n].msg_hdr;
	void *inner;

	if (!dp_ipip_hdr(f->hdr[n], v->src, v->dst, v->inner, v->inner_len)) {
		f->st.drop_malformed++;
		return false;
	}
	memcpy(&inner, &v->inner, sizeof inner); /* sendmsg only reads */
	f->to[n] = (struct sockaddr_in){.sin_family = AF_INET,
					.sin_addr.s_addr = htonl(v->dst)};
	f->iov[n][0] = (struct iovec){f->hdr[n], DP_IPIP_HDR_LEN};
	f->iov[n][1] = (struct iovec){inner, v->inner_len};
	memset(mh, 0, sizeof *mh);
	mh->msg_name = &f->to[n];
	mh->msg_namelen = sizeof f->to[n];
	mh->msg_iov = f->iov[n];
	mh->msg_iovlen = 2;
	return true;
}

static void encap_flush(struct fadp *f, unsigned n)
{
	unsigned i = 0;

	while (i < n) {
		int r = sendmmsg(f->raw_fd, f->msg + i, n - i, MSG_DONTWAIT);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == ENOBUFS) {
				f->st.drop_send_error += n - i;
				return;
			}
			f->st.drop_send_error++;
			i++;
			continue;
		}
		f->st.encap_tx += (unsigned)r;
		i += (unsigned)r;
	}
}

int fadp_on_tun(struct fadp *f)
{
	struct fadp_verdict v;
	unsigned q = 0;
	int handled = 0;

	for (unsigned i = 0; i < FADP_BATCH; i++) {
		ssize_t n = read(f->tun_fd, f->buf[i], FADP_BUF);

		if (n <= 0)
			break;
		f->st.tun_rx++;
		handled++;
		fadp_decide_tun(f->fa, f->buf[i], (size_t)n, &v);
		if (!count_drop(&f->st, v.act) && encap_queue(f, q, &v))
			q++;
	}
	encap_flush(f, q);
	return handled;
}

int fadp_on_raw(struct fadp *f)
{
	struct mmsghdr rm[FADP_BATCH];
	struct iovec riov[FADP_BATCH];
	struct fadp_verdict v;
	unsigned q = 0;
	int n;

	memset(rm, 0, sizeof rm);
	for (unsigned i = 0; i < FADP_BATCH; i++) {
		riov[i] = (struct iovec){f->buf[i], FADP_BUF};
		rm[i].msg_hdr.msg_iov = &riov[i];
		rm[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(f->raw_fd, rm, FADP_BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		f->st.decap_rx++;
		if (rm[i].msg_hdr.msg_flags & MSG_TRUNC) {
			f->st.drop_malformed++;
			continue;
		}
		fadp_decide_ipip(f->fa, f->link_addr, f->buf[i], rm[i].msg_len,
				 &v);
		if (count_drop(&f->st, v.act))
			continue;
		if (v.act == FADP_ENCAP_IPIP) {
			if (encap_queue(f, q, &v))
				q++;
		} else if (write(f->tun_fd, v.inner, v.inner_len) !=
			   (ssize_t)v.inner_len) {
			f->st.drop_send_error++;
		} else {
			f->st.tun_tx++;
		}
	}
	encap_flush(f, q);
	return n > 0 ? n : 0;
}

/* ---- the FA role's userspace backend of dp.h ---- */

static struct fadp *fadp_of(struct dp *dp)
{
	return (struct fadp *)dp;
}

static const struct fadp *fadp_of_c(const struct dp *dp)
{
	return (const struct fadp *)dp;
}

static int fa_user_open(const struct dp_cfg *cfg, struct dp **out)
{
	struct fadp_cfg fc = {.tun_name = cfg->tun_name,
			      .mtu = cfg->mtu,
			      .fa = cfg->fa,
			      .link_addr = cfg->link_addr};
	struct fadp *f = NULL;
	int r = fadp_open(&fc, &f);

	if (r == 0 && f)
		*out = &f->base;
	return r;
}

static void fa_user_close(struct dp *dp)
{
	fadp_close(fadp_of(dp));
}

static int fa_user_tun_fd(const struct dp *dp)
{
	return fadp_tun_fd(fadp_of_c(dp));
}

static int fa_user_raw_fd(const struct dp *dp)
{
	return fadp_raw_fd(fadp_of_c(dp));
}

static int fa_user_tun_ifindex(const struct dp *dp)
{
	return fadp_tun_ifindex(fadp_of_c(dp));
}

static int fa_user_on_tun(struct dp *dp)
{
	return fadp_on_tun(fadp_of(dp));
}

static int fa_user_on_raw(struct dp *dp)
{
	return fadp_on_raw(fadp_of(dp));
}

/* The counters by name (what mip4ctl shows under fa-dataplane). */
static const struct {
	const char *name;
	size_t off;
} fadp_stat_tab[] = {
	{"tun-rx", offsetof(struct fadp_stats, tun_rx)},
	{"tun-tx", offsetof(struct fadp_stats, tun_tx)},
	{"encap-tx", offsetof(struct fadp_stats, encap_tx)},
	{"decap-rx", offsetof(struct fadp_stats, decap_rx)},
	{"drop-no-visitor", offsetof(struct fadp_stats, drop_no_visitor)},
	{"drop-spoofed", offsetof(struct fadp_stats, drop_spoofed)},
	{"drop-not-reverse", offsetof(struct fadp_stats, drop_not_reverse)},
	{"drop-malformed", offsetof(struct fadp_stats, drop_malformed)},
	{"drop-not-ours", offsetof(struct fadp_stats, drop_not_ours)},
	{"drop-send-error", offsetof(struct fadp_stats, drop_send_error)},
};

_Static_assert(sizeof(struct fadp_stats) ==
		       sizeof fadp_stat_tab / sizeof fadp_stat_tab[0] *
			       sizeof(uint64_t),
	       "every counter of struct fadp_stats is listed");

void fadp_foreach_stat(const struct fadp_stats *s,
		       void (*fn)(void *ctx, const char *name, uint64_t v),
		       void *ctx)
{
	for (size_t i = 0; i < sizeof fadp_stat_tab / sizeof fadp_stat_tab[0];
	     i++) {
		uint64_t v;

		memcpy(&v, (const char *)s + fadp_stat_tab[i].off, sizeof v);
		fn(ctx, fadp_stat_tab[i].name, v);
	}
}

static void fa_user_foreach_counter(const struct dp *dp,
				    void (*fn)(void *ctx, const char *name,
					       uint64_t v),
				    void *ctx)
{
	fadp_foreach_stat(&fadp_of_c(dp)->st, fn, ctx);
}

const struct dp_ops dp_fa_user_ops = {
	.name = "userspace",
	.open = fa_user_open,
	.close = fa_user_close,
	.tun_fd = fa_user_tun_fd,
	.raw_fd = fa_user_raw_fd,
	.tun_ifindex = fa_user_tun_ifindex,
	.on_tun = fa_user_on_tun,
	.on_raw = fa_user_on_raw,
	.foreach_counter = fa_user_foreach_counter,
};
