/* SPDX-License-Identifier: BSD-2-Clause */
/* What the role tests share (roletest.h). */
#include "roletest.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "nl.h"

bool rt_own_netns(void)
{
	struct ifreq ifr = {0};
	int fd;

	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
		uid_t uid = getuid();
		gid_t gid = getgid();
		char map[64];
		int f;

		if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) < 0)
			return false;
		f = open("/proc/self/setgroups", O_WRONLY);
		if (f >= 0) {
			(void)!write(f, "deny", 4);
			close(f);
		}
		snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
		f = open("/proc/self/uid_map", O_WRONLY);
		if (f < 0 || write(f, map, strlen(map)) < 0)
			return false;
		close(f);
		snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
		f = open("/proc/self/gid_map", O_WRONLY);
		if (f < 0 || write(f, map, strlen(map)) < 0)
			return false;
		close(f);
	}
	/* our mounts stay ours */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return false;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return false;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return false;
	close(fd);
	return true;
}

bool rt_own_netns_tap(const char *name)
{
	struct rt_link *probe = malloc(sizeof *probe);
	bool ok = probe && rt_own_netns() && rt_link_open(probe, "probe0");

	if (ok)
		rt_link_close(probe);
	else
		printf("%s: SKIP: no network namespace or TAP of our own\n",
		       name);
	free(probe);
	return ok;
}

/* ---- the world ---- */

static void emit(void *ctx, json_object *ev, bool routine)
{
	struct rt_world *w = ctx;
	json_object *e;

	(void)routine;
	if (json_object_object_get_ex(ev, "event", &e)) {
		const char *name = json_object_get_string(e);

		if (w->n_events < RT_EVENTS)
			snprintf(w->events[w->n_events++], sizeof w->events[0],
				 "%s", name);
		if (w->on_event)
			w->on_event(w, name, ev);
	}
	json_object_put(ev);
}

static bool monitored(void *ctx)
{
	(void)ctx;
	return true;
}

void rt_init(struct rt_world *w, const char *name)
{
	snprintf(w->dir, sizeof w->dir, "/tmp/%s.XXXXXX", name);
	assert_non_null(mkdtemp(w->dir));
	w->base = event_base_new();
	assert_non_null(w->base);
}

void rt_fini(struct rt_world *w)
{
	char cmd[128];

	rt_stop(w);
	event_base_free(w->base);
	snprintf(cmd, sizeof cmd, "rm -rf %s", w->dir);
	(void)!system(cmd);
}

void rt_start(struct rt_world *w, const struct role_ops *ops,
	      const char *text)
{
	char err[256];

	if (mip4_config_parse_buf("t", text, strlen(text), &w->conf, err,
				  sizeof err) != 0)
		fail_msg("configuration: %s", err);
	w->priv = fake_priv_new();
	assert_non_null(w->priv);
	w->priv->on_flush = w->on_flush;
	w->priv->on_submit = w->on_submit;
	w->priv->ctx = w;
	w->ops = ops;
	w->env = (struct role_env){.base = w->base,
				   .conf = &w->conf,
				   .priv = &w->priv->p,
				   .emit = emit,
				   .monitored = monitored,
				   .ctx = w,
				   .counters = w->counters};
	assert_true(ops->wanted(&w->conf));
	assert_int_equal(ops->open(&w->env, &w->state), 0);
	assert_int_equal(ops->start(w->state), 0);
}

void rt_stop_role(struct rt_world *w)
{
	if (!w->state)
		return;
	w->ops->stop(w->state);
	fake_timers_forget();
	w->state = NULL;
}

void rt_stop(struct rt_world *w)
{
	rt_stop_role(w);
	if (!w->priv)
		return;
	priv_free(&w->priv->p);
	w->priv = NULL;
	mip4_config_free(&w->conf);
}

unsigned rt_events_named(const struct rt_world *w, const char *name)
{
	unsigned n = 0;

	for (unsigned i = 0; i < w->n_events; i++)
		n += strcmp(w->events[i], name) == 0;
	return n;
}

int rt_listed(struct rt_world *w, const char *what,
	      const struct list_filter *f, size_t max, json_object **last)
{
	json_object *arr = json_object_new_array();
	uint64_t cursor = 0;
	int rc, n;

	do
		rc = w->ops->list_page(w->state, what, f, &cursor, max, arr);
	while (rc == 1);
	n = rc < 0 ? -1 : (int)json_object_array_length(arr);
	if (last && n > 0)
		*last = json_object_get(json_object_array_get_idx(arr, n - 1));
	json_object_put(arr);
	return n;
}

