/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The home agent role: UDP port 434 in, libmip4's request funnel, replies
 * out, and every binding change applied to the routing table, the store
 * and the monitor stream.  Tunnel data messages (RFC 3519 type 4) that
 * share the port go to the data plane.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "dp.h"
#include "garp.h"
#include "json.h"
#include "log.h"
#include "mip4/ip.h"
#include "nl.h"
#include "priv.h"
#include "priv_policy.h"
#include "role.h"
#include "hastore.h"

#define RX_BATCH 64
#define RX_BUFSZ MIP4_MSG_MAX

/* Room for one IP_PKTINFO control message, aligned for it. */
union pktinfo_cmsg {
	char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct cmsghdr align;
};

/* One receive batch: its datagrams, where they came from, the results. */
struct ha_rx {
	uint8_t bufs[RX_BATCH][RX_BUFSZ];
	struct sockaddr_in from[RX_BATCH];
	union pktinfo_cmsg ctl[RX_BATCH];
	struct mip4_ha_result res[RX_BATCH];
	struct mip4_ha_rx req[RX_BATCH]; /* for mip4_ha_refuse() */
	bool at_home[RX_BATCH]; /* from the home address on the home link */
	bool wrote[RX_BATCH];	/* its fate hangs on the batch's commit */
	struct sockaddr_in to[RX_BATCH];
	union pktinfo_cmsg txctl[RX_BATCH];
};

struct harole {
	const struct role_env *env;
	struct mip4_ha *ha;
	struct dp *dp;
	struct nl *nl; /* unprivileged queries (neighbour addresses) */
	struct hastore *hs;
	/* Two port-434 sockets: see open_udp() */
	int udp_fd, udp_any_fd;
	int tun_ifindex;
	int home_ifindex; /* physical home link, or 0 */
	struct garp_queue *garp; /* repeats on the home link */
	bool *fa_warned; /* per foreign-agent entry: misplaced SA logged */
	size_t n_fa_warned;
	struct event *ev_udp, *ev_udp_any, *ev_tun, *ev_raw;
	struct ha_rx *rx; /* 4 MiB of buffers, touched only as used */
	int restored;
	bool started;	    /* past the split: the parent tears down */
	char dp_why[256];   /* which data plane, and why */
	char dp_instance[64];
	uint64_t dp_errors; /* kernel map updates that failed */
	struct log_rl rl_send, rl_recv; /* per-packet messages (log.h) */
};

static struct mip4_ha_mn *lookup_mn(void *ctx, uint32_t home, const char *nai,
				    size_t nai_len)
{
	struct harole *h = ctx;

	return mip4_config_find_mn(h->env->conf, home, nai, nai_len);
}

static const struct mip4_ha_fa *lookup_fa(void *ctx, uint32_t addr)
{
	struct harole *h = ctx;

	return mip4_config_find_fa(h->env->conf, addr);
}

static const char *encap_name(uint8_t encap)
{
	switch (encap) {
	case MIP4_ENCAP_UDP: return "udp";
	case MIP4_ENCAP_GRE: return "gre";
	case MIP4_ENCAP_MIN: return "minimal";
	default: return "ipip";
	}
}

static json_object *json_event(const char *name)
{
	json_object *ev = json_object_new_object();

	jadd_str(ev, "event", name);
	return ev;
}

/* Wall-clock expiry of a care-of address, for the store. */
/*
 * Packets for a registered home address must reach the TUN device: a /32
 * route into it, and on a physical home link a proxy ARP entry plus a
 * gratuitous ARP so that hosts there send to us (RFC 5944 §4.6).
 */
static void route_add(struct harole *h, uint32_t home)
{
	/* Asynchronous: the receive batch waits for all of them before its
	 * replies leave (priv_flush); a failure reaches the daemon's error
	 * callback, which logs and counts it. */
	(void)priv_route(h->env->priv, true, home, 32, h->tun_ifindex, 0, true);
	if (!h->home_ifindex)
		return;
	(void)priv_proxy(h->env->priv, true, h->home_ifindex, home, true);
	(void)priv_garp(h->env->priv, h->home_ifindex, home, NULL, true);
	h->env->counters[D_GARP_TX]++;
	/* the rest of the repeats (§4.6), from the tick */
	garp_queue_add(h->garp, h->home_ifindex, home, false,
		       mip4d_now_ms() + GARP_INTERVAL_MS, GARP_SENDS - 1);
}

/*
 * The binding went.  at_home: the node deregistered from its home link,
 * so after the proxy entry goes we announce its own hardware address
 * (RFC 5944 §4.6), repeated, while the reply goes out.
 */
static void route_del(struct harole *h, uint32_t home, bool at_home)
{
	(void)priv_route(h->env->priv, false, home, 32, h->tun_ifindex, 0, true);
	/* The MN at home answers ARP itself (RFC 5944 §4.6). */
	if (!h->home_ifindex)
		return;
	(void)priv_proxy(h->env->priv, false, h->home_ifindex, home, true);
	if (at_home)
		garp_queue_add(h->garp, h->home_ifindex, home, true,
			       mip4d_now_ms(), GARP_SENDS);
	else
		garp_queue_cancel(h->garp, home);
}

/* Send the gratuitous ARPs that are due. */
static void garp_run(struct harole *h, uint64_t now)
{
	struct garp_entry due[64];
	size_t n;

	if (!h->garp || !h->garp->n)
		return;
	n = garp_queue_due(h->garp, now, due, sizeof due / sizeof due[0]);
	for (size_t i = 0; i < n; i++) {
		uint8_t mac[6];
		int rc = 0;

		/* The node's hardware address: the kernel learns it when
		 * our reply to it is resolved, so the first try right after
		 * the reply may not have it yet. */
		if (due[i].for_node)
			rc = nl_neigh_lladdr(h->nl, due[i].ifindex, due[i].addr,
					     mac);
		if (rc == 0)
			rc = priv_garp(h->env->priv, due[i].ifindex,
				       due[i].addr, due[i].for_node ? mac : NULL,
				       true);
		if (rc == 0)
			h->env->counters[D_GARP_TX]++;
		else if (rc == -ENOENT)
			h->env->counters[D_GARP_NO_MAC]++;
		else
			h->env->counters[D_ROUTE_ERR]++;
	}
}

