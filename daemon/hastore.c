/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/hastore.c - the home agent's durability contract (hastore.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "hastore.h"
#include "json.h"
#include "log.h"
#include "mip4/ha.h"

/* Log frames that make the tick checkpoint (SQLite's own default). */
#define CKPT_FRAMES 1000
/* While failing: a probe write, or a new file for a deleted one, this
 * often. */
#define RETRY_MS 5000
/* While failing: the log repeats itself at most this often. */
#define LOG_EVERY_MS 60000
#define REASON_MAX 320

struct hastore {
	struct store *st; /* NULL between a deleted file and its new one */
	char *path;
	bool use_etcd; /* etcd instead of the SQLite file */
	struct mip4_config_etcd etcd;
	/* the election (etcd.name set): we hold the key; etcd answered */
	bool elect, active, reachable;
	uint64_t c_standby, c_elections;
	hastore_dump_fn dump;
	void *ctx;
	bool sync_full;
	bool txn;	/* the batch's transaction is open */
	bool batch_bad; /* a write of the batch failed: write no more */
	bool failing;
	bool not_ours;	/* the path names a file we did not make */
	char reason[REASON_MAX];
	char warning[REASON_MAX];
	uint64_t since_ms, last_log_ms, last_retry_ms;
	uint64_t refused_since_log;
	uint64_t c_writes, c_skipped, c_errors, c_refused, c_ckpt, c_recover;
};

static void fail(struct hastore *hs, const char *why, uint64_t now)
{
	hs->c_errors++;
	snprintf(hs->reason, sizeof hs->reason, "%s", why);
	if (!hs->failing) {
		hs->failing = true;
		hs->since_ms = hs->last_log_ms = now;
		hs->last_retry_ms = now;
		hs->refused_since_log = 0;
		log_warnx("state-db: %s; requests that change a binding get "
			  "code 130 until it is fixed", why);
		return;
	}
	if (now - hs->last_log_ms >= LOG_EVERY_MS) {
		log_warnx("state-db: still failing (%s): %llu requests refused "
			  "in the last %llu s", why,
			  (unsigned long long)hs->refused_since_log,
			  (unsigned long long)((now - hs->last_log_ms) / 1000));
		hs->last_log_ms = now;
		hs->refused_since_log = 0;
	}
}

static void healed(struct hastore *hs, uint64_t now)
{
	if (!hs->failing)
		return;
	log_info("state-db: %s takes writes again after %llu s",
		 hs->path, (unsigned long long)((now - hs->since_ms) / 1000));
	hs->failing = false;
	hs->not_ours = false;
	hs->reason[0] = '\0';
}

