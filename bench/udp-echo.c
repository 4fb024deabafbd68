/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * udp-echo - the anchor of the registration benchmark: a responder on UDP
 * port 434 that does everything the home agent's receive path does with
 * the socket (daemon/harole.c: poll, one recvmmsg of up to 64 datagrams
 * with IP_PKTINFO, one sendmmsg of the replies from the local address the
 * request came to) and nothing else: no authentication, no binding table,
 * no store, no routes.  Its rate is what this machine's UDP path allows
 * with that batching, so the home agent's rate is read as a fraction of it.
 *
 * The reply to a request is a registration reply of the home agent's size
 * (20 bytes + a 22-byte MN-HA extension whose authenticator is zero), code
 * 0, with the request's home address, home agent address and
 * identification, so mip4-loadgen --no-verify matches it.
 *
 *   udp-echo ADDR [PORT]      runs until SIGTERM/SIGINT; prints the
 *                             datagrams it answered on exit
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define UE_BATCH 64 /* RX_BATCH in daemon/harole.c */
#define UE_BUFSZ 2048
#define UE_REPLY_LEN 42

static volatile sig_atomic_t ue_stop;

static void ue_on_term(int sig)
{
	(void)sig;
	ue_stop = 1;
}

union ue_ctl {
	char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct cmsghdr align;
};

static int ue_socket(const char *addr, uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, sz = 8 << 20;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "udp-echo: bad address %s\n", addr);
		exit(2);
	}
	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0 ||
	    bind(fd, (const struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("udp-echo: socket");
		exit(1);
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz);
	return fd;
}

static struct in_addr ue_pktinfo_dst(struct msghdr *mh)
{
	struct in_addr none = {0};

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof pi);
			return pi.ipi_addr;
		}
	return none;
}

/* One receive batch, answered with one sendmmsg; returns replies sent. */
static long ue_batch(int fd)
{
	static uint8_t bufs[UE_BATCH][UE_BUFSZ];
	static uint8_t replies[UE_BATCH][UE_REPLY_LEN];
	static struct sockaddr_in from[UE_BATCH];
	static union ue_ctl rctl[UE_BATCH], sctl[UE_BATCH];
	struct mmsghdr mm[UE_BATCH], out[UE_BATCH];
	struct iovec iov[UE_BATCH], oiov[UE_BATCH];
	unsigned k = 0;
	long total = 0;
	int n;

	for (int i = 0; i < UE_BATCH; i++) {
		iov[i] = (struct iovec){bufs[i], UE_BUFSZ};
		memset(&mm[i], 0, sizeof mm[i]);
		mm[i].msg_hdr.msg_name = &from[i];
		mm[i].msg_hdr.msg_namelen = sizeof from[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_control = rctl[i].buf;
		mm[i].msg_hdr.msg_controllen = sizeof rctl[i].buf;
	}
	n = recvmmsg(fd, mm, UE_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	memset(out, 0, sizeof out);
	for (int i = 0; i < n; i++) {
		const uint8_t *q = bufs[i];
		uint8_t *p = replies[k];
		struct in_pktinfo pi = {0};
		struct cmsghdr *cm;

		/* registration request: type 1, 24 bytes at least */
		if (mm[i].msg_len < 24 || q[0] != 1)
			continue;
		memset(p, 0, UE_REPLY_LEN);
		p[0] = 3;		/* registration reply */
		memcpy(p + 2, q + 2, 2);	/* lifetime */
		memcpy(p + 4, q + 4, 8);	/* home address, home agent */
		memcpy(p + 12, q + 16, 8);	/* identification */
		p[20] = 32;			/* MN-HA authentication */
		p[21] = 20;
		oiov[k] = (struct iovec){p, UE_REPLY_LEN};
		out[k].msg_hdr.msg_name = &from[i];
		out[k].msg_hdr.msg_namelen = sizeof from[i];
		out[k].msg_hdr.msg_iov = &oiov[k];
		out[k].msg_hdr.msg_iovlen = 1;
		memset(&sctl[k], 0, sizeof sctl[k]);
		out[k].msg_hdr.msg_control = sctl[k].buf;
		out[k].msg_hdr.msg_controllen = sizeof sctl[k].buf;
		cm = CMSG_FIRSTHDR(&out[k].msg_hdr);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof pi);
		pi.ipi_spec_dst = ue_pktinfo_dst(&mm[i].msg_hdr);
		memcpy(CMSG_DATA(cm), &pi, sizeof pi);
		k++;
	}
	for (unsigned done = 0; done < k;) {
		int sent = sendmmsg(fd, out + done, k - done, 0);

		if (sent <= 0) {
			done++; /* skip the one that failed, as the HA does */
			continue;
		}
		done += (unsigned)sent;
		total += sent;
	}
	return total;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = ue_on_term};
	long answered = 0;
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: udp-echo ADDR [PORT]\n");
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = ue_socket(argv[1], argc == 3 ? (uint16_t)atoi(argv[2]) : 434);
	while (!ue_stop) {
		struct pollfd p = {fd, POLLIN, 0};

		if (poll(&p, 1, 200) <= 0)
			continue;
		answered += ue_batch(fd);
	}
	printf("{\"answered\":%ld}\n", answered);
	close(fd);
	return 0;
}
