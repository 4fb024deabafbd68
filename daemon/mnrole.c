/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The mobile node role (RFC 5944 §2.4, §3.6, §4.2.1; modes c today).
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
 * is what rtnetlink says about the configured interfaces: carrier and the
 * address the OS's own DHCP client put there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "mip4/ip.h"
#include "mip4d.h"
#include "mn.h"
#include "nl.h"

#define MN_MARK 0x4d49
#define MN_TABLE 0x4d49
#define PREF_MARK 1000
#define PREF_LOCAL 1001
#define PREF_TABLE 1002
#define RX_BATCH 32
#define RX_BUFSZ 2048

struct mnrole {
	struct mip4d *d;
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
};

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void add_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_addr(json_object *o, const char *k, uint32_t a)
{
	char b[16];

	add_str(o, k, mip4_ntoa(a, b));
}

static struct mip4_mn_now now(void)
{
	struct mip4_mn_now n = {mip4d_now_ms(), mip4d_now_ntp(),
				mip4d_random32()};

	return n;
}

static void route_err(struct mnrole *r, const char *what, int rc)
{
	if (rc < 0) {
		r->route_errors++;
		r->d->counters[D_ROUTE_ERR]++;
		log_warnx("mobile node: %s: %s", what, strerror(-rc));
	}
}

/* Send what the state machine asked for, from its source address. */
static void send_out(struct mnrole *r, struct mip4_mn_out *o)
{
	struct sockaddr_in to = {.sin_family = AF_INET};
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {o->buf, o->len};
	struct msghdr mh = {0};
	struct cmsghdr *cm;
	struct in_pktinfo pi = {0};

	if (!o->send)
		return;
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
	if (sendmsg(r->udp_fd, &mh, 0) < 0) {
		r->d->counters[D_UDP_TX_ERR]++;
		log_warn("mobile node: send registration");
		return;
	}
	r->d->counters[D_UDP_TX]++;
}

static void keepalive_timer(struct mnrole *r)
{
	struct timeval tv = {r->mn.keepalive ? r->mn.keepalive : 110, 0};

	event_del(r->ev_ka);
	if (r->mn.registered && r->mn.udp)
		event_add(r->ev_ka, &tv);
}

/* Point the data plane at the registration we hold (or gate it). */
static void tunnel_follow(struct mnrole *r)
{
	struct mip4_config_mnrole *c = &r->d->conf.mn;
	bool away = r->where == MIP4_MN_COLOCATED || r->where == MIP4_MN_VIA_FA;

	/* Only the binding for where we are now: never tunnel from a care-of
	 * address we have left. */
	if (away && r->mn.registered && r->mn.reg_coa == r->coa)
		mndp_set_tunnel(r->dp, r->mn.udp ? MNDP_UDP : MNDP_IPIP,
				r->mn.reg_coa, c->cfg.ha_addr);
	else
		mndp_set_tunnel(r->dp, MNDP_OFF, 0, 0);
	keepalive_timer(r);
}

static void arm_timer(struct mnrole *r)
{
	uint64_t t = mip4d_now_ms();
	struct timeval tv;

	event_del(r->ev_timer);
	if (!r->mn.deadline_ms)
		return;
	t = r->mn.deadline_ms > t ? r->mn.deadline_ms - t : 0;
	tv.tv_sec = (time_t)(t / 1000);
	tv.tv_usec = (suseconds_t)(t % 1000) * 1000;
	event_add(r->ev_timer, &tv);
}

/* Events from one state machine call, then send, then timers. */
static void handle(struct mnrole *r, struct mip4_mn_out *o)
{
	for (unsigned i = 0; i < o->n_ev; i++) {
		json_object *ev = json_object_new_object();
		enum mip4_mn_event e = o->ev[i].ev;

		add_str(ev, "event", mip4_mn_event_str(e));
		add_str(ev, "mode", mip4_mn_where_str(r->where));
		add_addr(ev, "home_addr", r->mn.home_addr);
		if (e == MIP4_MN_EV_REGISTERED) {
			add_addr(ev, "coa", r->mn.reg_coa);
			add_int(ev, "lifetime", r->mn.granted);
			add_str(ev, "encap", r->mn.udp ? "udp" : "ipip");
			add_int(ev, "since_move_ms",
				(int64_t)(mip4d_now_ms() - r->moved_ms));
		}
		/* RFC 5944 §4.6: home again, tell the link our address is
		 * ours (the HA's proxy ARP entry is gone). */
		if (e == MIP4_MN_EV_DEREGISTERED && r->where == MIP4_MN_AT_HOME &&
		    r->cur_if >= 0 &&
		    nl_garp_send(r->ifindex[r->cur_if], r->mn.home_addr) < 0)
			log_warnx("mobile node: gratuitous ARP failed");
		if (e == MIP4_MN_EV_DENIED || e == MIP4_MN_EV_RESYNC) {
			add_int(ev, "code", o->ev[i].code);
			add_str(ev, "reason", mip4_code_str(o->ev[i].code));
		}
		ctlsock_event(r->d, ev);
	}
	send_out(r, o);
	if (o->n_ev)
		tunnel_follow(r);
	arm_timer(r);
}