/* An event about care-of address c of a binding (c NULL: all went). */
static void binding_event(struct harole *h, const char *name,
			  const struct mip4_binding *b, uint32_t home,
			  uint32_t coa, bool routine)
{
	json_object *ev;
	int i;

	/* A renewal that changes nothing is the HA's most frequent event:
	 * built only for someone who follows events or for the debug log
	 * (it was a quarter of the cost of a renewal at 1k bindings,
	 * bench/README.md). */
	if (routine && !role_monitored(h->env) && !log_debug_enabled())
		return;
	ev = json_event(name);
	i = b ? mip4_binding_coa_find(b, coa) : -1;

	jadd_addr(ev, "home_addr", home);
	jadd_addr(ev, "coa", coa);
	if (i >= 0) {
		struct mip4_coa c;

		mip4_binding_coa(b, (size_t)i, &c);
		jadd_int(ev, "lifetime", c.lifetime);
		jadd_str(ev, "encap", encap_name(c.encap));
		jadd_addr(ev, "peer", c.peer_addr);
		jadd_int(ev, "peer_port", c.peer_port);
	}
	if (b) {
		jadd_int(ev, "care_of_addresses", (int64_t)mip4_binding_ncoa(b));
		if (b->nai)
			jadd_str(ev, "nai", b->nai);
	}
	if (routine)
		role_event_routine(h->env, ev);
	else
		role_event(h->env, ev);
}

/*
 * A relayed request with an FA-HA extension came from src, for which no
 * foreign-agent entry exists.  When the SPI is one configured for another
 * address, the entry most likely names the FA's link address, while FAs
 * relay from their care-of address (RFC 5944 §3.7.2.2): say so, once per
 * entry (every request of that FA is dropped silently until it is fixed).
 */
static void fa_sa_misplaced(struct harole *h, uint32_t src, uint32_t spi)
{
	const struct mip4_config_ha *c = &h->env->conf->ha;
	char a[16], b[16];

	for (size_t i = 0; i < c->n_fa; i++) {
		if (c->fa[i].sa.spi != spi || c->fa[i].addr == src)
			continue;
		if (i < h->n_fa_warned && h->fa_warned[i])
			return;
		log_warnx("relayed request from %s with FA-HA SPI %#x dropped: "
			  "that SPI is configured for foreign-agent %s, but "
			  "foreign agents relay from their care-of address "
			  "(RFC 5944 §3.7.2.2); name %s in that entry",
			  mip4_ntoa(src, a), spi, mip4_ntoa(c->fa[i].addr, b),
			  mip4_ntoa(src, a));
		if (i < h->n_fa_warned)
			h->fa_warned[i] = true;
		return;
	}
}

/* The kernel's copy of a binding (eBPF data plane), before the reply
 * leaves; a failure leaves the binding to the userspace path (dp.h). */
static void dp_update(struct harole *h, const struct mip4_binding *b)
{
	if (dp_bind_update(h->dp, b) < 0)
		h->dp_errors++;
}

static void dp_remove(struct harole *h, uint32_t home)
{
	if (dp_bind_remove(h->dp, home) < 0)
		h->dp_errors++;
}

/* Hand a request's binding change to the store; true when it wrote (see
 * hastore.h: a renewal in place may need no write). */
static bool persist(struct harole *h, const struct mip4_ha_result *res,
		    uint64_t now_ms)
{
	bool wrote = false;

	switch (res->change) {
	case MIP4_HA_BIND_ADDED:
	case MIP4_HA_BIND_UPDATED:
	case MIP4_HA_BIND_COA_REMOVED:
		wrote = hastore_put(h->hs, res->binding, res->old_ncoa,
				    res->renewal_only, now_ms);
		break;
	case MIP4_HA_BIND_REMOVED:
		hastore_del(h->hs, res->home_addr);
		wrote = true;
		break;
	default:
		break;
	}
	/* the replay state goes with every write, and with an accepted
	 * request that changed nothing (deregistering an address that was
	 * not registered) */
	if ((res->counter == MIP4_HA_ACCEPTED ||
	     res->counter == MIP4_HA_DEREGISTERED) &&
	    (wrote || res->change == MIP4_HA_NO_CHANGE)) {
		hastore_replay(h->hs, res->spi, res->accepted_id);
		wrote = true;
	}
	return wrote;
}

/* Put a binding back as the file holds it (restore_one/restore_coa). */
static int restore_one(void *ctx, const struct mip4_binding *s,
		       int64_t exp_wall);
static int restore_coa(void *ctx, uint32_t home, const struct mip4_coa *sc,
		       int64_t exp_wall);

/*
 * The batch is not durable (hastore.h).  WRITES_LOST: the bindings whose
 * writes were lost go back to what the file holds, and every acceptance
 * that concerned them becomes a 130.  NOT_DURABLE (the file is gone or
 * not ours): no acceptance leaves; the table keeps its state, which a new
 * file will be written from.
 */
