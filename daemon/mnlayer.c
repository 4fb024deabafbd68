/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The mobile node role (RFC 5944 §2.4, §3.6, §4.2.1; modes c and f).
 *
 * The home address lives on a TUN device for good, so sockets bound to it
 * survive every move.  Away from home, policy routing sends the chosen
 * traffic into the TUN while the tunnel's own packets, marked, follow the
 * main table out of the physical interface:
 *
 *   pref 1000  fwmark MN_MARK  lookup main         (our outer packets)
 *   pref 1001  lookup main suppress_prefixlength 0 (the local link)
 *   pref 1002  lookup MN_TABLE                     (default dev mip0 src HoA)
 *
 * At home the last two go away and the node is an ordinary host.  Movement
 * is what rtnetlink says about the configured interfaces (carrier and the
 * address the OS's own DHCP client put there) and what agent discovery
 * (lib/agent.c, RFC 5944 §2.4) hears on them.
 *
 * Agent discovery: one AF_PACKET socket per configured interface with a
 * kernel filter that passes only ICMP type 9 (so echo and everything else
 * stays in the kernel); a packet socket because the node needs the
 * agent's link-layer source (§3.6.1.1: requests go to that MAC; §4.2.1:
 * no broadcast ARP away from home) and hears advertisements on a link
 * where it has no address.  Solicitations (type 10) leave on the same
 * socket to 224.0.0.2 (all routers, RFC 1256) with TTL 1, from the home
 * address (0.0.0.0 before an NAI assignment).
 *
 * Which attachment (per interface, the first configured one that has any):
 *   home  our HA advertising H there, or an address inside home-network
 *   f     a foreign agent (F, care-of address, not busy unless already
 *         used) when its R bit is set, or with prefer-fa, or the link has no
 *         usable co-located address
 *   c     the co-located (DHCP) address
 * (mip4_agent_choose(); a `prefer-fa` option needs config.c.)
 *
 * Mode f: no co-located address.  The FA gets a permanent neighbour entry
 * from its advertisement and a host route in main (FA/32 dev IF src HoA),
 * which the marked registration socket (rule 1000) uses; requests go from
 * the home address with TTL 255 (RFC 3024 §4.2.1).  Rules 1001/1002 as
 * away; table MN_TABLE sends the chosen traffic into the (gated) TUN until
 * the FA relays an acceptance, then "via FA dev IF onlink src HoA": the FA
 * is the first hop (§4.2.1) and does the tunnelling (RFC 3024 direct
 * delivery), so the data plane stays MNDP_OFF.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <event2/event.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "garp.h"
#include "json.h"
#include "log.h"
#include "mip4/agent.h"
#include "mip4/ip.h"
#include "priv.h"
#include "role.h"
#include "mn.h"
#include "mnlayer.h"
#include "nl.h"

#define RX_BATCH 32
#define FRAME_BUFSZ 2048 /* one link frame (advertisements) */
#define REQ_TTL_FA 255	   /* RFC 3024 §4.2.1 */
#define INADDR_ALLRTRS 0xe0000002u /* 224.0.0.2 */

struct mnlayer {
	const struct role_env *env;
	const struct mip4_config_mnrole *c;
	struct mnlayer_params p;
	uint32_t mark_table; /* where marked packets look (0 main) */
	/* what the interfaces offer, and what we use: the scan, or what the
	 * RFC 5265 layer above decided (mnlayer_attach) */
	struct mip4_mn_attach scan;
	int scan_if;
	uint32_t scan_gw;
	uint8_t scan_mac[6]; /* the FA's, when the scan offers one */
	bool scanned;
	bool override;
	struct mip4_mn_attach ov;
	bool gate; /* hold user data back (RFC 5265 §3.2.2) */
	struct mip4_mn mn;
	struct mndp *dp;
	struct nl *nl;
	int mon_fd;
	int udp_fd;
	int ifindex[MIP4_CONFIG_MN_IFACES];
	struct event *ev_udp, *ev_tun, *ev_raw, *ev_mon, *ev_timer, *ev_ka;
	enum mip4_mn_where where;
	uint32_t coa;
	int cur_if; /* index into ifindex[], -1 none */
	bool away_routes;
	uint64_t moves;
	uint64_t moved_ms; /* when the current attachment was seen */
	uint64_t route_errors;
	/* agent discovery */
	struct mip4_agent ag;
	int pkt_fd; /* advertisements in, solicitations out: every link */
	struct event *ev_pkt;
	struct event *ev_agent;
	uint64_t sol_sent, sol_err, adv_drop;
	/* mode f: the agent we attach through */
	uint32_t fa_addr;
	int fa_ifindex;
	uint8_t fa_mac[6];
	bool fa_link;	  /* neighbour entry and FA/32 route installed */
	uint32_t via_fa;  /* MN_TABLE routes via this FA (0: into the TUN) */
	uint32_t home_gw; /* at home by advertisement: link routes on */
	int home_ifindex;
	bool started;
	/* RFC 3519 keepalives, RFC 5944 §4.6 gratuitous ARP repeats */
	struct mip4_mn_ka ka;
	uint64_t ka_lost;
	struct garp_queue garp;
	struct event *ev_garp;
	uint64_t garp_tx;
	struct log_rl rl_send; /* per-packet messages (log.h) */
	/* this instance's receive buffers (the RFC 5265 node runs two
	 * layers: none of it is shared) */
	uint8_t (*rx_buf)[MIP4_MSG_MAX]; /* RX_BATCH of them */
	struct sockaddr_in rx_from[RX_BATCH];
};

static void evaluate(struct mnlayer *r);

static struct mip4_mn_now now(void)
{
	return mnlayer_now();
}

struct mip4_mn_now mnlayer_now(void)
{
	struct mip4_mn_now n = {mip4d_now_ms(), mip4d_now_ntp(),
				mip4d_random32()};

	return n;
}

static void route_err(struct mnlayer *r, const char *what, int rc)
{
	if (rc < 0) {
		r->route_errors++;
		r->env->counters[D_ROUTE_ERR]++;
		log_warnx("mobile node%s: %s: %s", r->p.tag, what,
			  strerror(-rc));
	}
}

