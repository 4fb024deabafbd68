/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Binding persistence (daemon/store.c): every field survives a round trip
 * and a reopen, upsert/delete/expiry, replay state, batches; what a
 * process killed with SIGKILL (or _exit without closing) had committed is
 * all there after a reopen and what it had not is not; garbage, damaged,
 * foreign, future-version and locked files are refused with a message;
 * the further care-of addresses of simultaneous bindings (schema 2) and
 * the migration of a schema 1 file.
 *
 * MIP4_STORE_BENCH=1 also times 10k upserts, one transaction each versus
 * batched, with synchronous NORMAL and FULL (in the test's temp directory,
 * or in MIP4_STORE_BENCH_DIR to measure another file system).
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "walscan.h"

#define NOW 1700000000 /* wall clock used by the tests */

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/mip4-store-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/bindings.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	DIR *d = opendir(f->dir);
	const struct dirent *e;
	char p[512];

	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct store *open_ok(const char *path)
{
	struct store *s = NULL;
	char err[256];

	if (store_open(path, &s, err, sizeof err) != 0)
		fail_msg("store_open: %s", err);
	assert_non_null(s);
	return s;
}

/* store_open() must fail, leave *out NULL and say something containing
 * want. */
static void open_refused(const char *path, const char *want)
{
	struct store *s = (struct store *)&s; /* overwritten with NULL */
	char err[256];

	assert_int_equal(store_open(path, &s, err, sizeof err), -1);
	assert_null(s);
	if (!strstr(err, want))
		fail_msg("message \"%s\" lacks \"%s\"", err, want);
	assert_non_null(strstr(err, path)); /* names the file */
}

/* A binding with every field distinct, from a seed. */
static void mk_binding(struct mip4_binding *b, uint32_t i, char *nai,
		       size_t cap)
{
	int n = snprintf(nai, cap, "mn%u@corp.example", i);

	memset(b, 0, sizeof *b);
	b->home_addr = 0x0a000000 + i;
	b->coa = 0xc0a80000 + i;
	b->peer_addr = 0xcb007100 + (i & 0xff);
	b->peer_port = (uint16_t)(1024 + i);
	b->lifetime = 600;
	b->keepalive = 110;
	b->flags = (uint8_t)(i & 0xfc);
	b->encap = (uint8_t)(i & 1);
	b->spi = 0x100 + i;
	b->last_id = 0xe9000000ull << 32 | i; /* top bit set: NTP seconds */
	assert_true(n > 0);
	b->nai = nai;
	b->pkts_to_mn = i;
	b->bytes_to_mn = 1500ull * i;
	b->pkts_from_mn = 2ull * i;
	b->bytes_from_mn = 3000ull * i;
}

/* What store_load() handed over, NAI copied out. */
struct loaded {
	size_t n, cap;
	struct row {
		struct mip4_binding b;
		char nai[256];
		bool has_nai;
		int64_t expires_wall;
	} *rows;
	int stop_after; /* return non-zero after this many; 0 = never */
};

static int collect(void *ctx, const struct mip4_binding *b,
		   int64_t expires_wall)
{
	struct loaded *l = ctx;
	struct row *r;

	if (l->stop_after && (int)l->n == l->stop_after)
		return 1;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->rows = realloc(l->rows, l->cap * sizeof *l->rows);
		assert_non_null(l->rows);
	}
	r = &l->rows[l->n++];
	r->b = *b;
	r->has_nai = b->nai != NULL;
	if (b->nai) {
		assert_true(strlen(b->nai) <= 255);
		memcpy(r->nai, b->nai, strlen(b->nai) + 1);
	}
	r->b.nai = NULL;
	r->expires_wall = expires_wall;
	return 0;
}

static const struct row *find(const struct loaded *l, uint32_t home_addr)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->rows[i].b.home_addr == home_addr)
			return &l->rows[i];
	return NULL;
}

static void assert_same(const struct row *r, const struct mip4_binding *b,
			int64_t expires_wall)
{
	assert_non_null(r);
	assert_int_equal(r->b.home_addr, b->home_addr);
	assert_int_equal(r->b.coa, b->coa);
	assert_int_equal(r->b.peer_addr, b->peer_addr);
	assert_int_equal(r->b.peer_port, b->peer_port);
	assert_int_equal(r->b.lifetime, b->lifetime);
	assert_int_equal(r->b.keepalive, b->keepalive);
	assert_int_equal(r->b.flags, b->flags);
	assert_int_equal(r->b.encap, b->encap);
	assert_int_equal(r->b.spi, b->spi);
	assert_true(r->b.last_id == b->last_id);
	assert_true(r->b.pkts_to_mn == b->pkts_to_mn);
	assert_true(r->b.bytes_to_mn == b->bytes_to_mn);
	assert_true(r->b.pkts_from_mn == b->pkts_from_mn);
	assert_true(r->b.bytes_from_mn == b->bytes_from_mn);
	assert_true(r->expires_wall == expires_wall);
	if (b->nai && b->nai[0]) {
		assert_true(r->has_nai);
		assert_string_equal(r->nai, b->nai);
	} else {
		assert_false(r->has_nai);
	}
	/* table-owned fields come back zeroed */
	assert_null(r->b.addr_next);
	assert_null(r->b.nai_next);
	assert_null(r->b.wheel_pprev);
	assert_null(r->b.wheel_next);
	assert_null(r->b.more);
	assert_true(r->b.expires_ms == 0);
}

static int load_all(struct store *s, int64_t now, struct loaded *l)
{
	memset(l, 0, sizeof *l);
	return store_load(s, now, collect, l);
}

