/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The home agent role behind its role_ops (daemon/harole.c), with a fake
 * clock, a fake privileged side (it records every request instead of
 * touching the kernel) and a fake data plane, in a network namespace of
 * the test's own (unshare: as root, or as an unprivileged user through a
 * user namespace) so that port 434 on 127.0.0.1 is ours.
 *
 * What a user of the daemon relies on: a registration is answered only
 * once its route was asked for and collected (the privileged side's
 * flush comes before the reply leaves); a binding that expires, or is
 * deregistered, has its route taken away; what the control socket shows;
 * a reload's new limits; bindings and their routes back after a restart.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "config.h"
#include "fake.h"
#include "roletest.h"
#include "mip4/auth.h"
#include "mip4/wire.h"
#include "role.h"
#include "store.h"

extern const struct role_ops harole_ops;

#define HOME 0x0a010064u /* 10.1.0.100 */
#define LOOP 0x7f000001u
static const uint8_t key[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
				0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
				0xcc, 0xdd, 0xee, 0xff};

struct world {
	struct rt_world rw; /* first: the fake privileged side's ctx */
	int cli;
	bool peeked_empty; /* at the last flush: no reply had left yet */
	uint64_t id;
	uint8_t flags; /* of the requests; 0: D and T */
};

/* At each flush of the privileged side: has a reply left already? */
static void check_no_reply_yet(struct fake_priv *f)
{
	struct world *w = f->ctx;
	char b[1];

	w->peeked_empty = recv(w->cli, b, sizeof b, MSG_PEEK | MSG_DONTWAIT) < 0 &&
			  errno == EAGAIN;
}

static void start_role(struct world *w, unsigned max_lifetime)
{
	char text[1024];

	snprintf(text, sizeof text,
		 "control-socket %s/s\n"
		 "state-db %s/state/ha.db\n"
		 "home-agent {\n\taddress 127.0.0.1\n"
		 "\thome-network 10.1.0.0/24\n"
		 "\thome-interface lo\n"
		 "\tmax-lifetime %u\n\ttunnel-device fake0\n"
		 "\tmobile-node 10.1.0.100 { spi 0x100 key "
		 "hex:00112233445566778899aabbccddeeff }\n}\n",
		 w->rw.dir, w->rw.dir, max_lifetime);
	rt_start(&w->rw, &harole_ops, text);
}

static void stop_role(struct world *w)
{
	rt_stop(&w->rw);
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	struct sockaddr_in a = {.sin_family = AF_INET};

	assert_non_null(w);
	rt_init(&w->rw, "test_harole");
	w->rw.on_flush = check_no_reply_yet;
	w->cli = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(LOOP);
	assert_int_equal(bind(w->cli, (struct sockaddr *)&a, sizeof a), 0);
	w->id = 0;
	start_role(w, 300);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	char cmd[128];

	if (w->rw.state)
		stop_role(w);
	close(w->cli);
	/* (file systems the test mounted there, if any) */
	snprintf(cmd, sizeof cmd, "%s/state", w->rw.dir);
	(void)umount2(cmd, MNT_DETACH);
	snprintf(cmd, sizeof cmd, "%s/ro", w->rw.dir);
	(void)umount2(cmd, MNT_DETACH);
	rt_fini(&w->rw);
	free(w);
	return 0;
}

/* Send a request for HOME from the client, let the role answer, and
 * return the reply's code (-1: none); *lifetime gets its lifetime. */