/* A registration request from o->src (IP_PKTINFO); to a foreign agent
 * with TTL 255 (RFC 3024 §4.2.1).  0 or -1 with errno. */
int mnlayer_send_request(int fd, struct mip4_mn_out *o, bool to_fa)
{
	struct sockaddr_in to = {.sin_family = AF_INET};
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo)) +
			 CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	int ttl = REQ_TTL_FA;
	struct iovec iov = {o->buf, o->len};
	struct msghdr mh = {0};
	struct cmsghdr *cm;
	struct in_pktinfo pi = {0};

	to.sin_addr.s_addr = htonl(o->dst);
	to.sin_port = htons(o->dport);
	memset(&ctl, 0, sizeof ctl);
	mh.msg_name = &to;
	mh.msg_namelen = sizeof to;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof ctl.buf;
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof pi);
	pi.ipi_spec_dst.s_addr = htonl(o->src);
	memcpy(CMSG_DATA(cm), &pi, sizeof pi);
	if (to_fa) {
		cm = CMSG_NXTHDR(&mh, cm);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_TTL;
		cm->cmsg_len = CMSG_LEN(sizeof ttl);
		memcpy(CMSG_DATA(cm), &ttl, sizeof ttl);
	} else {
		mh.msg_controllen = CMSG_SPACE(sizeof pi);
	}
	return sendmsg(fd, &mh, 0) < 0 ? -1 : 0;
}

/* Send what the state machine asked for, from its source address. */
/* RFC 5944 §4.6: a gratuitous ARP for our home address on the link we
 * are on, repeated from the GARP timer. */
static void garp_home(struct mnlayer *r)
{
	int ifindex;

	if (r->p.layer || r->cur_if < 0) /* RFC 5265 layers: no home link */
		return;
	ifindex = r->ifindex[r->cur_if];
	if (priv_garp(r->env->priv, ifindex, r->mn.home_addr, NULL, false) < 0) {
		log_warnx("mobile node: gratuitous ARP failed");
		return;
	}
	r->garp_tx++;
	garp_queue_add(&r->garp, ifindex, r->mn.home_addr, false,
		       mip4d_now_ms() + GARP_INTERVAL_MS, GARP_SENDS - 1);
	mip4d_timer_at(r->ev_garp, garp_queue_next(&r->garp));
}

static void on_garp(evutil_socket_t fd, short what, void *arg)
{
	struct mnlayer *r = arg;
	struct garp_entry due[4];
	size_t n;

	(void)fd;
	(void)what;
	n = garp_queue_due(&r->garp, mip4d_now_ms(), due, 4);
	for (size_t i = 0; i < n; i++)
		if (priv_garp(r->env->priv, due[i].ifindex, due[i].addr, NULL, false) == 0)
			r->garp_tx++;
	mip4d_timer_at(r->ev_garp, garp_queue_next(&r->garp));
}

static void send_out(struct mnlayer *r, struct mip4_mn_out *o)
{
	if (!o->send)
		return;
	/* home again: announce the address before the deregistration */
	if (o->garp)
		garp_home(r);
	if (mnlayer_send_request(r->udp_fd, o,
				r->where == MIP4_MN_VIA_FA &&
					o->dst == r->fa_addr) < 0) {
		r->env->counters[D_UDP_TX_ERR]++;
		log_rl_warn(&r->rl_send, "mobile node%s: send registration",
			    r->p.tag);
		return;
	}
	r->env->counters[D_UDP_TX]++;
}

/* RFC 3519 keepalives while the binding is UDP-tunnelled; a new
 * registration (fresh) starts them over. */
static void keepalive_timer(struct mnlayer *r, bool fresh)
{
	if (!r->mn.registered || !r->mn.udp) {
		r->ka.interval_ms = 0;
		event_del(r->ev_ka);
		return;
	}
	if (fresh || !r->ka.interval_ms)
		mip4_mn_ka_start(&r->ka,
				 (r->mn.keepalive ? r->mn.keepalive
						  : MIP4_CONFIG_DEF_KEEPALIVE) *
					 1000u,
				 mip4d_now_ms());
	mip4d_timer_at(r->ev_ka, r->ka.due_ms);
}

/* r->p.table's routes: into the TUN (gw 0), or via a foreign agent. */
static void table_routes(struct mnlayer *r, uint32_t gw, int ifindex)
{
	const struct mip4_config_mnrole *c = r->c;
	int tif = mndp_tun_ifindex(r->dp);
	uint32_t home = r->mn.home_addr;

	for (unsigned i = 0; i <= c->n_routes; i++) {
		uint32_t net = 0;
		int plen = 0;

		if (i == c->n_routes) {
			if (!c->route_all)
				break;
		} else {
			net = c->routes[i].net;
			plen = (int)__builtin_popcount(c->routes[i].mask);
		}
		/* p.mtu: the path MTU of the layers around us stays the
		 * same at every attachment, so TCP sessions keep their MSS
		 * when they move from an FA to a tunnel (RFC 5265 i-MIP) */
		if (gw)
			route_err(r, "route via the foreign agent",
				  priv_route_add_via(r->env->priv, net, plen, gw,
						       ifindex, home, r->p.table,
						       r->p.mtu));
		else
			route_err(r, "route into the tunnel",
				  priv_route_add_src(r->env->priv, net, plen, tif, home,
						   r->p.table));
	}
	if (r->p.exclude)
		route_err(r, "unreachable route to the excluded address",
			  priv_route_unreachable(r->env->priv, r->p.exclude, 32,
						 r->p.table));
}

/* Point the data plane at the registration we hold (or gate it). */
static void tunnel_follow(struct mnlayer *r, bool fresh)
{
	const struct mip4_config_mnrole *c = r->c;
	bool held = r->mn.registered && r->mn.reg_coa == r->coa && !r->gate;
	uint32_t via = 0;

	/* Only the binding for where we are now: never tunnel from a care-of
	 * address we have left.  Via an FA the FA tunnels (RFC 3024 direct
	 * delivery): our data plane stays off. */
	if (r->where == MIP4_MN_COLOCATED && held)
		mndp_set_tunnel(r->dp, r->mn.udp ? MNDP_UDP : MNDP_IPIP,
				r->mn.reg_coa, c->cfg.ha_addr);
	else
		mndp_set_tunnel(r->dp, MNDP_OFF, 0, 0);
	/* Mode f: traffic goes to the FA once it relayed an acceptance;
	 * before that into the gated TUN. */
	if (r->where == MIP4_MN_VIA_FA && held && r->away_routes)
		via = r->fa_addr;
	if (r->away_routes && via != r->via_fa) {
		table_routes(r, via, r->fa_ifindex);
		r->via_fa = via;
	}
	keepalive_timer(r, fresh);
}

