/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The foreign agent role (RFC 5944 §2, §3.7, §4.2.2; RFC 3024): agent
 * advertisements on the link, registration relaying between the link and
 * the home agents, the visitor list applied to the kernel (permanent
 * neighbour entry and /32 route per visitor, a policy rule per reverse
 * tunnel) and the data plane (dataplane/fa.h).  The protocol decisions
 * are libmip4's (mip4/fa.h); this file only moves packets and state.
 *
 * Sockets:
 *  - raw ICMP on the link (SO_BINDTODEVICE, IP_MULTICAST_IF, TTL 1):
 *    advertisements out, solicitations (type 10 only, ICMP_FILTER) in;
 *  - AF_PACKET (SOCK_DGRAM, BPF: UDP to port 434) on the link: requests
 *    from mobile nodes, which come from a home address we have no route
 *    to; the packet socket gives their link-layer source (§3.7.2.1 "the
 *    link-layer source address"), and our replies leave on it to that
 *    address, so the FA never ARPs for a visitor (§4.2.2);
 *  - UDP 0.0.0.0:434 (IP_PKTINFO, IP_RECVERR): replies from home agents
 *    and the ICMP errors answering relayed requests (§3.7.3: 80-88);
 *    requests that also reach it from the link are read and ignored (it
 *    exists on the link so that they get no port unreachable).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <libmnl/libmnl.h>
#include <linux/errqueue.h>
#include <linux/filter.h>
#include <linux/fib_rules.h>
#include <linux/icmp.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fa.h"
#include "json.h"
#include "log.h"
#include "mip4/ip.h"
#include "nl.h"
#include "priv.h"
#include "priv_policy.h"
#include "role.h"

#define FA_BUFSZ 2048
#define FA_MCAST_ALL_SYSTEMS 0xe0000001u   /* 224.0.0.1 */
#define FA_MCAST_ALL_ROUTERS 0xe0000002u   /* 224.0.0.2 */
#define FA_MCAST_MOBILE_AGENTS 0xe000000bu /* 224.0.0.11 */
#define FA_BROADCAST 0xffffffffu

/* The role's own counters (libmip4 keeps the protocol ones). */
enum fa_dcounter {
	FA_ADV_TX_ERR,
	FA_SOL_RX,
	FA_LINK_RX,	    /* IPv4 UDP/434 frames from the link */
	FA_LINK_DROP_IP,    /* bad IPv4 header or fragment */
	FA_LINK_NOT_FOR_US, /* to another address (co-located MNs) */
	FA_MN_TX,
	FA_MN_TX_ERR,
	FA_HA_RX,
	FA_HA_TX,
	FA_HA_TX_ERR,
	FA_ICMP_ERRORS,	    /* errors on relayed requests */
	FA_KERNEL_ERR,	    /* neighbour, route or rule not applied */
	FA_NDCOUNTERS
};

static const char *const fa_dcounter_names[FA_NDCOUNTERS] = {
	[FA_ADV_TX_ERR] = "advertisement-tx-error",
	[FA_SOL_RX] = "solicitations-rx",
	[FA_LINK_RX] = "link-rx",
	[FA_LINK_DROP_IP] = "link-drop-bad-ip",
	[FA_LINK_NOT_FOR_US] = "link-not-for-us",
	[FA_MN_TX] = "to-mn-tx",
	[FA_MN_TX_ERR] = "to-mn-tx-error",
	[FA_HA_RX] = "from-ha-rx",
	[FA_HA_TX] = "to-ha-tx",
	[FA_HA_TX_ERR] = "to-ha-tx-error",
	[FA_ICMP_ERRORS] = "icmp-errors",
	[FA_KERNEL_ERR] = "kernel-error",
};

struct farole {
	const struct role_env *env;
	struct mip4_fa *fa;
	struct mip4_fa_cfg cfg; /* as running: address resolved */
	int ifindex;
	int icmp_fd, pkt_fd, udp_fd;
	struct fadp *dp;
	struct event *ev_icmp, *ev_pkt, *ev_udp, *ev_tun, *ev_raw, *ev_timer;
	uint64_t next_sweep_ms;
	bool started;
	uint64_t c[FA_NDCOUNTERS];
	/* the latest 78 (a home agent that never answered), for status */
	struct {
		uint32_t ha, home;
		uint64_t at_ms;
		uint64_t count;
	} timeout;
	struct log_rl rl_reply, rl_relay, rl_adv; /* per-packet messages */
	/* the outcome of one input, this instance's own (the receive
	 * callbacks use it in turn, never nested) */
	struct mip4_fa_out out;
};

/* ---- JSON ---- */

static void add_mac(json_object *o, const char *k, const uint8_t *m)
{
	char buf[18];

	snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
		 m[2], m[3], m[4], m[5]);
	jadd_str(o, k, buf);
}

