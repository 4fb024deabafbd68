/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4-loadgen - registration load generator for a Mobile IPv4 home agent
 * (RFC 5944 §3.3), for bench/run-ha.sh.
 *
 * It plays N mobile nodes at once: node i has home address FIRST+i, SPI
 * SPI+i and its own 16-byte key (the base key with its last four bytes
 * XORed with i, big endian; bench/ha-conf.py writes the matching home-agent
 * configuration).  Every request is built and authenticated (HMAC-MD5 MN-HA
 * extension, RFC 5944 §3.5.2) just before it is sent, with an NTP
 * timestamp taken then (RFC 5944 §5.7.1), so the default 7 s tolerance
 * holds however long a run is.  Requests leave in sendmmsg() batches with
 * at most WINDOW unanswered; replies come in with recvmmsg().  Each reply is
 * matched to its node by home address and to its request by the low 32
 * bits of the identification (§3.6.2.1), its MN-HA authenticator checked
 * (unless --no-verify), and its latency recorded.
 *
 *   mip4-loadgen --ha ADDR --home FIRST --count N --spi FIRST --key HEX
 *                [--src ADDR[:PORT]] [--port P] [--requests R] [--window W]
 *                [--batch B] [--lifetime S] [--order seq|spread]
 *                [--rate PPS] [--timeout S] [--no-verify] [--label TEXT]
 *                [--accepted-out FILE] [--key-index K] [--move]
 *                [--start K]
 *   mip4-loadgen --flood SECONDS --ha ADDR --home FIRST --count N
 *                --spi FIRST [--flood-src PREFIX] [--rate PPS] [--batch B]
 *                [--port P] [--label TEXT]
 *
 *   --requests R   how many requests in this pass (default N): request k
 *                  goes to node k mod N (seq) or (k * P) mod N for a prime
 *                  P that does not divide N (spread: consecutive requests
 *                  land far apart in the home agent's tables)
 *   --port P       the home agent's UDP port (default 434)
 *   --window W     unanswered requests at most (default 128, <= N)
 *   --batch B      requests per sendmmsg (default 32, <= 64)
 *   --rate PPS     at most PPS requests per second, evenly spaced (default
 *                  0: as fast as the window allows); with --count K and
 *                  --rate K, each of K nodes renews once a second
 *   --timeout S    a request unanswered for S seconds is lost (default 1)
 *   --no-verify    do not check the replies' authenticators (the anchor
 *                  responder bench/udp-echo.c sends none)
 *   --key-index K  node i's key is the base key XOR (K + i): nodes K.. of
 *                  a configuration bench/ha-conf.py wrote from index 0
 *                  (give --home and --spi of node K too)
 *   --accepted-out FILE  write the home address of every request accepted
 *                  (code 0/1, authentic) to FILE, one per line: what a
 *                  crash test compares with the bindings after a restart
 *   --move         every request moves its node: the care-of address of
 *                  request k alternates with the node's visits (k / N):
 *                  the second address (the source address + 1) on even
 *                  visits, the source address on odd ones.  Without
 *                  --move every request registers the source address, so
 *                  after a first registration each one is a renewal in
 *                  place (same care-of address, peer, flags), which a
 *                  home agent may need not write down (daemon/hastore.h);
 *                  a move must be written.
 *   --start K      number the requests from K instead of 0 (a pass that
 *                  continues the previous one: with --move, passes with
 *                  --start 0, R, 2R... keep alternating every node)
 *
 * Prints one JSON object: sent, answered, accepted (code 0/1), denied
 * (code > 1, with the first code seen), bad (malformed, wrong id, bad
 * authenticator), lost; rate (answered per second between the first
 * send and the last reply); latency p50/p90/p99/max in microseconds; the
 * longest gap between two consecutive replies (max_gap_us: with --rate,
 * how long the peer stopped answering at worst) and when it ended
 * (max_gap_end_unix); the
 * generator's own CPU seconds (to see whether it, not the peer, is the
 * limit).  Exit 0 when every request was answered, accepted and
 * authentic; 1 otherwise; 2 on bad usage.
 *
 * --flood SECONDS (issue #14, flood resilience): for that long, send
 * well-formed requests with wrong authenticators: each for a random one of
 * the N home addresses, with that node's SPI, a current NTP timestamp and
 * 16 random bytes as its MN-HA authenticator, from a random address of
 * PREFIX (default 198.18.0.0/15, RFC 2544's benchmarking range) and a
 * random port.  A raw socket with IP_HDRINCL (root, or CAP_NET_RAW: run it
 * in a network namespace) writes the IPv4 and UDP headers; sendmmsg
 * batches of B (--batch), as fast as it can, or at --rate PPS.
 * Nothing is read back.  Prints one JSON object: sent, send errors,
 * seconds, rate, the generator's CPU seconds; exit 0 when it sent anything.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mip4/auth.h"
#include "mip4/ip.h"
#include "mip4/replay.h"
#include "mip4/wire.h"

#define LG_MAXBATCH 64
#define LG_REQ_CAP 128 /* a request: 24 fixed + 22 MN-HA extension */
#define LG_RX_CAP 2048

struct lg_opts {
	uint32_t ha, src, first_home, first_spi, key_index;
	uint32_t flood_net, flood_mask; /* --flood-src */
	uint16_t sport, dport;
	uint8_t key[16];
	long count, requests, window, batch;
	uint16_t lifetime;
	bool spread, verify, move;
	uint64_t start;
	double timeout, rate, flood_s;
	const char *label;
	FILE *accepted_out;
};

/* Per node: the outstanding request, if any. */
struct lg_node {
	uint64_t sent_ns;
	uint64_t seq; /* request number + 1; 0 = nothing outstanding */
	uint32_t id_lo;
};

struct lg_stats {
	long sent, answered, accepted, denied, bad, lost, late;
	unsigned first_denial;
	uint64_t t_first_send, t_last_reply, max_gap_ns, max_gap_end;
	uint32_t *lat_us;
	long n_lat;
};

static void lg_usage(const char *why)
{
	fprintf(stderr, "mip4-loadgen: %s (see the comment at the top of "
			"bench/mip4-loadgen.c)\n", why);
	exit(2);
}

static uint64_t lg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t lg_ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return mip4_ntp_from_unix(ts.tv_sec, (uint32_t)ts.tv_nsec);
}

/* Unix time (seconds) of a moment of lg_now_ns(). */
static double lg_unix_of(uint64_t mono_ns)
{
	struct timespec ts;
	uint64_t now = lg_now_ns();

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 -
	       (double)(now - mono_ns) / 1e9;
}

static uint32_t lg_addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		lg_usage("bad address");
	return ntohl(a.s_addr);
}

