/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_driver - test driver for the data plane in network namespaces
 * (tests/dp/dp_netns.sh, tests/ebpf/ebpf_netns.sh, bench/run-dp.sh).
 * ENCAP is ipip, udp, gre or min.  Three modes:
 *
 *   ha LOCAL HOME COA ENCAP TUN MTU STATS [HOMEIF]
 *	the home agent: one binding HOME -> COA (T bit set; UDP bindings
 *	answer to COA:434), dp_open(), a /32 route for HOME into the TUN,
 *	and with HOMEIF a proxy ARP entry and a gratuitous ARP there.  Polls
 *	the TUN, the raw sockets and a UDP port-434 socket (tunnel data goes
 *	to dp_udp_input).  Writes the counters to STATS ("name value"
 *	lines, replaced atomically) whenever they change; SIGUSR1
 *	deregisters HOME (dp_bind_remove, then the table), writing STATS
 *	with "bound 0" once done; exits on SIGTERM.  See run_ha() for the
 *	environment (backend, pins, second care-of address, NAT).
 *   mn COA HA HOME ENCAP TUN MTU READY
 *	a co-located mobile node: dataplane/mn_user.c on a TUN holding
 *	HOME/32, tunnelling to HA from COA (UDP: COA:434 -> HA:434, with a
 *	keepalive a second), with MIP4_DP_BACKEND=ebpf the eBPF fast path in
 *	the MN role in front.  Touches READY when set up.
 *   spoof SRC DST INNER_SRC INNER_DST [ENCAP]
 *	sends one tunnelled packet with any outer source.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bpf_load.h"
#include "bpf_maps.h"
#include "bpf_pack.h"
#include "dp.h"
#include "dp_logic.h"
#include "mn.h"
#include "mip4/binding.h"
#include "mip4/ip.h"
#include "mip4/wire.h"
#include "nl.h"

#define SPREAD_BASE 0x0a630400u /* 10.99.4.0: MIP4_DP_NBIND's bindings */

static volatile sig_atomic_t stop, dereg;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	dereg = 1;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "dp_driver: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static uint32_t addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "dp_driver: bad address %s\n", s);
		exit(2);
	}
	return ntohl(a.s_addr);
}

static struct sockaddr_in sin4(uint32_t a, uint16_t port)
{
	return (struct sockaddr_in){.sin_family = AF_INET,
				    .sin_port = htons(port),
				    .sin_addr.s_addr = htonl(a)};
}

static int udp_socket(uint32_t local)
{
	struct sockaddr_in sa = sin4(local, MIP4_PORT);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int sz = 4 << 20;

	if (fd < 0 || bind(fd, (const struct sockaddr *)&sa, sizeof sa) < 0)
		die("udp socket", errno);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz);
	return fd;
}

static void put_counter(void *ctx, const char *name, uint64_t v)
{
	fprintf(ctx, "%s %llu\n", name, (unsigned long long)v);
}

static void write_stats(const char *path, const struct dp *dp,
			const struct mip4_binding *b)
{
	const struct dp_stats *s = dp_stats(dp);
	struct dp_bind_counters bc;
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die("stats file", errno);
	dp_bind_counters(dp, b, &bc);
	fprintf(f,
		"tun_rx %llu\ntun_tx %llu\nencap_tx %llu\ndecap_rx %llu\n"
		"udp_rx %llu\ndrop_no_binding %llu\ndrop_spoofed %llu\n"
		"drop_malformed %llu\ndrop_send_error %llu\n"
		"drop_not_reverse %llu\npkts_to_mn %llu\nbytes_to_mn %llu\n"
		"pkts_from_mn %llu\nbytes_from_mn %llu\npeer_port %u\n",
		(unsigned long long)s->tun_rx, (unsigned long long)s->tun_tx,
		(unsigned long long)s->encap_tx, (unsigned long long)s->decap_rx,
		(unsigned long long)s->udp_rx,
		(unsigned long long)s->drop_no_binding,
		(unsigned long long)s->drop_spoofed,
		(unsigned long long)s->drop_malformed,
		(unsigned long long)s->drop_send_error,
		(unsigned long long)s->drop_not_reverse,
		(unsigned long long)bc.pkts_to_mn,
		(unsigned long long)bc.bytes_to_mn,
		(unsigned long long)bc.pkts_from_mn,
		(unsigned long long)bc.bytes_from_mn, b->peer_port);
	fprintf(f, "backend %s\nwhy %s\nbound %d\n", dp_backend_name(dp),
		dp_backend_why(dp), b->home_addr != 0);
	dp_foreach_counter(dp, put_counter, f);
	fclose(f);
	if (rename(tmp, path) < 0)
		die("rename stats", errno);
}

