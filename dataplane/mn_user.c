/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/mn_user.c - the mobile node's userspace tunnel end (mn.h):
 * the pure per-packet decisions first, then the TUN + raw socket + UDP
 * plumbing.  Outer IP-in-IP headers come from the home agent's data plane
 * (dp_ipip_hdr), packets are parsed with libmip4.
 *
 * Batching as in dp_user.c: mndp_on_tun() reads up to MNDP_BATCH packets
 * and sends the tunnelled ones with one sendmmsg() per outer socket;
 * mndp_on_raw() takes up to MNDP_BATCH with one recvmmsg().
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
#include "mn.h"
#include "tun.h"
#include "nl.h"

/* ---- pure decisions ---- */

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP_ECHO_LEN 8 /* type, code, checksum, identifier, sequence */

static void mndp_verdict(struct mndp_verdict *v, enum mndp_act act)
{
	v->act = act;
}

static bool tunnel_up(const struct mndp_tunnel *t)
{
	return t->mode != MNDP_OFF && t->coa && t->ha;
}

/* Parse the inner packet into v; false if it is not well-formed IPv4. */
static bool inner_parse(const uint8_t *pkt, size_t len, struct mip4_ip *ip,
			struct mndp_verdict *v)
{
	if (mip4_ip_decode(pkt, len, ip) != MIP4_IP_OK)
		return false;
	v->inner = pkt;
	v->inner_len = ip->tot_len; /* trailing padding is not ours */
	return true;
}

void mndp_decide_tun(const struct mndp_tunnel *t, const uint8_t *pkt,
		     size_t len, struct mndp_verdict *v)
{
	struct mip4_ip ip;

	memset(v, 0, sizeof *v);
	/* RFC 5265 §3.2.2: no user data while not registered away */
	if (!tunnel_up(t))
		return mndp_verdict(v, MNDP_ACT_GATED);
	if (!inner_parse(pkt, len, &ip, v))
		return mndp_verdict(v, MNDP_ACT_DROP_MALFORMED);
	/* RFC 3024 §4.2: the HA decapsulates only the home address's
	 * packets; anything else would be dropped there, so drop it here
	 * with a name (an application bound to another address whose
	 * route still points into the TUN). */
	if (ip.src != t->home)
		return mndp_verdict(v, MNDP_ACT_DROP_NOT_FROM_HOME);
	switch (t->mode) {
	case MNDP_UDP:
		return mndp_verdict(v, MNDP_ACT_ENCAP_UDP);
	case MNDP_GRE:
		return mndp_verdict(v, MNDP_ACT_ENCAP_GRE);
	case MNDP_MIN: /* RFC 2004 §3: never a fragment */
		if (!mip4_ip_is_fragment(&ip))
			return mndp_verdict(v, MNDP_ACT_ENCAP_MIN);
		break;
	default:
		break;
	}
	return mndp_verdict(v, MNDP_ACT_ENCAP_IPIP);
}

/* Common checks on a decapsulated packet from src. */
static void decide_inner(const struct mndp_tunnel *t, uint32_t src,
			 const uint8_t *pkt, size_t len, struct mndp_verdict *v,
			 bool udp)
{
	struct mip4_ip ip;

	/* RFC 5944 §4.2.2 / §3.8.3.1: decapsulate only what the home agent
	 * tunnelled (a co-located MN has no foreign agent in the way) */
	if (src != t->ha)
		return mndp_verdict(v, MNDP_ACT_DROP_NOT_FROM_HA);
	if (!inner_parse(pkt, len, &ip, v))
		return mndp_verdict(v, MNDP_ACT_DROP_MALFORMED);
	if (ip.dst != t->home)
		return mndp_verdict(v, MNDP_ACT_DROP_NOT_FOR_HOME);
	/* RFC 3519 §4.9: the HA's answer to our keepalive */
	if (udp && ip.proto == MIP4_IPPROTO_ICMP && ip.src == t->ha &&
	    !mip4_ip_is_fragment(&ip) && ip.payload_len >= ICMP_ECHO_LEN &&
	    ip.payload[0] == ICMP_ECHO_REPLY && ip.payload[1] == 0 &&
	    ((uint16_t)(ip.payload[4] << 8 | ip.payload[5])) == t->ka_ident)
		return mndp_verdict(v, MNDP_ACT_KEEPALIVE_REPLY);
	return mndp_verdict(v, MNDP_ACT_TO_TUN);
}

