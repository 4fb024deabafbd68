/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/nl.c - rtnetlink requests with libmnl, and gratuitous ARP.
 *
 * Each request carries NLM_F_ACK and we read until its ack (or error)
 * arrives, so the kernel's errno is what the caller gets.
 */
#include <arpa/inet.h>
#include <errno.h>
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
	nl->seq = (uint32_t)time(NULL);
	*out = nl;
	return 0;
}

void nl_close(struct nl *nl)
{
	if (!nl)
		return;
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

int nl_garp_send(int ifindex, uint32_t addr)
{
	static const uint16_t ops[] = {ARPOP_REQUEST, ARPOP_REPLY};
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = ifindex,
		.sll_halen = 6,
		.sll_addr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	};
	struct ifreq ifr;
	uint8_t pkt[ARP_LEN];
	int fd, err = 0;

	memset(&ifr, 0, sizeof ifr);
	if (ifindex <= 0 || !if_indextoname((unsigned int)ifindex, ifr.ifr_name))
		return -ENODEV;
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		err = -errno;
	} else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		err = -EOPNOTSUPP;
	} else {
		for (size_t i = 0; i < sizeof ops / sizeof ops[0] && !err; i++) {
			garp_build(pkt, ops[i],
				   (const uint8_t *)ifr.ifr_hwaddr.sa_data, addr);
			if (sendto(fd, pkt, sizeof pkt, 0,
				   (const struct sockaddr *)&sll, sizeof sll) < 0)
				err = -errno;
		}
	}
	close(fd);
	return err;
}