static void take_back(struct harole *h, unsigned n, enum hastore_verdict v)
{
	struct mip4_btable *t = mip4_ha_bindings(h->ha);
	struct ha_rx *b = h->rx;
	uint32_t homes[RX_BATCH];
	unsigned nh = 0, refused = 0;

	for (unsigned i = 0; i < n && v == HASTORE_WRITES_LOST; i++) {
		unsigned k = 0;

		if (!b->wrote[i])
			continue;
		while (k < nh && homes[k] != b->res[i].home_addr)
			k++;
		if (k < nh)
			continue;
		homes[nh++] = b->res[i].home_addr;
		if (b->res[i].change == MIP4_HA_NO_CHANGE)
			continue;
		{
			struct mip4_binding *cur =
				mip4_btable_get(t, b->res[i].home_addr);

			if (cur)
				mip4_btable_del(t, cur);
			(void)hastore_reload(h->hs, b->res[i].home_addr,
					     restore_one, restore_coa, h);
			cur = mip4_btable_get(t, b->res[i].home_addr);
			if (cur)
				dp_update(h, cur);
			else
				dp_remove(h, b->res[i].home_addr);
		}
	}
	for (unsigned i = 0; i < n; i++) {
		struct mip4_ha_result *res = &b->res[i];
		unsigned k = 0;

		if (!res->send || res->code > MIP4_CODE_ACCEPTED_NO_SIMUL)
			continue;
		while (k < nh && homes[k] != res->home_addr)
			k++;
		if (v == HASTORE_WRITES_LOST && k == nh)
			continue; /* a renewal the file already held */
		mip4_ha_refuse(h->ha, &b->req[i], res);
		if (v == HASTORE_WRITES_LOST)
			res->change = MIP4_HA_NO_CHANGE; /* undone above */
		refused++;
	}
	hastore_refused(h->hs, refused);
}

/* What a request's outcome does outside the table once the batch is
 * settled: routes, proxy ARP, events.  at_home: the request came from the
 * home address on the home link. */
static void effects(struct harole *h, const struct mip4_ha_result *res,
		    uint32_t src, bool at_home)
{
	/* the binding as it stands now (a later request of the batch may
	 * have removed it) */
	const struct mip4_binding *b =
		mip4_btable_get(mip4_ha_bindings(h->ha), res->home_addr);

	if (res->counter == MIP4_HA_DROP_FA_HA_NO_SA)
		fa_sa_misplaced(h, src, res->fa_spi);
	switch (res->change) {
	case MIP4_HA_BIND_ADDED:
	case MIP4_HA_BIND_UPDATED:
		if (!b)
			break;
		dp_update(h, b);
		if (res->change == MIP4_HA_BIND_ADDED || res->old_coa != b->coa)
			route_add(h, b->home_addr);
		binding_event(h, "registered", b, b->home_addr, res->coa,
			      res->change == MIP4_HA_BIND_UPDATED &&
				      res->old_coa == b->coa &&
				      res->old_ncoa == mip4_binding_ncoa(b));
		break;
	case MIP4_HA_BIND_COA_REMOVED:
		/* one care-of address went, the others stay (§3.8.2.2) */
		if (b) {
			dp_update(h, b);
			binding_event(h, "deregistered", b, b->home_addr,
				      res->coa, false);
		}
		break;
	case MIP4_HA_BIND_REMOVED:
		dp_remove(h, res->home_addr);
		route_del(h, res->home_addr, at_home);
		binding_event(h, "deregistered", NULL, res->home_addr,
			      res->old_coa, false);
		break;
	default:
		break;
	}
	if (res->send && res->code > 1) {
		json_object *ev = json_event("registration-denied");

		jadd_addr(ev, "home_addr", res->home_addr);
		jadd_int(ev, "code", res->code);
		jadd_str(ev, "reason", mip4_ha_counter_name(res->counter));
		/* what anyone can provoke without a key (a flood of them is
		 * counted, not logged line by line), and the store's refusals
		 * (hastore.c logs those once a minute) */
		if (res->code == MIP4_CODE_HA_MN_AUTH ||
		    res->code == MIP4_CODE_HA_FA_AUTH ||
		    res->code == MIP4_CODE_HA_ID_MISMATCH ||
		    res->counter == MIP4_HA_REJ_NOT_STORED)
			role_event_routine(h->env, ev);
		else
			role_event(h->env, ev);
	} else if (!res->send) {
		log_debug("request dropped: %s",
			  mip4_ha_counter_name(res->counter));
	}
}

/*
 * Send a batch of replies with one sendmmsg, each from the home agent's own
 * address (RFC 5944 §3.8.3.1).
 */
static void send_replies(struct harole *h, struct mip4_ha_result *res,
			 unsigned n)
{
	struct sockaddr_in *to = h->rx->to;
	union pktinfo_cmsg *ctl = h->rx->txctl;
	struct mmsghdr mm[RX_BATCH];
	struct iovec iov[RX_BATCH];
	unsigned k = 0;
	int sent;

	memset(mm, 0, sizeof mm);
	for (unsigned i = 0; i < n; i++) {
		struct cmsghdr *cm;
		struct in_pktinfo pi = {0};

		if (!res[i].send)
			continue;
		to[k] = (struct sockaddr_in){.sin_family = AF_INET};
		to[k].sin_addr.s_addr = htonl(res[i].reply_dst);
		to[k].sin_port = htons(res[i].reply_dport);
		iov[k].iov_base = res[i].reply;
		iov[k].iov_len = res[i].reply_len;
		memset(&ctl[k], 0, sizeof ctl[k]);
		mm[k].msg_hdr.msg_name = &to[k];
		mm[k].msg_hdr.msg_namelen = sizeof to[k];
		mm[k].msg_hdr.msg_iov = &iov[k];
		mm[k].msg_hdr.msg_iovlen = 1;
		mm[k].msg_hdr.msg_control = ctl[k].buf;
		mm[k].msg_hdr.msg_controllen = sizeof ctl[k].buf;
		cm = CMSG_FIRSTHDR(&mm[k].msg_hdr);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof pi);
		pi.ipi_spec_dst.s_addr = htonl(h->env->conf->ha.cfg.addr);
		memcpy(CMSG_DATA(cm), &pi, sizeof pi);
		k++;
	}
	for (unsigned done = 0; done < k; done += (unsigned)sent) {
		sent = sendmmsg(h->udp_fd, mm + done, k - done, 0);
		if (sent <= 0) {
			/* skip the one that failed and go on */
			h->env->counters[D_UDP_TX_ERR]++;
			log_rl_warn(&h->rl_send, "sendmmsg replies");
			sent = 1;
			continue;
		}
		h->env->counters[D_UDP_TX] += (uint64_t)sent;
	}
}

