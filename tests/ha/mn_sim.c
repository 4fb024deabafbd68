/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mn_sim - a small mobile-node driver for the home agent's namespace tests
 * (ha_netns.sh) and its registration benchmark (ha_bench.sh), built on
 * libmip4.  Not the real mobile node: no agent discovery, no detection, a
 * co-located care-of address only.
 *
 *   mn_sim reg [OPTIONS]
 *	send one registration request, wait for the reply (retransmitting
 *	once a second), verify its MN-HA authenticator and print it as one
 *	JSON line.  Exit 0 on an authentic reply, 4 on a reply whose
 *	authenticator does not verify, 3 on silence, 1/2 on errors.
 *   mn_sim run [OPTIONS] --tun NAME [--ready FILE] [--stats FILE]
 *	register as above, then carry the mobile node's side of the data
 *	plane: a TUN holding the home address, IP-in-IP (RFC 2003) from the
 *	care-of address, or RFC 3519 tunnel data from the registration's
 *	address and port when the reply assented to UDP tunnelling, with
 *	keepalives (ICMP echo to the HA inside the tunnel, RFC 3519 §4.9).
 *	Re-registers at 2/3 of the granted lifetime unless --no-rereg.
 *	Writes the reply line to READY once set up, and counters ("name
 *	value" lines, replaced atomically) to STATS.  SIGTERM ends it; with
 *	--dereg it deregisters first.
 *   mn_sim raw --ha ADDR [--src ADDR[:PORT]] (--hex HEX | --file F |
 *		--garbage N [--seed S]) [--timeout S]
 *	send bytes as they are (one datagram, or N random ones of 1..1400
 *	bytes); with --timeout wait for any answer: exit 0 answered, 3 silent.
 *   mn_sim bench --ha ADDR --src ADDR[:PORT] --home FIRST --count N
 *		--spi FIRST --key HEX [--window W] [--lifetime L] [--udp]
 *	N mobile nodes with consecutive home addresses and SPIs and one key:
 *	builds and authenticates N requests first, then sends them keeping
 *	at most W unanswered, and prints sent/answered/accepted and the rate.
 *
 * Registration options:
 *   --ha ADDR            home agent (required)
 *   --via-fa ADDR        register through the foreign agent at ADDR (RFC
 *                        5944 §3.6.1.1, mode f): the request goes to ADDR
 *                        with IP TTL 255 from --src, which defaults to
 *                        HOME:434; --coa should be the FA's care-of
 *                        address.  The test puts HOME on the interface.
 *   --home ADDR          home address (default 0.0.0.0, needs --nai)
 *   --nai NAI            RFC 2794 NAI extension
 *   --coa ADDR           care-of address (default: the source address)
 *   --src ADDR[:PORT]    bind here (default COA:434, so a NAT maps
 *                        registrations and tunnel data alike)
 *   --spi N --key HEX    the MN-HA security association (required)
 *   --alg hmac-md5|keyed-md5
 *   --lifetime S         default 60
 *   --flags LETTERS      any of S B D M G T (default T)
 *   --udp [--force]      RFC 3519 UDP tunnel request (F with --force)
 *   --id N|now           identification (default: NTP time now)
 *   --corrupt-auth       flip a bit of the authenticator
 *   --truncate N         send only the first N bytes
 *   --pad N              N one-byte padding extensions before MN-HA
 *   --timeout S          how long to wait for the reply (default 3)
 *   --tries N            transmissions (default 3, one a second)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dp_logic.h"
#include "mip4/auth.h"
#include "mip4/ip.h"
#include "mip4/replay.h"
#include "mip4/wire.h"
#include "nl.h"

#define EXIT_SILENT 3
#define EXIT_BADAUTH 4
#define MAXMSG 65536

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "mn_sim: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void usage(const char *why)
{
	fprintf(stderr, "mn_sim: %s (see the comment at the top of mn_sim.c)\n",
		why);
	exit(2);
}

struct opts {
	uint32_t ha, home, coa, src, via_fa;
	uint16_t sport;
	bool have_src, have_coa;
	const char *nai;
	uint32_t spi;
	uint8_t key[MIP4_KEY_MAX];
	size_t key_len;
	enum mip4_alg alg;
	uint16_t lifetime;
	uint8_t flags;
	bool udp, force;
	bool have_id;
	uint64_t id;
	bool corrupt;
	long truncate;
	size_t pad;
	double timeout;
	int tries;
	/* run */
	const char *tun, *ready, *stats;
	int mtu;
	bool no_rereg, dereg;
	int keepalive; /* override the granted interval; 0 = granted */
	/* raw */
	const char *hex, *file;
	long garbage;
	unsigned seed;
	/* bench */
	long count, window;
};

static uint32_t parse_addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		usage("bad address");
	return ntohl(a.s_addr);
}

