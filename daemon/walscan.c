/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/walscan.c - the frame headers of an SQLite write-ahead log (see
 * walscan.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "walscan.h"

#define WAL_HDR 32
#define FRAME_HDR 24
#define WAL_MAGIC 0x377f0682u /* low bit: checksum byte order */
#define WAL_VERSION 3007000u

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static bool page_size_ok(uint32_t ps)
{
	return ps >= 512 && ps <= 65536 && (ps & (ps - 1)) == 0;
}

int walscan(walscan_read_fn rd, void *ctx, uint64_t size, uint64_t valid,
	    struct walscan *out)
{
	uint8_t hdr[WAL_HDR], fh[FRAME_HDR];

	memset(out, 0, sizeof *out);
	if (size < WAL_HDR)
		return 0;
	if (rd(ctx, hdr, sizeof hdr, 0) < 0)
		return -1;
	out->page_size = be32(hdr + 8);
	out->header_ok = (be32(hdr) & ~1u) == WAL_MAGIC &&
			 be32(hdr + 4) == WAL_VERSION &&
			 page_size_ok(out->page_size);
	if (!out->header_ok)
		return 0;
	out->frames = (size - WAL_HDR) / (FRAME_HDR + (uint64_t)out->page_size);
	for (uint64_t i = 0; i < out->frames; i++) {
		uint64_t off = WAL_HDR + i * (FRAME_HDR + (uint64_t)out->page_size);

		if (rd(ctx, fh, sizeof fh, off) < 0)
			return -1;
		/* another log's leftovers, or not a commit */
		if (memcmp(fh + 8, hdr + 16, 8) != 0 || be32(fh + 4) == 0)
			continue;
		out->commits++;
		if (i + 1 > valid) {
			if (!out->lost)
				out->first_lost = i + 1;
			out->lost++;
		}
	}
	return 0;
}

static int fd_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(*(int *)ctx, buf, len, (off_t)off);

	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int walscan_file(const char *db_path, uint64_t valid, struct walscan *out)
{
	char path[4096];
	struct stat st;
	int fd, rc, e;

	memset(out, 0, sizeof *out);
	if ((size_t)snprintf(path, sizeof path, "%s-wal", db_path) >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	rc = walscan(fd_read, &fd, (uint64_t)st.st_size, valid, out);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

int walscan_keep_copy(const char *db_path, long long stamp, char *name,
		      size_t namelen)
{
	char src[4096], buf[65536];
	int in, outfd, e = 0;
	ssize_t n;

	if ((size_t)snprintf(src, sizeof src, "%s-wal", db_path) >= sizeof src ||
	    (size_t)snprintf(name, namelen, "%s-wal.damaged-%lld", db_path,
			     stamp) >= namelen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return -1;
	outfd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (outfd < 0) {
		e = errno;
		close(in);
		errno = e;
		return -1;
	}
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(outfd, buf, (size_t)n) != n) {
			e = errno ? errno : EIO;
			break;
		}
	if (n < 0)
		e = errno;
	if (!e && fsync(outfd) < 0)
		e = errno;
	close(in);
	close(outfd);
	if (e) {
		(void)unlink(name);
		errno = e;
		return -1;
	}
	return 0;
}
