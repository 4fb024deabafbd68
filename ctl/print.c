/* SPDX-License-Identifier: BSD-2-Clause */
/* One JSON view per decoded message; the human output renders the same
 * object as text, so the two modes never disagree. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mip4/ip.h"
#include "mip4/replay.h"
#include "mip4ctl.h"

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

/* SPI:HEXKEY[:ALG], SPI decimal or 0x-hex. */
int sa_table_add(struct sa_table *t, const char *spec, char *err,
		 size_t errlen)
{
	char buf[256], *colon, *alg;
	uint8_t key[MIP4_KEY_MAX];
	size_t klen = 0;
	unsigned long spi;
	char *end;
	struct mip4_sa *sa;

	if (t->n == MIP4CTL_MAX_SA) {
		snprintf(err, errlen, "too many --sa options (max %d)",
			 MIP4CTL_MAX_SA);
		return -1;
	}
	size_t slen = strlen(spec);

	if (slen >= sizeof buf) {
		snprintf(err, errlen, "--sa value too long");
		return -1;
	}
	memcpy(buf, spec, slen + 1);
	colon = strchr(buf, ':');
	if (!colon) {
		snprintf(err, errlen, "--sa '%s': expected SPI:HEXKEY[:ALG]",
			 spec);
		return -1;
	}
	*colon = '\0';
	/* decimal, or hex with 0x: no octal, no sign, no blanks */
	if (!isdigit((unsigned char)buf[0])) {
		snprintf(err, errlen, "--sa '%s': bad SPI", spec);
		return -1;
	}
	spi = strtoul(buf, &end,
		      (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) ? 16 : 10);
	if (*end != '\0' || spi > UINT32_MAX) {
		snprintf(err, errlen, "--sa '%s': bad SPI", spec);
		return -1;
	}
	alg = strchr(colon + 1, ':');
	if (alg)
		*alg++ = '\0';
	for (const char *h = colon + 1; *h; h += 2) {
		int hi = hexval(h[0]), lo = h[1] ? hexval(h[1]) : -1;

		if (hi < 0 || lo < 0 || klen == MIP4_KEY_MAX) {
			snprintf(err, errlen,
				 "--sa '%s': key must be 1-%d bytes of hex",
				 spec, MIP4_KEY_MAX);
			return -1;
		}
		key[klen++] = (uint8_t)(hi << 4 | lo);
	}
	sa = &t->sa[t->n];
	if (mip4_sa_init(sa, (uint32_t)spi, key, klen) < 0) {
		snprintf(err, errlen, "--sa '%s': empty key", spec);
		return -1;
	}
	if (alg && mip4_alg_parse(alg, &sa->alg) < 0) {
		snprintf(err, errlen,
			 "--sa '%s': algorithm must be hmac-md5 or keyed-md5",
			 spec);
		return -1;
	}
	t->n++;
	return 0;
}