static unsigned long long parse_num(const char *s, unsigned long long max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s || v > max)
		usage("bad number");
	return v;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits (white space and "hex:" ignored) into out; -1 if bad. */
static long parse_hex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	if (strncmp(s, "hex:", 4) == 0)
		s += 4;
	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == '\n' || *s == '\t' || *s == ':')
			continue;
		v = hexval((unsigned char)*s);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}

static uint8_t parse_flags(const char *s)
{
	uint8_t f = 0;

	for (; *s; s++) {
		const char *p = strchr("SBDMGrTx", *s);

		if (!p || *s == '-')
			continue;
		f |= (uint8_t)(0x80 >> (p - "SBDMGrTx"));
	}
	return f;
}

static void parse_opts(int ac, char **av, struct opts *o)
{
	memset(o, 0, sizeof *o);
	o->alg = MIP4_ALG_HMAC_MD5;
	o->lifetime = 60;
	o->flags = MIP4_RRQ_T;
	o->timeout = 3;
	o->tries = 3;
	o->truncate = -1;
	o->mtu = 1400;
	o->window = 64;
	o->seed = 1;
	for (int i = 0; i < ac; i++) {
		const char *k = av[i];
		const char *v = i + 1 < ac ? av[i + 1] : NULL;
		bool flag = true;

		if (strcmp(k, "--udp") == 0)
			o->udp = true;
		else if (strcmp(k, "--force") == 0)
			o->force = true;
		else if (strcmp(k, "--corrupt-auth") == 0)
			o->corrupt = true;
		else if (strcmp(k, "--no-rereg") == 0)
			o->no_rereg = true;
		else if (strcmp(k, "--dereg") == 0)
			o->dereg = true;
		else
			flag = false;
		if (flag)
			continue;
		if (!v)
			usage("option without a value");
		i++;
		if (strcmp(k, "--via-fa") == 0) {
			o->via_fa = parse_addr(v);
		} else if (strcmp(k, "--ha") == 0) {
			o->ha = parse_addr(v);
		} else if (strcmp(k, "--home") == 0) {
			o->home = parse_addr(v);
		} else if (strcmp(k, "--nai") == 0) {
			o->nai = v;
		} else if (strcmp(k, "--coa") == 0) {
			o->coa = parse_addr(v);
			o->have_coa = true;
		} else if (strcmp(k, "--src") == 0) {
			char a[32];
			const char *colon = strchr(v, ':');

			snprintf(a, sizeof a, "%.*s",
				 colon ? (int)(colon - v) : (int)strlen(v), v);
			o->src = parse_addr(a);
			o->sport = colon ? (uint16_t)parse_num(colon + 1, 65535)
					 : MIP4_PORT;
			o->have_src = true;
		} else if (strcmp(k, "--spi") == 0) {
			o->spi = (uint32_t)parse_num(v, UINT32_MAX);
		} else if (strcmp(k, "--key") == 0) {
			long n = parse_hex(v, o->key, sizeof o->key);

			if (n <= 0)
				usage("bad key");
			o->key_len = (size_t)n;
		} else if (strcmp(k, "--alg") == 0) {
			if (mip4_alg_parse(v, &o->alg) < 0)
				usage("bad algorithm");
		} else if (strcmp(k, "--lifetime") == 0) {
			o->lifetime = (uint16_t)parse_num(v, 65535);
		} else if (strcmp(k, "--flags") == 0) {
			o->flags = parse_flags(v);
		} else if (strcmp(k, "--id") == 0) {
			o->have_id = strcmp(v, "now") != 0;
			if (o->have_id)
				o->id = parse_num(v, UINT64_MAX);
		} else if (strcmp(k, "--truncate") == 0) {
			o->truncate = (long)parse_num(v, MAXMSG);
		} else if (strcmp(k, "--pad") == 0) {
			o->pad = (size_t)parse_num(v, MAXMSG);
		} else if (strcmp(k, "--timeout") == 0) {
			o->timeout = atof(v);
		} else if (strcmp(k, "--tries") == 0) {
			o->tries = (int)parse_num(v, 1000);
		} else if (strcmp(k, "--tun") == 0) {
			o->tun = v;
		} else if (strcmp(k, "--mtu") == 0) {
			o->mtu = (int)parse_num(v, 65535);
		} else if (strcmp(k, "--ready") == 0) {
			o->ready = v;
		} else if (strcmp(k, "--stats") == 0) {
			o->stats = v;
		} else if (strcmp(k, "--keepalive") == 0) {
			o->keepalive = (int)parse_num(v, 65535);
		} else if (strcmp(k, "--hex") == 0) {
			o->hex = v;
		} else if (strcmp(k, "--file") == 0) {
			o->file = v;
		} else if (strcmp(k, "--garbage") == 0) {
			o->garbage = (long)parse_num(v, 10000000);
		} else if (strcmp(k, "--seed") == 0) {
			o->seed = (unsigned)parse_num(v, UINT32_MAX);
		} else if (strcmp(k, "--count") == 0) {
			o->count = (long)parse_num(v, 1 << 24);
		} else if (strcmp(k, "--window") == 0) {
			o->window = (long)parse_num(v, 1 << 20);
		} else {
			usage("unknown option");
		}
	}
	if (!o->ha)
		usage("--ha is required");
	if (!o->have_coa)
		o->coa = o->src;
	if (!o->have_src) {
		o->src = o->via_fa ? o->home : o->coa;
		o->sport = MIP4_PORT;
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return mip4_ntp_from_unix(ts.tv_sec, (uint32_t)ts.tv_nsec);
}

static struct sockaddr_in sin4(uint32_t a, uint16_t port)
{
	return (struct sockaddr_in){.sin_family = AF_INET,
				    .sin_port = htons(port),
				    .sin_addr.s_addr = htonl(a)};
}

static int udp_socket(uint32_t local, uint16_t port)
{
	struct sockaddr_in sa = sin4(local, port);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int sz = 4 << 20;

	if (fd < 0)
		die("socket", errno);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz);
	if (bind(fd, (const struct sockaddr *)&sa, sizeof sa) < 0)
		die("bind", errno);
	return fd;
}

