/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sys/nl.c - rtnetlink requests with libmnl, and gratuitous ARP.
 *
 * Each request carries NLM_F_ACK and we read until its ack (or error)
 * arrives, so the kernel's errno is what the caller gets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "nl.h"

#define NL_REQ_MAX 256  /* our requests are a header and a few attributes */
#define NL_RX_MAX 8192	 /* acks echo the request: ample */

struct nl {
	struct mnl_socket *sk;
	unsigned int portid;
	uint32_t seq;
	_Alignas(8) char req[NL_REQ_MAX];
	_Alignas(8) char rx[NL_RX_MAX];
	int garp_fd; /* packet socket for gratuitous ARP, -1 until needed */
};

int nl_open(struct nl **out)
{
	struct nl *nl = calloc(1, sizeof *nl);

	if (!nl)
		return -ENOMEM;
	nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sk || mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		if (nl->sk)
			mnl_socket_close(nl->sk);
		free(nl);
		return err;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->garp_fd = -1;
	nl->seq = (uint32_t)time(NULL);
	*out = nl;
	return 0;
}

void nl_close(struct nl *nl)
{
	if (!nl)
		return;
	if (nl->garp_fd >= 0)
		close(nl->garp_fd);
	mnl_socket_close(nl->sk);
	free(nl);
}

int nl_ifindex(const char *name)
{
	unsigned int i = if_nametoindex(name);

	return i ? (int)i : -errno;
}

/* Send one request and wait for its acknowledgement. */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh)
{
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sk, nl->rx, sizeof nl->rx);
		int r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		r = mnl_cb_run(nl->rx, (size_t)n, nl->seq, nl->portid, NULL, NULL);
		if (r < 0)
			return errno ? -errno : -EPROTO;
		if (r == MNL_CB_STOP)
			return 0; /* the ack */
	}
}

static struct nlmsghdr *nl_msg(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	return nlh;
}

int nl_link_set_up(struct nl *nl, int ifindex, int mtu)
{
	struct nlmsghdr *nlh = nl_msg(nl->req, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof *ifi);

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (mtu > 0)
		mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	return nl_talk(nl, nlh);
}

int nl_addr_add(struct nl *nl, int ifindex, uint32_t addr, int plen)
{
	struct nlmsghdr *nlh =
		nl_msg(nl->req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof *ifa);
	uint32_t a = htonl(addr);
	int r;

	if (plen < 0 || plen > 32)
		return -EINVAL;
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof a, &a);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof a, &a);
	r = nl_talk(nl, nlh);
	return r == -EEXIST ? 0 : r;
}

static int nl_route(struct nl *nl, uint16_t type, uint16_t flags,
		    uint32_t dst, int plen, int ifindex, uint32_t table)
{
	struct nlmsghdr *nlh = nl_msg(nl->req, type, flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
	uint32_t d = htonl(dst);

	if (plen < 0 || plen > 32)
		return -EINVAL;
	if (!table)
		table = RT_TABLE_MAIN;
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = (uint8_t)plen;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	/* a device route without a gateway is link scope; deletes match any */
	rtm->rtm_scope = type == RTM_NEWROUTE ? RT_SCOPE_LINK : RT_SCOPE_NOWHERE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, sizeof d, &d);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	return nl_talk(nl, nlh);
}

int nl_route_add(struct nl *nl, uint32_t dst, int plen, int ifindex,
		 uint32_t table)
{
	return nl_route(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, dst,
			plen, ifindex, table);
}

int nl_route_del(struct nl *nl, uint32_t dst, int plen, int ifindex,
		 uint32_t table)
{
	int r = nl_route(nl, RTM_DELROUTE, 0, dst, plen, ifindex, table);

	return r == -ENOENT || r == -ESRCH ? 0 : r;
}

static int nl_neigh_proxy(struct nl *nl, uint16_t type, uint16_t flags,
			  int ifindex, uint32_t addr)
{
	struct nlmsghdr *nlh = nl_msg(nl->req, type, flags);
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof *nd);
	uint32_t a = htonl(addr);

	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_PERMANENT;
	nd->ndm_flags = NTF_PROXY;
	mnl_attr_put(nlh, NDA_DST, sizeof a, &a);
	return nl_talk(nl, nlh);
}

int nl_neigh_proxy_add(struct nl *nl, int ifindex, uint32_t addr)
{
	return nl_neigh_proxy(nl, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE,
			      ifindex, addr);
}