static const char *delivery_name(uint8_t d)
{
	switch (d) {
	case MIP4_FA_DELIVERY_DIRECT: return "direct";
	case MIP4_FA_DELIVERY_ENCAP: return "encapsulating";
	default: return "none";
	}
}

static json_object *visitor_json(const struct mip4_fa_visitor *v)
{
	json_object *o = json_object_new_object();
	uint64_t now = mip4d_now_ms();

	jadd_addr(o, "home_addr", v->home_addr);
	add_mac(o, "mac", v->mac);
	jadd_addr(o, "home_agent", v->ha_addr);
	jadd_addr(o, "coa", v->coa);
	jadd_int(o, "lifetime", v->lifetime);
	jadd_int(o, "remaining",
		v->expires_ms == UINT64_MAX ? -1
		: v->expires_ms > now	    ? (int64_t)((v->expires_ms - now) / 1000)
					    : 0);
	jadd_str(o, "reverse_tunnel", delivery_name(v->delivery));
	jadd_str(o, "encap", v->encap == MIP4_ENCAP_UDP ? "udp" : "ipip");
	if (v->nai[0])
		jadd_str(o, "nai", v->nai);
	return o;
}

static void kernel_err(struct farole *r, const char *what, uint32_t a, int rc)
{
	char nb[16];

	r->c[FA_KERNEL_ERR]++;
	log_warnx("%s %s: %s", what, mip4_ntoa(a, nb), strerror(-rc));
}

/* A visitor on the link: deliver to it by its MAC without ARP (§4.2.2)
 * and, with a direct-delivery reverse tunnel, route its packets into the
 * TUN (RFC 3024 §5.1). */
static void visitor_install(struct farole *r, const struct mip4_fa_visitor *v)
{
	int rc;

	struct priv *p = r->env->priv;
	const struct mip4_config_farole *c = &r->env->conf->fa;

	rc = priv_neigh_add(p, r->ifindex, v->home_addr, v->mac);
	if (rc < 0)
		kernel_err(r, "neighbour", v->home_addr, rc);
	rc = priv_route(p, true, v->home_addr, 32, r->ifindex, 0, false);
	if (rc < 0)
		kernel_err(r, "route", v->home_addr, rc);
	/* the rule's priority is the table's number */
	if (v->delivery == MIP4_FA_DELIVERY_DIRECT) {
		rc = priv_rule_iif(p, true, c->table, c->table, v->home_addr,
				   c->ifname);
		if (rc < 0)
			kernel_err(r, "reverse tunnel rule from", v->home_addr, rc);
	} else {
		(void)priv_rule_iif(p, false, c->table, c->table, v->home_addr,
				    c->ifname);
	}
}

static void visitor_uninstall(struct farole *r, const struct mip4_fa_visitor *v)
{
	int rc;

	struct priv *p = r->env->priv;
	const struct mip4_config_farole *c = &r->env->conf->fa;

	rc = priv_rule_iif(p, false, c->table, c->table, v->home_addr,
			   c->ifname);
	if (rc < 0)
		kernel_err(r, "delete rule from", v->home_addr, rc);
	rc = priv_route(p, false, v->home_addr, 32, r->ifindex, 0, false);
	if (rc < 0)
		kernel_err(r, "delete route", v->home_addr, rc);
	rc = priv_neigh_del(p, r->ifindex, v->home_addr);
	if (rc < 0)
		kernel_err(r, "delete neighbour", v->home_addr, rc);
}

/* ---- sending ---- */

/* To a mobile node: IPv4 + UDP built here, out of the packet socket to
 * its link-layer address (also for a home address of 0: broadcast). */
static void send_to_mn(struct farole *r, const struct mip4_fa_out *o)
{
	uint8_t pkt[20 + 8 + MIP4_FA_MSG_MAX];
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(ETH_P_IP),
				 .sll_ifindex = r->ifindex,
				 .sll_halen = MIP4_MAC_LEN};
	size_t n = 20 + 8 + o->len;

	memcpy(to.sll_addr, o->mac, MIP4_MAC_LEN);
	(void)mip4_ip_put(pkt, sizeof pkt, o->src, o->dst, MIP4_IPPROTO_UDP,
			  64, (uint16_t)mip4d_random32(), false, 8 + o->len);
	memcpy(pkt + 28, o->buf, o->len);
	mip4_udp_put(pkt + 20, o->src, o->dst, o->sport, o->dport, o->len);
	if (sendto(r->pkt_fd, pkt, n, 0, (struct sockaddr *)&to, sizeof to) !=
	    (ssize_t)n) {
		r->c[FA_MN_TX_ERR]++;
		log_rl_warn(&r->rl_reply, "reply to mobile node");
		return;
	}
	r->c[FA_MN_TX]++;
}