static void sa_of(const struct opts *o, struct mip4_sa *sa)
{
	if (o->key_len == 0 || mip4_sa_init(sa, o->spi, o->key, o->key_len) < 0)
		usage("--spi and --key are required");
	sa->alg = o->alg;
}

/* Build a registration request; returns its length. */
static size_t build_rrq(const struct opts *o, const struct mip4_sa *sa,
			uint32_t home, uint16_t lifetime, uint64_t id,
			uint8_t *out, size_t cap)
{
	struct mip4_buf b;
	struct mip4_rrq r = {.flags = o->flags,
			     .lifetime = lifetime,
			     .home_addr = home,
			     .ha_addr = o->ha,
			     .coa = o->coa,
			     .id = id};

	mip4_buf_init(&b, out, cap);
	mip4_rrq_put(&b, &r);
	if (o->nai)
		mip4_ext_put_nai(&b, o->nai);
	if (o->udp)
		mip4_ext_put_udp_req(&b, o->force, false, 0);
	for (size_t i = 0; i < o->pad; i++)
		mip4_ext_put_pad(&b);
	mip4_auth_append(&b, MIP4_EXT_MN_HA, sa);
	if (b.overflow) {
		fprintf(stderr, "mn_sim: request too long\n");
		exit(1);
	}
	if (o->corrupt)
		out[b.len - 1] ^= 0x01;
	return b.len;
}

struct reply {
	bool authentic;
	struct mip4_rrp rrp;
	bool have_udp;
	uint8_t udp_code;
	bool udp_forced;
	uint16_t keepalive;
	bool tnc;
	char json[2048];
};

/* Decode and check a reply to the request with identification sent_id.
 * False when it is not one (wrong type, low 32 bits of the id differ:
 * RFC 5944 §3.6.2.1 says ignore it). */
static bool reply_parse(const uint8_t *buf, size_t len,
			const struct mip4_sa *sa, uint64_t sent_id,
			struct reply *r)
{
	static struct mip4_msg m;
	const struct mip4_ext *a;
	char h[16], ha[16];
	size_t n;

