/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The RFC 5265 mobile node: inner Mobile IP (i-MIP, to the i-HA) inside
 * the user's own IPsec VPN inside outer Mobile IP (x-MIP, to the x-HA),
 * with secure inside detection (§3).  The decisions are lib/vpnmn.c's;
 * this file carries them out.
 *
 * Layers (mode cvc, outside):
 *
 *   app --> mip-i0 (i-HoA) --i-MIP IP-in-IP, from the VPN inner address-->
 *   ipsec0 (strongSwan, libipsec) --ESP in UDP, from the x-HoA-->
 *   mip-x0 (x-HoA) --x-MIP IP-in-IP or RFC 3519 UDP, from the care-of
 *   address--> wlan0
 *
 * Policy routing (the VPN client's own rule 220 comes after these):
 *
 *   pref 89   fwmark PROBE lookup main     direct i-HA registrations
 *   pref 90   fwmark X lookup main         x-MIP's outer packets
 *   pref 95   from x-HoA lookup X          IKE/ESP: into x-MIP (table X:
 *                                          default dev mip-x0)
 *   pref 100  fwmark I lookup main|VPN     i-MIP's outer packets: direct
 *                                          inside, the VPN's table outside
 *   pref 101  lookup main suppress_prefixlength 0
 *   pref 102  lookup I                     everything else: into mip-i0
 *
 * plus "GATEWAY/32 dev mip-x0 src x-HoA" in main, so that the VPN client,
 * which checks its path in the main table when addresses change, finds
 * the x-HoA still usable and neither roams (MOBIKE) nor re-authenticates:
 * an outside->outside move costs one x-HA registration and no IKE.  In
 * modes mc and naive (no x-MIP) the gateway route goes via the link's
 * default router instead.
 *
 * The VPN is driven only through its client's public interface, by the
 * configured driver (vpncmd.h): strongSwan's swanctl, OpenVPN's management
 * socket, openconnect and its --script hook, wg-quick and wg, or three
 * configured commands.  Each gives the same three things: bring the
 * tunnel up from the local address the routes pick (the x-HoA in mode
 * cvc), down, and tell the inner address; see mip4d.conf(5).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "json.h"
#include "log.h"
#include "mip4/ip.h"
#include "mip4/vpnmn.h"
#include "mnlayer.h"
#include "nl.h"
#include "priv.h"
#include "priv_policy.h"
#include "role.h"
#include "vpncmd.h"

#define X_MARK 0x4d58
#define X_TABLE 0x4d58
#define I_MARK 0x4d49
#define I_TABLE 0x4d49
#define P_MARK 0x4d50
#define PREF_PROBE 89
#define PREF_X_MARK 90
#define PREF_X_FROM 95
#define PREF_I_MARK 100
#define PREF_I_LOCAL 101
#define PREF_I_TABLE 102
#define I_MTU 1300 /* 1500 - x-MIP (<= 32) - ESP in UDP (<= 88) - i-MIP (20),
		      rounded down */
#define VPN_RETRY_MS 2000
#define VPN_CHECK_MS 5000
/* A client whose "up" returns before the tunnel is there (OpenVPN's hold
 * release, wg-quick): ask for its state this often, this long, before
 * trying again. */
#define VPN_SETTLE_MS 10000
#define VPN_POLL_MS 50

enum swan_op { SW_IDLE = 0, SW_INITIATE, SW_TERMINATE, SW_LIST };

struct vpnrole {
	const struct role_env *env;
	const struct mip4_config_vpn *cfg;
	struct mip4_vmn v;
	struct mnlayer *x, *i;
	struct event *ev_step, *ev_timer;
	/* what is in place */
	const char *shown_mode;
	uint64_t i_ok_seen;	     /* i's ok_ms last reported */
	struct mip4_mn_attach link;  /* the physical attachment we track */
	/* direct registration to the i-HA (the detection probe) */
	struct mip4_mn probe;
	struct event *ev_probe, *ev_probe_timer;
	uint8_t *probe_buf;	     /* MIP4_MSG_MAX: its replies, ours alone */
	uint64_t probe_run;	     /* v.detections it was started for */
	uint64_t probe_sent, probe_tnc, probe_no_tnc;
	/* the VPN, through its driver */
	uint64_t swan_killed;
	uint64_t vpn_retry_ms;	     /* no initiate before this */
	uint64_t vpn_checked_ms;
	uint64_t settle_until_ms;    /* polling after an initiation */
	uint64_t initiations, terminations, swan_failures;
	uint64_t status_garbage, no_inner_addr;
	struct nl *nl;		     /* the VPN interface's address (wireguard) */
	uint64_t outside_moves, inside_moves;
	enum mip4_vmn_state shown;   /* last state announced */
	enum mip4_vmn_inner inner;   /* i-MIP's source */
	uint32_t inner_vip;
	int link_if;
	uint32_t link_gw;
	uint32_t probe_fa;	     /* mc/naive: FA host route we installed */
	int probe_fa_if;
	uint32_t gw_route_via;	     /* mc/naive: gateway/32 via this */
	int gw_route_if;
	int probe_fd;
	enum swan_op op;
	uint8_t link_mac[6];	     /* the FA's, via an FA */
	bool in_step;
	bool gated;
	bool x_active;
	bool have_link;
	bool x_reg;		     /* x registered from the link */
	bool i_reg;
	bool probing;
	bool want_list;
	bool restart_pending;	     /* naive: initiate after the terminate */
	bool started;
};

static void schedule(struct vpnrole *vr);

static void event_simple(struct vpnrole *vr, const char *name)
{
	json_object *ev = json_object_new_object();

	jadd_str(ev, "event", name);
	role_event(vr->env, ev);
}

/* ---- the VPN client's commands (asked of priv: PRIV_VPN_RUN) ---- */

/* Who runs in the log: swanctl (as always), or the driver. */
static const char *vpn_who(const struct vpnrole *vr)
{
	return vr->cfg->driver == MIP4_VPN_STRONGSWAN ? "swanctl"
						      : vpn_driver_name(vr->cfg);
}

static const char *swan_op_str(const struct vpnrole *vr, enum swan_op op)
{
	switch (op) {
	case SW_INITIATE: return vpn_cmd_name(vr->cfg, PRIV_VPN_INITIATE);
	case SW_TERMINATE: return vpn_cmd_name(vr->cfg, PRIV_VPN_TERMINATE);
	case SW_LIST: return vpn_cmd_name(vr->cfg, PRIV_VPN_LIST);
	default: return "idle";
	}
}

/* The VPN tunnel inner address of a driver that assigns none of its own
 * (WireGuard): the first global address on its interface. */
static uint32_t vpn_if_addr(struct vpnrole *vr)
{
	struct nl_ifstate st;
	int ifx = nl_ifindex(vr->cfg->vpn_if);

	if (!vr->nl || ifx <= 0 || nl_if_state(vr->nl, ifx, &st) < 0 || !st.up)
		return 0;
	return st.addr;
}

/* How the driver's job ended (the privileged side runs it, with the
 * configured swanctl-timeout); vpn_cmd_result() reads it. */
static void on_vpn_done(void *ctx, const struct priv_vpn_done *r)
{
	struct vpnrole *vr = ctx;
	enum swan_op op = vr->op;
	uint64_t t = mip4d_now_ms();
	static const enum priv_vpn what[] = {
		[SW_IDLE] = PRIV_VPN_LIST, [SW_INITIATE] = PRIV_VPN_INITIATE,
		[SW_TERMINATE] = PRIV_VPN_TERMINATE, [SW_LIST] = PRIV_VPN_LIST,
	};
	uint32_t vip = 0;
	enum vpn_result res = vpn_cmd_result(vr->cfg, what[op], r, &vip);
	bool ok = res == VPN_RES_OK || res == VPN_RES_NEED_ADDR;

	vr->op = SW_IDLE;
	if (res == VPN_RES_KILLED && r->killed) {
		/* a stuck client: swanctl --initiate has its own 20 s */
		vr->swan_killed++;
		log_warnx("vpn: %s %s still running after %u s: killed",
			  vpn_who(vr), swan_op_str(vr, op),
			  (unsigned)(vr->cfg->swanctl_timeout_ms / 1000));
	}
	if (!ok && op != SW_LIST) {
		vr->swan_failures++;
		log_warnx("vpn: %s %s failed (status %d): %.200s",
			  vpn_who(vr), swan_op_str(vr, op),
			  r->status, r->out ? r->out : "");
	}
	switch (op) {
	case SW_INITIATE:
		if (!ok)
			vr->vpn_retry_ms = t + VPN_RETRY_MS;
		vr->settle_until_ms = ok ? t + VPN_SETTLE_MS : 0;
		vr->want_list = true;
		break;
	case SW_TERMINATE:
		if (vr->v.vpn_up) {
			mip4_vmn_vpn(&vr->v, t, 0);
			event_simple(vr, "vpn-down");
		}
		break;
	case SW_LIST:
		vr->vpn_checked_ms = t;
		/* killed: we learnt nothing, keep what we know and ask again
		 * later (an exit status other than 0 is an answer: no such
		 * tunnel, or no client there) */
		if (res == VPN_RES_KILLED)
			break;
		if (res == VPN_RES_GARBAGE) {
			vr->status_garbage++;
			log_warnx("vpn: %s %s: cannot read its answer: %.200s",
				  vpn_who(vr), swan_op_str(vr, op),
				  r->out ? r->out : "");
		}
		if (res == VPN_RES_NEED_ADDR) {
			vip = vpn_if_addr(vr);
			if (!vip)
				vr->no_inner_addr++;
		}
		if (vip)
			vr->settle_until_ms = 0;
		if (vip != vr->v.vip) {
			json_object *ev = json_object_new_object();

			mip4_vmn_vpn(&vr->v, t, vip);
			jadd_str(ev, "event", vip ? "vpn-up" : "vpn-down");
			if (vip)
				jadd_addr(ev, "vip", vip);
			role_event(vr->env, ev);
		}
		break;
	default:
		break;
	}
	schedule(vr);
}

/* Run the driver's job (one at a time); its result comes to
 * on_vpn_done(). */
static int swan_run(struct vpnrole *vr, enum swan_op op)
{
	static const enum priv_vpn what[] = {
		[SW_INITIATE] = PRIV_VPN_INITIATE,
		[SW_TERMINATE] = PRIV_VPN_TERMINATE,
		[SW_LIST] = PRIV_VPN_LIST,
	};
	int rc = priv_vpn_run(vr->env->priv, what[op]);

	if (rc < 0) {
		vr->swan_failures++;
		log_warnx("vpn: cannot run %s %s: %s", vpn_who(vr),
			  swan_op_str(vr, op), strerror(-rc));
		return rc;
	}
	vr->op = op;
	if (op == SW_INITIATE)
		vr->initiations++;
	else if (op == SW_TERMINATE)
		vr->terminations++;
	log_info("vpn: %s %s", vpn_who(vr), swan_op_str(vr, op));
	return 0;
}

/* Bring the VPN to what detection wants, one driver job at a time. */
static void vpn_follow(struct vpnrole *vr, const struct mip4_vmn_out *w,
		       uint64_t t)
{
	if (vr->op != SW_IDLE)
		return;
	if (w->restart_vpn) {
		/* naive: a new IKE SA after every move (RFC 4093 §4.1) */
		mip4_vmn_vpn_restarted(&vr->v);
		event_simple(vr, "vpn-down");
		vr->restart_pending = true;
		(void)swan_run(vr, SW_TERMINATE);
		return;
	}
	if (vr->want_list) {
		vr->want_list = false;
		(void)swan_run(vr, SW_LIST);
		return;
	}
	switch (w->vpn) {
	case MIP4_VMN_VPN_UP:
		if (vr->v.vpn_up) {
			if (t >= vr->vpn_checked_ms + VPN_CHECK_MS)
				(void)swan_run(vr, SW_LIST);
			break;
		}
		/* cvc: IKE only once x-MIP carries the x-HoA (§2.3) */
		if (vr->cfg->det.mode == MIP4_VMN_CVC && !vr->x_reg)
			break;
		if (t < vr->settle_until_ms) {
			if (t >= vr->vpn_checked_ms + VPN_POLL_MS)
				(void)swan_run(vr, SW_LIST);
			break;
		}
		if (t < vr->vpn_retry_ms && !vr->restart_pending)
			break;
		vr->restart_pending = false;
		(void)swan_run(vr, SW_INITIATE);
		break;
	case MIP4_VMN_VPN_DOWN:
		/* also a client still connecting after its "up" */
		if (vr->v.vpn_up || vr->restart_pending || vr->settle_until_ms) {
			vr->restart_pending = false;
			vr->settle_until_ms = 0;
			(void)swan_run(vr, SW_TERMINATE);
		}
		break;
	default:
		break;
	}
}

/* ---- the probe: a direct registration to the i-HA ---- */


static void probe_send(struct vpnrole *vr, struct mip4_mn_out *o)
{
	if (!o->send)
		return;
	if (mnlayer_send_request(vr->probe_fd, o,
				vr->probe.at.where == MIP4_MN_VIA_FA) < 0) {
		vr->env->counters[D_UDP_TX_ERR]++;
		return;
	}
	vr->env->counters[D_UDP_TX]++;
	vr->probe_sent++;
}

static void probe_arm(struct vpnrole *vr)
{
	mip4d_timer_at(vr->ev_probe_timer,
		       vr->probing ? vr->probe.deadline_ms : 0);
}

static void probe_out(struct vpnrole *vr, struct mip4_mn_out *o)
{
	probe_send(vr, o);
	for (unsigned k = 0; k < o->n_ev; k++) {
		json_object *ev;

		if (o->ev[k].ev != MIP4_MN_EV_REGISTERED)
			continue;
		/* one answer is all detection needs (§3.3) */
		vr->probing = false;
		if (vr->probe.tnc)
			vr->probe_tnc++;
		else
			vr->probe_no_tnc++;
		ev = json_object_new_object();
		jadd_str(ev, "event", "inside-probe");
		json_object_object_add(ev, "tnc",
				       json_object_new_boolean(vr->probe.tnc));
		role_event(vr->env, ev);
		mip4_vmn_probe(&vr->v, mip4d_now_ms(), vr->probe.tnc);
		schedule(vr);
	}
	probe_arm(vr);
}

/*
 * Via a foreign agent the direct attempt goes from the home address to the
 * FA's link-layer address (RFC 5944 §3.6.1.1): x-MIP's FA route serves in
 * mode cvc; without x-MIP (mc, naive) the neighbour entry and the host
 * route to the FA are ours.  fa 0 takes them away.
 */
static void probe_fa_link(struct vpnrole *vr, uint32_t fa, int ifindex)
{
	if (vr->x || (fa == vr->probe_fa && ifindex == vr->probe_fa_if))
		return;
	if (vr->probe_fa) {
		(void)priv_route(vr->env->priv, false, vr->probe_fa, 32, vr->probe_fa_if, 0, false);
		(void)priv_neigh_del(vr->env->priv, vr->probe_fa_if, vr->probe_fa);
		vr->probe_fa = 0;
		vr->probe_fa_if = 0;
	}
	if (!fa || ifindex <= 0)
		return;
	if (priv_neigh_add(vr->env->priv, ifindex, fa, vr->link_mac) < 0 ||
	    priv_route_add_src(vr->env->priv, fa, 32, ifindex,
			     vr->env->conf->mn.cfg.home_addr, 0) < 0) {
		vr->env->counters[D_ROUTE_ERR]++;
		log_warnx("vpn: route to the foreign agent for detection failed");
	}
	vr->probe_fa = fa;
	vr->probe_fa_if = ifindex;
}

static void probe_start(struct vpnrole *vr, const struct mip4_mn_attach *at)
{
	struct mip4_mn_now n = mnlayer_now();
	struct mip4_mn_out o;

	probe_fa_link(vr, at->where == MIP4_MN_VIA_FA ? at->fa_addr : 0,
		      vr->link_if);
	vr->probing = true;
	vr->probe_run = vr->v.detections;
	mip4_mn_attach(&vr->probe, &n, at, &o);
	probe_out(vr, &o);
}

static void probe_stop(struct vpnrole *vr)
{
	struct mip4_mn_now n = mnlayer_now();
	struct mip4_mn_out o;
	struct mip4_mn_attach none = {.where = MIP4_MN_DETACHED};

	if (!vr->probing)
		return;
	vr->probing = false;
	mip4_mn_attach(&vr->probe, &n, &none, &o);
	probe_arm(vr);
}

static void on_probe_timer(evutil_socket_t fd, short what, void *arg)
{
	struct vpnrole *vr = arg;
	struct mip4_mn_now n = mnlayer_now();
	struct mip4_mn_out o;

	(void)fd;
	(void)what;
	if (!vr->probing)
		return;
	mip4_mn_timer(&vr->probe, &n, &o);
	probe_out(vr, &o);
}

static void on_probe(evutil_socket_t fd, short what, void *arg)
{
	struct vpnrole *vr = arg;

	(void)what;
	for (int k = 0; k < 16; k++) {
		ssize_t len = recv(fd, vr->probe_buf, MIP4_MSG_MAX,
				   MSG_DONTWAIT);
		struct mip4_mn_now n;
		struct mip4_mn_out o;

		if (len < 0)
			break;
		vr->env->counters[D_UDP_RX]++;
		if (!vr->probing)
			continue;
		n = mnlayer_now();
		mip4_mn_input(&vr->probe, &n, vr->probe_buf, (size_t)len, &o);
		probe_out(vr, &o);
	}
}

static int probe_open(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int one = 1, mark = P_MARK;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	/* the main table: straight out of the link, never into a tunnel */
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- carrying out what detection wants ---- */

static bool same_attach(const struct mip4_mn_attach *a,
			const struct mip4_mn_attach *b)
{
	return a->where == b->where && a->coa == b->coa &&
	       a->fa_addr == b->fa_addr;
}

static bool attached(const struct mip4_mn_attach *a)
{
	return a->where == MIP4_MN_COLOCATED || a->where == MIP4_MN_VIA_FA ||
	       a->where == MIP4_MN_AT_HOME;
}

static const char *mode_now(const struct vpnrole *vr)
{
	enum mip4_mn_where w;

	switch (vr->v.state) {
	case MIP4_VMN_INSIDE:
		return vr->link.where == MIP4_MN_VIA_FA ? "f" : "c";
	case MIP4_VMN_OUTSIDE:
		if (vr->cfg->det.mode != MIP4_VMN_CVC)
			return mip4_vmn_mode_str(vr->cfg->det.mode);
		w = vr->x ? mnlayer_where(vr->x) : MIP4_MN_DETACHED;
		return w == MIP4_MN_VIA_FA ? "fvc" : "cvc";
	default:
		return "none";
	}
}

/* mc / naive: the VPN's own packets leave by the link's default router,
 * not into i-MIP's catch-all table. */
static void gateway_route(struct vpnrole *vr)
{
	uint32_t via = vr->have_link ? vr->link_gw : 0;
	int ifx = vr->have_link ? vr->link_if : 0;

	if (vr->cfg->det.mode == MIP4_VMN_CVC)
		return;
	if (via == vr->gw_route_via && ifx == vr->gw_route_if)
		return;
	if (vr->gw_route_via)
		(void)priv_route(vr->env->priv, false, vr->cfg->gateway, 32, vr->gw_route_if,
				   0, false);
	vr->gw_route_via = 0;
	vr->gw_route_if = 0;
	if (!via || ifx <= 0)
		return;
	if (priv_route_add_via(vr->env->priv, vr->cfg->gateway, 32, via, ifx, 0,
			       0, 0) < 0) {
		vr->env->counters[D_ROUTE_ERR]++;
		log_warnx("vpn: route to the gateway via the link failed");
		return;
	}
	vr->gw_route_via = via;
	vr->gw_route_if = ifx;
}

static void apply_inner(struct vpnrole *vr, enum mip4_vmn_inner want)
{
	struct mip4_mn_attach at = {.where = MIP4_MN_DETACHED};

	if (want == vr->inner &&
	    (want != MIP4_VMN_IN_VPN || vr->inner_vip == vr->v.vip))
		return;
	vr->inner = want;
	vr->inner_vip = want == MIP4_VMN_IN_VPN ? vr->v.vip : 0;
	vr->i_reg = false;
	switch (want) {
	case MIP4_VMN_IN_DIRECT:
		mnlayer_mark_table(vr->i, 0);
		mnlayer_attach(vr->i, NULL);
		break;
	case MIP4_VMN_IN_VPN:
		/* co-located at the VPN tunnel inner address; i-MIP's own
		 * packets take the VPN's routing table */
		mnlayer_mark_table(vr->i, vr->cfg->table);
		at.where = MIP4_MN_COLOCATED;
		at.coa = vr->v.vip;
		mnlayer_attach(vr->i, &at);
		break;
	default:
		mnlayer_attach(vr->i, &at);
		break;
	}
}

static void apply_outer(struct vpnrole *vr, bool active)
{
	struct mip4_mn_attach off = {.where = MIP4_MN_DETACHED};

	if (!vr->x || active == vr->x_active)
		return;
	vr->x_active = active;
	vr->x_reg = false;
	/* inside: deregister from the x-HA (§3.3) if it holds a binding */
	if (!active && mnlayer_mn(vr->x)->registered)
		off.where = MIP4_MN_AT_HOME;
	mnlayer_attach(vr->x, active ? NULL : &off);
}

/* Read what the layers did, tell detection, then put in place what it
 * wants.  Runs from a zero-delay event, never inside a layer's call. */
static void step(struct vpnrole *vr)
{
	struct mnlayer *scanner = vr->x ? vr->x : vr->i;
	struct mip4_mn_attach at;
	struct mip4_vmn_out w;
	uint64_t t = mip4d_now_ms();
	uint32_t gw = 0;
	int ifx = 0;
	uint8_t mac[6];

	vr->in_step = true;
	/* 1. the link (§3.2.1: the interface the scan picked) */
	if (mnlayer_scan(scanner, &at, &gw, &ifx, mac) &&
	    (!same_attach(&at, &vr->link) || ifx != vr->link_if ||
	     gw != vr->link_gw)) {
		bool up = attached(&at);

		vr->link = at;
		vr->link_if = ifx;
		vr->link_gw = gw;
		memcpy(vr->link_mac, mac, 6);
		vr->have_link = up;
		vr->x_reg = false;
		mip4_vmn_link(&vr->v, t, up);
		if (up && vr->probing)
			probe_stop(vr); /* a new attempt from the new link */
	}
	/* 2. x-MIP registered from this link? */
	if (vr->x) {
		const struct mip4_mn *m = mnlayer_mn(vr->x);
		enum mip4_mn_where xw = mnlayer_where(vr->x);
		bool reg = vr->x_active && m->registered &&
			   (xw == MIP4_MN_COLOCATED || xw == MIP4_MN_VIA_FA) &&
			   m->reg_coa == m->at.coa;

		if (reg != vr->x_reg) {
			vr->x_reg = reg;
			mip4_vmn_x(&vr->v, t, reg);
		}
	}
	/* 3. i-MIP registered from its source? (every acceptance counts
	 * for T_MONITOR) */
	if (vr->inner != MIP4_VMN_IN_NONE) {
		const struct mip4_mn *m = mnlayer_mn(vr->i);
		bool reg = m->registered && m->reg_coa == m->at.coa &&
			   m->at.where != MIP4_MN_DETACHED;

		if (reg != vr->i_reg || (reg && m->ok_ms != vr->i_ok_seen)) {
			vr->i_reg = reg;
			vr->i_ok_seen = m->ok_ms;
			mip4_vmn_inner(&vr->v, t, vr->inner, reg, m->tnc);
		}
	}
	mip4_vmn_timer(&vr->v, t);
	mip4_vmn_want(&vr->v, t, &w);
	/* 4. put it in place */
	gateway_route(vr);
	apply_outer(vr, w.x_active);
	apply_inner(vr, w.inner);
	mnlayer_gate(vr->i, w.gate);
	vr->gated = w.gate;
	/* one direct attempt per detection run (its retransmissions are
	 * mip4_mn's) */
	if (w.probe && vr->have_link && vr->probe_run != vr->v.detections)
		probe_start(vr, &vr->link);
	else if (!w.probe)
		probe_stop(vr);
	vpn_follow(vr, &w, t);
	/* 5. say what changed */
	{
		const char *mode = mode_now(vr);

		if (vr->v.state != vr->shown || mode != vr->shown_mode) {
			json_object *ev = json_object_new_object();

			if (vr->v.state == MIP4_VMN_OUTSIDE &&
			    vr->shown != MIP4_VMN_OUTSIDE)
				vr->outside_moves++;
			if (vr->v.state == MIP4_VMN_INSIDE &&
			    vr->shown != MIP4_VMN_INSIDE)
				vr->inside_moves++;
			jadd_str(ev, "event", mip4_vmn_state_str(vr->v.state));
			jadd_str(ev, "mode", mode);
			if (vr->v.state == MIP4_VMN_OUTSIDE)
				jadd_int(ev, "x_registered", vr->x_reg);
			jadd_int(ev, "since_change_ms",
				(int64_t)(t - vr->v.changed_ms));
			role_event(vr->env, ev);
			vr->shown = vr->v.state;
			vr->shown_mode = mode;
		}
	}
	/* 6. the next deadline */
	{
		uint64_t dl = w.deadline_ms;

		if (w.vpn == MIP4_VMN_VPN_UP && vr->op == SW_IDLE) {
			uint64_t c = vr->v.vpn_up ? vr->vpn_checked_ms + VPN_CHECK_MS
				     : t < vr->settle_until_ms
					     ? vr->vpn_checked_ms + VPN_POLL_MS
					     : vr->vpn_retry_ms;

			if (c > t && (!dl || c < dl))
				dl = c;
		}
		mip4d_timer_at(vr->ev_timer, dl);
	}
	vr->in_step = false;
}

static void on_step(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	step(arg);
}

static void schedule(struct vpnrole *vr)
{
	if (!vr->in_step)
		event_active(vr->ev_step, EV_TIMEOUT, 0);
}

static void on_layer(void *ctx, struct mnlayer *r, enum mnlayer_note what)
{
	(void)r;
	(void)what;
	schedule(ctx);
}

/* ---- start, stop, status ---- */

/* As root: both layers' sockets and devices, and the probe's socket. */
static int vpn_open(const struct role_env *env, void **state)
{
	struct vpnrole *vr = calloc(1, sizeof *vr);
	const struct mip4_config_vpn *c = &env->conf->vpn;
	struct mnlayer_params ip = {
		.c = &env->conf->mn,
		.tag = " (i)",
		.layer = "i",
		.mark = I_MARK,
		.table = I_TABLE,
		.pref_mark = PREF_I_MARK,
		.pref_local = PREF_I_LOCAL,
		.pref_table = PREF_I_TABLE,
		.udp_port = 0,
		/* RFC 5265 §3.2.4: re-register inside before T_MONITOR ends */
		.renew_max_ms = c->det.t_monitor_ms > 10000
					? c->det.t_monitor_ms - 5000
					: c->det.t_monitor_ms / 2,
		.mtu = I_MTU,
		.keep_routes = true,
		/* mc / naive: the VPN's own packets never take i-MIP's
		 * catch-all while the link has no route to the gateway (a
		 * socket opened then would take the i-HoA as its source and
		 * send it bare on the next link) */
		.exclude = c->det.mode == MIP4_VMN_CVC ? 0 : c->gateway,
		.anon_solicit = true,
		.notify = on_layer,
	};
	struct mnlayer_params xp = {
		.c = &c->outer,
		.tag = " (x)",
		.layer = "x",
		.mark = X_MARK,
		.table = X_TABLE,
		.pref_mark = PREF_X_MARK,
		.pref_local = 0,
		.pref_table = PREF_X_FROM,
		.from_home = true,
		.udp_port = MIP4_PORT,
		.notify = on_layer,
	};
	struct mip4_mn_cfg pc = env->conf->mn.cfg;

	*state = vr;
	if (!vr)
		return -1;
	vr->env = env;
	vr->cfg = c;
	vr->probe_fd = -1;
	vr->link_if = -1;
	vr->shown = MIP4_VMN_DETACHED;
	vr->shown_mode = "none";
	ip.ctx = vr;
	xp.ctx = vr;
	mip4_vmn_init(&vr->v, &c->det);
	/* the probe: i-MIP's association, its own socket and mark */
	pc.retrans_min_ms = 1000;
	mip4_mn_init(&vr->probe, &pc);
	if (c->driver == MIP4_VPN_WIREGUARD && nl_open(&vr->nl) < 0) {
		log_warnx("vpn: netlink for %s's address", c->vpn_if);
		return -1;
	}
	vr->probe_buf = malloc(MIP4_MSG_MAX);
	if (!vr->probe_buf)
		return -1;
	vr->probe_fd = probe_open();
	if (vr->probe_fd < 0) {
		log_warn("vpn: probe socket");
		return -1;
	}
	if (c->det.mode == MIP4_VMN_CVC) {
		vr->x = mnlayer_new(env, &xp);
		if (!vr->x)
			return -1;
	}
	vr->i = mnlayer_new(env, &ip);
	return vr->i ? 0 : -1;
}

static int vpn_start(void *state)
{
	struct vpnrole *vr = state;
	const struct role_env *env = vr->env;
	const struct mip4_config_vpn *c = vr->cfg;
	struct mip4_mn_attach none = {.where = MIP4_MN_DETACHED};

	priv_set_vpn_cb(env->priv, on_vpn_done, vr);
	vr->ev_step = event_new(env->base, -1, 0, on_step, vr);
	vr->ev_timer = evtimer_new(env->base, on_step, vr);
	vr->ev_probe_timer = evtimer_new(env->base, on_probe_timer, vr);
	vr->ev_probe = event_new(env->base, vr->probe_fd, EV_READ | EV_PERSIST,
				 on_probe, vr);
	if (!vr->ev_step || !vr->ev_timer || !vr->ev_probe_timer ||
	    !vr->ev_probe || event_add(vr->ev_probe, NULL) < 0)
		fatalx("event_new failed");
	vr->started = true;
	(void)priv_rule_del(env->priv, PREF_PROBE);
	if (priv_rule_add(env->priv, PREF_PROBE, RT_TABLE_MAIN, P_MARK, -1) < 0)
		env->counters[D_ROUTE_ERR]++;
	if (vr->x) {
		if (mnlayer_start(vr->x) < 0)
			return -1;
		/* the VPN client's path check finds the x-HoA (top) */
		(void)priv_route(env->priv, false, c->gateway, 32, 0, 0, false);
		if (priv_route_add_src(env->priv, c->gateway, 32,
				       mnlayer_tun_ifindex(vr->x),
				       c->outer.cfg.home_addr, 0) < 0) {
			env->counters[D_ROUTE_ERR]++;
			log_warnx("vpn: route to the gateway into %s failed",
				  c->outer.tunnel_dev);
		}
	}
	if (mnlayer_start(vr->i) < 0)
		return -1;
	/* nothing goes anywhere until detection says where (§3.2.2) */
	mnlayer_gate(vr->i, true);
	mnlayer_attach(vr->i, &none);
	if (vr->x) {
		/* x starts off; detection turns it on */
		vr->x_active = false;
		mnlayer_attach(vr->x, &none);
	}
	{
		char a[16], b[16];

		log_info("vpn: mode %s, gateway %s, i-HA %s, detection period "
			 "%u ms, T_MONITOR %u s",
			 mip4_vmn_mode_str(c->det.mode), mip4_ntoa(c->gateway, a),
			 mip4_ntoa(env->conf->mn.cfg.ha_addr, b),
			 (unsigned)c->det.detect_ms,
			 (unsigned)(c->det.t_monitor_ms / 1000));
	}
	schedule(vr);
	return 0;
}

static void vpn_stop(void *state)
{
	struct vpnrole *vr = state;

	if (!vr)
		return;
	/* i first: its deregistration may still need the VPN and x-MIP */
	mnlayer_free(vr->i);
	mnlayer_free(vr->x);
	if (vr->started) {
		struct priv *p = vr->env->priv;

		priv_set_vpn_cb(p, NULL, NULL);
		probe_fa_link(vr, 0, 0);
		(void)priv_rule_del(p, PREF_PROBE);
		if (vr->cfg->det.mode == MIP4_VMN_CVC)
			(void)priv_route(p, false, vr->cfg->gateway, 32, 0, 0, false);
		else if (vr->gw_route_via)
			(void)priv_route(p, false, vr->cfg->gateway, 32,
					     vr->gw_route_if, 0, false);
	}
	if (vr->ev_step)
		event_free(vr->ev_step);
	if (vr->ev_timer)
		event_free(vr->ev_timer);
	if (vr->ev_probe)
		event_free(vr->ev_probe);
	if (vr->ev_probe_timer)
		event_free(vr->ev_probe_timer);
	if (vr->probe_fd >= 0)
		close(vr->probe_fd);
	nl_close(vr->nl);
	free(vr->probe_buf);
	free(vr);
}

static json_object *vpn_status(void *state)
{
	struct vpnrole *vr = state;
	json_object *o = json_object_new_object();
	json_object *vpn = json_object_new_object();
	uint64_t t = mip4d_now_ms();

	jadd_str(o, "detection", mip4_vmn_state_str(vr->v.state));
	jadd_str(o, "mode", mode_now(vr));
	jadd_str(o, "stack", mip4_vmn_mode_str(vr->cfg->det.mode));
	json_object_object_add(o, "gated", json_object_new_boolean(vr->gated));
	jadd_int(o, "since_change_ms", (int64_t)(t - vr->v.changed_ms));
	jadd_int(o, "link_changes", (int64_t)vr->v.changes);
	jadd_str(vpn, "state", vr->op == SW_INITIATE    ? "initiating"
			      : vr->op == SW_TERMINATE ? "terminating"
			      : vr->v.vpn_up	       ? "up"
						       : "down");
	if (vr->v.vip)
		jadd_addr(vpn, "vip", vr->v.vip);
	jadd_addr(vpn, "gateway", vr->cfg->gateway);
	jadd_str(vpn, "driver", vpn_driver_name(vr->cfg));
	if (vr->cfg->driver == MIP4_VPN_STRONGSWAN)
		jadd_str(vpn, "ike", vr->cfg->ike);
	jadd_int(vpn, "initiations", (int64_t)vr->initiations);
	jadd_int(vpn, "terminations", (int64_t)vr->terminations);
	json_object_object_add(o, "vpn", vpn);
	json_object_object_add(o, "inner", mnlayer_status_of(vr->i));
	if (vr->x)
		json_object_object_add(o, "outer", mnlayer_status_of(vr->x));
	return o;
}

static void vpn_counters(void *state, json_object *out)
{
	struct vpnrole *vr = state;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "inner", mnlayer_counters_of(vr->i));
	if (vr->x)
		json_object_object_add(o, "outer", mnlayer_counters_of(vr->x));
	jadd_int(o, "link-changes", (int64_t)vr->v.changes);
	jadd_int(o, "went-inside", (int64_t)vr->inside_moves);
	jadd_int(o, "went-outside", (int64_t)vr->outside_moves);
	jadd_int(o, "probe-requests", (int64_t)vr->probe_sent);
	jadd_int(o, "probe-accepted-tnc", (int64_t)vr->probe_tnc);
	jadd_int(o, "probe-accepted-no-tnc", (int64_t)vr->probe_no_tnc);
	jadd_int(o, "vpn-initiations", (int64_t)vr->initiations);
	jadd_int(o, "vpn-terminations", (int64_t)vr->terminations);
	jadd_int(o, "vpn-swanctl-failures", (int64_t)vr->swan_failures);
	jadd_int(o, "vpn-swanctl-killed", (int64_t)vr->swan_killed);
	jadd_int(o, "vpn-status-garbage", (int64_t)vr->status_garbage);
	jadd_int(o, "vpn-no-inner-address", (int64_t)vr->no_inner_addr);
	json_object_object_add(out, "mobile-node", o);
}

/* The mobile-node and vpn blocks are read at start only. */
static int vpn_reload(void *state, struct mip4_config *nc)
{
	(void)state;
	(void)nc;
	return 0;
}

/* Both layers' TUNs and the links; their tables and rules, the VPN's
 * table as a rule's target; host routes (FAs, the gateway); the VPN
 * client's commands. */
static void vpn_allow(const struct mip4_config *c, struct priv_policy *pol)
{
	static const uint32_t prios[] = {PREF_PROBE, PREF_X_MARK, PREF_X_FROM,
					 PREF_I_MARK, PREF_I_LOCAL,
					 PREF_I_TABLE};

	pol_dev(pol, c->mn.tunnel_dev);
	if (c->vpn.det.mode == MIP4_VMN_CVC)
		pol_dev(pol, c->vpn.outer.tunnel_dev);
	for (unsigned i = 0; i < c->mn.n_if; i++)
		pol_dev(pol, c->mn.ifname[i]);
	pol_table(pol, I_TABLE);
	pol_table(pol, X_TABLE);
	pol_rule_table(pol, c->vpn.table);
	for (size_t i = 0; i < sizeof prios / sizeof prios[0]; i++)
		pol_prio(pol, prios[i]);
	pol_mark(pol, I_MARK);
	pol_mark(pol, X_MARK);
	pol_mark(pol, P_MARK);
	pol_route(pol, 0, 0, 32, 32, "");
	pol->neigh = true;
	pol->vpn = true;
}

static bool vpn_wanted(const struct mip4_config *c)
{
	return c->have_mn && c->have_vpn;
}

const struct role_ops vpnrole_ops = {
	.name = "mobile-node",
	.key = "mobile_node",
	.wanted = vpn_wanted,
	.open = vpn_open,
	.start = vpn_start,
	.stop = vpn_stop,
	.reload = vpn_reload,
	.tick = NULL,
	.status = vpn_status,
	.counters = vpn_counters,
	.allow = vpn_allow,
};