static void sq_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *e = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK)
		fail_msg("%s: %s", sql, e);
	sqlite3_close(db);
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct mip4_binding full, bare;
	char nai[256];
	struct loaded l;

	/* extremes of every field, a 255-octet NAI */
	memset(nai, 'n', 255);
	nai[255] = '\0';
	memset(&full, 0, sizeof full);
	full.home_addr = 0xffffffff;
	full.coa = 0xfffffffe;
	full.peer_addr = 0x80000001;
	full.peer_port = 65535;
	full.lifetime = 65535;
	full.keepalive = 65534;
	full.flags = 0xff;
	full.encap = MIP4_ENCAP_UDP;
	full.spi = 0xffffffff;
	full.last_id = UINT64_MAX;
	full.nai = nai;
	full.pkts_to_mn = UINT64_MAX - 1;
	full.bytes_to_mn = 1ull << 63;
	full.pkts_from_mn = (1ull << 63) - 1;
	full.bytes_from_mn = 0x0123456789abcdefull;
	/* table links set: the store ignores them */
	full.addr_next = &bare;
	full.wheel_pprev = &full.wheel_next;
	full.expires_ms = 12345;
	/* no NAI, zeros */
	memset(&bare, 0, sizeof bare);
	bare.encap = MIP4_ENCAP_IPIP;

	assert_int_equal(store_put(s, &full, INT64_MAX), 0);
	assert_int_equal(store_put(s, &bare, NOW + 1), 0);
	assert_int_equal(store_count(s), 2);
	assert_int_equal(load_all(s, NOW, &l), 2);
	assert_same(find(&l, 0xffffffff), &full, INT64_MAX);
	assert_same(find(&l, 0), &bare, NOW + 1);
	free(l.rows);
	assert_string_equal(store_errmsg(s), "");
	store_close(s);
	store_close(NULL);
}

static void test_upsert_replaces(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct mip4_binding b;
	char nai[64];
	struct loaded l;

	mk_binding(&b, 7, nai, sizeof nai);
	assert_int_equal(store_put(s, &b, NOW + 600), 0);
	/* re-registration: new CoA, lifetime, counters, NAI gone */
	b.coa = 0x01020304;
	b.lifetime = 30;
	b.last_id++;
	b.pkts_to_mn = 99;
	b.nai = NULL;
	assert_int_equal(store_put(s, &b, NOW + 30), 0);
	assert_int_equal(store_count(s), 1);
	assert_int_equal(load_all(s, NOW, &l), 1);
	assert_same(&l.rows[0], &b, NOW + 30);
	free(l.rows);
	store_close(s);
}

static void test_delete(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct mip4_binding b;
	char nai[64];
	struct loaded l;

	for (uint32_t i = 1; i <= 3; i++) {
		mk_binding(&b, i, nai, sizeof nai);
		assert_int_equal(store_put(s, &b, NOW + 600), 0);
	}
	assert_int_equal(store_del(s, 0x0a000002), 0);
	assert_int_equal(store_del(s, 0x0a000002), 0); /* absent: fine */
	assert_int_equal(store_del(s, 0x7f000001), 0);
	assert_int_equal(load_all(s, NOW, &l), 2);
	assert_non_null(find(&l, 0x0a000001));
	assert_null(find(&l, 0x0a000002));
	assert_non_null(find(&l, 0x0a000003));
	free(l.rows);
	store_close(s);
}

static void test_load_expiry(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	static const int64_t exp[] = { NOW - 86400, NOW - 1, NOW, NOW + 1,
				       NOW + 600 };
	struct mip4_binding b;
	char nai[64];
	struct loaded l;

	for (uint32_t i = 0; i < 5; i++) {
		mk_binding(&b, i, nai, sizeof nai);
		assert_int_equal(store_put(s, &b, exp[i]), 0);
	}
	/* expires_wall <= now is expired: skipped and deleted */
	assert_int_equal(load_all(s, NOW, &l), 2);
	assert_non_null(find(&l, 0x0a000003));
	assert_non_null(find(&l, 0x0a000004));
	free(l.rows);
	assert_int_equal(store_count(s), 2);
	assert_int_equal(load_all(s, NOW + 1, &l), 1);
	free(l.rows);
	assert_int_equal(store_count(s), 1);

	/* a caller that stops the load makes it fail, with a reason */
	for (uint32_t i = 10; i < 20; i++) {
		mk_binding(&b, i, nai, sizeof nai);
		assert_int_equal(store_put(s, &b, NOW + 600), 0);
	}
	memset(&l, 0, sizeof l);
	l.stop_after = 3;
	assert_int_equal(store_load(s, NOW, collect, &l), -1);
	assert_non_null(strstr(store_errmsg(s), "stopped by the caller"));
	free(l.rows);
	/* and the store still works afterwards */
	assert_int_equal(load_all(s, NOW, &l), 11);
	free(l.rows);
	store_close(s);
}

static void test_replay(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	uint64_t id = 0;

	assert_int_equal(store_get_replay(s, 0x100, &id), 0);
	assert_int_equal(store_put_replay(s, 0x100, 0xe9000000ull << 32), 0);
	assert_int_equal(store_put_replay(s, 0xffffffff, UINT64_MAX), 0);
	assert_int_equal(store_get_replay(s, 0x100, &id), 1);
	assert_true(id == 0xe9000000ull << 32);
	assert_int_equal(store_get_replay(s, 0xffffffff, &id), 1);
	assert_true(id == UINT64_MAX);
	assert_int_equal(store_put_replay(s, 0x100, (0xe9000000ull << 32) + 7),
			 0);
	assert_int_equal(store_get_replay(s, 0x100, &id), 1);
	assert_true(id == (0xe9000000ull << 32) + 7);
	assert_int_equal(store_del_replay(s, 0x100), 0);
	assert_int_equal(store_get_replay(s, 0x100, &id), 0);
	/* replay state is not binding state: a load does not touch it */
	{
		struct loaded l;

		assert_int_equal(load_all(s, NOW, &l), 0);
		free(l.rows);
	}
	assert_int_equal(store_get_replay(s, 0xffffffff, &id), 1);
	store_close(s);
}

