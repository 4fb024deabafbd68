/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mn_probe - traffic for the mobile node roaming test (mn_netns.sh).
 *
 *   mn_probe udp LOCAL PORT PEER INTERVAL_US OUTFILE
 *	Send a sequenced UDP probe to PEER:PORT every INTERVAL_US and take
 *	the peer's probes on LOCAL:PORT, until SIGTERM.  Then write OUTFILE:
 *	  S seq send_us errno       one line per probe sent (errno 0: sent)
 *	  R seq send_us recv_us     one line per probe received
 *	Times are CLOCK_REALTIME microseconds, comparable across namespaces.
 *
 *   mn_probe tcp-listen LOCAL PORT RATE SEED OUTFILE
 *   mn_probe tcp-connect LOCAL PEER PORT RATE SEED OUTFILE
 *	One TCP connection sending a counter pattern (stream SEED) at RATE
 *	bytes/s and checking the peer's (stream SEED ^ 1) byte for byte.
 *	SIGUSR1: stop sending, half-close, read to the peer's EOF.  Then
 *	OUTFILE gets "sent N recv N bad N err ERRNO" and one
 *	"stall start_us end_us" line per receive pause longer than 200 ms.
 *	Exit 0 only if the connection ended cleanly with every byte right.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROBE_MAGIC 0x4d4e5052u /* "MNPR" */
#define MAX_RECORDS (1u << 21)
#define MAX_STALLS 256
#define STALL_US 200000
#define TCP_TICK_US 5000

struct probe {
	uint32_t magic;
	uint32_t seq;
	uint64_t send_us;
};

struct rec {
	uint32_t seq;
	int32_t err;
	uint64_t send_us;
	uint64_t recv_us;
};

static volatile sig_atomic_t got_term, got_usr1;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static uint64_t real_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void die(const char *what)
{
	fprintf(stderr, "mn_probe: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mn_probe udp LOCAL PORT PEER INTERVAL_US OUTFILE\n"
		"       mn_probe tcp-listen LOCAL PORT RATE SEED OUTFILE\n"
		"       mn_probe tcp-connect LOCAL PEER PORT RATE SEED OUTFILE\n");
	exit(2);
}

static struct sockaddr_in sockaddr_of(const char *addr, const char *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	char *end;
	unsigned long p = strtoul(port, &end, 10);

	if (*end || p > 65535 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		usage();
	sa.sin_port = htons((uint16_t)p);
	return sa;
}

static uint64_t number(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (*end || end == s)
		usage();
	return v;
}

static void signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
}

static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die(path);
	return f;
}

/* ------------------------------------------------------------------ udp */