static void arm_timer(struct mnlayer *r)
{
	mip4d_timer_at(r->ev_timer, r->mn.deadline_ms);
}

/* Events from one state machine call, then send, then timers. */
static void handle(struct mnlayer *r, struct mip4_mn_out *o)
{
	bool fresh = false;

	for (unsigned i = 0; i < o->n_ev; i++) {
		json_object *ev = json_object_new_object();
		enum mip4_mn_event e = o->ev[i].ev;

		jadd_str(ev, "event", mip4_mn_event_str(e));
		if (r->p.layer)
			jadd_str(ev, "layer", r->p.layer);
		jadd_str(ev, "mode", mip4_mn_where_str(r->where));
		jadd_addr(ev, "home_addr", r->mn.home_addr);
		if (e == MIP4_MN_EV_REGISTERED) {
			jadd_addr(ev, "coa", r->mn.reg_coa);
			jadd_int(ev, "lifetime", r->mn.granted);
			if (r->where == MIP4_MN_VIA_FA) {
				jadd_addr(ev, "agent", r->fa_addr);
				jadd_str(ev, "encap", "fa");
			} else {
				jadd_str(ev, "encap", r->mn.udp ? "udp" : "ipip");
			}
			jadd_int(ev, "since_move_ms",
				(int64_t)(mip4d_now_ms() - r->moved_ms));
		}
		fresh |= e == MIP4_MN_EV_REGISTERED;
		if (e == MIP4_MN_EV_DENIED || e == MIP4_MN_EV_RESYNC) {
			jadd_int(ev, "code", o->ev[i].code);
			jadd_str(ev, "reason", mip4_code_str(o->ev[i].code));
		}
		role_event(r->env, ev);
	}
	send_out(r, o);
	if (o->n_ev)
		tunnel_follow(r, fresh);
	arm_timer(r);
	if (o->n_ev && r->p.notify)
		r->p.notify(r->p.ctx, r, MNLAYER_REG);
}

/* Policy routing for being away (see the comment at the top). */
static void routes_away(struct mnlayer *r, bool on)
{
	if (on == r->away_routes)
		return;
	if (on) {
		table_routes(r, 0, 0);
		r->via_fa = 0;
		if (r->p.pref_local)
			route_err(r, "rule (local link)",
				  priv_rule_add(r->env->priv, r->p.pref_local,
					      RT_TABLE_MAIN, 0, 0));
		route_err(r, "rule (tunnel table)",
			  r->p.from_home
				  ? priv_rule_add_from(r->env->priv, r->p.pref_table,
						     r->p.table, r->mn.home_addr)
				  : priv_rule_add(r->env->priv, r->p.pref_table,
						r->p.table, 0, -1));
	} else {
		route_err(r, "rule del", priv_rule_del(r->env->priv, r->p.pref_table));
		if (r->p.pref_local)
			route_err(r, "rule del",
				  priv_rule_del(r->env->priv, r->p.pref_local));
		route_err(r, "flush tunnel table",
			  priv_route_flush(r->env->priv, r->p.table));
		r->via_fa = 0;
	}
	r->away_routes = on;
}

/* Mode f: the FA's neighbour entry (MAC from its advertisement) and a
 * host route to it from the home address, in main (the marked
 * registration socket looks there).  addr 0 takes them away. */
static void fa_link(struct mnlayer *r, int ifindex, uint32_t addr,
		    const uint8_t mac[6])
{
	if (r->fa_link && (addr != r->fa_addr || ifindex != r->fa_ifindex ||
			   (mac && memcmp(mac, r->fa_mac, 6) != 0))) {
		route_err(r, "route to the foreign agent (del)",
			  priv_route(r->env->priv, false, r->fa_addr, 32, r->fa_ifindex, 0, false));
		route_err(r, "foreign agent neighbour (del)",
			  priv_neigh_del(r->env->priv, r->fa_ifindex, r->fa_addr));
		r->fa_link = false;
	}
	if (!addr || r->fa_link)
		return;
	route_err(r, "foreign agent neighbour",
		  priv_neigh_add(r->env->priv, ifindex, addr, mac));
	route_err(r, "route to the foreign agent",
		  priv_route_add_src(r->env->priv, addr, 32, ifindex, r->mn.home_addr, 0));
	r->fa_link = true;
	r->fa_ifindex = ifindex;
	memcpy(r->fa_mac, mac, 6);
}

/* At home by our HA's advertisement alone (no address of the home network
 * on the link): the home network on-link from the home address, and the
 * advertised router as default.  ifindex 0 takes them away. */
static void home_link(struct mnlayer *r, int ifindex, uint32_t gw)
{
	const struct mip4_config_mnrole *c = r->c;
	int plen = (int)__builtin_popcount(c->home_net.mask);

	if (r->home_ifindex && (ifindex != r->home_ifindex || gw != r->home_gw)) {
		if (r->home_gw)
			route_err(r, "home default (del)",
				  priv_route(r->env->priv, false, 0, 0, r->home_ifindex, 0, false));
		route_err(r, "home network route (del)",
			  priv_route(r->env->priv, false, c->home_net.net, plen,
				       r->home_ifindex, 0, false));
		r->home_ifindex = 0;
		r->home_gw = 0;
	}
	if (!ifindex || r->home_ifindex || !c->home_net.mask)
		return;
	route_err(r, "home network route",
		  priv_route_add_src(r->env->priv, c->home_net.net, plen, ifindex,
				   r->mn.home_addr, 0));
	if (gw)
		route_err(r, "home default",
			  priv_route_add_via(r->env->priv, 0, 0, gw, ifindex,
					     r->mn.home_addr, 0, 0));
	r->home_ifindex = ifindex;
	r->home_gw = gw;
}

/* ---- agent discovery ---- */

