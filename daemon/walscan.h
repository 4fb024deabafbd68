/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/walscan.h - what an SQLite write-ahead log held before SQLite
 * recovered it, so that the state store can tell when recovery threw
 * committed transactions away (a damaged frame in the middle of the log:
 * SQLite keeps the frames before it and silently ignores every later one,
 * committed or not).
 *
 * The file format is SQLite's, documented in "Database File Format" §4
 * (sqlite.org/fileformat2.html): a 32-byte header (magic 0x377f0682 or
 * 0x377f0683, version 3007000, page size, checkpoint sequence, two salts,
 * two checksums), then frames of a 24-byte header (page number, database
 * size in pages after the commit for a commit frame or 0, the two salts,
 * two checksums) and one page each, all big endian.  A frame belongs to
 * the current log when its salts equal the header's.  This reads the
 * headers only; whether a frame's checksums hold is SQLite's to say (its
 * count of valid frames comes in as `valid`).
 */
#ifndef MIP4D_WALSCAN_H
#define MIP4D_WALSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct walscan {
	bool header_ok;	   /* magic, version and page size make sense */
	uint32_t page_size;
	uint64_t frames;   /* whole frames in the file */
	uint64_t commits;  /* commit frames with the header's salts */
	/* commit frames with the header's salts after frame `valid`: the
	 * transactions recovery dropped, and the first of them (1-based) */
	uint64_t lost;
	uint64_t first_lost;
};

/* Read len bytes at off into buf: 0, or -1 (short read or error). */
typedef int (*walscan_read_fn)(void *ctx, void *buf, size_t len,
			       uint64_t off);

/*
 * Scan a log of size bytes through rd; valid = the number of frames SQLite
 * kept (sqlite3_wal_checkpoint_v2's log count).  Returns 0, or -1 when a
 * read failed (out holds what was seen up to then).  A file too short for
 * a header, or with a header that is not a log's, is header_ok false with
 * nothing lost counted (there is no telling which frames were ours).
 */
int walscan(walscan_read_fn rd, void *ctx, uint64_t size, uint64_t valid,
	    struct walscan *out);

/*
 * The log of the database at db_path (db_path + "-wal"), as found, against
 * valid.  0 with *out filled (all zero when there is no log), or -1 with
 * errno.
 */
int walscan_file(const char *db_path, uint64_t valid, struct walscan *out);

/*
 * Copy db_path's log to db_path + "-wal.damaged-" + stamp, for whoever
 * investigates, before anything writes to it.  The copy's name goes in
 * name.  0, or -1 with errno.
 */
int walscan_keep_copy(const char *db_path, long long stamp, char *name,
		      size_t namelen);

#endif