	memset(r, 0, sizeof *r);
	if (mip4_msg_decode(buf, len, &m) != MIP4_OK || m.type != MIP4_MSG_RRP)
		return false;
	r->rrp = m.u.rrp;
	if ((uint32_t)r->rrp.id != (uint32_t)sent_id)
		return false;
	a = mip4_msg_find_ext(&m, MIP4_EXT_MN_HA, -1);
	r->authentic = a && a->u.auth.spi == sa->spi &&
		       mip4_auth_verify(sa, &m, a) == MIP4_AUTH_OK;
	n = (size_t)snprintf(r->json, sizeof r->json,
			     "{\"code\":%u,\"lifetime\":%u,\"home_addr\":\"%s\","
			     "\"ha_addr\":\"%s\",\"id\":\"0x%016llx\","
			     "\"auth\":\"%s\","
			     "\"extensions\":[",
			     r->rrp.code, r->rrp.lifetime,
			     mip4_ntoa(r->rrp.home_addr, h),
			     mip4_ntoa(r->rrp.ha_addr, ha),
			     (unsigned long long)r->rrp.id,
			     r->authentic ? "ok" : "bad");
	for (unsigned i = 0; i < m.n_ext && n < sizeof r->json - 128; i++) {
		const struct mip4_ext *e = &m.ext[i];

		n += (size_t)snprintf(r->json + n, sizeof r->json - n,
				      "%s{\"type\":%u", i ? "," : "", e->type);
		if (e->type == MIP4_EXT_UDP_TUN_REP) {
			r->have_udp = true;
			r->udp_code = e->u.udp_rep.code;
			r->udp_forced = e->u.udp_rep.forced;
			r->keepalive = e->u.udp_rep.keepalive;
			n += (size_t)snprintf(r->json + n, sizeof r->json - n,
					      ",\"code\":%u,\"forced\":%s,"
					      "\"keepalive\":%u",
					      r->udp_code,
					      r->udp_forced ? "true" : "false",
					      r->keepalive);
		} else if (e->type == MIP4_EXT_MN_HA) {
			n += (size_t)snprintf(r->json + n, sizeof r->json - n,
					      ",\"spi\":%u", e->u.auth.spi);
		} else if (e->type == MIP4_EXT_NAI) {
			n += (size_t)snprintf(r->json + n, sizeof r->json - n,
					      ",\"nai\":\"%.*s\"",
					      (int)(e->data_len > 200 ? 200
								      : e->data_len),
					      (const char *)e->data);
		} else if (e->type == MIP4_EXT_TNC) {
			r->tnc = true;
		}
		n += (size_t)snprintf(r->json + n, sizeof r->json - n, "}");
	}
	snprintf(r->json + n, sizeof r->json - n, "],\"udp_tunnel\":%s,\"tnc\":%s}",
		 !r->have_udp ? "null"
		 : r->udp_code == 0 ? "\"assented\""
				     : "\"declined\"",
		 r->tnc ? "true" : "false");
	return true;
}

/* Send a request (retransmitting once a second) and wait for its reply.
 * Returns 0 with *r filled, or EXIT_SILENT. */
static int transact(int fd, const struct opts *o, const struct mip4_sa *sa,
		    const uint8_t *req, size_t len, uint64_t id,
		    struct reply *r)
{
	struct sockaddr_in to = sin4(o->via_fa ? o->via_fa : o->ha, MIP4_PORT);
	static uint8_t buf[MAXMSG];
	int ttl = 255; /* RFC 3024 §4.2.1: a reverse-tunnel request */

	if (o->via_fa &&
	    setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) < 0)
		die("IP_TTL", errno);
	double end = now_s() + o->timeout, next = 0;
	int sent = 0;

	for (;;) {
		double t = now_s();
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t n;

		if (t >= end)
			return EXIT_SILENT;
		if (t >= next && sent < o->tries) {
			if (sendto(fd, req, len, 0, (const struct sockaddr *)&to,
				   sizeof to) < 0)
				die("sendto", errno);
			sent++;
			next = t + 1.0;
		}
		t = (sent < o->tries && next < end ? next : end) - now_s();
		if (poll(&p, 1, t > 0 ? (int)(t * 1000) + 1 : 0) <= 0)
			continue;
		n = recv(fd, buf, sizeof buf, 0);
		if (n > 0 && reply_parse(buf, (size_t)n, sa, id, r))
			return 0;
	}
}