static uint8_t encap_of(const char *s)
{
	if (strcmp(s, "udp") == 0)
		return MIP4_ENCAP_UDP;
	if (strcmp(s, "gre") == 0)
		return MIP4_ENCAP_GRE;
	if (strcmp(s, "min") == 0)
		return MIP4_ENCAP_MIN;
	if (strcmp(s, "ipip") == 0)
		return MIP4_ENCAP_IPIP;
	fprintf(stderr, "dp_driver: unknown encapsulation %s\n", s);
	exit(2);
}

static enum dp_backend backend_of(const char *s)
{
	if (!s || strcmp(s, "userspace") == 0)
		return DP_BACKEND_USERSPACE;
	if (strcmp(s, "ebpf") == 0)
		return DP_BACKEND_EBPF;
	if (strcmp(s, "auto") == 0)
		return DP_BACKEND_AUTO;
	fprintf(stderr, "dp_driver: unknown backend %s\n", s);
	exit(2);
}

/* A binding for home at coa (a second care-of address with coa2),
 * as the home agent's registration code would leave it. */
static struct mip4_binding *bind_add(struct mip4_btable *t, uint32_t home,
				     uint32_t coa, uint32_t coa2, uint8_t encap,
				     uint32_t peer)
{
	struct mip4_binding *b = mip4_btable_add(t, home, NULL, 0, ~0ull);
	struct mip4_coa c = {.expires_ms = ~0ull, .coa = coa, .encap = encap,
			     .lifetime = 1800};

	if (!b)
		die("binding", ENOMEM);
	/* RFC 3519 behind a NAT: the address is the NAT's, the port is
	 * learnt from the first packet (half bound until then) */
	c.peer_addr = peer ? peer : coa;
	c.peer_port = encap == MIP4_ENCAP_UDP && !peer ? MIP4_PORT : 0;
	if (mip4_btable_coa_put(t, b, &c, false) < 0)
		die("coa", ENOMEM);
	if (coa2) {
		c.coa = coa2;
		c.peer_addr = coa2;
		c.peer_port = encap == MIP4_ENCAP_UDP ? MIP4_PORT : 0;
		if (mip4_btable_coa_put(t, b, &c, true) < 0)
			die("coa2", ENOMEM);
	}
	b->flags = getenv("MIP4_DP_NOREV") ? 0 : MIP4_RRQ_T;
	return b;
}

/*
 * Environment (all optional): MIP4_DP_BACKEND userspace|auto|ebpf,
 * MIP4_DP_INSTANCE and MIP4_DP_BPF_ROOT (eBPF pins), MIP4_DP_COA2 (a
 * simultaneous second care-of address), MIP4_DP_PEER (UDP: the NAT's
 * address; the port is learnt), MIP4_DP_EXTRA (one more home address
 * bound to the care-of address), MIP4_DP_NOREV (no T bit), MIP4_DP_NBIND
 * (N more bindings to the care-of address, home addresses 10.99.4.0 on,
 * each with its /32 route: traffic spread for bench/run-dp.sh).
 */
