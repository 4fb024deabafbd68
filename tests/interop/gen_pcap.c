/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gen_pcap: build one capture holding every Mobile IPv4 message type,
 * every registration extension type in mip4/wire.h, every request flag, a
 * range of reply codes, agent advertisements and a solicitation, using
 * only libmip4's encoders.  Beside it, a JSON manifest says what each frame
 * was meant to carry; tshark_check.py holds tshark and mip4ctl to it.  The
 * manifest states intent in the RFCs' terms (type numbers, flag letters),
 * not through mip4/wire.h's constants, so a wrong constant cannot agree
 * with itself.
 *
 * usage: gen_pcap OUT.pcap OUT.json
 */
#include <inttypes.h>
#include <json-c/json.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mip4/auth.h"
#include "mip4/ip.h"
#include "mip4/wire.h"

#define A4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (c) << 8 | (d))

/* Addresses of the scenario. */
#define MN_HOME A4(10, 1, 0, 10)
#define HA A4(10, 1, 0, 1)
#define FA A4(192, 0, 2, 1) /* FA care-of address */
#define CCOA A4(198, 51, 100, 20) /* co-located care-of address */
#define CN A4(203, 0, 113, 5)

#define T0 1700000000u /* capture time of frame 1 */
#define NTP_UNIX 2208988800u

struct gen {
	pcap_t *pcap;
	pcap_dumper_t *dump;
	json_object *frames;
	unsigned n;	/* frames written */
	uint16_t ident; /* IPv4 identification, one per frame */
	struct mip4_sa mnha, mnfa, faha, aaa, kmd5;
};

static void die(const char *what)
{
	fprintf(stderr, "gen_pcap: %s\n", what);
	exit(1);
}

/* ---- manifest helpers ---- */

