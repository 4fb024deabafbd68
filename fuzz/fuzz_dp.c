/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the data plane's packet parsers (dataplane/).
 *
 * Arbitrary bytes as a packet from a raw socket through the home agent's
 * dp_decide_raw() (IP-in-IP, GRE, minimal encapsulation) and the mobile
 * node's mndp_decide_raw(), as an RFC 3519 message through dp_decide_udp()
 * and mndp_decide_udp(), and through the RFC 2784 / RFC 2004 parsers
 * alone.  Whatever a verdict points at stays inside the input; a
 * minimal-encapsulation verdict's restored header and payload re-encode
 * (dp_min_hdr) to a forwarding header that parses back to them.
 */
#include <stdbool.h>
#include <string.h>

#include "dp_logic.h"
#include "fuzz.h"
#include "mip4/binding.h"
#include "mip4/ip.h"
#include "mip4/wire.h"
#include "mn.h"

#define HA 0xc0000201u
#define COA 0xc0000202u

static struct mip4_btable *table(void)
{
	static struct mip4_btable *t;
	static const uint8_t encaps[] = {MIP4_ENCAP_IPIP, MIP4_ENCAP_UDP,
					 MIP4_ENCAP_GRE, MIP4_ENCAP_MIN};

	if (t)
		return t;
	t = mip4_btable_new(8);
	/* home addresses 10.0.0.1-4 (and the seeds' 10.99.0.100-103) */
	for (uint32_t i = 0; i < 8; i++) {
		uint32_t home = i < 4 ? 0x0a000001u + i : 0x0a630064u + i - 4;
		struct mip4_binding *b = mip4_btable_add(t, home, NULL, 0, 1000);
		struct mip4_coa c = {.expires_ms = 1000, .coa = COA,
				     .peer_addr = COA, .peer_port = 434,
				     .encap = encaps[i % 4]};

		CHECK(b && mip4_btable_coa_put(t, b, &c, false) == 0);
		b->flags = MIP4_RRQ_T;
	}
	return t;
}

static void check_min(const struct dp_verdict *v)
{
	uint8_t pkt[DP_MIN_HDR_MAX + 64], back[DP_IP_HDR_MAX];
	const uint8_t *pay;
	size_t plen, off, hl, n = v->inner_len < 64 ? v->inner_len : 64;
	uint8_t inner[DP_IP_HDR_MAX + 64];

	/* the restored header + the payload's start is an IPv4 packet when
	 * its length field is believed: re-encapsulate and parse it back */
	memcpy(inner, v->rhdr, v->rhdr_len);
	memcpy(inner + v->rhdr_len, v->inner, n);
	mip4_put16(inner + 2, (uint16_t)(v->rhdr_len + n));
	if (inner[6] & 0x3f)
		return; /* a restored fragment is never re-encapsulated */
	hl = dp_min_hdr(pkt, HA, COA, inner, v->rhdr_len + n, &off);
	if (!hl)
		return;
	CHECK(off == v->rhdr_len);
	memcpy(pkt + hl, inner + off, n);
	CHECK(dp_min_parse(pkt, hl + n, back, &pay, &plen) == off);
	CHECK(plen == n && memcmp(pay, v->inner, n) == 0);
	CHECK(memcmp(back + 12, inner + 12, 8) == 0 && back[9] == inner[9]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mip4_btable *t = table();
	struct mndp_tunnel mt = {MNDP_GRE, 0x0a000001u, COA, HA, 7};
	struct dp_verdict v;
	struct mndp_verdict w;
	uint8_t hdr[DP_IP_HDR_MAX];
	const uint8_t *pay;
	size_t plen, hl;

	dp_decide_raw(t, data, size, &v);
	if (v.act == DP_ACT_TO_TUN) {
		CHECK(v.b != NULL);
		CHECK(INSIDE(v.inner, v.inner_len, data, size));
		CHECK(v.rhdr_len <= sizeof v.rhdr);
		if (v.rhdr_len)
			check_min(&v);
	}
	dp_decide_udp(t, COA, 434, data, size, &v);
	if (v.act == DP_ACT_TO_TUN)
		CHECK(INSIDE(v.inner, v.inner_len, data, size));
	mndp_decide_raw(&mt, data, size, &w);
	if (w.act == MNDP_ACT_TO_TUN)
		CHECK(INSIDE(w.inner, w.inner_len, data, size) &&
		      w.rhdr_len <= sizeof w.rhdr);
	mndp_decide_udp(&mt, HA, data, size, &w);
	if (w.act == MNDP_ACT_TO_TUN)
		CHECK(INSIDE(w.inner, w.inner_len, data, size));
	hl = dp_min_parse(data, size, hdr, &pay, &plen);
	if (hl)
		CHECK(hl >= 20 && INSIDE(pay, plen, data, size));
	hl = dp_gre_parse(data, size);
	CHECK(hl == 0 || ((hl == 4 || hl == 8) && hl <= size));
	return 0;
}