static int run_ha(char **av, int ac)
{
	uint32_t local = addr(av[0]), home = addr(av[1]), coa = addr(av[2]);
	const char *coa2 = getenv("MIP4_DP_COA2"), *peer = getenv("MIP4_DP_PEER");
	const char *extra = getenv("MIP4_DP_EXTRA");
	uint32_t nbind = getenv("MIP4_DP_NBIND")
				 ? (uint32_t)strtoul(getenv("MIP4_DP_NBIND"), NULL, 10)
				 : 0;
	uint8_t encap = encap_of(av[3]);
	struct mip4_btable *t = mip4_btable_new(4);
	static struct mip4_binding gone; /* stands in after SIGUSR1 */
	struct mip4_binding *b;
	struct dp_stats last;
	struct nl *nl;
	struct dp *dp;
	char why[512];
	int r, homeif = 0, ufd = udp_socket(local);
	static uint8_t msg[65536];

	if (!t)
		die("table", ENOMEM);
	b = bind_add(t, home, coa, coa2 ? addr(coa2) : 0, encap,
		     peer ? addr(peer) : 0);
	if (extra)
		(void)bind_add(t, addr(extra), coa, 0, encap, 0);
	for (uint32_t i = 0; i < nbind; i++)
		(void)bind_add(t, SPREAD_BASE + i, coa, 0, encap, 0);
	r = dp_open_why(&(struct dp_cfg){.tun_name = av[4], .mtu = atoi(av[5]),
					 .local_addr = local, .udp_fd = ufd,
					 .bindings = t,
					 .backend = backend_of(getenv("MIP4_DP_BACKEND")),
					 .instance = getenv("MIP4_DP_INSTANCE"),
					 .bpf_root = getenv("MIP4_DP_BPF_ROOT"),
					 /* maps sized to the bindings, as a
					  * daemon sizes them to its mobile
					  * nodes */
					 .max_bindings = nbind + 64},
			&dp, why, sizeof why);
	if (r < 0) {
		fprintf(stderr, "dp_driver: dp_open: %s: %s\n", strerror(-r),
			why);
		return 1;
	}
	fprintf(stderr, "dp_driver: data plane %s: %s\n", dp_backend_name(dp),
		dp_backend_why(dp));
	r = nl_open(&nl);
	if (r < 0)
		die("nl_open", r);
	r = nl_route_add(nl, home, 32, dp_tun_ifindex(dp), 0);
	if (r == 0)
		r = nl_route_add(nl, home, 32, dp_tun_ifindex(dp), 0); /* replace */
	for (uint32_t i = 0; r >= 0 && i < nbind; i++)
		r = nl_route_add(nl, SPREAD_BASE + i, 32, dp_tun_ifindex(dp), 0);
	if (r < 0)
		die("nl_route_add", r);
	if (ac > 7) {
		homeif = nl_ifindex(av[7]);
		if (homeif < 0)
			die("home link", homeif);
		r = nl_neigh_proxy_add(nl, homeif, home);
		if (r < 0)
			die("nl_neigh_proxy_add", r);
		r = nl_garp_send(nl, homeif, home);
		if (r < 0)
			die("nl_garp_send", r);
	}
	memset(&last, 0xff, sizeof last);
	while (!stop) {
		struct pollfd pf[3] = {{dp_tun_fd(dp), POLLIN, 0},
				       {dp_raw_fd(dp), POLLIN, 0},
				       {ufd, POLLIN, 0}};

		if (dereg && b != &gone) {
			/* a deregistration: out of the data plane before
			 * the reply would leave, then out of the table */
			if ((r = dp_bind_remove(dp, home)) < 0)
				die("dp_bind_remove", r);
			mip4_btable_del(t, b);
			b = &gone;
			write_stats(av[6], dp, b);
		}
		if (memcmp(&last, dp_stats(dp), sizeof last) != 0) {
			last = *dp_stats(dp);
			write_stats(av[6], dp, b);
		}
		if (poll(pf, 3, 100) < 0)
			continue;
		if (pf[0].revents)
			while (dp_on_tun(dp) == DP_BATCH)
				;
		if (pf[1].revents)
			while (dp_on_raw(dp) == DP_BATCH)
				;
		for (int i = 0; pf[2].revents && i < DP_BATCH; i++) {
			struct sockaddr_in from = {0};
			socklen_t fl = sizeof from;
			ssize_t n = recvfrom(ufd, msg, sizeof msg, 0,
					     (struct sockaddr *)&from, &fl);

			if (n < 0)
				break;
			if (n > 0 && msg[0] == MIP4_MSG_TUNNEL_DATA)
				(void)dp_udp_input(dp, ntohl(from.sin_addr.s_addr),
						   ntohs(from.sin_port), msg,
						   (size_t)n);
		}
	}
	write_stats(av[6], dp, b);
	/* leave the namespace as we found it */
	if (homeif > 0 && nl_neigh_proxy_del(nl, homeif, home) < 0)
		fprintf(stderr, "dp_driver: proxy del failed\n");
	for (uint32_t i = 0; i < nbind; i++)
		(void)nl_route_del(nl, SPREAD_BASE + i, 32, dp_tun_ifindex(dp), 0);
	r = nl_route_del(nl, home, 32, dp_tun_ifindex(dp), 0);
	if (r == 0)
		r = nl_route_del(nl, home, 32, dp_tun_ifindex(dp), 0); /* ENOENT ok */
	if (r < 0)
		fprintf(stderr, "dp_driver: route del: %s\n", strerror(-r));
	nl_close(nl);
	dp_close(dp);
	close(ufd);
	mip4_btable_free(t);
	return 0;
}

