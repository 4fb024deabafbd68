/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_driver - test driver for the data plane in network namespaces
 * (dp_netns.sh).  Three modes:
 *
 *   ha LOCAL HOME COA ipip|udp TUN MTU STATS [HOMEIF]
 *	the home agent: one binding HOME -> COA (T bit set; UDP bindings
 *	answer to COA:434), dp_open(), a /32 route for HOME into the TUN,
 *	and with HOMEIF a proxy ARP entry and a gratuitous ARP there.  Polls
 *	the TUN, the raw socket and a UDP port-434 socket (tunnel data goes
 *	to dp_udp_input).  Writes the counters to STATS ("name value"
 *	lines, replaced atomically) whenever they change; exits on SIGTERM.
 *   mn COA HA HOME ipip|udp TUN MTU READY
 *	a co-located mobile node's own encapsulation: a TUN holding HOME/32,
 *	IP-in-IP to HA from COA, or RFC 3519 tunnel data from COA:434 to
 *	HA:434; decapsulates what comes from HA.  Touches READY when set up.
 *   spoof SRC DST INNER_SRC INNER_DST
 *	sends one IP-in-IP packet with any outer source.
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

#include "dp.h"
#include "dp_logic.h"
#include "mip4/binding.h"
#include "mip4/ip.h"
#include "mip4/wire.h"
#include "nl.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
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

static int raw_socket(uint32_t local)
{
	struct sockaddr_in sa = sin4(local, 0);
	int one = 1, sz = 4 << 20;
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			IPPROTO_IPIP);

	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one) < 0 ||
	    (local && bind(fd, (const struct sockaddr *)&sa, sizeof sa) < 0))
		die("raw socket", errno);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz);
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
	fprintf(f, "backend %s\nwhy %s\n", dp_backend_name(dp),
		dp_backend_why(dp));
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
 * bound to the care-of address), MIP4_DP_NOREV (no T bit).
 */