/* The destination address and the interface a datagram came in on. */
static uint32_t pktinfo_dst(struct msghdr *mh, int *ifindex)
{
	*ifindex = 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm;
	     cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof pi);
			*ifindex = pi.ipi_ifindex;
			return ntohl(pi.ipi_addr.s_addr);
		}
	return 0;
}

/* Drain port 434 in batches. */
static void on_udp(evutil_socket_t fd, short what, void *arg)
{
	struct harole *h = arg;
	struct ha_rx *b = h->rx;
	struct mip4_ha_result *res = b->res;
	struct mmsghdr mm[RX_BATCH];
	struct iovec iov[RX_BATCH];
	unsigned nres = 0;
	enum hastore_verdict verdict;
	int n;

	(void)what;
	for (int i = 0; i < RX_BATCH; i++) {
		iov[i].iov_base = b->bufs[i];
		iov[i].iov_len = RX_BUFSZ;
		memset(&mm[i], 0, sizeof mm[i]);
		mm[i].msg_hdr.msg_name = &b->from[i];
		mm[i].msg_hdr.msg_namelen = sizeof b->from[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_control = b->ctl[i].buf;
		mm[i].msg_hdr.msg_controllen = sizeof b->ctl[i].buf;
	}
	n = recvmmsg(fd, mm, RX_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			h->env->counters[D_UDP_RX_ERR]++;
			log_rl_warn(&h->rl_recv, "recvmmsg");
		}
		return;
	}
	/* One store transaction per batch; replies only once what they
	 * grant is on disk (hastore.h), so an answered registration
	 * survives a crash. */
	hastore_batch_begin(h->hs);
	for (int i = 0; i < n; i++) {
		struct mip4_ha_rx *rx = &b->req[nres];
		uint64_t now = mip4d_now_ms();
		int ifindex;

		h->env->counters[D_UDP_RX]++;
		if (mm[i].msg_hdr.msg_flags & MSG_TRUNC) {
			h->env->counters[D_UDP_RX_ERR]++;
			continue;
		}
		memset(rx, 0, sizeof *rx);
		rx->data = b->bufs[i];
		rx->len = mm[i].msg_len;
		rx->src = ntohl(b->from[i].sin_addr.s_addr);
		rx->sport = ntohs(b->from[i].sin_port);
		rx->dst = pktinfo_dst(&mm[i].msg_hdr, &ifindex);
		if (rx->len >= 1 && b->bufs[i][0] == MIP4_MSG_TUNNEL_DATA) {
			h->env->counters[D_TUNNEL_DATA_RX]++;
			(void)dp_udp_input(h->dp, rx->src, rx->sport, rx->data,
					   rx->len);
			continue;
		}
		/* The kernel discards datagrams with a bad UDP checksum
		 * before we see them (RFC 5944 §3.8.2.1). */
		rx->now_ms = now;
		rx->now_ntp = mip4d_now_ntp();
		rx->random = mip4d_random32();
		mip4_ha_input(h->ha, rx, &res[nres]);
		b->at_home[nres] = rx->src == res[nres].home_addr &&
				   h->home_ifindex &&
				   ifindex == h->home_ifindex;
		b->wrote[nres] = persist(h, &res[nres], now);
		nres++;
	}
	verdict = hastore_batch_end(h->hs, mip4d_now_ms());
	if (verdict != HASTORE_DURABLE)
		take_back(h, nres, verdict);
	/* Routes first: a deregistration's reply must not follow the /32
	 * route into our own tunnel. */
	for (unsigned i = 0; i < nres; i++)
		effects(h, &res[i], b->req[i].src, b->at_home[i]);
	/* every route, proxy entry and ARP of the batch in place first */
	priv_flush(h->env->priv);
	send_replies(h, res, nres);
	garp_run(h, mip4d_now_ms());
}

static void on_tun(evutil_socket_t fd, short what, void *arg)
{
	struct harole *h = arg;

	(void)fd;
	(void)what;
	(void)dp_on_tun(h->dp);
}

static void on_raw(evutil_socket_t fd, short what, void *arg)
{
	struct harole *h = arg;

	(void)fd;
	(void)what;
	(void)dp_on_raw(h->dp);
}

/* RFC 5944 §4.2.3: each care-of address expires on its own; the binding
 * (and the route) goes with the last. */
static void on_expired(void *ctx, const struct mip4_binding *b,
		       const struct mip4_coa *c, bool last)
{
	struct harole *h = ctx;

	h->env->counters[D_EXPIRED]++;
	if (last) {
		dp_remove(h, b->home_addr);
		route_del(h, b->home_addr, false);
		hastore_del_now(h->hs, b->home_addr);
		binding_event(h, "expired", NULL, b->home_addr, c->coa, false);
		return;
	}
	dp_update(h, b);
	/* (the callback's binding is const; the store only reads it) */
	hastore_put_now(h->hs, mip4_btable_get(mip4_ha_bindings(h->ha),
					       b->home_addr),
			mip4_binding_ncoa(b) + 1, mip4d_now_ms());
	binding_event(h, "expired", b, b->home_addr, c->coa, false);
}