/* Policy routing for being away (see the comment at the top). */
static void routes_away(struct mnrole *r, bool on)
{
	struct mip4_config_mnrole *c = &r->d->conf.mn;
	int tif = mndp_tun_ifindex(r->dp);

	if (on == r->away_routes)
		return;
	if (on) {
		if (c->route_all)
			route_err(r, "default route into the tunnel",
				  nl_route_add_src(r->nl, 0, 0, tif,
						   c->cfg.home_addr, MN_TABLE));
		for (unsigned i = 0; i < c->n_routes; i++)
			route_err(r, "route into the tunnel",
				  nl_route_add_src(r->nl, c->routes[i].net,
						   (int)__builtin_popcount(c->routes[i].mask),
						   tif, c->cfg.home_addr, MN_TABLE));
		route_err(r, "rule (local link)",
			  nl_rule_add(r->nl, PREF_LOCAL, RT_TABLE_MAIN, 0, 0));
		route_err(r, "rule (tunnel table)",
			  nl_rule_add(r->nl, PREF_TABLE, MN_TABLE, 0, -1));
	} else {
		route_err(r, "rule del", nl_rule_del(r->nl, PREF_TABLE));
		route_err(r, "rule del", nl_rule_del(r->nl, PREF_LOCAL));
		route_err(r, "flush tunnel table",
			  nl_route_flush_table(r->nl, MN_TABLE));
	}
	r->away_routes = on;
}

/* Where are we?  The first configured interface that is up, has carrier
 * and an IPv4 address decides. */
static void evaluate(struct mnrole *r)
{
	struct mip4_config_mnrole *c = &r->d->conf.mn;
	struct mip4_mn_attach at = {MIP4_MN_DETACHED, 0, 0};
	struct mip4_mn_now n;
	struct mip4_mn_out out;
	int which = -1;

	for (unsigned i = 0; i < c->n_if && which < 0; i++) {
		struct nl_ifstate st;

		if (r->ifindex[i] <= 0) {
			r->ifindex[i] = nl_ifindex(c->ifname[i]);
			if (r->ifindex[i] <= 0)
				continue;
		}
		if (nl_if_state(r->nl, r->ifindex[i], &st) < 0 || !st.up ||
		    !st.running || !st.addr)
			continue;
		/* Usable once the main table reaches the home agent through
		 * it: a DHCP client adds the address before the default
		 * route, and a request sent in between would be lost. */
		if (!st.gateway &&
		    ((st.addr ^ c->cfg.ha_addr) &
		     (st.plen ? ~0u << (32 - st.plen) : 0)) != 0)
			continue;
		which = (int)i;
		at.coa = st.addr;
		if (st.addr == c->cfg.home_addr ||
		    (c->home_net.mask &&
		     (st.addr & c->home_net.mask) == c->home_net.net))
			at.where = MIP4_MN_AT_HOME;
		else
			at.where = MIP4_MN_COLOCATED;
	}
	if (at.where == r->where && at.coa == r->coa && which == r->cur_if)
		return;
	{
		json_object *ev = json_object_new_object();

		add_str(ev, "event", "moved");
		add_str(ev, "from", mip4_mn_where_str(r->where));
		add_str(ev, "to", mip4_mn_where_str(at.where));
		if (at.where == MIP4_MN_COLOCATED)
			add_addr(ev, "coa", at.coa);
		if (which >= 0)
			add_str(ev, "interface", c->ifname[which]);
		ctlsock_event(r->d, ev);
	}
	r->moves++;
	r->moved_ms = mip4d_now_ms();
	r->where = at.where;
	r->coa = at.where == MIP4_MN_DETACHED ? 0 : at.coa;
	r->cur_if = which;
	if (at.where == MIP4_MN_AT_HOME)
		at.coa = c->cfg.home_addr;
	routes_away(r, at.where == MIP4_MN_COLOCATED);
	n = now();
	mip4_mn_attach(&r->mn, &n, &at, &out);
	tunnel_follow(r); /* gate until the new registration is accepted */
	handle(r, &out);
}

static void on_mon(evutil_socket_t fd, short what, void *arg)
{
	struct mnrole *r = arg;

	(void)what;
	if (nl_monitor_drain(fd) != 0)
		evaluate(r);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct mnrole *r = arg;
	struct mip4_mn_now n = now();
	struct mip4_mn_out out;

	(void)fd;
	(void)what;
	mip4_mn_timer(&r->mn, &n, &out);
	handle(r, &out);
}