static int cmd_reg(const struct opts *o)
{
	struct mip4_sa sa;
	static uint8_t req[MAXMSG];
	uint64_t id = o->have_id ? o->id : ntp_now();
	struct reply r;
	size_t len;
	int fd, rc;

	sa_of(o, &sa);
	len = build_rrq(o, &sa, o->home, o->lifetime, id, req, sizeof req);
	if (o->truncate >= 0 && (size_t)o->truncate < len)
		len = (size_t)o->truncate;
	fd = udp_socket(o->src, o->sport);
	rc = transact(fd, o, &sa, req, len, id, &r);
	close(fd);
	if (rc)
		return rc;
	printf("%s\n", r.json);
	return r.authentic ? 0 : EXIT_BADAUTH;
}

/* ---- raw ---- */

static int cmd_raw(const struct opts *o)
{
	static uint8_t buf[MAXMSG];
	struct sockaddr_in to = sin4(o->ha, MIP4_PORT);
	long n = 0, count = 1;
	int fd;

	if (o->hex) {
		n = parse_hex(o->hex, buf, sizeof buf);
	} else if (o->file) {
		FILE *f = fopen(o->file, "rb");

		if (!f)
			die(o->file, errno);
		n = (long)fread(buf, 1, sizeof buf, f);
		fclose(f);
	} else if (o->garbage > 0) {
		count = o->garbage;
	} else {
		usage("raw needs --hex, --file or --garbage");
	}
	if (n < 0)
		usage("bad hex");
	fd = udp_socket(o->src, o->have_src ? o->sport : 0);
	srand(o->seed);
	for (long i = 0; i < count; i++) {
		if (o->garbage > 0) {
			n = 1 + rand() % 1400;
			for (long j = 0; j < n; j++)
				buf[j] = (uint8_t)rand();
			/* mostly request-shaped: type 1, so the decoder
			 * runs, not just the type check */
			if (rand() % 4)
				buf[0] = MIP4_MSG_RRQ;
		}
		while (sendto(fd, buf, (size_t)n, 0, (const struct sockaddr *)&to,
			      sizeof to) < 0) {
			struct pollfd p = {fd, POLLOUT, 0};

			if (errno != EAGAIN && errno != ENOBUFS)
				die("sendto", errno);
			(void)poll(&p, 1, 10);
		}
	}
	if (o->timeout > 0 && !o->garbage) {
		struct pollfd p = {fd, POLLIN, 0};

		if (poll(&p, 1, (int)(o->timeout * 1000)) <= 0) {
			close(fd);
			return EXIT_SILENT;
		}
		n = recv(fd, buf, sizeof buf, 0);
		printf("{\"answered\":%ld}\n", n);
	}
	close(fd);
	return 0;
}

/* ---- run: the mobile node's data plane ---- */

struct mn {
	const struct opts *o;
	struct mip4_sa sa;
	int ufd, raw, tun;
	uint32_t home;
	bool udp;
	uint16_t keepalive;
	double last_to_ha, rereg_at, rereg_sent, expires;
	uint64_t pending_id; /* outstanding re-registration, 0 if none */
	uint16_t ka_seq;
	/* counters */
	unsigned long long registrations, reg_replies, rereg_failures,
		keepalives_tx, keepalives_acked, tun_rx, to_ha, from_ha,
		drop_foreign;
};

static void write_stats(const struct mn *s)
{
	char tmp[4096];
	FILE *f;

	if (!s->o->stats)
		return;
	snprintf(tmp, sizeof tmp, "%s.tmp", s->o->stats);
	f = fopen(tmp, "w");
	if (!f)
		die("stats file", errno);
	fprintf(f,
		"registrations %llu\nreg_replies %llu\nrereg_failures %llu\n"
		"keepalives_tx %llu\nkeepalives_acked %llu\ntun_rx %llu\n"
		"to_ha %llu\nfrom_ha %llu\ndrop_foreign %llu\nencap %s\n",
		s->registrations, s->reg_replies, s->rereg_failures,
		s->keepalives_tx, s->keepalives_acked, s->tun_rx, s->to_ha,
		s->from_ha, s->drop_foreign, s->udp ? "udp" : "ipip");
	fclose(f);
	if (rename(tmp, s->o->stats) < 0)
		die("rename stats", errno);
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

static int raw_socket(uint32_t local)
{
	struct sockaddr_in sa = sin4(local, 0);
	int one = 1, sz = 4 << 20;
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			IPPROTO_IPIP);

	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one) < 0 ||
	    bind(fd, (const struct sockaddr *)&sa, sizeof sa) < 0)
		die("raw socket", errno);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz);
	return fd;
}

