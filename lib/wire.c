/* SPDX-License-Identifier: BSD-2-Clause */
/* Mobile IPv4 message codec: RFC 5944 §1.8-1.11, §2.1, §3.3-3.5 and the
 * extension RFCs named in mip4/wire.h. */
#include "mip4/wire.h"

#include <string.h>

#include "mip4/ip.h"

uint16_t mip4_get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

uint32_t mip4_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

uint64_t mip4_get64(const uint8_t *p)
{
	return (uint64_t)mip4_get32(p) << 32 | mip4_get32(p + 4);
}

void mip4_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void mip4_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void mip4_put64(uint8_t *p, uint64_t v)
{
	mip4_put32(p, (uint32_t)(v >> 32));
	mip4_put32(p + 4, (uint32_t)v);
}

const char *mip4_strerror(int err)
{
	switch (err) {
	case MIP4_OK: return "ok";
	case MIP4_E_TRUNCATED: return "message truncated";
	case MIP4_E_TYPE: return "unknown message type";
	case MIP4_E_EXT_TRUNCATED: return "extension runs past the end";
	case MIP4_E_EXT_LENGTH: return "extension length invalid for its type";
	case MIP4_E_EXT_UNKNOWN: return "unknown non-skippable extension";
	case MIP4_E_EXT_TOO_MANY: return "too many extensions";
	case MIP4_E_ICMP: return "not an agent advertisement or solicitation";
	case MIP4_E_EXT_DUPLICATE: return "duplicated extension";
	case MIP4_E_EXT_ORDER: return "extension out of place";
	case MIP4_E_NOSPACE: return "buffer too small";
	default: return "unknown error";
	}
}

const char *mip4_msg_type_str(unsigned type)
{
	switch (type) {
	case MIP4_MSG_RRQ: return "registration-request";
	case MIP4_MSG_RRP: return "registration-reply";
	case MIP4_MSG_TUNNEL_DATA: return "tunnel-data";
	case MIP4_MSG_REVOKE: return "revocation";
	case MIP4_MSG_REVOKE_ACK: return "revocation-ack";
	default: return "unknown";
	}
}

const char *mip4_ext_type_str(unsigned type)
{
	switch (type) {
	case MIP4_EXT_PAD: return "padding";
	case MIP4_EXT_MN_HA: return "mn-ha-auth";
	case MIP4_EXT_MN_FA: return "mn-fa-auth";
	case MIP4_EXT_FA_HA: return "fa-ha-auth";
	case MIP4_EXT_GEN_AUTH: return "generalized-auth";
	case MIP4_EXT_CVSE: return "cvse";
	case MIP4_EXT_UDP_TUN_REP: return "udp-tunnel-reply";
	case MIP4_EXT_ENCAP_DELIVERY: return "encap-delivery-style";
	case MIP4_EXT_NAI: return "nai";
	case MIP4_EXT_MN_FA_CHAL: return "mn-fa-challenge";
	case MIP4_EXT_NVSE: return "nvse";
	case MIP4_EXT_REV_SUPPORT: return "revocation-support";
	case MIP4_EXT_DYN_HA: return "dynamic-ha";
	case MIP4_EXT_UDP_TUN_REQ: return "udp-tunnel-request";
	case MIP4_EXT_MSG_STRING: return "message-string";
	case MIP4_EXT_TNC: return "tnc";
	default: return type >= 128 ? "unknown-skippable" : "unknown";
	}
}