int nl_neigh_proxy_del(struct nl *nl, int ifindex, uint32_t addr)
{
	int r = nl_neigh_proxy(nl, RTM_DELNEIGH, 0, ifindex, addr);

	return r == -ENOENT ? 0 : r;
}

/* ARP for Ethernet/IPv4 (RFC 826): 8-byte header, then sha spa tha tpa. */
#define ARP_LEN 28

static void garp_build(uint8_t p[ARP_LEN], uint16_t op, const uint8_t mac[6],
		       uint32_t addr)
{
	uint32_t a = htonl(addr);

	memset(p, 0, ARP_LEN);
	p[0] = 0;
	p[1] = ARPHRD_ETHER;
	p[2] = ETHERTYPE_IP >> 8;
	p[3] = ETHERTYPE_IP & 0xff;
	p[4] = 6;
	p[5] = 4;
	p[7] = (uint8_t)op;
	memcpy(p + 8, mac, 6);
	memcpy(p + 14, &a, 4);
	/* RFC 5944 §4.6: target protocol address = the home address too;
	 * target hardware address = ours in a reply, unspecified in a
	 * request */
	if (op == ARPOP_REPLY)
		memcpy(p + 18, mac, 6);
	memcpy(p + 24, &a, 4);
}

int nl_garp_send(struct nl *nl, int ifindex, uint32_t addr)
{
	return nl_garp_send_as(nl, ifindex, addr, NULL);
}

int nl_garp_send_as(struct nl *nl, int ifindex, uint32_t addr,
		    const uint8_t sha[6])
{
	static const uint16_t ops[] = {ARPOP_REQUEST, ARPOP_REPLY};
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = ifindex,
		.sll_halen = 6,
		.sll_addr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	};
	/* One socket for the handle's life, opened with protocol 0 so it
	 * never receives: closing a receiving packet socket waits for an RCU
	 * grace period (~12 ms here), which stalled the event loop on every
	 * new binding. */
	int fd;
	struct ifreq ifr;
	uint8_t pkt[ARP_LEN];
	int err = 0;

	memset(&ifr, 0, sizeof ifr);
	if (ifindex <= 0 || !if_indextoname((unsigned int)ifindex, ifr.ifr_name))
		return -ENODEV;
	if (nl->garp_fd < 0)
		nl->garp_fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	fd = nl->garp_fd;
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		err = -errno;
	} else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		err = -EOPNOTSUPP;
	} else {
		/* The frame leaves from our own MAC (switches must not
		 * learn the node's MAC on our port); the ARP sender hardware
		 * address is the node's when we speak for it at home. */
		if (!sha)
			sha = (const uint8_t *)ifr.ifr_hwaddr.sa_data;
		for (size_t i = 0; i < sizeof ops / sizeof ops[0] && !err; i++) {
			garp_build(pkt, ops[i], sha, addr);
			if (sendto(fd, pkt, sizeof pkt, 0,
				   (const struct sockaddr *)&sll, sizeof sll) < 0)
				err = -errno;
		}
	}
	return err;
}

/* ---- mobile node: policy routing and interface state ---- */

#define NL_DUMP_MAX 32768 /* the kernel's largest dump chunk */

/*
 * Send a GET (with ack) or a DUMP request and feed every answer to cb,
 * which returns MNL_CB_OK (it never stops early: the rest of a dump would
 * be left in the socket for the next request).  0 or -errno.
 */
static int nl_query(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		    void *data)
{
	char *buf;
	int err = 0;

	nlh->nlmsg_flags |= NLM_F_REQUEST;
	/* a dump ends with NLMSG_DONE and gets no ack */
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	buf = malloc(NL_DUMP_MAX);
	if (!buf)
		return -ENOMEM;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sk, buf, NL_DUMP_MAX);
		int r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		r = mnl_cb_run(buf, (size_t)n, nl->seq, nl->portid, cb, data);
		if (r < 0) {
			err = errno ? -errno : -EPROTO;
			break;
		}
		if (r == MNL_CB_STOP)
			break; /* NLMSG_DONE or the ack */
	}
out:
	free(buf);
	return err;
}

