/* SPDX-License-Identifier: BSD-2-Clause */
/* Mobility binding table: two chained hash tables and a timer wheel. */
#include "mip4/binding.h"

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define WHEEL_BITS 12
#define WHEEL_SLOTS (1u << WHEEL_BITS) /* one-second slots: ~68 min */
#define WHEEL_MASK (WHEEL_SLOTS - 1)

/* Most mobile nodes have one care-of address: that case must not pay for
 * simultaneous bindings (ha_bench measures the whole cost per binding). */
static_assert(sizeof(struct mip4_binding) <= 128, "binding grew");

/* Under AddressSanitizer a binding on the free list is poisoned, so that
 * a use after mip4_btable_del() is still caught. */
#if defined(__SANITIZE_ADDRESS__)
#define BT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BT_ASAN 1
#endif
#endif
#ifdef BT_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/*
 * Bindings come from slabs of SLAB_N: 128 bytes each where malloc would
 * take 144 (its header and rounding), at a million bindings 16 MB.  A
 * binding deleted goes on a free list (through addr_next) for the next
 * one; slabs go back only with the table.
 */
#define SLAB_N 511 /* a slab just under 64 KiB */

struct slab {
	struct slab *next;
	struct mip4_binding b[SLAB_N];
};

struct mip4_btable {
	struct mip4_binding **by_addr;
	struct mip4_binding **by_nai;
	struct slab *slabs;	   /* the newest first */
	size_t slab_used;	   /* bindings handed out of the newest */
	struct mip4_binding *free; /* deleted ones, linked by addr_next */
	unsigned bits;	  /* both hash tables have 1 << bits buckets */
	size_t count;
	uint64_t cursor_s; /* wheel position: first second not yet done */
	bool cursor_set;
	bool swept;	   /* mip4_btable_expire() has moved the cursor */
	struct mip4_binding *wheel[WHEEL_SLOTS];
};

/* Fibonacci hashing spreads consecutive home addresses evenly.  The
 * product is a bijection of the address (odd multiplier); a bucket holds
 * the addresses whose product has its top `bits` bits, so doubling the
 * table splits bucket k into 2k and 2k + 1 (mip4_btable_walk relies on
 * both). */
static uint32_t addr_hash(uint32_t a)
{
	return a * 2654435769u;
}

static size_t addr_bucket(uint32_t a, unsigned bits)
{
	return (size_t)(addr_hash(a) >> (32 - bits));
}

/* FNV-1a, 32 bit. */
static uint32_t nai_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 16777619u;
	}
	return h;
}

static size_t nai_bucket(uint32_t h, unsigned bits)
{
	return (size_t)((h * 2654435769u) >> (32 - bits));
}

struct mip4_btable *mip4_btable_new(size_t hint)
{
	struct mip4_btable *t = calloc(1, sizeof *t);
	unsigned bits = 4;

	if (!t)
		return NULL;
	while (bits < 30 && ((size_t)1 << bits) < hint)
		bits++;
	t->bits = bits;
	t->by_addr = calloc((size_t)1 << bits, sizeof(struct mip4_binding *));
	t->by_nai = calloc((size_t)1 << bits, sizeof(struct mip4_binding *));
	if (!t->by_addr || !t->by_nai) {
		free(t->by_addr);
		free(t->by_nai);
		free(t);
		return NULL;
	}
	return t;
}

/* The NAI's hash is not kept (it would cost the binding 4 bytes): it is
 * recomputed when the tables double and when a binding is unlinked. */
static uint32_t binding_nai_hash(const struct mip4_binding *b)
{
	return nai_hash(b->nai, strlen(b->nai));
}

static struct mip4_binding *binding_alloc(struct mip4_btable *t)
{
	struct mip4_binding *b = t->free;

	if (b) {
		UNPOISON(b, sizeof *b);
		t->free = b->addr_next;
	} else {
		if (!t->slabs || t->slab_used == SLAB_N) {
			struct slab *s = malloc(sizeof *s);

			if (!s)
				return NULL;
			s->next = t->slabs;
			t->slabs = s;
			t->slab_used = 0;
		}
		b = &t->slabs->b[t->slab_used++];
	}
	memset(b, 0, sizeof *b);
	return b;
}

#define FREE_LINK sizeof(struct mip4_binding *)
_Static_assert(offsetof(struct mip4_binding, addr_next) == 0,
	       "the free list's link is a binding's first bytes");

static void binding_free(struct mip4_btable *t, struct mip4_binding *b)
{
	free(b->more);
	free(b->nai);
	b->addr_next = t->free;
	t->free = b;
	/* all but the link the free list runs through (the first member) */
	POISON((char *)b + FREE_LINK, sizeof *b - FREE_LINK);
}

