/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/dp_user.c - the userspace data plane backend: a TUN device
 * for the inner side; for the outer side raw sockets for IP-in-IP (RFC
 * 2003 / RFC 3024), GRE (RFC 2784) and minimal encapsulation (RFC 2004),
 * and the daemon's UDP port-434 socket (RFC 3519).
 *
 * Batching: dp_on_tun() reads up to DP_BATCH packets, decides each with
 * dp_logic.c, and sends the tunnelled ones with one sendmmsg() per outer
 * socket (the IP-in-IP socket sends all three raw kinds: with IP_HDRINCL
 * the protocol is the one in our header); dp_on_raw() takes up to
 * DP_BATCH with one recvmmsg() per raw socket.  A TUN takes one packet per
 * read()/write().  The three receiving raw sockets sit in one epoll
 * descriptor, which is what dp_raw_fd() hands the daemon to poll.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dp_backend.h"
#include "dp_logic.h"
#include "mip4/ip.h"
#include "mip4/wire.h"
#include "nl.h"
#include "tun.h"

#define DP_BUF 65536 /* largest IPv4 packet, so nothing is ever truncated */
#define DP_SOCKBUF (4 << 20)

/* One outgoing batch on one socket. */
struct dp_txq {
	unsigned int n;
	struct mmsghdr msg[DP_BATCH];
	struct iovec iov[DP_BATCH][2];
	struct sockaddr_in to[DP_BATCH];
	struct mip4_binding *b[DP_BATCH];
	size_t inner_len[DP_BATCH];
	uint8_t hdr[DP_BATCH][DP_MIN_HDR_MAX]; /* outer IP (+ GRE), tunnel
						* data, or the minimal
						* encapsulation's header */
};

/* The receiving raw sockets: IP-in-IP, GRE, minimal encapsulation. */
#define DP_NRAW 3
static const int raw_protos[DP_NRAW] = {IPPROTO_IPIP, IPPROTO_GRE,
					 MIP4_IPPROTO_MINENC};

struct dp_user {
	struct dp base; /* first: dp_user is a dp */
	struct mip4_btable *bindings;
	uint32_t local_addr;
	int tun_fd, udp_fd, ifindex;
	int raw_fd[DP_NRAW]; /* [0] also sends every raw kind */
	int ep_fd;	     /* epoll over raw_fd[] */
	struct dp_stats st;
	struct dp_txq ipip, udp;
	uint8_t (*tbuf)[DP_BUF]; /* TUN reads */
	uint8_t (*rbuf)[DP_BUF]; /* raw socket reads */
	struct mmsghdr rmsg[DP_BATCH];
	struct iovec riov[DP_BATCH];
};

static struct dp_user *dp_user(struct dp *dp)
{
	return (struct dp_user *)dp;
}

static const struct dp_user *dp_user_c(const struct dp *dp)
{
	return (const struct dp_user *)dp;
}

static void dp_user_close(struct dp *dp)
{
	struct dp_user *u = dp_user(dp);

	if (u->tun_fd >= 0)
		close(u->tun_fd);
	for (int i = 0; i < DP_NRAW; i++)
		if (u->raw_fd[i] >= 0)
			close(u->raw_fd[i]);
	if (u->ep_fd >= 0)
		close(u->ep_fd);
	free(u->tbuf);
	free(u->rbuf);
	free(u);
}



