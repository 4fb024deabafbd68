/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/role.c - the roles' shorthands for the event stream and the
 * listing filter (role.h). */
#include "role.h"

#include <string.h>

void role_event(const struct role_env *env, json_object *ev)
{
	env->emit(env->ctx, ev, false);
}

void role_event_routine(const struct role_env *env, json_object *ev)
{
	env->emit(env->ctx, ev, true);
}

bool role_monitored(const struct role_env *env)
{
	return env->monitored(env->ctx);
}

bool list_filter_home(const struct list_filter *f, uint32_t a)
{
	return (a & f->home_mask) == f->home_net;
}

bool list_filter_coa(const struct list_filter *f, uint32_t a)
{
	return (a & f->coa_mask) == f->coa_net;
}

bool list_filter_nai(const struct list_filter *f, const char *nai)
{
	return f->nai_len == 0 ||
	       (nai && strncmp(nai, f->nai, f->nai_len) == 0);
}
