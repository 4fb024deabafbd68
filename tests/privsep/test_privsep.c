/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The privileged parent's side of the socketpair (daemon/privsep.c
 * ps_parent_handle) and its policy (daemon/priv_policy.c), in memory: what
 * a compromised engine could send is refused and counted, what the
 * configuration needs is carried out.  And the engine's seccomp filter,
 * in a child that calls what the filter does not allow.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "priv.h"
#include "priv_policy.h"
#include "privsep.h"
#include "sandbox.h"

/* Interfaces of the test: 1 mip-ha0 (the HA's TUN), 2 h0 (its home
 * link), 3 eth9 (someone else's). */
static int fake_ifname(int ifindex, char name[PRIV_IFNAME_MAX])
{
	static const char *const names[] = {NULL, "mip-ha0", "h0", "eth9",
					    "mip-fa0", "f0", "wlan0", "mip0"};

	if (ifindex <= 0 || ifindex >= (int)(sizeof names / sizeof names[0]))
		return -1;
	snprintf(name, PRIV_IFNAME_MAX, "%s", names[ifindex]);
	return 0;
}

struct world {
	struct mip4_config conf;
	struct priv_policy pol;
	struct ps_parent *ps;
	unsigned executed;
	struct priv_req last;
};

static int fake_exec(void *ctx, const struct priv_req *rq)
{
	struct world *w = ctx;

	w->executed++;
	w->last = *rq;
	return 0;
}

static const char ha_conf[] =
	"control-socket /run/t.sock\n"
	"state-db /var/lib/mip4d/t.db\n"
	"home-agent {\n"
	"\taddress 10.77.0.1\n"
	"\thome-network 10.77.0.0/24\n"
	"\ttunnel-device mip-ha0\n"
	"\thome-interface h0\n"
	"\tmobile-node 10.77.0.100 { spi 0x100 key hex:00112233445566778899aabbccddeeff }\n"
	"}\n";

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	char err[256];

	assert_non_null(w);
	assert_int_equal(mip4_config_parse_buf("t", ha_conf, sizeof ha_conf - 1,
					       &w->conf, err, sizeof err), 0);
	privsep_policy(&w->conf, &w->pol);
	w->ps = ps_parent_new(&w->pol, fake_exec, w, fake_ifname);
	assert_non_null(w->ps);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	ps_parent_free(w->ps);
	mip4_config_free(&w->conf);
	free(w);
	return 0;
}

/* Send one request as the engine would; the parent's answer. */
static int ask(struct world *w, const struct priv_req *rq, uint32_t seq)
{
	uint8_t msg[sizeof(struct ps_hdr) + sizeof *rq], reply[PS_MSG_MAX];
	struct ps_hdr h = {.magic = PS_MAGIC, .type = PS_REQ,
			   .len = sizeof *rq, .seq = seq};
	struct ps_hdr r;
	size_t rlen;

	memcpy(msg, &h, sizeof h);
	memcpy(msg + sizeof h, rq, sizeof *rq);
	ps_parent_handle(w->ps, msg, sizeof msg, reply, &rlen);
	assert_int_equal(rlen, sizeof r);
	memcpy(&r, reply, sizeof r);
	assert_int_equal(r.magic, PS_MAGIC);
	assert_int_equal(r.type, PS_REPLY);
	assert_int_equal(r.seq, seq);
	return r.result;
}

static struct priv_req route_req(uint32_t dst, int plen, int ifindex,
				 uint32_t table)
{
	struct priv_req rq = {.op = PRIV_ROUTE_ADD, .dst = dst, .plen = plen,
			      .ifindex = ifindex, .table = table};

	return rq;
}

/* What the home agent does every day goes through. */
static void test_ha_allowed(void **state)
{
	struct world *w = *state;
	struct priv_req rq = route_req(0x0a4d0064, 32, 1, 0);

	assert_int_equal(ask(w, &rq, 1), 0);
	assert_int_equal(w->executed, 1);
	assert_int_equal(w->last.dst, 0x0a4d0064);
	rq.op = PRIV_ROUTE_DEL;
	assert_int_equal(ask(w, &rq, 2), 0);
	rq = (struct priv_req){.op = PRIV_PROXY_ADD, .ifindex = 2,
			       .dst = 0x0a4d0064};
	assert_int_equal(ask(w, &rq, 3), 0);
	rq = (struct priv_req){.op = PRIV_GARP, .ifindex = 2, .dst = 0x0a4d0064,
			       .flags = PRIV_F_MAC, .mac = {2, 0, 0, 0, 0, 1}};
	assert_int_equal(ask(w, &rq, 4), 0);
	assert_int_equal(w->executed, 4);
	assert_int_equal(ps_parent_stats(w->ps)->refused, 0);
}