static uint32_t nl_attr_addr(const struct nlattr *a)
{
	uint32_t v;

	if (!a || mnl_attr_get_payload_len(a) != sizeof v)
		return 0;
	memcpy(&v, mnl_attr_get_payload(a), sizeof v);
	return ntohl(v);
}

static uint32_t nl_attr_u32(const struct nlattr *a, uint32_t dflt)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return dflt;
	return mnl_attr_get_u32(a);
}

/* Attributes of a message after its family header, indexed by type. */
static void nl_parse(const struct nlmsghdr *nlh, size_t hdrlen,
		     const struct nlattr **tb, unsigned int max)
{
	const struct nlattr *a = mnl_nlmsg_get_payload_offset(nlh, hdrlen);
	int left = (int)nlh->nlmsg_len -
		   (int)((const char *)a - (const char *)nlh);

	for (unsigned int i = 0; i <= max; i++)
		tb[i] = NULL;
	/* (not mnl_attr_for_each: it casts the const away) */
	for (; mnl_attr_ok(a, left); a = mnl_attr_next(a)) {
		uint16_t t = mnl_attr_get_type(a);

		left -= (int)MNL_ALIGN(a->nla_len);
		if (t <= max)
			tb[t] = a;
	}
}

static uint32_t nl_route_table(const struct rtmsg *rtm,
			       const struct nlattr *const *tb)
{
	return nl_attr_u32(tb[RTA_TABLE], rtm->rtm_table);
}

int nl_route_add_src(struct nl *nl, uint32_t dst, int plen, int ifindex,
		     uint32_t src, uint32_t table)
{
	struct nlmsghdr *nlh =
		nl_msg(nl->req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
	uint32_t d = htonl(dst), s = htonl(src);

	if (plen < 0 || plen > 32)
		return -EINVAL;
	if (!table)
		table = RT_TABLE_MAIN;
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = (uint8_t)plen;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_LINK; /* a device route, no gateway */
	rtm->rtm_type = RTN_UNICAST;
	if (plen > 0)
		mnl_attr_put(nlh, RTA_DST, sizeof d, &d);
	if (src)
		mnl_attr_put(nlh, RTA_PREFSRC, sizeof s, &s);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	return nl_talk(nl, nlh);
}

int nl_route_add_unreachable(struct nl *nl, uint32_t dst, int plen,
			     uint32_t table)
{
	struct nlmsghdr *nlh =
		nl_msg(nl->req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
	uint32_t d = htonl(dst);

	if (plen < 0 || plen > 32 || !table || table == RT_TABLE_MAIN ||
	    table == RT_TABLE_LOCAL)
		return -EINVAL;
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = (uint8_t)plen;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_NOWHERE;
	rtm->rtm_type = RTN_UNREACHABLE;
	if (plen > 0)
		mnl_attr_put(nlh, RTA_DST, sizeof d, &d);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	return nl_talk(nl, nlh);
}

/* Copies of the routes of one table, collected by a dump. */
struct nl_rtlist {
	uint32_t table;
	size_t n, cap;
	struct nlmsghdr **msg;
	int err;
};

static int nl_rtlist_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_rtlist *l = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1];
	struct nlmsghdr *copy;

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != AF_INET)
		return MNL_CB_OK;
	nl_parse(nlh, sizeof *rtm, tb, RTA_MAX);
	if (nl_route_table(rtm, tb) != l->table || l->err)
		return MNL_CB_OK;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct nlmsghdr **m =
			realloc(l->msg, cap * sizeof(struct nlmsghdr *));

		if (!m) {
			l->err = -ENOMEM;
			return MNL_CB_OK;
		}
		l->msg = m;
		l->cap = cap;
	}
	copy = malloc(nlh->nlmsg_len);
	if (!copy) {
		l->err = -ENOMEM;
		return MNL_CB_OK;
	}
	memcpy(copy, nlh, nlh->nlmsg_len);
	l->msg[l->n++] = copy;
	return MNL_CB_OK;
}