void mip4_btable_free(struct mip4_btable *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < ((size_t)1 << t->bits); i++)
		for (struct mip4_binding *b = t->by_addr[i]; b; b = b->addr_next) {
			free(b->more);
			free(b->nai);
		}
	while (t->slabs) {
		struct slab *next = t->slabs->next;

		UNPOISON(t->slabs, sizeof *t->slabs);
		free(t->slabs);
		t->slabs = next;
	}
	free(t->by_addr);
	free(t->by_nai);
	free(t);
}

size_t mip4_btable_count(const struct mip4_btable *t)
{
	return t->count;
}

size_t mip4_btable_overhead(const struct mip4_btable *t)
{
	return sizeof *t + 2 * ((size_t)1 << t->bits) * sizeof(void *);
}

struct mip4_binding *mip4_btable_get(const struct mip4_btable *t,
				     uint32_t home_addr)
{
	struct mip4_binding *b = t->by_addr[addr_bucket(home_addr, t->bits)];

	while (b && b->home_addr != home_addr)
		b = b->addr_next;
	return b;
}

struct mip4_binding *mip4_btable_get_nai(const struct mip4_btable *t,
					 const char *nai, size_t len)
{
	uint32_t h = nai_hash(nai, len);
	struct mip4_binding *b = t->by_nai[nai_bucket(h, t->bits)];

	for (; b; b = b->nai_next)
		if (strlen(b->nai) == len && memcmp(b->nai, nai, len) == 0)
			return b;
	return NULL;
}

/* Double both hash tables; on allocation failure keep the old ones (the
 * table still works, with longer chains). */
static void grow(struct mip4_btable *t)
{
	unsigned nbits = t->bits + 1;
	size_t n = (size_t)1 << t->bits;
	struct mip4_binding **a = calloc(n * 2, sizeof(struct mip4_binding *));
	struct mip4_binding **s = calloc(n * 2, sizeof(struct mip4_binding *));

	if (!a || !s) {
		free(a);
		free(s);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct mip4_binding *b = t->by_addr[i], *next;

		for (; b; b = next) {
			size_t k = addr_bucket(b->home_addr, nbits);

			next = b->addr_next;
			b->addr_next = a[k];
			a[k] = b;
		}
		for (b = t->by_nai[i]; b; b = next) {
			size_t k = nai_bucket(binding_nai_hash(b), nbits);

			next = b->nai_next;
			b->nai_next = s[k];
			s[k] = b;
		}
	}
	free(t->by_addr);
	free(t->by_nai);
	t->by_addr = a;
	t->by_nai = s;
	t->bits = nbits;
}

/* Where a binding sits in the wheel: its earliest care-of address expiry. */
static uint64_t wheel_key(const struct mip4_binding *b)
{
	uint64_t k = b->expires_ms;

	if (b->more)
		for (size_t i = 0; i < b->more->n; i++)
			if (b->more->c[i].expires_ms < k)
				k = b->more->c[i].expires_ms;
	return k;
}

static void wheel_link(struct mip4_btable *t, struct mip4_binding *b)
{
	uint64_t s = wheel_key(b) / 1000;
	struct mip4_binding **slot;

	/* Until the first sweep nothing has been passed over: the cursor
	 * follows the earliest expiry (bindings restored at start come in
	 * any order).  After it, an earlier second is already due. */
	if (!t->cursor_set || (!t->swept && s < t->cursor_s)) {
		t->cursor_s = s;
		t->cursor_set = true;
	}
	if (s < t->cursor_s) /* already due: the next sweep's first slot */
		s = t->cursor_s;
	slot = &t->wheel[s & WHEEL_MASK];
	b->wheel_next = *slot;
	if (*slot)
		(*slot)->wheel_pprev = &b->wheel_next;
	b->wheel_pprev = slot;
	*slot = b;
}

/* The list is linked through the previous entry's next pointer (or the
 * slot), so unlinking needs no slot number in the binding. */
static void wheel_unlink(struct mip4_binding *b)
{
	*b->wheel_pprev = b->wheel_next;
	if (b->wheel_next)
		b->wheel_next->wheel_pprev = b->wheel_pprev;
	b->wheel_next = NULL;
	b->wheel_pprev = NULL;
}

static void wheel_move(struct mip4_btable *t, struct mip4_binding *b)
{
	wheel_unlink(b);
	wheel_link(t, b);
}

