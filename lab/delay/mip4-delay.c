/*
 * mip4-delay - a bump-in-the-wire that adds a fixed one-way delay.
 *
 * The kernel the lab runs on has no netem, so links that need latency pass
 * through this program instead: it owns two interfaces (IF_A, IF_B) that
 * carry no addresses, reads every Ethernet frame from one with a packet
 * socket and writes it to the other once the configured delay has passed.
 * Each direction has its own delay and its own bounded FIFO queue; a frame
 * that does not fit is dropped and counted, like a full router queue.
 *
 * Both sockets use PACKET_VNET_HDR.  veth hands the stack frames whose
 * checksums are still to be computed (CHECKSUM_PARTIAL) and GSO
 * super-frames; without the virtio header that metadata is lost, and
 * forwarded UDP (IKE, ESP-in-UDP) arrives with bad checksums while ping
 * still works.  With it the kernel finishes the checksum on the way out.
 *
 * Usage: mip4-delay [-q FRAMES] [-m BYTES] IF_A IF_B DELAY_MS [DELAY_BA_MS]
 * SIGTERM/SIGINT: print counters and exit 0.  SIGUSR1: print counters.
 */
#include <errno.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#define PROG "mip4-delay"
#define MAX_DELAY_MS 60000.0
#define RX_BATCH 64		/* frames read per wake-up per port */
#define RCVBUF_BYTES (4 << 20)
/* virtio header + a 64 KiB GSO frame + Ethernet header, with room to spare */
#define FRAME_BUF (sizeof(struct virtio_net_hdr) + 65536 + 256)

struct frame {
	struct frame *next;
	uint64_t due_ns;	/* CLOCK_MONOTONIC time to send at */
	size_t len;		/* virtio header + Ethernet frame */
	unsigned char data[];
};

struct port {
	const char *name;
	int ifindex;
	int fd;
};

/* One direction of the wire: frames read on `in` are sent on `out`. */
struct dir {
	const char *label;
	struct port *in;
	struct port *out;
	uint64_t delay_ns;
	struct frame *head, *tail;
	size_t queued_frames, queued_bytes;
	bool blocked;		/* out socket full: wait for POLLOUT */
	uint64_t rx, tx, drop_queue, drop_send;
	int last_errno;		/* last send error reported, to report once */
};

struct limits {
	size_t max_frames;
	size_t max_bytes;
};

static volatile sig_atomic_t got_stop;
static volatile sig_atomic_t got_report;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_report = 1;
	else
		got_stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [-q FRAMES] [-m BYTES] IF_A IF_B DELAY_MS [DELAY_BA_MS]\n"
		"  Forward Ethernet frames between IF_A and IF_B, delaying A->B by\n"
		"  DELAY_MS and B->A by DELAY_BA_MS (default: DELAY_MS).  Delays are\n"
		"  milliseconds, fractions allowed, 0..%.0f.\n"
		"  -q FRAMES  queue limit per direction in frames (default 16384)\n"
		"  -m BYTES   queue limit per direction in bytes (default 33554432)\n"
		"  SIGTERM/SIGINT print counters and exit; SIGUSR1 prints counters.\n",
		MAX_DELAY_MS);
}

static bool parse_ms(const char *s, uint64_t *out_ns)
{
	char *end;
	double ms;

	errno = 0;
	ms = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(ms >= 0.0) || ms > MAX_DELAY_MS)
		return false;
	*out_ns = (uint64_t)(ms * 1e6 + 0.5);
	return true;
}

static bool parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v == 0 || v > SIZE_MAX)
		return false;
	*out = (size_t)v;
	return true;
}

/*
 * Open a packet socket that sees every frame arriving on the interface
 * (promiscuous: the wire carries frames for other MACs) but not the frames
 * we send ourselves.  Protocol 0 at socket() and ETH_P_ALL at bind() so no
 * frame from another interface sneaks in before the bind.
 */
