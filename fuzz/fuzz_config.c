/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the mip4d.conf parser, mip4_config_parse_buf() in
 * daemon/config.c.  The input is the file text (not NUL-terminated: the
 * parser must stay inside len).  Checks: a failure leaves an empty config
 * and a terminated "NAME:..." message; a success prints (keys redacted) to
 * /dev/null, and prints with keys to text that parses again to a config
 * that prints identically; every mobile node and FA is found by lookup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

static FILE *devnull;

static char *print_keys(const struct mip4_config *c, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);

	CHECK(f != NULL);
	mip4_config_print_flags(c, f, MIP4_CONFIG_PRINT_KEYS);
	CHECK(fclose(f) == 0);
	return out;
}

static void check_lookups(const struct mip4_config *c)
{
	for (size_t i = 0; i < c->ha.n_mn; i++) {
		const struct mip4_ha_mn *mn = &c->ha.mn[i];
		size_t nl = mn->nai ? strlen(mn->nai) : 0;

		if (nl)
			CHECK(mip4_config_find_mn(c, 0, mn->nai, nl) == mn);
		if (mn->home_addr && !nl)
			CHECK(mip4_config_find_mn(c, mn->home_addr, NULL, 0) ==
			      mn);
		CHECK(mn->sa.key_len >= 1 && mn->sa.key_len <= MIP4_KEY_MAX);
		CHECK(mn->sa.spi >= 256);
	}
	for (size_t i = 0; i < c->ha.n_fa; i++)
		CHECK(mip4_config_find_fa(c, c->ha.fa[i].addr) == &c->ha.fa[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mip4_config c, c2;
	char err[256];
	size_t errlen = size % sizeof err + 1;
	char *text, *t1, *t2;
	size_t l1, l2;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	CHECK(devnull != NULL);

	/* an exact-size copy so ASan catches any read past len */
	text = malloc(size ? size : 1);
	CHECK(text != NULL);
	if (size)
		memcpy(text, data, size);
	memset(err, 'x', sizeof err);
	if (mip4_config_parse_buf("f.conf", text, size, &c, err, errlen) != 0) {
		CHECK(memchr(err, '\0', errlen) != NULL);
		CHECK(errlen < 3 || strncmp(err, "f.conf", errlen - 1 < 6
							   ? errlen - 1
							   : 6) == 0);
		CHECK(!c.have_ha && !c.have_mn && !c.have_fa && c.ha.mn == NULL &&
		      c.ha.fa == NULL);
		mip4_config_free(&c);
		free(text);
		return 0;
	}
	free(text);
	CHECK(c.have_ha || c.have_mn || c.have_fa); /* a role, or no parse */
	check_lookups(&c);
	mip4_config_print(&c, devnull);

	t1 = print_keys(&c, &l1);
	if (mip4_config_parse_buf("printed", t1, l1, &c2, err, sizeof err) !=
	    0) {
		fprintf(stderr, "re-parse failed: %s\n---\n%s---\n", err, t1);
		__builtin_trap();
	}
	t2 = print_keys(&c2, &l2);
	CHECK(l1 == l2 && memcmp(t1, t2, l1) == 0);
	CHECK(c.ha.n_mn == c2.ha.n_mn && c.ha.n_fa == c2.ha.n_fa);
	CHECK(c.have_mn == c2.have_mn &&
	      c.mn.cfg.home_addr == c2.mn.cfg.home_addr &&
	      c.mn.cfg.sa.spi == c2.mn.cfg.sa.spi);
	free(t1);
	free(t2);
	mip4_config_free(&c2);
	mip4_config_free(&c);
	return 0;
}