void rt_check_filters(struct rt_world *w, const char *what, uint32_t home,
		      uint32_t coa)
{
	struct list_filter f = {0};

	assert_int_equal(rt_listed(w, what, &f, 1000, NULL), 1);
	assert_int_equal(rt_listed(w, what, &f, 1, NULL), 1);
	f = (struct list_filter){.home_net = home & 0xffff0000,
				 .home_mask = 0xffff0000};
	assert_int_equal(rt_listed(w, what, &f, 1000, NULL), 1);
	f.home_net ^= 0x00010000;
	assert_int_equal(rt_listed(w, what, &f, 1000, NULL), 0);
	f = (struct list_filter){.coa_net = coa, .coa_mask = 0xffffffff};
	assert_int_equal(rt_listed(w, what, &f, 1000, NULL), 1);
	f.coa_net = coa + 1;
	assert_int_equal(rt_listed(w, what, &f, 1000, NULL), 0);
	f = (struct list_filter){.nai_len = 1, .nai = "a"};
	assert_int_equal(rt_listed(w, what, &f, 1000, NULL), 0);
}

json_object *rt_member(json_object *o, const char *sect, const char *k)
{
	json_object *s, *v;

	if (!json_object_object_get_ex(o, sect, &s) ||
	    !json_object_object_get_ex(s, k, &v))
		return NULL;
	return v;
}

int64_t rt_counter(struct rt_world *w, const char *sect, const char *k)
{
	json_object *o = json_object_new_object(), *v;
	int64_t n;

	w->ops->counters(w->state, o);
	v = rt_member(o, sect, k);
	n = v ? json_object_get_int64(v) : -1;
	json_object_put(o);
	return n;
}

bool rt_wait_fd(struct rt_world *w, int fd, int ms)
{
	struct pollfd pf = {fd, POLLIN, 0};

	for (int i = 0; i < ms; i++) {
		fake_loop(w->base);
		if (poll(&pf, 1, i ? 1 : 0) > 0)
			return true;
	}
	return false;
}

/* ---- links ---- */

bool rt_link_open(struct rt_link *l, const char *name)
{
	struct ifreq ifr = {0};
	int s;

	memset(l, 0, sizeof *l);
	l->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (l->fd < 0)
		return false;
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(l->fd, TUNSETIFF, &ifr) < 0 || nl_open(&l->nl) < 0) {
		close(l->fd);
		return false;
	}
	snprintf(l->name, sizeof l->name, "%s", ifr.ifr_name);
	l->ifindex = nl_ifindex(l->name);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	assert_int_equal(ioctl(s, SIOCGIFHWADDR, &ifr), 0);
	memcpy(l->mac, ifr.ifr_hwaddr.sa_data, 6);
	close(s);
	return l->ifindex > 0;
}

void rt_link_close(struct rt_link *l)
{
	if (l->nl)
		nl_close(l->nl);
	if (l->fd > 0)
		close(l->fd); /* the TAP goes with it */
	l->nl = NULL;
	l->fd = -1;
}

void rt_link_up(struct rt_link *l, bool up)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", l->name);
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
}

void rt_link_addr(struct rt_link *l, uint32_t addr, int plen)
{
	assert_int_equal(nl_addr_add(l->nl, l->ifindex, addr, plen), 0);
}

void rt_link_neigh(struct rt_link *l, uint32_t addr, const uint8_t mac[6])
{
	assert_int_equal(nl_neigh_add(l->nl, l->ifindex, addr, mac), 0);
}

void rt_link_gateway(struct rt_link *l, uint32_t gw, const uint8_t mac[6])
{
	rt_link_neigh(l, gw, mac);
	assert_int_equal(nl_route_add_via(l->nl, 0, 0, gw, l->ifindex, 0, 0), 0);
}

void rt_link_pump(struct rt_link *l)
{
	uint8_t b[RT_FRAME_MAX];
	ssize_t n;

	while ((n = read(l->fd, b, sizeof b)) > 0) {
		struct rt_held *h;

		if (n < 14 || b[12] != 0x08 || b[13] != 0x00)
			continue; /* IPv6, ARP: not ours to look at */
		if (l->n == RT_LINK_HELD) /* the oldest goes */
			memmove(&l->held[0], &l->held[1],
				sizeof l->held[0] * --l->n);
		h = &l->held[l->n++];
		h->len = (size_t)n;
		h->at_ms = fake_ms;
		memcpy(h->b, b, (size_t)n);
	}
}

/* Decode held frame h into p; true if it is proto/what. */
static bool pkt_decode(const struct rt_held *h, uint8_t proto, uint16_t what,
		       struct rt_pkt *p)
{
	struct mip4_udp u;

	memcpy(p->b, h->b, h->len);
	p->len = h->len;
	p->at_ms = h->at_ms;
	memcpy(p->dst_mac, p->b, 6);
	memcpy(p->src_mac, p->b + 6, 6);
	if (mip4_ip_decode(p->b + 14, p->len - 14, &p->ip) != MIP4_IP_OK ||
	    p->ip.proto != proto)
		return false;
	p->sport = p->dport = 0;
	p->data = p->ip.payload;
	p->data_len = p->ip.payload_len;
	if (proto == MIP4_IPPROTO_ICMP)
		return p->data_len >= 1 && p->data[0] == what;
	if (proto != MIP4_IPPROTO_UDP)
		return true;
	if (mip4_udp_decode(p->ip.payload, p->ip.payload_len, &u) != 0)
		return false;
	p->sport = u.sport;
	p->dport = u.dport;
	p->data = u.payload;
	p->data_len = u.payload_len;
	return u.dport == what;
}