static void jint(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void jstr(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void jbool(json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

static void jaddr(json_object *o, const char *k, uint32_t a)
{
	char buf[16];

	jstr(o, k, mip4_ntoa(a, buf));
}

static void jhex(json_object *o, const char *k, const void *data, size_t n)
{
	const uint8_t *p = data;
	char buf[512];

	if (2 * n >= sizeof buf)
		n = sizeof buf / 2 - 1; /* manifest values are short */
	for (size_t i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", p[i]);
	buf[2 * n] = '\0';
	jstr(o, k, buf);
}

static json_object *frame_new(const char *desc, const char *kind)
{
	json_object *f = json_object_new_object();

	jstr(f, "desc", desc);
	jstr(f, "kind", kind);
	json_object_object_add(f, "ext", json_object_new_array());
	return f;
}

/* A manifest record for one extension, appended to the frame's list. */
static json_object *ext_rec(json_object *f, int type)
{
	json_object *e = json_object_new_object(), *arr;

	json_object_object_get_ex(f, "ext", &arr);
	jint(e, "type", type);
	json_object_array_add(arr, e);
	return e;
}

/* ---- extension encoders that also record what they meant ---- */

static void x_pad(struct mip4_buf *b, json_object *f)
{
	mip4_ext_put_pad(b);
	ext_rec(f, 0); /* RFC 5944 §1.8 */
}

static void x_nai(struct mip4_buf *b, json_object *f, const char *nai)
{
	mip4_ext_put_nai(b, nai);
	jstr(ext_rec(f, 131), "nai", nai); /* RFC 2794 §2 */
}

static void x_auth(struct mip4_buf *b, json_object *f, uint8_t type,
		   const struct mip4_sa *sa)
{
	json_object *e = ext_rec(f, type);

	mip4_auth_append(b, type, sa);
	jint(e, "spi", sa->spi);
	jint(e, "auth_len", 16); /* HMAC-MD5, RFC 5944 §3.5.1 */
}

static void x_gen_auth(struct mip4_buf *b, json_object *f, uint8_t subtype,
		       const struct mip4_sa *sa)
{
	json_object *e = ext_rec(f, 36); /* RFC 4721 §5 */

	mip4_auth_append_gen(b, subtype, sa);
	jint(e, "subtype", subtype);
	jint(e, "spi", sa->spi);
	jint(e, "auth_len", 16);
}

static void x_challenge(struct mip4_buf *b, json_object *f, const void *c,
			size_t n)
{
	mip4_ext_put_raw(b, MIP4_EXT_MN_FA_CHAL, c, n);
	jhex(ext_rec(f, 132), "challenge", c, n); /* RFC 4721 §4 */
}

static void x_udp_req(struct mip4_buf *b, json_object *f, bool force,
		      bool fa_req, uint8_t encap)
{
	json_object *e = ext_rec(f, 144); /* RFC 3519 §3.1 */

	mip4_ext_put_udp_req(b, force, fa_req, encap);
	jint(e, "subtype", 0);
	jbool(e, "force", force);
	jbool(e, "fa_required", fa_req);
	jint(e, "encap", encap);
}

static void x_udp_rep(struct mip4_buf *b, json_object *f, uint8_t code,
		      bool forced, uint16_t keepalive)
{
	json_object *e = ext_rec(f, 44); /* RFC 3519 §3.2 */

	mip4_ext_put_udp_rep(b, code, forced, keepalive);
	jint(e, "subtype", 0);
	jint(e, "code", code);
	jbool(e, "forced", forced);
	jint(e, "keepalive", keepalive);
}

static void x_encap_delivery(struct mip4_buf *b, json_object *f)
{
	mip4_ext_put_encap_delivery(b);
	ext_rec(f, 130); /* RFC 3024 §3.3 */
}

static void x_rev_support(struct mip4_buf *b, json_object *f, bool i_bit,
			  uint32_t ts)
{
	json_object *e = ext_rec(f, 137); /* RFC 3543 §3.2 */

	mip4_ext_put_rev_support(b, i_bit, ts);
	jbool(e, "i_bit", i_bit);
	jint(e, "timestamp", ts);
}

static void x_dyn_ha(struct mip4_buf *b, json_object *f, uint8_t subtype,
		     uint32_t ha)
{
	json_object *e = ext_rec(f, 139); /* RFC 4433 §3.4 */

	mip4_ext_put_dyn_ha(b, subtype, ha);
	jint(e, "subtype", subtype);
	jaddr(e, "ha", ha);
}

static void x_msg_string(struct mip4_buf *b, json_object *f, uint8_t subtype,
			 const char *text)
{
	json_object *e = ext_rec(f, 145); /* RFC 4917 */

	mip4_ext_put_msg_string(b, subtype, text);
	jint(e, "subtype", subtype);
	jstr(e, "text", text);
}

static void x_tnc(struct mip4_buf *b, json_object *f)
{
	mip4_ext_put_tnc(b);
	jint(ext_rec(f, 149), "subtype", 0); /* RFC 5265 §3.4 */
}

static void x_vse(struct mip4_buf *b, json_object *f, bool critical,
		  uint32_t vendor, uint16_t vtype, const void *v, size_t n)
{
	json_object *e = ext_rec(f, critical ? 38 : 134); /* RFC 3115 */

	if (critical)
		mip4_ext_put_cvse(b, vendor, vtype, v, n);
	else
		mip4_ext_put_nvse(b, vendor, vtype, v, n);
	jint(e, "vendor", vendor);
	jint(e, "vendor_type", vtype);
	jhex(e, "value", v, n);
}

/* ---- messages ---- */

static uint64_t ident_for(unsigned i)
{
	/* NTP timestamp: seconds since 1900 high, a distinct low word. */
	return (uint64_t)(T0 + NTP_UNIX + i) << 32 | (0x5a5a0000u + i);
}

static void put_id(json_object *f, uint64_t id)
{
	char buf[24];

	snprintf(buf, sizeof buf, "0x%016" PRIx64, id);
	jstr(f, "id", buf);
}

/* Flags are given, and recorded, as RFC 5944 letters; the bits come from
 * mip4/wire.h, so a wrong constant shows up against tshark. */
static uint16_t flag_bits(const char *letters, const char *names,
			  const uint16_t *bits)
{
	uint16_t v = 0;

	for (const char *c = letters; *c; c++) {
		const char *p = strchr(names, *c);

		if (!p)
			die("unknown flag letter");
		v |= bits[p - names];
	}
	return v;
}

static uint8_t rrq_flags(const char *letters)
{
	static const uint16_t bits[] = {
		MIP4_RRQ_S, MIP4_RRQ_B, MIP4_RRQ_D, MIP4_RRQ_M,
		MIP4_RRQ_G, MIP4_RRQ_r, MIP4_RRQ_T, MIP4_RRQ_x,
	};

	return (uint8_t)flag_bits(letters, "SBDMGrTx", bits);
}

static uint16_t adv_flags(const char *letters)
{
	static const uint16_t bits[] = {
		MIP4_ADV_R, MIP4_ADV_B, MIP4_ADV_H, MIP4_ADV_F,
		MIP4_ADV_M, MIP4_ADV_G, MIP4_ADV_r, MIP4_ADV_T,
		MIP4_ADV_U, MIP4_ADV_X, MIP4_ADV_I,
	};

	return flag_bits(letters, "RBHFMGrTUXI", bits);
}

static void rrq_begin(struct mip4_buf *b, json_object *f, struct mip4_rrq *r,
		      const char *flags)
{
	r->flags = rrq_flags(flags);
	mip4_rrq_put(b, r);
	jint(f, "type", 1); /* RFC 5944 §3.3 */
	jstr(f, "flags", flags);
	jint(f, "lifetime", r->lifetime);
	jaddr(f, "home_addr", r->home_addr);
	jaddr(f, "ha_addr", r->ha_addr);
	jaddr(f, "coa", r->coa);
	put_id(f, r->id);
}

static void rrp_begin(struct mip4_buf *b, json_object *f,
		      const struct mip4_rrp *r)
{
	mip4_rrp_put(b, r);
	jint(f, "type", 3); /* RFC 5944 §3.4 */
	jint(f, "code", r->code);
	jint(f, "lifetime", r->lifetime);
	jaddr(f, "home_addr", r->home_addr);
	jaddr(f, "ha_addr", r->ha_addr);
	put_id(f, r->id);
}

/* Write one IPv4 packet (already complete) and its manifest record. */
static void write_pkt(struct gen *g, json_object *f, const uint8_t *pkt,
		      size_t len)
{
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof h);
	h.ts.tv_sec = (time_t)(T0 + g->n);
	h.ts.tv_usec = 0;
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)g->dump, &h, pkt);
	g->n++;
	jint(f, "frame", g->n);
	json_object_array_add(g->frames, f);
}

/* IPv4 + UDP around a Mobile IP message. */
static void emit_udp(struct gen *g, json_object *f, uint32_t src,
		     uint32_t dst, uint16_t sport, uint16_t dport,
		     const struct mip4_buf *msg, const char *auth)
{
	uint8_t pkt[2048];

	if (msg->overflow || msg->len + 28 > sizeof pkt)
		die("message does not fit");
	if (!mip4_ip_put(pkt, sizeof pkt, src, dst, MIP4_IPPROTO_UDP, 64,
			 g->ident++, false, 8 + msg->len))
		die("ip header");
	memcpy(pkt + 28, msg->p, msg->len);
	mip4_udp_put(pkt + 20, src, dst, sport, dport, msg->len);
	jaddr(f, "src", src);
	jaddr(f, "dst", dst);
	jint(f, "sport", sport);
	jint(f, "dport", dport);
	jint(f, "mip_len", (int64_t)msg->len);
	jstr(f, "auth", auth);
	write_pkt(g, f, pkt, 28 + msg->len);
}

/* IPv4 + an ICMP message already encoded (checksum included). */
static void emit_icmp(struct gen *g, json_object *f, uint32_t src,
		      uint32_t dst, const struct mip4_buf *icmp)
{
	uint8_t pkt[2048];

	if (icmp->overflow || icmp->len + 20 > sizeof pkt)
		die("icmp does not fit");
	if (!mip4_ip_put(pkt, sizeof pkt, src, dst, MIP4_IPPROTO_ICMP, 1,
			 g->ident++, false, icmp->len))
		die("ip header");
	memcpy(pkt + 20, icmp->p, icmp->len);
	jaddr(f, "src", src);
	jaddr(f, "dst", dst);
	write_pkt(g, f, pkt, 20 + icmp->len);
}

/* ---- the scenario ---- */

static void gen_requests(struct gen *g)
{
	static const uint8_t chal[8] = {0xc4, 0xa1, 0x1e, 0x06,
					0xe0, 0x01, 0x02, 0x03};
	uint8_t mem[1024];
	struct mip4_buf b;
	struct mip4_rrq r;
	json_object *f;
	char desc[64];

	/* No flag: NAI then MN-HA, MN -> HA directly. */
	memset(&r, 0, sizeof r);
	r.lifetime = 1800;
	r.home_addr = MN_HOME;
	r.ha_addr = HA;
	r.coa = CCOA;
	r.id = ident_for(g->n);
	f = frame_new("rrq no flags, NAI + MN-HA", "mip");
	mip4_buf_init(&b, mem, sizeof mem);
	rrq_begin(&b, f, &r, "");
	x_nai(&b, f, "mn1@example.com");
	x_auth(&b, f, 32, &g->mnha);
	emit_udp(g, f, CCOA, HA, 49152, MIP4_PORT, &b, "ok");

	/* Each flag on its own. */
	for (int i = 0; i < 8; i++) {
		const char flag[2] = {"SBDMGrTx"[i], '\0'};

		r.lifetime = (uint16_t)(300 + i);
		r.coa = flag[0] == 'D' ? CCOA : FA;
		r.id = ident_for(g->n);
		snprintf(desc, sizeof desc, "rrq flag %s", flag);
		f = frame_new(desc, "mip");
		mip4_buf_init(&b, mem, sizeof mem);
		rrq_begin(&b, f, &r, flag);
		x_auth(&b, f, 32, &g->mnha);
		/* RFC 3024 §3.3: delivery style after MN-HA, only with T. */
		if (flag[0] == 'T')
			x_encap_delivery(&b, f);
		emit_udp(g, f, MN_HOME, FA, 434, MIP4_PORT, &b, "ok");
	}

	/* Everything an MN and its FA add, in RFC order: UDP tunnel request
	 * and NAI before MN-HA (RFC 3519 §3.1, RFC 2794 §2), challenge then
	 * MN-FA after it (RFC 4721 §3.1), then the FA's revocation support
	 * and FA-HA (RFC 3543 §3.2, RFC 5944 §3.5.4). */
	r.lifetime = 65535;
	r.coa = FA;
	r.id = ident_for(g->n);
	f = frame_new("rrq S B D M G T, udp-req NAI MN-HA chal MN-FA rev FA-HA",
		      "mip");
	mip4_buf_init(&b, mem, sizeof mem);
	rrq_begin(&b, f, &r, "SBDMGT");
	x_udp_req(&b, f, true, false, MIP4_IPPROTO_IPIP);
	x_nai(&b, f, "roamer@corp.example");
	x_auth(&b, f, 32, &g->mnha);
	x_challenge(&b, f, chal, sizeof chal);
	x_auth(&b, f, 33, &g->mnfa);
	x_rev_support(&b, f, true, 0x65536f00);
	x_auth(&b, f, 34, &g->faha);
	emit_udp(g, f, FA, HA, 434, MIP4_PORT, &b, "ok");

	/* UDP tunnel request with R and GRE, challenge + MN-AAA
	 * (RFC 4721 §6: MN-HA first, then challenge, then MN-AAA). */
	r.lifetime = 600;
	r.coa = CCOA;
	r.id = ident_for(g->n);
	f = frame_new("rrq D G T, udp-req(R) NAI MN-HA chal MN-AAA", "mip");
	mip4_buf_init(&b, mem, sizeof mem);
	rrq_begin(&b, f, &r, "DGT");
	x_udp_req(&b, f, false, true, MIP4_IPPROTO_GRE);
	x_nai(&b, f, "aaa-user@example.net");
	x_auth(&b, f, 32, &g->mnha);
	x_challenge(&b, f, chal + 2, 4);
	x_gen_auth(&b, f, 1, &g->aaa);
	emit_udp(g, f, CCOA, FA, 434, MIP4_PORT, &b, "ok");

	/* Vendor extensions, dynamic HA request, TNC, padding. */
	{
		static const uint8_t cv[4] = {0xde, 0xad, 0xbe, 0xef};
		static const uint8_t nv[3] = {0x01, 0x02, 0x03};

		r.lifetime = 1200;
		r.ha_addr = 0; /* RFC 4433 §3.1: ask for a home agent */
		r.id = ident_for(g->n);
		f = frame_new("rrq D, CVSE NVSE dyn-HA(1) TNC NAI MN-HA",
			      "mip");
		mip4_buf_init(&b, mem, sizeof mem);
		rrq_begin(&b, f, &r, "D");
		x_vse(&b, f, true, 32473, 0x0102, cv, sizeof cv);
		x_vse(&b, f, false, 9, 0x0304, nv, sizeof nv);
		x_dyn_ha(&b, f, 1, HA);
		x_tnc(&b, f);
		x_nai(&b, f, "dyn@example.org");
		x_auth(&b, f, 32, &g->mnha);
		emit_udp(g, f, CCOA, HA, 434, MIP4_PORT, &b, "ok");
		r.ha_addr = HA;
	}

	/* One-byte padding (RFC 5944 §1.8, type 0), covered by MN-HA. */
	r.lifetime = 1801;
	r.coa = FA;
	r.id = ident_for(g->n);
	f = frame_new("rrq B, pad NAI MN-HA", "mip");
	mip4_buf_init(&b, mem, sizeof mem);
	rrq_begin(&b, f, &r, "B");
	x_pad(&b, f);
	x_nai(&b, f, "pad@example.com");
	x_auth(&b, f, 32, &g->mnha);
	emit_udp(g, f, MN_HOME, FA, 434, MIP4_PORT, &b, "ok");

	/* Keyed MD5 (prefix+suffix) SA. */
	r.lifetime = 90;
	r.coa = FA;
	r.id = ident_for(g->n);
	f = frame_new("rrq T, MN-HA keyed-md5", "mip");
	mip4_buf_init(&b, mem, sizeof mem);
	rrq_begin(&b, f, &r, "T");
	x_auth(&b, f, 32, &g->kmd5);
	emit_udp(g, f, MN_HOME, FA, 434, MIP4_PORT, &b, "ok");

	/* A deregistration whose authenticator is corrupted on the wire. */
	r.lifetime = 0;
	r.coa = MN_HOME;
	r.id = ident_for(g->n);
	f = frame_new("rrq deregistration, corrupted MN-HA authenticator",
		      "mip");
	mip4_buf_init(&b, mem, sizeof mem);
	rrq_begin(&b, f, &r, "");
	x_auth(&b, f, 32, &g->mnha);
	if (!b.overflow)
		b.p[b.len - 1] ^= 0x01;
	jbool(f, "corrupted", true);
	emit_udp(g, f, MN_HOME, HA, 434, MIP4_PORT, &b, "bad");
}

static void gen_replies(struct gen *g)
{
	static const uint8_t codes[] = {
		0,   1,	  64,  65,  66,	 67,  68,  69,	70,  71,  72,  73,
		74,  75,  76,  77,  78,	 79,  80,  81,	82,  88,  194, 128,
		129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 142,
		143,
	};
	uint8_t mem[1024];
	struct mip4_buf b;
	struct mip4_rrp r;
	json_object *f;
	char desc[64];

	for (size_t i = 0; i < sizeof codes; i++) {
		uint8_t c = codes[i];
		bool by_fa = (c >= 64 && c < 128) || c == 194;
		const char *auth = "ok";

		memset(&r, 0, sizeof r);
		r.code = c;
		r.lifetime = c <= 1 ? 1800 : 0;
		r.home_addr = MN_HOME;
		r.ha_addr = HA;
		r.id = ident_for(g->n);
		snprintf(desc, sizeof desc, "rrp code %u", c);
		f = frame_new(desc, "mip");
		mip4_buf_init(&b, mem, sizeof mem);
		rrp_begin(&b, f, &r);
		if (c == 143) /* RFC 4433 §3.3: redirected HA */
			x_dyn_ha(&b, f, 2, A4(10, 1, 0, 2));
		if (by_fa) {
			/* FA denials: MN-FA on every other one, nothing
			 * else (RFC 5944 §3.7.3.1). */
			if (i % 2)
				x_auth(&b, f, 33, &g->mnfa);
			else
				auth = "n/a";
		} else {
			x_auth(&b, f, 32, &g->mnha);
		}
		emit_udp(g, f, by_fa ? FA : HA, by_fa ? MN_HOME : FA,
			 MIP4_PORT, 434, &b, auth);
	}

	/* An HA acceptance carrying every reply-side extension. */
	memset(&r, 0, sizeof r);
	r.lifetime = 1800;
	r.home_addr = MN_HOME;
	r.ha_addr = HA;
	r.id = ident_for(g->n);
	f = frame_new("rrp 0, udp-rep rev msgstr TNC MN-HA FA-HA", "mip");
	mip4_buf_init(&b, mem, sizeof mem);
	rrp_begin(&b, f, &r);
	x_udp_rep(&b, f, 0, true, 110);
	x_rev_support(&b, f, true, 0x65537000);
	x_msg_string(&b, f, 1, "welcome home");
	x_tnc(&b, f);
	x_auth(&b, f, 32, &g->mnha);
	x_auth(&b, f, 34, &g->faha);
	emit_udp(g, f, HA, FA, MIP4_PORT, 434, &b, "ok");

	/* UDP tunnelling declined; FA adds a message string. */
	memset(&r, 0, sizeof r);
	r.code = 142; /* RFC 3519 §3.5 */
	r.home_addr = MN_HOME;
	r.ha_addr = HA;
	r.id = ident_for(g->n);
	f = frame_new("rrp 142, udp-rep(64) MN-HA msgstr(2)", "mip");
	mip4_buf_init(&b, mem, sizeof mem);
	rrp_begin(&b, f, &r);
	x_udp_rep(&b, f, 64, false, 0);
	x_auth(&b, f, 32, &g->mnha);
	x_msg_string(&b, f, 2, "FA: no UDP tunnels here");
	emit_udp(g, f, FA, MN_HOME, MIP4_PORT, 434, &b, "ok");
}

static void gen_tunnel_data(struct gen *g)
{
	static const char payload[] = "hello through the NAT";
	uint8_t mem[256];
	struct mip4_buf b;
	uint8_t *inner;
	size_t ilen = 20 + 8 + sizeof payload - 1;
	json_object *f, *in;

	mip4_buf_init(&b, mem, sizeof mem);
	f = frame_new("tunnel data, IPv4/UDP inside", "mip");
	mip4_tunnel_data_put(&b, MIP4_IPPROTO_IPIP);
	inner = mip4_buf_put(&b, ilen);
	if (!inner)
		die("tunnel data");
	mip4_ip_put(inner, ilen, MN_HOME, CN, MIP4_IPPROTO_UDP, 63, 0x4242,
		    true, ilen - 20);
	memcpy(inner + 28, payload, sizeof payload - 1);
	mip4_udp_put(inner + 20, MN_HOME, CN, 40000, 9, sizeof payload - 1);
	jint(f, "type", 4); /* RFC 3519 §3.3 */
	jint(f, "next_header", 4);
	in = json_object_new_object();
	jaddr(in, "src", MN_HOME);
	jaddr(in, "dst", CN);
	jint(in, "proto", 17);
	jint(in, "len", (int64_t)ilen);
	jint(in, "sport", 40000);
	jint(in, "dport", 9);
	jhex(in, "payload", payload, sizeof payload - 1);
	json_object_object_add(f, "inner", in);
	/* RFC 3519 §3.3: from the MN's NATed address to the HA, port 434. */
	emit_udp(g, f, CCOA, HA, 4500, MIP4_PORT, &b, "n/a");
}

static void gen_revocations(struct gen *g)
{
	static const struct {
		bool a, i, to_mn;
	} rv[] = {
		{true, false, false}, /* HA -> FA */
		{false, true, false}, /* FA -> HA, asks whether to inform */
		{true, true, true},   /* HA -> 'direct' co-located MN */
	};
	uint8_t mem[256];
	struct mip4_buf b;
	json_object *f;
	char desc[64];

	for (size_t i = 0; i < sizeof rv / sizeof rv[0]; i++) {
		struct mip4_revoke r = {
			.a_bit = rv[i].a,
			.i_bit = rv[i].i,
			.home_addr = MN_HOME,
			.home_domain = HA,
			.foreign_domain = rv[i].to_mn ? CCOA : FA,
			.revocation_id = 0x65538000u + (uint32_t)i,
		};

		snprintf(desc, sizeof desc, "revocation A=%d I=%d %s", r.a_bit,
			 r.i_bit, rv[i].to_mn ? "MN-HA" : "FA-HA");
		f = frame_new(desc, "mip");
		mip4_buf_init(&b, mem, sizeof mem);
		mip4_revoke_put(&b, &r);
		jint(f, "type", 7); /* RFC 3543 §3.3 */
		jbool(f, "a_bit", r.a_bit);
		jbool(f, "i_bit", r.i_bit);
		jaddr(f, "home_addr", r.home_addr);
		jaddr(f, "home_domain", r.home_domain);
		jaddr(f, "foreign_domain", r.foreign_domain);
		jint(f, "revocation_id", r.revocation_id);
		/* RFC 3543 §3.3: FA-HA between agents, MN-HA from the HA to
		 * a 'direct' co-located mobile node. */
		x_auth(&b, f, rv[i].to_mn ? 32 : 34,
		       rv[i].to_mn ? &g->mnha : &g->faha);
		emit_udp(g, f, rv[i].a ? HA : FA,
			 rv[i].to_mn ? CCOA : (rv[i].a ? FA : HA), 434,
			 MIP4_PORT, &b, "ok");
	}
	/* RFC 3543 §3.4: FA-HA between agents, MN-HA between the HA and a
	 * 'direct' co-located mobile node. */
	static const struct {
		bool i;
		uint32_t src, dst;
		bool mn;
	} ack[] = {
		{false, FA, HA, false},
		{true, HA, FA, false},
		{true, CCOA, HA, true},
	};
	for (size_t i = 0; i < sizeof ack / sizeof ack[0]; i++) {
		struct mip4_revoke_ack r = {
			.i_bit = ack[i].i,
			.home_addr = MN_HOME,
			.revocation_id = 0x65538000u + (uint32_t)i,
		};

		snprintf(desc, sizeof desc, "revocation ack I=%d %s", r.i_bit,
			 ack[i].mn ? "MN-HA" : "FA-HA");
		f = frame_new(desc, "mip");
		mip4_buf_init(&b, mem, sizeof mem);
		mip4_revoke_ack_put(&b, &r);
		jint(f, "type", 15); /* RFC 3543 §3.4 */
		jbool(f, "i_bit", r.i_bit);
		jaddr(f, "home_addr", r.home_addr);
		jint(f, "revocation_id", r.revocation_id);
		x_auth(&b, f, ack[i].mn ? 32 : 34,
		       ack[i].mn ? &g->mnha : &g->faha);
		emit_udp(g, f, ack[i].src, ack[i].dst, MIP4_PORT, 434, &b,
			 "ok");
	}
}

static void gen_discovery(struct gen *g)
{
	static const struct {
		const char *flags;
		unsigned n_routers, n_coa, n_prefix;
		uint8_t code;
	} av[] = {
		{"RFT", 1, 1, 1, 0},
		{"HFMGUX", 2, 2, 2, 0},
		{"BHFI", 1, 3, 0, 0},
		{"H", 0, 0, 0, 16}, /* home agent only, §2.1 code 16 */
	};
	uint8_t mem[512];
	struct mip4_buf b;
	json_object *f;
	char desc[64];

	for (size_t i = 0; i < sizeof av / sizeof av[0]; i++) {
		struct mip4_adv a;
		json_object *routers = json_object_new_array();
		json_object *coas = json_object_new_array();
		json_object *pl = json_object_new_array();
		char buf[16];
		size_t len;

		memset(&a, 0, sizeof a);
		a.code = av[i].code;
		a.lifetime = (uint16_t)(1800 + i);
		a.n_routers = av[i].n_routers;
		for (unsigned k = 0; k < a.n_routers; k++) {
			json_object *ro = json_object_new_object();

			a.router[k].addr = FA + k;
			a.router[k].pref = (int32_t)k - 1; /* -1, 0, ... */
			jaddr(ro, "addr", a.router[k].addr);
			jint(ro, "pref", a.router[k].pref);
			json_object_array_add(routers, ro);
		}
		a.has_mobility = true;
		a.seq = (uint16_t)(i == 0 ? 0 : 255 + i); /* 0 after reboot */
		a.reg_lifetime = (uint16_t)(i == 3 ? 0xffff : 600 * (i + 1));
		a.flags = adv_flags(av[i].flags);
		a.n_coa = av[i].n_coa;
		for (unsigned k = 0; k < a.n_coa; k++) {
			a.coa[k] = FA + 16 * k;
			json_object_array_add(
				coas, json_object_new_string(
					      mip4_ntoa(a.coa[k], buf)));
		}
		a.has_prefix_len = av[i].n_prefix > 0;
		a.n_prefix_len = av[i].n_prefix;
		for (unsigned k = 0; k < a.n_prefix_len; k++) {
			a.prefix_len[k] = (uint8_t)(24 - 8 * k);
			json_object_array_add(
				pl, json_object_new_int(a.prefix_len[k]));
		}
		snprintf(desc, sizeof desc, "agent advertisement %zu", i + 1);
		f = frame_new(desc, "adv");
		mip4_buf_init(&b, mem, sizeof mem);
		mip4_adv_put(&b, &a, true);
		jint(f, "icmp_type", 9);
		jint(f, "icmp_code", a.code);
		jint(f, "lifetime", a.lifetime);
		json_object_object_add(f, "routers", routers);
		jint(f, "seq", a.seq);
		jint(f, "reg_lifetime", a.reg_lifetime);
		jstr(f, "flags", av[i].flags);
		json_object_object_add(f, "coa", coas);
		if (a.has_prefix_len)
			json_object_object_add(f, "prefix_lengths", pl);
		else
			json_object_put(pl);
		/* Padding to an even length, RFC 5944 §2.1.3. */
		len = 8 + 8 * a.n_routers + 8 + 4 * a.n_coa +
		      (a.has_prefix_len ? 2 + a.n_prefix_len : 0);
		jint(f, "padding", (int64_t)(len % 2));
		/* RFC 5944 §2.1 and §2.3.2: to all-systems multicast. */
		emit_icmp(g, f, FA, A4(224, 0, 0, 1), &b);
	}

	f = frame_new("agent solicitation", "sol");
	mip4_buf_init(&b, mem, sizeof mem);
	mip4_sol_put(&b);
	jint(f, "icmp_type", 10);
	jint(f, "icmp_code", 0);
	emit_icmp(g, f, MN_HOME, A4(224, 0, 0, 2), &b);
}

static void sa_setup(struct mip4_sa *sa, uint32_t spi, const char *key,
		     enum mip4_alg alg, json_object *list, json_object *keys)
{
	char spec[160], hex[2 * MIP4_KEY_MAX + 1];
	size_t n = strlen(key);
	json_object *k = json_object_new_object();

	if (mip4_sa_init(sa, spi, key, n) < 0)
		die("bad key");
	sa->alg = alg;
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", (uint8_t)key[i]);
	snprintf(spec, sizeof spec, "0x%" PRIx32 ":%s:%s", spi, hex,
		 mip4_alg_str(alg));
	json_object_array_add(list, json_object_new_string(spec));
	jint(k, "spi", spi);
	jstr(k, "key", hex);
	jstr(k, "alg", mip4_alg_str(alg));
	json_object_array_add(keys, k);
}

int main(int argc, char **argv)
{
	struct gen g;
	json_object *man, *sas, *keys;

	if (argc != 3) {
		fprintf(stderr, "usage: gen_pcap OUT.pcap OUT.json\n");
		return 2;
	}
	memset(&g, 0, sizeof g);
	g.ident = 0x1000;
	man = json_object_new_object();
	sas = json_object_new_array();
	keys = json_object_new_array();
	sa_setup(&g.mnha, 0x100, "mn-ha shared secret", MIP4_ALG_HMAC_MD5,
		 sas, keys);
	sa_setup(&g.mnfa, 0x200, "mn-fa key", MIP4_ALG_HMAC_MD5, sas, keys);
	sa_setup(&g.faha, 0x300, "fa-ha key 0123456789", MIP4_ALG_HMAC_MD5,
		 sas, keys);
	sa_setup(&g.aaa, 0x400, "aaa secret", MIP4_ALG_HMAC_MD5, sas, keys);
	sa_setup(&g.kmd5, 0x500, "legacy keyed md5", MIP4_ALG_KEYED_MD5, sas,
		 keys);
	json_object_object_add(man, "sa", sas);
	json_object_object_add(man, "keys", keys);
	g.frames = json_object_new_array();
	json_object_object_add(man, "frames", g.frames);

	g.pcap = pcap_open_dead(DLT_RAW, 65535);
	if (!g.pcap)
		die("pcap_open_dead");
	g.dump = pcap_dump_open(g.pcap, argv[1]);
	if (!g.dump)
		die(pcap_geterr(g.pcap));

	gen_requests(&g);
	gen_replies(&g);
	gen_tunnel_data(&g);
	gen_revocations(&g);
	gen_discovery(&g);

	pcap_dump_close(g.dump);
	pcap_close(g.pcap);
	if (json_object_to_file_ext(argv[2], man, JSON_C_TO_STRING_PRETTY) <
	    0)
		die("cannot write manifest");
	json_object_put(man);
	printf("gen_pcap: %u frames -> %s, %s\n", g.n, argv[1], argv[2]);
	return 0;
}
