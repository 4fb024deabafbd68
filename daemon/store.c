/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/store.c - bindings and replay state in SQLite (see store.h).
 *
 * Durability.  The file runs in WAL mode with synchronous=NORMAL.  A commit
 * appends its pages to the -wal file with write(2) before sqlite3_step()
 * returns; from then on the data sits in the kernel's page cache, which
 * does not belong to the process, so kill -9 (or any crash of mip4d)
 * cannot lose it: the next open replays the WAL.  What NORMAL gives up is
 * the fsync(2) per commit: WAL frames are only synced before a checkpoint
 * copies them into the database, so an OS crash or power loss can roll
 * back the last transactions, never corrupt the file.  A home agent
 * recovers from that (MNs re-register within a lifetime) but not from a
 * registration rate capped by disk flushes, hence the default.
 * STORE_SYNC_FULL (config `state-sync full`) fsyncs the WAL at every
 * commit for those who want power-loss durability; batch with
 * store_begin()/store_commit() to pay one fsync per burst.
 *
 * Hot path.  Every statement is prepared once, with SQLITE_PREPARE_PERSISTENT,
 * and reset after each use so that no read transaction stays open.  The
 * binding table is keyed by home address as its INTEGER PRIMARY KEY (the
 * rowid: no second b-tree) and has no other index, so an upsert touches
 * one b-tree; store_load() scans it once at start, which needs none.
 *
 * SQLite stores signed 64-bit integers: uint64_t values (identifications,
 * whose NTP seconds have the top bit set, and counters) are stored as
 * their bit pattern.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include <sqlite3.h>

#include "etcdstore.h"
#include "store.h"
#include "walscan.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define STORE_ERR_MAX 320
#define STORE_NAI_MAX 255 /* RFC 2794 §2: one length octet */
/* The WAL is reused, not shrunk, after a checkpoint; a registration storm
 * batched into one transaction would otherwise leave a large file behind. */
#define STORE_WAL_LIMIT (16 << 20)

enum store_stmt {
	ST_PUT,
	ST_DEL,
	ST_PURGE,
	ST_LOAD,
	ST_COUNT,
	ST_REPLAY_PUT,
	ST_REPLAY_GET,
	ST_REPLAY_DEL,
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_COA_PUT,
	ST_COA_DEL,
	ST_COA_PURGE,
	ST_PURGE_ORPHANS,
	ST_COA_LOAD,
	ST_GET,
	ST_COA_GET,
	ST_PROBE,
	ST__MAX
};

/* Binding columns, in the order of ST_PUT's parameters and ST_LOAD's
 * result columns (the parameter index is the column index + 1). */
enum store_col {
	C_HOME_ADDR,
	C_NAI,
	C_COA,
	C_PEER_ADDR,
	C_PEER_PORT,
	C_LIFETIME,
	C_KEEPALIVE,
	C_FLAGS,
	C_ENCAP,
	C_SPI,
	C_LAST_ID,
	C_EXPIRES_WALL,
	C_PKTS_TO_MN,
	C_BYTES_TO_MN,
	C_PKTS_FROM_MN,
	C_BYTES_FROM_MN,
	C__MAX
};

/* Columns of a further care-of address (schema version 2), likewise. */
enum store_coa_col {
	CC_HOME_ADDR,
	CC_COA,
	CC_PEER_ADDR,
	CC_PEER_PORT,
	CC_LIFETIME,
	CC_KEEPALIVE,
	CC_ENCAP,
	CC_EXPIRES_WALL,
	CC__MAX
};

#define COA_COLS                                                              \
	"home_addr, coa, peer_addr, peer_port, lifetime, keepalive, encap, "  \
	"expires_wall"

#define BINDING_COLS                                                          \
	"home_addr, nai, coa, peer_addr, peer_port, lifetime, keepalive, "    \
	"flags, encap, spi, last_id, expires_wall, "                          \
	"pkts_to_mn, bytes_to_mn, pkts_from_mn, bytes_from_mn"

/* Parenthesised: clang's -Wstring-concatenation takes a literal split
 * over lines inside an array initialiser for a missing comma. */
static const char *const stmt_sql[ST__MAX] = {
	[ST_PUT] = ("INSERT OR REPLACE INTO binding (" BINDING_COLS ") VALUES "
		    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
		    "?13, ?14, ?15, ?16)"),
	[ST_DEL] = "DELETE FROM binding WHERE home_addr = ?1",
	/* a binding whose first care-of address expired lives on while it
	 * has others (RFC 5944 §4.2.3); ST_COA_PURGE runs first */
	[ST_PURGE] = ("DELETE FROM binding WHERE expires_wall <= ?1 AND NOT "
		      "EXISTS (SELECT 1 FROM binding_coa c WHERE c.home_addr "
		      "= binding.home_addr)"),
	[ST_LOAD] = ("SELECT " BINDING_COLS " FROM binding"),
	[ST_COUNT] = "SELECT count(*) FROM binding",
	[ST_REPLAY_PUT] = ("INSERT OR REPLACE INTO replay (spi, last_id) "
			   "VALUES (?1, ?2)"),
	[ST_REPLAY_GET] = "SELECT last_id FROM replay WHERE spi = ?1",
	[ST_REPLAY_DEL] = "DELETE FROM replay WHERE spi = ?1",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_COA_PUT] = ("INSERT OR REPLACE INTO binding_coa (" COA_COLS ") "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
	[ST_COA_DEL] = "DELETE FROM binding_coa WHERE home_addr = ?1",
	[ST_COA_PURGE] = "DELETE FROM binding_coa WHERE expires_wall <= ?1",
	[ST_PURGE_ORPHANS] = ("DELETE FROM binding_coa WHERE home_addr NOT IN "
			      "(SELECT home_addr FROM binding)"),
	[ST_COA_LOAD] = ("SELECT " COA_COLS " FROM binding_coa"),
	[ST_GET] = ("SELECT " BINDING_COLS " FROM binding WHERE home_addr = ?1"),
	[ST_COA_GET] = ("SELECT " COA_COLS " FROM binding_coa WHERE "
			"home_addr = ?1"),
	/* rewrites the header page with what it holds: a real write */
	[ST_PROBE] = ("PRAGMA user_version = " STR(STORE_SCHEMA_VERSION)),
};