int nl_route_flush_table(struct nl *nl, uint32_t table)
{
	struct nl_rtlist l = {.table = table};
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int r;

	if (table == RT_TABLE_UNSPEC || table == RT_TABLE_MAIN ||
	    table == RT_TABLE_LOCAL)
		return -EINVAL;
	nlh = nl_msg(nl->req, RTM_GETROUTE, NLM_F_DUMP);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
	rtm->rtm_family = AF_INET;
	r = nl_query(nl, nlh, nl_rtlist_cb, &l);
	if (!r)
		r = l.err;
	/* Delete each route by echoing it back, as `ip route flush` does:
	 * every field the kernel matches on is then exactly the route's. */
	for (size_t i = 0; i < l.n; i++) {
		if (!r) {
			l.msg[i]->nlmsg_type = RTM_DELROUTE;
			l.msg[i]->nlmsg_flags = 0;
			int d = nl_talk(nl, l.msg[i]);
			if (d < 0 && d != -ENOENT && d != -ESRCH)
				r = d;
		}
		free(l.msg[i]);
	}
	free(l.msg);
	return r;
}

static int rule_add(struct nl *nl, uint32_t prio, uint32_t table,
		    uint32_t fwmark, int suppress_plen, uint32_t from)
{
	struct nlmsghdr *nlh =
		nl_msg(nl->req, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL);
	struct fib_rule_hdr *frh = mnl_nlmsg_put_extra_header(nlh, sizeof *frh);
	int r;

	if (suppress_plen > 32)
		return -EINVAL;
	if (!table)
		table = RT_TABLE_MAIN;
	frh->family = AF_INET;
	frh->action = FR_ACT_TO_TBL;
	frh->table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, prio);
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	if (fwmark) {
		mnl_attr_put_u32(nlh, FRA_FWMARK, fwmark);
		mnl_attr_put_u32(nlh, FRA_FWMASK, 0xffffffffu);
	}
	if (suppress_plen >= 0)
		mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN,
				 (uint32_t)suppress_plen);
	if (from) {
		frh->src_len = 32;
		mnl_attr_put_u32(nlh, FRA_SRC, htonl(from));
	}
	r = nl_talk(nl, nlh);
	return r == -EEXIST ? 0 : r;
}

int nl_rule_add(struct nl *nl, uint32_t prio, uint32_t table, uint32_t fwmark,
		int suppress_plen)
{
	return rule_add(nl, prio, table, fwmark, suppress_plen, 0);
}

int nl_rule_add_from(struct nl *nl, uint32_t prio, uint32_t table,
		     uint32_t from)
{
	return rule_add(nl, prio, table, 0, -1, from);
}

int nl_rule_del(struct nl *nl, uint32_t prio)
{
	/* The kernel deletes the first rule matching the attributes given;
	 * with only the priority that is any rule at that priority.  Bounded
	 * in case someone keeps adding them. */
	for (int i = 0; i < 4096; i++) {
		struct nlmsghdr *nlh = nl_msg(nl->req, RTM_DELRULE, 0);
		struct fib_rule_hdr *frh =
			mnl_nlmsg_put_extra_header(nlh, sizeof *frh);
		int r;

		frh->family = AF_INET;
		mnl_attr_put_u32(nlh, FRA_PRIORITY, prio);
		r = nl_talk(nl, nlh);
		if (r == -ENOENT)
			return 0;
		if (r < 0)
			return r;
	}
	return -EBUSY;
}

int nl_rule_iif(struct nl *nl, bool add, uint32_t prio, uint32_t table,
		uint32_t from, const char *iif)
{
	struct nlmsghdr *nlh = nl_msg(nl->req, add ? RTM_NEWRULE : RTM_DELRULE,
				      add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	struct fib_rule_hdr *fr = mnl_nlmsg_put_extra_header(nlh, sizeof *fr);
	int r;

	fr->family = AF_INET;
	fr->src_len = 32;
	fr->action = FR_ACT_TO_TBL;
	fr->table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_SRC, htonl(from));
	mnl_attr_put_strz(nlh, FRA_IIFNAME, iif);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, prio);
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	r = nl_talk(nl, nlh);
	if (add && r == -EEXIST)
		return 0;
	return !add && r == -ENOENT ? 0 : r;
}

struct nl_ifq {
	struct nl_ifstate *st;
	bool have_link, have_addr;
	uint32_t metric; /* of the gateway found so far */
};

static int nl_if_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_ifq *q = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK || ifi->ifi_index != q->st->ifindex)
		return MNL_CB_OK;
	q->have_link = true;
	q->st->up = (ifi->ifi_flags & IFF_UP) != 0;
	q->st->running = (ifi->ifi_flags & IFF_RUNNING) != 0;
	return MNL_CB_OK;
}

