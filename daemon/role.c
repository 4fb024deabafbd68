/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/role.c - the roles' shorthands for the event stream (role.h). */
#include "role.h"

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