void mndp_decide_raw(const struct mndp_tunnel *t, const uint8_t *pkt,
		     size_t len, struct mndp_verdict *v)
{
	struct mip4_ip outer;
	size_t hl;

	memset(v, 0, sizeof *v);
	if (!tunnel_up(t))
		return mndp_verdict(v, MNDP_ACT_GATED);
	if (mip4_ip_decode(pkt, len, &outer) != MIP4_IP_OK ||
	    mip4_ip_is_fragment(&outer))
		return mndp_verdict(v, MNDP_ACT_DROP_MALFORMED);
	switch (outer.proto) {
	case MIP4_IPPROTO_IPIP:
		return decide_inner(t, outer.src, outer.payload,
				    outer.payload_len, v, false);
	case MIP4_IPPROTO_GRE:
		hl = dp_gre_parse(outer.payload, outer.payload_len);
		if (!hl)
			return mndp_verdict(v, MNDP_ACT_DROP_MALFORMED);
		return decide_inner(t, outer.src, outer.payload + hl,
				    outer.payload_len - hl, v, false);
	case MIP4_IPPROTO_MINENC:
		v->rhdr_len = dp_min_parse(pkt, outer.tot_len, v->rhdr,
					   &v->inner, &v->inner_len);
		if (!v->rhdr_len)
			return mndp_verdict(v, MNDP_ACT_DROP_MALFORMED);
		/* RFC 5944 §4.2.2: only what the home agent tunnelled, and
		 * for the home address (the restored destination) */
		if (outer.src != t->ha)
			return mndp_verdict(v, MNDP_ACT_DROP_NOT_FROM_HA);
		if (mip4_get32(v->rhdr + 16) != t->home)
			return mndp_verdict(v, MNDP_ACT_DROP_NOT_FOR_HOME);
		return mndp_verdict(v, MNDP_ACT_TO_TUN);
	default:
		return mndp_verdict(v, MNDP_ACT_DROP_MALFORMED);
	}
}

void mndp_decide_ipip(const struct mndp_tunnel *t, const uint8_t *pkt,
		      size_t len, struct mndp_verdict *v)
{
	mndp_decide_raw(t, pkt, len, v);
}

void mndp_decide_udp(const struct mndp_tunnel *t, uint32_t src,
		     const uint8_t *msg, size_t len, struct mndp_verdict *v)
{
	memset(v, 0, sizeof *v);
	if (!tunnel_up(t))
		return mndp_verdict(v, MNDP_ACT_GATED);
	/* RFC 3519 §3.3: type 4, next header 4 (we never ask for GRE) */
	if (len < MIP4_TUNNEL_DATA_LEN || msg[0] != MIP4_MSG_TUNNEL_DATA ||
	    msg[1] != MIP4_IPPROTO_IPIP)
		return mndp_verdict(v, MNDP_ACT_DROP_MALFORMED);
	decide_inner(t, src, msg + MIP4_TUNNEL_DATA_LEN,
		     len - MIP4_TUNNEL_DATA_LEN, v, true);
}

bool mndp_count_drop(struct mndp_stats *s, enum mndp_act act)
{
	switch (act) {
	case MNDP_ACT_GATED:
		s->gated++;
		return true;
	case MNDP_ACT_DROP_MALFORMED:
		s->drop_malformed++;
		return true;
	case MNDP_ACT_DROP_NOT_FROM_HA:
		s->drop_not_from_ha++;
		return true;
	case MNDP_ACT_DROP_NOT_FOR_HOME:
		s->drop_not_for_home++;
		return true;
	case MNDP_ACT_DROP_NOT_FROM_HOME:
		s->drop_not_from_home++;
		return true;
	case MNDP_ACT_ENCAP_IPIP:
	case MNDP_ACT_ENCAP_UDP:
	case MNDP_ACT_ENCAP_GRE:
	case MNDP_ACT_ENCAP_MIN:
	case MNDP_ACT_TO_TUN:
	case MNDP_ACT_KEEPALIVE_REPLY:
		break;
	}
	return false;
}

