/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/clock.c - the system's clocks and getrandom (see clock.h). */
#include "clock.h"

#include <event2/event.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/random.h>
#include <time.h>

#include "log.h"
#include "mip4/replay.h"

uint64_t mip4d_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void mip4d_timer_at(struct event *ev, uint64_t deadline_ms)
{
	uint64_t t = mip4d_now_ms();
	struct timeval tv;

	event_del(ev);
	if (!deadline_ms)
		return;
	t = deadline_ms > t ? deadline_ms - t : 0;
	tv.tv_sec = (time_t)(t / 1000);
	tv.tv_usec = (suseconds_t)(t % 1000) * 1000;
	event_add(ev, &tv);
}

uint64_t mip4d_now_ntp(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return mip4_ntp_from_unix(ts.tv_sec, (uint32_t)ts.tv_nsec);
}

int64_t mip4d_now_wall(void)
{
	return (int64_t)time(NULL);
}

/*
 * Drawn from the kernel 64 at a time: the home agent takes one per request,
 * and one getrandom() each was 15 % of its time under a flood (#14).  Each
 * value is handed out once; a child forgets what its parent drew, so the
 * two never hand out the same values.
 */
static uint32_t random_pool[64];
static size_t random_left;

static void random_forget(void)
{
	random_left = 0;
}

uint32_t mip4d_random32(void)
{
	static bool hooked;

	if (!hooked) {
		if (pthread_atfork(NULL, NULL, random_forget) != 0)
			fatalx("pthread_atfork failed");
		hooked = true;
	}
	if (!random_left) {
		if (getrandom(random_pool, sizeof random_pool, 0) !=
		    (ssize_t)sizeof random_pool)
			fatalx("getrandom failed");
		random_left = sizeof random_pool / sizeof random_pool[0];
	}
	return random_pool[--random_left];
}
