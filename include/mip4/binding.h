/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mip4/binding.h - the home agent's mobility binding table.
 *
 * O(1) average lookup, insert and delete by home address and by NAI
 * (chained hash tables that double when full), and O(1) amortised expiry
 * through a timer wheel of one-second slots: a binding whose expiry lies
 * beyond the wheel's horizon is re-filed when its slot comes round, so
 * each costs O(1) per horizon crossed.  A binding sits in the wheel at its
 * earliest care-of address expiry.  Pure code: time comes in as
 * milliseconds of a monotonic clock the caller reads.
 */
#ifndef MIP4_BINDING_H
#define MIP4_BINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mip4_encap {
	MIP4_ENCAP_IPIP = 0, /* RFC 2003 */
	MIP4_ENCAP_UDP = 1,  /* RFC 3519 type 4 */
	MIP4_ENCAP_GRE = 2,  /* RFC 2784, requested with the G bit */
	MIP4_ENCAP_MIN = 3,  /* RFC 2004, requested with the M bit */
};

/*
 * One entry of a mobile node's mobility binding list (RFC 5944 §3.8.2.2):
 * a care-of address with its own lifetime.  The first one lives in the
 * binding itself; the others, registered with the S bit (simultaneous
 * bindings, §3.6.1.2), in a small array allocated only when there are any.
 */
struct mip4_coa {
	uint64_t expires_ms;
	uint32_t coa;
	uint32_t peer_addr;  /* source the request came from (NAT aware) */
	uint16_t peer_port;
	uint16_t lifetime;   /* granted, seconds */
	uint16_t keepalive;  /* RFC 3519 keepalive interval granted */
	uint8_t encap;	     /* enum mip4_encap */
};

/* The care-of addresses of a binding after its first one. */
struct mip4_coa_more {
	uint8_t n;
	struct mip4_coa c[];
};

/*
 * 128 bytes, however many care-of addresses it has: the second and later
 * ones cost a pointer here and an allocation only when they exist.
 */
struct mip4_binding {
	/* table links: owned by the table */
	struct mip4_binding *addr_next, *nai_next;
	struct mip4_binding *wheel_next, **wheel_pprev;
	uint64_t expires_ms; /* of the first care-of address */
	/* registration state */
	uint64_t last_id;    /* last accepted identification */
	struct mip4_coa_more *more; /* owned by the table; NULL: one CoA */
	char *nai;	     /* NUL-terminated, or NULL */
	/* per-binding data plane counters (all care-of addresses) */
	uint64_t pkts_to_mn, bytes_to_mn, pkts_from_mn, bytes_from_mn;
	uint32_t home_addr;  /* host byte order */
	/* the rest of the first care-of address (see struct mip4_coa) */
	uint32_t coa;
	uint32_t peer_addr;  /* source the request came from (NAT aware) */
	uint32_t spi;	     /* SA that authenticated the latest request */
	/* The daemon's: until this second of its monotonic clock the copy
	 * in its state store would bring the binding back after a restart
	 * (0: not stored).  The table never reads or changes it. */
	uint32_t durable_s;
	uint16_t peer_port;
	uint16_t lifetime;   /* granted, seconds */
	uint16_t keepalive;  /* RFC 3519 keepalive interval granted */
	uint8_t flags;	     /* latest request's flags (S B D M G T) */
	uint8_t encap;	     /* enum mip4_encap */
};

struct mip4_btable;

/* A table sized for about `hint` bindings (it grows as needed).  NULL when
 * out of memory. */
struct mip4_btable *mip4_btable_new(size_t hint);
/* Frees the table and every binding in it. */
void mip4_btable_free(struct mip4_btable *t);
size_t mip4_btable_count(const struct mip4_btable *t);
/* Bytes the table uses for its own arrays (not counting bindings). */
size_t mip4_btable_overhead(const struct mip4_btable *t);

struct mip4_binding *mip4_btable_get(const struct mip4_btable *t,
				     uint32_t home_addr);
struct mip4_binding *mip4_btable_get_nai(const struct mip4_btable *t,
					 const char *nai, size_t len);