/* To a home agent from the care-of address (§3.7.2.2 / RFC 3024). */
static void send_to_ha(struct farole *r, const struct mip4_fa_out *o)
{
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(o->dport),
				 .sin_addr.s_addr = htonl(o->dst)};
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	/* sendmsg wants a mutable buffer: a copy of one datagram */
	uint8_t copy[sizeof o->buf];
	struct iovec iov = {.iov_base = copy, .iov_len = o->len};
	struct msghdr mh = {.msg_name = &to, .msg_namelen = sizeof to,
			    .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof ctl.buf};
	struct cmsghdr *cm;
	struct in_pktinfo pi = {0};

	memcpy(copy, o->buf, o->len);
	memset(&ctl, 0, sizeof ctl);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof pi);
	pi.ipi_spec_dst.s_addr = htonl(o->src);
	memcpy(CMSG_DATA(cm), &pi, sizeof pi);
	if (sendmsg(r->udp_fd, &mh, 0) < 0) {
		r->c[FA_HA_TX_ERR]++;
		log_rl_warn(&r->rl_relay, "relay to home agent");
		return;
	}
	r->c[FA_HA_TX]++;
}

/* Apply one outcome: kernel state first (a reply to a new visitor may
 * need it), then events, then the message. */
static void apply(struct farole *r, const struct mip4_fa_out *o,
		  const char *cause)
{
	json_object *ev;

	switch (o->change) {
	case MIP4_FA_VISITOR_UPDATED:
		if (memcmp(o->old.mac, o->visitor->mac, MIP4_MAC_LEN) != 0 ||
		    o->old.delivery != o->visitor->delivery)
			visitor_install(r, o->visitor);
		break;
	case MIP4_FA_VISITOR_ADDED:
		visitor_install(r, o->visitor);
		ev = json_object_new_object();
		jadd_str(ev, "event", "visitor-added");
		json_object_object_add(ev, "visitor", visitor_json(o->visitor));
		role_event(r->env, ev);
		break;
	case MIP4_FA_VISITOR_REMOVED:
		visitor_uninstall(r, &o->old);
		ev = json_object_new_object();
		jadd_str(ev, "event", "visitor-removed");
		jadd_addr(ev, "home_addr", o->old.home_addr);
		jadd_str(ev, "reason", cause);
		role_event(r->env, ev);
		break;
	default:
		break;
	}
	if (!o->send) {
		if (o->counter >= MIP4_FA_DROP_SOL &&
		    o->counter <= MIP4_FA_DROP_ICMP)
			log_debug("dropped: %s",
				  mip4_fa_counter_name(o->counter));
		return;
	}
	if (o->to_mn && o->code > 1 &&
	    o->counter != MIP4_FA_RELAYED_DENIALS) {
		ev = json_object_new_object();
		jadd_str(ev, "event", "registration-denied");
		jadd_addr(ev, "home_addr", o->dst);
		jadd_int(ev, "code", o->code);
		jadd_str(ev, "reason", mip4_fa_counter_name(o->counter));
		role_event(r->env, ev);
	} else {
		ev = json_object_new_object();
		jadd_str(ev, "event", "registration-relayed");
		jadd_str(ev, "direction", o->to_mn ? "reply" : "request");
		jadd_addr(ev, o->to_mn ? "home_addr" : "home_agent", o->dst);
		if (o->to_mn)
			jadd_int(ev, "code", o->code);
		role_event(r->env, ev);
	}
	if (o->to_mn)
		send_to_mn(r, o);
	else
		send_to_ha(r, o);
}

/* ---- advertisements ---- */

static void advertise(struct farole *r, uint32_t dst)
{
	uint8_t buf[512];
	struct mip4_buf b;
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(dst)};

	mip4_buf_init(&b, buf, sizeof buf);
	if (mip4_fa_advertisement(r->fa, mip4d_now_ms(), &b) < 0) {
		r->c[FA_ADV_TX_ERR]++;
		return;
	}
	if (sendto(r->icmp_fd, buf, b.len, 0, (struct sockaddr *)&to,
		   sizeof to) < 0) {
		r->c[FA_ADV_TX_ERR]++;
		log_rl_warn(&r->rl_adv, "advertisement");
	}
}

static void on_icmp(evutil_socket_t fd, short what, void *arg)
{
	struct farole *r = arg;
	uint8_t buf[FA_BUFSZ];
	struct mip4_ip ip;
	uint32_t dst = 0;
	ssize_t n;

	(void)what;
	while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
		if (mip4_ip_decode(buf, (size_t)n, &ip) != 0 ||
		    ip.proto != IPPROTO_ICMP)
			continue;
		r->c[FA_SOL_RX]++;
		switch (mip4_fa_solicitation(r->fa, mip4d_now_ms(), ip.payload,
					     ip.payload_len, ip.src, &dst)) {
		case MIP4_FA_SOL_UNICAST:
			/* The solicitor may be a visitor's home address we
			 * hold no route for: answer to all systems (RFC
			 * 1256 §5.2 allows it). */
		case MIP4_FA_SOL_MULTICAST:
			advertise(r, FA_MCAST_ALL_SYSTEMS);
			break;
		default: /* deferred: the timer sends it */
			break;
		}
	}
}