static int reg(struct world *w, uint16_t lifetime, uint16_t *granted)
{
	uint8_t req[256], rep[512];
	struct mip4_buf b;
	struct mip4_rrq q = {.flags = w->flags ? w->flags
					       : MIP4_RRQ_D | MIP4_RRQ_T,
			     .lifetime = lifetime,
			     .home_addr = HOME,
			     .ha_addr = LOOP,
			     .coa = lifetime ? LOOP : HOME,
			     .id = w->id};
	struct mip4_sa sa;
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(MIP4_PORT),
				 .sin_addr.s_addr = htonl(LOOP)};
	struct pollfd pf = {w->cli, POLLIN, 0};
	struct mip4_msg m;
	ssize_t n;

	/* timestamps, strictly increasing (RFC 5944 §5.7) */
	w->id = mip4d_now_ntp() > w->id ? mip4d_now_ntp() : w->id + 1;
	q.id = w->id;
	mip4_sa_init(&sa, 0x100, key, sizeof key);
	mip4_buf_init(&b, req, sizeof req);
	mip4_rrq_put(&b, &q);
	mip4_auth_append(&b, MIP4_EXT_MN_HA, &sa);
	assert_true(sendto(w->cli, req, b.len, 0, (struct sockaddr *)&to,
			   sizeof to) == (ssize_t)b.len);
	for (int i = 0; i < 50 && poll(&pf, 1, 0) == 0; i++)
		event_base_loop(w->rw.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	if (poll(&pf, 1, 200) <= 0)
		return -1;
	n = recv(w->cli, rep, sizeof rep, 0);
	assert_true(n > 0);
	assert_int_equal(mip4_msg_decode(rep, (size_t)n, &m), MIP4_OK);
	assert_int_equal(mip4_auth_verify_type(&sa, &m, MIP4_EXT_MN_HA),
			 MIP4_AUTH_OK);
	if (granted)
		*granted = m.u.rrp.lifetime;
	return m.u.rrp.code;
}

/* A registration: its route, proxy entry and ARP were asked for and
 * collected before the reply left. */
static void test_register_route_before_reply(void **state)
{
	struct world *w = *state;
	const struct fake_priv *f = w->rw.priv;
	uint16_t life = 0;

	assert_int_equal(reg(w, 200, &life), 0);
	assert_int_equal(life, 200);
	assert_int_equal(fake_priv_count(f, PRIV_ROUTE_ADD, HOME), 1);
	assert_int_equal(fake_priv_count(f, PRIV_PROXY_ADD, HOME), 1);
	assert_int_equal(fake_priv_count(f, PRIV_GARP, HOME), 1);
	for (unsigned i = 0; i < f->n; i++)
		if (f->req[i].op == PRIV_ROUTE_ADD) {
			assert_int_equal(f->req[i].ifindex, FAKE_TUN_IFINDEX);
			assert_int_equal(f->req[i].plen, 32);
			assert_true(f->async[i]);
		}
	assert_true(f->flushes >= 1);
	assert_int_equal(f->flushed, f->n);
	assert_true(w->peeked_empty);
	assert_int_equal(rt_events_named(&w->rw, "registered"), 1);
	/* a renewal changes nothing in the kernel */
	assert_int_equal(reg(w, 200, NULL), 0);
	assert_int_equal(fake_priv_count(f, PRIV_ROUTE_ADD, HOME), 1);
}

/* The gratuitous ARP is repeated from the tick (RFC 5944 §4.6). */
static void test_garp_repeats(void **state)
{
	struct world *w = *state;

	assert_int_equal(reg(w, 200, NULL), 0);
	assert_int_equal(fake_priv_count(w->rw.priv, PRIV_GARP, HOME), 1);
	for (int i = 0; i < 4; i++) {
		fake_advance(1000);
		harole_ops.tick(w->rw.state);
	}
	assert_int_equal(fake_priv_count(w->rw.priv, PRIV_GARP, HOME), 3);
}

/* Expiry: the route and the proxy entry go, an event says so. */
static void test_expiry(void **state)
{
	struct world *w = *state;

	assert_int_equal(reg(w, 5, NULL), 0);
	fake_advance(4000);
	harole_ops.tick(w->rw.state);
	assert_int_equal(fake_priv_count(w->rw.priv, PRIV_ROUTE_DEL, HOME), 0);
	fake_advance(2000);
	harole_ops.tick(w->rw.state);
	assert_int_equal(fake_priv_count(w->rw.priv, PRIV_ROUTE_DEL, HOME), 1);
	assert_int_equal(fake_priv_count(w->rw.priv, PRIV_PROXY_DEL, HOME), 1);
	assert_int_equal(rt_events_named(&w->rw, "expired"), 1);
	assert_int_equal(w->rw.counters[D_EXPIRED], 1);
}