static void ha_tick(void *state)
{
	struct harole *h = state;

	mip4_ha_expire(h->ha, mip4d_now_ms(), on_expired, h);
	garp_run(h, mip4d_now_ms());
	hastore_tick(h->hs, mip4d_now_ms());
}

/* Monotonic expiry for a stored wall-clock one; one that passed while we
 * were down is due now (the next tick expires it). */
static uint64_t restored_expiry(int64_t exp_wall, uint64_t now_ms)
{
	int64_t left = exp_wall - mip4d_now_wall();

	return left > 0 ? now_ms + (uint64_t)left * 1000 : now_ms;
}

/* Restore one stored binding with its remaining lifetime. */
static int restore_one(void *ctx, const struct mip4_binding *s,
		       int64_t exp_wall)
{
	struct harole *h = ctx;
	uint64_t now = mip4d_now_ms();
	struct mip4_binding *b;

	b = mip4_btable_add(mip4_ha_bindings(h->ha), s->home_addr, s->nai,
			    s->nai ? strlen(s->nai) : 0,
			    restored_expiry(exp_wall, now));
	if (!b)
		return 0;
	b->coa = s->coa;
	b->peer_addr = s->peer_addr;
	b->peer_port = s->peer_port;
	b->lifetime = s->lifetime;
	b->keepalive = s->keepalive;
	b->flags = s->flags;
	b->encap = s->encap;
	b->spi = s->spi;
	b->last_id = s->last_id;
	b->pkts_to_mn = s->pkts_to_mn;
	b->bytes_to_mn = s->bytes_to_mn;
	b->pkts_from_mn = s->pkts_from_mn;
	b->bytes_from_mn = s->bytes_from_mn;
	/* the file keeps it until then (hastore.h) */
	b->durable_s = (uint32_t)(b->expires_ms / 1000);
	return 0;
}

/* Restore a further care-of address of a restored binding. */
static int restore_coa(void *ctx, uint32_t home, const struct mip4_coa *sc,
		       int64_t exp_wall)
{
	struct harole *h = ctx;
	struct mip4_btable *t = mip4_ha_bindings(h->ha);
	struct mip4_binding *b = mip4_btable_get(t, home);
	struct mip4_coa c = *sc;

	/* a file written by a build with a higher MIP4_HA_MAX_COA: keep
	 * what fits this one's bound */
	if (!b || (mip4_binding_coa_find(b, c.coa) < 0 &&
		   mip4_binding_ncoa(b) >= MIP4_HA_MAX_COA))
		return 0;
	c.expires_ms = restored_expiry(exp_wall, mip4d_now_ms());
	b->durable_s = 0; /* several: every renewal writes */
	if (mip4_btable_coa_put(t, b, &c, true) < 0)
		log_warnx("restore: care-of address of a binding: out of "
			  "memory");
	return 0;
}

static int route_restored(void *ctx, const struct mip4_binding *b)
{
	struct harole *h = ctx;

	route_add(h, b->home_addr);
	binding_event(h, "restored", b, b->home_addr, b->coa, false);
	return 0;
}

/* Replay state outlives bindings and restarts (RFC 5944 §5.7.1). */
static void restore_replay(struct harole *h, struct mip4_config *c)
{
	for (size_t i = 0; i < c->ha.n_mn; i++) {
		struct mip4_ha_mn *mn = &c->ha.mn[i];
		uint64_t last;

		if (store_get_replay(hastore_db(h->hs), mn->sa.spi, &last) ==
		    1) {
			mn->replay.last_id = last;
			mn->replay.have_last = true;
		}
	}
}

/*
 * Two port-434 sockets.  The data plane sends RFC 3519 tunnel data on
 * h->udp_fd without IP_PKTINFO, so that socket is bound to the home
 * agent's address: on the wildcard address the kernel would pick the
 * outgoing interface's address as the source, which is not the HA address
 * when the HA sits on its home link behind a router, and a NAT then has
 * no mapping for the packets (RFC 3519 §4.6: tunnel data uses the
 * registration's addresses and ports).  Unicast arrives on that socket;
 * the wildcard one (one HA role per process) still receives requests sent
 * to a broadcast address, which are answered with 136 (RFC 5944
 * §3.8.2.1).  Both are read by on_udp().
 */
static int udp_bind(uint32_t addr)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int one = 1, rcvbuf = 8 << 20; /* doubled: ~20k requests queued, #14 */
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		log_warn("socket");
		return -1;
	}
	sa.sin_port = htons(MIP4_PORT);
	sa.sin_addr.s_addr = htonl(addr);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		log_warn("UDP %s port %d",
			 inet_ntoa((struct in_addr){htonl(addr)}), MIP4_PORT);
		close(fd);
		return -1;
	}
	return fd;
}

static struct event *watch(struct harole *h, int fd,
			   void (*cb)(evutil_socket_t, short, void *))
{
	struct event *ev = event_new(h->env->base, fd, EV_READ | EV_PERSIST, cb, h);

	if (!ev || event_add(ev, NULL) < 0)
		fatalx("event_add failed");
	return ev;
}

/* The tunnel MTU: a 1500-byte path less the largest overhead offered
 * (dp.h): RFC 3519 UDP 32 (IP + UDP + tunnel data header, §4.8), GRE 24,
 * IP-in-IP 20, minimal encapsulation 12.  Outer headers are not
 * fragmented (DF copied, RFC 2003 §3.1). */
static int tunnel_mtu(const struct mip4_ha_cfg *cfg)
{
	return 1500 - (cfg->udp_tunnel ? 32 : cfg->gre ? 24 : 20);
}

/* The pin directory's name: one per TUN device and network namespace, so
 * that two home agents never take each other's programs over. */
static void dp_instance(struct harole *h, const char *tun)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0)
		st.st_ino = 0;
	snprintf(h->dp_instance, sizeof h->dp_instance, "%.15s-%llu", tun,
		 (unsigned long long)st.st_ino);
}