/* ---- requests from the link ---- */

static bool for_us(const struct farole *r, uint32_t dst)
{
	return dst == r->cfg.addr || dst == FA_BROADCAST ||
	       dst == FA_MCAST_MOBILE_AGENTS;
}

static void on_pkt(evutil_socket_t fd, short what, void *arg)
{
	struct farole *r = arg;
	struct mip4_fa_out *out = &r->out;
	uint8_t buf[FA_BUFSZ];

	(void)what;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_ll from;
		union {
			char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = {buf, sizeof buf};
		struct msghdr mh = {.msg_name = &from,
				    .msg_namelen = sizeof from,
				    .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = ctl.buf,
				    .msg_controllen = sizeof ctl.buf};
		struct mip4_fa_rx rx = {0};
		struct mip4_udp u;
		struct mip4_ip ip;
		bool csum_known_good = false;
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0)
			break;
		/* A local sender's checksum may still be partial (veth,
		 * offload): the kernel says so in the aux data. */
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm;
		     cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_PACKET &&
			    cm->cmsg_type == PACKET_AUXDATA) {
				struct tpacket_auxdata aux;

				memcpy(&aux, CMSG_DATA(cm), sizeof aux);
				csum_known_good = aux.tp_status &
						  (TP_STATUS_CSUMNOTREADY |
						   TP_STATUS_CSUM_VALID);
			}
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		r->c[FA_LINK_RX]++;
		if ((size_t)n > sizeof buf || from.sll_halen != MIP4_MAC_LEN ||
		    mip4_ip_decode(buf, (size_t)n, &ip) != 0 || !ip.csum_ok ||
		    ip.proto != MIP4_IPPROTO_UDP || mip4_ip_is_fragment(&ip) ||
		    mip4_udp_decode(ip.payload, ip.payload_len, &u) != 0) {
			r->c[FA_LINK_DROP_IP]++;
			continue;
		}
		if (!for_us(r, ip.dst) || u.dport != MIP4_PORT) {
			r->c[FA_LINK_NOT_FOR_US]++;
			continue;
		}
		rx.data = u.payload;
		rx.len = u.payload_len;
		rx.src = ip.src;
		rx.dst = ip.dst;
		rx.sport = u.sport;
		rx.ttl = ip.ttl;
		memcpy(rx.mac, from.sll_addr, MIP4_MAC_LEN);
		rx.csum_bad = !csum_known_good && u.csum != 0 &&
			      mip4_udp_csum(ip.src, ip.dst, ip.payload,
					    u.len) != 0;
		rx.now_ms = mip4d_now_ms();
		mip4_fa_from_mn(r->fa, &rx, out);
		apply(r, out, "deregistered");
	}
}

/* ---- replies from home agents, and ICMP errors ---- */

static void on_udp_errors(struct farole *r, int fd)
{
	struct mip4_fa_out *out = &r->out;
	uint8_t buf[FA_BUFSZ];
	union {
		char buf[512];
		struct cmsghdr align;
	} ctl;

	for (;;) {
		struct sockaddr_in to;
		struct iovec iov = {buf, sizeof buf};
		struct msghdr mh = {.msg_name = &to, .msg_namelen = sizeof to,
				    .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = ctl.buf,
				    .msg_controllen = sizeof ctl.buf};
		ssize_t n = recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);

		if (n < 0)
			return;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm;
		     cm = CMSG_NXTHDR(&mh, cm)) {
			struct sock_extended_err ee;
			uint8_t code = 88;

			if (cm->cmsg_level != IPPROTO_IP ||
			    cm->cmsg_type != IP_RECVERR)
				continue;
			memcpy(&ee, CMSG_DATA(cm), sizeof ee);
			if (ee.ee_origin != SO_EE_ORIGIN_ICMP ||
			    ee.ee_type != ICMP_DEST_UNREACH)
				continue;
			/* §3.7.3 */
			if (ee.ee_code == ICMP_NET_UNREACH)
				code = 80;
			else if (ee.ee_code == ICMP_HOST_UNREACH)
				code = 81;
			else if (ee.ee_code == ICMP_PORT_UNREACH)
				code = 82;
			r->c[FA_ICMP_ERRORS]++;
			mip4_fa_ha_unreachable(r->fa, mip4d_now_ms(), buf,
					       (size_t)n, code, out);
			apply(r, out, "");
		}
	}
}