/* Deregistration: gone before the reply leaves. */
static void test_deregistration(void **state)
{
	struct world *w = *state;

	assert_int_equal(reg(w, 100, NULL), 0);
	assert_int_equal(reg(w, 0, NULL), 0);
	assert_int_equal(fake_priv_count(w->rw.priv, PRIV_ROUTE_DEL, HOME), 1);
	assert_true(w->peeked_empty);
	assert_int_equal(rt_events_named(&w->rw, "deregistered"), 1);
}

/* What the control socket shows of it. */
static void test_status_and_listing(void **state)
{
	struct world *w = *state;
	json_object *st, *l = NULL, *c, *v, *ha;
	struct list_filter all = {0};

	assert_int_equal(reg(w, 100, NULL), 0);
	st = harole_ops.status(w->rw.state);
	assert_true(json_object_object_get_ex(st, "bindings", &v));
	assert_int_equal(json_object_get_int(v), 1);
	json_object_put(st);
	assert_int_equal(rt_listed(&w->rw, "visitors", &all, 1000, NULL), -1);
	assert_int_equal(rt_listed(&w->rw, "bindings", &all, 1000, &l), 1);
	assert_true(json_object_object_get_ex(l, "home_addr", &v));
	assert_string_equal(json_object_get_string(v), "10.1.0.100");
	json_object_put(l);
	/* in steps, and filtered: its home address, its care-of address
	 * (127.0.0.1), an NAI it does not have */
	rt_check_filters(&w->rw, "bindings", HOME, LOOP);
	c = json_object_new_object();
	harole_ops.counters(w->rw.state, c);
	assert_true(json_object_object_get_ex(c, "home-agent", &ha));
	assert_true(json_object_object_get_ex(ha, "accepted", &v));
	assert_int_equal(json_object_get_int(v), 1);
	json_object_put(c);
}

/* SIGHUP: a lower max-lifetime applies to the next registration. */
static void test_reload(void **state)
{
	struct world *w = *state;
	struct mip4_config nc;
	char err[256], text[600];
	uint16_t life = 0;
	int n = snprintf(text, sizeof text,
			 "state-db %s/state/ha.db\nhome-agent {\n"
			 "\taddress 127.0.0.1\n\thome-network 10.1.0.0/24\n"
			 "\thome-interface lo\n\tmax-lifetime 60\n"
			 "\ttunnel-device fake0\n\tmobile-node 10.1.0.100 { spi "
			 "0x100 key hex:00112233445566778899aabbccddeeff }\n}\n",
			 w->rw.dir);

	assert_int_equal(mip4_config_parse_buf("t", text, (size_t)n, &nc, err,
					       sizeof err), 0);
	assert_int_equal(harole_ops.reload(w->rw.state, &nc), 0);
	mip4_config_free(&w->rw.conf);
	w->rw.conf = nc;
	assert_int_equal(reg(w, 200, &life), 0);
	assert_int_equal(life, 60);
}

/* A restart: the binding comes back from the store, its route asked for
 * again, nothing sent by the node. */
static void test_restart_restores(void **state)
{
	struct world *w = *state;

	assert_int_equal(reg(w, 200, NULL), 0);
	stop_role(w);
	start_role(w, 300);
	assert_int_equal(fake_priv_count(w->rw.priv, PRIV_ROUTE_ADD, HOME), 1);
	assert_int_equal(rt_events_named(&w->rw, "restored"), 1);
}

/* A route the kernel refuses: the failure reaches the daemon's error
 * callback (which logs and counts it), the registration is still
 * answered: the binding is the HA's, the route comes with the next
 * change. */
static unsigned route_errors;

static void on_error(void *ctx, const struct priv_req *rq, int err)
{
	(void)ctx;
	if (rq->op == PRIV_ROUTE_ADD && rq->dst == HOME && err == -EIO)
		route_errors++;
}

static void test_route_failure_reported(void **state)
{
	struct world *w = *state;

	w->rw.priv->fail_op = PRIV_ROUTE_ADD;
	priv_set_error_cb(&w->rw.priv->p, on_error, NULL);
	route_errors = 0;
	assert_int_equal(reg(w, 100, NULL), 0);
	assert_int_equal(route_errors, 1);
}