static void test_reopen(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct mip4_binding b[3];
	char nai[3][64];
	struct loaded l;
	uint64_t id;

	for (uint32_t i = 0; i < 3; i++) {
		mk_binding(&b[i], i + 1, nai[i], sizeof nai[i]);
		assert_int_equal(store_put(s, &b[i], NOW + 600), 0);
		assert_int_equal(store_put_replay(s, b[i].spi, b[i].last_id), 0);
	}
	store_close(s);
	s = open_ok(f->path);
	assert_int_equal(load_all(s, NOW, &l), 3);
	for (int i = 0; i < 3; i++) {
		assert_same(find(&l, b[i].home_addr), &b[i], NOW + 600);
		assert_int_equal(store_get_replay(s, b[i].spi, &id), 1);
		assert_true(id == b[i].last_id);
	}
	free(l.rows);
	store_close(s);
}

static void test_batch(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct mip4_binding b;
	char nai[64];

	assert_int_equal(store_commit(s), -1);
	assert_non_null(strstr(store_errmsg(s), "no batch"));
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_begin(s), -1);
	assert_non_null(strstr(store_errmsg(s), "already open"));
	assert_int_equal(store_set_sync(s, STORE_SYNC_FULL), -1);
	for (uint32_t i = 0; i < 100; i++) {
		mk_binding(&b, i, nai, sizeof nai);
		assert_int_equal(store_put(s, &b, NOW + 600), 0);
	}
	assert_int_equal(store_put_replay(s, 1, 2), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_count(s), 100);

	/* a rolled-back batch leaves nothing */
	assert_int_equal(store_begin(s), 0);
	for (uint32_t i = 100; i < 150; i++) {
		mk_binding(&b, i, nai, sizeof nai);
		assert_int_equal(store_put(s, &b, NOW + 600), 0);
	}
	assert_int_equal(store_del(s, 0x0a000000), 0);
	assert_int_equal(store_rollback(s), 0);
	assert_int_equal(store_rollback(s), 0); /* none open: no-op */
	assert_int_equal(store_count(s), 100);

	/* a batch left open at close is rolled back */
	assert_int_equal(store_begin(s), 0);
	mk_binding(&b, 500, nai, sizeof nai);
	assert_int_equal(store_put(s, &b, NOW + 600), 0);
	store_close(s);
	s = open_ok(f->path);
	assert_int_equal(store_count(s), 100);
	store_close(s);
}

static void test_sync_full(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct mip4_binding b;
	char nai[64];

	assert_int_equal(store_set_sync(s, STORE_SYNC_FULL), 0);
	mk_binding(&b, 1, nai, sizeof nai);
	assert_int_equal(store_put(s, &b, NOW + 600), 0);
	assert_int_equal(store_set_sync(s, STORE_SYNC_NORMAL), 0);
	assert_int_equal(store_set_sync(s, (enum store_sync)7), -1);
	assert_int_equal(store_count(s), 1);
	store_close(s);
}

/*
 * The child commits N bindings one transaction each and a replay entry,
 * opens a batch of M more that it never commits, and dies without closing:
 * by SIGKILL, or by _exit().  The parent must find exactly the N.
 */
enum { KILL_N = 200, KILL_M = 50 };

static void die_mid_write(const char *path, bool sigkill)
{
	struct store *s = NULL;
	struct mip4_binding b;
	char nai[64], err[256];

	if (store_open(path, &s, err, sizeof err) != 0)
		_exit(2);
	for (uint32_t i = 0; i < KILL_N; i++) {
		mk_binding(&b, i, nai, sizeof nai);
		if (store_put(s, &b, NOW + 600) != 0)
			_exit(3);
	}
	if (store_put_replay(s, 0xabc, 0xe9000000ull << 32) != 0 ||
	    store_begin(s) != 0)
		_exit(4);
	for (uint32_t i = KILL_N; i < KILL_N + KILL_M; i++) {
		mk_binding(&b, i, nai, sizeof nai);
		if (store_put(s, &b, NOW + 600) != 0)
			_exit(5);
	}
	if (sigkill)
		raise(SIGKILL);
	_exit(0);
}

static void crash_and_reopen(const char *path, bool sigkill)
{
	struct store *s;
	struct loaded l;
	struct stat st;
	char wal[160];
	uint64_t id;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		die_mid_write(path, sigkill);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (sigkill) {
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGKILL);
	} else {
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	/* It died with its commits in the WAL, never checkpointed. */
	snprintf(wal, sizeof wal, "%s-wal", path);
	assert_int_equal(stat(wal, &st), 0);
	assert_true(st.st_size > 0);

	s = open_ok(path);
	/* an intact log: nothing to say */
	assert_string_equal(store_open_warning(s), "");
	assert_int_equal(load_all(s, NOW, &l), KILL_N);
	for (uint32_t i = 0; i < KILL_N; i++) {
		struct mip4_binding b;
		char nai[64];

		mk_binding(&b, i, nai, sizeof nai);
		assert_same(find(&l, b.home_addr), &b, NOW + 600);
	}
	free(l.rows);
	assert_int_equal(store_get_replay(s, 0xabc, &id), 1);
	assert_true(id == 0xe9000000ull << 32);
	store_close(s);
}

static void test_sigkill(void **state)
{
	crash_and_reopen(((struct fixture *)*state)->path, true);
}