/* Send an inner packet (at pkt, with >= 20 bytes of room before it) to
 * the home agent through the tunnel. */
static void tunnel_out(struct mn *s, uint8_t *pkt, size_t n)
{
	const struct opts *o = s->o;

	if (s->udp) {
		struct sockaddr_in to = sin4(o->ha, MIP4_PORT);
		struct mip4_buf mb;

		mip4_buf_init(&mb, pkt - MIP4_TUNNEL_DATA_LEN,
			      MIP4_TUNNEL_DATA_LEN);
		mip4_tunnel_data_put(&mb, MIP4_IPPROTO_IPIP);
		(void)sendto(s->ufd, pkt - MIP4_TUNNEL_DATA_LEN,
			     n + MIP4_TUNNEL_DATA_LEN, 0,
			     (const struct sockaddr *)&to, sizeof to);
	} else {
		struct sockaddr_in to = sin4(o->ha, 0);

		if (!dp_ipip_hdr(pkt - DP_IPIP_HDR_LEN, o->coa, o->ha, pkt, n))
			return;
		(void)sendto(s->raw, pkt - DP_IPIP_HDR_LEN, n + DP_IPIP_HDR_LEN,
			     0, (const struct sockaddr *)&to, sizeof to);
	}
	s->to_ha++;
	s->last_to_ha = now_s();
}

#define KA_IDENT 0x4d4e /* "MN" */

/* RFC 3519 §4.9: a UDP-encapsulated ICMP echo request to the HA. */
static void keepalive_send(struct mn *s)
{
	uint8_t buf[64];
	uint8_t *p = buf + 32, *icmp = p + 20;
	uint16_t c;

	memset(buf, 0, sizeof buf);
	mip4_ip_put(p, 20, s->home, s->o->ha, MIP4_IPPROTO_ICMP, 64, 0, false, 8);
	icmp[0] = 8; /* echo request */
	mip4_put16(icmp + 4, KA_IDENT);
	mip4_put16(icmp + 6, ++s->ka_seq);
	c = mip4_inet_csum(icmp, 8);
	mip4_put16(icmp + 2, c);
	tunnel_out(s, p, 28);
	s->keepalives_tx++;
}

/* Write a decapsulated packet to the TUN, except keepalive answers. */
static void to_tun(struct mn *s, const uint8_t *pkt, size_t n)
{
	struct mip4_ip ip;

	if (mip4_ip_decode(pkt, n, &ip) != MIP4_IP_OK)
		return;
	if (ip.proto == MIP4_IPPROTO_ICMP && ip.src == s->o->ha &&
	    ip.payload_len >= 8 && ip.payload[0] == 0 &&
	    mip4_get16(ip.payload + 4) == KA_IDENT) {
		s->keepalives_acked++;
		return;
	}
	s->from_ha++;
	(void)write(s->tun, pkt, ip.tot_len);
}

static void rereg_send(struct mn *s, uint16_t lifetime)
{
	static uint8_t req[2048];
	struct sockaddr_in to = sin4(s->o->ha, MIP4_PORT);
	size_t len;

	s->pending_id = ntp_now();
	len = build_rrq(s->o, &s->sa, s->home, lifetime, s->pending_id, req,
			sizeof req);
	(void)sendto(s->ufd, req, len, 0, (const struct sockaddr *)&to,
		     sizeof to);
	s->rereg_sent = now_s();
	s->registrations++;
}

static void schedule_rereg(struct mn *s, uint16_t granted)
{
	double t = now_s();

	s->expires = t + granted;
	s->rereg_at = (s->o->no_rereg || granted == 0)
			      ? 1e300
			      : t + (granted * 2.0) / 3.0;
}

static void on_reply(struct mn *s, const uint8_t *buf, size_t n)
{
	struct reply r;

	if (!s->pending_id || !reply_parse(buf, n, &s->sa, s->pending_id, &r))
		return;
	s->pending_id = 0;
	s->reg_replies++;
	if (!r.authentic || r.rrp.code > 1) {
		fprintf(stderr, "mn_sim: re-registration refused: %s\n", r.json);
		s->rereg_failures++;
		return;
	}
	schedule_rereg(s, r.rrp.lifetime);
}