static int open_dp(struct harole *h, const struct mip4_config_ha *c)
{
	static const enum dp_backend backend[] = {
		[MIP4_CONFIG_DP_AUTO] = DP_BACKEND_AUTO,
		[MIP4_CONFIG_DP_EBPF] = DP_BACKEND_EBPF,
		[MIP4_CONFIG_DP_USERSPACE] = DP_BACKEND_USERSPACE,
	};
	uint64_t max = c->n_mn + (c->cfg.pool_first
					  ? (uint64_t)c->cfg.pool_last -
						    c->cfg.pool_first + 1
					  : 0);
	struct dp_cfg dc = {
		.tun_name = c->tunnel_dev,
		.mtu = tunnel_mtu(&c->cfg),
		.local_addr = c->cfg.addr,
		.udp_fd = h->udp_fd,
		.bindings = mip4_ha_bindings(h->ha),
		.backend = c->data_plane < 3 ? backend[c->data_plane]
					     : DP_BACKEND_AUTO,
		.instance = h->dp_instance,
		.bpf_root = c->bpf_root[0] ? c->bpf_root : NULL,
		/* every node may be bound at once, and a little room */
		.max_bindings = (uint32_t)(max + 64 < UINT32_MAX ? max + 64
								: UINT32_MAX),
	};

	dp_instance(h, c->tunnel_dev);
	return dp_open_why(&dc, &h->dp, h->dp_why, sizeof h->dp_why);
}

/* As root: the port-434 sockets and the data plane's devices. */
static int ha_open(const struct role_env *env, void **state)
{
	struct mip4_config_ha *c = &env->conf->ha;
	struct harole *h = calloc(1, sizeof *h);
	int rc;

	*state = h;
	if (!h)
		return -1;
	h->env = env;
	h->udp_fd = h->udp_any_fd = -1;
	h->rx = malloc(sizeof *h->rx);
	h->ha = mip4_ha_new(&c->cfg, lookup_mn, lookup_fa, h, c->n_mn + 16);
	h->n_fa_warned = c->n_fa;
	h->fa_warned = c->n_fa ? calloc(c->n_fa, sizeof *h->fa_warned) : NULL;
	if (!h->rx || !h->ha || (c->n_fa && !h->fa_warned)) {
		log_warnx("out of memory");
		return -1;
	}
	h->udp_any_fd = udp_bind(INADDR_ANY);
	h->udp_fd = h->udp_any_fd < 0 ? -1 : udp_bind(c->cfg.addr);
	if (h->udp_fd < 0)
		return -1;
	rc = nl_open(&h->nl);
	if (rc < 0) {
		log_warnx("netlink: %s", strerror(-rc));
		return -1;
	}
	rc = open_dp(h, c);
	if (rc < 0) {
		log_warnx("data plane (%s): %s", c->tunnel_dev,
			  h->dp_why[0] ? h->dp_why : strerror(-rc));
		return -1;
	}
	log_info("data plane: %s (%s)", dp_backend_name(h->dp), h->dp_why);
	h->tun_ifindex = dp_tun_ifindex(h->dp);
	if (c->home_if[0]) {
		h->garp = calloc(1, sizeof *h->garp);
		if (!h->garp) {
			log_warnx("out of memory");
			return -1;
		}
		h->home_ifindex = nl_ifindex(c->home_if);
		if (h->home_ifindex < 0) {
			log_warnx("home-interface %s: %s", c->home_if,
				  strerror(-h->home_ifindex));
			return -1;
		}
	}
	return 0;
}

static int dump_binding(void *ctx, const struct mip4_binding *b)
{
	return hastore_write_binding(ctx, b, mip4d_now_ms());
}

/* Everything the file should hold, into a new one (hastore.h). */
static int dump(void *ctx, struct store *dst)
{
	struct harole *h = ctx;
	const struct mip4_config_ha *c = &h->env->conf->ha;

	if (mip4_btable_foreach(mip4_ha_bindings(h->ha), dump_binding, dst))
		return -1;
	for (size_t i = 0; i < c->n_mn; i++)
		if (c->mn[i].replay.have_last &&
		    store_put_replay(dst, c->mn[i].sa.spi,
				     c->mn[i].replay.last_id) < 0)
			return -1;
	return 0;
}

/* Unprivileged: the bindings and replay state back from the store, their
 * routes in place again, then listen. */
static int ha_start(void *state)
{
	struct harole *h = state;
	const struct role_env *env = h->env;
	struct mip4_config_ha *c = &env->conf->ha;
	char err[256];
	int n;

	if (hastore_open(env->conf->state_db, env->conf->state_sync_full,
			 env->conf->have_etcd ? &env->conf->etcd : NULL, dump,
			 h, &h->hs, err, sizeof err) < 0) {
		log_warnx("state-db %s", err);
		return -1;
	}
	restore_replay(h, env->conf);
	n = store_load(hastore_db(h->hs), mip4d_now_wall(), restore_one, h);
	if (n >= 0 &&
	    store_load_coas(hastore_db(h->hs), restore_coa, h) < 0)
		n = -1;
	if (n < 0) {
		log_warnx("state-db %s: %s", store_path(hastore_db(h->hs)),
			  store_errmsg(hastore_db(h->hs)));
		return -1;
	}
	h->restored = n;
	h->started = true;
	/* the kernel's copy holds exactly the restored table */
	if (dp_sync(h->dp) < 0)
		log_warnx("data plane: the kernel's binding map could not be "
			  "brought in step; the userspace path carries what it "
			  "lacks");
	mip4_btable_foreach(mip4_ha_bindings(h->ha), route_restored, h);
	priv_flush(env->priv);
	h->ev_udp = watch(h, h->udp_fd, on_udp);
	h->ev_udp_any = watch(h, h->udp_any_fd, on_udp);
	h->ev_tun = watch(h, dp_tun_fd(h->dp), on_tun);
	h->ev_raw = watch(h, dp_raw_fd(h->dp), on_raw);
	log_info("home agent %s: %zu mobile nodes configured, %d bindings "
		 "restored, tunnel device %s",
		 inet_ntoa((struct in_addr){htonl(c->cfg.addr)}), c->n_mn, n,
		 c->tunnel_dev);
	return 0;
}