static void test_exit_without_close(void **state)
{
	crash_and_reopen(((struct fixture *)*state)->path, false);
}

static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* walscan() on logs made by hand: 512-byte pages, salts 1/2. */
struct memwal {
	uint8_t b[32 + 6 * (24 + 512)];
	size_t len;
};

static void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int memwal_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	const struct memwal *m = ctx;

	if (off > m->len || len > m->len - off)
		return -1;
	memcpy(buf, m->b + off, len);
	return 0;
}

/* frame k (1-based): commit or not, with the header's salts or others */
static void memwal_frame(struct memwal *m, int k, bool commit, bool ours)
{
	uint8_t *f = m->b + 32 + (size_t)(k - 1) * (24 + 512);

	be32_put(f, (uint32_t)k);
	be32_put(f + 4, commit ? 10 : 0);
	be32_put(f + 8, ours ? 1 : 7);
	be32_put(f + 12, 2);
}

static void test_walscan(void **state)
{
	struct memwal m;
	struct walscan w;

	(void)state;
	memset(&m, 0, sizeof m);
	m.len = sizeof m.b;
	be32_put(m.b, 0x377f0682);
	be32_put(m.b + 4, 3007000);
	be32_put(m.b + 8, 512);
	be32_put(m.b + 16, 1);
	be32_put(m.b + 20, 2);
	/* two transactions of two frames, then one of another log, then a
	 * third transaction's commit frame */
	memwal_frame(&m, 1, false, true);
	memwal_frame(&m, 2, true, true);
	memwal_frame(&m, 3, false, true);
	memwal_frame(&m, 4, true, true);
	memwal_frame(&m, 5, true, false);
	memwal_frame(&m, 6, true, true);
	assert_int_equal(walscan(memwal_read, &m, m.len, 6, &w), 0);
	assert_true(w.header_ok);
	assert_int_equal(w.frames, 6);
	assert_int_equal(w.commits, 3);
	assert_int_equal(w.lost, 0);
	/* SQLite kept two frames: the second and third transactions went */
	assert_int_equal(walscan(memwal_read, &m, m.len, 2, &w), 0);
	assert_int_equal(w.lost, 2);
	assert_int_equal(w.first_lost, 4);
	/* a torn last frame does not count */
	assert_int_equal(walscan(memwal_read, &m, m.len - 1, 2, &w), 0);
	assert_int_equal(w.frames, 5);
	assert_int_equal(w.lost, 1);
	/* not a log: nothing to say */
	be32_put(m.b + 4, 3007001);
	assert_int_equal(walscan(memwal_read, &m, m.len, 0, &w), 0);
	assert_false(w.header_ok);
	assert_int_equal(w.lost, 0);
	/* a read that fails */
	be32_put(m.b + 4, 3007000);
	assert_int_equal(walscan(memwal_read, &m, m.len + 600, 0, &w), -1);
}

/* The log's frame size and the offset of frame k (1-based). */
static long frame_off(const char *wal, long k)
{
	unsigned char h[32];
	long ps;
	int fd = open(wal, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(read(fd, h, sizeof h), (ssize_t)sizeof h);
	close(fd);
	ps = (long)h[8] << 24 | (long)h[9] << 16 | (long)h[10] << 8 | h[11];
	return 32 + (k - 1) * (ps + 24);
}

/*
 * A damaged frame in the middle of the log: SQLite keeps what comes before
 * and drops the rest, committed transactions included.  The store says so
 * (how many, from which frame) and keeps a copy of the log as found.
 */
static void test_wal_damage(void **state)
{
	struct fixture *f = *state;
	char wal[160], nai[64];
	unsigned char byte;
	struct mip4_binding b;
	struct store *s;
	struct loaded l;
	struct stat st;
	int status, fd, n;
	long frames;
	pid_t pid;
	DIR *d;
	const struct dirent *e;
	bool copy = false;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];

		s = NULL;
		if (store_open(f->path, &s, err, sizeof err) != 0)
			_exit(2);
		for (uint32_t i = 0; i < 40; i++) {
			mk_binding(&b, i, nai, sizeof nai);
			if (store_put(s, &b, NOW + 600) != 0)
				_exit(3);
		}
		raise(SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	assert_int_equal(stat(wal, &st), 0);
	frames = (st.st_size - 32) / (frame_off(wal, 2) - frame_off(wal, 1));
	assert_true(frames >= 40); /* no checkpoint inside a commit */
	/* one byte of a page in the middle */
	fd = open(wal, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &byte, 1, frame_off(wal, frames / 2) + 24 + 200),
			 1);
	byte ^= 0x5a;
	assert_int_equal(pwrite(fd, &byte, 1, frame_off(wal, frames / 2) + 24 + 200),
			 1);
	close(fd);

	s = open_ok(f->path);
	if (!strstr(store_open_warning(s), "damaged") ||
	    !strstr(store_open_warning(s), "dropped"))
		fail_msg("warning: \"%s\"", store_open_warning(s));
	n = load_all(s, NOW, &l);
	assert_true(n > 0 && n < 40);
	free(l.rows);
	store_close(s);
	d = opendir(f->dir);
	while (d && (e = readdir(d)))
		copy |= strstr(e->d_name, "-wal.damaged-") != NULL;
	if (d)
		closedir(d);
	assert_true(copy);
}

/* One binding read back, with its further care-of addresses. */
struct got {
	unsigned n, coas;
	uint32_t coa;
};

static int got_one(void *ctx, const struct mip4_binding *b, int64_t exp)
{
	(void)exp;
	((struct got *)ctx)->n++;
	((struct got *)ctx)->coa = b->coa;
	return 0;
}