static int nl_if_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_ifq *q = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1];
	uint32_t a;

	if (nlh->nlmsg_type != RTM_NEWADDR || q->have_addr ||
	    ifa->ifa_family != AF_INET ||
	    ifa->ifa_index != (uint32_t)q->st->ifindex ||
	    ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return MNL_CB_OK;
	nl_parse(nlh, sizeof *ifa, tb, IFA_MAX);
	/* IFA_LOCAL is ours; IFA_ADDRESS is the peer on point-to-point */
	a = nl_attr_addr(tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS]);
	if (!a)
		return MNL_CB_OK;
	q->have_addr = true;
	q->st->addr = a;
	q->st->plen = ifa->ifa_prefixlen;
	return MNL_CB_OK;
}

/* The gateway of a route's next hop(s) through the wanted interface. */
static uint32_t nl_route_gw_via(const struct nlattr *const *tb, int ifindex)
{
	const struct nlattr *mp = tb[RTA_MULTIPATH];
	const struct rtnexthop *nh;
	int left;

	if (!mp)
		return (int)nl_attr_u32(tb[RTA_OIF], 0) == ifindex
			       ? nl_attr_addr(tb[RTA_GATEWAY])
			       : 0;
	nh = mnl_attr_get_payload(mp);
	left = (int)mnl_attr_get_payload_len(mp);
	for (; RTNH_OK(nh, left);
	     left -= RTNH_ALIGN(nh->rtnh_len),
	     nh = (const struct rtnexthop *)((const char *)nh +
					     RTNH_ALIGN(nh->rtnh_len))) {
		const struct nlattr *a;
		int alen = nh->rtnh_len - (int)sizeof *nh;

		if (nh->rtnh_ifindex != ifindex)
			continue;
		for (a = (const struct nlattr *)((const char *)nh +
						 RTNH_ALIGN(sizeof *nh));
		     mnl_attr_ok(a, alen); a = mnl_attr_next(a)) {
			alen -= (int)MNL_ALIGN(a->nla_len);
			if (mnl_attr_get_type(a) == RTA_GATEWAY)
				return nl_attr_addr(a);
		}
	}
	return 0;
}

static int nl_if_route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_ifq *q = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1];
	uint32_t gw, metric;

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != AF_INET ||
	    rtm->rtm_dst_len != 0 || rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	nl_parse(nlh, sizeof *rtm, tb, RTA_MAX);
	if (nl_route_table(rtm, tb) != RT_TABLE_MAIN)
		return MNL_CB_OK;
	gw = nl_route_gw_via(tb, q->st->ifindex);
	metric = nl_attr_u32(tb[RTA_PRIORITY], 0);
	if (gw && (!q->st->gateway || metric < q->metric)) {
		q->st->gateway = gw;
		q->metric = metric;
	}
	return MNL_CB_OK;
}

int nl_if_state(struct nl *nl, int ifindex, struct nl_ifstate *st)
{
	struct nl_ifq q = {.st = st};
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct ifaddrmsg *ifa;
	struct rtmsg *rtm;
	int r;

	memset(st, 0, sizeof *st);
	st->ifindex = ifindex;
	if (ifindex <= 0)
		return -ENODEV;
	nlh = nl_msg(nl->req, RTM_GETLINK, 0);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	r = nl_query(nl, nlh, nl_if_link_cb, &q);
	if (r < 0)
		return r;
	if (!q.have_link)
		return -ENODEV;
	nlh = nl_msg(nl->req, RTM_GETADDR, NLM_F_DUMP);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof *ifa);
	ifa->ifa_family = AF_INET;
	r = nl_query(nl, nlh, nl_if_addr_cb, &q);
	if (r < 0)
		return r;
	nlh = nl_msg(nl->req, RTM_GETROUTE, NLM_F_DUMP);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
	rtm->rtm_family = AF_INET;
	return nl_query(nl, nlh, nl_if_route_cb, &q);
}

int nl_monitor_open(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE,
	};
	int sz = 1 << 20;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	/* room for a burst (a link flap is several messages per route) */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	if (bind(fd, (const struct sockaddr *)&sa, sizeof sa) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int nl_monitor_drain(int fd)
{
	char *buf = malloc(NL_DUMP_MAX);
	bool overrun = false;
	int count = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = recv(fd, buf, NL_DUMP_MAX, MSG_DONTWAIT);
		const struct nlmsghdr *nlh;
		int left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) { /* the kernel dropped events */
				overrun = true;
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			count = -errno;
			break;
		}
		if (n == 0)
			break;
		left = (int)n;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left))
			count++;
	}
	free(buf);
	if (count >= 0 && overrun && count == 0)
		count = 1;
	return count;
}