/* Version 1; store_migrate() brings it to STORE_SCHEMA_VERSION.  A later
 * version adds a step there and bumps STORE_SCHEMA_VERSION.  The binding
 * row holds the binding and its first care-of address. */
static const char schema_v1[] =
	"CREATE TABLE binding ("
	" home_addr INTEGER PRIMARY KEY," /* host byte order */
	" nai TEXT,"
	" coa INTEGER NOT NULL,"
	" peer_addr INTEGER NOT NULL,"
	" peer_port INTEGER NOT NULL,"
	" lifetime INTEGER NOT NULL,"
	" keepalive INTEGER NOT NULL,"
	" flags INTEGER NOT NULL,"
	" encap INTEGER NOT NULL,"
	" spi INTEGER NOT NULL,"
	" last_id INTEGER NOT NULL,"      /* uint64_t bit pattern */
	" expires_wall INTEGER NOT NULL," /* Unix seconds */
	" pkts_to_mn INTEGER NOT NULL,"
	" bytes_to_mn INTEGER NOT NULL,"
	" pkts_from_mn INTEGER NOT NULL,"
	" bytes_from_mn INTEGER NOT NULL);"
	"CREATE TABLE replay ("
	" spi INTEGER PRIMARY KEY,"
	" last_id INTEGER NOT NULL);";

/* Version 1 -> 2: the further care-of addresses of simultaneous bindings
 * (RFC 5944 §3.6.1.2), each with its own expiry; a table of its own so
 * that the common binding with one care-of address costs nothing more. */
static const char schema_v2[] =
	"CREATE TABLE binding_coa ("
	" home_addr INTEGER NOT NULL,"
	" coa INTEGER NOT NULL,"
	" peer_addr INTEGER NOT NULL,"
	" peer_port INTEGER NOT NULL,"
	" lifetime INTEGER NOT NULL,"
	" keepalive INTEGER NOT NULL,"
	" encap INTEGER NOT NULL,"
	" expires_wall INTEGER NOT NULL," /* Unix seconds */
	" PRIMARY KEY (home_addr, coa)) WITHOUT ROWID;";

struct store {
	struct etcdstore *etcd; /* the etcd backend instead of the file */
	sqlite3 *db;
	sqlite3_stmt *st[ST__MAX];
	bool in_batch;
	char *path;
	dev_t dev; /* the file we opened (store_check_file()) */
	ino_t ino;
	int wal_frames; /* in the log after the last commit */
	char err[STORE_ERR_MAX];
	char warning[STORE_ERR_MAX]; /* store_open_warning() */
};

__attribute__((format(printf, 3, 4))) static void
msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Fail with "WHAT: <sqlite's message>", and the system's reason when the
 * file system said no ("No space left on device", "Read-only file
 * system"). */
static int db_fail(struct store *s, const char *what)
{
	int rc = sqlite3_extended_errcode(s->db) & 0xff;
	int e = sqlite3_system_errno(s->db);

	if (e && (rc == SQLITE_IOERR || rc == SQLITE_FULL ||
		  rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN))
		msg(s->err, sizeof s->err, "%s: %s: %s", what,
		    sqlite3_errmsg(s->db), strerror(e));
	else
		msg(s->err, sizeof s->err, "%s: %s", what,
		    sqlite3_errmsg(s->db));
	return -1;
}

static int64_t u64_to_i64(uint64_t v)
{
	int64_t r;

	memcpy(&r, &v, sizeof r);
	return r;
}

static uint64_t i64_to_u64(int64_t v)
{
	uint64_t r;

	memcpy(&r, &v, sizeof r);
	return r;
}

static void addr_str(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
		 (a >> 8) & 0xff, a & 0xff);
}

/* Step a statement that returns no rows, then reset it. */
static int run(struct store *s, enum store_stmt which, const char *what)
{
	sqlite3_stmt *st = s->st[which];
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_fail(s, what);
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

/*
 * The first statement that reads the file tells us what it is; turn
 * SQLite's terse codes into something an operator can act on.
 */
static void open_explain(sqlite3 *db, const char *path, int rc, char *err,
			 size_t errlen)
{
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
		msg(err, errlen,
		    "%s: not an SQLite database (%s); move it aside to start "
		    "with no stored bindings", path, sqlite3_errmsg(db));
		break;
	case SQLITE_CORRUPT:
		msg(err, errlen,
		    "%s: database is damaged (%s); move it aside to start "
		    "with no stored bindings", path, sqlite3_errmsg(db));
		break;
	case SQLITE_BUSY:
		msg(err, errlen,
		    "%s: in use by another process (another mip4d?)", path);
		break;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_PERM:
	case SQLITE_READONLY: {
		int e = sqlite3_system_errno(db);

		msg(err, errlen, "%s: %s%s%s", path, sqlite3_errmsg(db),
		    e ? ": " : "", e ? strerror(e) : "");
		break;
	}
	case SQLITE_DONE:
		msg(err, errlen, "%s: SQLite gave no answer", path);
		break;
	default:
		msg(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		break;
	}
}

/* Run SQL with no result rows, during open (no store yet). */
static int open_exec(sqlite3 *db, const char *path, const char *sql,
		     char *err, size_t errlen)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	open_explain(db, path, rc, err, errlen);
	return -1;
}

