/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the mip4ctl --sa parser, sa_table_add() in
 * ctl/print.c ("SPI:HEXKEY[:ALG]").  The input, NUL-terminated, is one
 * spec.  Checks: failures leave the table alone and a terminated message;
 * a parsed SA prints back to a spec that parses to the same SA; a full
 * table refuses.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mip4ctl.h"

static struct sa_table t, t2;

static void check_same(const struct mip4_sa *a, const struct mip4_sa *b)
{
	CHECK(a->spi == b->spi && a->alg == b->alg &&
	      a->key_len == b->key_len &&
	      memcmp(a->key, b->key, a->key_len) == 0);
}

/* Print sa as a spec (SPI in decimal or hex, ALG given or not) and parse
 * it back. */
static void check_roundtrip(const struct mip4_sa *sa, int style)
{
	char spec[2 * MIP4_KEY_MAX + 64], err[128];
	int n = snprintf(spec, sizeof spec,
			 style & 1 ? "0x%" PRIx32 ":" : "%" PRIu32 ":",
			 sa->spi);

	for (size_t i = 0; i < sa->key_len; i++)
		n += snprintf(spec + n, sizeof spec - (size_t)n,
			      style & 2 ? "%02X" : "%02x", sa->key[i]);
	if (style & 4 || sa->alg != MIP4_ALG_HMAC_MD5)
		snprintf(spec + n, sizeof spec - (size_t)n, ":%s",
			 mip4_alg_str(sa->alg));
	memset(&t2, 0, sizeof t2);
	CHECK(sa_table_add(&t2, spec, err, sizeof err) == 0 && t2.n == 1);
	check_same(sa, &t2.sa[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	size_t errlen = size % sizeof err + 1;
	char *spec = malloc(size + 1);
	const struct mip4_sa *sa;
	int rc;

	CHECK(spec != NULL);
	memcpy(spec, data, size);
	spec[size] = '\0';

	memset(&t, 0, sizeof t);
	memset(err, 'x', sizeof err);
	rc = sa_table_add(&t, spec, err, errlen);
	if (rc != 0) {
		CHECK(rc == -1 && t.n == 0);
		CHECK(memchr(err, '\0', errlen) != NULL);
		free(spec);
		return 0;
	}
	CHECK(t.n == 1);
	sa = &t.sa[0];
	CHECK(sa->key_len >= 1 && sa->key_len <= MIP4_KEY_MAX);
	CHECK(sa->alg == MIP4_ALG_HMAC_MD5 || sa->alg == MIP4_ALG_KEYED_MD5);
	CHECK(strchr(spec, ':') != NULL);
	CHECK(sa_table_find(&t, sa->spi) == sa);
	CHECK(sa_table_find(&t, sa->spi + 1) == NULL);

	for (int style = 0; style < 8; style++)
		check_roundtrip(sa, style);

	/* A second add of the same spec lands in the next slot. */
	CHECK(sa_table_add(&t, spec, err, sizeof err) == 0 && t.n == 2);
	check_same(&t.sa[0], &t.sa[1]);
	CHECK(sa_table_find(&t, sa->spi) == &t.sa[0]);

	/* A full table refuses, whatever the spec. */
	t.n = MIP4CTL_MAX_SA;
	CHECK(sa_table_add(&t, spec, err, sizeof err) == -1 &&
	      t.n == MIP4CTL_MAX_SA);
	free(spec);
	return 0;
}
