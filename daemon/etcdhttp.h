/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/etcdhttp.h - a blocking POST to etcd's JSON gateway, with a
 * bound on its time, over libevent's evhttp.
 *
 * Blocking on purpose: the home agent's receive loop waits for its batch
 * to be durable before it answers anyway (hastore.h), exactly as it waits
 * for SQLite's commit.  The request runs on a private event base, so the
 * daemon's own events do not run in the middle of a batch.  One
 * keep-alive connection per member; a member that does not answer within
 * the timeout (or refuses) is left for the next one in the list, each
 * tried once per request, so a request costs at most n x timeout.
 */
#ifndef MIP4D_ETCDHTTP_H
#define MIP4D_ETCDHTTP_H

#include <stddef.h>
#include <stdint.h>

struct etcd_http;

/* Members addr[i]:port[i] (host byte order), timeout per try in ms. */
struct etcd_http *etcd_http_new(const uint32_t *addr, const uint16_t *port,
				unsigned n, unsigned timeout_ms);
void etcd_http_free(struct etcd_http *c);

/*
 * POST body to path.  200: 0, the answer in *out (malloc'd, NUL-terminated
 * after *outlen bytes; the caller frees it).  Otherwise -1 with err: no
 * member answered, or the last one's status line and answer.
 */
int etcd_http_post(struct etcd_http *c, const char *path, const char *body,
		   size_t len, char **out, size_t *outlen, char *err,
		   size_t errlen);

/* The member that answered last, "A.B.C.D:PORT", or "" before any. */
const char *etcd_http_member(const struct etcd_http *c);

#endif
