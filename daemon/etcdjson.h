/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/etcdjson.h - the JSON of etcd's v3 gateway (/v3/kv/...), as the
 * etcd store (etcdstore.c) writes and reads it: base64 keys and values,
 * the answers of range and txn, and the values the store keeps under its
 * keys (a binding, its further care-of addresses, a replay counter).
 *
 * No I/O: everything comes in as text and goes out through callbacks, so
 * that fuzz/fuzz_etcd.c can feed it whatever an etcd (or something posing
 * as one) might answer.  Every reader bounds its input by its length and
 * fails with a one-line message instead of trusting a field.
 */
#ifndef MIP4D_ETCDJSON_H
#define MIP4D_ETCDJSON_H

#include <stddef.h>
#include <stdint.h>

#include "mip4/binding.h"
#include "mip4/ha.h"

/* Standard base64 with padding, NUL-terminated: the length, or -1 when
 * cap is too small. */
int etcdj_b64enc(const void *p, size_t n, char *out, size_t cap);
/* Its inverse: the length decoded into out, or -1 (not base64, or more
 * than cap bytes). */
int etcdj_b64dec(const char *s, size_t n, unsigned char *out, size_t cap);

typedef int (*etcdj_kv_fn)(void *ctx, const unsigned char *key, size_t klen,
			   const unsigned char *val, size_t vlen);

/*
 * A /v3/kv/range answer: fn for each key-value (a non-zero return stops
 * and fails), *count (may be NULL) the "count" field (0 when left out, as
 * etcd leaves out zero values).  0, or -1 with the gateway's error or
 * what was malformed in err.
 */
int etcdj_range(const char *txt, size_t len, etcdj_kv_fn fn, void *ctx,
		int64_t *count, char *err, size_t errlen);
/* A /v3/kv/txn answer: 1 succeeded, 0 not (its compare failed), -1 an
 * error (err). */
int etcdj_txn(const char *txt, size_t len, char *err, size_t errlen);

/* Room a binding's value needs (NAI included, escaped). */
#define ETCDJ_BINDING_MAX 2048
/* A binding as the store keeps it (its first care-of address, expiring
 * at exp_wall): the length written to out, or -1. */
int etcdj_binding_fmt(const struct mip4_binding *b, int64_t exp_wall,
		      char *out, size_t cap);
/*
 * Back: b filled (table links, more, expires_ms zero), b->nai pointing
 * into nai (NULL when none) of naicap bytes, *exp_wall.  0, or -1 (err)
 * when a field is missing or out of its range.
 */
int etcdj_binding_parse(const unsigned char *v, size_t n,
			struct mip4_binding *b, char *nai, size_t naicap,
			int64_t *exp_wall, char *err, size_t errlen);

/* Room the further care-of addresses of one binding need. */
#define ETCDJ_COAS_MAX (MIP4_HA_MAX_COA * 160 + 16)
int etcdj_coas_fmt(const struct mip4_coa *c, const int64_t *exp_wall,
		   size_t n, char *out, size_t cap);
/* fn for each care-of address of the value (expires_ms 0): the count, or
 * -1 (err; a non-zero return of fn is one). */
int etcdj_coas_parse(const unsigned char *v, size_t n,
		     int (*fn)(void *ctx, const struct mip4_coa *c,
			       int64_t exp_wall),
		     void *ctx, char *err, size_t errlen);

/* A replay counter's value: decimal digits, no sign. 0 or -1. */
int etcdj_u64_parse(const unsigned char *v, size_t n, uint64_t *out);

/* The election (etcdstore.h).  /v3/lease/grant: *id (> 0); 0 or -1. */
int etcdj_lease_grant(const char *txt, size_t len, int64_t *id, char *err,
		      size_t errlen);
/* /v3/lease/keepalive ({"result":{..."TTL"}}): *ttl, 0 when the lease is
 * gone (etcd leaves the zero out); 0 or -1. */
int etcdj_lease_ttl(const char *txt, size_t len, int64_t *ttl, char *err,
		    size_t errlen);
/*
 * The campaign's txn (create the key if absent, else read it): 1 when it
 * succeeded (the key is ours), 0 when not, with the holder's value in
 * holder (cap bytes, "" when the key vanished meanwhile), -1 (err).
 */
int etcdj_txn_holder(const char *txt, size_t len, char *holder, size_t cap,
		     char *err, size_t errlen);

#endif