static void ha_stop(void *state)
{
	struct harole *h = state;
	struct event *evs[4];

	if (!h)
		return;
	evs[0] = h->ev_udp;
	evs[1] = h->ev_udp_any;
	evs[2] = h->ev_tun;
	evs[3] = h->ev_raw;
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		if (evs[i])
			event_free(evs[i]);
	/* Bindings stay in the store; routes go with the TUN device.  Past
	 * the split the privileged parent tears the data plane down
	 * (ha_release); before it, a failed start does it here. */
	if (h->started)
		dp_release(h->dp);
	else
		dp_close(h->dp);
	nl_close(h->nl);
	hastore_close(h->hs);
	if (h->udp_fd >= 0)
		close(h->udp_fd);
	if (h->udp_any_fd >= 0)
		close(h->udp_any_fd);
	mip4_ha_free(h->ha);
	free(h->fa_warned);
	free(h->garp);
	free(h->rx);
	free(h);
}

/* SIGHUP: new keys and policy, same bindings.  The replay state of every
 * mobile node still configured came over with the new configuration as it
 * was loaded (config_image.h). */
static int ha_reload(void *state, struct mip4_config *nc)
{
	struct harole *h = state;

	if (strcmp(nc->ha.tunnel_dev, h->env->conf->ha.tunnel_dev) != 0 ||
	    strcmp(nc->state_db, h->env->conf->state_db) != 0 ||
	    nc->have_etcd != h->env->conf->have_etcd ||
	    strcmp(nc->etcd.endpoints, h->env->conf->etcd.endpoints) != 0 ||
	    strcmp(nc->etcd.prefix, h->env->conf->etcd.prefix) != 0 ||
	    nc->etcd.timeout_ms != h->env->conf->etcd.timeout_ms ||
	    nc->ha.cfg.addr != h->env->conf->ha.cfg.addr)
		log_warnx("reload: address, tunnel-device, state-db and "
			  "state-etcd changes take effect on restart");
	mip4_ha_set_cfg(h->ha, &nc->ha.cfg);
	/* the foreign-agent entries may have changed: warn afresh */
	free(h->fa_warned);
	h->fa_warned = nc->ha.n_fa ? calloc(nc->ha.n_fa, sizeof *h->fa_warned)
				   : NULL;
	h->n_fa_warned = h->fa_warned ? nc->ha.n_fa : 0;
	return 0;
}

/* The privileged parent, the engine gone: a clean stop takes the data
 * plane down (eBPF programs, pins, the persistent TUN and its routes);
 * after a crash it stays, so that the kernel keeps forwarding until the
 * next start takes it over. */
static void ha_release(void *state, bool clean)
{
	struct harole *h = state;

	if (!h || !h->dp)
		return;
	if (clean)
		dp_close(h->dp);
	else
		dp_release(h->dp);
	h->dp = NULL;
}

static const char *flavour_name(enum mip4_ha_flavour f)
{
	switch (f) {
	case MIP4_HA_INTERNAL: return "internal";
	case MIP4_HA_EXTERNAL: return "external";
	default: return "plain";
	}
}

static json_object *ha_status(void *state)
{
	struct harole *h = state;
	json_object *o = json_object_new_object();

	jadd_addr(o, "address", h->env->conf->ha.cfg.addr);
	jadd_str(o, "flavour", flavour_name(h->env->conf->ha.cfg.flavour));
	jadd_str(o, "tunnel_device", h->env->conf->ha.tunnel_dev);
	jadd_int(o, "mobile_nodes", (int64_t)h->env->conf->ha.n_mn);
	jadd_int(o, "bindings",
		(int64_t)mip4_btable_count(mip4_ha_bindings(h->ha)));
	json_object_object_add(o, "state_db",
			       hastore_status(h->hs, mip4d_now_ms()));
	{
		json_object *d = json_object_new_object();

		jadd_str(d, "backend", dp_backend_name(h->dp));
		jadd_str(d, "why", h->dp_why);
		jadd_int(d, "map_errors", (int64_t)h->dp_errors);
		json_object_object_add(o, "data_plane", d);
	}
	return o;
}

/* Seconds left until expires_ms. */
static int64_t remaining(uint64_t expires_ms, uint64_t now)
{
	return expires_ms > now ? (int64_t)((expires_ms - now) / 1000) : 0;
}

/*
 * One binding.  The top-level coa, peer, encap, lifetime and remaining are
 * those of its first care-of address; "coas" lists every one (RFC 5944
 * §3.6.1.2 simultaneous bindings), the first first.
 */