const char *mip4_code_str(unsigned code)
{
	switch (code) {
	case 0: return "registration accepted";
	case 1: return "accepted, simultaneous bindings unsupported";
	case 64: return "FA: reason unspecified";
	case 65: return "FA: administratively prohibited";
	case 66: return "FA: insufficient resources";
	case 67: return "FA: mobile node failed authentication";
	case 68: return "FA: home agent failed authentication";
	case 69: return "FA: requested lifetime too long";
	case 70: return "FA: poorly formed request";
	case 71: return "FA: poorly formed reply";
	case 72: return "FA: requested encapsulation unavailable";
	case 73: return "FA: reserved and unavailable";
	case 74: return "FA: requested reverse tunnel unavailable";
	case 75: return "FA: reverse tunnel mandatory and T bit not set";
	case 76: return "FA: mobile node too distant";
	case 77: return "FA: invalid care-of address";
	case 78: return "FA: registration timeout";
	case 79: return "FA: delivery style not supported";
	case 80: return "FA: home network unreachable";
	case 81: return "FA: home agent host unreachable";
	case 82: return "FA: home agent port unreachable";
	case 88: return "FA: home agent unreachable";
	case 96: return "FA: non-zero home address required";
	case 97: return "FA: missing NAI";
	case 98: return "FA: missing home agent";
	case 99: return "FA: missing home address";
	case 194: return "FA: invalid home agent address";
	case 128: return "HA: reason unspecified";
	case 129: return "HA: administratively prohibited";
	case 130: return "HA: insufficient resources";
	case 131: return "HA: mobile node failed authentication";
	case 132: return "HA: foreign agent failed authentication";
	case 133: return "HA: registration identification mismatch";
	case 134: return "HA: poorly formed request";
	case 135: return "HA: too many simultaneous bindings";
	case 136: return "HA: unknown home agent address";
	case 137: return "HA: requested reverse tunnel unavailable";
	case 138: return "HA: reverse tunnel mandatory and T bit not set";
	case 139: return "HA: requested encapsulation unavailable";
	case 142: return "HA: requested UDP tunnel encapsulation unavailable";
	case 143: return "HA: re-register with redirected HA";
	default: return "unknown code";
	}
}

/* ---- extension walker ---- */

enum ext_format { FMT_PAD, FMT_TLV, FMT_SHORT, FMT_LONG };

/* Format and admissible data length for each known extension.  The data
 * length is what follows the header (and the sub-type octet). */
struct ext_rule {
	uint8_t type;
	uint8_t fmt;
	uint16_t min, max;
};

static const struct ext_rule msg_rules[] = {
	{MIP4_EXT_PAD, FMT_PAD, 0, 0},
	{MIP4_EXT_MN_HA, FMT_TLV, 4, 255},
	{MIP4_EXT_MN_FA, FMT_TLV, 4, 255},
	{MIP4_EXT_FA_HA, FMT_TLV, 4, 255},
	{MIP4_EXT_GEN_AUTH, FMT_LONG, 20, 65535}, /* RFC 4721: at least 20 */
	{MIP4_EXT_CVSE, FMT_LONG, 6, 65535},
	{MIP4_EXT_UDP_TUN_REP, FMT_SHORT, 5, 5},
	{MIP4_EXT_ENCAP_DELIVERY, FMT_TLV, 0, 0},
	{MIP4_EXT_NAI, FMT_TLV, 1, 255},
	{MIP4_EXT_MN_FA_CHAL, FMT_TLV, 1, 255},
	{MIP4_EXT_NVSE, FMT_TLV, 8, 255},
	{MIP4_EXT_REV_SUPPORT, FMT_TLV, 6, 255}, /* RFC 3543 §3.2: "currently 6" */
	{MIP4_EXT_DYN_HA, FMT_SHORT, 4, 4},
	{MIP4_EXT_UDP_TUN_REQ, FMT_SHORT, 5, 5},
	{MIP4_EXT_MSG_STRING, FMT_SHORT, 0, 254},
	{MIP4_EXT_TNC, FMT_SHORT, 1, 1},
};

static const struct ext_rule *rule_for(uint8_t type)
{
	for (size_t i = 0; i < sizeof msg_rules / sizeof msg_rules[0]; i++)
		if (msg_rules[i].type == type)
			return &msg_rules[i];
	return NULL;
}

/* Fill the typed view of a known extension; its data length was checked
 * against the rule already. */