/* One integer from a PRAGMA. */
static int open_pragma_int(sqlite3 *db, const char *path, const char *sql,
			   int64_t *out, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	*out = 0;
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK)
		open_explain(db, path, rc, err, errlen);
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -1;
}

/* One text row from a PRAGMA, compared with want. */
static int open_pragma_expect(sqlite3 *db, const char *path, const char *sql,
			      const char *want, const char *problem,
			      char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	int ret = -1;

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *got = sqlite3_column_text(st, 0);

		if (got && strcmp((const char *)got, want) == 0)
			ret = 0;
		else
			msg(err, errlen, "%s: %s (%s)", path, problem,
			    got ? (const char *)got : "no answer");
	} else {
		open_explain(db, path, rc, err, errlen);
	}
	sqlite3_finalize(st);
	return ret;
}

/*
 * PRAGMA quick_check: O(file size), once at start, so that damage is one
 * clear message now rather than a failure in the middle of the load or of
 * a registration.  Its first finding goes in the message, on one line.
 */
static int open_quick_check(sqlite3 *db, const char *path, char *err,
			    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char what[160] = "";
	int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		open_explain(db, path, rc, err, errlen);
		sqlite3_finalize(st);
		return -1;
	}
	{
		const unsigned char *t = sqlite3_column_text(st, 0);

		snprintf(what, sizeof what, "%s", t ? (const char *)t : "?");
	}
	sqlite3_finalize(st);
	if (strcmp(what, "ok") == 0)
		return 0;
	for (char *p = what; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	msg(err, errlen,
	    "%s: database is damaged (quick_check: %s); move it aside to "
	    "start with no stored bindings", path, what);
	return -1;
}

/* Bring an empty file or an older schema up to STORE_SCHEMA_VERSION, in
 * one transaction. */
