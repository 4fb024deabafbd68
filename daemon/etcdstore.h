/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/etcdstore.h - the store's etcd backend (state-etcd in
 * mip4d.conf(5)): the same operations as store.h, which dispatches here
 * when the store was opened with store_open_etcd().
 *
 * Layout under the configured prefix P (keys are text):
 *   P b/HHHHHHHH   a binding, HHHHHHHH its home address in hex
 *                  (value: etcdj_binding_fmt())
 *   P c/HHHHHHHH   its further care-of addresses (etcdj_coas_fmt())
 *   P r/SSSSSSSS   the replay counter of SA SSSSSSSS (decimal)
 *
 * A batch (begin .. commit) is one /v3/kv/txn: the changes are kept in
 * memory, one per key (the last wins: etcd refuses a key twice in one
 * transaction), and sent at commit; etcd answers once the transaction is
 * committed by a quorum.  Outside a batch each change is its own
 * transaction.  A batch larger than etcd's --max-txn-ops (128) goes as
 * several transactions, in order; when one fails the ones before it stay
 * committed, which the home agent handles as any failed batch (it answers
 * 130 and reloads what the store holds).
 */
#ifndef MIP4D_ETCDSTORE_H
#define MIP4D_ETCDSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mip4/binding.h"

struct etcdstore;

/* Connect (one range read: etcd must answer now, the start needs its
 * bindings).  0, or -1 with err. */
int etcdstore_open(const uint32_t *addr, const uint16_t *port, unsigned n,
		   const char *prefix, unsigned timeout_ms,
		   struct etcdstore **out, char *err, size_t errlen);
void etcdstore_close(struct etcdstore *es);

int etcdstore_put(struct etcdstore *es, const struct mip4_binding *b,
		  int64_t expires_wall);
int etcdstore_del(struct etcdstore *es, uint32_t home_addr);
int etcdstore_put_coas(struct etcdstore *es, uint32_t home_addr,
		       const struct mip4_coa *c, const int64_t *expires_wall,
		       size_t n);
int etcdstore_load(struct etcdstore *es, int64_t now_wall,
		   int (*fn)(void *ctx, const struct mip4_binding *b,
			     int64_t expires_wall),
		   void *ctx);
int etcdstore_load_coas(struct etcdstore *es,
			int (*fn)(void *ctx, uint32_t home_addr,
				  const struct mip4_coa *c,
				  int64_t expires_wall),
			void *ctx);
int etcdstore_get(struct etcdstore *es, uint32_t home_addr,
		  int (*fn)(void *ctx, const struct mip4_binding *b,
			    int64_t expires_wall),
		  int (*coa_fn)(void *ctx, uint32_t home_addr,
				const struct mip4_coa *c, int64_t expires_wall),
		  void *ctx);
int etcdstore_put_replay(struct etcdstore *es, uint32_t spi,
			 uint64_t last_id);
int etcdstore_get_replay(struct etcdstore *es, uint32_t spi,
			 uint64_t *last_id);
int etcdstore_del_replay(struct etcdstore *es, uint32_t spi);
int etcdstore_begin(struct etcdstore *es);
int etcdstore_commit(struct etcdstore *es);
int etcdstore_rollback(struct etcdstore *es);
int64_t etcdstore_count(struct etcdstore *es);
/* A linearizable read of the prefix: 0 when a quorum answers. */
int etcdstore_probe(struct etcdstore *es);
const char *etcdstore_errmsg(const struct etcdstore *es);
/* "etcd A:P,B:P prefix P" */
const char *etcdstore_desc(const struct etcdstore *es);

/*
 * The election of the active home agent among those sharing the prefix:
 * the key "P leader" holds the name of the active one, under its lease
 * (ttl_s seconds, kept alive by etcdstore_elect()).  Once set up, every
 * transaction carries the fence: it commits only while the key holds our
 * lease, so a former active HA cut off from etcd cannot store (and so
 * cannot grant) anything after its lease ran out.
 */
void etcdstore_elect_setup(struct etcdstore *es, const char *name,
			   unsigned ttl_s);
/* Keep our lease alive (or get one) and take the key when nobody holds
 * it: 1 we hold it, 0 another does, -1 etcd did not answer. */
int etcdstore_elect(struct etcdstore *es);
/* Whether we hold it; *name: its holder's name ("" unknown). */
bool etcdstore_holder(const struct etcdstore *es, const char **name);

#endif