static struct mip4_agent_now agent_now(void)
{
	struct mip4_agent_now n = {mip4d_now_ms(), mip4d_random32()};

	return n;
}

static void agent_arm(struct mnlayer *r)
{
	mip4d_timer_at(r->ev_agent, mip4_agent_deadline(&r->ag));
}

static int if_slot(const struct mnlayer *r, int ifindex)
{
	for (unsigned i = 0; i < r->c->n_if; i++)
		if (r->ifindex[i] == ifindex)
			return (int)i;
	return -1;
}

/* ICMP type 10 to 224.0.0.2, TTL 1 (RFC 5944 §2.2).  From the home
 * address only on the home link: on a foreign one the home address must
 * not show (RFC 5944 §4.6), so from 0.0.0.0 (RFC 1256 §5.1), as before the
 * HA assigned one. */
static void solicit(struct mnlayer *r, int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = ifindex,
		.sll_halen = 6,
		.sll_addr = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x02},
	};
	uint8_t pkt[28];
	struct mip4_buf b;
	int i = if_slot(r, ifindex);

	if (i < 0 || r->pkt_fd < 0)
		return;
	mip4_buf_init(&b, pkt + 20, sizeof pkt - 20);
	mip4_sol_put(&b);
	bool on_home_link = r->where == MIP4_MN_AT_HOME && r->cur_if == i;

	(void)mip4_ip_put(pkt, sizeof pkt,
			  r->p.anon_solicit || !on_home_link ? 0 : r->mn.home_addr,
			  INADDR_ALLRTRS,
			  MIP4_IPPROTO_ICMP, 1, (uint16_t)mip4d_random32(), false,
			  b.len);
	if (sendto(r->pkt_fd, pkt, 20 + b.len, 0,
		   (const struct sockaddr *)&sll, sizeof sll) < 0) {
		r->sol_err++;
		log_warn("mobile node: agent solicitation on %s",
			 r->c->ifname[i]);
		return;
	}
	r->sol_sent++;
}

static void agent_event(struct mnlayer *r, const char *name, int ifindex,
			uint32_t agent)
{
	json_object *ev = json_object_new_object();
	int i = if_slot(r, ifindex);

	jadd_str(ev, "event", name);
	if (agent)
		jadd_addr(ev, "agent", agent);
	if (i >= 0)
		jadd_str(ev, "interface", r->c->ifname[i]);
	role_event(r->env, ev);
}

/* What the agent table said.  Returns true when the attachment may have
 * changed (the caller re-evaluates); re-registers after an FA reboot. */
static bool agent_events(struct mnlayer *r, const struct mip4_agent_out *o)
{
	bool changed = false;

	for (unsigned i = 0; i < o->n; i++) {
		switch (o->ev[i].ev) {
		case MIP4_AGENT_EV_SOLICIT:
			solicit(r, o->ev[i].ifindex);
			break;
		case MIP4_AGENT_EV_LOST:
			agent_event(r, "agent-lost", o->ev[i].ifindex,
				    o->ev[i].agent);
			changed = true;
			break;
		case MIP4_AGENT_EV_BUSY:
			agent_event(r, "agent-busy", o->ev[i].ifindex,
				    o->ev[i].agent);
			changed = true;
			break;
		case MIP4_AGENT_EV_REBOOTED:
			agent_event(r, "agent-rebooted", o->ev[i].ifindex,
				    o->ev[i].agent);
			/* §2.4.4: it forgot us; register again */
			if (r->where == MIP4_MN_VIA_FA &&
			    o->ev[i].agent == r->fa_addr) {
				struct mip4_mn_now n = now();
				struct mip4_mn_out out;
				struct mip4_mn_attach at = r->mn.at;

				mip4_mn_attach(&r->mn, &n, &at, &out);
				handle(r, &out);
			}
			break;
		default:
			changed = true;
			break;
		}
	}
	return changed;
}

static void on_agent_timer(evutil_socket_t fd, short what, void *arg)
{
	struct mnlayer *r = arg;
	struct mip4_agent_now n = agent_now();
	struct mip4_agent_out out;

	(void)fd;
	(void)what;
	mip4_agent_timer(&r->ag, &n, &out);
	if (agent_events(r, &out))
		evaluate(r);
	agent_arm(r);
}

/* Advertisements: ICMP 9 to all systems, broadcast or us, checksum right. */
static void on_pkt(evutil_socket_t fd, short what, void *arg)
{
	struct mnlayer *r = arg;
	bool changed = false;

	(void)what;
	for (int k = 0; k < RX_BATCH; k++) {
		uint8_t buf[FRAME_BUFSZ];
		struct sockaddr_ll from = {0};
		socklen_t fl = sizeof from;
		ssize_t len = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT,
				       (struct sockaddr *)&from, &fl);
		struct mip4_ip ip;
		struct mip4_adv adv;
		struct mip4_agent_now n;
		struct mip4_agent_out out;

		if (len < 0)
			break;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (mip4_ip_decode(buf, (size_t)len, &ip) != MIP4_IP_OK ||
		    ip.proto != MIP4_IPPROTO_ICMP || mip4_ip_is_fragment(&ip) ||
		    !ip.csum_ok || mip4_inet_csum(ip.payload, ip.payload_len) ||
		    (ip.dst != 0xe0000001u && ip.dst != 0xffffffffu &&
		     ip.dst != r->mn.home_addr) ||
		    mip4_adv_decode(ip.payload, ip.payload_len, &adv) != MIP4_OK) {
			r->adv_drop++;
			continue;
		}
		n = agent_now();
		mip4_agent_input(&r->ag, &n, from.sll_ifindex, ip.src,
				 from.sll_halen == 6 ? from.sll_addr : NULL,
				 &adv, &out);
		changed |= agent_events(r, &out);
	}
	if (changed)
		evaluate(r);
	agent_arm(r);
}

/* A packet socket on every interface (ifindex 0) that passes only
 * unfragmented ICMP type 9 (classic BPF in the kernel); what comes from a
 * link we do not watch is counted and dropped by lib/agent.c.  One socket
 * opened at start, so that links that appear later need no privilege. */