/* ---- mobile node: foreign agent as first hop (RFC 5944 §4.2.1) ---- */

int nl_route_add_via(struct nl *nl, uint32_t dst, int plen, uint32_t gw,
		     int ifindex, uint32_t src, uint32_t table)
{
	return nl_route_add_via_mtu(nl, dst, plen, gw, ifindex, src, table, 0);
}

int nl_route_add_via_mtu(struct nl *nl, uint32_t dst, int plen, uint32_t gw,
			 int ifindex, uint32_t src, uint32_t table, int mtu)
{
	struct nlmsghdr *nlh =
		nl_msg(nl->req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
	uint32_t d = htonl(dst), s = htonl(src), g = htonl(gw);

	if (plen < 0 || plen > 32 || !gw)
		return -EINVAL;
	if (!table)
		table = RT_TABLE_MAIN;
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = (uint8_t)plen;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	/* onlink: the gateway is on the link although no prefix of ours
	 * covers it (the node has no address there) */
	rtm->rtm_flags = RTNH_F_ONLINK;
	if (plen > 0)
		mnl_attr_put(nlh, RTA_DST, sizeof d, &d);
	if (src)
		mnl_attr_put(nlh, RTA_PREFSRC, sizeof s, &s);
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof g, &g);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (mtu > 0) {
		struct nlattr *mx = mnl_attr_nest_start(nlh, RTA_METRICS);

		mnl_attr_put_u32(nlh, RTAX_MTU, (uint32_t)mtu);
		mnl_attr_nest_end(nlh, mx);
	}
	return nl_talk(nl, nlh);
}

static int nl_neigh(struct nl *nl, uint16_t type, uint16_t flags, int ifindex,
		    uint32_t addr, const uint8_t mac[6])
{
	struct nlmsghdr *nlh = nl_msg(nl->req, type, flags);
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof *nd);
	uint32_t a = htonl(addr);

	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_PERMANENT;
	nd->ndm_type = RTN_UNICAST;
	mnl_attr_put(nlh, NDA_DST, sizeof a, &a);
	if (mac)
		mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	return nl_talk(nl, nlh);
}

int nl_neigh_add(struct nl *nl, int ifindex, uint32_t addr,
		 const uint8_t mac[6])
{
	return nl_neigh(nl, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, ifindex,
			addr, mac);
}

int nl_neigh_del(struct nl *nl, int ifindex, uint32_t addr)
{
	int r = nl_neigh(nl, RTM_DELNEIGH, 0, ifindex, addr, NULL);

	return r == -ENOENT || r == -ENODEV ? 0 : r;
}

/* ---- a neighbour's link-layer address ---- */

struct nl_neighq {
	uint8_t *mac;
	bool found;
};

static int nl_neigh_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_neighq *q = data;
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NDA_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWNEIGH || nd->ndm_family != AF_INET)
		return MNL_CB_OK;
	/* an address being resolved, or that failed, tells us nothing */
	if (!(nd->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY |
			       NUD_PROBE | NUD_PERMANENT | NUD_NOARP)))
		return MNL_CB_OK;
	nl_parse(nlh, sizeof *nd, tb, NDA_MAX);
	if (tb[NDA_LLADDR] && mnl_attr_get_payload_len(tb[NDA_LLADDR]) == 6) {
		memcpy(q->mac, mnl_attr_get_payload(tb[NDA_LLADDR]), 6);
		q->found = true;
	}
	return MNL_CB_OK;
}

int nl_neigh_lladdr(struct nl *nl, int ifindex, uint32_t addr, uint8_t mac[6])
{
	struct nlmsghdr *nlh = nl_msg(nl->req, RTM_GETNEIGH, 0);
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof *nd);
	struct nl_neighq q = {.mac = mac};
	uint32_t a = htonl(addr);
	int r;

	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = ifindex;
	mnl_attr_put(nlh, NDA_DST, sizeof a, &a);
	r = nl_query(nl, nlh, nl_neigh_get_cb, &q);
	if (r < 0)
		return r;
	return q.found ? 0 : -ENOENT;
}
