/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/bpf_maps.c - map updates and counter reads for the eBPF data
 * plane (bpf_maps.h), on descriptors only.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_maps.h"
#include "bpf_pack.h"

struct mip4_bpf_maps {
	struct mip4_bpf_fds fd;
	int ncpu;
	uint32_t local;	 /* host order, from the configuration map */
	uint16_t lport;	 /* host order */
	void *pcpu;	 /* ncpu per-CPU values of the largest kind */
	/* counter slots (mip4_bcount indexes): which are taken, rebuilt from
	 * the binding map at open (a takeover keeps every binding's slot) */
	uint8_t *used;
	uint32_t nslot, hint;
};

/* 0 and the map's size if fd is a map of that type and layout. */
static int map_check(int fd, uint32_t type, uint32_t ksz, uint32_t vsz,
		     uint32_t *max)
{
	struct bpf_map_info info;
	uint32_t len = sizeof info;

	memset(&info, 0, sizeof info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		return -errno;
	if (info.type != type || info.key_size != ksz ||
	    info.value_size != vsz)
		return -EPROTO; /* another program's map, or another layout */
	if (max)
		*max = info.max_entries;
	return 0;
}

/* Mark the slots of the bindings already in the map (a takeover). */
static void slots_scan(struct mip4_bpf_maps *m)
{
	struct mip4_bpf_binding v;
	uint32_t k = 0, next;
	int first = 1;

	while (bpf_map_get_next_key(m->fd.bind, first ? NULL : &k, &next) ==
	       0) {
		first = 0;
		k = next;
		if (bpf_map_lookup_elem(m->fd.bind, &k, &v) == 0 &&
		    v.slot < m->nslot)
			m->used[v.slot] = 1;
	}
}

static void fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void fds_close(struct mip4_bpf_fds *f)
{
	fd_close(&f->bind);
	fd_close(&f->bcount);
	fd_close(&f->stats);
	fd_close(&f->conf);
}

static void conf_cache(struct mip4_bpf_maps *m, const struct mip4_bpf_conf *c)
{
	m->local = ntohl(c->local_addr);
	m->lport = ntohs(c->local_port);
}

int mip4_bpf_maps_open(const struct mip4_bpf_fds *fds,
		       struct mip4_bpf_maps **out)
{
	struct mip4_bpf_maps *m = calloc(1, sizeof *m);
	struct mip4_bpf_conf c;
	size_t vmax;
	int r;

	if (!m)
		return -ENOMEM;
	m->fd = (struct mip4_bpf_fds){-1, -1, -1, -1};
	m->fd.bind = fcntl(fds->bind, F_DUPFD_CLOEXEC, 3);
	m->fd.bcount = fcntl(fds->bcount, F_DUPFD_CLOEXEC, 3);
	m->fd.stats = fcntl(fds->stats, F_DUPFD_CLOEXEC, 3);
	m->fd.conf = fcntl(fds->conf, F_DUPFD_CLOEXEC, 3);
	if (m->fd.bind < 0 || m->fd.bcount < 0 || m->fd.stats < 0 ||
	    m->fd.conf < 0) {
		r = -errno;
		goto fail;
	}
	if ((r = map_check(m->fd.bind, BPF_MAP_TYPE_HASH, 4,
			   sizeof(struct mip4_bpf_binding), NULL)) < 0 ||
	    (r = map_check(m->fd.bcount, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
			   sizeof(struct mip4_bpf_bcount), &m->nslot)) < 0 ||
	    (r = map_check(m->fd.stats, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
			   sizeof(uint64_t), NULL)) < 0 ||
	    (r = map_check(m->fd.conf, BPF_MAP_TYPE_ARRAY, 4,
			   sizeof(struct mip4_bpf_conf), NULL)) < 0)
		goto fail;
	m->used = calloc(m->nslot ? m->nslot : 1, 1);
	if (!m->used) {
		r = -ENOMEM;
		goto fail;
	}
	m->ncpu = libbpf_num_possible_cpus();
	if (m->ncpu <= 0) {
		r = m->ncpu < 0 ? m->ncpu : -EINVAL;
		goto fail;
	}
	vmax = sizeof(struct mip4_bpf_bcount); /* a multiple of 8 */
	m->pcpu = calloc((size_t)m->ncpu, vmax);
	if (!m->pcpu) {
		r = -ENOMEM;
		goto fail;
	}
	if (mip4_bpf_maps_conf_get(m, &c) == 0)
		conf_cache(m, &c);
	slots_scan(m);
	*out = m;
	return 0;
fail:
	fds_close(&m->fd);
	free(m->used);
	free(m->pcpu);
	free(m);
	return r;
}

void mip4_bpf_maps_close(struct mip4_bpf_maps *m)
{
	if (!m)
		return;
	fds_close(&m->fd);
	free(m->pcpu);
	free(m->used);
	free(m);
}

int mip4_bpf_maps_conf_get(struct mip4_bpf_maps *m, struct mip4_bpf_conf *c)
{
	uint32_t k = 0;

	return bpf_map_lookup_elem(m->fd.conf, &k, c) < 0 ? -errno : 0;
}

int mip4_bpf_maps_conf_set(struct mip4_bpf_maps *m,
			   const struct mip4_bpf_conf *c)
{
	uint32_t k = 0;

	if (bpf_map_update_elem(m->fd.conf, &k, c, BPF_ANY) < 0)
		return -errno;
	conf_cache(m, c);
	return 0;
}

/* A free counter slot, its counters zeroed (a slot freed by a deleted
 * binding may have counted a packet in flight since). */
static int slot_take(struct mip4_bpf_maps *m, uint32_t *slot)
{
	for (uint32_t i = 0; i < m->nslot; i++) {
		uint32_t s = (m->hint + i) % m->nslot;

		if (m->used[s])
			continue;
		memset(m->pcpu, 0,
		       (size_t)m->ncpu * sizeof(struct mip4_bpf_bcount));
		if (bpf_map_update_elem(m->fd.bcount, &s, m->pcpu, BPF_ANY) < 0)
			return -errno;
		m->used[s] = 1;
		m->hint = s + 1;
		*slot = s;
		return 0;
	}
	return -ENOSPC;
}

int mip4_bpf_maps_put(struct mip4_bpf_maps *m, uint32_t key,
		      const struct mip4_bpf_binding *v)
{
	struct mip4_bpf_binding nv = *v, old;
	uint32_t k = htonl(key);
	bool fresh = false;
	int r;

	/* a binding keeps its slot (and counters) across updates */
	if (bpf_map_lookup_elem(m->fd.bind, &k, &old) == 0 &&
	    old.slot < m->nslot) {
		nv.slot = old.slot;
	} else {
		r = slot_take(m, &nv.slot);
		if (r < 0)
			return r;
		fresh = true;
	}
	if (bpf_map_update_elem(m->fd.bind, &k, &nv, BPF_ANY) < 0) {
		r = -errno;
		if (fresh)
			m->used[nv.slot] = 0;
		return r;
	}
	return 0;
}

int mip4_bpf_maps_del(struct mip4_bpf_maps *m, uint32_t key)
{
	struct mip4_bpf_binding old;
	uint32_t k = htonl(key);
	bool had = bpf_map_lookup_elem(m->fd.bind, &k, &old) == 0;

	/* no packet is forwarded after this returns */
	if (bpf_map_delete_elem(m->fd.bind, &k) < 0 && errno != ENOENT)
		return -errno;
	if (had && old.slot < m->nslot)
		m->used[old.slot] = 0;
	return 0;
}

int mip4_bpf_maps_bind(struct mip4_bpf_maps *m, const struct mip4_binding *b)
{
	struct mip4_bpf_binding v;
	int r = mip4_bpf_pack_binding(&v, b, m->local, m->lport);
	int d;

	if (r == 0) {
		r = mip4_bpf_maps_put(m, b->home_addr, &v);
		if (r != -E2BIG && r != -ENOSPC) /* -E2BIG: the hash is full */
			return r;
	}
	/* not for the kernel: make sure no stale entry forwards it */
	d = mip4_bpf_maps_del(m, b->home_addr);
	return d < 0 ? d : r;
}

struct put_ctx {
	struct mip4_bpf_maps *m;
	size_t n;
	int err;
};

static int put_one(void *arg, const struct mip4_binding *b)
{
	struct put_ctx *c = arg;
	int e = mip4_bpf_maps_bind(c->m, b);

	if (e == 0)
		c->n++;
	else if (!c->err && e != -E2BIG && e != -EINVAL && e != -ENOSPC)
		c->err = e; /* bindings the map cannot hold stay in user space */
	return 0;
}

int mip4_bpf_maps_reconcile(struct mip4_bpf_maps *m,
			    const struct mip4_btable *t, size_t *put,
			    size_t *removed)
{
	struct put_ctx ctx;
	uint32_t k = 0, next, *stale = NULL;
	size_t nstale = 0, cap = 0, nput = 0;
	int r = 0, first = 1;

	/* collect the stale keys first: deleting while walking would make
	 * get_next_key restart */
	while (bpf_map_get_next_key(m->fd.bind, first ? NULL : &k, &next) ==
	       0) {
		first = 0;
		k = next;
		if (mip4_btable_get(t, ntohl(k)))
			continue;
		if (nstale == cap) {
			size_t nc = cap ? cap * 2 : 64;
			uint32_t *ns = realloc(stale, nc * sizeof *ns);

			if (!ns) {
				free(stale);
				return -ENOMEM;
			}
			stale = ns;
			cap = nc;
		}
		stale[nstale++] = ntohl(k);
	}
	for (size_t i = 0; i < nstale; i++) {
		int e = mip4_bpf_maps_del(m, stale[i]);

		if (e < 0 && !r)
			r = e;
	}
	free(stale);
	/* then every binding of the table */
	ctx = (struct put_ctx){m, 0, 0};
	(void)mip4_btable_foreach(t, put_one, &ctx);
	nput = ctx.n;
	if (ctx.err && !r)
		r = ctx.err;
	if (put)
		*put = nput;
	if (removed)
		*removed = nstale;
	return r;
}

int mip4_bpf_maps_stats(struct mip4_bpf_maps *m, uint64_t out[MIP4_BPF_NCTR])
{
	uint64_t *v = m->pcpu; /* ncpu values of 8 bytes */

	for (uint32_t i = 0; i < MIP4_BPF_NCTR; i++) {
		out[i] = 0;
		if (bpf_map_lookup_elem(m->fd.stats, &i, v) < 0)
			return -errno;
		for (int c = 0; c < m->ncpu; c++)
			out[i] += v[c];
	}
	return 0;
}

int mip4_bpf_maps_bcount(struct mip4_bpf_maps *m, uint32_t key,
			 struct mip4_bpf_bcount *out)
{
	const struct mip4_bpf_bcount *v = m->pcpu;
	struct mip4_bpf_binding b;
	uint32_t k = htonl(key);

	memset(out, 0, sizeof *out);
	if (bpf_map_lookup_elem(m->fd.bind, &k, &b) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (b.slot >= m->nslot)
		return 0;
	if (bpf_map_lookup_elem(m->fd.bcount, &b.slot, m->pcpu) < 0)
		return -errno;
	for (int c = 0; c < m->ncpu; c++) {
		out->pkts_out += v[c].pkts_out;
		out->bytes_out += v[c].bytes_out;
		out->pkts_in += v[c].pkts_in;
		out->bytes_in += v[c].bytes_in;
	}
	return 0;
}

size_t mip4_bpf_maps_count(struct mip4_bpf_maps *m)
{
	uint32_t k, next;
	size_t n = 0;

	if (bpf_map_get_next_key(m->fd.bind, NULL, &next) < 0)
		return 0;
	do {
		n++;
		k = next;
	} while (bpf_map_get_next_key(m->fd.bind, &k, &next) == 0);
	return n;
}