static int raw_create(uint32_t local_addr, int proto)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(local_addr)};
	int one = 1, sz = DP_SOCKBUF;
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			proto);

	if (fd < 0)
		return -errno;
	/* We write the outer header: TOS and DF copied (RFC 2003 §3.1). */
	if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one) < 0 ||
	    bind(fd, (const struct sockaddr *)&sin, sizeof sin) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	/* Best effort: bursts of tunnelled TCP overrun the default buffers. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	return fd;
}

static int dp_user_open(const struct dp_cfg *cfg, struct dp **out)
{
	char ifname[IFNAMSIZ];
	struct dp_user *u;
	struct nl *nl;
	int r;

	if (!cfg || !cfg->bindings || !cfg->tun_name || !cfg->tun_name[0] ||
	    strlen(cfg->tun_name) >= IFNAMSIZ || cfg->mtu < 0)
		return -EINVAL;
	u = calloc(1, sizeof *u);
	if (!u)
		return -ENOMEM;
	u->base.ops = &dp_user_ops;
	u->bindings = cfg->bindings;
	u->local_addr = cfg->local_addr;
	u->udp_fd = cfg->udp_fd;
	u->tun_fd = -1;
	for (int i = 0; i < DP_NRAW; i++)
		u->raw_fd[i] = -1;
	u->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	if (u->ep_fd < 0) {
		r = -errno;
		goto fail;
	}
	u->tun_fd = dp_tun_open(cfg->tun_name, false, ifname);
	if (u->tun_fd < 0) {
		r = u->tun_fd;
		goto fail;
	}
	for (int i = 0; i < DP_NRAW; i++) {
		u->raw_fd[i] = raw_create(cfg->local_addr, raw_protos[i]);
		r = u->raw_fd[i] < 0 ? u->raw_fd[i]
				     : dp_epoll_add(u->ep_fd, u->raw_fd[i]);
		if (r < 0)
			goto fail;
	}
	u->tbuf = malloc(sizeof *u->tbuf * DP_BATCH);
	u->rbuf = malloc(sizeof *u->rbuf * DP_BATCH);
	if (!u->tbuf || !u->rbuf) {
		r = -ENOMEM;
		goto fail;
	}
	for (unsigned int i = 0; i < DP_BATCH; i++) {
		u->riov[i].iov_base = u->rbuf[i];
		u->riov[i].iov_len = DP_BUF;
		u->rmsg[i].msg_hdr.msg_iov = &u->riov[i];
		u->rmsg[i].msg_hdr.msg_iovlen = 1;
	}
	u->ifindex = nl_ifindex(ifname);
	if (u->ifindex < 0) {
		r = u->ifindex;
		goto fail;
	}
	/* An eBPF run of this instance left the device persistent: this
	 * backend wants it gone with the descriptor (dp_ebpf.c sets it
	 * again). */
	(void)ioctl(u->tun_fd, TUNSETPERSIST, 0UL);
	/* IPv4 only: IPv6 autoconfiguration would send router solicitations
	 * into the TUN, each a drop_malformed. */
	dp_dev_sysctl("ipv6", ifname, "disable_ipv6", "1");
	r = nl_open(&nl);
	if (r < 0)
		goto fail;
	r = nl_link_set_up(nl, u->ifindex, cfg->mtu);
	nl_close(nl);
	if (r < 0)
		goto fail;
	*out = &u->base;
	return 0;
fail:
	dp_user_close(&u->base);
	return r;
}

static int dp_user_tun_fd(const struct dp *dp)
{
	return dp_user_c(dp)->tun_fd;
}

static int dp_user_raw_fd(const struct dp *dp)
{
	return dp_user_c(dp)->ep_fd;
}

static int dp_user_tun_ifindex(const struct dp *dp)
{
	return dp_user_c(dp)->ifindex;
}

static const struct dp_stats *dp_user_stats(const struct dp *dp)
{
	return &dp_user_c(dp)->st;
}

/* Queue one packet: iov[0] = our header (hlen bytes), iov[1] = inner
 * from byte skip on (minimal encapsulation replaces its header). */
static void txq_add(struct dp_txq *q, const struct dp_verdict *v,
		    size_t hlen, size_t skip)
{
	unsigned int i = q->n++;
	struct msghdr *mh = &q->msg[i].msg_hdr;
	const uint8_t *from = v->inner + skip;
	void *inner;

	/* struct iovec has no const member; sendmsg only reads it */
	memcpy(&inner, &from, sizeof inner);

	q->to[i] = (struct sockaddr_in){.sin_family = AF_INET,
					.sin_port = htons(v->port),
					.sin_addr.s_addr = htonl(v->dst)};
	q->iov[i][0] = (struct iovec){q->hdr[i], hlen};
	q->iov[i][1] = (struct iovec){inner, v->inner_len - skip};
	memset(mh, 0, sizeof *mh);
	mh->msg_name = &q->to[i];
	mh->msg_namelen = sizeof q->to[i];
	mh->msg_iov = q->iov[i];
	mh->msg_iovlen = 2;
	q->b[i] = v->b;
	q->inner_len[i] = v->inner_len;
}

/* Send a batch; count successes per binding, failures as send errors. */
static void txq_flush(struct dp_user *u, struct dp_txq *q, int fd)
{
	unsigned int i = 0;

	while (i < q->n) {
		int r = sendmmsg(fd, q->msg + i, q->n - i, MSG_DONTWAIT);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == ENOBUFS) {
				/* socket full: the rest would fail too */
				u->st.drop_send_error += q->n - i;
				break;
			}
			/* this one failed (unreachable, too big): skip it */
			u->st.drop_send_error++;
			i++;
			continue;
		}
		for (unsigned int k = i; k < i + (unsigned int)r; k++) {
			q->b[k]->pkts_to_mn++;
			q->b[k]->bytes_to_mn += q->inner_len[k];
		}
		u->st.encap_tx += (unsigned int)r;
		i += (unsigned int)r;
	}
	q->n = 0;
}

/* Queue one decided packet (a copy of it, with simultaneous bindings),
 * flushing a full queue first. */
