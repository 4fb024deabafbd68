/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the reader of configuration images (a reload's
 * parsed configuration, daemon/config_image.c).  The image is this build's
 * struct bytes, so the input is a recipe for one:
 *
 *   byte 0      slice size (records per mip4_config_load_step(), 1..64)
 *   byte 1      how many bytes of the image to change (0..7), then per
 *               change 4 bytes of position and 1 byte to XOR in; the
 *               position is taken modulo the image's length, or, with its
 *               top bit set, modulo the part after the fixed one (the NAI
 *               text and the records, a small part of the image)
 *   the rest    mip4d.conf text (fuzz_config's seeds, behind two bytes)
 *
 * The text must parse; its image, changed so, is read back in slices with
 * the parsed configuration as the running one.  Checks: a damaged image
 * fails with a message or loads (a change the checks cannot see, as in a
 * key's bytes); an unchanged one prints (keys included) exactly as what
 * was parsed, and every node is found; either way the running
 * configuration is no longer noted, and nothing leaks (ASan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "config_image.h"
#include "fuzz.h"

static char *print_keys(const struct mip4_config *c, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);

	CHECK(f != NULL);
	mip4_config_print_flags(c, f, MIP4_CONFIG_PRINT_KEYS);
	CHECK(fclose(f) == 0);
	return out;
}

/* The image of c, changed as the recipe says, in a fresh memfd. */
static int changed_image(const struct mip4_config *c, const uint8_t *ch,
			 size_t nch)
{
	/* the header (config_image.c's struct img_hdr) and the fixed part */
	const size_t fixed = 104 + sizeof(struct mip4_config);
	int fd = memfd_create("img", MFD_CLOEXEC), out;
	off_t len;
	uint8_t *img;

	CHECK(fd >= 0);
	CHECK(mip4_config_image_write(c, fd) == 0);
	len = lseek(fd, 0, SEEK_END);
	CHECK(len > 0);
	img = malloc((size_t)len);
	CHECK(img != NULL);
	CHECK(pread(fd, img, (size_t)len, 0) == len);
	close(fd);
	for (size_t i = 0; i < nch; i++) {
		uint32_t at;

		memcpy(&at, ch + 5 * i, 4);
		if ((at & 0x80000000u) && (size_t)len > fixed)
			img[fixed + (at & 0x7fffffffu) % ((size_t)len - fixed)] ^=
				ch[5 * i + 4];
		else
			img[at % (uint32_t)len] ^= ch[5 * i + 4];
	}
	out = memfd_create("changed", MFD_CLOEXEC);
	CHECK(out >= 0);
	CHECK(write(out, img, (size_t)len) == len);
	CHECK(lseek(out, 0, SEEK_SET) == 0);
	free(img);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mip4_config c, back;
	struct mip4_config_loader *l;
	size_t budget, nch;
	char err[256], *text;
	int fd, rc;

	if (size < 2)
		return 0;
	budget = 1 + data[0] % 64;
	nch = data[1] % 8;
	if (size < 2 + 5 * nch)
		return 0;
	text = malloc(size - 2 - 5 * nch + 1);
	CHECK(text != NULL);
	memcpy(text, data + 2 + 5 * nch, size - 2 - 5 * nch);
	if (mip4_config_parse_buf("f.conf", text, size - 2 - 5 * nch, &c, err,
				  sizeof err) != 0) {
		free(text);
		return 0;
	}
	free(text);
	fd = changed_image(&c, data + 2, nch);
	rc = mip4_config_load_begin(fd, &c, &l, err, sizeof err);
	if (rc == 0) {
		while ((rc = mip4_config_load_step(l, budget, err,
						   sizeof err)) == 1)
			;
		if (rc < 0)
			mip4_config_load_abort(l);
		else
			mip4_config_load_finish(l, &back);
	}
	CHECK(c.touch == NULL);
	CHECK(rc == 0 || memchr(err, '\0', sizeof err) != NULL);
	if (rc == 0) {
		for (size_t i = 0; i < back.ha.n_mn; i++) {
			const struct mip4_ha_mn *m = &back.ha.mn[i];
			const struct mip4_ha_mn *f = mip4_config_find_mn(
				&back, m->home_addr, m->nai,
				m->nai ? strlen(m->nai) : 0);

			/* a changed image may repeat no key (the reader
			 * refuses repeats), so each node is its own */
			CHECK(f == m);
		}
		if (nch == 0) {
			size_t l1, l2;
			char *t1 = print_keys(&c, &l1), *t2 = print_keys(&back, &l2);

			CHECK(l1 == l2 && memcmp(t1, t2, l1) == 0);
			free(t1);
			free(t2);
		}
		mip4_config_free(&back);
	}
	close(fd);
	mip4_config_free(&c);
	return 0;
}