static void on_udp(evutil_socket_t fd, short what, void *arg)
{
	struct farole *r = arg;
	struct mip4_fa_out *out = &r->out;
	uint8_t buf[FA_BUFSZ];
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;

	(void)what;
	on_udp_errors(r, fd);
	for (int i = 0; i < 64; i++) {
		struct sockaddr_in from;
		struct iovec iov = {buf, sizeof buf};
		struct msghdr mh = {.msg_name = &from,
				    .msg_namelen = sizeof from,
				    .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = ctl.buf,
				    .msg_controllen = sizeof ctl.buf};
		struct mip4_fa_rx rx = {0};
		struct in_pktinfo pi = {0};
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

		if (n < 0)
			break;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm;
		     cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == IPPROTO_IP &&
			    cm->cmsg_type == IP_PKTINFO)
				memcpy(&pi, CMSG_DATA(cm), sizeof pi);
		/* requests from the link: the packet socket has them */
		if (pi.ipi_ifindex == r->ifindex)
			continue;
		if (mh.msg_flags & MSG_TRUNC)
			continue;
		r->c[FA_HA_RX]++;
		rx.data = buf;
		rx.len = (size_t)n;
		rx.src = ntohl(from.sin_addr.s_addr);
		rx.sport = ntohs(from.sin_port);
		rx.dst = ntohl(pi.ipi_addr.s_addr);
		rx.ttl = 64;
		rx.now_ms = mip4d_now_ms();
		mip4_fa_from_ha(r->fa, &rx, out);
		apply(r, out, "deregistered");
	}
}

/* ---- data plane and timers ---- */

static void on_tun(evutil_socket_t fd, short what, void *arg)
{
	struct farole *r = arg;

	(void)fd;
	(void)what;
	(void)fadp_on_tun(r->dp);
}

static void on_raw(evutil_socket_t fd, short what, void *arg)
{
	struct farole *r = arg;

	(void)fd;
	(void)what;
	(void)fadp_on_raw(r->dp);
}

/*
 * A home agent left a relayed request unanswered (78).  It may be down, or
 * it may drop our requests silently: one that shares an FA-HA key with us
 * but names another of our addresses in its foreign-agent entry does (it
 * looks us up by the care-of address we relay from, RFC 5944 §3.7.2.2).
 * Logged once per home agent in a row, shown in status.
 */
static void note_timeout(struct farole *r, const struct mip4_fa_out *o)
{
	if (r->timeout.ha != o->ha || !r->timeout.count) {
		char a[16], c[16];

		log_warnx("home agent %s did not answer a relayed request "
			  "(78 after %u s): if it shares an FA-HA key with us, "
			  "its foreign-agent entry must name our care-of "
			  "address %s",
			  mip4_ntoa(o->ha, a),
			  (r->cfg.pending_timeout_ms ? r->cfg.pending_timeout_ms
						     : MIP4_FA_PENDING_TIMEOUT_MS) /
				  1000,
			  mip4_ntoa(r->cfg.n_coa ? r->cfg.coa[0] : r->cfg.addr, c));
	}
	r->timeout.ha = o->ha;
	r->timeout.home = mip4_get32(o->buf + 4);
	r->timeout.at_ms = mip4d_now_ms();
	r->timeout.count++;
}

static void on_expired(void *ctx, const struct mip4_fa_out *o)
{
	if (o->counter == MIP4_FA_REJ_TIMEOUT)
		note_timeout(ctx, o);
	apply(ctx, o, "expired");
}

/* Every 100 ms: the next advertisement when due; once a second the
 * expiry sweep (entries sit in one-second slots). */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct farole *r = arg;
	uint64_t now = mip4d_now_ms(), next = mip4_fa_next_adv(r->fa);

	(void)fd;
	(void)what;
	if (next && now >= next)
		advertise(r, FA_MCAST_ALL_SYSTEMS);
	if (now >= r->next_sweep_ms) {
		r->next_sweep_ms = now + 1000;
		(void)mip4_fa_expire(r->fa, now, on_expired, r);
	}
}

/* ---- set-up ---- */

static const struct mip4_sa *lookup_mn_sa(void *ctx, uint32_t home,
					  const char *nai, size_t nai_len,
					  uint32_t spi)
{
	struct farole *r = ctx;

	(void)nai;
	(void)nai_len;
	(void)spi;
	return mip4_config_fa_mn_sa(r->env->conf, home);
}

static const struct mip4_sa *lookup_ha_sa(void *ctx, uint32_t ha)
{
	struct farole *r = ctx;

	return mip4_config_fa_ha_sa(r->env->conf, ha);
}

