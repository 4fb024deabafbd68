/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mn_driver - test driver for the mobile node's plumbing in network
 * namespaces (mnplumb_netns.sh).  Modes:
 *
 *   run TUN MTU HOME FWMARK TABLE PRIO STATS
 *	mndp_open() (TUN holding HOME/32), a UDP socket on 0.0.0.0:434 with
 *	SO_MARK FWMARK and IP_PKTINFO, and the policy routing a mobile node
 *	uses away from home:
 *	  rule PRIO    fwmark FWMARK lookup main
 *	  rule PRIO+1  lookup main suppress_prefixlength 0
 *	  rule PRIO+2  lookup TABLE;  TABLE: default dev TUN src HOME
 *	Then reads commands, one a line, on stdin:
 *	  tunnel off|ipip|udp [COA HA]   mndp_set_tunnel()
 *	  keepalive                      mndp_send_keepalive()
 *	  unplumb                        delete the rules, flush TABLE
 *	  quit                           (also EOF and SIGTERM)
 *	Writes "name value" lines to STATS (replaced atomically) whenever
 *	something changes; "cmds" counts the commands done, "cmd_err" is the
 *	last command's result.  Leaves no rule and no route behind.
 *   ifstate IFNAME
 *	prints nl_if_state() once.
 *   watch IFNAME OUT
 *	nl_monitor_open(); after every wake-up with messages, writes
 *	"wakeups N" and nl_if_state() of IFNAME to OUT (atomically).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mip4/ip.h"
#include "mip4/wire.h"
#include "mn.h"
#include "nl.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "mn_driver: %s: %s\n", what,
		strerror(err < 0 ? -err : err));
	exit(1);
}

static uint32_t addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "mn_driver: bad address %s\n", s);
		exit(2);
	}
	return ntohl(a.s_addr);
}

static uint32_t num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*end || v > UINT32_MAX) {
		fprintf(stderr, "mn_driver: bad number %s\n", s);
		exit(2);
	}
	return (uint32_t)v;
}

static void replace_file(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die("stats file", errno);
	fputs(text, f);
	fclose(f);
	if (rename(tmp, path) < 0)
		die("rename", errno);
}

static void write_stats(const char *path, const struct mndp_stats *s,
			unsigned int cmds, int cmd_err)
{
	char t[2048];

	snprintf(t, sizeof t,
		 "tun_rx %llu\nencap_tx %llu\ndecap_rx %llu\ngated %llu\n"
		 "drop_not_from_ha %llu\ndrop_not_for_home %llu\n"
		 "drop_malformed %llu\ndrop_send_error %llu\nkeepalives %llu\n"
		 "tun_tx %llu\ndrop_not_from_home %llu\n"
		 "keepalive_replies %llu\ncmds %u\ncmd_err %d\n",
		 (unsigned long long)s->tun_rx, (unsigned long long)s->encap_tx,
		 (unsigned long long)s->decap_rx, (unsigned long long)s->gated,
		 (unsigned long long)s->drop_not_from_ha,
		 (unsigned long long)s->drop_not_for_home,
		 (unsigned long long)s->drop_malformed,
		 (unsigned long long)s->drop_send_error,
		 (unsigned long long)s->keepalives,
		 (unsigned long long)s->tun_tx,
		 (unsigned long long)s->drop_not_from_home,
		 (unsigned long long)s->keepalive_replies, cmds, cmd_err);
	replace_file(path, t);
}

static int udp_socket(uint32_t mark)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(MIP4_PORT)};
	int one = 1, sz = 4 << 20;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0 ||
	    bind(fd, (const struct sockaddr *)&sa, sizeof sa) < 0)
		die("udp socket", errno);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz);
	return fd;
}

struct plumb {
	struct nl *nl;
	uint32_t prio, table, fwmark, home;
	int ifindex;
	bool on;
};

static int plumb_up(struct plumb *p)
{
	int r;

	/* twice: the second add must be a harmless EEXIST / replace */
	for (int i = 0; i < 2; i++) {
		if ((r = nl_rule_add(p->nl, p->prio, 0, p->fwmark, -1)) < 0 ||
		    (r = nl_rule_add(p->nl, p->prio + 1, 0, 0, 0)) < 0 ||
		    (r = nl_rule_add(p->nl, p->prio + 2, p->table, 0, -1)) < 0 ||
		    (r = nl_route_add_src(p->nl, 0, 0, p->ifindex, p->home,
					  p->table)) < 0)
			return r;
	}
	p->on = true;
	return 0;
}

