/* SPDX-License-Identifier: BSD-2-Clause */
/* A privileged side that records (daemon/priv.h backend). */
#include <errno.h>
#include <stdlib.h>

#include "fake.h"

static int fake_submit(struct priv *p, const struct priv_req *rq, bool async)
{
	struct fake_priv *f = (struct fake_priv *)p;

	if (f->n < FAKE_PRIV_MAX) {
		f->req[f->n] = *rq;
		f->async[f->n] = async;
		f->n++;
	}
	if (f->on_submit)
		f->on_submit(f, rq);
	if (f->fail_op && rq->op == f->fail_op) {
		if (async && p->on_error)
			p->on_error(p->error_ctx, rq, -EIO);
		return async ? 0 : -EIO;
	}
	if (!async)
		f->flushed = f->n;
	return 0;
}

static void fake_flush(struct priv *p)
{
	struct fake_priv *f = (struct fake_priv *)p;

	f->flushes++;
	if (f->on_flush)
		f->on_flush(f);
	f->flushed = f->n;
}

static void fake_free(struct priv *p)
{
	free(p);
}

static const struct priv_backend fake_backend = {
	.submit = fake_submit,
	.flush = fake_flush,
	.free = fake_free,
};

struct fake_priv *fake_priv_new(void)
{
	struct fake_priv *f = calloc(1, sizeof *f);

	if (f)
		f->p.be = &fake_backend;
	return f;
}

unsigned fake_priv_count(const struct fake_priv *f, enum priv_op op,
			 uint32_t dst)
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->n; i++)
		n += f->req[i].op == op && f->req[i].dst == dst;
	return n;
}

int fake_priv_find(const struct fake_priv *f, unsigned from, enum priv_op op,
		   uint32_t dst)
{
	for (unsigned i = from; i < f->n; i++)
		if (f->req[i].op == op && f->req[i].dst == dst)
			return (int)i;
	return -1;
}