static int icmp_open(struct farole *r, const char *ifname)
{
	struct ip_mreqn mr = {.imr_ifindex = r->ifindex};
	struct icmp_filter filt = {.data = ~(1u << 10)}; /* solicitations */
	int ttl = 1, zero = 0;
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			IPPROTO_ICMP);

	if (fd < 0)
		return -1;
	mr.imr_address.s_addr = htonl(r->cfg.addr);
	/* §2.1: TTL 1; from our address on the link, out of it only */
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname)) < 0 ||
	    setsockopt(fd, SOL_RAW, ICMP_FILTER, &filt, sizeof filt) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof zero) < 0)
		goto fail;
	/* solicitations: all routers (RFC 1256) and mobile agents (§2.4) */
	mr.imr_address.s_addr = 0;
	mr.imr_multiaddr.s_addr = htonl(FA_MCAST_ALL_ROUTERS);
	if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) < 0)
		goto fail;
	mr.imr_multiaddr.s_addr = htonl(FA_MCAST_MOBILE_AGENTS);
	if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* UDP to port 434, unfragmented (offsets from the IP header). */
static int pkt_open(struct farole *r)
{
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MIP4_PORT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {sizeof code / sizeof code[0], code};
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_IP),
				  .sll_ifindex = r->ifindex};
	int one = 1;
	/* protocol 0: nothing arrives before the filter is on */
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
		close(fd);
		return -1;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0) {
		close(fd);
		return -1;
	}
#ifdef PACKET_IGNORE_OUTGOING
	(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
#else
	(void)one;
#endif
	return fd;
}

static int udp_open(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(MIP4_PORT)};
	int one = 1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof one) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct event *watch(struct farole *r, int fd,
			   void (*cb)(evutil_socket_t, short, void *))
{
	struct event *ev = event_new(r->env->base, fd, EV_READ | EV_PERSIST, cb, r);

	if (!ev || event_add(ev, NULL) < 0)
		fatalx("event_add failed");
	return ev;
}

static bool ip_forwarding(void)
{
	char c = '0';
	FILE *f = fopen("/proc/sys/net/ipv4/ip_forward", "re");

	if (f) {
		if (fread(&c, 1, 1, f) != 1)
			c = '0';
		fclose(f);
	}
	return c == '1';
}

/* As root: the link's sockets and the data plane's devices. */
static int fa_open(const struct role_env *env, void **state)
{
	struct mip4_config_farole *c = &env->conf->fa;
	struct nl_ifstate st;
	struct fadp_cfg dc = {0};
	struct farole *r;
	struct nl *nl;
	int rc;

	r = calloc(1, sizeof *r);
	*state = r;
	if (!r)
		return -1;
	r->env = env;
	r->icmp_fd = r->pkt_fd = r->udp_fd = -1;
	r->cfg = c->cfg;
	r->cfg.seed = mip4d_random32();
	rc = nl_open(&nl);
	if (rc < 0) {
		log_warnx("netlink: %s", strerror(-rc));
		return -1;
	}
	r->ifindex = nl_ifindex(c->ifname);
	if (r->ifindex < 0 ||
	    (rc = nl_if_state(nl, r->ifindex, &st)) < 0) {
		log_warnx("foreign-agent interface %s: %s", c->ifname,
			  strerror(r->ifindex < 0 ? -r->ifindex : -rc));
		nl_close(nl);
		return -1;
	}
	nl_close(nl);
	if (!r->cfg.addr)
		r->cfg.addr = st.addr;
	if (!r->cfg.addr) {
		log_warnx("foreign-agent interface %s: no IPv4 address",
			  c->ifname);
		return -1;
	}
	r->cfg.prefix_len = (uint8_t)(st.addr == r->cfg.addr ? st.plen : 32);
	if (!ip_forwarding())
		log_warnx("net.ipv4.ip_forward is 0: visitors' packets will "
			  "not be forwarded");
	r->fa = mip4_fa_new(&r->cfg, lookup_mn_sa, lookup_ha_sa, r);
	if (!r->fa) {
		log_warnx("foreign agent: unusable configuration");
		return -1;
	}
	r->icmp_fd = icmp_open(r, c->ifname);
	if (r->icmp_fd < 0) {
		log_warn("ICMP socket on %s", c->ifname);
		return -1;
	}
	r->pkt_fd = pkt_open(r);
	if (r->pkt_fd < 0) {
		log_warn("packet socket on %s", c->ifname);
		return -1;
	}
	r->udp_fd = udp_open();
	if (r->udp_fd < 0) {
		log_warn("UDP port %d", MIP4_PORT);
		return -1;
	}
	dc.tun_name = c->tunnel_dev;
	dc.mtu = 1500 - 20;
	dc.fa = r->fa;
	dc.link_addr = r->cfg.addr;
	rc = fadp_open(&dc, &r->dp);
	if (rc < 0) {
		log_warnx("data plane (%s): %s", c->tunnel_dev, strerror(-rc));
		return -1;
	}
	return 0;
}