/* The mobile node's eBPF fast path (role MN): encapsulation of what the
 * home address sends, decapsulation of what the home agent tunnels. */
static struct mip4_bpf_ld *mn_ebpf(struct mndp *m, uint32_t coa, uint32_t ha,
				   uint32_t home, uint8_t encap)
{
	const char *inst = getenv("MIP4_DP_MN_INSTANCE");
	struct mip4_bpf_load_cfg lc = {
		.instance = inst ? inst : "mip4d-mn",
		.bpf_root = getenv("MIP4_DP_BPF_ROOT"),
		.role = MIP4_BPF_ROLE_MN,
		.tun_ifindex = mndp_tun_ifindex(m),
		.local_addr = coa,
		.local_port = MIP4_PORT,
	};
	struct mip4_bpf_peer p = {.expires_ms = UINT64_MAX, .peer = ha,
				  .port = MIP4_PORT,
				  .encap = (uint8_t)mip4_bpf_encap_of(encap)};
	struct mip4_bpf_binding v;
	struct mip4_bpf_maps *maps;
	struct mip4_bpf_fds fds;
	struct mip4_bpf_ld *ld;
	char why[512];
	int r = mip4_bpf_load(&lc, &ld, why, sizeof why);

	if (r < 0) {
		fprintf(stderr, "dp_driver: mn ebpf: %s\n", why);
		exit(1);
	}
	mip4_bpf_load_fds(ld, &fds);
	if ((r = mip4_bpf_maps_open(&fds, &maps)) < 0 ||
	    (r = mip4_bpf_pack(&v, coa, MIP4_PORT, &p, 1,
			       MIP4_BPF_F_REVERSE)) < 0 ||
	    (r = mip4_bpf_maps_put(maps, home, &v)) < 0)
		die("mn ebpf map", r);
	mip4_bpf_maps_close(maps);
	fprintf(stderr, "dp_driver: mn ebpf: %s\n", mip4_bpf_load_info(ld));
	return ld;
}

static enum mndp_mode mn_mode(uint8_t encap)
{
	switch (encap) {
	case MIP4_ENCAP_UDP:
		return MNDP_UDP;
	case MIP4_ENCAP_GRE:
		return MNDP_GRE;
	case MIP4_ENCAP_MIN:
		return MNDP_MIN;
	default:
		return MNDP_IPIP;
	}
}

/* The co-located mobile node: dataplane/mn_user.c (mndp), with the eBPF
 * fast path in front when MIP4_DP_BACKEND=ebpf; UDP keepalives every
 * second (RFC 3519 §4.9: they also bind the tunnel behind a NAT). */