const struct mip4_sa *sa_table_find(const struct sa_table *t, uint32_t spi)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->sa[i].spi == spi)
			return &t->sa[i];
	return NULL;
}

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void add_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_bool(json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

static void add_addr(json_object *o, const char *k, uint32_t a)
{
	char buf[16];

	add_str(o, k, mip4_ntoa(a, buf));
}

static void add_hex(json_object *o, const char *k, const uint8_t *p,
		    size_t n)
{
	char *s = malloc(2 * n + 1);

	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	s[2 * n] = '\0';
	add_str(o, k, s);
	free(s);
}

static void add_id(json_object *o, uint64_t id)
{
	char buf[40];
	time_t t = (time_t)mip4_ntp_to_unix_sec(id);
	struct tm tm;

	snprintf(buf, sizeof buf, "0x%016" PRIx64, id);
	add_str(o, "id", buf);
	/* Timestamps are NTP time; show it as UTC when it looks like one. */
	if (gmtime_r(&t, &tm) && tm.tm_year > 90 && tm.tm_year < 200) {
		strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
		add_str(o, "id_time", buf);
	}
}

static void add_text(json_object *o, const char *k, const uint8_t *p,
		     size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		s[i] = (char)(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?');
	s[n] = '\0';
	add_str(o, k, s);
	free(s);
}

static const char *rrq_flags(uint8_t f, char out[9])
{
	static const char names[] = "SBDMGrTx";
	int n = 0;

	for (int i = 0; i < 8; i++)
		if (f & (0x80 >> i))
			out[n++] = names[i];
	out[n] = '\0';
	return out;
}

static const char *adv_flags(uint16_t f, char out[12])
{
	static const char names[] = "RBHFMGrTUXI";
	int n = 0;

	for (int i = 0; i < 11; i++)
		if (f & (0x8000 >> i))
			out[n++] = names[i];
	out[n] = '\0';
	return out;
}

static bool is_auth(uint8_t type)
{
	return type == MIP4_EXT_MN_HA || type == MIP4_EXT_MN_FA ||
	       type == MIP4_EXT_FA_HA || type == MIP4_EXT_GEN_AUTH;
}

/* Verdict ranking: the message's verdict is the worst of its parts. */
enum { V_OK, V_NA, V_UNVERIFIED, V_MISSING, V_BAD };
static const char *const vname[] = {"ok", "n/a", "unverified", "missing",
				    "bad"};

/* Bytes of the kept extensions (the paddings are counted apart). */
static size_t ext_bytes(const struct mip4_msg *m)
{
	size_t n = 0;

	for (unsigned i = 0; i < m->n_ext; i++)
		n += m->ext[i].len;
	return n;
}

static json_object *ext_to_json(const struct mip4_msg *m,
				const struct mip4_ext *e,
				const struct sa_table *t, int *worst)
{
	json_object *o = json_object_new_object();

	add_int(o, "type", e->type);
	add_str(o, "name", mip4_ext_type_str(e->type));
	add_int(o, "length", e->len);
	switch (e->type) {
	case MIP4_EXT_MN_HA:
	case MIP4_EXT_MN_FA:
	case MIP4_EXT_FA_HA:
	case MIP4_EXT_GEN_AUTH: {
		const struct mip4_sa *sa = sa_table_find(t, e->u.auth.spi);
		int v;

		if (e->type == MIP4_EXT_GEN_AUTH)
			add_int(o, "subtype", e->subtype);
		add_int(o, "spi", e->u.auth.spi);
		add_hex(o, "authenticator", e->u.auth.auth, e->u.auth.auth_len);
		if (!sa) {
			v = V_UNVERIFIED;
		} else {
			enum mip4_auth_result r = mip4_auth_verify(sa, m, e);

			v = r == MIP4_AUTH_OK ? V_OK : V_BAD;
		}
		add_str(o, "verdict", vname[v]);
		if (v > *worst)
			*worst = v;
		break;
	}
	case MIP4_EXT_NAI:
		add_text(o, "nai", e->data, e->data_len);
		break;
	case MIP4_EXT_MN_FA_CHAL:
		add_hex(o, "challenge", e->data, e->data_len);
		break;
	case MIP4_EXT_UDP_TUN_REQ:
		add_int(o, "subtype", e->subtype);
		add_bool(o, "force", e->u.udp_req.force);
		add_bool(o, "fa_required", e->u.udp_req.fa_required);
		add_int(o, "encapsulation", e->u.udp_req.encap);
		break;
	case MIP4_EXT_UDP_TUN_REP:
		add_int(o, "subtype", e->subtype);
		add_int(o, "code", e->u.udp_rep.code);
		add_bool(o, "forced", e->u.udp_rep.forced);
		add_int(o, "keepalive", e->u.udp_rep.keepalive);
		break;
	case MIP4_EXT_REV_SUPPORT:
		add_bool(o, "i_bit", e->u.rev_support.i_bit);
		add_int(o, "timestamp", e->u.rev_support.timestamp);
		break;
	case MIP4_EXT_DYN_HA:
		add_int(o, "subtype", e->subtype);
		add_addr(o, "ha", e->u.dyn_ha.ha);
		break;
	case MIP4_EXT_MSG_STRING:
		add_int(o, "subtype", e->subtype);
		add_text(o, "text", e->data, e->data_len);
		break;
	case MIP4_EXT_TNC:
		add_int(o, "subtype", e->subtype);
		break;
	case MIP4_EXT_CVSE:
	case MIP4_EXT_NVSE:
		add_int(o, "vendor", e->u.vse.vendor);
		add_int(o, "vendor_type", e->u.vse.vtype);
		add_hex(o, "value", e->u.vse.value, e->u.vse.value_len);
		break;
	default:
		if (e->skipped)
			add_hex(o, "data", e->data, e->data_len);
		break;
	}
	return o;
}

/* Which authentication a message must carry (RFC 5944 §3.5.2, RFC 3543
 * §3.3): requests and home agent replies need MN-HA (or MN-AAA);
 * revocations need FA-HA; foreign agent denials need nothing. */
static bool auth_required(const struct mip4_msg *m, bool *have)
{
	switch (m->type) {
	case MIP4_MSG_RRQ:
		*have = mip4_msg_find_ext(m, MIP4_EXT_MN_HA, -1) ||
			mip4_msg_find_ext(m, MIP4_EXT_GEN_AUTH, -1);
		return true;
	case MIP4_MSG_RRP: {
		uint8_t c = m->u.rrp.code;

		*have = mip4_msg_find_ext(m, MIP4_EXT_MN_HA, -1);
		return !(c >= 64 && c < 128) && c != 194;
	}
	case MIP4_MSG_REVOKE:
	case MIP4_MSG_REVOKE_ACK:
		/* FA-HA between agents, MN-HA with a co-located MN (§3.3) */
		*have = mip4_msg_find_ext(m, MIP4_EXT_FA_HA, -1) ||
			mip4_msg_find_ext(m, MIP4_EXT_MN_HA, -1);
		return true;
	default:
		*have = false;
		return false;
	}
}

json_object *msg_to_json(const struct mip4_msg *m, const struct sa_table *t,
			 const char **verdict)
{
	json_object *o = json_object_new_object();
	json_object *exts = json_object_new_array();
	int worst = V_OK;
	bool have = false, any_auth = false;
	char fl[9];

	add_str(o, "type", mip4_msg_type_str(m->type));
	add_int(o, "type_num", m->type);
	switch (m->type) {
	case MIP4_MSG_RRQ:
		add_str(o, "flags", rrq_flags(m->u.rrq.flags, fl));
		add_int(o, "lifetime", m->u.rrq.lifetime);
		add_addr(o, "home_addr", m->u.rrq.home_addr);
		add_addr(o, "ha_addr", m->u.rrq.ha_addr);
		add_addr(o, "coa", m->u.rrq.coa);
		add_id(o, m->u.rrq.id);
		break;
	case MIP4_MSG_RRP:
		add_int(o, "code", m->u.rrp.code);
		add_str(o, "code_text", mip4_code_str(m->u.rrp.code));
		add_int(o, "lifetime", m->u.rrp.lifetime);
		add_addr(o, "home_addr", m->u.rrp.home_addr);
		add_addr(o, "ha_addr", m->u.rrp.ha_addr);
		add_id(o, m->u.rrp.id);
		break;
	case MIP4_MSG_TUNNEL_DATA:
		add_int(o, "next_header", m->u.td.next_header);
		add_int(o, "payload_len", (int64_t)m->u.td.payload_len);
		break;
	case MIP4_MSG_REVOKE:
		add_bool(o, "a_bit", m->u.rev.a_bit);
		add_bool(o, "i_bit", m->u.rev.i_bit);
		add_addr(o, "home_addr", m->u.rev.home_addr);
		add_addr(o, "home_domain", m->u.rev.home_domain);
		add_addr(o, "foreign_domain", m->u.rev.foreign_domain);
		add_int(o, "revocation_id", m->u.rev.revocation_id);
		break;
	case MIP4_MSG_REVOKE_ACK:
		add_bool(o, "i_bit", m->u.rack.i_bit);
		add_addr(o, "home_addr", m->u.rack.home_addr);
		add_int(o, "revocation_id", m->u.rack.revocation_id);
		break;
	default:
		break;
	}
	/* The decoder counts one-byte paddings apart (lib/wire.c); on the
	 * wire each is an extension of its own, listed where it stands. */
	{
		/* extensions and paddings tile the message after its fixed
		 * part */
		size_t off = m->len - m->n_pad - ext_bytes(m);

		for (unsigned i = 0; i <= m->n_ext; i++) {
			size_t upto = i < m->n_ext ? m->ext[i].off : m->len;

			for (; off < upto; off++) {
				json_object *p = json_object_new_object();

				add_int(p, "type", MIP4_EXT_PAD);
				add_str(p, "name",
					mip4_ext_type_str(MIP4_EXT_PAD));
				add_int(p, "length", 1);
				json_object_array_add(exts, p);
			}
			if (i == m->n_ext)
				break;
			any_auth |= is_auth(m->ext[i].type);
			json_object_array_add(exts, ext_to_json(m, &m->ext[i],
								t, &worst));
			off = (size_t)m->ext[i].off + m->ext[i].len;
		}
	}
	json_object_object_add(o, "extensions", exts);
	if (auth_required(m, &have) && !have && worst < V_MISSING)
		worst = V_MISSING;
	else if (!any_auth && worst == V_OK)
		worst = V_NA;
	*verdict = vname[worst];
	add_str(o, "auth", *verdict);
	return o;
}

json_object *adv_to_json(const struct mip4_adv *a)
{
	json_object *o = json_object_new_object();
	json_object *routers = json_object_new_array();

	add_str(o, "type", a->has_mobility ? "agent-advertisement"
					   : "router-advertisement");
	add_int(o, "type_num", MIP4_ICMP_ADV);
	add_int(o, "code", a->code);
	add_int(o, "lifetime", a->lifetime);
	for (unsigned i = 0; i < a->n_routers; i++) {
		json_object *r = json_object_new_object();

		add_addr(r, "addr", a->router[i].addr);
		add_int(r, "preference", a->router[i].pref);
		json_object_array_add(routers, r);
	}
	json_object_object_add(o, "routers", routers);
	if (a->has_mobility) {
		json_object *coas = json_object_new_array();
		char buf[16], fl[12];

		add_int(o, "seq", a->seq);
		add_int(o, "reg_lifetime", a->reg_lifetime);
		add_str(o, "flags", adv_flags(a->flags, fl));
		for (unsigned i = 0; i < a->n_coa; i++)
			json_object_array_add(
				coas, json_object_new_string(
					      mip4_ntoa(a->coa[i], buf)));
		json_object_object_add(o, "coa", coas);
	}
	if (a->has_prefix_len) {
		json_object *pl = json_object_new_array();

		for (unsigned i = 0; i < a->n_prefix_len; i++)
			json_object_array_add(
				pl, json_object_new_int(a->prefix_len[i]));
		json_object_object_add(o, "prefix_lengths", pl);
	}
	if (a->challenge)
		add_hex(o, "challenge", a->challenge, a->challenge_len);
	if (a->n_pad)
		add_int(o, "padding", a->n_pad);
	if (a->n_skipped)
		add_int(o, "skipped_extensions", a->n_skipped);
	return o;
}

/* Text rendering: scalars as key=value on one line; nested objects and
 * arrays of objects one per line, indented; arrays of scalars
 * comma-joined. */
static void render_scalar(json_object *v)
{
	if (json_object_is_type(v, json_type_string))
		fputs(json_object_get_string(v), stdout);
	else
		fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
		      stdout);
}

static bool is_object_list(json_object *v)
{
	return json_object_is_type(v, json_type_array) &&
	       json_object_array_length(v) > 0 &&
	       json_object_is_type(json_object_array_get_idx(v, 0),
				   json_type_object);
}

void json_render_text(json_object *o, int indent)
{
	struct json_object_iterator it, end = json_object_iter_end(o);
	bool first = true;

	printf("%*s", indent, "");
	for (it = json_object_iter_begin(o); !json_object_iter_equal(&it, &end);
	     json_object_iter_next(&it)) {
		json_object *v = json_object_iter_peek_value(&it);
		bool arr = json_object_is_type(v, json_type_array);

		if (is_object_list(v) || (arr && json_object_array_length(v) == 0) ||
		    json_object_is_type(v, json_type_object))
			continue;
		printf("%s%s=", first ? "" : " ", json_object_iter_peek_name(&it));
		first = false;
		if (!arr) {
			render_scalar(v);
			continue;
		}
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			if (i)
				putchar(',');
			render_scalar(json_object_array_get_idx(v, i));
		}
	}
	putchar('\n');
	for (it = json_object_iter_begin(o); !json_object_iter_equal(&it, &end);
	     json_object_iter_next(&it)) {
		json_object *v = json_object_iter_peek_value(&it);

		/* a nested object (the RFC 5265 node's vpn, inner and outer
		 * layers): its own line, like one list item */
		if (json_object_is_type(v, json_type_object)) {
			printf("%*s%s:", indent + 2, "",
			       json_object_iter_peek_name(&it));
			json_render_text(v, 1);
			continue;
		}
		if (!is_object_list(v))
			continue;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			printf("%*s%s:", indent + 2, "",
			       json_object_iter_peek_name(&it));
			json_render_text(json_object_array_get_idx(v, i), 1);
		}
	}
}
