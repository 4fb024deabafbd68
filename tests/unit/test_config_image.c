/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The configuration image a reload travels in (daemon/config_image.h):
 * written and read back in small slices it prints the same as what was
 * parsed, keys included, and finds every node; the replay state comes
 * over from the running configuration, the latest of it for the nodes
 * handed out during the load; a damaged image is refused, whatever byte
 * it stops at; the parent's read keeps no peer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "config_image.h"

static char *slurp(const char *rel, size_t *len)
{
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "%s/%s", MIP4_SOURCE_DIR, rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void parse(const char *text, size_t len, struct mip4_config *c)
{
	char err[512];

	if (mip4_config_parse_buf("t.conf", text, len, c, err, sizeof err))
		fail_msg("%s", err);
}

/* A home agent with n nodes (every third by NAI, some of those with a
 * home address too), two foreign agents, and a foreign-agent role with
 * SAs of its own. */
static char *many(unsigned n, size_t *len)
{
	size_t cap = 200 + (size_t)n * 160, k = 0;
	char *t = malloc(cap);

	assert_non_null(t);
	k += (size_t)snprintf(t + k, cap - k,
			      "home-agent {\n address 10.1.0.1\n"
			      " home-network 10.0.0.0/8\n"
			      " foreign-agent 192.0.2.7 { spi 9000 key "
			      "\"fa-key-one\" }\n"
			      " foreign-agent 192.0.2.8 { spi 9001 key "
			      "hex:00112233445566778899aabbccddeeff }\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned a = 0x0a010100u + i;

		if (i % 3 == 0)
			k += i % 6 == 0
				     ? (size_t)snprintf(t + k, cap - k,
							" mobile-node nai "
							"mn%u@corp.example { "
							"spi %u key \"k%u\" }\n",
							i, 1000 + i, i)
				     : (size_t)snprintf(
					       t + k, cap - k,
					       " mobile-node nai "
					       "mn%u@corp.example { "
					       "home-address 10.2.%u.%u spi %u "
					       "key \"k%u\" }\n",
					       i, i >> 8, i & 255, 1000 + i, i);
		else
			k += (size_t)snprintf(t + k, cap - k,
					      " mobile-node %u.%u.%u.%u { spi %u "
					      "key \"k%u\" }\n",
					      a >> 24, a >> 16 & 255, a >> 8 & 255,
					      a & 255, 1000 + i, i);
	}
	k += (size_t)snprintf(t + k, cap - k, "}\n");
	assert_true(k < cap);
	*len = k;
	return t;
}

static int image_of(const struct mip4_config *c)
{
	int fd = memfd_create("img", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(mip4_config_image_write(c, fd), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* The whole image in slices of budget; 0 or -1. */
static int load(int fd, struct mip4_config *old, size_t budget,
		struct mip4_config *out, char *err, size_t errlen)
{
	struct mip4_config_loader *l;
	int rc;

	if (mip4_config_load_begin(fd, old, &l, err, errlen) < 0)
		return -1;
	while ((rc = mip4_config_load_step(l, budget, err, errlen)) == 1)
		;
	if (rc < 0) {
		mip4_config_load_abort(l);
		return -1;
	}
	mip4_config_load_finish(l, out);
	return 0;
}

static char *printed(const struct mip4_config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	mip4_config_print_flags(c, f, MIP4_CONFIG_PRINT_KEYS);
	fclose(f);
	return buf;
}

static void same(const struct mip4_config *a, const struct mip4_config *b)
{
	char *pa = printed(a), *pb = printed(b);

	assert_string_equal(pa, pb);
	free(pa);
	free(pb);
}

static void every_node_found(const struct mip4_config *c)
{
	for (size_t i = 0; i < c->ha.n_mn; i++) {
		const struct mip4_ha_mn *m = &c->ha.mn[i];

		assert_ptr_equal(mip4_config_find_mn(c, m->home_addr, m->nai,
						     m->nai ? strlen(m->nai) : 0),
				 m);
		if (!m->nai)
			continue;
		assert_string_equal(m->nai, c->ha.mn[i].nai);
	}
	for (size_t i = 0; i < c->ha.n_fa; i++)
		assert_ptr_equal(mip4_config_find_fa(c, c->ha.fa[i].addr),
				 &c->ha.fa[i]);
}

static void test_round_trip(void **state)
{
	static const char *const files[] = {
		"etc/mip4d-ha.conf", "etc/mip4d-iha.conf", "etc/mip4d-fa.conf",
		"etc/mip4d-mn.conf", "etc/mip4d-vpnmn.conf"};
	static const size_t budgets[] = {1, 7, 100000};

	(void)state;
	for (size_t f = 0; f <= sizeof files / sizeof files[0]; f++) {
		size_t len;
		char *text = f < sizeof files / sizeof files[0]
				     ? slurp(files[f], &len)
				     : many(3000, &len);
		struct mip4_config c;

		parse(text, len, &c);
		for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
			struct mip4_config back;
			char err[256];
			int fd = image_of(&c);

			if (load(fd, NULL, budgets[b], &back, err, sizeof err))
				fail_msg("%s", err);
			close(fd);
			same(&c, &back);
			every_node_found(&back);
			assert_int_equal(back.ha.n_mn, c.ha.n_mn);
			mip4_config_free(&back);
		}
		mip4_config_free(&c);
		free(text);
	}
}

/*
 * The running configuration's replay state comes over with each node that
 * stays (matched by NAI, or by address); a node handed out by the running
 * configuration after its slice was read comes over with its state as it
 * stands at the finish.
 */
static void test_carry_over(void **state)
{
	size_t len;
	char *text = many(2000, &len);
	struct mip4_config old, nc;
	struct mip4_config_loader *l;
	char err[256];
	int fd, rc, steps = 0;

	(void)state;
	parse(text, len, &old);
	for (size_t i = 0; i < old.ha.n_mn; i++) {
		old.ha.mn[i].replay.last_id = 1000 + i;
		old.ha.mn[i].replay.have_last = true;
	}
	fd = image_of(&old);
	assert_int_equal(mip4_config_load_begin(fd, &old, &l, err, sizeof err),
			 0);
	while ((rc = mip4_config_load_step(l, 50, err, sizeof err)) == 1) {
		/* mid-load, each node the old one hands out moves on */
		if (++steps % 5 == 0) {
			size_t i = (size_t)steps * 7 % old.ha.n_mn;
			struct mip4_ha_mn *m = &old.ha.mn[i];

			assert_ptr_equal(
				mip4_config_find_mn(&old, m->home_addr, m->nai,
						    m->nai ? strlen(m->nai) : 0),
				m);
			m->replay.last_id = 5000000 + i;
		}
	}
	assert_int_equal(rc, 0);
	mip4_config_load_finish(l, &nc);
	assert_null(old.touch);
	for (size_t i = 0; i < nc.ha.n_mn; i++) {
		assert_true(nc.ha.mn[i].replay.have_last);
		assert_int_equal(nc.ha.mn[i].replay.last_id,
				 old.ha.mn[i].replay.last_id);
	}
	/* no lookup noted after the finish */
	assert_non_null(mip4_config_find_mn(&old, old.ha.mn[1].home_addr,
					    NULL, 0));
	mip4_config_free(&nc);
	close(fd);

	/* too many to note: every node carried at the finish */
	fd = image_of(&old);
	assert_int_equal(mip4_config_load_begin(fd, &old, &l, err, sizeof err),
			 0);
	old.touch->overflow = true;
	for (size_t i = 0; i < old.ha.n_mn; i++)
		old.ha.mn[i].replay.last_id = 7000000 + i;
	while ((rc = mip4_config_load_step(l, 300, err, sizeof err)) == 1)
		;
	assert_int_equal(rc, 0);
	mip4_config_load_finish(l, &nc);
	for (size_t i = 0; i < nc.ha.n_mn; i++)
		assert_int_equal(nc.ha.mn[i].replay.last_id, 7000000 + i);
	mip4_config_free(&nc);
	close(fd);
	mip4_config_free(&old);
	free(text);
}

/* An image cut short at any byte, or with a byte changed in its header,
 * a NAI offset, a key length: refused, nothing leaked (ASan), the running
 * configuration not noted any more. */
static void test_damaged(void **state)
{
	size_t len, ilen;
	char *text = many(40, &len);
	struct mip4_config c, out;
	uint8_t *img;
	char err[256];
	int fd;

	(void)state;
	parse(text, len, &c);
	fd = image_of(&c);
	ilen = (size_t)lseek(fd, 0, SEEK_END);
	img = malloc(ilen);
	assert_non_null(img);
	assert_int_equal(pread(fd, img, ilen, 0), (ssize_t)ilen);
	close(fd);
	for (size_t cut = 0; cut < ilen; cut += cut < 2048 ? 1 : 97) {
		int t = memfd_create("cut", MFD_CLOEXEC);

		assert_int_equal(write(t, img, cut), (ssize_t)cut);
		lseek(t, 0, SEEK_SET);
		assert_int_equal(load(t, &c, 3, &out, err, sizeof err), -1);
		assert_null(c.touch);
		close(t);
	}
	/* the header's bytes (magic, version, sizes), and each count's low
	 * byte */
	for (size_t at = 0; at < 72; at += at < 32 ? 1 : 8) {
		int t = memfd_create("flip", MFD_CLOEXEC);

		img[at] ^= 0x80;
		assert_int_equal(write(t, img, ilen), (ssize_t)ilen);
		lseek(t, 0, SEEK_SET);
		if (load(t, NULL, 5, &out, err, sizeof err) == 0) {
			/* a count shrunk: then the image is cut short or
			 * over-long, never read beyond */
			mip4_config_free(&out);
		}
		img[at] ^= 0x80;
		close(t);
	}
	/* a byte of the fixed part (a boolean, an enum... anything):
	 * refused by its digest before any field is read */
	for (size_t at = 104; at < 104 + sizeof(struct mip4_config);
	     at += 997) {
		int t = memfd_create("root", MFD_CLOEXEC);

		img[at] ^= 0x41;
		assert_int_equal(write(t, img, ilen), (ssize_t)ilen);
		lseek(t, 0, SEEK_SET);
		assert_int_equal(load(t, &c, 5, &out, err, sizeof err), -1);
		assert_non_null(strstr(err, "fixed part is damaged"));
		img[at] ^= 0x41;
		close(t);
	}
	{
		/* the first node's NAI offset (the first node has one), and
		 * the second node's key length */
		const size_t hdr = 104, root = sizeof(struct mip4_config);
		size_t text_len = 0, rec = sizeof(struct mip4_ha_mn) + 4;
		uint32_t bad = 0xffffff;
		size_t big = 65;

		for (size_t i = 0; i < c.ha.n_mn; i++)
			if (c.ha.mn[i].nai)
				text_len += strlen(c.ha.mn[i].nai) + 1;
		assert_non_null(c.ha.mn[0].nai);
		for (int k = 0; k < 2; k++) {
			uint8_t *copy = malloc(ilen);
			int t = memfd_create("bad", MFD_CLOEXEC);
			size_t at = hdr + root + text_len;

			assert_non_null(copy);
			memcpy(copy, img, ilen);
			if (k == 0)
				memcpy(copy + at + sizeof(struct mip4_ha_mn),
				       &bad, sizeof bad);
			else
				memcpy(copy + at + rec +
					       offsetof(struct mip4_ha_mn,
							sa.key_len),
				       &big, sizeof big);
			assert_int_equal(write(t, copy, ilen), (ssize_t)ilen);
			lseek(t, 0, SEEK_SET);
			assert_int_equal(load(t, &c, 4, &out, err, sizeof err),
					 -1);
			assert_non_null(strstr(err, k == 0 ? "bad NAI"
							   : "bad entry"));
			close(t);
			free(copy);
		}
	}
	free(img);
	mip4_config_free(&c);
	free(text);
}

/* The parent's read: the fixed part as it was, no peer. */
static void test_root_only(void **state)
{
	size_t len;
	char *text = slurp("etc/mip4d-ha.conf", &len);
	struct mip4_config c, r;
	char err[256];
	int fd;

	(void)state;
	parse(text, len, &c);
	fd = image_of(&c);
	assert_int_equal(mip4_config_image_read_root(fd, &r, err, sizeof err),
			 0);
	assert_int_equal(r.ha.n_mn, 0);
	assert_null(r.ha.mn);
	mip4_config_drop_peers(&c);
	same(&c, &r);
	mip4_config_free(&r);
	mip4_config_free(&c);
	close(fd);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_carry_over),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_root_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