static int got_coa(void *ctx, uint32_t home, const struct mip4_coa *c,
		   int64_t exp)
{
	(void)home;
	(void)c;
	(void)exp;
	((struct got *)ctx)->coas++;
	return 0;
}

static void test_get(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct mip4_binding b;
	struct mip4_coa c = {.coa = 0x01020304, .peer_addr = 0x01020304,
			     .lifetime = 60};
	int64_t exp = NOW + 60;
	struct got g = {0};
	char nai[64];

	mk_binding(&b, 7, nai, sizeof nai);
	assert_int_equal(store_put(s, &b, NOW + 600), 0);
	assert_int_equal(store_put_coas(s, b.home_addr, &c, &exp, 1), 0);
	mk_binding(&b, 8, nai, sizeof nai);
	assert_int_equal(store_put(s, &b, NOW + 600), 0);
	assert_int_equal(store_get(s, 0x0a000007, got_one, got_coa, &g), 1);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.coas, 1);
	assert_int_equal(g.coa, 0xc0a80007);
	memset(&g, 0, sizeof g);
	assert_int_equal(store_get(s, 0x0a000009, got_one, got_coa, &g), 0);
	assert_int_equal(g.n, 0);
	store_close(s);
}

/* The path must keep naming the file in use. */
static void test_check_file(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	char other[160];

	assert_int_equal(store_check_file(s), 0);
	assert_int_equal(store_probe(s), 0);
	snprintf(other, sizeof other, "%s/other", f->dir);
	write_file(other, "x", 1);
	assert_int_equal(rename(other, f->path), 0);
	assert_int_equal(store_check_file(s), -1);
	assert_non_null(strstr(store_errmsg(s), "replaced"));
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(store_check_file(s), -1);
	assert_non_null(strstr(store_errmsg(s), "deleted"));
	store_close(s);
}

/* No checkpoint inside a commit: the log grows until the caller
 * checkpoints, then starts over. */
static void test_checkpoint_is_ours(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct mip4_binding b;
	char nai[64];

	for (uint32_t i = 0; i < 1200; i++) {
		mk_binding(&b, i, nai, sizeof nai);
		assert_int_equal(store_put(s, &b, NOW + 600), 0);
	}
	/* SQLite's own would have run at 1000 frames */
	assert_true(store_wal_frames(s) >= 1200);
	assert_true(store_checkpoint(s) >= 1200);
	assert_int_equal(store_wal_frames(s), 0);
	mk_binding(&b, 5000, nai, sizeof nai);
	assert_int_equal(store_put(s, &b, NOW + 600), 0);
	assert_true(store_wal_frames(s) < 10);
	store_close(s);
}

static void test_garbage_file(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "home-agent { lifetime 600 }\n";
	unsigned char junk[8192], back[8192];
	uint32_t x = 12345;
	int fd;

	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	write_file(f->path, junk, sizeof junk);
	open_refused(f->path, "not an SQLite database");
	/* left as it was */
	fd = open(f->path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, back, sizeof back), (ssize_t)sizeof back);
	close(fd);
	assert_memory_equal(junk, back, sizeof junk);

	write_file(f->path, text, sizeof text - 1);
	open_refused(f->path, "not an SQLite database");
	/* a directory, a missing directory */
	open_refused(f->dir, f->dir);
	{
		char p[160];

		struct store *s;
		char err[256];
		struct stat st;

		/* a missing directory is made, 0700; one further up is not */
		snprintf(p, sizeof p, "%s/nonexistent/deeper/bindings.db", f->dir);
		open_refused(p, "nonexistent/deeper: No such file or directory");
		snprintf(p, sizeof p, "%s/fresh/bindings.db", f->dir);
		assert_int_equal(store_open(p, &s, err, sizeof err), 0);
		assert_int_equal(store_begin(s), 0);
		assert_int_equal(store_commit(s), 0);
		store_close(s);
		snprintf(p, sizeof p, "%s/fresh", f->dir);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0700);
		snprintf(p, sizeof p, "%s/fresh/bindings.db", f->dir);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 0077, 0);
	}
}

static void test_damaged_file(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct mip4_binding b;
	unsigned char page[4096];
	char nai[64], err[256];
	struct stat st;
	int fd;

	/* enough rows for a few b-tree levels */
	assert_int_equal(store_begin(s), 0);
	for (uint32_t i = 0; i < 3000; i++) {
		mk_binding(&b, i, nai, sizeof nai);
		assert_int_equal(store_put(s, &b, NOW + 600), 0);
	}
	assert_int_equal(store_commit(s), 0);
	store_close(s);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(st.st_size > 16l * 4096);

	/* overwrite a page in the middle of the table */
	memset(page, 0xa5, sizeof page);
	fd = open(f->path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, page, sizeof page, 8l * 4096),
			 (ssize_t)sizeof page);
	close(fd);
	s = (struct store *)&s;
	assert_int_equal(store_open(f->path, &s, err, sizeof err), -1);
	assert_null(s);
	assert_non_null(strstr(err, "damaged"));

	/* a damaged header page */
	fd = open(f->path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, page, 100, 0), 100);
	close(fd);
	open_refused(f->path, "not an SQLite database");
}

/* Damage anywhere in the file: refused or loaded, never a crash (run it
 * under ASan).  Each round starts from the same good file. */