static int run_mn(char **av)
{
	uint32_t coa = addr(av[0]), ha = addr(av[1]), home = addr(av[2]);
	uint8_t encap = encap_of(av[3]);
	int ufd = udp_socket(coa), ka = 0;
	struct mip4_bpf_ld *ld = NULL;
	const char *be = getenv("MIP4_DP_BACKEND");
	static uint8_t buf[65536];
	struct mndp *m;
	FILE *f;
	int r;

	r = mndp_open(&(struct mndp_cfg){.tun_name = av[4],
					 .mtu = atoi(av[5]),
					 .home_addr = home, .udp_fd = ufd},
		      &m);
	if (r < 0)
		die("mndp_open", r);
	mndp_set_tunnel(m, mn_mode(encap), coa, ha);
	if (be && strcmp(be, "ebpf") == 0)
		ld = mn_ebpf(m, coa, ha, home, encap);
	f = fopen(av[6], "w");
	if (!f)
		die("ready file", errno);
	fclose(f);
	while (!stop) {
		struct pollfd pf[3] = {{mndp_tun_fd(m), POLLIN, 0},
				       {mndp_raw_fd(m), POLLIN, 0},
				       {ufd, POLLIN, 0}};

		if (poll(pf, 3, 100) < 0)
			continue;
		if (encap == MIP4_ENCAP_UDP && ++ka % 10 == 1)
			(void)mndp_send_keepalive(m);
		if (pf[0].revents)
			while (mndp_on_tun(m) == MNDP_BATCH)
				;
		if (pf[1].revents)
			(void)mndp_on_raw(m);
		for (int i = 0; pf[2].revents && i < MNDP_BATCH; i++) {
			struct sockaddr_in from = {0};
			socklen_t fl = sizeof from;
			ssize_t n = recvfrom(ufd, buf, sizeof buf, 0,
					     (struct sockaddr *)&from, &fl);

			if (n <= 0)
				break;
			if (buf[0] == MIP4_MSG_TUNNEL_DATA)
				(void)mndp_udp_input(m, ntohl(from.sin_addr.s_addr),
						     buf, (size_t)n);
		}
	}
	mip4_bpf_load_close(ld, true);
	mndp_close(m);
	close(ufd);
	return 0;
}

/* One tunnelled packet with any outer source: kind ipip, gre, min or udp
 * (tunnel data from port 434), an inner UDP datagram INNER_SRC ->
 * INNER_DST. */
static int run_spoof(char **av, int ac)
{
	uint32_t src = addr(av[0]), dst = addr(av[1]);
	uint8_t encap = ac > 4 ? encap_of(av[4]) : MIP4_ENCAP_IPIP;
	struct sockaddr_in to = sin4(dst, 0);
	uint8_t in[20 + 8 + 16], p[DP_MIN_HDR_MAX + sizeof in];
	size_t hl = 0, skip = 0, n;
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);

	/* inner UDP datagram from the victim's home address */
	memset(in, 0, sizeof in);
	mip4_ip_put(in, sizeof in, addr(av[2]), addr(av[3]), MIP4_IPPROTO_UDP,
		    64, 1, false, 8 + 16);
	mip4_udp_put(in + 20, addr(av[2]), addr(av[3]), 9, 9, 16);
	switch (encap) {
	case MIP4_ENCAP_GRE:
		hl = dp_gre_hdr(p, src, dst, in, sizeof in);
		break;
	case MIP4_ENCAP_MIN:
		hl = dp_min_hdr(p, src, dst, in, sizeof in, &skip);
		break;
	case MIP4_ENCAP_UDP:
		hl = mip4_ip_put(p, sizeof p, src, dst, MIP4_IPPROTO_UDP, 64, 2,
				 false, 8 + 4 + sizeof in);
		p[hl + 8] = MIP4_MSG_TUNNEL_DATA;
		p[hl + 9] = MIP4_IPPROTO_IPIP;
		p[hl + 10] = p[hl + 11] = 0;
		memcpy(p + hl + 12, in, sizeof in);
		mip4_udp_put(p + hl, src, dst, MIP4_PORT, MIP4_PORT,
			     4 + sizeof in);
		hl += 12;
		break;
	default:
		hl = dp_ipip_hdr(p, src, dst, in, sizeof in);
	}
	if (encap != MIP4_ENCAP_UDP)
		memcpy(p + hl, in + skip, sizeof in - skip);
	n = hl + sizeof in - skip;
	if (fd < 0 || !hl ||
	    sendto(fd, p, n, 0, (const struct sockaddr *)&to, sizeof to) !=
		    (ssize_t)n)
		die("spoof send", errno);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_term};

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	if (argc >= 9 && strcmp(argv[1], "ha") == 0)
		return run_ha(argv + 2, argc - 2);
	if (argc == 9 && strcmp(argv[1], "mn") == 0)
		return run_mn(argv + 2);
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "spoof") == 0)
		return run_spoof(argv + 2, argc - 2);
	fprintf(stderr, "usage: see the comment at the top of dp_driver.c\n");
	return 2;
}