/*
 * Forged: a route outside the home network, a /24, a device that is not
 * ours, someone else's table, a rule, a neighbour entry, a proxy entry for
 * an outside address, the VPN client of a node without a VPN.  Each is
 * refused (EPERM), never carried out, and counted.
 */
static void test_forged_refused(void **state)
{
	struct world *w = *state;
	struct priv_req forged[] = {
		route_req(0x08080808, 32, 1, 0),    /* outside the home net */
		route_req(0x0a4d0000, 24, 1, 0),    /* the whole home net */
		route_req(0x0a4d0064, 32, 3, 0),    /* into eth9 */
		route_req(0x0a4d0064, 32, 99, 0),   /* no such device */
		route_req(0x0a4d0064, 32, 1, 100),  /* table 100 */
		route_req(0, 0, 1, 0),		    /* a default route */
		{.op = PRIV_ROUTE_FLUSH, .table = 254},
		{.op = PRIV_ROUTE_FLUSH, .table = 100},
		{.op = PRIV_RULE_ADD, .prio = 1, .table = 254},
		{.op = PRIV_RULE_DEL, .prio = 0},
		{.op = PRIV_NEIGH_ADD, .flags = PRIV_F_MAC, .ifindex = 2,
		 .dst = 0x0a4d0001, .mac = {1, 2, 3, 4, 5, 6}},
		{.op = PRIV_PROXY_ADD, .ifindex = 2, .dst = 0x08080808},
		{.op = PRIV_PROXY_ADD, .ifindex = 3, .dst = 0x0a4d0064},
		{.op = PRIV_GARP, .ifindex = 2, .dst = 0xc0a80001},
		{.op = PRIV_VPN_RUN, .vpn = PRIV_VPN_INITIATE},
	};

	for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++)
		assert_int_equal(ask(w, &forged[i], 10 + (uint32_t)i), -EPERM);
	assert_int_equal(w->executed, 0);
	assert_int_equal(ps_parent_stats(w->ps)->refused,
			 sizeof forged / sizeof forged[0]);
	assert_int_equal(ps_parent_stats(w->ps)->requests,
			 sizeof forged / sizeof forged[0]);
}

/* Malformed messages: counted, never answered with an action. */
static void test_malformed(void **state)
{
	struct world *w = *state;
	uint8_t msg[64 + sizeof(struct priv_req)] = {0}, reply[PS_MSG_MAX];
	struct ps_hdr h = {.magic = PS_MAGIC, .type = PS_REQ,
			   .len = sizeof(struct priv_req)};
	struct priv_req rq = route_req(0x0a4d0064, 32, 1, 0);
	size_t rlen;

	/* short, bad magic, length mismatch, unknown type */
	ps_parent_handle(w->ps, msg, 3, reply, &rlen);
	assert_int_equal(rlen, 0);
	h.magic = 1;
	memcpy(msg, &h, sizeof h);
	memcpy(msg + sizeof h, &rq, sizeof rq);
	ps_parent_handle(w->ps, msg, sizeof h + sizeof rq, reply, &rlen);
	assert_int_equal(rlen, 0);
	h.magic = PS_MAGIC;
	memcpy(msg, &h, sizeof h);
	ps_parent_handle(w->ps, msg, sizeof h + sizeof rq - 1, reply, &rlen);
	assert_int_equal(rlen, 0);
	h.type = 77;
	memcpy(msg, &h, sizeof h);
	ps_parent_handle(w->ps, msg, sizeof h + sizeof rq, reply, &rlen);
	assert_int_equal(rlen, 0);
	/* fields out of range: answered EINVAL, not carried out */
	rq.plen = 33;
	assert_int_equal(ask(w, &rq, 5), -EINVAL);
	rq.plen = 32;
	rq.op = PRIV_NOPS;
	assert_int_equal(ask(w, &rq, 6), -EINVAL);
	rq.op = PRIV_ROUTE_ADD;
	rq.flags = PRIV_F_MAC; /* not a route's */
	assert_int_equal(ask(w, &rq, 7), -EINVAL);
	rq.flags = 0;
	memset(rq.iif, 'x', sizeof rq.iif); /* not terminated */
	assert_int_equal(ask(w, &rq, 8), -EINVAL);
	memset(rq.iif, 0, sizeof rq.iif);
	/* an unreachable route names no device, no source, and a table */
	rq.flags = PRIV_F_UNREACH;
	assert_int_equal(ask(w, &rq, 9), -EINVAL); /* ifindex 1 */
	rq.ifindex = 0;
	rq.flags = PRIV_F_UNREACH | PRIV_F_SRC;
	assert_int_equal(ask(w, &rq, 10), -EINVAL);
	rq.flags = PRIV_F_UNREACH;
	rq.table = 0;
	assert_int_equal(ask(w, &rq, 11), -EINVAL);
	/* a device route without a device */
	rq.flags = 0;
	assert_int_equal(ask(w, &rq, 12), -EINVAL);
	assert_int_equal(w->executed, 0);
	assert_int_equal(ps_parent_stats(w->ps)->malformed, 12);
}

