/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: registration messages (UDP port 434 payloads).
 *
 * mip4_msg_decode() on arbitrary bytes; on success checks that the
 * extensions tile the message exactly, that lookups agree with the list,
 * runs the request placement rules, verifies every authentication
 * extension, and re-encodes the message (fixed part, each extension
 * generically and through its typed encoder) expecting the input back,
 * reserved bits aside.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "mip4/auth.h"
#include "mip4/wire.h"

/* The SA the seed generator signs with (fuzz/gen_seeds.py). */
#define FUZZ_SPI 0x100
static const uint8_t fuzz_key[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
				     0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
				     0xcc, 0xdd, 0xee, 0xff};

#define MAXMSG 65536
static uint8_t work[MAXMSG], out[MAXMSG], want[MAXMSG];

enum fmt { F_PAD, F_TLV, F_SHORT, F_LONG };

/* The wire format a decoded extension used: where its data starts. */
static enum fmt ext_fmt(const struct mip4_msg *m, const struct mip4_ext *e)
{
	if (e->type == MIP4_EXT_PAD)
		return F_PAD;
	switch (e->data - (m->buf + e->off)) {
	case 2: return F_TLV;
	case 3: return F_SHORT;
	case 4: return F_LONG;
	default: __builtin_trap();
	}
}

/* The formats each type may use (RFC 5944 §1.9-1.11 and the extension
 * RFCs); unknown types are TLV.  Keep in step with msg_rules in
 * lib/wire.c. */
static unsigned fmts_for(const struct mip4_ext *e)
{
	switch (e->type) {
	case MIP4_EXT_PAD:
		return 1u << F_PAD;
	case MIP4_EXT_GEN_AUTH:
	case MIP4_EXT_CVSE:
		return 1u << F_LONG;
	case MIP4_EXT_DYN_HA: /* RFC 4433 draws the long form; both seen */
		return 1u << F_SHORT | 1u << F_LONG;
	case MIP4_EXT_UDP_TUN_REP:
	case MIP4_EXT_UDP_TUN_REQ:
	case MIP4_EXT_MSG_STRING:
	case MIP4_EXT_TNC:
		return 1u << F_SHORT;
	default:
		return 1u << F_TLV;
	}
}

static bool is_auth(uint8_t type)
{
	return type == MIP4_EXT_MN_HA || type == MIP4_EXT_MN_FA ||
	       type == MIP4_EXT_FA_HA || type == MIP4_EXT_GEN_AUTH;
}

static size_t fixed_len(uint8_t type)
{
	switch (type) {
	case MIP4_MSG_RRQ: return MIP4_RRQ_LEN;
	case MIP4_MSG_RRP: return MIP4_RRP_LEN;
	case MIP4_MSG_TUNNEL_DATA: return MIP4_TUNNEL_DATA_LEN;
	case MIP4_MSG_REVOKE: return MIP4_REVOKE_LEN;
	default: return MIP4_REVOKE_ACK_LEN;
	}
}

/* Skip the one-byte paddings at off, counting them. */
static size_t skip_pads(const struct mip4_msg *m, size_t off, size_t *n)
{
	while (off < m->len && m->buf[off] == MIP4_EXT_PAD) {
		off++;
		(*n)++;
	}
	return off;
}

/* Extensions are well-formed views that, with the paddings between them
 * (counted in n_pad, not kept), tile buf[fixed..len) exactly, and their
 * header fields say what the views say. */
static void check_layout(const struct mip4_msg *m, size_t fixed)
{
	size_t off = fixed, pads = 0;

	CHECK(m->n_ext <= MIP4_MAX_EXT);
	for (unsigned i = 0; i < m->n_ext; i++) {
		const struct mip4_ext *e = &m->ext[i];
		const uint8_t *raw;
		enum fmt f;

		off = skip_pads(m, off, &pads);
		raw = m->buf + off;
		CHECK(e->off == off && e->len >= 1 && e->type != MIP4_EXT_PAD);
		CHECK(INSIDE(raw, e->len, m->buf, m->len));
		CHECK(e->type == raw[0]);
		/* Only skippable types (128..255) may be skipped: unknown
		 * ones, or known ones not understood (RFC 3519 §3.1). */
		CHECK(!e->skipped || e->type >= 128);
		f = ext_fmt(m, e);
		CHECK(fmts_for(e) & 1u << f);
		switch (f) {
		case F_PAD:
			CHECK(e->len == 1);
			break;
		case F_TLV:
			CHECK(raw[1] == e->data_len && e->len == 2 + e->data_len);
			break;
		case F_SHORT:
			CHECK(raw[1] == e->data_len + 1 && raw[2] == e->subtype &&
			      e->len == 3 + e->data_len);
			break;
		case F_LONG:
			CHECK(raw[1] == e->subtype &&
			      mip4_get16(raw + 2) == e->data_len &&
			      e->len == 4 + e->data_len);
			break;
		}
		if (f != F_PAD)
			CHECK(INSIDE(e->data, e->data_len, m->buf, m->len));
		if (is_auth(e->type)) {
			CHECK(e->u.auth.auth == e->data + 4);
			CHECK(e->u.auth.auth_len + 4u == e->data_len);
			CHECK(e->u.auth.spi == mip4_get32(e->data));
		}
		if (e->type == MIP4_EXT_CVSE || e->type == MIP4_EXT_NVSE)
			CHECK(INSIDE(e->u.vse.value, e->u.vse.value_len,
				     e->data, e->data_len));
		off += e->len;
	}
	off = skip_pads(m, off, &pads);
	CHECK(off == m->len && pads == m->n_pad);
}

