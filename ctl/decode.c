/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4ctl decode: read a pcap file (or a live interface) with libpcap and
 * print every Mobile IPv4 message: registration messages, tunnel data,
 * revocations on UDP 434, and agent advertisements/solicitations (ICMP 9
 * and 10).  Authenticators are verified when keys are given.
 */
#include <getopt.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mip4/ip.h"
#include "mip4ctl.h"

struct decode_ctx {
	struct sa_table sa;
	bool json;
	int linktype;
	unsigned long frame;
	/* totals */
	unsigned long packets, mip_msgs, adv, sol, icmp_other, malformed, nonip,
	    frags;
	unsigned long by_type[256];
	unsigned long verdicts[5]; /* ok, n/a, unverified, missing, bad */
};

static const char *const verdict_names[] = {"ok", "n/a", "unverified",
					    "missing", "bad"};

static void count_verdict(struct decode_ctx *c, const char *v)
{
	for (int i = 0; i < 5; i++)
		if (strcmp(v, verdict_names[i]) == 0)
			c->verdicts[i]++;
}

/* Strip the link layer; returns the IPv4 packet or NULL. */
static const uint8_t *link_strip(int linktype, const uint8_t *p, size_t len,
				 size_t *iplen)
{
	size_t off;
	uint16_t proto;

	switch (linktype) {
	case DLT_EN10MB:
		if (len < 14)
			return NULL;
		off = 14;
		proto = mip4_get16(p + 12);
		while ((proto == 0x8100 || proto == 0x88a8) && len >= off + 4) {
			proto = mip4_get16(p + off + 2);
			off += 4;
		}
		break;
	case DLT_LINUX_SLL:
		if (len < 16)
			return NULL;
		off = 16;
		proto = mip4_get16(p + 14);
		break;
	case DLT_LINUX_SLL2:
		if (len < 20)
			return NULL;
		off = 20;
		proto = mip4_get16(p);
		break;
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
#endif
		off = 0;
		proto = 0x0800;
		break;
	case DLT_NULL:
	case DLT_LOOP:
		if (len < 4)
			return NULL;
		off = 4;
		proto = (p[0] == 2 || p[3] == 2) ? 0x0800 : 0;
		break;
	default:
		return NULL;
	}
	if (proto != 0x0800 || off > len)
		return NULL;
	*iplen = len - off;
	return p + off;
}

static void emit(struct decode_ctx *c, json_object *o, const struct mip4_ip *ip,
		 const struct mip4_udp *u, const struct pcap_pkthdr *h)
{
	char s[16], d[16], when[32];

	snprintf(when, sizeof when, "%lld.%06ld", (long long)h->ts.tv_sec,
		 (long)h->ts.tv_usec);
	if (c->json) {
		json_object *w = json_object_new_object();

		json_object_object_add(w, "frame",
				       json_object_new_int64((int64_t)c->frame));
		json_object_object_add(w, "time", json_object_new_string(when));
		json_object_object_add(w, "src",
				       json_object_new_string(mip4_ntoa(ip->src, s)));
		json_object_object_add(w, "dst",
				       json_object_new_string(mip4_ntoa(ip->dst, d)));
		if (u) {
			json_object_object_add(w, "sport",
					       json_object_new_int(u->sport));
			json_object_object_add(w, "dport",
					       json_object_new_int(u->dport));
		}
		struct json_object_iterator it = json_object_iter_begin(o);
		struct json_object_iterator end = json_object_iter_end(o);

		for (; !json_object_iter_equal(&it, &end);
		     json_object_iter_next(&it))
			json_object_object_add(
				w, json_object_iter_peek_name(&it),
				json_object_get(json_object_iter_peek_value(&it)));
		puts(json_object_to_json_string_ext(w, JSON_C_TO_STRING_PLAIN));
		json_object_put(w);
	} else {
		if (u)
			printf("#%lu %s %s:%u -> %s:%u\n", c->frame, when,
			       mip4_ntoa(ip->src, s), u->sport,
			       mip4_ntoa(ip->dst, d), u->dport);
		else
			printf("#%lu %s %s -> %s\n", c->frame, when,
			       mip4_ntoa(ip->src, s), mip4_ntoa(ip->dst, d));
		json_render_text(o, 2);
	}
}