/* The other roles' policies: each allows what it does, not the others'. */
static void test_role_policies(void **state)
{
	static const char conf[] =
		"control-socket /run/t.sock\n"
		"foreign-agent {\n\tinterface f0\n\taddress 192.0.2.1\n"
		"\tcare-of-address 198.51.100.5\n\ttunnel-device mip-fa0\n}\n";
	struct mip4_config c;
	struct priv_policy pol;
	struct priv_req rq;
	const char *why;
	char err[256];

	(void)state;
	assert_int_equal(mip4_config_parse_buf("t", conf, sizeof conf - 1, &c,
					       err, sizeof err), 0);
	privsep_policy(&c, &pol);
	/* a visitor: host route and neighbour on the link, its rule */
	rq = route_req(0x0a000064, 32, 5, 0);
	assert_int_equal(priv_policy_check(&pol, &rq, fake_ifname, &why), 0);
	rq.ifindex = 4; /* a host route into the TUN is not the FA's */
	assert_int_equal(priv_policy_check(&pol, &rq, fake_ifname, &why), -EPERM);
	rq = route_req(0, 0, 4, 434); /* its table: default into the TUN */
	assert_int_equal(priv_policy_check(&pol, &rq, fake_ifname, &why), 0);
	rq = (struct priv_req){.op = PRIV_RULE_IIF_ADD, .prio = 434,
			       .table = 434, .src = 0x0a000064};
	strcpy(rq.iif, "f0");
	assert_int_equal(priv_policy_check(&pol, &rq, fake_ifname, &why), 0);
	strcpy(rq.iif, "eth9");
	assert_int_equal(priv_policy_check(&pol, &rq, fake_ifname, &why), -EPERM);
	rq = (struct priv_req){.op = PRIV_GARP, .ifindex = 5, .dst = 0x0a000064};
	assert_int_equal(priv_policy_check(&pol, &rq, fake_ifname, &why), -EPERM);
	mip4_config_free(&c);
}

/* The RFC 5266 mode's unreachable route for the gateway: in i-MIP's table
 * only, never in main or a table that is not the node's. */
static void test_vpn_unreachable(void **state)
{
	static const char conf[] =
		"mobile-node {\n\thome-address 10.10.100.100\n"
		"\thome-agent 10.10.1.10\n\tinterface wlan0\n"
		"\ttunnel-device mip-i0\n\troute all\n"
		"\tsecurity { spi 0x3000 key k }\n"
		"\tvpn { mode mc gateway 198.51.100.2 ike vpn child vpn }\n}\n";
	struct mip4_config c;
	struct priv_policy pol;
	struct priv_req rq = {.op = PRIV_ROUTE_ADD, .flags = PRIV_F_UNREACH,
			      .dst = 0xc6336402, .plen = 32};
	const char *why;
	char err[256];

	(void)state;
	assert_int_equal(mip4_config_parse_buf("t", conf, sizeof conf - 1, &c,
					       err, sizeof err), 0);
	privsep_policy(&c, &pol);
	rq.table = 0x4d49; /* i-MIP's (daemon/vpnrole.c I_TABLE) */
	assert_int_equal(priv_req_check(&rq), 0);
	assert_int_equal(priv_policy_check(&pol, &rq, fake_ifname, &why), 0);
	rq.table = 254;
	assert_int_equal(priv_policy_check(&pol, &rq, fake_ifname, &why), -EPERM);
	assert_non_null(strstr(why, "main"));
	rq.table = 999;
	assert_int_equal(priv_policy_check(&pol, &rq, fake_ifname, &why), -EPERM);
	mip4_config_free(&c);
}

/*
 * The engine's seccomp filter: a child installs it and then calls what it
 * does not allow (an IP socket, mount, setuid...): killed by SIGSYS; what
 * it allows (a netlink socket, getpid) works.
 */
static void test_seccomp_kills(void **state)
{
	/* (ptrace and execve are allowed in sanitized builds: ASan's) */
	static const long forbidden[] = {SYS_socket, SYS_mount, SYS_setuid,
					 SYS_reboot, SYS_bpf};

	(void)state;
	for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++) {
		int status;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			int fd;

			if (sandbox_seccomp(false) < 0)
				_exit(2);
			fd = socket(AF_NETLINK, SOCK_RAW, 0);
			if (fd < 0 || getpid() <= 0)
				_exit(3);
			if (forbidden[i] == SYS_socket)
				(void)socket(AF_INET, SOCK_DGRAM, 0);
			else
				(void)syscall(forbidden[i], 0, 0, 0, 0);
			_exit(0); /* survived: the filter let it through */
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGSYS);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ha_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test(test_vpn_unreachable),
		cmocka_unit_test(test_role_policies),
		cmocka_unit_test(test_seccomp_kills),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