static void on_keepalive(evutil_socket_t fd, short what, void *arg)
{
	struct mnrole *r = arg;

	(void)fd;
	(void)what;
	(void)mndp_send_keepalive(r->dp);
	keepalive_timer(r);
}

static void on_udp(evutil_socket_t fd, short what, void *arg)
{
	struct mnrole *r = arg;
	static uint8_t buf[RX_BATCH][RX_BUFSZ];
	static struct sockaddr_in from[RX_BATCH];
	struct mmsghdr mm[RX_BATCH];
	struct iovec iov[RX_BATCH];
	int n;

	(void)what;
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < RX_BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = RX_BUFSZ;
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

		r->d->counters[D_UDP_RX]++;
		if (mm[i].msg_len >= 1 && buf[i][0] == MIP4_MSG_TUNNEL_DATA) {
			r->d->counters[D_TUNNEL_DATA_RX]++;
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
	struct mnrole *r = arg;

	(void)fd;
	(void)what;
	(void)mndp_on_tun(r->dp);
}

static void on_raw(evutil_socket_t fd, short what, void *arg)
{
	struct mnrole *r = arg;

	(void)fd;
	(void)what;
	(void)mndp_on_raw(r->dp);
}

static int open_udp(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int one = 1, mark = MN_MARK;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	sa.sin_port = htons(MIP4_PORT);
	/* Our registrations and tunnel data follow the main table (the
	 * mark rule), never the tunnel; IP_FREEBIND because the care-of
	 * address comes and goes under us. */
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct event *watch(struct mnrole *r, int fd,
			   void (*cb)(evutil_socket_t, short, void *))
{
	struct event *ev =
		event_new(r->d->base, fd, EV_READ | EV_PERSIST, cb, r);

	if (!ev || event_add(ev, NULL) < 0)
		fatalx("event_add failed");
	return ev;
}

int mnrole_start(struct mip4d *d)
{
	struct mip4_config_mnrole *c = &d->conf.mn;
	struct mnrole *r = calloc(1, sizeof *r);
	struct mndp_cfg dc = {0};
	int rc;

	if (!r)
		return -1;
	d->mnr = r;
	r->d = d;
	r->cur_if = -1;
	r->mon_fd = -1;
	mip4_mn_init(&r->mn, &c->cfg);
	rc = nl_open(&r->nl);
	if (rc < 0) {
		log_warnx("mobile node: netlink: %s", strerror(-rc));
		return -1;
	}
	r->mon_fd = nl_monitor_open();
	if (r->mon_fd < 0) {
		log_warnx("mobile node: netlink monitor: %s", strerror(-r->mon_fd));
		return -1;
	}
	r->udp_fd = open_udp();
	if (r->udp_fd < 0) {
		log_warn("mobile node: UDP port %d", MIP4_PORT);
		return -1;
	}
	dc.tun_name = c->tunnel_dev;
	/* Room for the outer headers on a 1500-byte path (IP-in-IP 20,
	 * RFC 3519 UDP 32 bytes). */
	dc.mtu = c->cfg.udp == MIP4_MN_UDP_OFF ? 1500 - 20 : 1500 - 32;
	dc.home_addr = c->cfg.home_addr;
	dc.fwmark = MN_MARK;
	dc.udp_fd = r->udp_fd;
	rc = mndp_open(&dc, &r->dp);
	if (rc < 0) {
		log_warnx("mobile node: tunnel device %s: %s", c->tunnel_dev,
			  strerror(-rc));
		return -1;
	}
	/* Leftovers from a crash must not steer traffic. */
	(void)nl_rule_del(r->nl, PREF_TABLE);
	(void)nl_rule_del(r->nl, PREF_LOCAL);
	(void)nl_rule_del(r->nl, PREF_MARK);
	(void)nl_route_flush_table(r->nl, MN_TABLE);
	route_err(r, "rule (marked packets)",
		  nl_rule_add(r->nl, PREF_MARK, RT_TABLE_MAIN, MN_MARK, -1));
	r->ev_udp = watch(r, r->udp_fd, on_udp);
	r->ev_tun = watch(r, mndp_tun_fd(r->dp), on_tun);
	r->ev_raw = watch(r, mndp_raw_fd(r->dp), on_raw);
	r->ev_mon = watch(r, r->mon_fd, on_mon);
	r->ev_timer = evtimer_new(d->base, on_timer, r);
	r->ev_ka = evtimer_new(d->base, on_keepalive, r);
	if (!r->ev_timer || !r->ev_ka)
		fatalx("evtimer_new failed");
	{
		char h[16], a[16];

		log_info("mobile node %s%s%s, home agent %s, %u interface(s), "
			 "tunnel device %s",
			 mip4_ntoa(c->cfg.home_addr, h), c->cfg.nai[0] ? " " : "",
			 c->cfg.nai, mip4_ntoa(c->cfg.ha_addr, a), c->n_if,
			 c->tunnel_dev);
	}
	evaluate(r);
	return 0;
}

/* Away at shutdown: deregister (RFC 5944 §3.6.1.2) and wait a moment for
 * the answer, then take every route and rule away again. */
void mnrole_stop(struct mip4d *d)
{
	struct mnrole *r = d->mnr;

	if (!r)
		return;
	if (r->dp && r->udp_fd >= 0) {
		struct mip4_mn_now n = now();
		struct mip4_mn_out out;

		mip4_mn_shutdown(&r->mn, &n, &out);
		if (out.send) {
			struct pollfd p = {r->udp_fd, POLLIN, 0};

			send_out(r, &out);
			if (poll(&p, 1, 1000) > 0) {
				uint8_t buf[RX_BUFSZ];
				ssize_t len = recv(r->udp_fd, buf, sizeof buf, 0);

				if (len > 0) {
					n = now();
					mip4_mn_input(&r->mn, &n, buf, (size_t)len, &out);
					if (out.n_ev)
						log_info("mobile node: %s on shutdown",
							 mip4_mn_event_str(out.ev[0].ev));
				}
			}
		}
	}
	if (r->nl) {
		(void)nl_rule_del(r->nl, PREF_TABLE);
		(void)nl_rule_del(r->nl, PREF_LOCAL);
		(void)nl_rule_del(r->nl, PREF_MARK);
		(void)nl_route_flush_table(r->nl, MN_TABLE);
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
	if (r->dp)
		mndp_close(r->dp);
	if (r->udp_fd > 0)
		close(r->udp_fd);
	if (r->mon_fd >= 0)
		close(r->mon_fd);
	nl_close(r->nl);
	free(r);
	d->mnr = NULL;
}

json_object *mnrole_status(struct mip4d *d)
{
	struct mnrole *r = d->mnr;
	json_object *o = json_object_new_object();
	uint64_t t = mip4d_now_ms();

	add_str(o, "mode", mip4_mn_where_str(r->where));
	add_addr(o, "home_addr", r->mn.home_addr);
	add_addr(o, "home_agent", r->mn.cfg.ha_addr);
	if (r->cur_if >= 0)
		add_str(o, "interface", d->conf.mn.ifname[r->cur_if]);
	if (r->where == MIP4_MN_COLOCATED)
		add_addr(o, "coa", r->coa);
	json_object_object_add(o, "registered",
			       json_object_new_boolean(r->mn.registered));
	json_object_object_add(o, "pending",
			       json_object_new_boolean(r->mn.pending));
	if (r->mn.registered) {
		add_addr(o, "registered_coa", r->mn.reg_coa);
		add_int(o, "lifetime", r->mn.granted);
		add_int(o, "lifetime_left",
			r->mn.expires_ms > t ? (int64_t)((r->mn.expires_ms - t) / 1000)
					     : 0);
		add_str(o, "encap", r->mn.udp ? "udp" : "ipip");
		if (r->mn.udp)
			add_int(o, "keepalive", r->mn.keepalive);
	}
	if (r->mn.last_code)
		add_int(o, "last_code", r->mn.last_code);
	add_int(o, "moves", (int64_t)r->moves);
	return o;
}

json_object *mnrole_counters(struct mip4d *d)
{
	struct mnrole *r = d->mnr;
	json_object *o = json_object_new_object();
	const struct mndp_stats *s = mndp_stats(r->dp);

	for (int i = 0; i < MIP4_MN_NCOUNTERS; i++)
		add_int(o, mip4_mn_counter_name((enum mip4_mn_counter)i),
			(int64_t)r->mn.counters[i]);
	add_int(o, "tun-rx", (int64_t)s->tun_rx);
	add_int(o, "encap-tx", (int64_t)s->encap_tx);
	add_int(o, "decap-rx", (int64_t)s->decap_rx);
	add_int(o, "gated", (int64_t)s->gated);
	add_int(o, "drop-not-from-ha", (int64_t)s->drop_not_from_ha);
	add_int(o, "drop-not-for-home", (int64_t)s->drop_not_for_home);
	add_int(o, "drop-malformed", (int64_t)s->drop_malformed);
	add_int(o, "drop-send-error", (int64_t)s->drop_send_error);
	add_int(o, "keepalives", (int64_t)s->keepalives);
	add_int(o, "route-errors", (int64_t)r->route_errors);
	return o;
}