struct mip4_binding *mip4_btable_add(struct mip4_btable *t, uint32_t home_addr,
				     const char *nai, size_t nai_len,
				     uint64_t expires_ms)
{
	struct mip4_binding *b;
	size_t k;

	if (mip4_btable_get(t, home_addr) ||
	    (nai && nai_len && mip4_btable_get_nai(t, nai, nai_len))) {
		errno = EEXIST;
		return NULL;
	}
	if (nai_len > 255) {
		errno = EINVAL;
		return NULL;
	}
	b = binding_alloc(t);
	if (!b)
		return NULL;
	if (nai && nai_len) {
		b->nai = malloc(nai_len + 1);
		if (!b->nai) {
			binding_free(t, b);
			return NULL;
		}
		memcpy(b->nai, nai, nai_len);
		b->nai[nai_len] = '\0';
		if (strlen(b->nai) != nai_len) { /* an embedded NUL */
			binding_free(t, b);
			errno = EINVAL;
			return NULL;
		}
	}
	if (t->count >= ((size_t)1 << t->bits) && t->bits < 30)
		grow(t);
	b->home_addr = home_addr;
	b->expires_ms = expires_ms;
	k = addr_bucket(home_addr, t->bits);
	b->addr_next = t->by_addr[k];
	t->by_addr[k] = b;
	if (b->nai) {
		k = nai_bucket(nai_hash(nai, nai_len), t->bits);
		b->nai_next = t->by_nai[k];
		t->by_nai[k] = b;
	}
	wheel_link(t, b);
	t->count++;
	return b;
}

void mip4_btable_touch(struct mip4_btable *t, struct mip4_binding *b,
		       uint64_t expires_ms)
{
	b->expires_ms = expires_ms;
	wheel_move(t, b);
}

static void unlink_hashes(struct mip4_btable *t, struct mip4_binding *b)
{
	struct mip4_binding **pp = &t->by_addr[addr_bucket(b->home_addr, t->bits)];

	while (*pp && *pp != b)
		pp = &(*pp)->addr_next;
	if (*pp)
		*pp = b->addr_next;
	if (b->nai) {
		pp = &t->by_nai[nai_bucket(binding_nai_hash(b), t->bits)];
		while (*pp && *pp != b)
			pp = &(*pp)->nai_next;
		if (*pp)
			*pp = b->nai_next;
	}
}

void mip4_btable_del(struct mip4_btable *t, struct mip4_binding *b)
{
	unlink_hashes(t, b);
	wheel_unlink(b);
	t->count--;
	binding_free(t, b);
}

size_t mip4_binding_ncoa(const struct mip4_binding *b)
{
	return 1 + (b->more ? b->more->n : 0);
}

void mip4_binding_coa(const struct mip4_binding *b, size_t i,
		      struct mip4_coa *out)
{
	if (i > 0 && b->more && i <= b->more->n) {
		*out = b->more->c[i - 1];
		return;
	}
	*out = (struct mip4_coa){
		.expires_ms = b->expires_ms,
		.coa = b->coa,
		.peer_addr = b->peer_addr,
		.peer_port = b->peer_port,
		.lifetime = b->lifetime,
		.keepalive = b->keepalive,
		.encap = b->encap,
	};
}

int mip4_binding_coa_find(const struct mip4_binding *b, uint32_t coa)
{
	if (b->coa == coa)
		return 0;
	if (b->more)
		for (size_t i = 0; i < b->more->n; i++)
			if (b->more->c[i].coa == coa)
				return (int)i + 1;
	return -1;
}

void mip4_binding_set_peer_port(struct mip4_binding *b, size_t i,
				uint16_t port)
{
	if (i == 0)
		b->peer_port = port;
	else if (b->more && i <= b->more->n)
		b->more->c[i - 1].peer_port = port;
}

static void first_set(struct mip4_binding *b, const struct mip4_coa *c)
{
	b->expires_ms = c->expires_ms;
	b->coa = c->coa;
	b->peer_addr = c->peer_addr;
	b->peer_port = c->peer_port;
	b->lifetime = c->lifetime;
	b->keepalive = c->keepalive;
	b->encap = c->encap;
}

/* Resize the array of further care-of addresses to n entries (freed at 0).
 * False, with nothing changed, when out of memory. */
static bool more_resize(struct mip4_binding *b, size_t n)
{
	struct mip4_coa_more *m;

	if (n == 0) {
		free(b->more);
		b->more = NULL;
		return true;
	}
	m = realloc(b->more, sizeof *m + n * sizeof m->c[0]);
	if (!m)
		return false;
	if (!b->more)
		m->n = 0;
	b->more = m;
	return true;
}

