/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sys/nl.h - the rtnetlink operations the daemon and the data plane need (libmnl):
 * links up, addresses, host routes into the tunnel device, proxy ARP
 * entries, and gratuitous ARP on the home link (RFC 5944 §4.6).
 *
 * Addresses are host byte order.  Every call returns 0 or -errno, the
 * errno being the kernel's acknowledgement error when it sent one.  Calls
 * are synchronous: one request, wait for its ack.
 */
#ifndef MIP4_SYS_NL_H
#define MIP4_SYS_NL_H

#include <stdbool.h>
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
int nl_garp_send(struct nl *nl, int ifindex, uint32_t addr);
/* The same with sha as the ARP sender hardware address (NULL: ours): the
 * home agent speaking for a node back home (RFC 5944 §4.6). */
int nl_garp_send_as(struct nl *nl, int ifindex, uint32_t addr,
		    const uint8_t sha[6]);
/* The link-layer address the kernel knows for addr on ifindex (a resolved
 * entry: reachable, stale, delay, probe or permanent).  0, -ENOENT when
 * there is none, or -errno. */
int nl_neigh_lladdr(struct nl *nl, int ifindex, uint32_t addr, uint8_t mac[6]);

/* ---- mobile node: policy routing and interface state ---- */

/* dst/plen out of ifindex with preferred source src (0 = none) in table
 * (0 = main); replaces an existing route to the same prefix. */
int nl_route_add_src(struct nl *nl, uint32_t dst, int plen, int ifindex,
		     uint32_t src, uint32_t table);
/* An unreachable route for dst/plen in table (not main: -EINVAL), so that
 * a lookup that gets there fails instead of going on; replaces. */
int nl_route_add_unreachable(struct nl *nl, uint32_t dst, int plen,
			     uint32_t table);
/* Delete every IPv4 route in table.  The main, local and unspecified (0)
 * tables are refused with -EINVAL.  Routes that vanish meanwhile are not
 * an error. */
int nl_route_flush_table(struct nl *nl, uint32_t table);
/* IPv4 rule at priority prio -> lookup table (0 = main).  fwmark != 0
 * adds "fwmark fwmark/0xffffffff"; suppress_plen >= 0 adds
 * suppress_prefixlength (`ip rule add pref P lookup main
 * suppress_prefixlength 0`).  An identical rule (EEXIST) is success. */
int nl_rule_add(struct nl *nl, uint32_t prio, uint32_t table, uint32_t fwmark,
		int suppress_plen);
/* `ip rule add pref prio from FROM/32 lookup table`. */
int nl_rule_add_from(struct nl *nl, uint32_t prio, uint32_t table,
		     uint32_t from);
/* `ip rule add|del pref prio from FROM/32 iif IIF lookup table` (already
 * there, or already gone: success). */
int nl_rule_iif(struct nl *nl, bool add, uint32_t prio, uint32_t table,
		uint32_t from, const char *iif);
/* Delete every IPv4 rule with priority prio (none left: success). */
int nl_rule_del(struct nl *nl, uint32_t prio);

struct nl_ifstate {
	int ifindex;
	bool up;	  /* IFF_UP */
	bool running;	  /* IFF_RUNNING: up and carrier */
	uint32_t addr;	  /* first global-scope IPv4 address, 0 if none */
	int plen;	  /* its prefix length */
	uint32_t gateway; /* main-table default route via ifindex (lowest
			   * metric), 0 if none */
};
/* The link's flags, address and default gateway (-ENODEV: no such link). */
int nl_if_state(struct nl *nl, int ifindex, struct nl_ifstate *st);

/* A separate non-blocking NETLINK_ROUTE socket subscribed to RTNLGRP_LINK,
 * RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV4_ROUTE; returns the fd (close() it)
 * or -errno.  It only says "something changed": re-read with
 * nl_if_state(). */
int nl_monitor_open(void);
/* Read and discard everything pending: the number of messages (0 =
 * nothing), or -errno.  An overrun (ENOBUFS: events were lost) counts as
 * at least 1 so the caller re-reads its state. */
int nl_monitor_drain(int fd);

/* ---- mobile node: a foreign agent as first hop (RFC 5944 §4.2.1) ---- */

/* dst/plen via gw (onlink: gw need not be covered by an address of ours)
 * out of ifindex, preferred source src (0 = none), in table (0 = main);
 * replaces an existing route to the same prefix.  `ip route replace
 * DST/PLEN via GW dev IF onlink src SRC table T`. */
int nl_route_add_via(struct nl *nl, uint32_t dst, int plen, uint32_t gw,
		     int ifindex, uint32_t src, uint32_t table);
/* The same with an MTU metric (`mtu N`), 0 = none. */
int nl_route_add_via_mtu(struct nl *nl, uint32_t dst, int plen, uint32_t gw,
			 int ifindex, uint32_t src, uint32_t table, int mtu);
/* Permanent neighbour entry addr -> mac on ifindex (`ip neigh replace
 * ADDR lladdr MAC dev IF nud permanent`): away from home the node never
 * broadcasts ARP (§4.2.1); the MAC comes from the agent's advertisement
 * (§3.6.1.1). */
int nl_neigh_add(struct nl *nl, int ifindex, uint32_t addr,
		 const uint8_t mac[6]);
/* Delete it (already gone: success). */
int nl_neigh_del(struct nl *nl, int ifindex, uint32_t addr);

#endif