static void ext_fill(struct mip4_ext *e)
{
	const uint8_t *d = e->data;

	switch (e->type) {
	case MIP4_EXT_MN_HA:
	case MIP4_EXT_MN_FA:
	case MIP4_EXT_FA_HA:
	case MIP4_EXT_GEN_AUTH:
		e->u.auth.spi = mip4_get32(d);
		e->u.auth.auth = d + 4;
		e->u.auth.auth_len = (uint16_t)(e->data_len - 4);
		break;
	case MIP4_EXT_UDP_TUN_REQ:
		/* d[0] reserved 1, d[1] F|R|reserved 2, d[2] encapsulation,
		 * d[3..4] reserved 3: RFC 3519 §3.1 says a non-zero value means
		 * the extension is not understood and is silently skipped. */
		if (mip4_get16(d + 3) != 0) {
			e->skipped = true;
			break;
		}
		e->u.udp_req.force = d[1] & 0x80;
		e->u.udp_req.fa_required = d[1] & 0x40;
		e->u.udp_req.encap = d[2];
		break;
	case MIP4_EXT_UDP_TUN_REP:
		e->u.udp_rep.code = d[0];
		e->u.udp_rep.forced = d[1] & 0x80;
		e->u.udp_rep.keepalive = mip4_get16(d + 3);
		break;
	case MIP4_EXT_REV_SUPPORT:
		e->u.rev_support.i_bit = d[0] & 0x80;
		e->u.rev_support.timestamp = mip4_get32(d + 2);
		break;
	case MIP4_EXT_DYN_HA:
		e->u.dyn_ha.ha = mip4_get32(d);
		break;
	case MIP4_EXT_CVSE:
	case MIP4_EXT_NVSE: {
		/* NVSE data starts with 2 reserved bytes; CVSE's reserved
		 * byte sits in the header (the sub-type position). */
		const uint8_t *v = e->type == MIP4_EXT_NVSE ? d + 2 : d;
		size_t n = e->data_len - (size_t)(v - d);
		e->u.vse.vendor = mip4_get32(v);
		e->u.vse.vtype = mip4_get16(v + 4);
		e->u.vse.value = v + 6;
		e->u.vse.value_len = (uint16_t)(n - 6);
		break;
	}
	default:
		break;
	}
}

/* Decode the extension at buf[off..len).  Returns its total length (> 0)
 * or a negative error. */
static int ext_decode(const uint8_t *buf, size_t len, size_t off,
		      struct mip4_ext *e)
{
	const uint8_t *p = buf + off;
	size_t room = len - off;
	const struct ext_rule *r = rule_for(p[0]);
	size_t hdr, dlen;

	memset(e, 0, sizeof *e);
	e->type = p[0];
	e->off = (uint16_t)off;

	if (!r) {
		if (e->type < 128)
			return MIP4_E_EXT_UNKNOWN;
		/* Unknown skippable: plain TLV (RFC 5944 §1.10: skippable
		 * extensions never use the long format). */
		if (room < 2)
			return MIP4_E_EXT_TRUNCATED;
		dlen = p[1];
		if (2 + dlen > room)
			return MIP4_E_EXT_TRUNCATED;
		e->data = p + 2;
		e->data_len = (uint16_t)dlen;
		e->len = (uint16_t)(2 + dlen);
		e->skipped = true;
		return e->len;
	}

	/* RFC 4433 §3.4 draws 139 in the long format, though it calls it
	 * skippable, which RFC 5944 §1.10 forbids.  We send the short format
	 * (as deployed decoders such as Wireshark read it) and accept both:
	 * the long form has sub-type 1 or 2 then length 4, the short form
	 * length 5. */
	if (e->type == MIP4_EXT_DYN_HA && room >= 4 && (p[1] == 1 || p[1] == 2) &&
	    mip4_get16(p + 2) == 4) {
		if (room < 8)
			return MIP4_E_EXT_TRUNCATED;
		e->subtype = p[1];
		e->data = p + 4;
		e->data_len = 4;
		e->len = 8;
		ext_fill(e);
		return e->len;
	}

	switch (r->fmt) {
	case FMT_PAD:
		e->len = 1;
		e->data = p + 1;
		return 1;
	case FMT_TLV:
		if (room < 2)
			return MIP4_E_EXT_TRUNCATED;
		hdr = 2;
		dlen = p[1];
		break;
	case FMT_SHORT:
		if (room < 2)
			return MIP4_E_EXT_TRUNCATED;
		if (p[1] < 1) /* length covers the sub-type */
			return MIP4_E_EXT_LENGTH;
		if (room < 3)
			return MIP4_E_EXT_TRUNCATED;
		e->subtype = p[2];
		hdr = 3;
		dlen = (size_t)p[1] - 1;
		break;
	default: /* FMT_LONG */
		if (room < 4)
			return MIP4_E_EXT_TRUNCATED;
		e->subtype = p[1];
		hdr = 4;
		dlen = mip4_get16(p + 2);
		break;
	}
	if (hdr + dlen > room)
		return MIP4_E_EXT_TRUNCATED;
	if (dlen < r->min || dlen > r->max)
		return MIP4_E_EXT_LENGTH;
	/* Offsets are 16-bit: messages are UDP payloads (< 65536). */
	e->data = p + hdr;
	e->data_len = (uint16_t)dlen;
	e->len = (uint16_t)(hdr + dlen);
	ext_fill(e);
	return e->len;
}