/* find_ext / ext_index return the first extension of each type; unknown
 * (skipped) extensions are never found. */
static void check_lookup(const struct mip4_msg *m)
{
	for (unsigned t = 0; t < 256; t++) {
		int idx = mip4_msg_ext_index(m, (uint8_t)t);
		const struct mip4_ext *f = mip4_msg_find_ext(m, (uint8_t)t, -1);

		CHECK((idx < 0) == (f == NULL));
		if (idx < 0)
			continue;
		CHECK(f == &m->ext[idx] && f->type == t && !f->skipped);
		for (int j = 0; j < idx; j++)
			CHECK(m->ext[j].type != t || m->ext[j].skipped);
		f = mip4_msg_find_ext(m, (uint8_t)t, f->subtype);
		CHECK(f == &m->ext[idx]);
	}
	for (unsigned i = 0; i < m->n_ext; i++) {
		const struct mip4_ext *e = &m->ext[i];
		const struct mip4_ext *f =
			mip4_msg_find_ext(m, e->type, e->subtype);

		if (e->skipped)
			CHECK(f == NULL || !f->skipped);
		else
			CHECK(f && f <= e);
		CHECK(f == NULL || (f->type == e->type &&
				    f->subtype == e->subtype));
	}
}

static void check_order(struct mip4_msg *m)
{
	static const uint8_t once[] = {
		MIP4_EXT_MN_HA, MIP4_EXT_MN_FA, MIP4_EXT_FA_HA, MIP4_EXT_NAI,
		MIP4_EXT_UDP_TUN_REQ, MIP4_EXT_ENCAP_DELIVERY, MIP4_EXT_TNC,
	};
	int rc = mip4_rrq_check_order(m);

	CHECK(rc == MIP4_OK || rc == MIP4_E_EXT_DUPLICATE ||
	      rc == MIP4_E_EXT_ORDER);
	/* A rejection blames an extension that is really there (skipped
	 * extensions are ignored, so they are never blamed). */
	if (rc != MIP4_OK) {
		const struct mip4_ext *e;

		CHECK(m->bad_ext_type >= 0 && m->bad_off < m->len);
		e = mip4_msg_find_ext(m, (uint8_t)m->bad_ext_type, -1);
		CHECK(e != NULL);
		return;
	}
	for (size_t i = 0; i < sizeof once; i++) {
		unsigned n = 0;

		for (unsigned j = 0; j < m->n_ext; j++)
			n += m->ext[j].type == once[i] && !m->ext[j].skipped;
		CHECK(n <= 1);
	}
}

/*
 * One authentication extension: the verdict is consistent with the SA,
 * and after writing the right authenticator into a copy, the copy decodes
 * the same, verifies, and equals what mip4_auth_append*() builds.
 */