static void test_damage_sweep(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct mip4_binding b;
	unsigned char *good, junk[64];
	char nai[64], err[256];
	uint32_t x = 99;
	struct stat st;
	int fd, refused = 0, loaded = 0;

	assert_int_equal(store_begin(s), 0);
	for (uint32_t i = 0; i < 500; i++) {
		mk_binding(&b, i, nai, sizeof nai);
		assert_int_equal(store_put(s, &b, NOW + 600), 0);
		assert_int_equal(store_put_replay(s, i, i), 0);
	}
	assert_int_equal(store_commit(s), 0);
	store_close(s);
	assert_int_equal(stat(f->path, &st), 0);
	good = malloc((size_t)st.st_size);
	assert_non_null(good);
	fd = open(f->path, O_RDONLY);
	assert_int_equal(read(fd, good, (size_t)st.st_size), st.st_size);
	close(fd);

	for (int round = 0; round < 300; round++) {
		size_t len = 1 + round % (int)sizeof junk, off;
		struct loaded l;

		x = x * 1103515245u + 12345u;
		off = (x >> 8) % ((size_t)st.st_size - len);
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			junk[i] = (unsigned char)(x >> 16);
		}
		write_file(f->path, good, (size_t)st.st_size);
		fd = open(f->path, O_WRONLY);
		assert_int_equal(pwrite(fd, junk, len, (off_t)off), (ssize_t)len);
		close(fd);
		if (store_open(f->path, &s, err, sizeof err) != 0) {
			assert_true(err[0] != '\0');
			refused++;
			continue;
		}
		if (load_all(s, NOW, &l) >= 0)
			loaded++;
		else
			assert_true(store_errmsg(s)[0] != '\0');
		free(l.rows);
		store_close(s);
	}
	free(good);
	/* both outcomes happened: damage to data pages is caught at open,
	 * unused bytes are harmless */
	assert_true(refused > 0);
	assert_true(loaded > 0);
}

static void test_tampered_row(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct mip4_binding b;
	char nai[64];
	struct loaded l;

	mk_binding(&b, 1, nai, sizeof nai);
	assert_int_equal(store_put(s, &b, NOW + 600), 0);
	store_close(s);
	sq_exec(f->path, "UPDATE binding SET peer_port = 70000");
	s = open_ok(f->path);
	assert_int_equal(load_all(s, NOW, &l), -1);
	free(l.rows);
	assert_non_null(strstr(store_errmsg(s), "bad peer_port"));
	store_close(s);

	sq_exec(f->path, "UPDATE binding SET peer_port = 1, coa = 'x'");
	s = open_ok(f->path);
	assert_int_equal(load_all(s, NOW, &l), -1);
	free(l.rows);
	assert_non_null(strstr(store_errmsg(s), "bad coa"));
	store_close(s);

	sq_exec(f->path, "UPDATE binding SET coa = 1, nai = x'00'");
	s = open_ok(f->path);
	assert_int_equal(load_all(s, NOW, &l), -1);
	free(l.rows);
	assert_non_null(strstr(store_errmsg(s), "bad nai"));
	store_close(s);
}

static void test_schema_version(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	sqlite3 *db;
	sqlite3_stmt *st;

	store_close(s);
	sq_exec(f->path, "PRAGMA user_version = 3");
	open_refused(f->path, "schema version 3 was written by a newer mip4d");
	/* untouched: still version 3 */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st,
					    NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 3);
	sqlite3_finalize(st);
	sqlite3_close(db);

	/* back to 1 with version 2's table: the migration will not guess */
	sq_exec(f->path, "PRAGMA user_version = 1");
	open_refused(f->path, "table binding_coa already exists");
	/* the current version, but the tables mangled */
	sq_exec(f->path, "PRAGMA user_version = 2; DROP TABLE replay");
	open_refused(f->path, "schema damaged");
}

/* What store_load_coas() handed over. */
struct coas {
	size_t n;
	uint32_t home[8];
	struct mip4_coa c[8];
	int64_t exp[8];
};

static int collect_coa(void *ctx, uint32_t home, const struct mip4_coa *c,
		       int64_t expires_wall)
{
	struct coas *l = ctx;

	assert_true(l->n < 8);
	l->home[l->n] = home;
	l->c[l->n] = *c;
	l->exp[l->n++] = expires_wall;
	return 0;
}

static int load_coas(struct store *s, struct coas *l)
{
	memset(l, 0, sizeof *l);
	return store_load_coas(s, collect_coa, l);
}

/* The index of coa for home in what was loaded, or -1. */
static int coa_at(const struct coas *l, uint32_t home, uint32_t coa)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->home[i] == home && l->c[i].coa == coa)
			return (int)i;
	return -1;
}

/* Simultaneous bindings (schema 2): the further care-of addresses of a
 * binding survive a reopen field for field, are replaced as a set, and go
 * with the binding. */