size_t mndp_keepalive_put(uint8_t *out, size_t cap, uint32_t home,
			  uint32_t ha, uint16_t ident, uint16_t seq)
{
	static const uint8_t data[8] = {'m', 'i', 'p', '4', 'd', '-', 'k', 'a'};
	struct mip4_buf mb;
	uint8_t *icmp;
	uint16_t c;

	if (cap < MNDP_KEEPALIVE_LEN)
		return 0;
	mip4_buf_init(&mb, out, MIP4_TUNNEL_DATA_LEN);
	mip4_tunnel_data_put(&mb, MIP4_IPPROTO_IPIP);
	if (mb.overflow ||
	    mip4_ip_put(out + MIP4_TUNNEL_DATA_LEN, 20, home, ha,
			MIP4_IPPROTO_ICMP, 64, seq, false,
			ICMP_ECHO_LEN + sizeof data) != 20)
		return 0;
	icmp = out + MIP4_TUNNEL_DATA_LEN + 20;
	icmp[0] = ICMP_ECHO_REQUEST;
	icmp[1] = 0;
	icmp[2] = 0;
	icmp[3] = 0;
	icmp[4] = (uint8_t)(ident >> 8);
	icmp[5] = (uint8_t)ident;
	icmp[6] = (uint8_t)(seq >> 8);
	icmp[7] = (uint8_t)seq;
	memcpy(icmp + ICMP_ECHO_LEN, data, sizeof data);
	c = mip4_inet_csum(icmp, ICMP_ECHO_LEN + sizeof data);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return MNDP_KEEPALIVE_LEN;
}

/* ---- the userspace plumbing ---- */

#define MNDP_BUF 65536 /* largest IPv4 packet: nothing is truncated */
#define MNDP_SOCKBUF (4 << 20)
#define MNDP_HDR_MAX DP_MIN_HDR_MAX
#define MNDP_NRAW 3 /* IP-in-IP, GRE, minimal encapsulation */

static const int mndp_raw_protos[MNDP_NRAW] = {IPPROTO_IPIP, IPPROTO_GRE,
					       MIP4_IPPROTO_MINENC};

/* One outgoing batch on one socket. */
struct mndp_txq {
	unsigned int n;
	struct mmsghdr msg[MNDP_BATCH];
	struct iovec iov[MNDP_BATCH][2];
	struct sockaddr_in to[MNDP_BATCH];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} ctl[MNDP_BATCH];
	uint8_t hdr[MNDP_BATCH][MNDP_HDR_MAX]; /* outer IP or tunnel data */
};

struct mndp {
	struct dp base; /* first: the dp_ops handle (dp_mn_user_ops) */
	struct mndp_tunnel t;
	int tun_fd, udp_fd, ifindex;
	int raw_fd[MNDP_NRAW]; /* [0] also sends every raw kind */
	int ep_fd;	       /* epoll over raw_fd[] */
	uint16_t ka_seq;
	struct mndp_stats st;
	struct mndp_txq ipip, udp;
	uint8_t (*tbuf)[MNDP_BUF]; /* TUN reads */
	uint8_t (*rbuf)[MNDP_BUF]; /* raw socket reads */
	struct mmsghdr rmsg[MNDP_BATCH];
	struct iovec riov[MNDP_BATCH];
};

void mndp_close(struct mndp *m)
{
	if (!m)
		return;
	if (m->tun_fd >= 0)
		close(m->tun_fd); /* not persistent: the device goes */
	for (int i = 0; i < MNDP_NRAW; i++)
		if (m->raw_fd[i] >= 0)
			close(m->raw_fd[i]);
	if (m->ep_fd >= 0)
		close(m->ep_fd);
	free(m->tbuf);
	free(m->rbuf);
	free(m);
}



static int raw_create(uint32_t fwmark, int proto)
{
	int one = 1, sz = MNDP_SOCKBUF;
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			proto);

	if (fd < 0)
		return -errno;
	/* We write the outer header: TOS and DF copied (RFC 2003 §3.1).  Not
	 * bound: the care-of address changes with every move. */
	if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one) < 0 ||
	    (fwmark && setsockopt(fd, SOL_SOCKET, SO_MARK, &fwmark,
				  sizeof fwmark) < 0)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	return fd;
}