static int cmd_run(const struct opts *o)
{
	static struct mn s;
	static uint8_t buf[MAXMSG + 64];
	uint8_t *pkt = buf + 64; /* room for the outer headers */
	uint64_t id = o->have_id ? o->id : ntp_now();
	struct reply r;
	struct nl *nl;
	size_t len;
	int rc, ifindex;

	if (!o->tun)
		usage("run needs --tun");
	s.o = o;
	sa_of(o, &s.sa);
	s.ufd = udp_socket(o->src, o->sport);
	len = build_rrq(o, &s.sa, o->home, o->lifetime, id, buf, sizeof buf);
	s.registrations = 1;
	rc = transact(s.ufd, o, &s.sa, buf, len, id, &r);
	if (rc)
		return rc;
	printf("%s\n", r.json);
	fflush(stdout);
	if (!r.authentic)
		return EXIT_BADAUTH;
	if (r.rrp.code > 1)
		return 1;
	s.reg_replies = 1;
	s.home = r.rrp.home_addr;
	s.udp = r.have_udp && r.udp_code == 0;
	s.keepalive = o->keepalive ? (uint16_t)o->keepalive
		      : r.keepalive ? r.keepalive
				    : 110;
	s.tun = tun_open(o->tun);
	s.raw = raw_socket(o->coa);
	ifindex = nl_ifindex(o->tun);
	if ((rc = nl_open(&nl)) < 0 ||
	    (rc = nl_link_set_up(nl, ifindex, o->mtu)) < 0 ||
	    (rc = nl_addr_add(nl, ifindex, s.home, 32)) < 0 ||
	    (rc = nl_addr_add(nl, ifindex, s.home, 32)) < 0) /* EEXIST ok */
		die("netlink", rc);
	nl_close(nl);
	s.last_to_ha = now_s();
	schedule_rereg(&s, r.rrp.lifetime);
	write_stats(&s);
	if (o->ready) {
		FILE *f = fopen(o->ready, "w");

		if (!f)
			die(o->ready, errno);
		fprintf(f, "%s\n", r.json);
		fclose(f);
	}
	while (!stop) {
		struct pollfd pf[3] = {{s.tun, POLLIN, 0}, {s.raw, POLLIN, 0},
				       {s.ufd, POLLIN, 0}};
		double t = now_s();
		bool changed = false;

		if (s.udp && t - s.last_to_ha >= s.keepalive) {
			keepalive_send(&s);
			changed = true;
		}
		if (s.pending_id && t - s.rereg_sent > 1.0) {
			/* lost: try again until the binding runs out */
			if (t < s.expires) {
				rereg_send(&s, o->lifetime);
			} else {
				s.pending_id = 0;
				s.rereg_failures++;
			}
			changed = true;
		} else if (!s.pending_id && t >= s.rereg_at) {
			rereg_send(&s, o->lifetime);
			changed = true;
		}
		if (poll(pf, 3, 100) < 0) {
			if (changed)
				write_stats(&s);
			continue;
		}
		/* outbound: everything from the home address goes to the HA
		 * (reverse tunnel, RFC 3024) */
		for (int i = 0; pf[0].revents && i < DP_BATCH; i++) {
			ssize_t n = read(s.tun, pkt, MAXMSG);

			if (n <= 0)
				break;
			s.tun_rx++;
			tunnel_out(&s, pkt, (size_t)n);
			changed = true;
		}
		for (int i = 0; pf[1].revents && i < DP_BATCH; i++) {
			struct mip4_ip ip;
			ssize_t n = recv(s.raw, buf, sizeof buf, 0);

			if (n <= 0)
				break;
			if (mip4_ip_decode(buf, (size_t)n, &ip) != MIP4_IP_OK ||
			    ip.proto != MIP4_IPPROTO_IPIP)
				continue;
			if (ip.src != o->ha) {
				s.drop_foreign++;
				continue;
			}
			to_tun(&s, ip.payload, ip.payload_len);
			changed = true;
		}
		for (int i = 0; pf[2].revents && i < DP_BATCH; i++) {
			struct sockaddr_in from = {0};
			socklen_t fl = sizeof from;
			ssize_t n = recvfrom(s.ufd, buf, sizeof buf, 0,
					     (struct sockaddr *)&from, &fl);

			if (n <= 0)
				break;
			changed = true;
			if (ntohl(from.sin_addr.s_addr) != o->ha) {
				s.drop_foreign++;
				continue;
			}
			if (buf[0] == MIP4_MSG_RRP)
				on_reply(&s, buf, (size_t)n);
			else if (n > MIP4_TUNNEL_DATA_LEN &&
				 buf[0] == MIP4_MSG_TUNNEL_DATA &&
				 buf[1] == MIP4_IPPROTO_IPIP)
				to_tun(&s, buf + MIP4_TUNNEL_DATA_LEN,
				       (size_t)n - MIP4_TUNNEL_DATA_LEN);
		}
		if (changed)
			write_stats(&s);
	}
	if (o->dereg) {
		uint64_t did = ntp_now();
		struct opts od = *o;

		od.tries = 3;
		od.timeout = 2;
		len = build_rrq(o, &s.sa, s.home, 0, did, buf, sizeof buf);
		if (transact(s.ufd, &od, &s.sa, buf, len, did, &r) == 0)
			printf("%s\n", r.json);
	}
	write_stats(&s);
	close(s.tun);
	close(s.raw);
	close(s.ufd);
	return 0;
}