static int pkt_open(int ifindex)
{
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),	/* protocol */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 5),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),	/* fragment */
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, 3, 0),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0), /* x = ihl * 4 */
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),	/* ICMP type */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MIP4_ICMP_ADV, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
	};
	struct sock_fprog prog = {sizeof code / sizeof code[0], code};
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_IP),
				  .sll_ifindex = ifindex};
	int one = 1;
	/* protocol 0 until filtered and bound: nothing queues meanwhile */
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
			 sizeof one);
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* What do the interfaces offer?  The first configured interface that has
 * an attachment decides (policy at the top of the file). */
static int scan(struct mnlayer *r, struct mip4_mn_attach *at,
		const struct mip4_agent_entry **agent, bool *home_by_adv,
		uint32_t *gateway)
{
	const struct mip4_config_mnrole *c = r->c;
	struct mip4_agent_now an = agent_now();
	int which = -1;

	memset(at, 0, sizeof *at);
	at->where = MIP4_MN_DETACHED;
	*agent = NULL;
	*home_by_adv = false;
	*gateway = 0;
	for (unsigned i = 0; i < c->n_if; i++) {
		struct nl_ifstate st;
		struct mip4_agent_out ao;
		const struct mip4_agent_entry *cur;
		bool up, colocated, home_here;

		if (r->ifindex[i] <= 0) {
			r->ifindex[i] = nl_ifindex(c->ifname[i]);
			if (r->ifindex[i] <= 0)
				continue;
		}
		memset(&st, 0, sizeof st);
		up = nl_if_state(r->nl, r->ifindex[i], &st) >= 0 && st.up &&
		     st.running;
		/* A co-located address is usable once the main table reaches
		 * the home agent through it: a DHCP client adds the address
		 * before the default route, and a request sent in between
		 * would be lost. */
		colocated = up && st.addr &&
			    (st.gateway ||
			     ((st.addr ^ c->cfg.ha_addr) &
			      (st.plen ? ~0u << (32 - st.plen) : 0)) == 0);
		home_here = up && st.addr &&
			    (st.addr == c->cfg.home_addr ||
			     (c->home_net.mask &&
			      (st.addr & c->home_net.mask) == c->home_net.net));
		/* home_here: our address is there, not a care-of address */
		if (mip4_agent_link(&r->ag, &an, r->ifindex[i], up,
				    colocated && !home_here, &ao) == 0)
			(void)agent_events(r, &ao);
		if (!up || which >= 0)
			continue;
		cur = mip4_agent_current(&r->ag, r->ifindex[i]);
		switch (mip4_agent_choose(cur, home_here, colocated, c->prefer_fa)) {
		case MIP4_AGENT_CHOOSE_HOME:
			at->where = MIP4_MN_AT_HOME;
			at->coa = home_here ? st.addr : c->cfg.home_addr;
			*home_by_adv = !home_here;
			*agent = home_here ? NULL : cur;
			break;
		case MIP4_AGENT_CHOOSE_FA:
			at->where = MIP4_MN_VIA_FA;
			at->coa = cur->coa[0];
			at->fa_addr = cur->addr;
			/* ask only for what the FA offers (§2.1.1) */
			at->no_reverse = !(cur->flags & MIP4_ADV_T);
			at->max_lifetime = cur->reg_lifetime;
			*agent = cur;
			break;
		case MIP4_AGENT_CHOOSE_COLOCATED:
			at->where = MIP4_MN_COLOCATED;
			at->coa = st.addr;
			break;
		default:
			continue;
		}
		*gateway = st.gateway;
		which = (int)i;
	}
	agent_arm(r);
	return which;
}

static void moved_event(struct mnlayer *r, const struct mip4_mn_attach *at,
			const struct mip4_agent_entry *agent, int which)
{
	json_object *ev = json_object_new_object();

	jadd_str(ev, "event", "moved");
	if (r->p.layer)
		jadd_str(ev, "layer", r->p.layer);
	jadd_str(ev, "from", mip4_mn_where_str(r->where));
	jadd_str(ev, "to", mip4_mn_where_str(at->where));
	if (at->where == MIP4_MN_COLOCATED || at->where == MIP4_MN_VIA_FA)
		jadd_addr(ev, "coa", at->coa);
	if (agent) {
		char fl[8];
		int k = 0;

		jadd_addr(ev, "agent", agent->addr);
		if (agent->flags & MIP4_ADV_R)
			fl[k++] = 'R';
		if (agent->flags & MIP4_ADV_B)
			fl[k++] = 'B';
		if (agent->flags & MIP4_ADV_H)
			fl[k++] = 'H';
		if (agent->flags & MIP4_ADV_F)
			fl[k++] = 'F';
		if (agent->flags & MIP4_ADV_T)
			fl[k++] = 'T';
		fl[k] = 0;
		jadd_str(ev, "agent_flags", fl);
	}
	if (which >= 0)
		jadd_str(ev, "interface", r->c->ifname[which]);
	role_event(r->env, ev);
}