static int port_open(struct port *p)
{
	struct sockaddr_ll sll;
	struct packet_mreq mreq;
	int one = 1, rcvbuf = RCVBUF_BYTES;

	p->ifindex = (int)if_nametoindex(p->name);
	if (p->ifindex == 0) {
		fprintf(stderr, PROG ": interface '%s' not found: %s\n", p->name, strerror(errno));
		return -1;
	}
	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		fprintf(stderr, PROG ": packet socket: %s%s\n", strerror(errno),
			errno == EPERM ? " (needs CAP_NET_RAW)" : "");
		return -1;
	}
	if (setsockopt(p->fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0) {
		fprintf(stderr, PROG ": %s: PACKET_VNET_HDR: %s\n", p->name, strerror(errno));
		return -1;
	}
	if (setsockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0) {
		fprintf(stderr, PROG ": %s: PACKET_IGNORE_OUTGOING: %s\n", p->name, strerror(errno));
		return -1;
	}
	/* A bigger receive buffer absorbs bursts; fall back quietly if refused. */
	if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = p->ifindex;
	if (bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		fprintf(stderr, PROG ": bind to '%s': %s\n", p->name, strerror(errno));
		return -1;
	}
	memset(&mreq, 0, sizeof(mreq));
	mreq.mr_ifindex = p->ifindex;
	mreq.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(p->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0) {
		fprintf(stderr, PROG ": %s: promiscuous mode: %s\n", p->name, strerror(errno));
		return -1;
	}
	return 0;
}

static void dir_report(const struct dir *d)
{
	fprintf(stderr,
		PROG ": %s: rx %llu tx %llu dropped(queue full) %llu dropped(send error) %llu queued %zu\n",
		d->label, (unsigned long long)d->rx, (unsigned long long)d->tx,
		(unsigned long long)d->drop_queue, (unsigned long long)d->drop_send,
		d->queued_frames);
}

static void dir_pop(struct dir *d)
{
	struct frame *f = d->head;

	d->head = f->next;
	if (d->head == NULL)
		d->tail = NULL;
	d->queued_frames--;
	d->queued_bytes -= f->len;
	free(f);
}

static void dir_push(struct dir *d, const struct limits *lim, const unsigned char *buf,
		     size_t len, uint64_t now)
{
	struct frame *f;

	d->rx++;
	if (d->queued_frames >= lim->max_frames || d->queued_bytes + len > lim->max_bytes) {
		d->drop_queue++;
		return;
	}
	f = malloc(sizeof(*f) + len);
	if (f == NULL) {
		d->drop_queue++;
		return;
	}
	f->next = NULL;
	f->due_ns = now + d->delay_ns;
	f->len = len;
	memcpy(f->data, buf, len);
	if (d->tail != NULL)
		d->tail->next = f;
	else
		d->head = f;
	d->tail = f;
	d->queued_frames++;
	d->queued_bytes += len;
}

/* Send every frame that is due.  The delay is constant, so FIFO order is due order. */
static void dir_flush(struct dir *d, uint64_t now)
{
	while (d->head != NULL && d->head->due_ns <= now) {
		ssize_t n = send(d->out->fd, d->head->data, d->head->len, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				d->blocked = true;	/* keep the frame, wait for POLLOUT */
				return;
			}
			if (errno == EINTR)
				continue;
			/* Link down, frame too big, device queue full: the frame is lost. */
			if (errno != d->last_errno) {
				fprintf(stderr, PROG ": %s: send on '%s': %s (counting further drops)\n",
					d->label, d->out->name, strerror(errno));
				d->last_errno = errno;
			}
			d->drop_send++;
		} else {
			d->tx++;
		}
		dir_pop(d);
	}
	d->blocked = false;
}

static int port_read(struct port *p, struct dir *d, const struct limits *lim, unsigned char *buf)
{
	for (int i = 0; i < RX_BATCH; i++) {
		ssize_t n = recv(p->fd, buf, FRAME_BUF, MSG_TRUNC | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return 0;
			if (errno == ENETDOWN)	/* link flapped: frames were lost, go on */
				return 0;
			fprintf(stderr, PROG ": receive on '%s': %s\n", p->name, strerror(errno));
			return -1;
		}
		if ((size_t)n > FRAME_BUF || (size_t)n <= sizeof(struct virtio_net_hdr)) {
			d->rx++;
			d->drop_queue++;	/* truncated or empty: cannot forward */
			continue;
		}
		dir_push(d, lim, buf, (size_t)n, now_ns());
	}
	return 0;
}

static void dir_free(struct dir *d)
{
	while (d->head != NULL)
		dir_pop(d);
}

