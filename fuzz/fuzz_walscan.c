/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: walscan() (daemon/walscan.c), which reads the frame
 * headers of an SQLite write-ahead log found at start.  The input's first
 * four bytes are the count of frames SQLite kept, the rest the log file.
 * Checks: every read stays inside the file, and the counts are
 * consistent (lost <= commits <= frames, the first lost frame after the
 * kept ones, frames that fit the file's size).
 */
#include <string.h>

#include "fuzz.h"
#include "walscan.h"

struct mem {
	const uint8_t *p;
	size_t len;
};

static int mem_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	const struct mem *m = ctx;

	if (off > m->len || len > m->len - off)
		return -1;
	memcpy(buf, m->p + off, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct walscan w;
	struct mem m;
	uint64_t valid;

	if (size < 4)
		return 0;
	valid = (uint64_t)data[0] << 24 | (uint64_t)data[1] << 16 |
		(uint64_t)data[2] << 8 | data[3];
	m.p = data + 4;
	m.len = size - 4;
	/* a whole file reads without a failed read */
	CHECK(walscan(mem_read, &m, m.len, valid, &w) == 0);
	CHECK(w.lost <= w.commits && w.commits <= w.frames);
	if (w.lost)
		CHECK(w.first_lost > valid && w.first_lost <= w.frames);
	if (w.header_ok)
		CHECK(32 + w.frames * (24 + (uint64_t)w.page_size) <= m.len);
	else
		CHECK(w.frames == 0 && w.lost == 0);
	/* a file said to be longer than it is: a failed read, no crash */
	(void)walscan(mem_read, &m, m.len + 4096, valid, &w);
	return 0;
}