static const char *store_state(struct world *w, char *reason, size_t len)
{
	static char st[16];
	json_object *o = harole_ops.status(w->rw.state), *v;

	v = rt_member(o, "state_db", "state");
	snprintf(st, sizeof st, "%s", v ? json_object_get_string(v) : "?");
	v = rt_member(o, "state_db", "reason");
	snprintf(reason, len, "%s", v ? json_object_get_string(v) : "");
	json_object_put(o);
	return st;
}

static int64_t store_counter(struct world *w, const char *name)
{
	return rt_counter(&w->rw, "state-db", name);
}

static int64_t bindings(struct world *w)
{
	json_object *o = harole_ops.status(w->rw.state), *v;
	int64_t n = -1;

	if (json_object_object_get_ex(o, "bindings", &v))
		n = json_object_get_int64(v);
	json_object_put(o);
	return n;
}

/* The state directory on a tmpfs of its own, size bytes; false when this
 * system will not mount one for us. */
static bool small_state_fs(struct world *w, const char *opts)
{
	char d[128], cmd[160];

	stop_role(w);
	snprintf(d, sizeof d, "%s/state", w->rw.dir);
	snprintf(cmd, sizeof cmd, "rm -rf %s", d);
	(void)!system(cmd);
	assert_int_equal(mkdir(d, 0700), 0);
	if (mount("tmpfs", d, "tmpfs", 0, opts) < 0)
		return false;
	start_role(w, 300);
	return true;
}

/* Fill the file system of dir; the filler's path in out. */
static void fill(const char *dir, char *out, size_t len)
{
	static const char block[4096];
	int fd;

	snprintf(out, len, "%s/filler", dir);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	while (write(fd, block, sizeof block) > 0)
		;
	/* the last partial page too */
	while (write(fd, block, 1) > 0)
		;
	close(fd);
}

/* Changes that write, until the log has to grow for the next one (after
 * a checkpoint SQLite reuses the log's space from its start). */
static void churn(struct world *w)
{
	for (int i = 0; i < 24; i++) {
		w->flags = i & 1 ? MIP4_RRQ_D : 0;
		assert_int_equal(reg(w, 200, NULL), 0);
	}
	w->flags = 0;
	assert_int_equal(reg(w, 200, NULL), 0);
}

/*
 * The file system of the state file is full.  What needs no write (a
 * renewal in place) is still granted; what needs one is refused with an
 * authenticated 130 and undone in the table; the status says failing and
 * why; once space returns the store heals by itself (the tick's probe) and
 * the next change is granted and survives a restart.
 */
static void test_disk_full(void **state)
{
	struct world *w = *state;
	char d[128], filler[160], why[320];

	if (!small_state_fs(w, "size=256k,mode=0700"))
		skip();
	churn(w);
	assert_int_equal(bindings(w), 1);
	snprintf(d, sizeof d, "%s/state", w->rw.dir);
	fill(d, filler, sizeof filler);

	/* a renewal in place is durable already */
	assert_int_equal(reg(w, 200, NULL), 0);
	assert_true(store_counter(w, "renewals-not-rewritten") >= 1);
	assert_string_equal(store_state(w, why, sizeof why), "ok");
	/* a change (no reverse tunnelling any more) needs a write */
	w->flags = MIP4_RRQ_D;
	assert_int_equal(reg(w, 200, NULL), 130);
	assert_string_equal(store_state(w, why, sizeof why), "failing");
	if (!strstr(why, "full") && !strstr(why, "space"))
		fail_msg("reason: %s", why);
	/* a deregistration is a change too: refused, the binding stays */
	assert_int_equal(reg(w, 0, NULL), 130);
	assert_int_equal(bindings(w), 1);
	assert_int_equal(fake_priv_count(w->rw.priv, PRIV_ROUTE_DEL, HOME), 0);
	assert_true(rt_events_named(&w->rw, "registration-denied") >= 2);
	assert_true(store_counter(w, "refused-130") >= 2);
	/* after the refusals, the table holds what the file holds: T */
	w->flags = 0;
	assert_int_equal(reg(w, 200, NULL), 0);

	/* space returns: the probe notices */
	assert_int_equal(unlink(filler), 0);
	fake_advance(6000);
	harole_ops.tick(w->rw.state);
	assert_string_equal(store_state(w, why, sizeof why), "ok");
	w->flags = MIP4_RRQ_D;
	assert_int_equal(reg(w, 200, NULL), 0);
	stop_role(w);
	start_role(w, 300);
	assert_int_equal(rt_events_named(&w->rw, "restored"), 1);
	assert_int_equal(bindings(w), 1);
}