static int walk_exts(struct mip4_msg *m, size_t off)
{
	while (off < m->len) {
		struct mip4_ext e;
		int n;

		/* One-byte padding carries nothing: counted, not kept, so
		 * it never uses up the MIP4_MAX_EXT entries. */
		if (m->buf[off] == MIP4_EXT_PAD) {
			m->n_pad++;
			off++;
			continue;
		}
		if (m->n_ext == MIP4_MAX_EXT) {
			m->bad_off = off;
			m->bad_ext_type = m->buf[off];
			return MIP4_E_EXT_TOO_MANY;
		}
		n = ext_decode(m->buf, m->len, off, &e);
		if (n < 0) {
			m->bad_off = off;
			m->bad_ext_type = m->buf[off];
			return n;
		}
		m->ext[m->n_ext++] = e;
		off += (size_t)n;
	}
	return MIP4_OK;
}

int mip4_msg_decode(const uint8_t *buf, size_t len, struct mip4_msg *m)
{
	size_t fixed;

	memset(m, 0, sizeof *m);
	m->buf = buf;
	m->len = len;
	m->bad_ext_type = -1;
	if (len < 1)
		return MIP4_E_TRUNCATED;
	/* Messages are UDP payloads; refuse anything a UDP datagram can't
	 * carry so that 16-bit offsets always hold. */
	if (len > 65535 - 8)
		return MIP4_E_TRUNCATED;
	m->type = buf[0];

	switch (m->type) {
	case MIP4_MSG_RRQ:
		fixed = MIP4_RRQ_LEN;
		if (len < fixed)
			return MIP4_E_TRUNCATED;
		m->u.rrq.flags = buf[1];
		m->u.rrq.lifetime = mip4_get16(buf + 2);
		m->u.rrq.home_addr = mip4_get32(buf + 4);
		m->u.rrq.ha_addr = mip4_get32(buf + 8);
		m->u.rrq.coa = mip4_get32(buf + 12);
		m->u.rrq.id = mip4_get64(buf + 16);
		break;
	case MIP4_MSG_RRP:
		fixed = MIP4_RRP_LEN;
		if (len < fixed)
			return MIP4_E_TRUNCATED;
		m->u.rrp.code = buf[1];
		m->u.rrp.lifetime = mip4_get16(buf + 2);
		m->u.rrp.home_addr = mip4_get32(buf + 4);
		m->u.rrp.ha_addr = mip4_get32(buf + 8);
		m->u.rrp.id = mip4_get64(buf + 12);
		break;
	case MIP4_MSG_TUNNEL_DATA:
		if (len < MIP4_TUNNEL_DATA_LEN)
			return MIP4_E_TRUNCATED;
		m->u.td.next_header = buf[1];
		m->u.td.reserved = mip4_get16(buf + 2);
		m->u.td.payload = buf + MIP4_TUNNEL_DATA_LEN;
		m->u.td.payload_len = len - MIP4_TUNNEL_DATA_LEN;
		return MIP4_OK; /* payload, not extensions */
	case MIP4_MSG_REVOKE:
		fixed = MIP4_REVOKE_LEN;
		if (len < fixed)
			return MIP4_E_TRUNCATED;
		m->u.rev.a_bit = buf[2] & 0x80;
		m->u.rev.i_bit = buf[2] & 0x40;
		m->u.rev.home_addr = mip4_get32(buf + 4);
		m->u.rev.home_domain = mip4_get32(buf + 8);
		m->u.rev.foreign_domain = mip4_get32(buf + 12);
		m->u.rev.revocation_id = mip4_get32(buf + 16);
		break;
	case MIP4_MSG_REVOKE_ACK:
		fixed = MIP4_REVOKE_ACK_LEN;
		if (len < fixed)
			return MIP4_E_TRUNCATED;
		m->u.rack.i_bit = buf[2] & 0x80;
		m->u.rack.home_addr = mip4_get32(buf + 4);
		m->u.rack.revocation_id = mip4_get32(buf + 8);
		break;
	default:
		return MIP4_E_TYPE;
	}
	return walk_exts(m, fixed);
}

const struct mip4_ext *mip4_msg_find_ext(const struct mip4_msg *m, uint8_t type,
					 int subtype)
{
	for (unsigned i = 0; i < m->n_ext; i++)
		if (m->ext[i].type == type && !m->ext[i].skipped &&
		    (subtype < 0 || m->ext[i].subtype == subtype))
			return &m->ext[i];
	return NULL;
}