static int tun_setup(struct mndp *m, const char *ifname,
		     const struct mndp_cfg *cfg)
{
	struct nl *nl;
	int r;

	m->ifindex = nl_ifindex(ifname);
	if (m->ifindex < 0)
		return m->ifindex;
	/* IPv4 only: IPv6 autoconfiguration would send router solicitations
	 * into the TUN, each a drop.  Inbound packets come from the TUN with
	 * foreign sources; the routes make strict rp_filter pass them too,
	 * but the device's own setting should not depend on that. */
	dp_dev_sysctl("ipv6", ifname, "disable_ipv6", "1");
	dp_dev_sysctl("ipv4", ifname, "rp_filter", "0");
	r = nl_open(&nl);
	if (r < 0)
		return r;
	r = nl_addr_add(nl, m->ifindex, cfg->home_addr, 32);
	if (r == 0)
		r = nl_link_set_up(nl, m->ifindex, cfg->mtu);
	nl_close(nl);
	return r;
}

int mndp_open(const struct mndp_cfg *cfg, struct mndp **out)
{
	char ifname[IFNAMSIZ];
	struct mndp *m;
	int r;

	if (!cfg || !cfg->tun_name || !cfg->tun_name[0] ||
	    strlen(cfg->tun_name) >= IFNAMSIZ || cfg->mtu < 0 ||
	    !cfg->home_addr)
		return -EINVAL;
	m = calloc(1, sizeof *m);
	if (!m)
		return -ENOMEM;
	m->base.ops = &dp_mn_user_ops;
	m->t.home = cfg->home_addr;
	m->udp_fd = cfg->udp_fd;
	m->tun_fd = -1;
	for (int i = 0; i < MNDP_NRAW; i++)
		m->raw_fd[i] = -1;
	m->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	if (m->ep_fd < 0) {
		r = -errno;
		goto fail;
	}
	/* never adopt somebody else's device of that name */
	m->tun_fd = dp_tun_open(cfg->tun_name, true, ifname);
	if (m->tun_fd < 0) {
		r = m->tun_fd;
		goto fail;
	}
	for (int i = 0; i < MNDP_NRAW; i++) {
		m->raw_fd[i] = raw_create(cfg->fwmark, mndp_raw_protos[i]);
		r = m->raw_fd[i] < 0 ? m->raw_fd[i]
				     : dp_epoll_add(m->ep_fd, m->raw_fd[i]);
		if (r < 0)
			goto fail;
	}
	m->tbuf = malloc(sizeof *m->tbuf * MNDP_BATCH);
	m->rbuf = malloc(sizeof *m->rbuf * MNDP_BATCH);
	if (!m->tbuf || !m->rbuf) {
		r = -ENOMEM;
		goto fail;
	}
	for (unsigned int i = 0; i < MNDP_BATCH; i++) {
		m->riov[i].iov_base = m->rbuf[i];
		m->riov[i].iov_len = MNDP_BUF;
		m->rmsg[i].msg_hdr.msg_iov = &m->riov[i];
		m->rmsg[i].msg_hdr.msg_iovlen = 1;
	}
	r = tun_setup(m, ifname, cfg);
	if (r < 0)
		goto fail;
	/* tells our keepalive replies from other echo replies */
	m->t.ka_ident = (uint16_t)(getpid() ^ (m->ifindex << 8));
	*out = m;
	return 0;
fail:
	mndp_close(m);
	return r;
}

int mndp_tun_fd(const struct mndp *m)
{
	return m->tun_fd;
}

int mndp_raw_fd(const struct mndp *m)
{
	return m->ep_fd;
}

int mndp_tun_ifindex(const struct mndp *m)
{
	return m->ifindex;
}

void mndp_set_tunnel(struct mndp *m, enum mndp_mode mode, uint32_t coa,
		     uint32_t ha)
{
	m->t.mode = mode;
	m->t.coa = coa;
	m->t.ha = ha;
}

const struct mndp_stats *mndp_stats(const struct mndp *m)
{
	return &m->st;
}

/* Fill one message: iov[0] = header (hlen bytes), iov[1] = payload; with
 * src != 0 an IP_PKTINFO control message picks the source address. */
