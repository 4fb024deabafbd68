/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the privileged parent's handling of one message from
 * the engine (daemon/privsep.c ps_parent_handle), with the policy of a
 * home agent, a foreign agent and a mobile node in one configuration.  The
 * input is the message.  Checks: no crash; whatever is carried out passed
 * priv_req_check() and the policy again; an answer is a well-formed
 * header of the request's sequence number; the counters add up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "priv.h"
#include "priv_policy.h"
#include "privsep.h"

static const char conf_text[] =
	"control-socket /run/f.sock\n"
	"state-db /var/lib/mip4d/f.db\n"
	"home-agent {\n\taddress 10.77.0.1\n\thome-network 10.77.0.0/24\n"
	"\ttunnel-device mip-ha0\n\thome-interface h0\n"
	"\tmobile-node 10.77.0.100 { spi 0x100 key hex:00112233445566778899aabbccddeeff }\n}\n"
	"foreign-agent {\n\tinterface f0\n\taddress 192.0.2.1\n"
	"\tcare-of-address 198.51.100.5\n\ttunnel-device mip-fa0\n}\n";

static struct priv_policy pol;
static unsigned executed;

static int fake_ifname(int ifindex, char name[PRIV_IFNAME_MAX])
{
	static const char *const names[] = {NULL, "mip-ha0", "h0", "eth9",
					    "mip-fa0", "f0"};

	if (ifindex <= 0 || ifindex >= (int)(sizeof names / sizeof names[0]))
		return -1;
	snprintf(name, PRIV_IFNAME_MAX, "%s", names[ifindex]);
	return 0;
}

static int fake_exec(void *ctx, const struct priv_req *rq)
{
	const char *why;

	(void)ctx;
	CHECK(priv_req_check(rq) == 0);
	CHECK(priv_policy_check(&pol, rq, fake_ifname, &why) == 0);
	executed++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ps_parent *ps;
	static uint8_t reply[PS_MSG_MAX];
	const struct ps_stats *st;
	uint64_t before;
	size_t rlen;

	if (!ps) {
		struct mip4_config c;
		char err[256];

		CHECK(mip4_config_parse_buf("f", conf_text, sizeof conf_text - 1,
					    &c, err, sizeof err) == 0);
		privsep_policy(&c, &pol);
		mip4_config_free(&c); /* the policy is a copy */
		ps = ps_parent_new(&pol, fake_exec, NULL, fake_ifname);
		CHECK(ps);
	}
	st = ps_parent_stats(ps);
	before = st->requests;
	ps_parent_handle(ps, data, size, reply, &rlen);
	CHECK(rlen <= sizeof reply);
	if (rlen) {
		struct ps_hdr h, q;

		CHECK(rlen >= sizeof h && size >= sizeof q);
		memcpy(&h, reply, sizeof h);
		memcpy(&q, data, sizeof q);
		CHECK(h.magic == PS_MAGIC && h.seq == q.seq);
		CHECK(h.len == rlen - sizeof h);
		CHECK(h.type == PS_REPLY || h.type == PS_STATS_REPLY);
		if (h.type == PS_REPLY)
			CHECK(st->requests == before + 1);
	}
	CHECK(executed <= st->requests);
	CHECK(st->refused + st->failed <= st->requests);
	return 0;
}