static void tun_queue(struct dp_user *u, const struct dp_verdict *v)
{
	struct dp_txq *q = &u->ipip;
	size_t hlen = 0, skip = 0;

	if (dp_count_drop(&u->st, v->act))
		return;
	if (v->act == DP_ACT_ENCAP_UDP) {
		struct mip4_buf mb;

		q = &u->udp;
		if (q->n == DP_BATCH)
			txq_flush(u, q, u->udp_fd);
		/* RFC 3519 §3.3: type 4, next header 4, reserved 0 */
		mip4_buf_init(&mb, q->hdr[q->n], sizeof q->hdr[q->n]);
		mip4_tunnel_data_put(&mb, MIP4_IPPROTO_IPIP);
		txq_add(q, v, MIP4_TUNNEL_DATA_LEN, 0);
		return;
	}
	if (q->n == DP_BATCH)
		txq_flush(u, q, u->raw_fd[0]);
	if (v->act == DP_ACT_ENCAP_GRE)
		hlen = dp_gre_hdr(q->hdr[q->n], u->local_addr, v->dst, v->inner,
				  v->inner_len);
	else if (v->act == DP_ACT_ENCAP_MIN)
		hlen = dp_min_hdr(q->hdr[q->n], u->local_addr, v->dst, v->inner,
				  v->inner_len, &skip);
	else
		hlen = dp_ipip_hdr(q->hdr[q->n], u->local_addr, v->dst,
				   v->inner, v->inner_len);
	if (hlen)
		txq_add(q, v, hlen, skip);
	else
		u->st.drop_malformed++;
}

static int dp_user_on_tun(struct dp *dp)
{
	struct dp_user *u = dp_user(dp);
	struct dp_verdict v, copy;
	int handled = 0;

	for (unsigned int i = 0; i < DP_BATCH; i++) {
		ssize_t n = read(u->tun_fd, u->tbuf[i], DP_BUF);

		if (n <= 0)
			break; /* EAGAIN: drained (errors: try next event) */
		u->st.tun_rx++;
		handled++;
		dp_decide_tun(u->bindings, u->tbuf[i], (size_t)n, &v);
		tun_queue(u, &v);
		/* RFC 5944 §4.2.3: a copy to each care-of address; the
		 * buffer stays put until the batch is sent */
		for (size_t k = 1; k < v.copies; k++) {
			dp_decide_tun_copy(u->bindings, &v, k, &copy);
			tun_queue(u, &copy);
		}
	}
	txq_flush(u, &u->ipip, u->raw_fd[0]);
	txq_flush(u, &u->udp, u->udp_fd);
	return handled;
}

/* Hand a decapsulated packet to the kernel through the TUN (a restored
 * header first for minimal encapsulation: one writev is one packet). */
static int tun_deliver(struct dp_user *u, const struct dp_verdict *v)
{
	size_t len = v->rhdr_len + v->inner_len;

	if (dp_tun_write2(u->tun_fd, v->rhdr, v->rhdr_len, v->inner,
			  v->inner_len) != (ssize_t)len) {
		u->st.drop_send_error++;
		return -1;
	}
	u->st.tun_tx++;
	v->b->pkts_from_mn++;
	v->b->bytes_from_mn += len;
	return 0;
}

static int raw_drain(struct dp_user *u, int fd)
{
	struct dp_verdict v;
	int n = recvmmsg(fd, u->rmsg, DP_BATCH, MSG_DONTWAIT, NULL);

	for (int i = 0; i < n; i++) {
		u->st.decap_rx++;
		if (u->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) {
			u->st.drop_malformed++;
			continue;
		}
		dp_decide_raw(u->bindings, u->rbuf[i], u->rmsg[i].msg_len, &v);
		if (!dp_count_drop(&u->st, v.act))
			(void)tun_deliver(u, &v);
	}
	return n > 0 ? n : 0;
}

static int dp_user_on_raw(struct dp *dp)
{
	struct dp_user *u = dp_user(dp);
	int n = 0;

	/* epoll said one of them is readable; draining all three costs at
	 * most two EAGAINs and keeps the epoll descriptor honest */
	for (int i = 0; i < DP_NRAW; i++)
		n += raw_drain(u, u->raw_fd[i]);
	return n;
}

static int dp_user_udp_input(struct dp *dp, uint32_t src, uint16_t sport,
			     const uint8_t *msg, size_t len)
{
	struct dp_user *u = dp_user(dp);
	struct dp_verdict v;

	u->st.udp_rx++;
	dp_decide_udp(u->bindings, src, sport, msg, len, &v);
	if (dp_count_drop(&u->st, v.act))
		return -1;
	/* RFC 3519 §4.3 / §4.11: the address is pinned, the NAT may have
	 * moved the port; answer where the MN's packets now come from. */
	mip4_binding_set_peer_port(v.b, v.coa, v.port);
	return tun_deliver(u, &v);
}

const struct dp_ops dp_user_ops = {
	.name = "userspace",
	.open = dp_user_open,
	.close = dp_user_close,
	.tun_fd = dp_user_tun_fd,
	.raw_fd = dp_user_raw_fd,
	.tun_ifindex = dp_user_tun_ifindex,
	.on_tun = dp_user_on_tun,
	.on_raw = dp_user_on_raw,
	.udp_input = dp_user_udp_input,
	.bind_update = NULL,
	.stats = dp_user_stats,
};