int mip4_msg_ext_index(const struct mip4_msg *m, uint8_t type)
{
	for (unsigned i = 0; i < m->n_ext; i++)
		if (m->ext[i].type == type && !m->ext[i].skipped)
			return (int)i;
	return -1;
}

static int ext_count(const struct mip4_msg *m, uint8_t type)
{
	int n = 0;

	for (unsigned i = 0; i < m->n_ext; i++)
		n += m->ext[i].type == type && !m->ext[i].skipped;
	return n;
}

static int order_fail(struct mip4_msg *m, int err, uint8_t type, int idx)
{
	m->bad_ext_type = type;
	m->bad_off = idx >= 0 ? m->ext[idx].off : 0;
	return err;
}

int mip4_rrq_check_order(struct mip4_msg *m)
{
	static const uint8_t once[] = {
		MIP4_EXT_MN_HA, MIP4_EXT_MN_FA, MIP4_EXT_FA_HA, MIP4_EXT_NAI,
		MIP4_EXT_UDP_TUN_REQ, MIP4_EXT_ENCAP_DELIVERY, MIP4_EXT_TNC,
	};
	int mnha = mip4_msg_ext_index(m, MIP4_EXT_MN_HA);
	int mnfa = mip4_msg_ext_index(m, MIP4_EXT_MN_FA);
	int faha = mip4_msg_ext_index(m, MIP4_EXT_FA_HA);
	int nai = mip4_msg_ext_index(m, MIP4_EXT_NAI);
	int udp = mip4_msg_ext_index(m, MIP4_EXT_UDP_TUN_REQ);
	int eds = mip4_msg_ext_index(m, MIP4_EXT_ENCAP_DELIVERY);

	for (size_t i = 0; i < sizeof once; i++)
		if (ext_count(m, once[i]) > 1)
			return order_fail(m, MIP4_E_EXT_DUPLICATE, once[i],
					  mip4_msg_ext_index(m, once[i]));
	if (mnha >= 0) {
		/* RFC 5944 §3.6.1.3: MN-FA and FA-HA come after MN-HA. */
		if (mnfa >= 0 && mnfa < mnha)
			return order_fail(m, MIP4_E_EXT_ORDER, MIP4_EXT_MN_FA,
					  mnfa);
		if (faha >= 0 && faha < mnha)
			return order_fail(m, MIP4_E_EXT_ORDER, MIP4_EXT_FA_HA,
					  faha);
		/* RFC 2794 §2: NAI before the authentication extensions. */
		if (nai > mnha)
			return order_fail(m, MIP4_E_EXT_ORDER, MIP4_EXT_NAI,
					  nai);
		/* RFC 3519 §3.1, §4.5: the MN puts it before MN-HA; an FA
		 * adds it after MN-HA, and before its FA-HA if it adds one. */
		if (udp > mnha && faha >= 0 && faha < udp)
			return order_fail(m, MIP4_E_EXT_ORDER,
					  MIP4_EXT_UDP_TUN_REQ, udp);
	}
	if (mnfa >= 0 && nai > mnfa)
		return order_fail(m, MIP4_E_EXT_ORDER, MIP4_EXT_NAI, nai);
	if (eds >= 0) {
		/* RFC 3024 §3.3: after MN-HA, before MN-FA, only with T. */
		if (!(m->u.rrq.flags & MIP4_RRQ_T) || eds < mnha ||
		    (mnfa >= 0 && eds > mnfa))
			return order_fail(m, MIP4_E_EXT_ORDER,
					  MIP4_EXT_ENCAP_DELIVERY, eds);
	}
	return MIP4_OK;
}

/* ---- encoding ---- */

void mip4_buf_init(struct mip4_buf *b, uint8_t *mem, size_t cap)
{
	b->p = mem;
	b->cap = cap;
	b->len = 0;
	b->overflow = false;
}