/* Scan; then register from the scan, or from what mnlayer_attach set. */
static void evaluate(struct mnlayer *r)
{
	const struct mip4_config_mnrole *c = r->c;
	struct mip4_mn_attach at;
	const struct mip4_agent_entry *agent = NULL;
	struct mip4_mn_now n;
	struct mip4_mn_out out;
	bool home_by_adv = false;
	uint32_t gw = 0;
	int which = scan(r, &at, &agent, &home_by_adv, &gw);

	if (!r->scanned || at.where != r->scan.where || at.coa != r->scan.coa ||
	    at.fa_addr != r->scan.fa_addr || which != r->scan_if ||
	    gw != r->scan_gw) {
		r->scan = at;
		r->scan_if = which;
		r->scan_gw = gw;
		if (at.where == MIP4_MN_VIA_FA && agent)
			memcpy(r->scan_mac, agent->mac, 6);
		else
			memset(r->scan_mac, 0, 6);
		r->scanned = true;
		if (r->p.notify)
			r->p.notify(r->p.ctx, r, MNLAYER_SCAN);
	}
	if (r->override) {
		at = r->ov;
		/* the interfaces still say how to reach an FA we use */
		if (at.where != MIP4_MN_VIA_FA) {
			agent = NULL;
			which = -1;
		}
		if (at.where != MIP4_MN_AT_HOME || !home_by_adv)
			home_by_adv = false;
	}
	if (at.where == r->where && at.coa == r->coa && which == r->cur_if &&
	    at.fa_addr == (r->where == MIP4_MN_VIA_FA ? r->fa_addr : 0))
		return;
	moved_event(r, &at, agent, which);
	r->moves++;
	r->moved_ms = mip4d_now_ms();
	r->where = at.where;
	r->coa = at.where == MIP4_MN_DETACHED ? 0 : at.coa;
	r->cur_if = which;
	/* Leaving an FA: traffic goes into the (gated) TUN before the FA's
	 * neighbour entry and route go, or for a moment the kernel would
	 * ARP for the old FA from the home address on the new link (seen
	 * once in 720 lab moves as an intranet address on an outside link). */
	if (r->via_fa) {
		table_routes(r, 0, 0);
		r->via_fa = 0;
	}
	if (at.where == MIP4_MN_VIA_FA && agent)
		fa_link(r, agent->ifindex, agent->addr, agent->mac);
	else
		fa_link(r, 0, 0, NULL);
	r->fa_addr = at.fa_addr;
	home_link(r, home_by_adv && agent ? agent->ifindex : 0,
		  home_by_adv && agent ? agent->router : 0);
	if (at.where == MIP4_MN_AT_HOME)
		at.coa = c->cfg.home_addr;
	/* keep_routes (RFC 5265 i-MIP): the chosen traffic always goes into
	 * the TUN, gated while no registration holds, never out of the link
	 * in the clear */
	routes_away(r, at.where == MIP4_MN_COLOCATED ||
			       at.where == MIP4_MN_VIA_FA ||
			       (r->p.keep_routes && at.where != MIP4_MN_AT_HOME));
	n = now();
	mip4_mn_attach(&r->mn, &n, &at, &out);
	tunnel_follow(r, false); /* gate until the new registration is accepted */
	handle(r, &out);
}

void mnlayer_attach(struct mnlayer *r, const struct mip4_mn_attach *at)
{
	if (at) {
		r->override = true;
		r->ov = *at;
	} else {
		r->override = false;
	}
	evaluate(r);
}

void mnlayer_gate(struct mnlayer *r, bool gate)
{
	if (gate == r->gate)
		return;
	r->gate = gate;
	tunnel_follow(r, false);
}

void mnlayer_mark_table(struct mnlayer *r, uint32_t table)
{
	if (table == r->mark_table)
		return;
	(void)priv_rule_del(r->env->priv, r->p.pref_mark);
	route_err(r, "rule (marked packets)",
		  priv_rule_add(r->env->priv, r->p.pref_mark, table ? table : RT_TABLE_MAIN,
			      r->p.mark, -1));
	r->mark_table = table;
}

const struct mip4_mn *mnlayer_mn(const struct mnlayer *r)
{
	return &r->mn;
}

bool mnlayer_scan(const struct mnlayer *r, struct mip4_mn_attach *at,
		 uint32_t *gateway, int *ifindex, uint8_t mac[6])
{
	memcpy(mac, r->scan_mac, 6);
	*at = r->scan;
	*gateway = r->scan_gw;
	*ifindex = r->scan_if >= 0 ? r->ifindex[r->scan_if] : 0;
	return r->scanned;
}

int mnlayer_tun_ifindex(const struct mnlayer *r)
{
	return mndp_tun_ifindex(r->dp);
}

enum mip4_mn_where mnlayer_where(const struct mnlayer *r)
{
	return r->where;
}

static void on_mon(evutil_socket_t fd, short what, void *arg)
{
	struct mnlayer *r = arg;

	(void)what;
	if (nl_monitor_drain(fd) != 0)
		evaluate(r);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct mnlayer *r = arg;
	struct mip4_mn_now n = now();
	struct mip4_mn_out out;

	(void)fd;
	(void)what;
	mip4_mn_timer(&r->mn, &n, &out);
	handle(r, &out);
}

static void on_keepalive(evutil_socket_t fd, short what, void *arg)
{
	struct mnlayer *r = arg;
	struct mip4_mn_now n;
	struct mip4_mn_out out;
	struct mip4_mn_attach at;

	(void)fd;
	(void)what;
	switch (mip4_mn_ka_due(&r->ka, mip4d_now_ms(),
			       mndp_stats(r->dp)->keepalive_replies)) {
	case MIP4_MN_KA_SEND:
		(void)mndp_send_keepalive(r->dp);
		break;
	case MIP4_MN_KA_REREGISTER:
		/* RFC 3519 §4.10: the HA sends to a NAT mapping that is
		 * gone; a registration through the new one repairs it */
		r->ka_lost++;
		log_warnx("mobile node%s: %d keepalives unanswered, NAT mapping "
			  "lost: registering again", r->p.tag, MIP4_MN_KA_TRIES);
		n = now();
		at = r->mn.at;
		mip4_mn_attach(&r->mn, &n, &at, &out);
		handle(r, &out);
		return;
	default:
		break;
	}
	mip4d_timer_at(r->ev_ka, r->ka.due_ms);
}