static int open_file(struct hastore *hs, struct store **out, char *err,
		     size_t errlen)
{
	if (hs->use_etcd)
		return store_open_etcd(hs->etcd.ep_addr, hs->etcd.ep_port,
				       hs->etcd.n_ep, hs->etcd.prefix,
				       hs->etcd.timeout_ms, out, err, errlen);
	if (store_open(hs->path, out, err, errlen) < 0)
		return -1;
	if (hs->sync_full && store_set_sync(*out, STORE_SYNC_FULL) < 0) {
		snprintf(err, errlen, "%s: %s", hs->path, store_errmsg(*out));
		store_close(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int hastore_open(const char *path, bool sync_full,
		 const struct mip4_config_etcd *etcd, hastore_dump_fn dump,
		 void *ctx, struct hastore **out, char *err, size_t errlen)
{
	struct hastore *hs = calloc(1, sizeof *hs);

	*out = NULL;
	if (hs)
		hs->path = strdup(path);
	if (!hs || !hs->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(hs);
		return -1;
	}
	if (etcd) {
		hs->use_etcd = true;
		hs->etcd = *etcd;
	}
	hs->dump = dump;
	hs->ctx = ctx;
	hs->sync_full = sync_full;
	if (open_file(hs, &hs->st, err, errlen) < 0) {
		hastore_close(hs);
		return -1;
	}
	if (etcd) { /* what the status and the log name */
		free(hs->path);
		if (!(hs->path = strdup(store_path(hs->st)))) {
			snprintf(err, errlen, "etcd: out of memory");
			hastore_close(hs);
			return -1;
		}
	}
	if (etcd && etcd->name[0]) {
		hs->elect = true;
		store_elect_setup(hs->st, etcd->name, etcd->lease_s);
		hastore_elect(hs);
	}
	snprintf(hs->warning, sizeof hs->warning, "%s",
		 store_open_warning(hs->st));
	if (hs->warning[0])
		log_warnx("state-db: %s", hs->warning);
	*out = hs;
	return 0;
}

void hastore_close(struct hastore *hs)
{
	if (!hs)
		return;
	store_close(hs->st);
	free(hs->path);
	free(hs);
}

struct store *hastore_db(struct hastore *hs)
{
	return hs->st;
}

void hastore_batch_begin(struct hastore *hs)
{
	hs->txn = false;
	hs->batch_bad = false;
}

/* The batch's transaction, opened at its first write; false when writing
 * is hopeless for the rest of the batch. */
static bool batch_write(struct hastore *hs)
{
	if (hs->batch_bad)
		return false;
	if (hs->elect && !hs->active) {
		/* a standby stores (so grants) nothing: refused with 130 */
		hs->batch_bad = true;
		return false;
	}
	if (!hs->st) {
		hs->batch_bad = true;
		return false;
	}
	if (!hs->txn) {
		if (store_begin(hs->st) < 0) {
			hs->batch_bad = true;
			fail(hs, store_errmsg(hs->st), mip4d_now_ms());
			return false;
		}
		hs->txn = true;
	}
	return true;
}

static void batch_failed(struct hastore *hs)
{
	hs->batch_bad = true;
	fail(hs, store_errmsg(hs->st), mip4d_now_ms());
}

static int64_t to_wall(uint64_t mono_ms, uint64_t now_ms)
{
	int64_t left = mono_ms > now_ms ? (int64_t)((mono_ms - now_ms) / 1000)
				       : 0;

	return mip4d_now_wall() + left;
}

/* b, its first care-of address kept one lifetime longer than granted (see
 * hastore.h), and the others when it has or had more than one.  *durable_s
 * becomes what b->durable_s should be once this is committed. */
static int write_binding(struct store *st, const struct mip4_binding *b,
			 size_t old_ncoa, uint64_t now_ms, uint32_t *durable_s)
{
	struct mip4_coa c[MIP4_HA_MAX_COA];
	int64_t exp[MIP4_HA_MAX_COA];
	size_t n = mip4_binding_ncoa(b);
	uint64_t keep_ms = b->expires_ms +
			   (n == 1 ? (uint64_t)b->lifetime * 1000 : 0);

	if (store_put(st, b, to_wall(keep_ms, now_ms)) < 0)
		return -1;
	/* several care-of addresses: each expires on its own, none gets a
	 * margin, every renewal writes */
	*durable_s = n == 1 ? (uint32_t)(keep_ms / 1000) : 0;
	if (n <= 1 && old_ncoa <= 1)
		return 0;
	if (n > MIP4_HA_MAX_COA)
		n = MIP4_HA_MAX_COA;
	for (size_t i = 1; i < n; i++) {
		mip4_binding_coa(b, i, &c[i - 1]);
		exp[i - 1] = to_wall(c[i - 1].expires_ms, now_ms);
	}
	return store_put_coas(st, b->home_addr, c, exp, n - 1);
}

int hastore_write_binding(struct store *dst, const struct mip4_binding *b,
			  uint64_t now_ms)
{
	uint32_t durable_s;

	return write_binding(dst, b, mip4_binding_ncoa(b), now_ms, &durable_s);
}

bool hastore_put(struct hastore *hs, struct mip4_binding *b, size_t old_ncoa,
		 bool renewal_only, uint64_t now_ms)
{
	if (hs->elect && !hs->active) {
		hs->c_standby++;
		(void)batch_write(hs); /* refused, renewals in place too */
		return true;
	}
	if (renewal_only && b->durable_s &&
	    b->expires_ms <= (uint64_t)b->durable_s * 1000 &&
	    mip4_binding_ncoa(b) == 1) {
		hs->c_skipped++;
		return false;
	}
	if (!batch_write(hs))
		return true;
	if (write_binding(hs->st, b, old_ncoa, now_ms, &b->durable_s) < 0)
		batch_failed(hs);
	else
		hs->c_writes++;
	return true;
}

void hastore_del(struct hastore *hs, uint32_t home_addr)
{
	if (!batch_write(hs))
		return;
	if (store_del(hs->st, home_addr) < 0)
		batch_failed(hs);
	else
		hs->c_writes++;
}

void hastore_replay(struct hastore *hs, uint32_t spi, uint64_t last_id)
{
	if (!batch_write(hs))
		return;
	if (store_put_replay(hs->st, spi, last_id) < 0)
		batch_failed(hs);
}

/* Close everything we had and write a new file from memory.  0, or -1
 * with the reason in err. */
static int rewrite(struct hastore *hs, char *err, size_t errlen)
{
	struct store *n = NULL;

	/* Closing the old handle also removes its log, which sits at the
	 * path the new file's log will take. */
	store_close(hs->st);
	hs->st = NULL;
	if (open_file(hs, &n, err, errlen) < 0)
		return -1;
	if (store_begin(n) < 0 || hs->dump(hs->ctx, n) < 0 ||
	    store_commit(n) < 0) {
		snprintf(err, errlen, "%s: writing it anew: %s", hs->path,
			 store_errmsg(n));
		(void)store_rollback(n);
		store_close(n);
		/* a half-made file must not pass for ours next time */
		(void)unlink(hs->path);
		return -1;
	}
	hs->st = n;
	return 0;
}

/*
 * The path does not name the file we use (store_check_file() failed).
 * A deleted file is written anew from memory (at most every RETRY_MS); a
 * replaced one is left alone.  True when the store is ours again.
 */
static bool recover(struct hastore *hs, uint64_t now)
{
	char err[REASON_MAX];

	if (hs->st && access(hs->path, F_OK) == 0) {
		if (!hs->not_ours) {
			hs->not_ours = true;
			fail(hs, store_errmsg(hs->st), now);
		}
		return false;
	}
	if (hs->failing && now - hs->last_retry_ms < RETRY_MS)
		return false;
	hs->last_retry_ms = now;
	if (hs->st)
		log_warnx("state-db: %s", store_errmsg(hs->st));
	if (rewrite(hs, err, sizeof err) < 0) {
		fail(hs, err, now);
		return false;
	}
	hs->c_recover++;
	log_warnx("state-db: %s written anew from memory", hs->path);
	healed(hs, now);
	return true;
}

/* Whether the path still names our file (recovering it when it can). */
static bool file_ours(struct hastore *hs, uint64_t now)
{
	if (hs->st && store_check_file(hs->st) == 0)
		return true;
	return recover(hs, now);
}

enum hastore_verdict hastore_batch_end(struct hastore *hs, uint64_t now_ms)
{
	enum hastore_verdict v = HASTORE_DURABLE;
	bool wrote = hs->txn;

	if (hs->txn) {
		hs->txn = false;
		if (hs->batch_bad) {
			(void)store_rollback(hs->st);
			v = HASTORE_WRITES_LOST;
		} else if (store_commit(hs->st) < 0) {
			fail(hs, store_errmsg(hs->st), now_ms);
			v = HASTORE_WRITES_LOST;
		}
	} else if (hs->batch_bad) {
		v = HASTORE_WRITES_LOST;
	}
	if (!file_ours(hs, now_ms))
		return HASTORE_NOT_DURABLE;
	if (v == HASTORE_DURABLE && wrote)
		healed(hs, now_ms);
	return v;
}

int hastore_reload(struct hastore *hs, uint32_t home_addr,
		   int (*fn)(void *ctx, const struct mip4_binding *b,
			     int64_t expires_wall),
		   int (*coa_fn)(void *ctx, uint32_t home_addr,
				 const struct mip4_coa *c, int64_t expires_wall),
		   void *ctx)
{
	if (!hs->st)
		return -1;
	if (store_get(hs->st, home_addr, fn, coa_fn, ctx) < 0) {
		log_warnx("state-db: reading back a binding: %s",
			  store_errmsg(hs->st));
		return -1;
	}
	return 0;
}

void hastore_refused(struct hastore *hs, unsigned n)
{
	hs->c_refused += n;
	hs->refused_since_log += n;
}

void hastore_put_now(struct hastore *hs, struct mip4_binding *b,
		     size_t old_ncoa, uint64_t now_ms)
{
	if (hs->elect && !hs->active)
		return; /* expiries are the active home agent's to store */
	if (!hs->st ||
	    write_binding(hs->st, b, old_ncoa, now_ms, &b->durable_s) < 0) {
		fail(hs, hs->st ? store_errmsg(hs->st) : hs->reason, now_ms);
		return;
	}
	hs->c_writes++;
}

void hastore_del_now(struct hastore *hs, uint32_t home_addr)
{
	if (hs->elect && !hs->active)
		return;
	if (!hs->st || store_del(hs->st, home_addr) < 0) {
		fail(hs, hs->st ? store_errmsg(hs->st) : hs->reason,
		     mip4d_now_ms());
		return;
	}
	hs->c_writes++;
}

void hastore_elect(struct hastore *hs)
{
	const char *holder = "";
	int r;
	bool was = hs->active;

	if (!hs->elect)
		return;
	r = store_elect(hs->st);
	hs->reachable = r >= 0;
	hs->active = r == 1;
	(void)store_holder(hs->st, &holder);
	if (hs->active && !was) {
		hs->c_elections++;
		log_info("election: active (the election key %sleader holds "
			 "our lease)", hs->etcd.prefix);
	} else if (!hs->active && was) {
		log_warnx("election: standby: %s; registrations are refused "
			  "with 130", r < 0 ? store_errmsg(hs->st)
					    : "another home agent holds the key");
	}
}

void hastore_tick(struct hastore *hs, uint64_t now_ms)
{
	hastore_elect(hs);
	if (!file_ours(hs, now_ms))
		return;
	if (hs->failing && now_ms - hs->last_retry_ms >= RETRY_MS) {
		hs->last_retry_ms = now_ms;
		if (store_probe(hs->st) == 0)
			healed(hs, now_ms);
		else
			fail(hs, store_errmsg(hs->st), now_ms);
	}
	if (store_wal_frames(hs->st) >= CKPT_FRAMES) {
		if (store_checkpoint(hs->st) < 0)
			log_debug("state-db: %s", store_errmsg(hs->st));
		else
			hs->c_ckpt++;
	}
}

bool hastore_failing(const struct hastore *hs)
{
	return hs->failing;
}

json_object *hastore_status(const struct hastore *hs, uint64_t now_ms)
{
	json_object *o = json_object_new_object();

	jadd_str(o, "path", hs->path);
	jadd_str(o, "state", hs->failing ? "failing" : "ok");
	if (hs->failing) {
		jadd_str(o, "reason", hs->reason);
		jadd_int(o, "failing_for_s",
			 (int64_t)((now_ms - hs->since_ms) / 1000));
	}
	if (hs->warning[0])
		jadd_str(o, "start_warning", hs->warning);
	jadd_int(o, "wal_frames", hs->st ? store_wal_frames(hs->st) : 0);
	if (hs->elect) {
		json_object *e = json_object_new_object();
		const char *holder = "";

		(void)store_holder(hs->st, &holder);
		jadd_str(e, "name", hs->etcd.name);
		jadd_str(e, "role", hs->active ? "active" : "standby");
		jadd_str(e, "holder", holder);
		jadd_str(e, "etcd", hs->reachable ? "reachable" : "unreachable");
		json_object_object_add(o, "election", e);
	}
	return o;
}

void hastore_counters(const struct hastore *hs, json_object *o)
{
	jadd_int(o, "writes", (int64_t)hs->c_writes);
	jadd_int(o, "renewals-not-rewritten", (int64_t)hs->c_skipped);
	jadd_int(o, "write-errors", (int64_t)hs->c_errors);
	jadd_int(o, "refused-130", (int64_t)hs->c_refused);
	jadd_int(o, "checkpoints", (int64_t)hs->c_ckpt);
	jadd_int(o, "recoveries", (int64_t)hs->c_recover);
	if (hs->elect) {
		jadd_int(o, "refused-standby", (int64_t)hs->c_standby);
		jadd_int(o, "elected", (int64_t)hs->c_elections);
	}
}