static int plumb_down(struct plumb *p)
{
	int r = 0;

	if (!p->on)
		return 0;
	for (uint32_t i = 0; i < 3; i++) {
		int d = nl_rule_del(p->nl, p->prio + i);

		if (d == 0)
			d = nl_rule_del(p->nl, p->prio + i); /* none: ok */
		if (d < 0)
			r = d;
	}
	if (!r)
		r = nl_route_flush_table(p->nl, p->table);
	if (!r)
		r = nl_route_flush_table(p->nl, p->table); /* empty: ok */
	p->on = false;
	return r;
}

/* The contract's refusals, checked once. */
static void selfcheck(struct nl *nl)
{
	static const uint32_t refused[] = {0, 254, 255};

	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		if (nl_route_flush_table(nl, refused[i]) != -EINVAL)
			die("nl_route_flush_table accepted a reserved table",
			    EPERM);
}

static int command(struct mndp *m, struct plumb *p, char *line)
{
	char *av[4] = {0};
	int ac = 0;

	for (char *tok = strtok(line, " \t"); tok && ac < 4;
	     tok = strtok(NULL, " \t"))
		av[ac++] = tok;
	if (!ac)
		return 0;
	if (strcmp(av[0], "tunnel") == 0 && ac >= 2) {
		enum mndp_mode mode = strcmp(av[1], "ipip") == 0  ? MNDP_IPIP
				      : strcmp(av[1], "udp") == 0 ? MNDP_UDP
								  : MNDP_OFF;

		mndp_set_tunnel(m, mode, ac == 4 ? addr(av[2]) : 0,
				ac == 4 ? addr(av[3]) : 0);
		return 0;
	}
	if (strcmp(av[0], "keepalive") == 0)
		return mndp_send_keepalive(m);
	if (strcmp(av[0], "unplumb") == 0)
		return plumb_down(p);
	if (strcmp(av[0], "quit") == 0) {
		stop = 1;
		return 0;
	}
	return -EINVAL;
}

static void udp_drain(struct mndp *m, int ufd)
{
	static uint8_t msg[65536];

	for (int i = 0; i < MNDP_BATCH; i++) {
		struct sockaddr_in from = {0};
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(ufd, msg, sizeof msg, 0,
				     (struct sockaddr *)&from, &fl);

		if (n < 0)
			break;
		if (n > 0 && msg[0] == MIP4_MSG_TUNNEL_DATA &&
		    ntohs(from.sin_port) == MIP4_PORT)
			(void)mndp_udp_input(m, ntohl(from.sin_addr.s_addr), msg,
					     (size_t)n);
	}
}