static void on_udp(evutil_socket_t fd, short what, void *arg)
{
	struct mnlayer *r = arg;
	uint8_t(*buf)[MIP4_MSG_MAX] = r->rx_buf;
	struct sockaddr_in *from = r->rx_from;
	struct mmsghdr mm[RX_BATCH];
	struct iovec iov[RX_BATCH];
	int n;

	(void)what;
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < RX_BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = MIP4_MSG_MAX;
		mm[i].msg_hdr.msg_name = &from[i];
		mm[i].msg_hdr.msg_namelen = sizeof from[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(fd, mm, RX_BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		uint32_t src = ntohl(from[i].sin_addr.s_addr);
		struct mip4_mn_now t;
		struct mip4_mn_out out;

		r->env->counters[D_UDP_RX]++;
		if (mm[i].msg_len >= 1 && buf[i][0] == MIP4_MSG_TUNNEL_DATA) {
			r->env->counters[D_TUNNEL_DATA_RX]++;
			(void)mndp_udp_input(r->dp, src, buf[i], mm[i].msg_len);
			continue;
		}
		t = now();
		mip4_mn_input(&r->mn, &t, buf[i], mm[i].msg_len, &out);
		handle(r, &out);
	}
}

static void on_tun(evutil_socket_t fd, short what, void *arg)
{
	struct mnlayer *r = arg;

	(void)fd;
	(void)what;
	(void)mndp_on_tun(r->dp);
}

static void on_raw(evutil_socket_t fd, short what, void *arg)
{
	struct mnlayer *r = arg;

	(void)fd;
	(void)what;
	(void)mndp_on_raw(r->dp);
}

static int open_udp(uint32_t mark, uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int one = 1, m = (int)mark;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	sa.sin_port = htons(port);
	/* Our registrations and tunnel data follow the main table (the
	 * mark rule), never the tunnel; IP_FREEBIND because the care-of
	 * address comes and goes under us. */
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &m, sizeof m) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct event *watch(struct mnlayer *r, int fd,
			   void (*cb)(evutil_socket_t, short, void *))
{
	struct event *ev =
		event_new(r->env->base, fd, EV_READ | EV_PERSIST, cb, r);

	if (!ev || event_add(ev, NULL) < 0)
		fatalx("event_add failed");
	return ev;
}

struct mnlayer *mnlayer_new(const struct role_env *env,
			    const struct mnlayer_params *p)
{
	const struct mip4_config_mnrole *c = p->c;
	struct mnlayer *r = calloc(1, sizeof *r);
	struct mndp_cfg dc = {0};
	struct mip4_mn_cfg mc = c->cfg;
	int rc;

	if (!r)
		return NULL;
	r->rx_buf = calloc(RX_BATCH, sizeof *r->rx_buf);
	if (!r->rx_buf) {
		free(r);
		return NULL;
	}
	r->env = env;
	r->c = c;
	r->p = *p;
	r->scan_if = -1;
	r->cur_if = -1;
	r->mon_fd = -1;
	r->udp_fd = -1;
	r->pkt_fd = -1;
	mc.renew_max_ms = p->renew_max_ms;
	mip4_mn_init(&r->mn, &mc);
	{
		struct mip4_agent_cfg ac;

		mip4_agent_cfg_defaults(&ac);
		ac.ha_addr = c->cfg.ha_addr;
		ac.home_net = c->home_net;
		mip4_agent_init(&r->ag, &ac);
	}
	r->udp_fd = open_udp(p->mark, p->udp_port);
	if (r->udp_fd < 0) {
		log_warn("mobile node%s: UDP port %u", p->tag,
			 (unsigned)p->udp_port);
		goto fail;
	}
	r->pkt_fd = pkt_open(0);
	if (r->pkt_fd < 0) {
		log_warn("mobile node%s: agent discovery socket", p->tag);
		goto fail;
	}
	dc.tun_name = c->tunnel_dev;
	/* Room for the outer headers on a 1500-byte path (IP-in-IP 20,
	 * RFC 3519 UDP 32 bytes). */
	dc.mtu = p->mtu ? p->mtu
			: c->cfg.udp == MIP4_MN_UDP_OFF ? 1500 - 20 : 1500 - 32;
	dc.home_addr = c->cfg.home_addr;
	dc.fwmark = p->mark;
	dc.udp_fd = r->udp_fd;
	rc = mndp_open(&dc, &r->dp);
	if (rc < 0) {
		log_warnx("mobile node%s: tunnel device %s: %s", p->tag,
			  c->tunnel_dev, strerror(-rc));
		goto fail;
	}
	return r;
fail:
	mnlayer_free(r);
	return NULL;
}

int mnlayer_start(struct mnlayer *r)
{
	const struct mip4_config_mnrole *c = r->c;
	const struct mnlayer_params *p = &r->p;
	struct event_base *base = r->env->base;
	int rc;

	rc = nl_open(&r->nl);
	if (rc < 0) {
		log_warnx("mobile node%s: netlink: %s", p->tag, strerror(-rc));
		return -1;
	}
	r->mon_fd = nl_monitor_open();
	if (r->mon_fd < 0) {
		log_warnx("mobile node%s: netlink monitor: %s", p->tag,
			  strerror(-r->mon_fd));
		return -1;
	}
	r->started = true;
	/* Leftovers from a crash must not steer traffic. */
	(void)priv_rule_del(r->env->priv, p->pref_table);
	if (p->pref_local)
		(void)priv_rule_del(r->env->priv, p->pref_local);
	(void)priv_rule_del(r->env->priv, p->pref_mark);
	(void)priv_route_flush(r->env->priv, p->table);
	route_err(r, "rule (marked packets)",
		  priv_rule_add(r->env->priv, p->pref_mark, RT_TABLE_MAIN,
				p->mark, -1));
	r->ev_udp = watch(r, r->udp_fd, on_udp);
	r->ev_tun = watch(r, mndp_tun_fd(r->dp), on_tun);
	r->ev_raw = watch(r, mndp_raw_fd(r->dp), on_raw);
	r->ev_mon = watch(r, r->mon_fd, on_mon);
	r->ev_pkt = watch(r, r->pkt_fd, on_pkt);
	r->ev_timer = evtimer_new(base, on_timer, r);
	r->ev_ka = evtimer_new(base, on_keepalive, r);
	r->ev_agent = evtimer_new(base, on_agent_timer, r);
	r->ev_garp = evtimer_new(base, on_garp, r);
	if (!r->ev_timer || !r->ev_ka || !r->ev_agent || !r->ev_garp)
		fatalx("evtimer_new failed");
	{
		char h[16], a[16];

		log_info("mobile node%s %s%s%s, home agent %s, %u interface(s), "
			 "tunnel device %s",
			 p->tag, mip4_ntoa(c->cfg.home_addr, h),
			 c->cfg.nai[0] ? " " : "", c->cfg.nai,
			 mip4_ntoa(c->cfg.ha_addr, a), c->n_if, c->tunnel_dev);
	}
	return 0;
}

void mnlayer_evaluate(struct mnlayer *r)
{
	evaluate(r);
}

/* Away at shutdown: deregister (RFC 5944 §3.6.1.2) and wait a moment for
 * the answer, then take every route and rule away again. */
void mnlayer_free(struct mnlayer *r)
{
	if (!r)
		return;
	if (r->started && r->dp && r->udp_fd >= 0) {
		struct mip4_mn_now n = now();
		struct mip4_mn_out out;

		mip4_mn_shutdown(&r->mn, &n, &out);
		if (out.send) {
			struct pollfd p = {r->udp_fd, POLLIN, 0};

			send_out(r, &out);
			if (poll(&p, 1, 1000) > 0) {
				ssize_t len = recv(r->udp_fd, r->rx_buf[0],
						   MIP4_MSG_MAX, 0);

				if (len > 0) {
					n = now();
					mip4_mn_input(&r->mn, &n, r->rx_buf[0],
						      (size_t)len, &out);
					if (out.n_ev)
						log_info("mobile node: %s on shutdown",
							 mip4_mn_event_str(out.ev[0].ev));
				}
			}
		}
	}
	if (r->started) {
		fa_link(r, 0, 0, NULL);
		home_link(r, 0, 0);
		(void)priv_rule_del(r->env->priv, r->p.pref_table);
		if (r->p.pref_local)
			(void)priv_rule_del(r->env->priv, r->p.pref_local);
		(void)priv_rule_del(r->env->priv, r->p.pref_mark);
		(void)priv_route_flush(r->env->priv, r->p.table);
	}
	if (r->ev_udp)
		event_free(r->ev_udp);
	if (r->ev_tun)
		event_free(r->ev_tun);
	if (r->ev_raw)
		event_free(r->ev_raw);
	if (r->ev_mon)
		event_free(r->ev_mon);
	if (r->ev_timer)
		event_free(r->ev_timer);
	if (r->ev_ka)
		event_free(r->ev_ka);
	if (r->ev_agent)
		event_free(r->ev_agent);
	if (r->ev_garp)
		event_free(r->ev_garp);
	if (r->ev_pkt)
		event_free(r->ev_pkt);
	if (r->pkt_fd >= 0)
		close(r->pkt_fd);
	if (r->dp)
		mndp_close(r->dp);
	if (r->udp_fd > 0)
		close(r->udp_fd);
	if (r->mon_fd >= 0)
		close(r->mon_fd);
	nl_close(r->nl);
	free(r->rx_buf);
	free(r);
}

json_object *mnlayer_status_of(struct mnlayer *r)
{
	json_object *o = json_object_new_object();
	uint64_t t = mip4d_now_ms();

	jadd_str(o, "mode", mip4_mn_where_str(r->where));
	jadd_addr(o, "home_addr", r->mn.home_addr);
	jadd_addr(o, "home_agent", r->mn.cfg.ha_addr);
	if (r->cur_if >= 0)
		jadd_str(o, "interface", r->c->ifname[r->cur_if]);
	if (r->where == MIP4_MN_COLOCATED || r->where == MIP4_MN_VIA_FA)
		jadd_addr(o, "coa", r->coa);
	if (r->where == MIP4_MN_VIA_FA)
		jadd_addr(o, "agent", r->fa_addr);
	if (r->cur_if >= 0) {
		const struct mip4_agent_entry *e =
			mip4_agent_current(&r->ag, r->ifindex[r->cur_if]);

		if (e) {
			json_object *a = json_object_new_object();

			jadd_addr(a, "address", e->addr);
			jadd_int(a, "flags", e->flags);
			jadd_int(a, "seq", e->seq);
			jadd_int(a, "registration_lifetime", e->reg_lifetime);
			jadd_int(a, "expires_in_ms",
				e->expires_ms > t ? (int64_t)(e->expires_ms - t) : 0);
			json_object_object_add(o, "heard_agent", a);
		}
	}
	json_object_object_add(o, "registered",
			       json_object_new_boolean(r->mn.registered));
	json_object_object_add(o, "pending",
			       json_object_new_boolean(r->mn.pending));
	if (r->mn.registered) {
		jadd_addr(o, "registered_coa", r->mn.reg_coa);
		jadd_int(o, "lifetime", r->mn.granted);
		jadd_int(o, "lifetime_left",
			r->mn.expires_ms > t ? (int64_t)((r->mn.expires_ms - t) / 1000)
					     : 0);
		jadd_str(o, "encap", r->where == MIP4_MN_VIA_FA ? "fa"
				    : r->mn.udp		     ? "udp"
							     : "ipip");
		if (r->mn.udp)
			jadd_int(o, "keepalive", r->mn.keepalive);
	}
	if (r->mn.last_code)
		jadd_int(o, "last_code", r->mn.last_code);
	jadd_int(o, "moves", (int64_t)r->moves);
	return o;
}

json_object *mnlayer_counters_of(struct mnlayer *r)
{
	json_object *o = json_object_new_object();
	const struct mndp_stats *s = mndp_stats(r->dp);

	/* Three sources, three name spaces: the registration state machine
	 * (its names as they are), the data plane ("dp-"), agent discovery
	 * ("agent-").  One JSON key per counter: a shared name would hide
	 * one of them (#11). */
	for (int i = 0; i < MIP4_MN_NCOUNTERS; i++)
		jadd_int(o, mip4_mn_counter_name((enum mip4_mn_counter)i),
			(int64_t)r->mn.counters[i]);
	for (size_t i = 0; i < MNDP_NSTATS; i++) {
		char k[64];

		(void)snprintf(k, sizeof k, "dp-%s", mndp_stat_name(i));
		jadd_int(o, k, (int64_t)mndp_stat(s, i));
	}
	jadd_int(o, "route-errors", (int64_t)r->route_errors);
	jadd_int(o, "keepalive-lost", (int64_t)r->ka_lost);
	jadd_int(o, "garp-tx", (int64_t)r->garp_tx);
	for (int i = 0; i < MIP4_AGENT_NCOUNTERS; i++) {
		char k[64];

		(void)snprintf(k, sizeof k, "agent-%s",
			       mip4_agent_counter_name((enum mip4_agent_counter)i));
		jadd_int(o, k, (int64_t)r->ag.counters[i]);
	}
	jadd_int(o, "agent-solicitations-sent", (int64_t)r->sol_sent);
	jadd_int(o, "agent-solicit-errors", (int64_t)r->sol_err);
	jadd_int(o, "agent-drop-malformed", (int64_t)r->adv_drop);
	return o;
}