static void msg_fill(struct msghdr *mh, struct iovec iov[2],
		     struct sockaddr_in *to, void *ctl, size_t ctl_len,
		     uint8_t *hdr, size_t hlen, const uint8_t *payload,
		     size_t len, uint32_t dst, uint16_t port, uint32_t src)
{
	void *p;

	/* struct iovec has no const member; sendmsg only reads it */
	memcpy(&p, &payload, sizeof p);
	*to = (struct sockaddr_in){.sin_family = AF_INET,
				   .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(dst)};
	iov[0] = (struct iovec){hdr, hlen};
	iov[1] = (struct iovec){p, len};
	memset(mh, 0, sizeof *mh);
	mh->msg_name = to;
	mh->msg_namelen = sizeof *to;
	mh->msg_iov = iov;
	mh->msg_iovlen = 2;
	if (src) {
		struct cmsghdr *c;
		struct in_pktinfo pi = {.ipi_spec_dst.s_addr = htonl(src)};

		memset(ctl, 0, ctl_len);
		mh->msg_control = ctl;
		mh->msg_controllen = CMSG_SPACE(sizeof pi);
		c = CMSG_FIRSTHDR(mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
	}
}

/* Send a batch: successes are encap_tx, failures send errors. */
static void txq_flush(struct mndp *m, struct mndp_txq *q, int fd)
{
	unsigned int i = 0;

	while (i < q->n) {
		int r = sendmmsg(fd, q->msg + i, q->n - i, MSG_DONTWAIT);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == ENOBUFS) {
				/* socket full: the rest would fail too */
				m->st.drop_send_error += q->n - i;
				break;
			}
			/* this one failed (unreachable, too big): skip it */
			m->st.drop_send_error++;
			i++;
			continue;
		}
		m->st.encap_tx += (unsigned int)r;
		i += (unsigned int)r;
	}
	q->n = 0;
}

int mndp_on_tun(struct mndp *m)
{
	struct mndp_verdict v;
	int handled = 0;

	for (unsigned int i = 0; i < MNDP_BATCH; i++) {
		ssize_t n = read(m->tun_fd, m->tbuf[i], MNDP_BUF);
		struct mndp_txq *q;
		unsigned int k;

		if (n <= 0)
			break; /* EAGAIN: drained (errors: try next event) */
		m->st.tun_rx++;
		handled++;
		mndp_decide_tun(&m->t, m->tbuf[i], (size_t)n, &v);
		if (mndp_count_drop(&m->st, v.act))
			continue;
		if (v.act == MNDP_ACT_ENCAP_UDP) {
			struct mip4_buf mb;

			q = &m->udp;
			k = q->n;
			/* RFC 3519 §3.3: type 4, next header 4, reserved 0,
			 * from coa:434 to ha:434 (§2: the registration's
			 * ports) */
			mip4_buf_init(&mb, q->hdr[k], MIP4_TUNNEL_DATA_LEN);
			mip4_tunnel_data_put(&mb, MIP4_IPPROTO_IPIP);
			msg_fill(&q->msg[k].msg_hdr, q->iov[k], &q->to[k],
				 q->ctl[k].buf, sizeof q->ctl[k].buf, q->hdr[k],
				 MIP4_TUNNEL_DATA_LEN, v.inner, v.inner_len,
				 m->t.ha, MIP4_PORT, m->t.coa);
		} else {
			size_t hl, skip = 0;

			q = &m->ipip;
			k = q->n;
			if (v.act == MNDP_ACT_ENCAP_GRE)
				hl = dp_gre_hdr(q->hdr[k], m->t.coa, m->t.ha,
						v.inner, v.inner_len);
			else if (v.act == MNDP_ACT_ENCAP_MIN)
				hl = dp_min_hdr(q->hdr[k], m->t.coa, m->t.ha,
						v.inner, v.inner_len, &skip);
			else
				hl = dp_ipip_hdr(q->hdr[k], m->t.coa, m->t.ha,
						 v.inner, v.inner_len);
			if (!hl) {
				m->st.drop_malformed++;
				continue;
			}
			msg_fill(&q->msg[k].msg_hdr, q->iov[k], &q->to[k], NULL,
				 0, q->hdr[k], hl, v.inner + skip,
				 v.inner_len - skip, m->t.ha, 0, 0);
		}
		q->n++;
	}
	txq_flush(m, &m->ipip, m->raw_fd[0]);
	if (m->udp.n && m->udp_fd < 0) {
		m->st.drop_send_error += m->udp.n;
		m->udp.n = 0;
	}
	txq_flush(m, &m->udp, m->udp_fd);
	return handled;
}