static int cmd_udp(char **argv)
{
	struct sockaddr_in local = sockaddr_of(argv[0], argv[1]);
	struct sockaddr_in peer = sockaddr_of(argv[2], argv[1]);
	uint64_t interval = number(argv[3]);
	const char *outpath = argv[4];
	struct rec *sent = calloc(MAX_RECORDS, sizeof *sent);
	struct rec *rcvd = calloc(MAX_RECORDS, sizeof *rcvd);
	size_t n_sent = 0, n_rcvd = 0;
	int one = 1, fd;
	uint64_t next;
	FILE *out;

	if (!sent || !rcvd || interval < 100)
		usage();
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	/* The home address may sit on a device that is not up yet. */
	(void)setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0)
		die("bind");
	next = mono_us();
	while (!got_term) {
		uint64_t t = mono_us();
		struct pollfd p = {fd, POLLIN, 0};
		struct timespec ts;

		if (t >= next) {
			struct probe pr = {htonl(PROBE_MAGIC), htonl((uint32_t)n_sent), 0};
			uint64_t now = real_us();
			ssize_t w;

			pr.send_us = now;
			w = sendto(fd, &pr, sizeof pr, 0, (struct sockaddr *)&peer,
				   sizeof peer);
			if (n_sent < MAX_RECORDS) {
				sent[n_sent].seq = (uint32_t)n_sent;
				sent[n_sent].send_us = now;
				sent[n_sent].err = w < 0 ? errno : 0;
			}
			n_sent++;
			next += interval;
			/* Late (descheduled): do not send a burst to catch up. */
			if (next + interval < t)
				next = t + interval;
			continue;
		}
		ts.tv_sec = (time_t)((next - t) / 1000000u);
		ts.tv_nsec = (long)((next - t) % 1000000u) * 1000;
		if (ppoll(&p, 1, &ts, NULL) <= 0 || !(p.revents & POLLIN))
			continue;
		for (;;) {
			struct probe pr;
			ssize_t r = recv(fd, &pr, sizeof pr, 0);

			if (r < 0)
				break;
			if (r != (ssize_t)sizeof pr || ntohl(pr.magic) != PROBE_MAGIC)
				continue;
			if (n_rcvd < MAX_RECORDS) {
				rcvd[n_rcvd].seq = ntohl(pr.seq);
				rcvd[n_rcvd].send_us = pr.send_us;
				rcvd[n_rcvd].recv_us = real_us();
				n_rcvd++;
			}
		}
	}
	out = open_out(outpath);
	for (size_t i = 0; i < n_sent && i < MAX_RECORDS; i++)
		fprintf(out, "S %" PRIu32 " %" PRIu64 " %d\n", sent[i].seq,
			sent[i].send_us, (int)sent[i].err);
	for (size_t i = 0; i < n_rcvd; i++)
		fprintf(out, "R %" PRIu32 " %" PRIu64 " %" PRIu64 "\n", rcvd[i].seq,
			rcvd[i].send_us, rcvd[i].recv_us);
	if (fclose(out) != 0)
		die(outpath);
	free(sent);
	free(rcvd);
	close(fd);
	return 0;
}

/* ------------------------------------------------------------------ tcp */

/* Byte k of stream SEED: 8-byte blocks of a multiplied counter, so a lost,
 * repeated or reordered piece shows at once. */
static uint8_t pattern(uint64_t k, uint64_t seed)
{
	uint64_t v = ((k >> 3) + 1) * 0x9e3779b97f4a7c15ull ^ (seed << 56);

	return (uint8_t)(v >> ((k & 7) * 8));
}

struct tcp_run {
	int fd;
	uint64_t rate, seed;
	uint64_t sent, recvd, bad, first_bad;
	int err;
	bool wr_closed, eof;
	uint64_t last_rx_us;
	uint64_t stall[MAX_STALLS][2];
	unsigned n_stall;
};

static void tcp_rx(struct tcp_run *t)
{
	uint8_t buf[65536];

	for (;;) {
		ssize_t r = recv(t->fd, buf, sizeof buf, 0);
		uint64_t now;

		if (r < 0) {
			if (errno != EAGAIN && errno != EINTR)
				t->err = errno;
			return;
		}
		if (r == 0) {
			t->eof = true;
			return;
		}
		now = real_us();
		if (now - t->last_rx_us > STALL_US && t->n_stall < MAX_STALLS) {
			t->stall[t->n_stall][0] = t->last_rx_us;
			t->stall[t->n_stall][1] = now;
			t->n_stall++;
		}
		t->last_rx_us = now;
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] != pattern(t->recvd + (uint64_t)i, t->seed ^ 1)) {
				if (!t->bad)
					t->first_bad = t->recvd + (uint64_t)i;
				t->bad++;
			}
		}
		t->recvd += (uint64_t)r;
	}
}

/* Send up to BUDGET bytes; returns how many went. */
static uint64_t tcp_tx(struct tcp_run *t, uint64_t budget)
{
	uint8_t buf[16384];
	uint64_t done = 0;

	while (done < budget) {
		size_t n = budget - done < sizeof buf ? (size_t)(budget - done) : sizeof buf;
		ssize_t w;

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(t->sent + i, t->seed);
		w = send(t->fd, buf, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno != EAGAIN && errno != EINTR)
				t->err = errno;
			break;
		}
		t->sent += (uint64_t)w;
		done += (uint64_t)w;
		if ((size_t)w < n)
			break;
	}
	return done;
}