static int fa_start(void *state)
{
	struct farole *r = state;
	const struct mip4_config_farole *c = &r->env->conf->fa;
	struct timeval tick = {0, 100000};
	char nb[16];
	int rc;

	/* RFC 3024 §5.1: visitors' packets (a rule each) into the TUN */
	(void)priv_rule_del(r->env->priv, c->table); /* left by a crash */
	rc = priv_route(r->env->priv, true, 0, 0, fadp_tun_ifindex(r->dp),
			    c->table, false);
	if (rc < 0) {
		log_warnx("route table %u: %s", c->table, strerror(-rc));
		return -1;
	}
	r->ev_icmp = watch(r, r->icmp_fd, on_icmp);
	r->ev_pkt = watch(r, r->pkt_fd, on_pkt);
	r->ev_udp = watch(r, r->udp_fd, on_udp);
	r->ev_tun = watch(r, fadp_tun_fd(r->dp), on_tun);
	r->ev_raw = watch(r, fadp_raw_fd(r->dp), on_raw);
	r->ev_timer = event_new(r->env->base, -1, EV_PERSIST, on_timer, r);
	if (!r->ev_timer || event_add(r->ev_timer, &tick) < 0)
		fatalx("event_add failed");
	r->started = true;
	log_info("foreign agent on %s (%s), %u care-of address(es), tunnel "
		 "device %s",
		 c->ifname, mip4_ntoa(r->cfg.addr, nb), r->cfg.n_coa,
		 c->tunnel_dev);
	return 0;
}

static int uninstall_one(void *ctx, const struct mip4_fa_visitor *v)
{
	visitor_uninstall(ctx, v);
	return 0;
}

static void fa_stop(void *state)
{
	struct farole *r = state;
	struct event *evs[6];

	if (!r)
		return;
	evs[0] = r->ev_icmp;
	evs[1] = r->ev_tun;
	evs[2] = r->ev_pkt;
	evs[3] = r->ev_udp;
	evs[4] = r->ev_raw;
	evs[5] = r->ev_timer;
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		if (evs[i])
			event_free(evs[i]);
	/* Visitors do not survive a restart: they re-register (§3.7). */
	if (r->started) {
		(void)mip4_fa_foreach_visitor(r->fa, uninstall_one, r);
		(void)priv_rule_del(r->env->priv, r->env->conf->fa.table);
	}
	if (r->dp)
		fadp_close(r->dp); /* its routes go with the TUN */
	if (r->icmp_fd >= 0)
		close(r->icmp_fd);
	if (r->pkt_fd >= 0)
		close(r->pkt_fd);
	if (r->udp_fd >= 0)
		close(r->udp_fd);
	mip4_fa_free(r->fa);
	free(r);
}

/* SIGHUP: new timers, limits and keys; interface, addresses and devices
 * stay until a restart. */
static int fa_reload(void *state, struct mip4_config *nc)
{
	struct farole *r = state;
	struct mip4_fa_cfg cfg = nc->fa.cfg;

	if (strcmp(nc->fa.ifname, r->env->conf->fa.ifname) != 0 ||
	    strcmp(nc->fa.tunnel_dev, r->env->conf->fa.tunnel_dev) != 0 ||
	    nc->fa.table != r->env->conf->fa.table ||
	    (cfg.addr && cfg.addr != r->cfg.addr))
		log_warnx("reload: interface, address, route-table and "
			  "tunnel-device changes take effect on restart");
	/* keep what was resolved at start */
	nc->fa.table = r->env->conf->fa.table;
	memcpy(nc->fa.ifname, r->env->conf->fa.ifname, sizeof nc->fa.ifname);
	cfg.addr = r->cfg.addr;
	cfg.prefix_len = r->cfg.prefix_len;
	cfg.seed = r->cfg.seed;
	if (mip4_fa_set_cfg(r->fa, &cfg) < 0)
		return -1;
	r->cfg = cfg;
	return 0;
}

/* ---- control socket ---- */

static json_object *fa_status(void *state)
{
	struct farole *r = state;
	json_object *o = json_object_new_object();
	json_object *coa = json_object_new_array();
	char nb[16];

	jadd_str(o, "interface", r->env->conf->fa.ifname);
	jadd_addr(o, "address", r->cfg.addr);
	for (unsigned i = 0; i < r->cfg.n_coa; i++)
		json_object_array_add(
			coa, json_object_new_string(mip4_ntoa(r->cfg.coa[i], nb)));
	json_object_object_add(o, "care_of_addresses", coa);
	jadd_str(o, "tunnel_device", r->env->conf->fa.tunnel_dev);
	jadd_str(o, "reverse_tunnel", r->cfg.reverse_tunnel_required ? "required"
				     : r->cfg.reverse_tunnel	    ? "yes"
								    : "no");
	jadd_int(o, "advertisement_seq", mip4_fa_adv_seq(r->fa));
	jadd_int(o, "visitors", (int64_t)mip4_fa_visitor_count(r->fa));
	jadd_int(o, "pending", (int64_t)mip4_fa_pending_count(r->fa));
	if (r->timeout.count) {
		json_object *t = json_object_new_object();

		jadd_int(t, "count", (int64_t)r->timeout.count);
		jadd_addr(t, "home_agent", r->timeout.ha);
		jadd_addr(t, "home_addr", r->timeout.home);
		jadd_int(t, "seconds_ago",
			 (int64_t)((mip4d_now_ms() - r->timeout.at_ms) / 1000));
		jadd_str(t, "reason",
			 "the home agent sent no reply; one that shares an "
			 "FA-HA key with us drops requests from a care-of "
			 "address its foreign-agent entry does not name");
		json_object_object_add(o, "last_timeout_78", t);
	}
	return o;
}