static void test_coas_round_trip(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct mip4_binding b;
	char nai[64];
	struct loaded l;
	struct coas lc;
	struct mip4_coa c[2] = {
		{ .coa = 0xc0000210, .peer_addr = 0xcb007101, .peer_port = 65535,
		  .lifetime = 65535, .keepalive = 25, .encap = MIP4_ENCAP_UDP },
		{ .coa = 0xfffffffe, .peer_addr = 0xfffffffe, .peer_port = 434,
		  .lifetime = 1, .encap = MIP4_ENCAP_IPIP },
	};
	int64_t exp[2] = { NOW + 100, INT64_MAX };
	int i;

	mk_binding(&b, 1, nai, sizeof nai);
	assert_int_equal(store_put(s, &b, NOW + 600), 0);
	assert_int_equal(store_put_coas(s, b.home_addr, c, exp, 2), 0);
	mk_binding(&b, 2, nai, sizeof nai); /* one with a single CoA */
	assert_int_equal(store_put(s, &b, NOW + 600), 0);
	store_close(s);

	s = open_ok(f->path);
	assert_int_equal(load_all(s, NOW, &l), 2);
	free(l.rows);
	assert_int_equal(load_coas(s, &lc), 2);
	i = coa_at(&lc, 0x0a000001, 0xc0000210);
	assert_true(i >= 0);
	assert_int_equal(lc.c[i].peer_addr, 0xcb007101);
	assert_int_equal(lc.c[i].peer_port, 65535);
	assert_int_equal(lc.c[i].lifetime, 65535);
	assert_int_equal(lc.c[i].keepalive, 25);
	assert_int_equal(lc.c[i].encap, MIP4_ENCAP_UDP);
	assert_true(lc.c[i].expires_ms == 0);
	assert_true(lc.exp[i] == NOW + 100);
	i = coa_at(&lc, 0x0a000001, 0xfffffffe);
	assert_true(i >= 0);
	assert_int_equal(lc.c[i].peer_port, 434);
	assert_int_equal(lc.c[i].lifetime, 1);
	assert_true(lc.exp[i] == INT64_MAX);

	/* replaced as a set: one left */
	assert_int_equal(store_put_coas(s, 0x0a000001, &c[1], &exp[1], 1), 0);
	assert_int_equal(load_coas(s, &lc), 1);
	assert_int_equal(coa_at(&lc, 0x0a000001, 0xfffffffe), 0);
	/* n = 0: none */
	assert_int_equal(store_put_coas(s, 0x0a000001, NULL, NULL, 0), 0);
	assert_int_equal(load_coas(s, &lc), 0);
	/* deleting the binding deletes its care-of addresses */
	assert_int_equal(store_put_coas(s, 0x0a000001, c, exp, 2), 0);
	assert_int_equal(store_del(s, 0x0a000001), 0);
	assert_int_equal(load_coas(s, &lc), 0);
	assert_int_equal(load_all(s, NOW, &l), 1);
	free(l.rows);
	store_close(s);
}

/* RFC 5944 §4.2.3 across a restart: each care-of address expires on its
 * own; a binding whose first one expired lives on with the others; one
 * with none left, and rows nobody owns, are purged. */
static void test_coas_expiry(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct mip4_binding b;
	char nai[64];
	struct loaded l;
	struct coas lc;
	struct mip4_coa c[2] = { { .coa = 0x01010101 }, { .coa = 0x02020202 } };
	int64_t live[2] = { NOW - 5, NOW + 50 };
	int64_t dead[2] = { NOW, NOW - 100 };

	/* 1: first expired, second alive; 2: all expired; 3: alive */
	mk_binding(&b, 1, nai, sizeof nai);
	assert_int_equal(store_put(s, &b, NOW - 1), 0);
	assert_int_equal(store_put_coas(s, b.home_addr, c, live, 2), 0);
	mk_binding(&b, 2, nai, sizeof nai);
	assert_int_equal(store_put(s, &b, NOW - 1), 0);
	assert_int_equal(store_put_coas(s, b.home_addr, c, dead, 2), 0);
	mk_binding(&b, 3, nai, sizeof nai);
	assert_int_equal(store_put(s, &b, NOW + 100), 0);
	store_close(s);
	/* a row for a binding that is not there (written by hand) */
	sq_exec(f->path, "INSERT INTO binding_coa VALUES (99, 1, 1, 1, 1, 1, 0, "
			 "9999999999)");

	s = open_ok(f->path);
	assert_int_equal(load_all(s, NOW, &l), 2);
	assert_non_null(find(&l, 0x0a000001));
	assert_true(find(&l, 0x0a000001)->expires_wall == NOW - 1);
	assert_null(find(&l, 0x0a000002));
	assert_non_null(find(&l, 0x0a000003));
	free(l.rows);
	assert_int_equal(load_coas(s, &lc), 1);
	assert_int_equal(coa_at(&lc, 0x0a000001, 0x02020202), 0);
	assert_true(lc.exp[0] == NOW + 50);
	/* once the second expires too, the binding goes */
	assert_int_equal(load_all(s, NOW + 50, &l), 1);
	assert_non_null(find(&l, 0x0a000003));
	free(l.rows);
	assert_int_equal(load_coas(s, &lc), 0);
	store_close(s);
}

static void test_coas_tampered(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct mip4_binding b;
	struct mip4_coa c = { .coa = 0x01010101 };
	int64_t exp = NOW + 50;
	char nai[64];
	struct loaded l;
	struct coas lc;

	mk_binding(&b, 1, nai, sizeof nai);
	assert_int_equal(store_put(s, &b, NOW + 50), 0);
	assert_int_equal(store_put_coas(s, b.home_addr, &c, &exp, 1), 0);
	store_close(s);
	sq_exec(f->path, "UPDATE binding_coa SET encap = 256");
	s = open_ok(f->path);
	assert_int_equal(load_all(s, NOW, &l), 1);
	free(l.rows);
	assert_int_equal(load_coas(s, &lc), -1);
	assert_non_null(strstr(store_errmsg(s), "bad encap"));
	store_close(s);
	sq_exec(f->path, "UPDATE binding_coa SET encap = 0, coa = 'x'");
	s = open_ok(f->path);
	assert_int_equal(load_all(s, NOW, &l), 1);
	free(l.rows);
	assert_int_equal(load_coas(s, &lc), -1);
	assert_non_null(strstr(store_errmsg(s), "bad coa"));
	store_close(s);
}

/* A state file written by the previous release (schema 1, no care-of
 * address table) is migrated in place: its bindings load, and it takes
 * further care-of addresses afterwards. */