int mip4_btable_coa_put(struct mip4_btable *t, struct mip4_binding *b,
			const struct mip4_coa *c, bool keep_others)
{
	int i;

	if (!keep_others) {
		(void)more_resize(b, 0);
		first_set(b, c);
		wheel_move(t, b);
		return 0;
	}
	i = mip4_binding_coa_find(b, c->coa);
	if (i < 0 && b->coa == 0 && !b->more)
		i = 0; /* fresh from mip4_btable_add() */
	if (i == 0) {
		first_set(b, c);
	} else if (i > 0) {
		b->more->c[i - 1] = *c;
	} else {
		size_t n = b->more ? b->more->n : 0;

		if (n >= UINT8_MAX || !more_resize(b, n + 1)) {
			errno = ENOMEM;
			return -1;
		}
		b->more->c[n] = *c;
		b->more->n = (uint8_t)(n + 1);
		i = (int)n + 1;
	}
	wheel_move(t, b);
	return i;
}

bool mip4_btable_coa_del(struct mip4_btable *t, struct mip4_binding *b,
			 size_t i)
{
	struct mip4_coa_more *m = b->more;
	size_t n = m ? m->n : 0;
	size_t k; /* the entry of m->c that goes */

	if (n == 0 || i > n)
		return false;
	if (i == 0)
		first_set(b, &m->c[0]); /* the next one becomes the first */
	k = i == 0 ? 0 : i - 1;
	memmove(&m->c[k], &m->c[k + 1], (n - k - 1) * sizeof m->c[0]);
	m->n = (uint8_t)(n - 1);
	if (m->n == 0)
		(void)more_resize(b, 0);
	wheel_move(t, b);
	return true;
}

/*
 * Take the expired care-of addresses out of b, reporting each.  True when
 * none is left (b reported as last, not yet freed).
 */
static bool prune(struct mip4_btable *t, struct mip4_binding *b,
		  uint64_t now_ms, mip4_btable_expired_fn expired, void *ctx)
{
	struct mip4_coa c;

	for (size_t i = mip4_binding_ncoa(b); i-- > 0;) {
		mip4_binding_coa(b, i, &c);
		if (c.expires_ms > now_ms)
			continue;
		if (!mip4_btable_coa_del(t, b, i)) {
			if (expired)
				expired(ctx, b, &c, true);
			return true;
		}
		if (expired)
			expired(ctx, b, &c, false);
	}
	return false;
}

size_t mip4_btable_expire(struct mip4_btable *t, uint64_t now_ms,
			  mip4_btable_expired_fn expired, void *ctx)
{
	uint64_t now_s = now_ms / 1000;
	uint64_t steps;
	size_t n = 0;

	if (!t->cursor_set || now_s < t->cursor_s)
		return 0;
	t->swept = true;
	steps = now_s - t->cursor_s + 1;
	if (steps > WHEEL_SLOTS)
		steps = WHEEL_SLOTS;
	for (uint64_t i = 0; i < steps; i++) {
		struct mip4_binding *b = t->wheel[(t->cursor_s + i) & WHEEL_MASK];

		while (b) {
			/* a binding that keeps care-of addresses is re-filed
			 * at the head of a slot: not visited again here */
			struct mip4_binding *next = b->wheel_next;

			if (wheel_key(b) <= now_ms &&
			    prune(t, b, now_ms, expired, ctx)) {
				mip4_btable_del(t, b);
				n++;
			}
			b = next;
		}
	}
	/* The current second may still hold bindings due later in it. */
	t->cursor_s = now_s;
	return n;
}

int mip4_btable_foreach(const struct mip4_btable *t,
			int (*fn)(void *ctx, const struct mip4_binding *b),
			void *ctx)
{
	for (size_t i = 0; i < ((size_t)1 << t->bits); i++)
		for (const struct mip4_binding *b = t->by_addr[i]; b;
		     b = b->addr_next) {
			int rc = fn(ctx, b);

			if (rc)
				return rc;
		}
	return 0;
}

#define WALK_END ((uint64_t)1 << 32)

bool mip4_btable_walk(const struct mip4_btable *t, uint64_t *pos, size_t max,
		      void (*fn)(void *ctx, const struct mip4_binding *b),
		      void *ctx)
{
	unsigned shift = 32 - t->bits;
	size_t seen = 0;
	uint64_t p = *pos;

	while (p < WALK_END && seen < max) {
		size_t k = (size_t)(p >> shift);

		seen++;
		/* p lies on a bucket boundary unless the table shrank, which
		 * it never does; the test keeps the order exact anyway */
		for (const struct mip4_binding *b = t->by_addr[k]; b;
		     b = b->addr_next)
			if (addr_hash(b->home_addr) >= p) {
				fn(ctx, b);
				seen++;
			}
		p = (uint64_t)(k + 1) << shift;
	}
	*pos = p;
	return p < WALK_END;
}