static int store_migrate(sqlite3 *db, const char *path, int64_t version,
			 char *err, size_t errlen)
{
	char sql[128];
	int64_t again, tables;

	if (version == STORE_SCHEMA_VERSION)
		return 0;
	if (open_exec(db, path, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	/* re-read under the write lock */
	if (open_pragma_int(db, path, "PRAGMA user_version", &again, err,
			    errlen) < 0 ||
	    open_pragma_int(db, path, "SELECT count(*) FROM sqlite_master",
			    &tables, err, errlen) < 0)
		goto fail;
	if (again != version) {
		msg(err, errlen, "%s: schema changed while opening", path);
		goto fail;
	}
	if (version == 0) {
		/* A fresh file, or someone else's SQLite file that never set
		 * user_version: never add our tables to the latter. */
		if (tables != 0) {
			msg(err, errlen,
			    "%s: an SQLite database, but not a mip4d state "
			    "file (it has tables and no schema version)",
			    path);
			goto fail;
		}
		if (open_exec(db, path, schema_v1, err, errlen) < 0)
			goto fail;
	}
	if (version <= 1 &&
	    open_exec(db, path, schema_v2, err, errlen) < 0)
		goto fail;
	snprintf(sql, sizeof sql,
		 "PRAGMA application_id = %d; PRAGMA user_version = %d",
		 STORE_APPLICATION_ID, STORE_SCHEMA_VERSION);
	if (open_exec(db, path, sql, err, errlen) < 0 ||
	    open_exec(db, path, "COMMIT", err, errlen) < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Everything store_open() checks and sets, on an open handle. */
static int open_setup(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	int64_t app_id, version;

	sqlite3_extended_result_codes(db, 1);
	/* Never let a tampered file's schema run functions with side
	 * effects; refuse writes that could corrupt the schema. */
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	if (sqlite3_db_readonly(db, "main") == 1) {
		msg(err, errlen, "%s: opened read-only; mip4d must be able "
			    "to write its state file", path);
		return -1;
	}
	/* Exclusive locking: the lock taken below is held until close, so
	 * a second process is refused; and with it the WAL index lives in
	 * heap memory, so there is no -shm file to mmap. */
	if (open_exec(db, path, "PRAGMA locking_mode = EXCLUSIVE", err,
		      errlen) < 0)
		return -1;
	/* The first read of the file: garbage, damage and a lock held by
	 * another process all show here.  Check before changing anything. */
	if (open_pragma_int(db, path, "PRAGMA application_id", &app_id, err,
			    errlen) < 0 ||
	    open_pragma_int(db, path, "PRAGMA user_version", &version, err,
			    errlen) < 0)
		return -1;
	if (app_id != 0 && app_id != STORE_APPLICATION_ID) {
		msg(err, errlen,
		    "%s: an SQLite database, but not a mip4d state file "
		    "(application_id 0x%08llx)", path,
		    (unsigned long long)(uint32_t)app_id);
		return -1;
	}
	if (version > STORE_SCHEMA_VERSION) {
		msg(err, errlen,
		    "%s: schema version %lld was written by a newer mip4d; "
		    "this one understands up to version %d and will not "
		    "touch it", path, (long long)version, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (version < 0 || (version > 0 && app_id != STORE_APPLICATION_ID)) {
		msg(err, errlen,
		    "%s: an SQLite database, but not a mip4d state file "
		    "(schema version %lld, application_id 0x%08llx)", path,
		    (long long)version, (unsigned long long)(uint32_t)app_id);
		return -1;
	}
	if (open_pragma_expect(db, path, "PRAGMA journal_mode = WAL", "wal",
			       "cannot switch to WAL mode", err, errlen) < 0 ||
	    open_exec(db, path, "PRAGMA synchronous = NORMAL", err,
		      errlen) < 0)
		return -1;
	{
		char sql[64];

		snprintf(sql, sizeof sql, "PRAGMA journal_size_limit = %d",
			 STORE_WAL_LIMIT);
		if (open_exec(db, path, sql, err, errlen) < 0)
			return -1;
	}
	if (open_quick_check(db, path, err, errlen) < 0)
		return -1;
	if (store_migrate(db, path, version, err, errlen) < 0)
		return -1;
	/* Take the exclusive lock now (a write transaction keeps it in
	 * exclusive locking mode) even when nothing needed writing. */
	if (open_exec(db, path, "BEGIN IMMEDIATE; COMMIT", err, errlen) < 0)
		return -1;
	return 0;
}

/* The directory part of path ("." for none). */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* A state directory on a read-only file system says so, whatever SQLite
 * made of it (it tends to report the file as missing). */
static void explain_readonly(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	struct statvfs vfs;

	dir_of(path, dir, sizeof dir);
	if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
		msg(err, errlen,
		    "%s: the file system of %s is mounted read-only; mip4d "
		    "must be able to write its state file", path, dir);
}

/* Which file we opened, for store_check_file(). */
static int open_identity(struct store *s, const char *path, char *err,
			 size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		msg(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return 0;
}

static int wal_hook(void *ctx, sqlite3 *db, const char *name, int frames)
{
	(void)db;
	(void)name;
	((struct store *)ctx)->wal_frames = frames;
	return SQLITE_OK;
}

/*
 * SQLite recovers a log up to its first damaged frame and ignores the
 * rest, committed transactions included, without a word.  Compare what
 * the log held (walscan.h) with what recovery kept; when transactions
 * were dropped, keep a copy of the log and say so in store_open_warning().
 * Runs before anything writes to the log.
 */
static void open_wal_check(struct store *s, const char *path)
{
	struct walscan w;
	int nlog = 0, nckpt = 0;
	char copy[4200];

	if (sqlite3_wal_checkpoint_v2(s->db, "main", SQLITE_CHECKPOINT_PASSIVE,
				      &nlog, &nckpt) != SQLITE_OK) {
		msg(s->warning, sizeof s->warning,
		    "%s: cannot checkpoint the log at start: %s", path,
		    sqlite3_errmsg(s->db));
		return;
	}
	s->wal_frames = nlog > 0 ? nlog : 0;
	if (walscan_file(path, (uint64_t)(nlog > 0 ? nlog : 0), &w) < 0) {
		msg(s->warning, sizeof s->warning,
		    "%s-wal: cannot read it to check what recovery kept: %s",
		    path, strerror(errno));
		return;
	}
	if (w.lost == 0)
		return;
	if (walscan_keep_copy(path, (long long)time(NULL), copy,
			      sizeof copy) < 0)
		snprintf(copy, sizeof copy, "(no copy kept: %s)",
			 strerror(errno));
	msg(s->warning, sizeof s->warning,
	    "%s-wal is damaged: %llu committed transaction(s) from frame "
	    "%llu of %llu on were dropped by recovery, with the bindings and "
	    "replay state they held; the log as found is in %s", path,
	    (unsigned long long)w.lost, (unsigned long long)w.first_lost,
	    (unsigned long long)w.frames, copy);
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store *s;
	mode_t old_umask;
	int rc;

	*out = NULL;
	msg(err, errlen, "%s", "");
	s = calloc(1, sizeof *s);
	if (s)
		s->path = strdup(path);
	if (!s || !s->path) {
		free(s);
		msg(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* The bindings, their SPIs and identifications are nobody else's:
	 * the directory 0700 when we make it, the files 0600 whatever the
	 * umask. */
	{
		char dir[4096];
		const char *slash = strrchr(path, '/');

		if (slash && slash != path && (size_t)(slash - path) < sizeof dir) {
			memcpy(dir, path, (size_t)(slash - path));
			dir[slash - path] = '\0';
			struct stat st;

			/* (only when missing: the engine may not mkdir) */
			if (stat(dir, &st) < 0 && mkdir(dir, 0700) < 0 &&
			    errno != EEXIST) {
				msg(err, errlen, "%s: directory %s: %s", path, dir,
				    strerror(errno));
				free(s->path);
				free(s);
				return -1;
			}
		}
	}
	old_umask = umask(0077);
	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		umask(old_umask);
		if (s->db)
			open_explain(s->db, path, rc, err, errlen);
		else
			msg(err, errlen, "%s: %s", path, sqlite3_errstr(rc));
		goto fail;
	}
	/* the WAL is made on the first write, in open_setup */
	rc = open_setup(s->db, path, err, errlen);
	umask(old_umask);
	if (rc < 0)
		goto fail;
	if (open_identity(s, path, err, errlen) < 0)
		goto fail;
	/* Checkpoints are the daemon's to schedule (store_checkpoint()),
	 * never inside a commit whose replies wait for it. */
	sqlite3_wal_hook(s->db, wal_hook, s);
	open_wal_check(s, path);
	for (int i = 0; i < ST__MAX; i++) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
					SQLITE_PREPARE_PERSISTENT, &s->st[i],
					NULL);
		if (rc != SQLITE_OK) {
			/* the tables are there but not as we made them */
			msg(err, errlen, "%s: schema damaged: %s", path,
			    sqlite3_errmsg(s->db));
			goto fail;
		}
	}
	*out = s;
	return 0;
fail:
	explain_readonly(path, err, errlen);
	store_close(s);
	return -1;
}

int store_open_etcd(const uint32_t *addr, const uint16_t *port, unsigned n,
		    const char *prefix, unsigned timeout_ms, struct store **out,
		    char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof *s);

	*out = NULL;
	if (!s) {
		msg(err, errlen, "etcd: out of memory");
		return -1;
	}
	if (etcdstore_open(addr, port, n, prefix, timeout_ms, &s->etcd, err,
			   errlen) < 0) {
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void store_elect_setup(struct store *s, const char *name, unsigned ttl_s)
{
	if (s->etcd)
		etcdstore_elect_setup(s->etcd, name, ttl_s);
}

int store_elect(struct store *s)
{
	return s->etcd ? etcdstore_elect(s->etcd) : -1;
}

bool store_holder(const struct store *s, const char **name)
{
	if (!s->etcd) {
		if (name)
			*name = "";
		return false;
	}
	return etcdstore_holder(s->etcd, name);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->etcd) {
		etcdstore_close(s->etcd);
		free(s);
		return;
	}
	if (s->in_batch && s->st[ST_ROLLBACK])
		sqlite3_step(s->st[ST_ROLLBACK]);
	for (int i = 0; i < ST__MAX; i++)
		sqlite3_finalize(s->st[i]);
	/* sqlite3_close() checkpoints the WAL and removes it. */
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int store_set_sync(struct store *s, enum store_sync sync)
{
	if (s->etcd)
		return 0;
	const char *sql;

	switch (sync) {
	case STORE_SYNC_NORMAL:
		sql = "PRAGMA synchronous = NORMAL";
		break;
	case STORE_SYNC_FULL:
		sql = "PRAGMA synchronous = FULL";
		break;
	default:
		msg(s->err, sizeof s->err, "set sync: unknown mode %d",
		    (int)sync);
		return -1;
	}
	if (s->in_batch) {
		msg(s->err, sizeof s->err, "set sync: inside a batch");
		return -1;
	}
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, "set sync");
	return 0;
}

int store_put(struct store *s, const struct mip4_binding *b,
	      int64_t expires_wall)
{
	sqlite3_stmt *st = s->st[ST_PUT];
	char what[40];

	if (s->etcd)
		return etcdstore_put(s->etcd, b, expires_wall);
	if (b->nai && b->nai[0])
		sqlite3_bind_text(st, C_NAI + 1, b->nai, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, C_NAI + 1);
	sqlite3_bind_int64(st, C_HOME_ADDR + 1, b->home_addr);
	sqlite3_bind_int64(st, C_COA + 1, b->coa);
	sqlite3_bind_int64(st, C_PEER_ADDR + 1, b->peer_addr);
	sqlite3_bind_int(st, C_PEER_PORT + 1, b->peer_port);
	sqlite3_bind_int(st, C_LIFETIME + 1, b->lifetime);
	sqlite3_bind_int(st, C_KEEPALIVE + 1, b->keepalive);
	sqlite3_bind_int(st, C_FLAGS + 1, b->flags);
	sqlite3_bind_int(st, C_ENCAP + 1, b->encap);
	sqlite3_bind_int64(st, C_SPI + 1, b->spi);
	sqlite3_bind_int64(st, C_LAST_ID + 1, u64_to_i64(b->last_id));
	sqlite3_bind_int64(st, C_EXPIRES_WALL + 1, expires_wall);
	sqlite3_bind_int64(st, C_PKTS_TO_MN + 1, u64_to_i64(b->pkts_to_mn));
	sqlite3_bind_int64(st, C_BYTES_TO_MN + 1, u64_to_i64(b->bytes_to_mn));
	sqlite3_bind_int64(st, C_PKTS_FROM_MN + 1,
			   u64_to_i64(b->pkts_from_mn));
	sqlite3_bind_int64(st, C_BYTES_FROM_MN + 1,
			   u64_to_i64(b->bytes_from_mn));
	if (sqlite3_step(st) == SQLITE_DONE) {
		/* drop the pointer to the caller's NAI */
		sqlite3_bind_null(st, C_NAI + 1);
		sqlite3_reset(st);
		return 0;
	}
	{
		char a[16];

		addr_str(b->home_addr, a, sizeof a);
		snprintf(what, sizeof what, "put %s", a);
	}
	db_fail(s, what);
	sqlite3_bind_null(st, C_NAI + 1);
	sqlite3_reset(st);
	return -1;
}

int store_del(struct store *s, uint32_t home_addr)
{
	if (s->etcd)
		return etcdstore_del(s->etcd, home_addr);
	sqlite3_bind_int64(s->st[ST_DEL], 1, home_addr);
	if (run(s, ST_DEL, "delete") < 0)
		return -1;
	sqlite3_bind_int64(s->st[ST_COA_DEL], 1, home_addr);
	return run(s, ST_COA_DEL, "delete care-of addresses");
}

int store_put_coas(struct store *s, uint32_t home_addr,
		   const struct mip4_coa *c, const int64_t *expires_wall,
		   size_t n)
{
	sqlite3_stmt *st = s->st[ST_COA_PUT];

	if (s->etcd)
		return etcdstore_put_coas(s->etcd, home_addr, c, expires_wall,
					  n);
	sqlite3_bind_int64(s->st[ST_COA_DEL], 1, home_addr);
	if (run(s, ST_COA_DEL, "delete care-of addresses") < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, CC_HOME_ADDR + 1, home_addr);
		sqlite3_bind_int64(st, CC_COA + 1, c[i].coa);
		sqlite3_bind_int64(st, CC_PEER_ADDR + 1, c[i].peer_addr);
		sqlite3_bind_int(st, CC_PEER_PORT + 1, c[i].peer_port);
		sqlite3_bind_int(st, CC_LIFETIME + 1, c[i].lifetime);
		sqlite3_bind_int(st, CC_KEEPALIVE + 1, c[i].keepalive);
		sqlite3_bind_int(st, CC_ENCAP + 1, c[i].encap);
		sqlite3_bind_int64(st, CC_EXPIRES_WALL + 1, expires_wall[i]);
		if (run(s, ST_COA_PUT, "put care-of address") < 0)
			return -1;
	}
	return 0;
}

/* An integer column of a loaded row, within [min, max]. */
static bool col_int(sqlite3_stmt *st, enum store_col c, int64_t min,
		    int64_t max, int64_t *v)
{
	if (sqlite3_column_type(st, (int)c) != SQLITE_INTEGER)
		return false;
	*v = sqlite3_column_int64(st, (int)c);
	return *v >= min && *v <= max;
}

static const char *const col_name[C__MAX] = {
	"home_addr", "nai", "coa", "peer_addr", "peer_port", "lifetime",
	"keepalive", "flags", "encap", "spi", "last_id", "expires_wall",
	"pkts_to_mn", "bytes_to_mn", "pkts_from_mn", "bytes_from_mn",
};

/*
 * Fill b from the current row of ST_LOAD, checking every value fits its
 * field (a tampered or damaged file must not smuggle in a truncated
 * address).  Returns the column at fault, or C__MAX when all are good.
 */
static enum store_col row_decode(sqlite3_stmt *st, struct mip4_binding *b,
				 char *nai, int64_t *expires_wall)
{
	static const struct {
		enum store_col c;
		int64_t max;
	} small[] = {
		{ C_HOME_ADDR, UINT32_MAX }, { C_COA, UINT32_MAX },
		{ C_PEER_ADDR, UINT32_MAX }, { C_PEER_PORT, UINT16_MAX },
		{ C_LIFETIME, UINT16_MAX },  { C_KEEPALIVE, UINT16_MAX },
		{ C_FLAGS, UINT8_MAX },	     { C_ENCAP, UINT8_MAX },
		{ C_SPI, UINT32_MAX },
	};
	static const enum store_col wide[] = {
		C_LAST_ID, C_EXPIRES_WALL, C_PKTS_TO_MN, C_BYTES_TO_MN,
		C_PKTS_FROM_MN, C_BYTES_FROM_MN,
	};
	int64_t v[C__MAX] = { 0 };

	for (size_t i = 0; i < sizeof small / sizeof small[0]; i++)
		if (!col_int(st, small[i].c, 0, small[i].max, &v[small[i].c]))
			return small[i].c;
	for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
		if (!col_int(st, wide[i], INT64_MIN, INT64_MAX, &v[wide[i]]))
			return wide[i];

	memset(b, 0, sizeof *b);
	switch (sqlite3_column_type(st, C_NAI)) {
	case SQLITE_NULL:
		break;
	case SQLITE_TEXT: {
		const unsigned char *t = sqlite3_column_text(st, C_NAI);
		int n = sqlite3_column_bytes(st, C_NAI);

		if (!t || n <= 0 || n > STORE_NAI_MAX ||
		    memchr(t, '\0', (size_t)n))
			return C_NAI;
		memcpy(nai, t, (size_t)n);
		nai[n] = '\0';
		b->nai = nai;
		break;
	}
	default:
		return C_NAI;
	}
	b->home_addr = (uint32_t)v[C_HOME_ADDR];
	b->coa = (uint32_t)v[C_COA];
	b->peer_addr = (uint32_t)v[C_PEER_ADDR];
	b->peer_port = (uint16_t)v[C_PEER_PORT];
	b->lifetime = (uint16_t)v[C_LIFETIME];
	b->keepalive = (uint16_t)v[C_KEEPALIVE];
	b->flags = (uint8_t)v[C_FLAGS];
	b->encap = (uint8_t)v[C_ENCAP];
	b->spi = (uint32_t)v[C_SPI];
	b->last_id = i64_to_u64(v[C_LAST_ID]);
	b->pkts_to_mn = i64_to_u64(v[C_PKTS_TO_MN]);
	b->bytes_to_mn = i64_to_u64(v[C_BYTES_TO_MN]);
	b->pkts_from_mn = i64_to_u64(v[C_PKTS_FROM_MN]);
	b->bytes_from_mn = i64_to_u64(v[C_BYTES_FROM_MN]);
	*expires_wall = v[C_EXPIRES_WALL];
	return C__MAX;
}

/* Hand every row st yields to fn (see store_load()); the row count or -1. */
static int load_rows(struct store *s, sqlite3_stmt *st,
		     int (*fn)(void *ctx, const struct mip4_binding *b,
			       int64_t expires_wall),
		     void *ctx)
{
	char nai[STORE_NAI_MAX + 1];
	int n = 0, rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mip4_binding b;
		int64_t expires_wall = 0;
		enum store_col bad = row_decode(st, &b, nai, &expires_wall);

		if (bad != C__MAX) {
			int64_t ha = sqlite3_column_int64(st, C_HOME_ADDR);
			char a[24];

			if (ha >= 0 && ha <= UINT32_MAX)
				addr_str((uint32_t)ha, a, sizeof a);
			else
				snprintf(a, sizeof a, "%lld", (long long)ha);
			msg(s->err, sizeof s->err,
			    "load: binding %s: bad %s value; the file was "
			    "altered or damaged", a, col_name[bad]);
			sqlite3_reset(st);
			return -1;
		}
		if (n == INT32_MAX || fn(ctx, &b, expires_wall) != 0) {
			char a[16];

			addr_str(b.home_addr, a, sizeof a);
			msg(s->err, sizeof s->err,
			    "load: stopped by the caller at %s", a);
			sqlite3_reset(st);
			return -1;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		db_fail(s, "load");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return n;
}

int store_load(struct store *s, int64_t now_wall,
	       int (*fn)(void *ctx, const struct mip4_binding *b,
			 int64_t expires_wall),
	       void *ctx)
{
	if (s->etcd)
		return etcdstore_load(s->etcd, now_wall, fn, ctx);
	sqlite3_bind_int64(s->st[ST_COA_PURGE], 1, now_wall);
	sqlite3_bind_int64(s->st[ST_PURGE], 1, now_wall);
	if (run(s, ST_COA_PURGE, "load: delete expired care-of addresses") < 0 ||
	    run(s, ST_PURGE, "load: delete expired") < 0 ||
	    run(s, ST_PURGE_ORPHANS, "load: delete orphan care-of addresses") < 0)
		return -1;
	return load_rows(s, s->st[ST_LOAD], fn, ctx);
}

static const char *const coa_col_name[CC__MAX] = {
	"home_addr", "coa", "peer_addr", "peer_port", "lifetime", "keepalive",
	"encap", "expires_wall",
};

/* Hand every care-of address row st yields to fn; the count or -1. */
static int load_coa_rows(struct store *s, sqlite3_stmt *st,
			 int (*fn)(void *ctx, uint32_t home_addr,
				   const struct mip4_coa *c,
				   int64_t expires_wall),
			 void *ctx)
{
	static const int64_t max[CC__MAX] = {
		[CC_HOME_ADDR] = UINT32_MAX, [CC_COA] = UINT32_MAX,
		[CC_PEER_ADDR] = UINT32_MAX, [CC_PEER_PORT] = UINT16_MAX,
		[CC_LIFETIME] = UINT16_MAX,  [CC_KEEPALIVE] = UINT16_MAX,
		[CC_ENCAP] = UINT8_MAX,	     [CC_EXPIRES_WALL] = INT64_MAX,
	};
	int n = 0, rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t v[CC__MAX] = { 0 };
		struct mip4_coa c;

		for (int i = 0; i < CC__MAX; i++) {
			bool ok = sqlite3_column_type(st, i) == SQLITE_INTEGER;

			if (ok)
				v[i] = sqlite3_column_int64(st, i);
			if (!ok || v[i] > max[i] ||
			    v[i] < (i == CC_EXPIRES_WALL ? INT64_MIN : 0)) {
				msg(s->err, sizeof s->err,
				    "load: care-of address %d: bad %s value; "
				    "the file was altered or damaged", n + 1,
				    coa_col_name[i]);
				sqlite3_reset(st);
				return -1;
			}
		}
		c = (struct mip4_coa){
			.coa = (uint32_t)v[CC_COA],
			.peer_addr = (uint32_t)v[CC_PEER_ADDR],
			.peer_port = (uint16_t)v[CC_PEER_PORT],
			.lifetime = (uint16_t)v[CC_LIFETIME],
			.keepalive = (uint16_t)v[CC_KEEPALIVE],
			.encap = (uint8_t)v[CC_ENCAP],
		};
		if (n == INT32_MAX || fn(ctx, (uint32_t)v[CC_HOME_ADDR], &c,
					 v[CC_EXPIRES_WALL]) != 0) {
			char a[16];

			addr_str((uint32_t)v[CC_HOME_ADDR], a, sizeof a);
			msg(s->err, sizeof s->err,
			    "load: stopped by the caller at %s", a);
			sqlite3_reset(st);
			return -1;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		db_fail(s, "load care-of addresses");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return n;
}

int store_load_coas(struct store *s,
		    int (*fn)(void *ctx, uint32_t home_addr,
			      const struct mip4_coa *c, int64_t expires_wall),
		    void *ctx)
{
	if (s->etcd)
		return etcdstore_load_coas(s->etcd, fn, ctx);
	return load_coa_rows(s, s->st[ST_COA_LOAD], fn, ctx);
}

int store_get(struct store *s, uint32_t home_addr,
	      int (*fn)(void *ctx, const struct mip4_binding *b,
			int64_t expires_wall),
	      int (*coa_fn)(void *ctx, uint32_t home_addr,
			    const struct mip4_coa *c, int64_t expires_wall),
	      void *ctx)
{
	int n;

	if (s->etcd)
		return etcdstore_get(s->etcd, home_addr, fn, coa_fn, ctx);
	sqlite3_bind_int64(s->st[ST_GET], 1, home_addr);
	n = load_rows(s, s->st[ST_GET], fn, ctx);
	if (n <= 0)
		return n;
	sqlite3_bind_int64(s->st[ST_COA_GET], 1, home_addr);
	return load_coa_rows(s, s->st[ST_COA_GET], coa_fn, ctx) < 0 ? -1 : 1;
}

int store_put_replay(struct store *s, uint32_t spi, uint64_t last_id)
{
	if (s->etcd)
		return etcdstore_put_replay(s->etcd, spi, last_id);
	sqlite3_stmt *st = s->st[ST_REPLAY_PUT];

	sqlite3_bind_int64(st, 1, spi);
	sqlite3_bind_int64(st, 2, u64_to_i64(last_id));
	return run(s, ST_REPLAY_PUT, "put replay");
}

int store_get_replay(struct store *s, uint32_t spi, uint64_t *last_id)
{
	sqlite3_stmt *st = s->st[ST_REPLAY_GET];
	int rc, ret;

	if (s->etcd)
		return etcdstore_get_replay(s->etcd, spi, last_id);
	sqlite3_bind_int64(st, 1, spi);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
			*last_id = i64_to_u64(sqlite3_column_int64(st, 0));
			ret = 1;
		} else {
			msg(s->err, sizeof s->err,
			    "get replay: SPI %u: bad last_id value; the file "
			    "was altered or damaged", spi);
			ret = -1;
		}
	} else if (rc == SQLITE_DONE) {
		ret = 0;
	} else {
		ret = db_fail(s, "get replay");
	}
	sqlite3_reset(st);
	return ret;
}

int store_del_replay(struct store *s, uint32_t spi)
{
	if (s->etcd)
		return etcdstore_del_replay(s->etcd, spi);
	sqlite3_bind_int64(s->st[ST_REPLAY_DEL], 1, spi);
	return run(s, ST_REPLAY_DEL, "delete replay");
}

int store_begin(struct store *s)
{
	if (s->etcd)
		return etcdstore_begin(s->etcd);
	if (s->in_batch) {
		msg(s->err, sizeof s->err, "begin: a batch is already open");
		return -1;
	}
	if (run(s, ST_BEGIN, "begin") < 0)
		return -1;
	s->in_batch = true;
	return 0;
}

int store_commit(struct store *s)
{
	if (s->etcd)
		return etcdstore_commit(s->etcd);
	if (!s->in_batch) {
		msg(s->err, sizeof s->err, "commit: no batch is open");
		return -1;
	}
	s->in_batch = false;
	/* Some errors (disk full, I/O) make SQLite roll back on its own. */
	if (sqlite3_get_autocommit(s->db)) {
		msg(s->err, sizeof s->err,
		    "commit: the batch was rolled back after an earlier "
		    "error");
		return -1;
	}
	if (run(s, ST_COMMIT, "commit") < 0) {
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_step(s->st[ST_ROLLBACK]);
		sqlite3_reset(s->st[ST_ROLLBACK]);
		return -1;
	}
	return 0;
}

int store_rollback(struct store *s)
{
	if (s->etcd)
		return etcdstore_rollback(s->etcd);
	if (!s->in_batch)
		return 0;
	s->in_batch = false;
	if (sqlite3_get_autocommit(s->db))
		return 0;
	return run(s, ST_ROLLBACK, "rollback");
}

int64_t store_count(struct store *s)
{
	sqlite3_stmt *st = s->st[ST_COUNT];
	int64_t n = -1;

	if (s->etcd)
		return etcdstore_count(s->etcd);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		db_fail(s, "count");
	sqlite3_reset(st);
	return n;
}

const char *store_errmsg(const struct store *s)
{
	if (s->etcd)
		return etcdstore_errmsg(s->etcd);
	return s ? s->err : "no store";
}

const char *store_open_warning(const struct store *s)
{
	return s->warning;
}

int store_check_file(struct store *s)
{
	struct stat st;

	if (s->etcd)
		return 0;
	if (stat(s->path, &st) < 0) {
		if (errno == ENOENT)
			msg(s->err, sizeof s->err,
			    "%s was deleted while mip4d used it: what is "
			    "written now would not survive a restart", s->path);
		else
			msg(s->err, sizeof s->err, "%s: %s", s->path,
			    strerror(errno));
		return -1;
	}
	if (st.st_dev != s->dev || st.st_ino != s->ino) {
		msg(s->err, sizeof s->err,
		    "%s was replaced by another file while mip4d used it: "
		    "what is written now would not survive a restart",
		    s->path);
		return -1;
	}
	return 0;
}

int store_probe(struct store *s)
{
	if (s->etcd)
		return etcdstore_probe(s->etcd);
	if (store_begin(s) < 0)
		return -1;
	if (run(s, ST_PROBE, "probe") < 0) {
		(void)store_rollback(s);
		return -1;
	}
	return store_commit(s);
}

int store_wal_frames(const struct store *s)
{
	if (s->etcd)
		return 0;
	return s->wal_frames;
}

int store_checkpoint(struct store *s)
{
	if (s->etcd)
		return 0;
	int nlog = 0, nckpt = 0;

	if (sqlite3_wal_checkpoint_v2(s->db, "main", SQLITE_CHECKPOINT_PASSIVE,
				      &nlog, &nckpt) != SQLITE_OK)
		return db_fail(s, "checkpoint");
	/* all of it in the database: the next commit starts the log over */
	if (nckpt == nlog)
		s->wal_frames = 0;
	return nckpt;
}

const char *store_path(const struct store *s)
{
	if (s->etcd)
		return etcdstore_desc(s->etcd);
	return s->path;
}
