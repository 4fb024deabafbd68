/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/store.h - the home agent's persistent state: mobility bindings and
 * per-SA replay state, in one SQLite file, so that nothing is lost on a
 * restart, kill -9 included (DESIGN §6).
 *
 * One registration costs one upsert through a statement prepared once for
 * the life of the store; bursts go in one transaction (store_begin ..
 * store_commit).  Every function returns 0 (or a count) on success and -1
 * on failure with a one-line message in store_errmsg().  Single-threaded:
 * one event loop owns the store.
 *
 * The file is opened in SQLite's exclusive locking mode, so a second
 * process that opens it (a second mip4d by mistake) is refused with a
 * clear message instead of both of them writing the same bindings.
 */
#ifndef MIP4D_STORE_H
#define MIP4D_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mip4/binding.h"

/* PRAGMA user_version this build writes and understands. */
#define STORE_SCHEMA_VERSION 2 /* 2: binding_coa, simultaneous bindings */
/* PRAGMA application_id: "MIP4", marks the file as ours. */
#define STORE_APPLICATION_ID 0x4d495034

struct store;

/* How a commit reaches the disk (see store.c for the reasoning). */
enum store_sync {
	STORE_SYNC_NORMAL = 0, /* default: survives kill -9 of mip4d */
	STORE_SYNC_FULL = 1,   /* also survives an OS crash or power loss */
};

/*
 * Open path, creating the file (not its directory) and the schema when it
 * does not exist, in WAL mode with synchronous=NORMAL.  Refuses, with a
 * message naming the file, a file that is not SQLite, an SQLite file that
 * is not ours, a schema version newer than STORE_SCHEMA_VERSION, a damaged
 * file (PRAGMA quick_check, so O(file size) once at start) and a file
 * another process holds open.  Returns 0 with *out set, or -1 with *out
 * NULL and the message in err.
 */
int store_open(const char *path, struct store **out, char *err, size_t errlen);
/*
 * The same store in etcd instead of a file (etcdstore.h: its layout, what
 * a batch is there): members addr[i]:port[i], keys under prefix, each
 * request bounded by timeout_ms per member.  Every function below works
 * on it; those about the file (store_set_sync, store_check_file,
 * store_wal_frames, store_checkpoint) have nothing to do and succeed,
 * store_probe() reads through a quorum, store_path() describes it.
 */
int store_open_etcd(const uint32_t *addr, const uint16_t *port, unsigned n,
		    const char *prefix, unsigned timeout_ms, struct store **out,
		    char *err, size_t errlen);
/* The etcd store's election (etcdstore.h): after setup every write is
 * fenced; store_elect() once a second: 1 active, 0 standby, -1 etcd did
 * not answer (also on the SQLite store).  store_holder(): whether we
 * hold the key, *name its holder. */
void store_elect_setup(struct store *s, const char *name, unsigned ttl_s);
int store_elect(struct store *s);
bool store_holder(const struct store *s, const char **name);
/* Close (checkpointing the WAL into the database).  NULL is a no-op. */
void store_close(struct store *s);

/* STORE_SYNC_NORMAL or STORE_SYNC_FULL; not inside store_begin(). */
int store_set_sync(struct store *s, enum store_sync sync);

/*
 * Upsert the binding for b->home_addr: every registration field, its first
 * care-of address, the NAI (b->nai; NULL for none), and the four counters.
 * expires_wall = wall-clock Unix seconds at which that first care-of
 * address expires (the daemon converts from its monotonic clock).  The
 * others are written with store_put_coas().
 */
int store_put(struct store *s, const struct mip4_binding *b,
	      int64_t expires_wall);
/* Delete the binding for home_addr with all its care-of addresses;
 * deleting an absent one is not an error. */
int store_del(struct store *s, uint32_t home_addr);

/*
 * Replace the further care-of addresses of the binding for home_addr
 * (simultaneous bindings: all but the first, which store_put() keeps) with
 * c[0..n-1], care-of address c[i] expiring at expires_wall[i]; n = 0
 * deletes them.  Costs nothing to skip when a binding has, and had, one.
 */
