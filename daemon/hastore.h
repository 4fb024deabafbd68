/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/hastore.h - the home agent's durability contract, on top of the
 * SQLite store (store.h):
 *
 *   A reply that grants or removes a binding (code 0 or 1) leaves only
 *   once what it grants is in a file the next start will read.
 *
 * The receive loop runs every request of a batch through libmip4, hands
 * each binding change here (hastore_put/_del/_replay), then asks
 * hastore_batch_end() whether the batch is durable.  When it is not, the
 * home agent takes the affected bindings back to what the file holds
 * (hastore_reload()) and answers those requests with code 130 (RFC 5944
 * §3.8.3.2, "insufficient resources": an authenticated denial, after which
 * a mobile node backs off and tries again) instead of silence, so that the
 * node and the operator both learn why.
 *
 * What does not need writing is not written: a renewal in place (same
 * care-of address, peer, flags, encapsulation, SA; only the expiry moves)
 * is already durable when the stored row keeps the binding at least until
 * the new expiry.  Each write stores the expiry plus one more lifetime, so
 * that renewals inside that margin write nothing; after a restart such a
 * binding may therefore live up to one lifetime longer than granted, never
 * shorter.  The replay state (RFC 5944 §5.7) is written with every write;
 * the identifications of renewals that wrote nothing are not, which is
 * safe: replaying one of them after a restart can only re-create the very
 * binding the file already holds, and only inside the timestamp window.
 *
 * Failure is a state: while writes fail (disk full, read-only file system,
 * I/O errors) or the file was deleted or replaced, `mip4ctl status` shows
 * the store as failing with the reason, the log says it once (then once a
 * minute with the count of refusals), renewals that need no write are
 * still granted while the file is intact, and the store heals itself: a
 * probe write every few seconds notices when space returns, and a deleted
 * file is written anew from memory.  A file replaced by another is left
 * alone (it may be an operator's restore) and reported until restart.
 */
#ifndef MIP4D_HASTORE_H
#define MIP4D_HASTORE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "mip4/binding.h"
#include "store.h"

struct hastore;

/*
 * Writes every binding and replay state the home agent holds into dst (a
 * fresh file, inside a transaction the caller opened), with
 * hastore_write_binding() and store_put_replay(): 0, or -1.
 */
typedef int (*hastore_dump_fn)(void *ctx, struct store *dst);

/*
 * Open (store_open()) and set the sync mode; 0, or -1 with err.  With
 * etcd non-NULL the store is etcd instead (store_open_etcd()): path and
 * sync_full are unused, the contract is the same (a reply once etcd has
 * committed), the file's recovery does not apply, and a failing store is
 * probed by a read through a quorum.
 */
int hastore_open(const char *path, bool sync_full,
		 const struct mip4_config_etcd *etcd, hastore_dump_fn dump,
		 void *ctx, struct hastore **out, char *err, size_t errlen);
void hastore_close(struct hastore *hs);
/* For the start: loading bindings and replay state. */
struct store *hastore_db(struct hastore *hs);

/* A batch of changes (one transaction, opened at the first write). */
void hastore_batch_begin(struct hastore *hs);
/*
 * b as it stands after an accepted request changed it (old_ncoa: care-of
 * addresses it had before; renewal_only from struct mip4_ha_result).
 * Returns true when it wrote (the request's fate then hangs on the batch's
 * commit), false when b was durable already.
 */
bool hastore_put(struct hastore *hs, struct mip4_binding *b, size_t old_ncoa,
		 bool renewal_only, uint64_t now_ms);
void hastore_del(struct hastore *hs, uint32_t home_addr);
void hastore_replay(struct hastore *hs, uint32_t spi, uint64_t last_id);

enum hastore_verdict {
	HASTORE_DURABLE,     /* every change of the batch is in the file */
	HASTORE_WRITES_LOST, /* the writes failed; what needed none holds */
	HASTORE_NOT_DURABLE, /* the file is not ours any more: nothing holds */
};
enum hastore_verdict hastore_batch_end(struct hastore *hs, uint64_t now_ms);

/*
 * Put home_addr's binding back as the file holds it: fn (a restore
 * callback taking the binding, as for store_get()) is called when there is
 * one; the caller has removed the in-memory one.  0, or -1 (then there is
 * nothing to restore from and the binding stays removed).
 */
int hastore_reload(struct hastore *hs, uint32_t home_addr,
		   int (*fn)(void *ctx, const struct mip4_binding *b,
			     int64_t expires_wall),
		   int (*coa_fn)(void *ctx, uint32_t home_addr,
				 const struct mip4_coa *c, int64_t expires_wall),
		   void *ctx);
/* n requests were refused because of the store (for the log and status). */
void hastore_refused(struct hastore *hs, unsigned n);

/* Outside a batch (expiry): write or delete at once. */
void hastore_put_now(struct hastore *hs, struct mip4_binding *b,
		     size_t old_ncoa, uint64_t now_ms);
void hastore_del_now(struct hastore *hs, uint32_t home_addr);

/* For dump functions: write b to dst as hastore_put() does (a renewal
 * after a dump writes once more).  0, or -1. */
int hastore_write_binding(struct store *dst, const struct mip4_binding *b,
			  uint64_t now_ms);

/*
 * With state-etcd's name: the election (etcdstore.h), at open and every
 * tick.  While another home agent holds the key (or etcd does not
 * answer), every request that needs the store, renewals in place
 * included, is refused with 130 and counted (refused-standby), and
 * expiries are left to the active one; the log says when the role
 * changes and why.
 */
void hastore_elect(struct hastore *hs);
/* Once a second: checkpoints, probes and recovery. */
void hastore_tick(struct hastore *hs, uint64_t now_ms);

bool hastore_failing(const struct hastore *hs);
/* {state, reason, since_s, path, warning, wal_frames} */
json_object *hastore_status(const struct hastore *hs, uint64_t now_ms);
/* Counters: writes, renewals-not-rewritten, write-errors, refused,
 * checkpoints, recoveries. */
void hastore_counters(const struct hastore *hs, json_object *o);

#endif