uint8_t *mip4_buf_put(struct mip4_buf *b, size_t n)
{
	uint8_t *p;

	if (b->overflow || n > b->cap - b->len) {
		b->overflow = true;
		return NULL;
	}
	p = b->p + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

void mip4_rrq_put(struct mip4_buf *b, const struct mip4_rrq *rrq)
{
	uint8_t *p = mip4_buf_put(b, MIP4_RRQ_LEN);

	if (!p)
		return;
	p[0] = MIP4_MSG_RRQ;
	p[1] = rrq->flags;
	mip4_put16(p + 2, rrq->lifetime);
	mip4_put32(p + 4, rrq->home_addr);
	mip4_put32(p + 8, rrq->ha_addr);
	mip4_put32(p + 12, rrq->coa);
	mip4_put64(p + 16, rrq->id);
}

void mip4_rrp_put(struct mip4_buf *b, const struct mip4_rrp *rrp)
{
	uint8_t *p = mip4_buf_put(b, MIP4_RRP_LEN);

	if (!p)
		return;
	p[0] = MIP4_MSG_RRP;
	p[1] = rrp->code;
	mip4_put16(p + 2, rrp->lifetime);
	mip4_put32(p + 4, rrp->home_addr);
	mip4_put32(p + 8, rrp->ha_addr);
	mip4_put64(p + 12, rrp->id);
}

void mip4_tunnel_data_put(struct mip4_buf *b, uint8_t next_header)
{
	uint8_t *p = mip4_buf_put(b, MIP4_TUNNEL_DATA_LEN);

	if (!p)
		return;
	p[0] = MIP4_MSG_TUNNEL_DATA;
	p[1] = next_header;
}

void mip4_revoke_put(struct mip4_buf *b, const struct mip4_revoke *r)
{
	uint8_t *p = mip4_buf_put(b, MIP4_REVOKE_LEN);

	if (!p)
		return;
	p[0] = MIP4_MSG_REVOKE;
	p[2] = (uint8_t)((r->a_bit ? 0x80 : 0) | (r->i_bit ? 0x40 : 0));
	mip4_put32(p + 4, r->home_addr);
	mip4_put32(p + 8, r->home_domain);
	mip4_put32(p + 12, r->foreign_domain);
	mip4_put32(p + 16, r->revocation_id);
}

void mip4_revoke_ack_put(struct mip4_buf *b, const struct mip4_revoke_ack *r)
{
	uint8_t *p = mip4_buf_put(b, MIP4_REVOKE_ACK_LEN);

	if (!p)
		return;
	p[0] = MIP4_MSG_REVOKE_ACK;
	p[2] = r->i_bit ? 0x80 : 0;
	mip4_put32(p + 4, r->home_addr);
	mip4_put32(p + 8, r->revocation_id);
}

void mip4_ext_put_raw(struct mip4_buf *b, uint8_t type, const void *data,
		      size_t len)
{
	uint8_t *p;

	if (len > 255) {
		b->overflow = true;
		return;
	}
	p = mip4_buf_put(b, 2 + len);
	if (!p)
		return;
	p[0] = type;
	p[1] = (uint8_t)len;
	if (len)
		memcpy(p + 2, data, len);
}

void mip4_ext_put_short(struct mip4_buf *b, uint8_t type, uint8_t subtype,
			const void *data, size_t len)
{
	uint8_t *p;

	if (len > 254) {
		b->overflow = true;
		return;
	}
	p = mip4_buf_put(b, 3 + len);
	if (!p)
		return;
	p[0] = type;
	p[1] = (uint8_t)(len + 1);
	p[2] = subtype;
	if (len)
		memcpy(p + 3, data, len);
}

void mip4_ext_put_long(struct mip4_buf *b, uint8_t type, uint8_t subtype,
		       const void *data, size_t len)
{
	uint8_t *p;

	if (len > 65535) {
		b->overflow = true;
		return;
	}
	p = mip4_buf_put(b, 4 + len);
	if (!p)
		return;
	p[0] = type;
	p[1] = subtype;
	mip4_put16(p + 2, (uint16_t)len);
	if (len)
		memcpy(p + 4, data, len);
}

void mip4_ext_put_pad(struct mip4_buf *b)
{
	(void)mip4_buf_put(b, 1); /* type 0, zero-filled */
}

void mip4_ext_put_nai(struct mip4_buf *b, const char *nai)
{
	mip4_ext_put_raw(b, MIP4_EXT_NAI, nai, strlen(nai));
}

void mip4_ext_put_udp_req(struct mip4_buf *b, bool force, bool fa_required,
			  uint8_t encap)
{
	uint8_t d[5] = {0};

	d[1] = (uint8_t)((force ? 0x80 : 0) | (fa_required ? 0x40 : 0));
	d[2] = encap;
	mip4_ext_put_short(b, MIP4_EXT_UDP_TUN_REQ, 0, d, sizeof d);
}

void mip4_ext_put_udp_rep(struct mip4_buf *b, uint8_t code, bool forced,
			  uint16_t keepalive)
{
	uint8_t d[5] = {0};

	d[0] = code;
	d[1] = forced ? 0x80 : 0;
	mip4_put16(d + 3, keepalive);
	mip4_ext_put_short(b, MIP4_EXT_UDP_TUN_REP, 0, d, sizeof d);
}

void mip4_ext_put_encap_delivery(struct mip4_buf *b)
{
	mip4_ext_put_raw(b, MIP4_EXT_ENCAP_DELIVERY, NULL, 0);
}

void mip4_ext_put_rev_support(struct mip4_buf *b, bool i_bit, uint32_t ts)
{
	uint8_t d[6] = {0};

	d[0] = i_bit ? 0x80 : 0;
	mip4_put32(d + 2, ts);
	mip4_ext_put_raw(b, MIP4_EXT_REV_SUPPORT, d, sizeof d);
}

void mip4_ext_put_dyn_ha(struct mip4_buf *b, uint8_t subtype, uint32_t ha)
{
	uint8_t d[4];

	mip4_put32(d, ha);
	mip4_ext_put_short(b, MIP4_EXT_DYN_HA, subtype, d, sizeof d);
}

void mip4_ext_put_msg_string(struct mip4_buf *b, uint8_t subtype,
			     const char *text)
{
	mip4_ext_put_short(b, MIP4_EXT_MSG_STRING, subtype, text, strlen(text));
}

void mip4_ext_put_tnc(struct mip4_buf *b)
{
	uint8_t reserved = 0;

	mip4_ext_put_short(b, MIP4_EXT_TNC, 0, &reserved, 1);
}

void mip4_ext_put_cvse(struct mip4_buf *b, uint32_t vendor, uint16_t vtype,
		       const void *value, size_t len)
{
	uint8_t *p;

	if (len > 65535 - 6) {
		b->overflow = true;
		return;
	}
	p = mip4_buf_put(b, 4 + 6 + len);
	if (!p)
		return;
	p[0] = MIP4_EXT_CVSE; /* p[1] reserved */
	mip4_put16(p + 2, (uint16_t)(6 + len));
	mip4_put32(p + 4, vendor);
	mip4_put16(p + 8, vtype);
	if (len)
		memcpy(p + 10, value, len);
}

void mip4_ext_put_nvse(struct mip4_buf *b, uint32_t vendor, uint16_t vtype,
		       const void *value, size_t len)
{
	uint8_t *p;

	if (len > 255 - 8) {
		b->overflow = true;
		return;
	}
	p = mip4_buf_put(b, 2 + 8 + len);
	if (!p)
		return;
	p[0] = MIP4_EXT_NVSE;
	p[1] = (uint8_t)(8 + len); /* p[2..3] reserved */
	mip4_put32(p + 4, vendor);
	mip4_put16(p + 8, vtype);
	if (len)
		memcpy(p + 10, value, len);
}

/* ---- agent discovery ---- */

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

int mip4_adv_decode(const uint8_t *icmp, size_t len, struct mip4_adv *a)
{
	size_t off, stride;

	memset(a, 0, sizeof *a);
	if (len < 8 || icmp[0] != MIP4_ICMP_ADV)
		return len < 8 ? MIP4_E_TRUNCATED : MIP4_E_ICMP;
	a->code = icmp[1];
	a->checksum = mip4_get16(icmp + 2);
	a->num_addrs = icmp[4];
	a->addr_entry_size = icmp[5];
	a->lifetime = mip4_get16(icmp + 6);
	/* RFC 1256: entry size in 32-bit words, at least 2 (addr + pref). */
	if (a->addr_entry_size < 2)
		return MIP4_E_ICMP;
	stride = (size_t)a->addr_entry_size * 4;
	off = 8 + (size_t)a->num_addrs * stride;
	if (off > len)
		return MIP4_E_TRUNCATED;
	for (unsigned i = 0; i < a->num_addrs && i < MIP4_MAX_ROUTERS; i++) {
		const uint8_t *r = icmp + 8 + i * stride;

		a->router[i].addr = mip4_get32(r);
		a->router[i].pref = (int32_t)mip4_get32(r + 4);
		a->n_routers++;
	}

	while (off < len) {
		uint8_t type = icmp[off];
		size_t dlen;
		const uint8_t *d;

		if (type == MIP4_AEXT_PAD) {
			a->n_pad++;
			off++;
			continue;
		}
		if (len - off < 2)
			return MIP4_E_EXT_TRUNCATED;
		dlen = icmp[off + 1];
		if (dlen > len - off - 2)
			return MIP4_E_EXT_TRUNCATED;
		d = icmp + off + 2;
		switch (type) {
		case MIP4_AEXT_MOBILITY:
			if (a->has_mobility)
				return MIP4_E_EXT_DUPLICATE;
			if (dlen < 6 || (dlen - 6) % 4)
				return MIP4_E_EXT_LENGTH;
			a->has_mobility = true;
			a->seq = mip4_get16(d);
			a->reg_lifetime = mip4_get16(d + 2);
			a->flags = mip4_get16(d + 4);
			for (size_t i = 6; i < dlen; i += 4)
				if (a->n_coa < MIP4_MAX_COA)
					a->coa[a->n_coa++] = mip4_get32(d + i);
			break;
		case MIP4_AEXT_PREFIX_LEN:
			if (a->has_prefix_len)
				return MIP4_E_EXT_DUPLICATE;
			a->has_prefix_len = true;
			for (size_t i = 0; i < dlen; i++)
				if (a->n_prefix_len < MIP4_MAX_ROUTERS)
					a->prefix_len[a->n_prefix_len++] = d[i];
			break;
		case MIP4_AEXT_CHALLENGE:
			if (dlen < 1)
				return MIP4_E_EXT_LENGTH;
			a->challenge = d;
			a->challenge_len = (uint8_t)dlen;
			break;
		default:
			if (type < 128)
				return MIP4_E_EXT_UNKNOWN;
			a->n_skipped++;
			break;
		}
		off += 2 + dlen;
	}
	return MIP4_OK;
}

void mip4_adv_put(struct mip4_buf *b, const struct mip4_adv *a,
		  bool pad_to_even)
{
	size_t start = b->len;
	size_t nr = min_size(a->n_routers, MIP4_MAX_ROUTERS);
	size_t nc = min_size(a->n_coa, MIP4_MAX_COA);
	uint8_t *p = mip4_buf_put(b, 8 + nr * 8);

	if (!p)
		return;
	p[0] = MIP4_ICMP_ADV;
	p[1] = a->code;
	p[4] = (uint8_t)nr;
	p[5] = 2;
	mip4_put16(p + 6, a->lifetime);
	for (size_t i = 0; i < nr; i++) {
		mip4_put32(p + 8 + i * 8, a->router[i].addr);
		mip4_put32(p + 12 + i * 8, (uint32_t)a->router[i].pref);
	}
	p = mip4_buf_put(b, 2 + 6 + nc * 4);
	if (!p)
		return;
	p[0] = MIP4_AEXT_MOBILITY;
	p[1] = (uint8_t)(6 + nc * 4);
	mip4_put16(p + 2, a->seq);
	mip4_put16(p + 4, a->reg_lifetime);
	mip4_put16(p + 6, a->flags);
	for (size_t i = 0; i < nc; i++)
		mip4_put32(p + 8 + i * 4, a->coa[i]);
	if (a->has_prefix_len)
		mip4_ext_put_raw(b, MIP4_AEXT_PREFIX_LEN, a->prefix_len,
				 min_size(a->n_prefix_len, MIP4_MAX_ROUTERS));
	if (a->challenge && a->challenge_len)
		mip4_ext_put_raw(b, MIP4_AEXT_CHALLENGE, a->challenge,
				 a->challenge_len);
	if (pad_to_even && (b->len - start) % 2)
		mip4_ext_put_pad(b);
	if (!b->overflow)
		mip4_put16(b->p + start + 2,
			   mip4_inet_csum(b->p + start, b->len - start));
}

int mip4_sol_decode(const uint8_t *icmp, size_t len)
{
	if (len < 8)
		return MIP4_E_TRUNCATED;
	if (icmp[0] != MIP4_ICMP_SOL || icmp[1] != 0)
		return MIP4_E_ICMP;
	return MIP4_OK;
}

void mip4_sol_put(struct mip4_buf *b)
{
	size_t start = b->len;
	uint8_t *p = mip4_buf_put(b, 8);

	if (!p)
		return;
	p[0] = MIP4_ICMP_SOL;
	mip4_put16(p + 2, mip4_inet_csum(b->p + start, 8));
}
