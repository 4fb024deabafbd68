/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/bpf_maps.h - the unprivileged half of the eBPF data plane:
 * reading and writing the maps of already loaded programs through their
 * file descriptors.  Nothing here needs a capability (the kernel checks
 * only the descriptor's mode), so this half can live in the engine that
 * parses network input, with descriptors received from the privileged
 * parent (bpf_load.h) over a socketpair (SCM_RIGHTS).
 *
 * Every call is one or a few bpf(2) system calls on the map descriptors;
 * all are synchronous: when a put or del returns, packets already see the
 * new state (the registration reply may leave).
 */
#ifndef MIP4_BPF_MAPS_H
#define MIP4_BPF_MAPS_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/mip4_bpf.h"
#include "mip4/binding.h"

/* The descriptors of the four maps (see mip4_bpf.h). */
struct mip4_bpf_fds {
	int bind, bcount, stats, conf;
};

struct mip4_bpf_maps;

/* Wrap duplicates of fds (the caller keeps and closes its own).  Checks
 * that each descriptor is a map of the expected type and sizes.  0 or
 * -errno. */
int mip4_bpf_maps_open(const struct mip4_bpf_fds *fds,
		       struct mip4_bpf_maps **out);
void mip4_bpf_maps_close(struct mip4_bpf_maps *m);

int mip4_bpf_maps_conf_get(struct mip4_bpf_maps *m, struct mip4_bpf_conf *c);
int mip4_bpf_maps_conf_set(struct mip4_bpf_maps *m,
			   const struct mip4_bpf_conf *c);

/* Put a value under key (host order).  A new key gets a free counter slot
 * with zeroed per-CPU counters; an existing one keeps its slot and
 * counters (v->slot is ignored).  0 or -errno (-ENOSPC: no slot left). */
int mip4_bpf_maps_put(struct mip4_bpf_maps *m, uint32_t key,
		      const struct mip4_bpf_binding *v);
/* Remove key (its counter slot becomes free); absent is fine.  0 or
 * -errno. */
int mip4_bpf_maps_del(struct mip4_bpf_maps *m, uint32_t key);

/*
 * The home agent's binding b, tunnels from the configured local address
 * and port: put when it can be packed and the map has room; otherwise
 * (too many care-of addresses, an encapsulation the map does not know, a
 * full map) removed, so that the userspace path handles it.  0, or the
 * reason after the removal (-E2BIG, -EINVAL, -ENOSPC), or -errno of the
 * system call.
 */
int mip4_bpf_maps_bind(struct mip4_bpf_maps *m, const struct mip4_binding *b);

/* Make the map hold exactly t's bindings (after a restart: restored
 * bindings in, stale entries out).  *put / *removed (NULL-able) say how
 * many entries were written and removed.  0 or the first -errno (the
 * rest is still attempted). */
int mip4_bpf_maps_reconcile(struct mip4_bpf_maps *m,
			    const struct mip4_btable *t, size_t *put,
			    size_t *removed);

/* Sum over CPUs of every counter of enum mip4_bpf_ctr.  0 or -errno. */
int mip4_bpf_maps_stats(struct mip4_bpf_maps *m,
			uint64_t out[MIP4_BPF_NCTR]);
/* Sum over CPUs of key's counters; all zero (and 0) when it is not in
 * the map. */
int mip4_bpf_maps_bcount(struct mip4_bpf_maps *m, uint32_t key,
			 struct mip4_bpf_bcount *out);
/* How many entries mip4_bind holds (walks the keys). */
size_t mip4_bpf_maps_count(struct mip4_bpf_maps *m);

#endif