static int run(char **av)
{
	struct plumb p = {.home = addr(av[2]), .fwmark = num(av[3]),
			  .table = num(av[4]), .prio = num(av[5])};
	int ufd = udp_socket(p.fwmark), r;
	const char *stats = av[6];
	struct mndp_stats last;
	unsigned int cmds = 0;
	int cmd_err = 0;
	char line[512];
	size_t ll = 0;
	struct mndp *m;
	bool in_open = true;

	r = mndp_open(&(struct mndp_cfg){.tun_name = av[0], .mtu = atoi(av[1]),
					 .home_addr = p.home,
					 .fwmark = p.fwmark, .udp_fd = ufd},
		      &m);
	if (r < 0)
		die("mndp_open", r);
	r = nl_open(&p.nl);
	if (r < 0)
		die("nl_open", r);
	selfcheck(p.nl);
	p.ifindex = mndp_tun_ifindex(m);
	r = plumb_up(&p);
	if (r < 0)
		die("plumbing", r);
	memset(&last, 0xff, sizeof last);
	write_stats(stats, mndp_stats(m), cmds, cmd_err);
	while (!stop) {
		struct pollfd pf[4] = {{mndp_tun_fd(m), POLLIN, 0},
				       {mndp_raw_fd(m), POLLIN, 0},
				       {ufd, POLLIN, 0},
				       {in_open ? 0 : -1, POLLIN, 0}};
		bool dirty = false;

		if (memcmp(&last, mndp_stats(m), sizeof last) != 0) {
			last = *mndp_stats(m);
			dirty = true;
		}
		if (dirty)
			write_stats(stats, &last, cmds, cmd_err);
		if (poll(pf, 4, 100) < 0)
			continue;
		if (pf[0].revents)
			while (mndp_on_tun(m) == MNDP_BATCH)
				;
		if (pf[1].revents)
			while (mndp_on_raw(m) == MNDP_BATCH)
				;
		if (pf[2].revents)
			udp_drain(m, ufd);
		if (pf[3].revents) {
			ssize_t n = read(0, line + ll, sizeof line - 1 - ll);
			char *nlc;

			if (n <= 0) {
				in_open = false;
				stop = 1;
				continue;
			}
			ll += (size_t)n;
			line[ll] = 0;
			while ((nlc = strchr(line, '\n'))) {
				*nlc = 0;
				cmd_err = command(m, &p, line);
				cmds++;
				memmove(line, nlc + 1, ll - (size_t)(nlc + 1 - line) + 1);
				ll -= (size_t)(nlc + 1 - line);
				write_stats(stats, mndp_stats(m), cmds, cmd_err);
			}
			if (ll == sizeof line - 1)
				ll = 0; /* an absurd line: forget it */
		}
	}
	r = plumb_down(&p);
	if (r < 0)
		fprintf(stderr, "mn_driver: unplumb: %s\n", strerror(-r));
	write_stats(stats, mndp_stats(m), cmds, cmd_err);
	nl_close(p.nl);
	mndp_close(m);
	close(ufd);
	return r < 0;
}

static void format_state(char *t, size_t cap, const struct nl_ifstate *st)
{
	char a[16], g[16];

	snprintf(t, cap, "up %d\nrunning %d\naddr %s/%d\ngw %s\n", st->up,
		 st->running, mip4_ntoa(st->addr, a), st->plen,
		 mip4_ntoa(st->gateway, g));
}

static int ifstate(const char *ifname)
{
	struct nl_ifstate st;
	struct nl *nl;
	char t[256];
	int r, ifindex = nl_ifindex(ifname);

	if (ifindex < 0)
		die(ifname, ifindex);
	if ((r = nl_open(&nl)) < 0 || (r = nl_if_state(nl, ifindex, &st)) < 0)
		die("nl_if_state", r);
	nl_close(nl);
	format_state(t, sizeof t, &st);
	fputs(t, stdout);
	return 0;
}

static int watch(const char *ifname, const char *out)
{
	unsigned long wakeups = 0;
	struct nl *nl;
	int r, ifindex = nl_ifindex(ifname), fd = nl_monitor_open();

	if (ifindex < 0)
		die(ifname, ifindex);
	if (fd < 0)
		die("nl_monitor_open", fd);
	if ((r = nl_open(&nl)) < 0)
		die("nl_open", r);
	for (bool first = true; !stop; first = false) {
		struct pollfd pf = {fd, POLLIN, 0};
		struct nl_ifstate st;
		char t[512];
		size_t len;

		if (!first) {
			if (poll(&pf, 1, 1000) <= 0)
				continue;
			r = nl_monitor_drain(fd);
			if (r < 0)
				die("nl_monitor_drain", r);
			if (r == 0)
				continue;
			wakeups++;
		}
		r = nl_if_state(nl, ifindex, &st);
		if (r < 0)
			die("nl_if_state", r);
		len = (size_t)snprintf(t, sizeof t, "wakeups %lu\n", wakeups);
		format_state(t + len, sizeof t - len, &st);
		replace_file(out, t);
	}
	nl_close(nl);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_term};

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (argc == 9 && strcmp(argv[1], "run") == 0)
		return run(argv + 2);
	if (argc == 3 && strcmp(argv[1], "ifstate") == 0)
		return ifstate(argv[2]);
	if (argc == 4 && strcmp(argv[1], "watch") == 0)
		return watch(argv[2], argv[3]);
	fprintf(stderr, "usage: see the comment at the top of mn_driver.c\n");
	return 2;
}
