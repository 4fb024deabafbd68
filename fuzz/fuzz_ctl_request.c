/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: a control-socket request line as mip4d reads it
 * (daemon/ctlreq.c: version, command, more-ok and a listing's filter).
 * The input is the line.  Checks: a refusal says why and leaves nothing
 * behind; a request taken has a command of 1..31 bytes and a filter in
 * canonical form (prefixes without host bits, contiguous masks, an NAI
 * of its stated length), and written back as JSON it reads the same; the
 * filter's matches agree with its prefixes.
 */
#include <string.h>

#include "ctlreq.h"
#include "fuzz.h"
#include "mip4/ip.h"

static bool contiguous(uint32_t mask)
{
	return (~mask & (~mask + 1)) == 0;
}

static void add_prefix(json_object *f, const char *k, uint32_t net,
		       uint32_t mask)
{
	char a[16], b[24];

	snprintf(b, sizeof b, "%s/%d", mip4_ntoa(net, a),
		 __builtin_popcount(mask));
	json_object_object_add(f, k, json_object_new_string(b));
}

/* rq written back as a request line, read again: the same request. */
static void round_trip(const struct ctlreq *rq)
{
	json_object *o = json_object_new_object();
	struct ctlreq again;
	const char *s;
	char err[256];

	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "command", json_object_new_string(rq->command));
	if (rq->more_ok)
		json_object_object_add(o, "more-ok", json_object_new_boolean(true));
	if (rq->filtered) {
		const struct list_filter *f = &rq->filter;
		json_object *jf = json_object_new_object();

		add_prefix(jf, "home", f->home_net, f->home_mask);
		add_prefix(jf, "coa", f->coa_net, f->coa_mask);
		if (f->nai_len)
			json_object_object_add(
				jf, "nai",
				json_object_new_string_len(f->nai, (int)f->nai_len));
		json_object_object_add(o, "filter", jf);
	}
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	CHECK(ctlreq_parse(s, strlen(s), &again, err, sizeof err) == 0);
	CHECK(strcmp(again.command, rq->command) == 0);
	CHECK(again.more_ok == rq->more_ok && again.filtered == rq->filtered);
	CHECK(again.filter.home_net == rq->filter.home_net &&
	      again.filter.home_mask == rq->filter.home_mask &&
	      again.filter.coa_net == rq->filter.coa_net &&
	      again.filter.coa_mask == rq->filter.coa_mask &&
	      again.filter.nai_len == rq->filter.nai_len &&
	      memcmp(again.filter.nai, rq->filter.nai, rq->filter.nai_len + 1) == 0);
	json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ctlreq zero;
	struct ctlreq rq;
	char err[256];
	const struct list_filter *f = &rq.filter;
	int rc;

	err[0] = '\0';
	rc = ctlreq_parse((const char *)data, size, &rq, err, sizeof err);
	CHECK(rc == 0 || rc == -1);
	if (rc < 0) {
		CHECK(err[0] != '\0' && memchr(err, '\0', sizeof err) != NULL);
		CHECK(memcmp(&rq, &zero, sizeof rq) == 0);
		return 0;
	}
	CHECK(strnlen(rq.command, sizeof rq.command) >= 1 &&
	      strnlen(rq.command, sizeof rq.command) < sizeof rq.command);
	CHECK((f->home_net & f->home_mask) == f->home_net &&
	      contiguous(f->home_mask));
	CHECK((f->coa_net & f->coa_mask) == f->coa_net &&
	      contiguous(f->coa_mask));
	CHECK(f->nai_len < sizeof f->nai && strlen(f->nai) == f->nai_len);
	CHECK(rq.filtered || (f->home_mask == 0 && f->coa_mask == 0 &&
			      f->nai_len == 0));
	/* the filter lets through what its prefixes hold, and only that */
	CHECK(list_filter_home(f, f->home_net) && list_filter_coa(f, f->coa_net));
	CHECK(f->home_mask == 0 || !list_filter_home(f, ~f->home_net));
	CHECK(list_filter_nai(f, f->nai) && (f->nai_len == 0 || !list_filter_nai(f, NULL)));
	round_trip(&rq);
	return 0;
}
