/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VPN drivers (daemon/vpncmd.c, vpnjob.c) against stand-ins of each
 * client, carried out by the direct privileged backend as the daemon does
 * and read by vpn_cmd_result() as the RFC 5265 node reads them.  Per
 * driver: the client works; it is missing; it hangs (killed after
 * swanctl-timeout, 2 s); it prints garbage; it is up without an inner
 * address.  The stand-ins are shell scripts written here (swanctl,
 * openconnect, wg-quick, wg, three commands) and, for OpenVPN, a
 * management socket served by this test on the same event loop.
 * Needs no privilege.
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "priv.h"
#include "vpncmd.h"

#define VIP 0x0a0ac807u /* 10.10.200.7 */

static char dir[64];
static struct event_base *base;
static struct priv_vpn_done got;
static char got_out[PRIV_VPN_OUT_MAX];
static bool have_got;

__attribute__((format(printf, 3, 4))) static void
write_file(const char *name, int mode, const char *fmt, ...)
{
	char path[256];
	FILE *f;
	va_list ap;

	(void)snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	va_start(ap, fmt);
	(void)vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, (mode_t)mode), 0);
}

static int run_err;

/* The job could not start (the backend reports it here, async). */
static void on_error(void *ctx, const struct priv_req *rq, int err)
{
	(void)ctx;
	(void)rq;
	run_err = err;
	event_base_loopbreak(base);
}