static void test_migrate_v1(void **state)
{
	struct fixture *f = *state;
	struct store *s;
	struct loaded l;
	struct coas lc;
	struct mip4_coa c = { .coa = 0x01010101 };
	int64_t exp = NOW + 50;
	sqlite3 *db;
	sqlite3_stmt *st;

	/* schema 1 exactly as mip4d 1 wrote it */
	sq_exec(f->path,
		"CREATE TABLE binding ( home_addr INTEGER PRIMARY KEY, nai TEXT,"
		" coa INTEGER NOT NULL, peer_addr INTEGER NOT NULL,"
		" peer_port INTEGER NOT NULL, lifetime INTEGER NOT NULL,"
		" keepalive INTEGER NOT NULL, flags INTEGER NOT NULL,"
		" encap INTEGER NOT NULL, spi INTEGER NOT NULL,"
		" last_id INTEGER NOT NULL, expires_wall INTEGER NOT NULL,"
		" pkts_to_mn INTEGER NOT NULL, bytes_to_mn INTEGER NOT NULL,"
		" pkts_from_mn INTEGER NOT NULL, bytes_from_mn INTEGER NOT NULL);"
		"CREATE TABLE replay ( spi INTEGER PRIMARY KEY,"
		" last_id INTEGER NOT NULL);"
		"INSERT INTO binding VALUES (167772161, 'old@corp', 3232235521,"
		" 3232235521, 434, 300, 0, 2, 0, 256, -1, 1700000600,"
		" 1, 2, 3, 4);"
		"INSERT INTO replay VALUES (256, 77);"
		"PRAGMA application_id = 1296650292; PRAGMA user_version = 1");
	s = open_ok(f->path);
	assert_int_equal(load_all(s, NOW, &l), 1);
	assert_int_equal(l.rows[0].b.home_addr, 0x0a000001);
	assert_int_equal(l.rows[0].b.coa, 0xc0a80001);
	assert_string_equal(l.rows[0].nai, "old@corp");
	assert_true(l.rows[0].b.last_id == UINT64_MAX);
	assert_true(l.rows[0].expires_wall == NOW + 600);
	free(l.rows);
	assert_int_equal(load_coas(s, &lc), 0);
	assert_int_equal(store_put_coas(s, 0x0a000001, &c, &exp, 1), 0);
	store_close(s);

	s = open_ok(f->path);
	assert_int_equal(load_all(s, NOW, &l), 1);
	free(l.rows);
	assert_int_equal(load_coas(s, &lc), 1);
	store_close(s);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st,
					    NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), STORE_SCHEMA_VERSION);
	assert_int_equal(STORE_SCHEMA_VERSION, 2);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_foreign_database(void **state)
{
	struct fixture *f = *state;

	/* someone else's SQLite file, no version */
	sq_exec(f->path, "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
	open_refused(f->path, "not a mip4d state file");
	/* someone else's application id */
	sq_exec(f->path, "PRAGMA application_id = 42; PRAGMA user_version = 1");
	open_refused(f->path, "application_id 0x0000002a");
}

static void test_locked(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct store *t;
	struct mip4_binding b;
	char nai[64];
	int status;
	pid_t pid;

	open_refused(f->path, "in use by another process");
	/* another process too */
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];

		_exit(store_open(f->path, &t, err, sizeof err) == -1 &&
				      strstr(err, "another process")
			      ? 0
			      : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* the holder is unaffected */
	mk_binding(&b, 1, nai, sizeof nai);
	assert_int_equal(store_put(s, &b, NOW + 600), 0);
	store_close(s);
	t = open_ok(f->path);
	assert_int_equal(store_count(t), 1);
	store_close(t);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Upserts per second for n bindings, one transaction each or one batch. */
static double bench_rate(const char *path, enum store_sync sync, bool batch,
			 uint32_t n)
{
	struct store *s = open_ok(path);
	struct mip4_binding b;
	char nai[64];
	double t0, t1;

	assert_int_equal(store_set_sync(s, sync), 0);
	t0 = now_s();
	if (batch)
		assert_int_equal(store_begin(s), 0);
	for (uint32_t i = 0; i < n; i++) {
		mk_binding(&b, i, nai, sizeof nai);
		assert_int_equal(store_put(s, &b, NOW + 600), 0);
	}
	if (batch)
		assert_int_equal(store_commit(s), 0);
	t1 = now_s();
	assert_int_equal(store_count(s), n);
	store_close(s);
	unlink(path);
	return n / (t1 - t0);
}

static void test_bench(void **state)
{
	struct fixture *f = *state;
	enum { N = 10000 };
	const char *dir = getenv("MIP4_STORE_BENCH_DIR");
	char path[256];
	struct {
		const char *name;
		enum store_sync sync;
		bool batch;
	} runs[] = {
		{ "normal, one transaction each", STORE_SYNC_NORMAL, false },
		{ "normal, one batch", STORE_SYNC_NORMAL, true },
		{ "full, one transaction each", STORE_SYNC_FULL, false },
		{ "full, one batch", STORE_SYNC_FULL, true },
	};
	double rate[4];

	if (!getenv("MIP4_STORE_BENCH"))
		skip();
	snprintf(path, sizeof path, "%s/bench.db", dir ? dir : f->dir);
	for (size_t i = 0; i < 4; i++) {
		rate[i] = bench_rate(path, runs[i].sync, runs[i].batch, N);
		printf("store bench: %d upserts, %-30s %10.0f /s\n", N,
		       runs[i].name, rate[i]);
	}
	printf("store bench: batched/individual: normal %.1fx, full %.1fx; "
	       "normal/full individual %.1fx\n",
	       rate[1] / rate[0], rate[3] / rate[2], rate[0] / rate[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upsert_replaces, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_expiry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigkill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_without_close, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_garbage_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_damaged_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_damage_sweep, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tampered_row, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_schema_version, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_foreign_database, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_coas_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_coas_expiry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_coas_tampered, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_damage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get, setup, teardown),
		cmocka_unit_test(test_walscan),
		cmocka_unit_test_setup_teardown(test_check_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_is_ours, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bench, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