static json_object *binding_json(const struct dp *dp,
				 const struct mip4_binding *b, uint64_t now)
{
	json_object *o = json_object_new_object();
	json_object *coas = json_object_new_array();
	struct dp_bind_counters ct;
	char flags[9];
	int n = 0;

	jadd_addr(o, "home_addr", b->home_addr);
	if (b->nai)
		jadd_str(o, "nai", b->nai);
	jadd_addr(o, "coa", b->coa);
	jadd_addr(o, "peer", b->peer_addr);
	jadd_int(o, "peer_port", b->peer_port);
	jadd_str(o, "encap", encap_name(b->encap));
	for (int i = 0; i < 8; i++)
		if (b->flags & (0x80 >> i))
			flags[n++] = "SBDMGrTx"[i];
	flags[n] = '\0';
	jadd_str(o, "flags", flags);
	jadd_int(o, "lifetime", b->lifetime);
	jadd_int(o, "remaining", remaining(b->expires_ms, now));
	for (size_t i = 0; i < mip4_binding_ncoa(b); i++) {
		json_object *co = json_object_new_object();
		struct mip4_coa c;

		mip4_binding_coa(b, i, &c);
		jadd_addr(co, "coa", c.coa);
		jadd_addr(co, "peer", c.peer_addr);
		jadd_int(co, "peer_port", c.peer_port);
		jadd_str(co, "encap", encap_name(c.encap));
		jadd_int(co, "lifetime", c.lifetime);
		jadd_int(co, "remaining", remaining(c.expires_ms, now));
		json_object_array_add(coas, co);
	}
	json_object_object_add(o, "coas", coas);
	jadd_int(o, "spi", b->spi);
	/* what user space forwarded and what the kernel did */
	dp_bind_counters(dp, b, &ct);
	jadd_int(o, "pkts_to_mn", (int64_t)ct.pkts_to_mn);
	jadd_int(o, "bytes_to_mn", (int64_t)ct.bytes_to_mn);
	jadd_int(o, "pkts_from_mn", (int64_t)ct.pkts_from_mn);
	jadd_int(o, "bytes_from_mn", (int64_t)ct.bytes_from_mn);
	return o;
}

/* A step of `mip4ctl bindings`: the filter applies to every care-of
 * address of a simultaneous binding. */
struct binding_page {
	const struct list_filter *f;
	json_object *out;
	uint64_t now;
	const struct dp *dp;
};

static void binding_page_add(void *ctx, const struct mip4_binding *b)
{
	struct binding_page *pg = ctx;
	bool coa = false;

	if (!list_filter_home(pg->f, b->home_addr) ||
	    !list_filter_nai(pg->f, b->nai))
		return;
	for (size_t i = 0; i < mip4_binding_ncoa(b) && !coa; i++) {
		struct mip4_coa c;

		mip4_binding_coa(b, i, &c);
		coa = list_filter_coa(pg->f, c.coa);
	}
	if (coa)
		json_object_array_add(pg->out, binding_json(pg->dp, b, pg->now));
}

static int ha_list_page(void *state, const char *what,
			const struct list_filter *f, uint64_t *cursor,
			size_t max, json_object *out)
{
	struct harole *h = state;
	struct binding_page pg = {f, out, mip4d_now_ms(), h->dp};

	if (strcmp(what, "bindings") != 0)
		return -1;
	return mip4_btable_walk(mip4_ha_bindings(h->ha), cursor, max,
				binding_page_add, &pg);
}

static void add_counter(void *ctx, const char *name, uint64_t v)
{
	jadd_int(ctx, name, (int64_t)v);
}

static void ha_counters(void *state, json_object *o)
{
	struct harole *h = state;
	json_object *ha = json_object_new_object();
	json_object *dpo = json_object_new_object();
	json_object *sto = json_object_new_object();
	const uint64_t *c = mip4_ha_counters(h->ha);
	const struct dp_stats *s = dp_stats(h->dp);

	for (int i = 0; i < MIP4_HA_NCOUNTERS; i++)
		jadd_int(ha, mip4_ha_counter_name((enum mip4_ha_counter)i),
			(int64_t)c[i]);
	jadd_int(dpo, "tun-rx", (int64_t)s->tun_rx);
	jadd_int(dpo, "tun-tx", (int64_t)s->tun_tx);
	jadd_int(dpo, "encap-tx", (int64_t)s->encap_tx);
	jadd_int(dpo, "decap-rx", (int64_t)s->decap_rx);
	jadd_int(dpo, "udp-rx", (int64_t)s->udp_rx);
	jadd_int(dpo, "drop-no-binding", (int64_t)s->drop_no_binding);
	jadd_int(dpo, "drop-spoofed", (int64_t)s->drop_spoofed);
	jadd_int(dpo, "drop-malformed", (int64_t)s->drop_malformed);
	jadd_int(dpo, "drop-send-error", (int64_t)s->drop_send_error);
	jadd_int(dpo, "drop-not-reverse", (int64_t)s->drop_not_reverse);
	dp_foreach_counter(h->dp, add_counter, dpo);
	hastore_counters(h->hs, sto);
	json_object_object_add(o, "home-agent", ha);
	json_object_object_add(o, "dataplane", dpo);
	json_object_object_add(o, "state-db", sto);
}

static bool ha_wanted(const struct mip4_config *c)
{
	return c->have_ha;
}

/* Host routes into the TUN for the home network, proxy entries and
 * gratuitous ARPs for it on the home link; without a home-network, any
 * host route into the TUN and any address on the home link. */
static void ha_allow(const struct mip4_config *c, struct priv_policy *pol)
{
	const struct mip4_config_ha *h = &c->ha;
	uint32_t net = h->cfg.home.net, mask = h->cfg.home.mask;

	pol_dev(pol, h->tunnel_dev);
	pol_route(pol, net, mask, 32, 32, h->tunnel_dev);
	if (h->home_if[0]) {
		pol_dev(pol, h->home_if);
		pol_proxy(pol, net, mask, h->home_if);
		pol_garp(pol, net, mask, h->home_if);
	}
}

const struct role_ops harole_ops = {
	.name = "home-agent",
	.key = "home_agent",
	.wanted = ha_wanted,
	.open = ha_open,
	.start = ha_start,
	.stop = ha_stop,
	.reload = ha_reload,
	.tick = ha_tick,
	.status = ha_status,
	.counters = ha_counters,
	.allow = ha_allow,
	.list_page = ha_list_page,
	.release = ha_release,
};