static unsigned long long lg_num(const char *s, unsigned long long max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s || v > max)
		lg_usage("bad number");
	return v;
}

static int lg_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 32 hex digits (an optional "hex:" prefix) into a 16-byte key. */
static void lg_key(const char *s, uint8_t key[16])
{
	if (strncmp(s, "hex:", 4) == 0)
		s += 4;
	if (strlen(s) != 32)
		lg_usage("--key needs 32 hex digits");
	for (size_t i = 0; i < 16; i++) {
		int hi = lg_hexval((unsigned char)s[2 * i]);
		int lo = lg_hexval((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			lg_usage("bad hex in --key");
		key[i] = (uint8_t)(hi << 4 | lo);
	}
}

/* ADDR/LEN into a network and its mask. */
static void lg_prefix(const char *s, uint32_t *net, uint32_t *mask)
{
	char a[32];
	const char *slash = strchr(s, '/');
	unsigned long long len = 32;

	snprintf(a, sizeof a, "%.*s", slash ? (int)(slash - s) : (int)strlen(s),
		 s);
	if (slash)
		len = lg_num(slash + 1, 32);
	*mask = len ? ~0u << (32 - len) : 0;
	*net = lg_addr(a) & *mask;
}

static void lg_parse(int ac, char **av, struct lg_opts *o)
{
	memset(o, 0, sizeof *o);
	o->window = 128;
	o->batch = 32;
	o->lifetime = 600;
	o->verify = true;
	o->timeout = 1.0;
	o->label = "";
	o->dport = MIP4_PORT;
	o->flood_net = 0xc6120000u; /* 198.18.0.0/15 */
	o->flood_mask = 0xfffe0000u;
	for (int i = 1; i < ac; i++) {
		const char *k = av[i];
		const char *v = i + 1 < ac ? av[i + 1] : NULL;

		if (strcmp(k, "--no-verify") == 0) {
			o->verify = false;
			continue;
		}
		if (strcmp(k, "--move") == 0) {
			o->move = true;
			continue;
		}
		if (!v)
			lg_usage("option without a value");
		i++;
		if (strcmp(k, "--ha") == 0) {
			o->ha = lg_addr(v);
		} else if (strcmp(k, "--src") == 0) {
			char a[32];
			const char *colon = strchr(v, ':');

			snprintf(a, sizeof a, "%.*s",
				 colon ? (int)(colon - v) : (int)strlen(v), v);
			o->src = lg_addr(a);
			o->sport = colon ? (uint16_t)lg_num(colon + 1, 65535) : 0;
		} else if (strcmp(k, "--port") == 0) {
			o->dport = (uint16_t)lg_num(v, 65535);
		} else if (strcmp(k, "--home") == 0) {
			o->first_home = lg_addr(v);
		} else if (strcmp(k, "--count") == 0) {
			o->count = (long)lg_num(v, 1u << 24);
		} else if (strcmp(k, "--spi") == 0) {
			o->first_spi = (uint32_t)lg_num(v, UINT32_MAX);
		} else if (strcmp(k, "--key") == 0) {
			lg_key(v, o->key);
		} else if (strcmp(k, "--key-index") == 0) {
			o->key_index = (uint32_t)lg_num(v, 1u << 24);
		} else if (strcmp(k, "--requests") == 0) {
			o->requests = (long)lg_num(v, 1u << 30);
		} else if (strcmp(k, "--start") == 0) {
			o->start = lg_num(v, 1ull << 40);
		} else if (strcmp(k, "--window") == 0) {
			o->window = (long)lg_num(v, 1u << 20);
		} else if (strcmp(k, "--batch") == 0) {
			o->batch = (long)lg_num(v, LG_MAXBATCH);
		} else if (strcmp(k, "--lifetime") == 0) {
			o->lifetime = (uint16_t)lg_num(v, 65535);
		} else if (strcmp(k, "--order") == 0) {
			if (strcmp(v, "spread") == 0)
				o->spread = true;
			else if (strcmp(v, "seq") != 0)
				lg_usage("--order seq|spread");
		} else if (strcmp(k, "--timeout") == 0) {
			o->timeout = strtod(v, NULL);
		} else if (strcmp(k, "--rate") == 0) {
			o->rate = strtod(v, NULL);
		} else if (strcmp(k, "--flood") == 0) {
			o->flood_s = strtod(v, NULL);
			if (o->flood_s <= 0)
				lg_usage("--flood needs a positive duration");
		} else if (strcmp(k, "--flood-src") == 0) {
			lg_prefix(v, &o->flood_net, &o->flood_mask);
		} else if (strcmp(k, "--label") == 0) {
			o->label = v;
		} else if (strcmp(k, "--accepted-out") == 0) {
			o->accepted_out = fopen(v, "w");
			if (!o->accepted_out)
				lg_usage("--accepted-out: cannot create the file");
		} else {
			lg_usage("unknown option");
		}
	}
	if (!o->ha || !o->first_home || o->count <= 0)
		lg_usage("--ha, --home and --count are required");
	if (o->first_spi < 256)
		lg_usage("--spi: SPIs 0-255 are reserved (RFC 5944 §1.10)");
	if (o->requests <= 0)
		o->requests = o->count;
	if (o->window > o->count)
		o->window = o->count;
	if (o->window < 1 || o->batch < 1 || o->timeout <= 0 || o->rate < 0)
		lg_usage("--window, --batch and --timeout must be positive");
}

/* The security association of node i: its own key and SPI. */
static void lg_sa(const struct lg_opts *o, uint32_t i, struct mip4_sa *sa)
{
	uint8_t key[16];

	memcpy(key, o->key, sizeof key);
	i += o->key_index;
	key[12] ^= (uint8_t)(i >> 24);
	key[13] ^= (uint8_t)(i >> 16);
	key[14] ^= (uint8_t)(i >> 8);
	key[15] ^= (uint8_t)i;
	(void)mip4_sa_init(sa, o->first_spi + i - o->key_index, key,
			   sizeof key);
	sa->alg = MIP4_ALG_HMAC_MD5;
}

static uint32_t lg_gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Node of request k. */
static uint32_t lg_node_of(uint64_t k, uint32_t n, uint32_t step)
{
	return (uint32_t)((k * step) % n);
}

/* The care-of address of request k (for node k's visit k / N). */
static uint32_t lg_coa(const struct lg_opts *o, uint64_t k)
{
	if (!o->move)
		return o->src;
	return (k / (uint64_t)o->count) % 2 == 0 ? o->src + 1 : o->src;
}

static size_t lg_build(const struct lg_opts *o, uint32_t i, uint64_t id,
		       uint32_t coa, uint8_t *out)
{
	struct mip4_sa sa;
	struct mip4_buf b;
	struct mip4_rrq r = {.flags = MIP4_RRQ_T,
			     .lifetime = o->lifetime,
			     .home_addr = o->first_home + i,
			     .ha_addr = o->ha,
			     .coa = coa,
			     .id = id};

	lg_sa(o, i, &sa);
	mip4_buf_init(&b, out, LG_REQ_CAP);
	mip4_rrq_put(&b, &r);
	mip4_auth_append(&b, MIP4_EXT_MN_HA, &sa);
	return b.overflow ? 0 : b.len;
}

/* Check one reply; true when it was for an outstanding request. */
static bool lg_reply(const struct lg_opts *o, struct lg_node *nodes,
		     struct lg_stats *s, const uint8_t *buf, size_t len,
		     uint64_t now)
{
	static struct mip4_msg m;
	uint32_t i;
	struct lg_node *nd;

	if (len < MIP4_RRP_LEN || buf[0] != MIP4_MSG_RRP) {
		s->bad++;
		return false;
	}
	i = mip4_get32(buf + 4) - o->first_home;
	if (i >= (uint32_t)o->count) {
		s->bad++;
		return false;
	}
	nd = &nodes[i];
	if (!nd->seq || (uint32_t)mip4_get64(buf + 12) != nd->id_lo) {
		s->late++; /* after its timeout, or a duplicate */
		return false;
	}
	nd->seq = 0;
	s->answered++;
	s->lat_us[s->n_lat++] = (uint32_t)((now - nd->sent_ns) / 1000u);
	if (s->t_last_reply && now - s->t_last_reply > s->max_gap_ns) {
		s->max_gap_ns = now - s->t_last_reply;
		s->max_gap_end = now;
	}
	s->t_last_reply = now;
	if (o->verify) {
		struct mip4_sa sa;
		const struct mip4_ext *a;

		lg_sa(o, i, &sa);
		if (mip4_msg_decode(buf, len, &m) != MIP4_OK ||
		    !(a = mip4_msg_find_ext(&m, MIP4_EXT_MN_HA, -1)) ||
		    a->u.auth.spi != sa.spi ||
		    mip4_auth_verify(&sa, &m, a) != MIP4_AUTH_OK) {
			s->bad++;
			return true;
		}
	}
	if (buf[1] <= 1) {
		uint32_t h = o->first_home + i;

		s->accepted++;
		if (o->accepted_out)
			fprintf(o->accepted_out, "%u.%u.%u.%u\n", h >> 24,
				(h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
	} else {
		if (!s->denied)
			s->first_denial = buf[1];
		s->denied++;
	}
	return true;
}

static int lg_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static uint32_t lg_pct(const struct lg_stats *s, double p)
{
	long k;

	if (s->n_lat == 0)
		return 0;
	k = (long)(p * (double)(s->n_lat - 1) + 0.5);
	return s->lat_us[k];
}

static double lg_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int lg_socket(const struct lg_opts *o)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(o->sport),
				 .sin_addr.s_addr = htonl(o->src)};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int sz = 8 << 20;

	if (fd < 0) {
		perror("mip4-loadgen: socket");
		exit(1);
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz);
	if (bind(fd, (const struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("mip4-loadgen: bind");
		exit(1);
	}
	return fd;
}

struct lg_run {
	const struct lg_opts *o;
	struct lg_node *nodes;
	struct lg_stats s;
	int fd;
	uint32_t step;
	uint64_t next_k, head_k, inflight;
	uint64_t allowed; /* requests that may have left by now (--rate) */
	struct sockaddr_in to;
};

/* Send up to one batch, within the window. */
static void lg_send(struct lg_run *r)
{
	static uint8_t reqs[LG_MAXBATCH][LG_REQ_CAP];
	struct mmsghdr mm[LG_MAXBATCH];
	struct iovec iov[LG_MAXBATCH];
	uint32_t idx[LG_MAXBATCH] = {0};
	uint64_t ids[LG_MAXBATCH] = {0};
	const struct lg_opts *o = r->o;
	unsigned k = 0;
	int sent;

	while (k < (unsigned)o->batch && r->next_k + k < r->allowed &&
	       r->inflight + k < (uint64_t)o->window) {
		uint32_t i = lg_node_of(r->next_k + k, (uint32_t)o->count, r->step);
		size_t len;

		if (r->nodes[i].seq) /* still out: give it up, start anew */
			break;
		ids[k] = lg_ntp_now();
		len = lg_build(o, i, ids[k], lg_coa(o, r->next_k + k), reqs[k]);
		if (!len)
			lg_usage("request too long");
		idx[k] = i;
		iov[k] = (struct iovec){reqs[k], len};
		memset(&mm[k], 0, sizeof mm[k]);
		mm[k].msg_hdr.msg_name = &r->to;
		mm[k].msg_hdr.msg_namelen = sizeof r->to;
		mm[k].msg_hdr.msg_iov = &iov[k];
		mm[k].msg_hdr.msg_iovlen = 1;
		k++;
	}
	if (!k)
		return;
	sent = sendmmsg(r->fd, mm, k, 0);
	if (sent < 0) {
		if (errno == EAGAIN || errno == ENOBUFS)
			return;
		perror("mip4-loadgen: sendmmsg");
		exit(1);
	}
	uint64_t t = lg_now_ns();

	if (!r->s.t_first_send)
		r->s.t_first_send = t;
	for (int j = 0; j < sent; j++) {
		struct lg_node *nd = &r->nodes[idx[j]];

		nd->sent_ns = t;
		nd->seq = r->next_k + 1;
		nd->id_lo = (uint32_t)ids[j];
		r->next_k++;
		r->inflight++;
		r->s.sent++;
	}
}

static void lg_receive(struct lg_run *r)
{
	static uint8_t bufs[LG_MAXBATCH][LG_RX_CAP];
	struct mmsghdr mm[LG_MAXBATCH];
	struct iovec iov[LG_MAXBATCH];
	int n;

	for (int i = 0; i < LG_MAXBATCH; i++) {
		iov[i] = (struct iovec){bufs[i], LG_RX_CAP};
		memset(&mm[i], 0, sizeof mm[i]);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(r->fd, mm, LG_MAXBATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return;
	uint64_t t = lg_now_ns();

	for (int i = 0; i < n; i++)
		if (lg_reply(r->o, r->nodes, &r->s, bufs[i], mm[i].msg_len, t))
			r->inflight--;
}

/* Retire answered requests at the head; count timed-out ones as lost. */
static void lg_expire(struct lg_run *r, uint64_t now)
{
	uint64_t tmo = (uint64_t)(r->o->timeout * 1e9);

	while (r->head_k < r->next_k) {
		uint32_t i = lg_node_of(r->head_k, (uint32_t)r->o->count, r->step);
		struct lg_node *nd = &r->nodes[i];

		if (nd->seq == r->head_k + 1) {
			if (now - nd->sent_ns < tmo)
				break;
			nd->seq = 0;
			r->s.lost++;
			r->inflight--;
		}
		r->head_k++;
	}
}

static void lg_print(const struct lg_run *r, double cpu)
{
	const struct lg_opts *o = r->o;
	const struct lg_stats *s = &r->s;
	double secs = s->t_last_reply > s->t_first_send
			      ? (double)(s->t_last_reply - s->t_first_send) / 1e9
			      : 0.0;

	printf("{\"label\":\"%s\",\"count\":%ld,\"requests\":%ld,"
	       "\"window\":%ld,\"batch\":%ld,\"order\":\"%s\",\"verify\":%s,"
	       "\"sent\":%ld,\"answered\":%ld,\"accepted\":%ld,\"denied\":%ld,"
	       "\"first_denial_code\":%u,\"bad\":%ld,\"lost\":%ld,\"late\":%ld,"
	       "\"seconds\":%.4f,\"per_second\":%.0f,"
	       "\"latency_us\":{\"p50\":%u,\"p90\":%u,\"p99\":%u,\"max\":%u},"
	       "\"max_gap_us\":%llu,\"max_gap_end_unix\":%.3f,\"move\":%s,"
	       "\"loadgen_cpu_s\":%.3f}\n",
	       o->label, o->count, o->requests, o->window, o->batch,
	       o->spread ? "spread" : "seq", o->verify ? "true" : "false",
	       s->sent, s->answered, s->accepted, s->denied, s->first_denial,
	       s->bad, s->lost, s->late, secs,
	       secs > 0 ? (double)s->answered / secs : 0.0, lg_pct(s, 0.50),
	       lg_pct(s, 0.90), lg_pct(s, 0.99), lg_pct(s, 1.0),
	       (unsigned long long)(s->max_gap_ns / 1000u),
	       s->max_gap_end ? lg_unix_of(s->max_gap_end) : 0.0,
	       o->move ? "true" : "false", cpu);
}

/* --rate: how many requests may have left by `now` (the first at t0). */
static uint64_t lg_paced(const struct lg_opts *o, uint64_t t0, uint64_t now)
{
	uint64_t n = (uint64_t)((double)(now - t0) / 1e9 * o->rate) + 1;

	return n < (uint64_t)o->requests ? n : (uint64_t)o->requests;
}

/* Milliseconds until request k is due (at most 10, at least 0). */
static int lg_wait_ms(const struct lg_opts *o, uint64_t t0, uint64_t k,
		      uint64_t now)
{
	uint64_t due = t0 + (uint64_t)((double)k / o->rate * 1e9);
	uint64_t ms = due > now ? (due - now + 999999) / 1000000 : 0;

	return ms < 10 ? (int)ms : 10;
}

/* xorshift64*: fast, and good enough to pick addresses and ports. */
static uint64_t lg_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/*
 * One flood packet into pkt: IPv4 + UDP + a request for a random node with
 * its SPI, a current timestamp and a random (wrong) authenticator, from a
 * random address of the --flood-src prefix and a random port.
 */
static size_t lg_flood_build(const struct lg_opts *o, uint64_t *rng,
			     uint64_t ntp, uint8_t *pkt)
{
	uint64_t x = lg_rand(rng), y = lg_rand(rng), z = lg_rand(rng);
	uint32_t i = (uint32_t)(x % (uint64_t)o->count);
	uint32_t src = o->flood_net | ((uint32_t)(x >> 32) & ~o->flood_mask);
	uint8_t auth[4 + MIP4_MD5_LEN];
	struct mip4_rrq q = {.flags = MIP4_RRQ_T,
			     .lifetime = o->lifetime,
			     .home_addr = o->first_home + i,
			     .ha_addr = o->ha,
			     .coa = src,
			     .id = ntp + (y >> 48)};
	struct mip4_buf b;

	mip4_put32(auth, o->first_spi + i);
	memcpy(auth + 4, &y, 8);
	memcpy(auth + 12, &z, 8);
	mip4_buf_init(&b, pkt + 28, LG_REQ_CAP);
	mip4_rrq_put(&b, &q);
	mip4_ext_put_raw(&b, MIP4_EXT_MN_HA, auth, sizeof auth);
	if (b.overflow)
		lg_usage("request too long");
	mip4_udp_put(pkt + 20, src, o->ha, (uint16_t)(1024 + (z >> 48) % 64512),
		     o->dport, b.len);
	(void)mip4_ip_put(pkt, 20, src, o->ha, 17, 64, (uint16_t)y, false,
			  8 + b.len);
	return 28 + b.len;
}

/* --flood: see the comment at the top. */
static int lg_flood(const struct lg_opts *o)
{
	static uint8_t pkts[LG_MAXBATCH][28 + LG_REQ_CAP];
	struct mmsghdr mm[LG_MAXBATCH];
	struct iovec iov[LG_MAXBATCH];
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(o->ha)};
	uint64_t sent = 0, errors = 0, rng = 0, t0, end, now;
	int one = 1, sz = 8 << 20;
	double cpu0 = lg_cpu_s(), secs;
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);

	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one,
				 sizeof one) < 0) {
		perror("mip4-loadgen: raw socket (root or CAP_NET_RAW)");
		return 1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz);
	if (getrandom(&rng, sizeof rng, 0) != (ssize_t)sizeof rng || !rng)
		rng = lg_now_ns() | 1;
	t0 = now = lg_now_ns();
	end = t0 + (uint64_t)(o->flood_s * 1e9);
	while (now < end) {
		uint64_t ntp = lg_ntp_now();
		unsigned k = (unsigned)o->batch;
		int n;

		if (o->rate > 0) {
			uint64_t due = (uint64_t)((double)(now - t0) / 1e9 *
						  o->rate) + 1;

			if (due <= sent) {
				struct timespec ts = {0, 200000};

				nanosleep(&ts, NULL);
				now = lg_now_ns();
				continue;
			}
			if (due - sent < k)
				k = (unsigned)(due - sent);
		}
		for (unsigned j = 0; j < k; j++) {
			iov[j] = (struct iovec){pkts[j],
						lg_flood_build(o, &rng, ntp, pkts[j])};
			memset(&mm[j], 0, sizeof mm[j]);
			mm[j].msg_hdr.msg_name = &to;
			mm[j].msg_hdr.msg_namelen = sizeof to;
			mm[j].msg_hdr.msg_iov = &iov[j];
			mm[j].msg_hdr.msg_iovlen = 1;
		}
		n = sendmmsg(fd, mm, k, 0);
		if (n < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				perror("mip4-loadgen: sendmmsg");
				return 1;
			}
			errors++;
		} else {
			sent += (uint64_t)n;
		}
		now = lg_now_ns();
	}
	secs = (double)(now - t0) / 1e9;
	printf("{\"label\":\"%s\",\"mode\":\"flood\",\"count\":%ld,"
	       "\"batch\":%ld,\"target_rate\":%.0f,\"sent\":%llu,"
	       "\"send_errors\":%llu,\"seconds\":%.4f,\"per_second\":%.0f,"
	       "\"loadgen_cpu_s\":%.3f}\n",
	       o->label, o->count, o->batch, o->rate, (unsigned long long)sent,
	       (unsigned long long)errors, secs, (double)sent / secs,
	       lg_cpu_s() - cpu0);
	close(fd);
	return sent ? 0 : 1;
}

int main(int argc, char **argv)
{
	static struct lg_opts o;
	static struct lg_run r;
	double cpu0;
	uint64_t t0, end;

	lg_parse(argc, argv, &o);
	if (o.flood_s > 0)
		return lg_flood(&o);
	r.o = &o;
	r.step = 1;
	if (o.spread) {
		/* a large prime that does not divide N */
		static const uint32_t primes[] = {7919, 104729, 1299709};

		r.step = primes[0];
		for (unsigned i = 0; i < sizeof primes / sizeof primes[0]; i++)
			if (primes[i] < (uint32_t)o.count &&
			    lg_gcd(primes[i], (uint32_t)o.count) == 1)
				r.step = primes[i];
		if (lg_gcd(r.step, (uint32_t)o.count) != 1)
			r.step = 1;
	}
	r.nodes = calloc((size_t)o.count, sizeof *r.nodes);
	r.s.lat_us = calloc((size_t)o.requests, sizeof *r.s.lat_us);
	if (!r.nodes || !r.s.lat_us) {
		fprintf(stderr, "mip4-loadgen: out of memory\n");
		return 1;
	}
	r.fd = lg_socket(&o);
	r.to = (struct sockaddr_in){.sin_family = AF_INET,
				    .sin_port = htons(o.dport),
				    .sin_addr.s_addr = htonl(o.ha)};
	cpu0 = lg_cpu_s();
	t0 = lg_now_ns();
	end = o.start + (uint64_t)o.requests;
	r.next_k = r.head_k = o.start;
	r.allowed = end;
	while (r.next_k < end || r.inflight > 0) {
		struct pollfd p = {r.fd, POLLIN, 0};
		bool full;
		int wait_ms;

		if (o.rate > 0)
			r.allowed = o.start + lg_paced(&o, t0, lg_now_ns());
		full = r.inflight >= (uint64_t)o.window ||
		       r.next_k >= r.allowed;
		if (!full)
			lg_send(&r);
		/* with room in the window, only peek; else wait a little (in
		 * paced mode until the next request is due) */
		wait_ms = full ? 10 : 0;
		if (o.rate > 0 && r.next_k < end && r.next_k >= r.allowed)
			wait_ms = lg_wait_ms(&o, t0, r.next_k - o.start,
					     lg_now_ns());
		if (poll(&p, 1, wait_ms) > 0)
			lg_receive(&r);
		lg_expire(&r, lg_now_ns());
	}
	qsort(r.s.lat_us, (size_t)r.s.n_lat, sizeof *r.s.lat_us, lg_cmp_u32);
	lg_print(&r, lg_cpu_s() - cpu0);
	if (o.accepted_out && fclose(o.accepted_out) != 0) {
		perror("mip4-loadgen: --accepted-out");
		return 1;
	}
	close(r.fd);
	free(r.nodes);
	free(r.s.lat_us);
	return r.s.accepted == o.requests && r.s.bad == 0 ? 0 : 1;
}