static int tcp_loop(struct tcp_run *t, const char *outpath)
{
	uint64_t start = mono_us(), credit_us = start;
	uint64_t budget = 0;
	FILE *out;

	fcntl(t->fd, F_SETFL, fcntl(t->fd, F_GETFL) | O_NONBLOCK);
	t->last_rx_us = real_us();
	while (!t->err && !t->eof && !got_term) {
		struct pollfd p = {t->fd, POLLIN, 0};
		uint64_t now = mono_us();

		if (!t->wr_closed) {
			if (got_usr1) {
				shutdown(t->fd, SHUT_WR);
				t->wr_closed = true;
			} else {
				/* Pace: RATE bytes/s, at most one second of
				 * credit so a stall is not followed by a flood. */
				budget += (now - credit_us) * t->rate / 1000000u;
				credit_us = now;
				if (budget > t->rate)
					budget = t->rate;
				if (budget)
					p.events |= POLLOUT;
			}
		}
		if (poll(&p, 1, TCP_TICK_US / 1000) < 0) {
			if (errno == EINTR)
				continue;
			t->err = errno;
			break;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR))
			tcp_rx(t);
		/* The peer got its SIGUSR1 first and half-closed: we are
		 * done as well (what we sent so far is what it must get). */
		if (t->eof && !t->wr_closed) {
			shutdown(t->fd, SHUT_WR);
			t->wr_closed = true;
		}
		if (!t->wr_closed && (p.revents & POLLOUT))
			budget -= tcp_tx(t, budget);
	}
	if (!t->err && !t->eof)
		t->err = EINTR;
	out = open_out(outpath);
	fprintf(out, "sent %" PRIu64 " recv %" PRIu64 " bad %" PRIu64
		" first_bad %" PRIu64 " err %d\n",
		t->sent, t->recvd, t->bad, t->first_bad, t->err);
	for (unsigned i = 0; i < t->n_stall; i++)
		fprintf(out, "stall %" PRIu64 " %" PRIu64 "\n", t->stall[i][0],
			t->stall[i][1]);
	if (fclose(out) != 0)
		die(outpath);
	close(t->fd);
	return t->err || t->bad || !t->wr_closed ? 1 : 0;
}

static int tcp_socket(const char *local)
{
	struct sockaddr_in sa = sockaddr_of(local, "0");
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	(void)setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("bind");
	return fd;
}

static int cmd_tcp(char **argv, bool listening)
{
	static struct tcp_run t;
	int fd;

	if (listening) {
		struct sockaddr_in sa = sockaddr_of(argv[0], argv[1]);
		int one = 1, ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (ls < 0)
			die("socket");
		(void)setsockopt(ls, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
		(void)setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 1) < 0)
			die("listen");
		fd = accept(ls, NULL, NULL);
		if (fd < 0)
			die("accept");
		close(ls);
		argv += 2;
	} else {
		struct sockaddr_in sa = sockaddr_of(argv[1], argv[2]);

		fd = tcp_socket(argv[0]);
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
			die("connect");
		argv += 3;
	}
	t.fd = fd;
	t.rate = number(argv[0]);
	t.seed = number(argv[1]);
	return tcp_loop(&t, argv[2]);
}

int main(int argc, char **argv)
{
	signals();
	if (argc == 7 && !strcmp(argv[1], "udp"))
		return cmd_udp(argv + 2);
	if (argc == 7 && !strcmp(argv[1], "tcp-listen"))
		return cmd_tcp(argv + 2, true);
	if (argc == 8 && !strcmp(argv[1], "tcp-connect"))
		return cmd_tcp(argv + 2, false);
	usage();
	return 2;
}