static void on_limit(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

static void on_done(void *ctx, const struct priv_vpn_done *d)
{
	(void)ctx;
	got = *d;
	(void)snprintf(got_out, sizeof got_out, "%s", d->out ? d->out : "");
	got.out = got_out;
	have_got = true;
	event_base_loopbreak(base);
}

/* Run one job of the vpn block in text (@: the stand-ins' directory);
 * its result, or -errno when it could not start. */
static int run(const char *text, enum priv_vpn what, uint32_t *vip,
	       enum vpn_result *res)
{
	char conf[4096], err[256];
	struct mip4_config c;
	struct priv *p;
	struct timeval limit = {10, 0};
	int n, rc;

	n = snprintf(conf, sizeof conf,
		     "mobile-node { home-address 10.10.100.100 home-agent "
		     "10.10.1.10 interface eth0 security { spi 300 key "
		     "hex:00112233445566778899aabbccddeeff }\n"
		     "vpn { mode mc gateway 198.51.100.2 swanctl-timeout 2\n");
	for (const char *t = text; *t && (size_t)n < sizeof conf - 256; t++)
		n += *t == '@' ? snprintf(conf + n, sizeof conf - (size_t)n,
					  "%s", dir)
			       : snprintf(conf + n, sizeof conf - (size_t)n,
					  "%c", *t);
	(void)snprintf(conf + n, sizeof conf - (size_t)n, " } }\n");
	rc = mip4_config_parse_buf("t.conf", conf, strlen(conf), &c, err,
				   sizeof err);
	if (rc < 0)
		fail_msg("%s\n%s", err, conf);
	p = priv_direct_new(base, &c);
	assert_non_null(p);
	priv_set_vpn_cb(p, on_done, NULL);
	priv_set_error_cb(p, on_error, NULL);
	have_got = false;
	run_err = 0;
	rc = priv_vpn_run(p, what);
	if (rc == 0 && run_err == 0) {
		struct event *t = evtimer_new(base, on_limit, NULL);

		(void)event_add(t, &limit);
		(void)event_base_dispatch(base);
		event_free(t);
		assert_true(have_got);
		*res = vpn_cmd_result(&c.vpn, what, &got, vip);
	}
	rc = rc ? rc : run_err;
	priv_free(p);
	mip4_config_free(&c);
	return rc;
}

/* ---- strongSwan: swanctl ---- */

#define SWAN "swanctl @/swanctl\nike vpn child vpn\n"

static void swanctl_is(const char *body)
{
	write_file("swanctl", 0700, "#!/bin/sh\n%s\n", body);
}

static void test_strongswan(void **state)
{
	uint32_t vip;
	enum vpn_result r;

	(void)state;
	swanctl_is("case \"$1\" in --list-sas) echo 'vpn: #1, ike-sa state="
		   "ESTABLISHED local-vips=[10.10.200.7] child-sas vpn state="
		   "INSTALLED';; esac");
	assert_int_equal(run(SWAN, PRIV_VPN_INITIATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_OK);
	assert_int_equal(run(SWAN, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_OK);
	assert_int_equal(vip, VIP);
	/* missing */
	assert_int_equal(run("swanctl @/none\nike vpn child vpn\n",
			     PRIV_VPN_INITIATE, &vip, &r), -ENOENT);
	/* hangs: killed, the known state kept */
	swanctl_is("exec sleep 30");
	assert_int_equal(run(SWAN, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_KILLED);
	assert_true(got.killed);
	/* garbage, and up without a virtual IP: no inner address */
	swanctl_is("echo 'local-vips=[banana]'");
	assert_int_equal(run(SWAN, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_DOWN);
	assert_int_equal(vip, 0);
	swanctl_is("echo 'state=ESTABLISHED local-vips=[] state=INSTALLED'");
	assert_int_equal(run(SWAN, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_DOWN);
	swanctl_is("echo 'no such connection'; exit 1");
	assert_int_equal(run(SWAN, PRIV_VPN_INITIATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_FAILED);
}

/* ---- OpenVPN: a management socket served here ---- */

enum mgmt_mode { M_OK, M_HANG, M_GARBAGE, M_NOADDR, M_CLOSE, M_ERROR };
static enum mgmt_mode mgmt_mode;
static int mgmt_fd = -1;
static struct event *mgmt_ev;
static char mgmt_seen[256];

static void on_client(evutil_socket_t fd, short what, void *arg)
{
	char buf[256], out[512] = "";
	ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
	struct event *ev = arg;

	(void)what;
	if (n <= 0) {
		event_free(ev);
		close(fd);
		return;
	}
	buf[n] = '\0';
	(void)snprintf(mgmt_seen + strlen(mgmt_seen),
		       sizeof mgmt_seen - strlen(mgmt_seen), "%s", buf);
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		const char *a = "";

		if (mgmt_mode == M_HANG)
			return;
		if (mgmt_mode == M_CLOSE) {
			event_free(ev);
			close(fd);
			return;
		}
		if (mgmt_mode == M_GARBAGE)
			a = "\x01\x02 what?\r\nEND\r\n";
		else if (mgmt_mode == M_ERROR)
			a = "ERROR: unknown command\r\n";
		else if (strcmp(l, "state") == 0)
			a = mgmt_mode == M_NOADDR
				    ? "1733620000,CONNECTED,SUCCESS,,198.51."
				      "100.2,1194,,\r\nEND\r\n"
				    : "1733620000,CONNECTED,SUCCESS,10.10.200.7,"
				      "198.51.100.2,1194,,\r\nEND\r\n";
		else if (strcmp(l, "hold release") == 0)
			a = "SUCCESS: hold release succeeded\r\n";
		else if (strcmp(l, "hold on") == 0)
			a = "SUCCESS: hold flag set to ON\r\n";
		else if (strcmp(l, "signal SIGUSR1") == 0)
			a = "SUCCESS: signal SIGUSR1 thrown\r\n";
		(void)snprintf(out + strlen(out), sizeof out - strlen(out), "%s",
			       a);
	}
	(void)send(fd, out, strlen(out), MSG_NOSIGNAL);
}

static void on_accept(evutil_socket_t fd, short what, void *arg)
{
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	struct event *ev;
	static const char hello[] =
		">INFO:OpenVPN Management Interface Version 5 -- type 'help' "
		"for more info\r\n";

	(void)what;
	(void)arg;
	if (c < 0)
		return;
	(void)send(c, hello, sizeof hello - 1, MSG_NOSIGNAL);
	ev = event_new(base, c, EV_READ | EV_PERSIST, on_client, NULL);
	event_assign(ev, base, c, EV_READ | EV_PERSIST, on_client, ev);
	(void)event_add(ev, NULL);
}

static void mgmt_listen(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	(void)snprintf(sa.sun_path, sizeof sa.sun_path, "%s/mgmt.sock", dir);
	mgmt_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(mgmt_fd >= 0);
	assert_int_equal(bind(mgmt_fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(mgmt_fd, 4), 0);
	mgmt_ev = event_new(base, mgmt_fd, EV_READ | EV_PERSIST, on_accept,
			    NULL);
	(void)event_add(mgmt_ev, NULL);
}

#define OVPN "driver openvpn management @/mgmt.sock\n"

static void test_openvpn(void **state)
{
	uint32_t vip;
	enum vpn_result r;

	(void)state;
	/* missing: nobody listens there */
	assert_int_equal(run(OVPN, PRIV_VPN_LIST, &vip, &r), -ENOENT);
	mgmt_listen();
	mgmt_mode = M_OK;
	mgmt_seen[0] = '\0';
	assert_int_equal(run(OVPN, PRIV_VPN_INITIATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_OK);
	assert_int_equal(run(OVPN, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_OK);
	assert_int_equal(vip, VIP);
	assert_int_equal(run(OVPN, PRIV_VPN_TERMINATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_OK);
	assert_string_equal(mgmt_seen, "hold release\nstate\nhold on\n"
				       "signal SIGUSR1\n");
	/* hangs: accepted, never answered */
	mgmt_mode = M_HANG;
	assert_int_equal(run(OVPN, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_KILLED);
	assert_true(got.killed);
	/* garbage; connected without an address; refused; gone mid-way */
	mgmt_mode = M_GARBAGE;
	assert_int_equal(run(OVPN, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_GARBAGE);
	mgmt_mode = M_NOADDR;
	assert_int_equal(run(OVPN, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_GARBAGE);
	assert_int_equal(vip, 0);
	mgmt_mode = M_ERROR;
	assert_int_equal(run(OVPN, PRIV_VPN_INITIATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_FAILED);
	mgmt_mode = M_CLOSE;
	assert_int_equal(run(OVPN, PRIV_VPN_TERMINATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_FAILED);
	event_free(mgmt_ev);
	close(mgmt_fd);
}

/* ---- openconnect: --background, the --script hook, its pid file ---- */

#define OC "driver openconnect program @/openconnect server https://gw\n" \
	   "vpn-interface oc0 script @/vpnc-script state-dir @\n"

/* A stand-in that takes openconnect's options, runs the hook through
 * /bin/sh -c as openconnect does (with env from `hookenv`), leaves a
 * daemon named openconnect behind and exits, like --background. */
static void openconnect_is(const char *hookenv, const char *fg)
{
	write_file("openconnect", 0700,
		   "#!/bin/sh\n"
		   "if [ \"$1\" = --daemon ]; then\n"
		   "  trap 'reason=disconnect /bin/sh -c \"$2\"; exit 0' TERM\n"
		   "  while :; do sleep 0.05; done\n"
		   "fi\n"
		   "for a; do case $a in --pid-file=*) pf=${a#*=};; "
		   "--script=*) hook=${a#*=};; esac; done\n"
		   "%s\n"
		   "env %s /bin/sh -c \"$hook\" || exit 1\n"
		   "\"$0\" --daemon \"$hook\" </dev/null >/dev/null 2>&1 &\n"
		   "echo $! >\"$pf\"\n",
		   fg, hookenv);
}

static void test_openconnect(void **state)
{
	uint32_t vip;
	enum vpn_result r;

	(void)state;
	write_file("vpnc-script", 0700, "#!/bin/sh\nexit 0\n");
	openconnect_is("reason=connect TUNDEV=oc0 INTERNAL_IP4_ADDRESS=10.10.200.7",
		       "");
	assert_int_equal(run(OC, PRIV_VPN_INITIATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_OK);
	assert_int_equal(run(OC, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_OK);
	assert_int_equal(vip, VIP);
	/* down: SIGTERM, the hook says disconnect, the process goes */
	assert_int_equal(run(OC, PRIV_VPN_TERMINATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_OK);
	assert_false(got.killed);
	assert_int_equal(run(OC, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_DOWN);
	/* the user's script fails: the record says so (garbage) */
	write_file("vpnc-script", 0700, "#!/bin/sh\nexit 3\n");
	openconnect_is("reason=connect INTERNAL_IP4_ADDRESS=10.10.200.7", "");
	assert_int_equal(run(OC, PRIV_VPN_INITIATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_FAILED);
	write_file("vpnc-script", 0700, "#!/bin/sh\nexit 0\n");
	/* garbage from openconnect; connected without an inner address */
	openconnect_is("reason=dance INTERNAL_IP4_ADDRESS=banana", "");
	assert_int_equal(run(OC, PRIV_VPN_INITIATE, &vip, &r), 0);
	assert_int_equal(run(OC, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_GARBAGE);
	assert_int_equal(run(OC, PRIV_VPN_TERMINATE, &vip, &r), 0);
	openconnect_is("reason=connect TUNDEV=oc0", "");
	assert_int_equal(run(OC, PRIV_VPN_INITIATE, &vip, &r), 0);
	assert_int_equal(run(OC, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_GARBAGE);
	assert_int_equal(vip, 0);
	assert_int_equal(run(OC, PRIV_VPN_TERMINATE, &vip, &r), 0);
	/* hangs before connecting: killed */
	openconnect_is("reason=connect", "exec sleep 30");
	assert_int_equal(run(OC, PRIV_VPN_INITIATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_KILLED);
	/* missing */
	assert_int_equal(unlink(strcat(strcpy((char[128]){0}, dir),
				       "/openconnect")), 0);
	assert_int_equal(run(OC, PRIV_VPN_INITIATE, &vip, &r), -ENOENT);
}

/* ---- WireGuard: wg-quick and wg ---- */

#define WG "driver wireguard program @/wg-quick wg @/wg " \
	   "client-config @/wgmn.conf\n"
#define WG_KEY "hM0kFBCZdVm5YpJR2R2LzXYkSMUXS4nkBzdB3eW7S2A="

static void test_wireguard(void **state)
{
	uint32_t vip;
	enum vpn_result r;

	(void)state;
	write_file("wg-quick", 0700, "#!/bin/sh\n[ \"$1\" = up ] && "
		   "[ \"${2##*/}\" = wgmn.conf ]\n");
	write_file("wg", 0700, "#!/bin/sh\n[ \"$*\" = 'show wgmn endpoints' ] "
		   "&& printf '%%s\\t198.51.100.2:51820\\n' " WG_KEY "\n");
	assert_int_equal(run(WG, PRIV_VPN_INITIATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_OK);
	/* up: the inner address is the interface's, read by the caller */
	assert_int_equal(run(WG, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_NEED_ADDR);
	/* no such interface: wg says so and exits 1 */
	write_file("wg", 0700, "#!/bin/sh\necho 'Unable to access interface: "
		   "No such device' >&2; exit 1\n");
	assert_int_equal(run(WG, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_DOWN);
	/* garbage; no peer at the gateway */
	write_file("wg", 0700, "#!/bin/sh\necho 'interface: wgmn'\n");
	assert_int_equal(run(WG, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_GARBAGE);
	write_file("wg", 0700, "#!/bin/sh\nprintf '%%s\\t(none)\\n' " WG_KEY "\n");
	assert_int_equal(run(WG, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_DOWN);
	/* hangs; fails; missing */
	write_file("wg-quick", 0700, "#!/bin/sh\nexec sleep 30\n");
	assert_int_equal(run(WG, PRIV_VPN_INITIATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_KILLED);
	write_file("wg-quick", 0700, "#!/bin/sh\necho '[#] ip link add' >&2; "
		   "exit 1\n");
	assert_int_equal(run(WG, PRIV_VPN_TERMINATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_FAILED);
	assert_non_null(strstr(got.out, "ip link add"));
	assert_int_equal(run("driver wireguard program @/none "
			     "client-config @/wgmn.conf\n",
			     PRIV_VPN_INITIATE, &vip, &r), -ENOENT);
}

/* ---- command: three configured commands ---- */

#define CMD "driver command up-command \"@/up now\" down-command @/down " \
	    "status-command \"@/status  -v\"\n"

static void test_command(void **state)
{
	uint32_t vip;
	enum vpn_result r;

	(void)state;
	/* arguments are split on blanks, no shell */
	write_file("up", 0700, "#!/bin/sh\n[ \"$#\" = 1 ] && [ \"$1\" = now ]\n");
	write_file("down", 0700, "#!/bin/sh\nexit 0\n");
	write_file("status", 0700, "#!/bin/sh\n[ \"$*\" = -v ] && "
		   "echo 10.10.200.7/32\n");
	assert_int_equal(run(CMD, PRIV_VPN_INITIATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_OK);
	assert_int_equal(run(CMD, PRIV_VPN_TERMINATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_OK);
	assert_int_equal(run(CMD, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_OK);
	assert_int_equal(vip, VIP);
	/* down: nothing printed, or a non-zero exit */
	write_file("status", 0700, "#!/bin/sh\nexit 0\n");
	assert_int_equal(run(CMD, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_DOWN);
	write_file("status", 0700, "#!/bin/sh\necho 10.10.200.7; exit 2\n");
	assert_int_equal(run(CMD, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_DOWN);
	assert_int_equal(vip, 0);
	/* garbage; hangs; missing */
	write_file("status", 0700, "#!/bin/sh\necho connected\n");
	assert_int_equal(run(CMD, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_GARBAGE);
	write_file("status", 0700, "#!/bin/sh\nexec sleep 30\n");
	assert_int_equal(run(CMD, PRIV_VPN_LIST, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_KILLED);
	write_file("up", 0700, "#!/bin/sh\nexit 1\n");
	assert_int_equal(run(CMD, PRIV_VPN_INITIATE, &vip, &r), 0);
	assert_int_equal(r, VPN_RES_FAILED);
	assert_int_equal(run("driver command up-command @/none down-command "
			     "@/down status-command @/status\n",
			     PRIV_VPN_INITIATE, &vip, &r), -ENOENT);
}

static int setup(void **state)
{
	(void)state;
	(void)snprintf(dir, sizeof dir, "/tmp/mip4-vpndrv-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	return base ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	event_base_free(base);
	(void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strongswan),
		cmocka_unit_test(test_openvpn),
		cmocka_unit_test(test_openconnect),
		cmocka_unit_test(test_wireguard),
		cmocka_unit_test(test_command),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