/* Hand a decapsulated packet to the kernel through the TUN (a restored
 * header first for minimal encapsulation: one writev is one packet). */
static int tun_deliver(struct mndp *m, const struct mndp_verdict *v)
{
	size_t len = v->rhdr_len + v->inner_len;

	if (dp_tun_write2(m->tun_fd, v->rhdr, v->rhdr_len, v->inner,
			  v->inner_len) != (ssize_t)len) {
		m->st.drop_send_error++;
		return -1;
	}
	m->st.tun_tx++;
	return 0;
}

static int raw_drain(struct mndp *m, int fd)
{
	struct mndp_verdict v;
	int n = recvmmsg(fd, m->rmsg, MNDP_BATCH, MSG_DONTWAIT, NULL);

	for (int i = 0; i < n; i++) {
		m->st.decap_rx++;
		if (m->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) {
			m->st.drop_malformed++;
			continue;
		}
		mndp_decide_raw(&m->t, m->rbuf[i], m->rmsg[i].msg_len, &v);
		if (!mndp_count_drop(&m->st, v.act))
			(void)tun_deliver(m, &v);
	}
	return n > 0 ? n : 0;
}

int mndp_on_raw(struct mndp *m)
{
	int n = 0;

	for (int i = 0; i < MNDP_NRAW; i++)
		n += raw_drain(m, m->raw_fd[i]);
	return n;
}

int mndp_udp_input(struct mndp *m, uint32_t src, const uint8_t *msg,
		   size_t len)
{
	struct mndp_verdict v;

	m->st.decap_rx++;
	mndp_decide_udp(&m->t, src, msg, len, &v);
	if (mndp_count_drop(&m->st, v.act))
		return -1;
	if (v.act == MNDP_ACT_KEEPALIVE_REPLY) {
		m->st.keepalive_replies++;
		return 0;
	}
	return tun_deliver(m, &v);
}

int mndp_send_keepalive(struct mndp *m)
{
	uint8_t pkt[MNDP_KEEPALIVE_LEN];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} ctl;
	struct sockaddr_in to;
	struct iovec iov[2];
	struct msghdr mh;

	if (m->t.mode != MNDP_UDP || !tunnel_up(&m->t) || m->udp_fd < 0)
		return -ENOTCONN;
	if (!mndp_keepalive_put(pkt, sizeof pkt, m->t.home, m->t.ha,
				m->t.ka_ident, ++m->ka_seq))
		return -EINVAL;
	msg_fill(&mh, iov, &to, ctl.buf, sizeof ctl.buf, pkt,
		 MIP4_TUNNEL_DATA_LEN, pkt + MIP4_TUNNEL_DATA_LEN,
		 sizeof pkt - MIP4_TUNNEL_DATA_LEN, m->t.ha, MIP4_PORT,
		 m->t.coa);
	if (sendmsg(m->udp_fd, &mh, MSG_DONTWAIT) < 0) {
		int err = -errno;

		m->st.drop_send_error++;
		return err;
	}
	m->st.keepalives++;
	return 0;
}

/* ---- the counters by name ---- */

static const struct {
	const char *name;
	size_t off;
} mndp_stat_tab[MNDP_NSTATS] = {
	{"tun-rx", offsetof(struct mndp_stats, tun_rx)},
	{"tun-tx", offsetof(struct mndp_stats, tun_tx)},
	{"encap-tx", offsetof(struct mndp_stats, encap_tx)},
	{"decap-rx", offsetof(struct mndp_stats, decap_rx)},
	{"gated", offsetof(struct mndp_stats, gated)},
	{"drop-not-from-ha", offsetof(struct mndp_stats, drop_not_from_ha)},
	{"drop-not-for-home", offsetof(struct mndp_stats, drop_not_for_home)},
	{"drop-not-from-home", offsetof(struct mndp_stats, drop_not_from_home)},
	{"drop-malformed", offsetof(struct mndp_stats, drop_malformed)},
	{"drop-send-error", offsetof(struct mndp_stats, drop_send_error)},
	{"keepalives", offsetof(struct mndp_stats, keepalives)},
	{"keepalive-replies", offsetof(struct mndp_stats, keepalive_replies)},
};