static void malformed(struct decode_ctx *c, const struct mip4_ip *ip,
		      const struct mip4_udp *u, const struct pcap_pkthdr *h,
		      const char *what, int err, int ext_type, size_t off)
{
	json_object *o = json_object_new_object();

	c->malformed++;
	json_object_object_add(o, "type", json_object_new_string(what));
	json_object_object_add(o, "error",
			       json_object_new_string(mip4_strerror(err)));
	if (ext_type >= 0) {
		json_object_object_add(o, "bad_extension",
				       json_object_new_int(ext_type));
		json_object_object_add(o, "bad_offset",
				       json_object_new_int64((int64_t)off));
	}
	emit(c, o, ip, u, h);
	json_object_put(o);
}

static void handle_udp(struct decode_ctx *c, const struct mip4_ip *ip,
		       const struct pcap_pkthdr *h)
{
	struct mip4_udp u;
	struct mip4_msg m;
	json_object *o;
	const char *verdict;
	int rc;

	if (mip4_udp_decode(ip->payload, ip->payload_len, &u) < 0 ||
	    (u.sport != MIP4_PORT && u.dport != MIP4_PORT))
		return;
	rc = mip4_msg_decode(u.payload, u.payload_len, &m);
	if (rc < 0) {
		malformed(c, ip, &u, h, "malformed-mobile-ip", rc,
			  m.bad_ext_type, m.bad_off);
		return;
	}
	c->mip_msgs++;
	c->by_type[m.type]++;
	o = msg_to_json(&m, &c->sa, &verdict);
	count_verdict(c, verdict);
	emit(c, o, ip, &u, h);
	json_object_put(o);
}

static void handle_icmp(struct decode_ctx *c, const struct mip4_ip *ip,
			const struct pcap_pkthdr *h)
{
	const uint8_t *p = ip->payload;
	size_t n = ip->payload_len;
	json_object *o;
	int rc;

	if (n < 1)
		return;
	if (p[0] == MIP4_ICMP_ADV) {
		struct mip4_adv a;

		rc = mip4_adv_decode(p, n, &a);
		if (rc < 0) {
			malformed(c, ip, NULL, h, "malformed-advertisement",
				  rc, -1, 0);
			return;
		}
		c->adv++;
		o = adv_to_json(&a);
		json_object_object_add(
			o, "checksum_ok",
			json_object_new_boolean(mip4_inet_csum(p, n) == 0));
	} else if (p[0] == MIP4_ICMP_SOL) {
		rc = mip4_sol_decode(p, n);
		if (rc < 0) {
			malformed(c, ip, NULL, h, "malformed-solicitation", rc,
				  -1, 0);
			return;
		}
		c->sol++;
		o = json_object_new_object();
		json_object_object_add(o, "type", json_object_new_string(
							  "agent-solicitation"));
		json_object_object_add(o, "type_num",
				       json_object_new_int(MIP4_ICMP_SOL));
		json_object_object_add(
			o, "checksum_ok",
			json_object_new_boolean(mip4_inet_csum(p, n) == 0));
	} else {
		c->icmp_other++;
		return;
	}
	emit(c, o, ip, NULL, h);
	json_object_put(o);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h,
		      const u_char *bytes)
{
	struct decode_ctx *c = (struct decode_ctx *)user;
	const uint8_t *pkt;
	size_t len;
	struct mip4_ip ip;

	c->frame++;
	c->packets++;
	pkt = link_strip(c->linktype, bytes, h->caplen, &len);
	if (!pkt || mip4_ip_decode(pkt, len, &ip) < 0) {
		c->nonip++;
		return;
	}
	if (mip4_ip_is_fragment(&ip)) {
		c->frags++; /* no reassembly: registration messages are small */
		return;
	}
	if (ip.proto == MIP4_IPPROTO_UDP)
		handle_udp(c, &ip, h);
	else if (ip.proto == MIP4_IPPROTO_ICMP)
		handle_icmp(c, &ip, h);
}

static pcap_t *live_handle;

static void on_signal(int sig)
{
	(void)sig;
	/* pcap_breakloop(3) is documented as safe in a signal handler. */
	if (live_handle)
		pcap_breakloop(live_handle); // NOLINT(bugprone-signal-handler)
}