int main(int argc, char **argv)
{
	struct limits lim = { .max_frames = 16384, .max_bytes = 32u << 20 };
	struct port pa = { .fd = -1 }, pb = { .fd = -1 };
	struct dir ab = { .label = "a->b" }, ba = { .label = "b->a" };
	struct dir *dirs[2] = { &ab, &ba };
	struct sigaction sa;
	sigset_t block, waitmask;
	unsigned char *buf;
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "hq:m:")) != -1) {
		switch (opt) {
		case 'q':
			if (!parse_size(optarg, &lim.max_frames)) {
				fprintf(stderr, PROG ": -q: bad frame count '%s'\n", optarg);
				return 2;
			}
			break;
		case 'm':
			if (!parse_size(optarg, &lim.max_bytes)) {
				fprintf(stderr, PROG ": -m: bad byte count '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind < 3 || argc - optind > 4) {
		usage(stderr);
		return 2;
	}
	pa.name = argv[optind];
	pb.name = argv[optind + 1];
	if (strcmp(pa.name, pb.name) == 0) {
		fprintf(stderr, PROG ": IF_A and IF_B must differ\n");
		return 2;
	}
	if (!parse_ms(argv[optind + 2], &ab.delay_ns) ||
	    !parse_ms(argv[argc - 1], &ba.delay_ns)) {
		fprintf(stderr, PROG ": delay must be a number of milliseconds in 0..%.0f\n",
			MAX_DELAY_MS);
		return 2;
	}
	ab.in = ba.out = &pa;
	ab.out = ba.in = &pb;

	/* Signals are only delivered inside ppoll(), so no frame is half-handled. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGUSR1);

	/* Timer slack would add up to 50 us per wake-up to every delay. */
	(void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);

	buf = malloc(FRAME_BUF);
	if (buf == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	if (port_open(&pa) < 0 || port_open(&pb) < 0) {
		rc = 1;
		goto out;
	}
	fprintf(stderr, PROG ": ready: %s <-> %s, delay a->b %.3f ms, b->a %.3f ms, "
		"queue %zu frames / %zu bytes per direction\n",
		pa.name, pb.name, (double)ab.delay_ns / 1e6, (double)ba.delay_ns / 1e6,
		lim.max_frames, lim.max_bytes);

	while (!got_stop) {
		struct pollfd pfd[2] = {
			{ .fd = pa.fd, .events = POLLIN },
			{ .fd = pb.fd, .events = POLLIN },
		};
		struct timespec ts, *tsp = NULL;
		uint64_t now = now_ns(), next = UINT64_MAX;
		int n;

		for (int i = 0; i < 2; i++) {
			struct dir *d = dirs[i];

			dir_flush(d, now);
			if (d->blocked)
				pfd[d->out == &pa ? 0 : 1].events |= POLLOUT;
			else if (d->head != NULL && d->head->due_ns < next)
				next = d->head->due_ns;
		}
		if (next != UINT64_MAX) {
			uint64_t wait = next > now ? next - now : 0;

			ts.tv_sec = (time_t)(wait / 1000000000u);
			ts.tv_nsec = (long)(wait % 1000000000u);
			tsp = &ts;
		}
		n = ppoll(pfd, 2, tsp, &waitmask);
		if (n < 0) {
			if (errno == EINTR) {
				if (got_report) {
					got_report = 0;
					dir_report(&ab);
					dir_report(&ba);
				}
				continue;
			}
			fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
			rc = 1;
			break;
		}
		if (pfd[0].revents & (POLLERR | POLLNVAL) || pfd[1].revents & (POLLERR | POLLNVAL)) {
			/* POLLERR on a packet socket reports a past error; recv() clears it. */
			int err = 0;
			socklen_t len = sizeof(err);

			for (int i = 0; i < 2; i++)
				if (pfd[i].revents & POLLERR)
					(void)getsockopt(pfd[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (pfd[0].revents & POLLNVAL || pfd[1].revents & POLLNVAL) {
				fprintf(stderr, PROG ": socket closed unexpectedly\n");
				rc = 1;
				break;
			}
		}
		if ((pfd[0].revents & POLLIN) && port_read(&pa, &ab, &lim, buf) < 0) {
			rc = 1;
			break;
		}
		if ((pfd[1].revents & POLLIN) && port_read(&pb, &ba, &lim, buf) < 0) {
			rc = 1;
			break;
		}
	}
	dir_report(&ab);
	dir_report(&ba);
	fprintf(stderr, PROG ": %s\n", rc == 0 ? "stopped" : "exiting on error");
out:
	dir_free(&ab);
	dir_free(&ba);
	if (pa.fd >= 0)
		close(pa.fd);
	if (pb.fd >= 0)
		close(pb.fd);
	free(buf);
	return rc;
}