static void check_auth(const struct mip4_sa *sa, const struct mip4_msg *m,
		       unsigned i)
{
	const struct mip4_ext *e = &m->ext[i];
	enum mip4_auth_result r = mip4_auth_verify(sa, m, e);
	size_t mac_off = (size_t)(e->u.auth.auth - m->buf);
	struct mip4_msg m2;
	struct mip4_buf b;

	if (e->u.auth.spi != sa->spi)
		CHECK(r == MIP4_AUTH_BAD_SPI);
	else if (e->u.auth.auth_len != MIP4_MD5_LEN)
		CHECK(r == MIP4_AUTH_BAD_LEN);
	else
		CHECK(r == MIP4_AUTH_OK || r == MIP4_AUTH_BAD);
	if (e->u.auth.auth_len != MIP4_MD5_LEN)
		return;

	for (int alg = MIP4_ALG_HMAC_MD5; alg <= MIP4_ALG_KEYED_MD5; alg++) {
		struct mip4_sa sa2 = *sa;
		uint8_t mac[MIP4_MD5_LEN];

		sa2.spi = e->u.auth.spi;
		sa2.alg = (enum mip4_alg)alg;
		CHECK(mip4_auth_compute(&sa2, m->buf, mac_off, mac) == 0);
		r = mip4_auth_verify(&sa2, m, e);
		CHECK(r == (memcmp(mac, e->u.auth.auth, sizeof mac) == 0
				    ? MIP4_AUTH_OK
				    : MIP4_AUTH_BAD));

		memcpy(work, m->buf, m->len);
		memcpy(work + mac_off, mac, sizeof mac);
		CHECK(mip4_msg_decode(work, m->len, &m2) == MIP4_OK);
		CHECK(m2.n_ext == m->n_ext && m2.ext[i].off == e->off);
		CHECK(mip4_auth_verify(&sa2, &m2, &m2.ext[i]) == MIP4_AUTH_OK);
		CHECK(mip4_auth_verify_type(&sa2, &m2, e->type) ==
		      MIP4_AUTH_OK ||
		      mip4_msg_find_ext(&m2, e->type, -1) != &m2.ext[i]);

		mip4_buf_init(&b, out, sizeof out);
		memcpy(mip4_buf_put(&b, e->off), work, e->off);
		if (e->type == MIP4_EXT_GEN_AUTH)
			mip4_auth_append_gen(&b, e->subtype, &sa2);
		else
			mip4_auth_append(&b, e->type, &sa2);
		CHECK(!b.overflow && b.len == (size_t)e->off + e->len);
		CHECK(memcmp(out, work, b.len) == 0);
	}
}

/* Encode `e` with its typed encoder and compare with the received bytes,
 * reserved fields cleared (the encoders send them as zero). */
static void check_typed(const struct mip4_ext *e, const uint8_t *raw)
{
	struct mip4_buf b;
	char text[256];
	uint8_t *w = want;

	if (e->skipped) /* no typed view */
		return;
	memcpy(w, raw, e->len);
	mip4_buf_init(&b, out, sizeof out);
	switch (e->type) {
	case MIP4_EXT_UDP_TUN_REQ:
		w[2] = 0; /* sub-type: the encoder sends 0 */
		w[3] = 0;
		w[4] &= 0xc0;
		w[6] = w[7] = 0;
		mip4_ext_put_udp_req(&b, e->u.udp_req.force,
				     e->u.udp_req.fa_required,
				     e->u.udp_req.encap);
		break;
	case MIP4_EXT_UDP_TUN_REP:
		w[2] = 0;
		w[4] &= 0x80;
		w[5] = 0;
		mip4_ext_put_udp_rep(&b, e->u.udp_rep.code, e->u.udp_rep.forced,
				     e->u.udp_rep.keepalive);
		break;
	case MIP4_EXT_REV_SUPPORT:
		/* RFC 3543 §3.2 lets the length grow; we encode length 6. */
		if (e->len != 8)
			return;
		w[2] &= 0x80;
		w[3] = 0;
		mip4_ext_put_rev_support(&b, e->u.rev_support.i_bit,
					 e->u.rev_support.timestamp);
		break;
	case MIP4_EXT_DYN_HA:
		if (e->len != 7) /* the encoder sends the short form */
			return;
		mip4_ext_put_dyn_ha(&b, e->subtype, e->u.dyn_ha.ha);
		break;
	case MIP4_EXT_ENCAP_DELIVERY:
		mip4_ext_put_encap_delivery(&b);
		break;
	case MIP4_EXT_TNC:
		w[2] = w[3] = 0;
		mip4_ext_put_tnc(&b);
		break;
	case MIP4_EXT_NVSE:
		w[2] = w[3] = 0;
		mip4_ext_put_nvse(&b, e->u.vse.vendor, e->u.vse.vtype,
				  e->u.vse.value, e->u.vse.value_len);
		break;
	case MIP4_EXT_CVSE:
		w[1] = 0;
		mip4_ext_put_cvse(&b, e->u.vse.vendor, e->u.vse.vtype,
				  e->u.vse.value, e->u.vse.value_len);
		break;
	case MIP4_EXT_NAI:
	case MIP4_EXT_MSG_STRING:
		/* The string encoders take C strings. */
		if (memchr(e->data, 0, e->data_len))
			return;
		memcpy(text, e->data, e->data_len);
		text[e->data_len] = '\0';
		if (e->type == MIP4_EXT_NAI)
			mip4_ext_put_nai(&b, text);
		else
			mip4_ext_put_msg_string(&b, e->subtype, text);
		break;
	default:
		return;
	}
	CHECK(!b.overflow && b.len == e->len);
	CHECK(memcmp(out, w, e->len) == 0);
}

/* Re-encode the whole message; it must equal the input with reserved
 * fixed-part bits cleared. */