int store_put_coas(struct store *s, uint32_t home_addr,
		   const struct mip4_coa *c, const int64_t *expires_wall,
		   size_t n);

/*
 * Delete every care-of address with expires_wall <= now_wall, and every
 * binding left with none, then call fn for each binding left with a
 * filled struct mip4_binding (table links, more and expires_ms zeroed; nai
 * points to a buffer valid only during the call, NULL when there is none)
 * and the expires_wall of its first care-of address: <= now_wall when
 * that one expired but others, which store_load_coas() hands over next,
 * did not.  fn returns 0
 * to go on; non-zero stops the load, which then fails.  A row whose values
 * do not fit their fields (a tampered file) fails the load with a message
 * naming it.  Returns the number of bindings passed to fn, or -1.
 */
int store_load(struct store *s, int64_t now_wall,
	       int (*fn)(void *ctx, const struct mip4_binding *b,
			 int64_t expires_wall),
	       void *ctx);

/*
 * After store_load(): call fn for every further care-of address stored
 * (c->expires_ms 0; its expiry is expires_wall), in the same terms.
 */
int store_load_coas(struct store *s,
		    int (*fn)(void *ctx, uint32_t home_addr,
			      const struct mip4_coa *c, int64_t expires_wall),
		    void *ctx);

/*
 * The binding stored for home_addr, through the same callbacks as
 * store_load() and store_load_coas(), without purging anything: 1 found,
 * 0 none, -1 error (a callback's non-zero return is one).
 */
int store_get(struct store *s, uint32_t home_addr,
	      int (*fn)(void *ctx, const struct mip4_binding *b,
			int64_t expires_wall),
	      int (*coa_fn)(void *ctx, uint32_t home_addr,
			    const struct mip4_coa *c, int64_t expires_wall),
	      void *ctx);

/*
 * Replay state per mobile node, keyed by the SPI of its MN-HA SA (RFC 5944
 * §5.7: accepted timestamps must keep increasing across restarts).  Kept
 * apart from the binding because it must outlive it: after a
 * deregistration or an expiry an old request must still be refused.
 */
int store_put_replay(struct store *s, uint32_t spi, uint64_t last_id);
/* 1 found (*last_id set), 0 not found, -1 error. */
int store_get_replay(struct store *s, uint32_t spi, uint64_t *last_id);
/* Drop the replay state of an SA that no longer exists. */
int store_del_replay(struct store *s, uint32_t spi);

/*
 * Batch many changes in one transaction (registration bursts): one commit,
 * so one WAL append (and with STORE_SYNC_FULL one fsync) for all of them.
 * Not nestable.  A failed store_commit() rolls the batch back.
 */
int store_begin(struct store *s);
int store_commit(struct store *s);
/* Abandon the batch (a no-op when none is open). */
int store_rollback(struct store *s);

/* Number of bindings stored (expired ones included until the next
 * store_load), or -1. */
int64_t store_count(struct store *s);

/* The last error, one line; "" when there has been none. */
const char *store_errmsg(const struct store *s);

/*
 * What store_open() found wrong but could live with, one line, or "": a
 * damaged write-ahead log whose committed transactions recovery dropped
 * (a copy of the log is kept beside the file, named in the message).
 */
const char *store_open_warning(const struct store *s);

/* The path the store was opened with. */
const char *store_path(const struct store *s);

/*
 * Whether the path still names the file we opened: -1 with the reason in
 * store_errmsg() when it was deleted or replaced (writes then go to a file
 * no restart will read), 0 otherwise.  One stat(2).
 */
int store_check_file(struct store *s);

/* A real write (the header page, unchanged) in its own transaction: 0 when
 * the file takes writes again, -1 (store_errmsg()) when not. */
int store_probe(struct store *s);

/*
 * The log is never checkpointed inside a commit: the caller does it, off
 * the path of a batch whose replies wait, when store_wal_frames() (frames
 * in the log since it last started over) grows.  Returns the frames copied
 * into the database, or -1.
 */
int store_wal_frames(const struct store *s);
int store_checkpoint(struct store *s);

#endif