/* A new binding on a full disk: refused, and not in the table. */
static void test_disk_full_new_binding(void **state)
{
	struct world *w = *state;
	char d[128], filler[160];

	unsigned routes, registered;

	if (!small_state_fs(w, "size=256k,mode=0700"))
		skip();
	churn(w);
	assert_int_equal(reg(w, 0, NULL), 0);
	assert_int_equal(bindings(w), 0);
	routes = fake_priv_count(w->rw.priv, PRIV_ROUTE_ADD, HOME);
	registered = rt_events_named(&w->rw, "registered");
	snprintf(d, sizeof d, "%s/state", w->rw.dir);
	fill(d, filler, sizeof filler);
	assert_int_equal(reg(w, 200, NULL), 130);
	assert_int_equal(bindings(w), 0);
	assert_int_equal(fake_priv_count(w->rw.priv, PRIV_ROUTE_ADD, HOME), routes);
	assert_int_equal(rt_events_named(&w->rw, "registered"), registered);
	stop_role(w);
	assert_int_equal(unlink(filler), 0);
	start_role(w, 300);
	assert_int_equal(bindings(w), 0);
}

/* The state file deleted while the HA runs: written anew from memory at
 * the next batch, and what it grants survives a restart. */
static void test_db_deleted(void **state)
{
	struct world *w = *state;
	char db[128], why[320];
	struct stat st;

	assert_int_equal(reg(w, 200, NULL), 0);
	snprintf(db, sizeof db, "%s/state/ha.db", w->rw.dir);
	assert_int_equal(unlink(db), 0);
	w->flags = MIP4_RRQ_D;
	assert_int_equal(reg(w, 200, NULL), 0);
	assert_int_equal(stat(db, &st), 0);
	assert_int_equal(store_counter(w, "recoveries"), 1);
	assert_string_equal(store_state(w, why, sizeof why), "ok");
	stop_role(w);
	start_role(w, 300);
	assert_int_equal(rt_events_named(&w->rw, "restored"), 1);
}

/* Replaced by another file: left alone, nothing granted, and said. */
static void test_db_replaced(void **state)
{
	struct world *w = *state;
	char db[128], other[128], why[320];
	int fd;

	assert_int_equal(reg(w, 200, NULL), 0);
	snprintf(db, sizeof db, "%s/state/ha.db", w->rw.dir);
	snprintf(other, sizeof other, "%s/state/other", w->rw.dir);
	fd = open(other, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(rename(other, db), 0);
	assert_int_equal(reg(w, 200, NULL), 130);
	assert_string_equal(store_state(w, why, sizeof why), "failing");
	assert_non_null(strstr(why, "replaced"));
	fake_advance(6000);
	harole_ops.tick(w->rw.state);
	assert_int_equal(reg(w, 200, NULL), 130);
}

/* A read-only file system is named as such. */
static void test_readonly_fs(void **state)
{
	struct world *w = *state;
	char d[128], db[160], err[320];
	struct store *s = NULL;

	snprintf(d, sizeof d, "%s/ro", w->rw.dir);
	assert_int_equal(mkdir(d, 0700), 0);
	if (mount("tmpfs", d, "tmpfs", MS_RDONLY, "size=64k") < 0)
		skip();
	snprintf(db, sizeof db, "%s/ha.db", d);
	assert_int_equal(store_open(db, &s, err, sizeof err), -1);
	if (!strstr(err, "read-only"))
		fail_msg("message: %s", err);
	(void)umount(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_route_before_reply,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_garp_repeats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deregistration, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_status_and_listing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_restores, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_route_failure_reported, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_full_new_binding, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_db_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_fs, setup, teardown),
	};

	if (!rt_own_netns()) {
		printf("test_harole: SKIP: no network namespace of our own\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