_Static_assert(sizeof(struct mndp_stats) == MNDP_NSTATS * sizeof(uint64_t),
	       "every counter of struct mndp_stats is listed");

const char *mndp_stat_name(size_t i)
{
	return i < MNDP_NSTATS ? mndp_stat_tab[i].name : "unknown";
}

uint64_t mndp_stat(const struct mndp_stats *s, size_t i)
{
	uint64_t v;

	if (i >= MNDP_NSTATS)
		return 0;
	memcpy(&v, (const char *)s + mndp_stat_tab[i].off, sizeof v);
	return v;
}

/* ---- the MN role's userspace backend of dp.h ---- */

static struct mndp *mndp_of(struct dp *dp)
{
	return (struct mndp *)dp;
}

static const struct mndp *mndp_of_c(const struct dp *dp)
{
	return (const struct mndp *)dp;
}

static int mn_user_open(const struct dp_cfg *cfg, struct dp **out)
{
	struct mndp_cfg mc = {.tun_name = cfg->tun_name,
			      .mtu = cfg->mtu,
			      .home_addr = cfg->home_addr,
			      .fwmark = cfg->fwmark,
			      .udp_fd = cfg->udp_fd};
	struct mndp *m = NULL;
	int r = mndp_open(&mc, &m);

	if (r == 0 && m)
		*out = &m->base;
	return r;
}

static void mn_user_close(struct dp *dp)
{
	mndp_close(mndp_of(dp));
}

static int mn_user_tun_fd(const struct dp *dp)
{
	return mndp_tun_fd(mndp_of_c(dp));
}

static int mn_user_raw_fd(const struct dp *dp)
{
	return mndp_raw_fd(mndp_of_c(dp));
}

static int mn_user_tun_ifindex(const struct dp *dp)
{
	return mndp_tun_ifindex(mndp_of_c(dp));
}

static int mn_user_on_tun(struct dp *dp)
{
	return mndp_on_tun(mndp_of(dp));
}

static int mn_user_on_raw(struct dp *dp)
{
	return mndp_on_raw(mndp_of(dp));
}

/* The source port plays no part: the HA sends from port 434. */
static int mn_user_udp_input(struct dp *dp, uint32_t src, uint16_t sport,
			     const uint8_t *msg, size_t len)
{
	(void)sport;
	return mndp_udp_input(mndp_of(dp), src, msg, len);
}

static int mn_user_set_tunnel(struct dp *dp, enum mndp_mode mode,
			      uint32_t coa, uint32_t ha)
{
	mndp_set_tunnel(mndp_of(dp), mode, coa, ha);
	return 0;
}

static int mn_user_send_keepalive(struct dp *dp)
{
	return mndp_send_keepalive(mndp_of(dp));
}

static void mn_user_foreach_counter(const struct dp *dp,
				    void (*fn)(void *ctx, const char *name,
					       uint64_t v),
				    void *ctx)
{
	const struct mndp_stats *s = &mndp_of_c(dp)->st;

	for (size_t i = 0; i < MNDP_NSTATS; i++)
		fn(ctx, mndp_stat_name(i), mndp_stat(s, i));
}

const struct dp_ops dp_mn_user_ops = {
	.name = "userspace",
	.open = mn_user_open,
	.close = mn_user_close,
	.tun_fd = mn_user_tun_fd,
	.raw_fd = mn_user_raw_fd,
	.tun_ifindex = mn_user_tun_ifindex,
	.on_tun = mn_user_on_tun,
	.on_raw = mn_user_on_raw,
	.udp_input = mn_user_udp_input,
	.foreach_counter = mn_user_foreach_counter,
	.set_tunnel = mn_user_set_tunnel,
	.send_keepalive = mn_user_send_keepalive,
};