/*
 * Create a binding for home_addr (and optionally an NAI, at most 255
 * bytes), expiring at expires_ms, with no care-of address yet (coa 0).
 * Returns NULL if one exists for that address already (the caller updates
 * it instead), if the NAI is in use, or on allocation failure (errno
 * ENOMEM).
 */
struct mip4_binding *mip4_btable_add(struct mip4_btable *t, uint32_t home_addr,
				     const char *nai, size_t nai_len,
				     uint64_t expires_ms);
/* Move the expiry of a binding's first care-of address. */
void mip4_btable_touch(struct mip4_btable *t, struct mip4_binding *b,
		       uint64_t expires_ms);
/* Unlink and free a binding, with all its care-of addresses. */
void mip4_btable_del(struct mip4_btable *t, struct mip4_binding *b);

/* How many care-of addresses b has (at least 1). */
size_t mip4_binding_ncoa(const struct mip4_binding *b);
/* Care-of address i of b (0 = the first), 0 <= i < mip4_binding_ncoa(). */
void mip4_binding_coa(const struct mip4_binding *b, size_t i,
		      struct mip4_coa *out);
/* The index of care-of address coa in b, or -1. */
int mip4_binding_coa_find(const struct mip4_binding *b, uint32_t coa);
/* RFC 3519 §4.11: the NAT moved the port of care-of address i. */
void mip4_binding_set_peer_port(struct mip4_binding *b, size_t i,
				uint16_t port);

/*
 * Register care-of address c (c->expires_ms its expiry) for b.  With
 * keep_others false it replaces every care-of address b had (RFC 5944
 * §3.8.2.2, S bit clear); with it true it updates the entry with the same
 * address, or adds one (S bit set; a binding fresh from mip4_btable_add()
 * takes it as its first).  The caller bounds how many there may be.
 * Returns the index of c in b, or -1 with errno ENOMEM (b unchanged).
 */
int mip4_btable_coa_put(struct mip4_btable *t, struct mip4_binding *b,
			const struct mip4_coa *c, bool keep_others);
/*
 * Remove care-of address i from b (the next one becomes the first when
 * i is 0).  False, and nothing done, when i is out of range or the only
 * one: a binding without a care-of address is deleted with
 * mip4_btable_del().
 */
bool mip4_btable_coa_del(struct mip4_btable *t, struct mip4_binding *b,
			 size_t i);

/*
 * Called by mip4_btable_expire() for each care-of address c of b that
 * expired, once c is out of b.  last: it was b's only one, and b is
 * unlinked and freed right after the call (b still shows c as its first);
 * otherwise b lives on with its other care-of addresses.  It must not
 * touch the table.
 */
typedef void (*mip4_btable_expired_fn)(void *ctx, const struct mip4_binding *b,
				       const struct mip4_coa *c, bool last);

/*
 * Remove every care-of address whose expiry is <= now_ms (RFC 5944
 * §4.2.3: each expires on its own, the others stay), and every binding
 * left with none.  Returns how many bindings went.  Cost: the wheel slots
 * passed since the last call plus the bindings due in them.
 */
size_t mip4_btable_expire(struct mip4_btable *t, uint64_t now_ms,
			  mip4_btable_expired_fn expired, void *ctx);

/* Visit every binding (order unspecified); stop early when fn returns
 * non-zero, and return that value. */
int mip4_btable_foreach(const struct mip4_btable *t,
			int (*fn)(void *ctx, const struct mip4_binding *b),
			void *ctx);

/*
 * A walk in steps, for listings too long to make in one go (a million
 * bindings streamed to mip4ctl while the home agent keeps answering).
 * Visits the bindings from position *pos on, a hash bucket at a time,
 * until about max bindings and empty buckets were seen, and moves *pos
 * past them.  Start with *pos = 0; returns true while more may follow.
 *
 * A position is a value of the home-address hash, which is a bijection
 * of the address, so the order does not depend on the table's size and
 * stays put when the table grows between steps: a binding present for
 * the whole walk is visited exactly once; one added or removed
 * meanwhile at most once.  fn must not change the table.
 */
bool mip4_btable_walk(const struct mip4_btable *t, uint64_t *pos, size_t max,
		      void (*fn)(void *ctx, const struct mip4_binding *b),
		      void *ctx);

#endif