static int run_ha(char **av, int ac)
{
	uint32_t local = addr(av[0]), home = addr(av[1]), coa = addr(av[2]);
	const char *coa2 = getenv("MIP4_DP_COA2"), *peer = getenv("MIP4_DP_PEER");
	const char *extra = getenv("MIP4_DP_EXTRA");
	uint8_t encap = encap_of(av[3]);
	struct mip4_btable *t = mip4_btable_new(4);
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
	r = dp_open_why(&(struct dp_cfg){.tun_name = av[4], .mtu = atoi(av[5]),
					 .local_addr = local, .udp_fd = ufd,
					 .bindings = t,
					 .backend = backend_of(getenv("MIP4_DP_BACKEND")),
					 .instance = getenv("MIP4_DP_INSTANCE"),
					 .bpf_root = getenv("MIP4_DP_BPF_ROOT")},
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
	if (r < 0)
		die("nl_route_add", r);
	if (ac > 7) {
		homeif = nl_ifindex(av[7]);
		if (homeif < 0)
			die("home link", homeif);
		r = nl_neigh_proxy_add(nl, homeif, home);
		if (r < 0)
			die("nl_neigh_proxy_add", r);
		r = nl_garp_send(homeif, home);
		if (r < 0)
			die("nl_garp_send", r);
	}
	memset(&last, 0xff, sizeof last);
	while (!stop) {
		struct pollfd pf[3] = {{dp_tun_fd(dp), POLLIN, 0},
				       {dp_raw_fd(dp), POLLIN, 0},
				       {ufd, POLLIN, 0}};

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

static int tun_open(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0)
		die("tun", errno);
	return fd;
}

static int run_mn(char **av)
{
	uint32_t coa = addr(av[0]), ha = addr(av[1]), home = addr(av[2]);
	bool udp = strcmp(av[3], "udp") == 0;
	int tun = tun_open(av[4]), raw = raw_socket(coa), ufd = udp_socket(coa);
	struct sockaddr_in ha_raw = sin4(ha, 0), ha_udp = sin4(ha, MIP4_PORT);
	static uint8_t buf[65536 + 32];
	uint8_t *pkt = buf + 32; /* room in front for the outer headers */
	struct nl *nl;
	int r, ifindex = nl_ifindex(av[4]);
	FILE *f;

	if ((r = nl_open(&nl)) < 0 ||
	    (r = nl_link_set_up(nl, ifindex, atoi(av[5]))) < 0 ||
	    (r = nl_addr_add(nl, ifindex, home, 32)) < 0 ||
	    (r = nl_addr_add(nl, ifindex, home, 32)) < 0) /* EEXIST ok */
		die("mn netlink", r);
	nl_close(nl);
	f = fopen(av[6], "w");
	if (!f)
		die("ready file", errno);
	fclose(f);
	while (!stop) {
		struct pollfd pf[3] = {{tun, POLLIN, 0}, {raw, POLLIN, 0},
				       {ufd, POLLIN, 0}};

		if (poll(pf, 3, 100) < 0)
			continue;
		/* outbound: reverse tunnel to the home agent (RFC 3024) */
		for (int i = 0; pf[0].revents && i < DP_BATCH; i++) {
			ssize_t n = read(tun, pkt, 65536);

			if (n <= 0)
				break;
			if (udp) {
				struct mip4_buf mb;

				mip4_buf_init(&mb, pkt - 4, 4);
				mip4_tunnel_data_put(&mb, MIP4_IPPROTO_IPIP);
				(void)sendto(ufd, pkt - 4, (size_t)n + 4, 0,
					     (const struct sockaddr *)&ha_udp,
					     sizeof ha_udp);
			} else if (dp_ipip_hdr(pkt - 20, coa, ha, pkt, (size_t)n)) {
				(void)sendto(raw, pkt - 20, (size_t)n + 20, 0,
					     (const struct sockaddr *)&ha_raw,
					     sizeof ha_raw);
			}
		}
		/* inbound IP-in-IP: only from the home agent */
		for (int i = 0; pf[1].revents && i < DP_BATCH; i++) {
			struct mip4_ip o;
			ssize_t n = recv(raw, buf, sizeof buf, 0);

			if (n <= 0)
				break;
			if (mip4_ip_decode(buf, (size_t)n, &o) == MIP4_IP_OK &&
			    o.src == ha && o.proto == MIP4_IPPROTO_IPIP)
				(void)write(tun, o.payload, o.payload_len);
		}
		/* inbound RFC 3519 tunnel data */
		for (int i = 0; pf[2].revents && i < DP_BATCH; i++) {
			struct sockaddr_in from = {0};
			socklen_t fl = sizeof from;
			ssize_t n = recvfrom(ufd, buf, sizeof buf, 0,
					     (struct sockaddr *)&from, &fl);

			if (n <= 0)
				break;
			if (n > 4 && ntohl(from.sin_addr.s_addr) == ha &&
			    buf[0] == MIP4_MSG_TUNNEL_DATA &&
			    buf[1] == MIP4_IPPROTO_IPIP)
				(void)write(tun, buf + 4, (size_t)n - 4);
		}
	}
	close(tun);
	close(raw);
	close(ufd);
	return 0;
}

static int run_spoof(char **av)
{
	uint32_t src = addr(av[0]), dst = addr(av[1]);
	struct sockaddr_in to = sin4(dst, 0);
	uint8_t p[20 + 20 + 8 + 16];
	int fd = raw_socket(0);

	/* inner UDP datagram from the victim's home address */
	memset(p, 0, sizeof p);
	mip4_ip_put(p + 20, sizeof p - 20, addr(av[2]), addr(av[3]),
		    MIP4_IPPROTO_UDP, 64, 1, false, 8 + 16);
	mip4_udp_put(p + 40, addr(av[2]), addr(av[3]), 9, 9, 16);
	if (!dp_ipip_hdr(p, src, dst, p + 20, sizeof p - 20) ||
	    sendto(fd, p, sizeof p, 0, (const struct sockaddr *)&to,
		   sizeof to) != (ssize_t)sizeof p)
		die("spoof send", errno);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_term};

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (argc >= 9 && strcmp(argv[1], "ha") == 0)
		return run_ha(argv + 2, argc - 2);
	if (argc == 9 && strcmp(argv[1], "mn") == 0)
		return run_mn(argv + 2);
	if (argc == 6 && strcmp(argv[1], "spoof") == 0)
		return run_spoof(argv + 2);
	fprintf(stderr, "usage: see the comment at the top of dp_driver.c\n");
	return 2;
}