/* ---- bench: registrations per second ---- */

static int cmd_bench(const struct opts *o)
{
	struct sockaddr_in to = sin4(o->ha, MIP4_PORT);
	struct mip4_sa sa;
	static uint8_t rbuf[2048];
	uint8_t *reqs;
	size_t *lens;
	bool *done;
	long sent = 0, answered = 0, accepted = 0, inflight;
	double t0, t1, last_rx;
	int fd;

	if (o->count <= 0 || !o->home)
		usage("bench needs --count and --home");
	sa_of(o, &sa);
	reqs = malloc((size_t)o->count * 256);
	lens = calloc((size_t)o->count, sizeof *lens);
	done = calloc((size_t)o->count, sizeof *done);
	if (!reqs || !lens || !done)
		die("malloc", ENOMEM);
	/* authenticate everything before the clock starts */
	for (long i = 0; i < o->count; i++) {
		sa.spi = o->spi + (uint32_t)i;
		lens[i] = build_rrq(o, &sa, o->home + (uint32_t)i, o->lifetime,
				    ntp_now(), reqs + i * 256, 256);
	}
	fd = udp_socket(o->src, o->sport);
	t0 = last_rx = now_s();
	while (answered < o->count) {
		struct pollfd p = {fd, POLLIN, 0};
		double t = now_s();

		inflight = sent - answered;
		while (sent < o->count && inflight < o->window) {
			if (sendto(fd, reqs + sent * 256, lens[sent], 0,
				   (const struct sockaddr *)&to, sizeof to) < 0) {
				if (errno == EAGAIN || errno == ENOBUFS)
					break;
				die("sendto", errno);
			}
			sent++;
			inflight++;
		}
		if (t - last_rx > 2.0)
			break; /* the rest are lost */
		if (poll(&p, 1, 100) <= 0)
			continue;
		for (;;) {
			ssize_t n = recv(fd, rbuf, sizeof rbuf, MSG_DONTWAIT);
			uint32_t idx;

			if (n < 0)
				break;
			if (n < MIP4_RRP_LEN || rbuf[0] != MIP4_MSG_RRP)
				continue;
			idx = mip4_get32(rbuf + 4) - o->home;
			if (idx >= (uint32_t)o->count || done[idx])
				continue;
			done[idx] = true;
			answered++;
			if (rbuf[1] <= 1)
				accepted++;
			last_rx = now_s();
		}
	}
	t1 = last_rx;
	printf("{\"count\":%ld,\"window\":%ld,\"sent\":%ld,\"answered\":%ld,"
	       "\"accepted\":%ld,\"seconds\":%.4f,\"per_second\":%.0f}\n",
	       o->count, o->window, sent, answered, accepted, t1 - t0,
	       t1 > t0 ? (double)answered / (t1 - t0) : 0.0);
	close(fd);
	free(reqs);
	free(lens);
	free(done);
	return answered == o->count ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_term};
	struct opts o;

	if (argc < 2)
		usage("no mode");
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	parse_opts(argc - 2, argv + 2, &o);
	if (strcmp(argv[1], "reg") == 0)
		return cmd_reg(&o);
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(&o);
	if (strcmp(argv[1], "raw") == 0)
		return cmd_raw(&o);
	if (strcmp(argv[1], "bench") == 0)
		return cmd_bench(&o);
	usage("unknown mode");
	return 2;
}