/* A step of `mip4ctl visitors`. */
struct visitor_page {
	const struct list_filter *f;
	json_object *out;
};

static void visitor_page_add(void *ctx, const struct mip4_fa_visitor *v)
{
	struct visitor_page *pg = ctx;

	if (list_filter_home(pg->f, v->home_addr) &&
	    list_filter_coa(pg->f, v->coa) &&
	    list_filter_nai(pg->f, v->nai[0] ? v->nai : NULL))
		json_object_array_add(pg->out, visitor_json(v));
}

static int fa_list_page(void *state, const char *what,
			const struct list_filter *f, uint64_t *cursor,
			size_t max, json_object *out)
{
	struct farole *r = state;
	struct visitor_page pg = {f, out};

	if (strcmp(what, "visitors") != 0)
		return -1;
	return mip4_fa_visitor_walk(r->fa, cursor, max, visitor_page_add, &pg);
}

static void fa_counters(void *state, json_object *out)
{
	struct farole *r = state;
	json_object *fa = json_object_new_object();
	json_object *codes = json_object_new_object();
	json_object *dpo = json_object_new_object();
	const uint64_t *c = mip4_fa_counters(r->fa);
	const uint64_t *rc = mip4_fa_reply_codes(r->fa);
	const struct fadp_stats *s = fadp_stats(r->dp);

	for (int i = 0; i < MIP4_FA_NCOUNTERS; i++)
		jadd_int(fa, mip4_fa_counter_name((enum mip4_fa_counter)i),
			(int64_t)c[i]);
	for (int i = 0; i < FA_NDCOUNTERS; i++)
		jadd_int(fa, fa_dcounter_names[i], (int64_t)r->c[i]);
	for (int i = 0; i < 256; i++)
		if (rc[i]) {
			char k[4];

			snprintf(k, sizeof k, "%d", i);
			jadd_int(codes, k, (int64_t)rc[i]);
		}
	json_object_object_add(fa, "reply-codes", codes);
	jadd_int(dpo, "tun-rx", (int64_t)s->tun_rx);
	jadd_int(dpo, "tun-tx", (int64_t)s->tun_tx);
	jadd_int(dpo, "encap-tx", (int64_t)s->encap_tx);
	jadd_int(dpo, "decap-rx", (int64_t)s->decap_rx);
	jadd_int(dpo, "drop-no-visitor", (int64_t)s->drop_no_visitor);
	jadd_int(dpo, "drop-spoofed", (int64_t)s->drop_spoofed);
	jadd_int(dpo, "drop-not-reverse", (int64_t)s->drop_not_reverse);
	jadd_int(dpo, "drop-malformed", (int64_t)s->drop_malformed);
	jadd_int(dpo, "drop-not-ours", (int64_t)s->drop_not_ours);
	jadd_int(dpo, "drop-send-error", (int64_t)s->drop_send_error);
	json_object_object_add(out, "foreign-agent", fa);
	json_object_object_add(out, "fa-dataplane", dpo);
}

static bool fa_wanted(const struct mip4_config *c)
{
	return c->have_fa;
}

/* Visitors: host routes and neighbour entries on the link, the reverse
 * tunnel's table (into the TUN) and its rules from the link. */
static void fa_allow(const struct mip4_config *c, struct priv_policy *pol)
{
	const struct mip4_config_farole *f = &c->fa;

	pol_dev(pol, f->ifname);
	pol_dev(pol, f->tunnel_dev);
	pol_route(pol, 0, 0, 32, 32, f->ifname);
	pol_table(pol, f->table);
	pol_prio(pol, f->table);
	pol->neigh = true;
}

const struct role_ops farole_ops = {
	.name = "foreign-agent",
	.key = "foreign_agent",
	.wanted = fa_wanted,
	.open = fa_open,
	.start = fa_start,
	.stop = fa_stop,
	.reload = fa_reload,
	.tick = NULL,
	.status = fa_status,
	.counters = fa_counters,
	.allow = fa_allow,
	.list_page = fa_list_page,
};