bool rt_link_take(struct rt_link *l, uint8_t proto, uint16_t what,
		  struct rt_pkt *p)
{
	rt_link_pump(l);
	for (unsigned i = 0; i < l->n; i++)
		if (pkt_decode(&l->held[i], proto, what, p)) {
			memmove(&l->held[i], &l->held[i + 1],
				sizeof l->held[0] * (l->n - i - 1));
			l->n--;
			return true;
		}
	return false;
}

unsigned rt_link_count(struct rt_link *l, uint8_t proto, uint16_t what)
{
	struct rt_pkt *p = malloc(sizeof *p);
	unsigned n = 0;

	assert_non_null(p);
	rt_link_pump(l);
	for (unsigned i = 0; i < l->n; i++)
		n += pkt_decode(&l->held[i], proto, what, p);
	free(p);
	return n;
}

void rt_link_forget(struct rt_link *l)
{
	rt_link_pump(l);
	l->n = 0;
}

void rt_link_send_ip(struct rt_link *l, const uint8_t src_mac[6],
		     const uint8_t *dst_mac, uint32_t src, uint32_t dst,
		     uint8_t proto, uint8_t ttl, const uint8_t *payload,
		     size_t len)
{
	uint8_t f[RT_FRAME_MAX];
	size_t n = 14 + 20 + len;

	assert_true(n <= sizeof f);
	memcpy(f, dst_mac ? dst_mac : l->mac, 6);
	memcpy(f + 6, src_mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	(void)mip4_ip_put(f + 14, 20, src, dst, proto, ttl, 1, false, len);
	memcpy(f + 14 + 20, payload, len);
	if (l->bad_ip_csum)
		f[14 + 10] ^= 0x5a;
	l->bad_ip_csum = false;
	assert_int_equal(write(l->fd, f, n), (ssize_t)n);
}

void rt_link_send_udp(struct rt_link *l, const uint8_t src_mac[6],
		      const uint8_t *dst_mac, uint32_t src, uint32_t dst,
		      uint8_t ttl, uint16_t port, const uint8_t *msg,
		      size_t len)
{
	uint8_t u[RT_FRAME_MAX];

	assert_true(8 + len <= sizeof u);
	memcpy(u + 8, msg, len);
	mip4_udp_put(u, src, dst, port, port, len);
	rt_link_send_ip(l, src_mac, dst_mac, src, dst, MIP4_IPPROTO_UDP, ttl, u,
			8 + len);
}

bool rt_link_wait(struct rt_world *w, struct rt_link *l, uint8_t proto,
		  uint16_t what, int ms)
{
	for (int i = 0; i < ms; i++) {
		struct pollfd pf = {l->fd, POLLIN, 0};

		fake_loop(w->base);
		if (rt_link_count(l, proto, what))
			return true;
		(void)poll(&pf, 1, 1);
	}
	return false;
}

/* ---- the Mobile IP peers ---- */

size_t rt_rrq(uint8_t *buf, size_t cap, const struct mip4_rrq *q,
	      const struct mip4_sa *sa)
{
	struct mip4_buf b;

	mip4_buf_init(&b, buf, cap);
	mip4_rrq_put(&b, q);
	mip4_auth_append(&b, MIP4_EXT_MN_HA, sa);
	assert_false(b.overflow);
	return b.len;
}

size_t rt_rrp(uint8_t *buf, size_t cap, const uint8_t *req, size_t req_len,
	      const struct mip4_sa *mn_sa, const struct mip4_sa *fa_sa,
	      uint8_t code, uint16_t lifetime)
{
	struct mip4_msg m;
	struct mip4_rrp r;
	struct mip4_buf b;

	assert_int_equal(mip4_msg_decode(req, req_len, &m), MIP4_OK);
	assert_int_equal(m.type, MIP4_MSG_RRQ);
	assert_int_equal(mip4_auth_verify_type(mn_sa, &m, MIP4_EXT_MN_HA),
			 MIP4_AUTH_OK);
	if (fa_sa && m.u.rrq.lifetime)
		assert_int_equal(mip4_auth_verify_type(fa_sa, &m, MIP4_EXT_FA_HA),
				 MIP4_AUTH_OK);
	r = (struct mip4_rrp){.code = code,
			      .lifetime = lifetime < m.u.rrq.lifetime
						  ? lifetime
						  : m.u.rrq.lifetime,
			      .home_addr = m.u.rrq.home_addr,
			      .ha_addr = m.u.rrq.ha_addr,
			      .id = m.u.rrq.id};
	mip4_buf_init(&b, buf, cap);
	mip4_rrp_put(&b, &r);
	mip4_auth_append(&b, MIP4_EXT_MN_HA, mn_sa);
	if (fa_sa)
		mip4_auth_append(&b, MIP4_EXT_FA_HA, fa_sa);
	assert_false(b.overflow);
	return b.len;
}
