/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/nl.h - the few rtnetlink operations the daemon needs (libmnl):
 * links up, addresses, host routes into the tunnel device, proxy ARP
 * entries, and gratuitous ARP on the home link (RFC 5944 §4.6).
 *
 * Addresses are host byte order.  Every call returns 0 or -errno, the
 * errno being the kernel's acknowledgement error when it sent one.  Calls
 * are synchronous: one request, wait for its ack.
 */
#ifndef MIP4D_NL_H
#define MIP4D_NL_H

#include <stdint.h>

struct nl;

int nl_open(struct nl **out);	/* NETLINK_ROUTE socket */
void nl_close(struct nl *nl);
int nl_ifindex(const char *name); /* if_nametoindex, or -errno */

/* Set IFF_UP and, when mtu > 0, the MTU. */
int nl_link_set_up(struct nl *nl, int ifindex, int mtu);
/* Add addr/plen (EEXIST counts as success). */
int nl_addr_add(struct nl *nl, int ifindex, uint32_t addr, int plen);
/* dst/plen out of ifindex, in table (0 = main); replaces an existing
 * route to the same prefix. */
int nl_route_add(struct nl *nl, uint32_t dst, int plen, int ifindex,
		 uint32_t table);
/* Delete it (already gone - ENOENT or ESRCH - counts as success). */
int nl_route_del(struct nl *nl, uint32_t dst, int plen, int ifindex,
		 uint32_t table);
/* Proxy ARP entry (NTF_PROXY) for a home address on the home link, RFC
 * 5944 §4.6.  The kernel answers only with IPv4 forwarding on and a route
 * for addr out of another device; mind neigh.IF.proxy_delay. */
int nl_neigh_proxy_add(struct nl *nl, int ifindex, uint32_t addr);
int nl_neigh_proxy_del(struct nl *nl, int ifindex, uint32_t addr); /* ENOENT ok */

/* Gratuitous ARP for addr on ifindex (RFC 5944 §4.6): one broadcast ARP
 * request and one broadcast ARP reply, both with sender and target
 * protocol address addr and the interface's hardware address.  Needs
 * CAP_NET_RAW. */
int nl_garp_send(int ifindex, uint32_t addr);

#endif