static void check_reencode(const struct mip4_msg *m)
{
	struct mip4_buf b;

	memcpy(want, m->buf, m->len);
	mip4_buf_init(&b, out, sizeof out);
	switch (m->type) {
	case MIP4_MSG_RRQ:
		mip4_rrq_put(&b, &m->u.rrq);
		break;
	case MIP4_MSG_RRP:
		mip4_rrp_put(&b, &m->u.rrp);
		break;
	case MIP4_MSG_TUNNEL_DATA:
		CHECK(m->u.td.reserved == mip4_get16(m->buf + 2));
		want[2] = want[3] = 0;
		mip4_tunnel_data_put(&b, m->u.td.next_header);
		if (m->u.td.payload_len)
			memcpy(mip4_buf_put(&b, m->u.td.payload_len),
			       m->u.td.payload, m->u.td.payload_len);
		break;
	case MIP4_MSG_REVOKE:
		want[1] = want[3] = 0;
		want[2] &= 0xc0;
		mip4_revoke_put(&b, &m->u.rev);
		break;
	case MIP4_MSG_REVOKE_ACK:
		want[1] = want[3] = 0;
		want[2] &= 0x80;
		mip4_revoke_ack_put(&b, &m->u.rack);
		break;
	default:
		__builtin_trap();
	}
	CHECK(!b.overflow);
	/* The fixed part alone first (exact for RRQ and RRP). */
	CHECK(b.len == (m->type == MIP4_MSG_TUNNEL_DATA ? m->len
							: fixed_len(m->type)));
	CHECK(memcmp(out, want, b.len) == 0);

	for (unsigned i = 0; i <= m->n_ext; i++) {
		const struct mip4_ext *e = &m->ext[i];
		size_t upto = i < m->n_ext ? e->off : m->len;

		while (b.len < upto && !b.overflow) /* the paddings before */
			mip4_ext_put_pad(&b);
		if (i == m->n_ext)
			break;
		switch (ext_fmt(m, e)) {
		case F_PAD:
			__builtin_trap(); /* never kept */
		case F_TLV:
			mip4_ext_put_raw(&b, e->type, e->data, e->data_len);
			break;
		case F_SHORT:
			mip4_ext_put_short(&b, e->type, e->subtype, e->data,
					   e->data_len);
			break;
		case F_LONG:
			mip4_ext_put_long(&b, e->type, e->subtype, e->data,
					  e->data_len);
			break;
		}
	}
	CHECK(!b.overflow && b.len == m->len);
	CHECK(memcmp(out, want, m->len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mip4_sa sa;
	static bool init;
	struct mip4_msg m;
	int rc;

	if (!init) {
		CHECK(mip4_sa_init(&sa, FUZZ_SPI, fuzz_key, sizeof fuzz_key) ==
		      0);
		init = true;
	}
	if (size > MAXMSG)
		return -1;

	rc = mip4_msg_decode(data, size, &m);
	CHECK(mip4_strerror(rc) != NULL);
	CHECK(m.buf == data && m.len == size);
	if (rc != MIP4_OK) {
		CHECK(rc < 0);
		if (rc == MIP4_E_EXT_TRUNCATED || rc == MIP4_E_EXT_LENGTH ||
		    rc == MIP4_E_EXT_UNKNOWN || rc == MIP4_E_EXT_TOO_MANY) {
			CHECK(m.bad_off >= fixed_len(m.type) &&
			      m.bad_off < size);
			CHECK(m.bad_ext_type == data[m.bad_off]);
		}
		return 0;
	}

	CHECK(m.type == data[0]);
	(void)mip4_msg_type_str(m.type);
	if (m.type == MIP4_MSG_TUNNEL_DATA) {
		CHECK(m.n_ext == 0);
		CHECK(m.u.td.payload == data + MIP4_TUNNEL_DATA_LEN &&
		      m.u.td.payload_len == size - MIP4_TUNNEL_DATA_LEN);
		check_reencode(&m);
		return 0;
	}
	if (m.type == MIP4_MSG_RRP)
		(void)mip4_code_str(m.u.rrp.code);

	check_layout(&m, fixed_len(m.type));
	check_lookup(&m);
	for (unsigned i = 0; i < m.n_ext; i++) {
		(void)mip4_ext_type_str(m.ext[i].type);
		if (is_auth(m.ext[i].type))
			check_auth(&sa, &m, i);
		check_typed(&m.ext[i], data + m.ext[i].off);
	}
	CHECK(mip4_auth_verify(&sa, &m, NULL) == MIP4_AUTH_MISSING);
	check_reencode(&m);
	if (m.type == MIP4_MSG_RRQ)
		check_order(&m); /* last: it may set bad_ext_type */
	return 0;
}