static void summary(const struct decode_ctx *c)
{
	FILE *f = c->json ? stderr : stdout;

	fprintf(f,
		"summary: %lu packets, %lu mobile-ip messages (%lu requests, "
		"%lu replies, %lu tunnel-data, %lu revocations, %lu acks), "
		"%lu advertisements, %lu solicitations, %lu other icmp, "
		"%lu malformed, %lu fragments skipped\n",
		c->packets, c->mip_msgs, c->by_type[MIP4_MSG_RRQ],
		c->by_type[MIP4_MSG_RRP], c->by_type[MIP4_MSG_TUNNEL_DATA],
		c->by_type[MIP4_MSG_REVOKE], c->by_type[MIP4_MSG_REVOKE_ACK],
		c->adv, c->sol, c->icmp_other, c->malformed, c->frags);
	fprintf(f,
		"auth: %lu ok, %lu bad, %lu missing, %lu unverified, %lu n/a\n",
		c->verdicts[0], c->verdicts[4], c->verdicts[3], c->verdicts[2],
		c->verdicts[1]);
}

static void decode_usage(FILE *f)
{
	fprintf(f,
		"usage: mip4ctl decode FILE.pcap [options]\n"
		"       mip4ctl decode -i IFACE [-c COUNT] [options]\n"
		"options:\n"
		"  --json               one JSON object per message, per line\n"
		"  --sa SPI:HEXKEY[:ALG]  verify authenticators with this key\n"
		"                       (ALG hmac-md5 (default) or keyed-md5);\n"
		"                       repeatable\n"
		"exit status: 0 all decoded, 1 malformed messages seen, "
		"2 usage or I/O error\n");
}

int cmd_decode(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"sa", required_argument, NULL, 's'},
		{"interface", required_argument, NULL, 'i'},
		{"count", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct decode_ctx *c = calloc(1, sizeof *c);
	char errbuf[PCAP_ERRBUF_SIZE], err[256];
	const char *iface = NULL;
	int count = -1, opt, rc = 2;
	pcap_t *p;

	if (!c)
		return 2;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "ji:c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c->json = true;
			break;
		case 's':
			if (sa_table_add(&c->sa, optarg, err, sizeof err) < 0) {
				fprintf(stderr, "mip4ctl decode: %s\n", err);
				goto out;
			}
			break;
		case 'i':
			iface = optarg;
			break;
		case 'c':
			count = atoi(optarg);
			break;
		case 'h':
			decode_usage(stdout);
			rc = 0;
			goto out;
		default:
			decode_usage(stderr);
			goto out;
		}
	}
	if ((iface == NULL) == (optind >= argc) ||
	    (iface && optind < argc)) {
		decode_usage(stderr);
		goto out;
	}
	if (iface) {
		p = pcap_create(iface, errbuf);
		if (p && (pcap_set_snaplen(p, 65535) != 0 ||
			  pcap_set_immediate_mode(p, 1) != 0 ||
			  pcap_activate(p) < 0)) {
			fprintf(stderr, "mip4ctl decode: %s: %s\n", iface,
				pcap_geterr(p));
			pcap_close(p);
			goto out;
		}
	} else {
		p = pcap_open_offline(argv[optind], errbuf);
	}
	if (!p) {
		fprintf(stderr, "mip4ctl decode: %s\n", errbuf);
		goto out;
	}
	if (iface) {
		struct bpf_program prog;

		if (pcap_compile(p, &prog, "udp port 434 or icmp[0] = 9 or icmp[0] = 10",
				 1, PCAP_NETMASK_UNKNOWN) == 0) {
			(void)pcap_setfilter(p, &prog);
			pcap_freecode(&prog);
		}
		live_handle = p;
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
	}
	c->linktype = pcap_datalink(p);
	if (pcap_loop(p, count, on_packet, (u_char *)c) == -1) {
		fprintf(stderr, "mip4ctl decode: %s\n", pcap_geterr(p));
		pcap_close(p);
		goto out;
	}
	pcap_close(p);
	live_handle = NULL;
	summary(c);
	rc = c->malformed ? 1 : 0;
out:
	free(c);
	return rc;
}
