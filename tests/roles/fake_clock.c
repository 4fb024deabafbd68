/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A clock the test moves (daemon/clock.h linked in place of clock.c).
 *
 * Timers armed with mip4d_timer_at() run on this clock: each is kept with
 * its deadline (and added to libevent a day ahead, so that a role's own
 * event_del is seen), and fake_run() fires it once the clock reaches the
 * deadline.  A role's periodic libevent timers (EV_PERSIST, no fd: the
 * foreign agent's 100 ms timer) are fired at every 100 ms step of
 * fake_run().  fake_advance() only moves the clock: the home agent's tests
 * call its tick themselves after it.
 */
#include "clock.h"

#include <event2/event.h>
#include <stdint.h>

#include "fake.h"
#include "mip4/replay.h"

uint64_t fake_ms = 1000000;
int64_t fake_wall = 1800000000;
uint32_t fake_rand = 0x5eed;

#define FAKE_TIMERS 64
#define FAKE_STEP_MS 100

static struct {
	struct event *ev;
	uint64_t at;
} timers[FAKE_TIMERS];
static unsigned n_timers;

uint64_t mip4d_now_ms(void)
{
	return fake_ms;
}

uint64_t mip4d_now_ntp(void)
{
	return mip4_ntp_from_unix(fake_wall + (int64_t)(fake_ms / 1000),
				  (uint32_t)(fake_ms % 1000) * 1000000u);
}

int64_t mip4d_now_wall(void)
{
	return fake_wall + (int64_t)(fake_ms / 1000);
}

uint32_t mip4d_random32(void)
{
	return fake_rand = fake_rand * 1103515245u + 12345u;
}

static void timer_forget(const struct event *ev)
{
	for (unsigned i = 0; i < n_timers; i++)
		if (timers[i].ev == ev) {
			timers[i] = timers[--n_timers];
			return;
		}
}

void mip4d_timer_at(struct event *ev, uint64_t deadline_ms)
{
	static const struct timeval day = {86400, 0};

	event_del(ev);
	timer_forget(ev);
	if (!deadline_ms || n_timers == FAKE_TIMERS)
		return;
	timers[n_timers].ev = ev;
	timers[n_timers].at = deadline_ms;
	n_timers++;
	event_add(ev, &day);
}

void fake_advance(uint64_t ms)
{
	fake_ms += ms;
}

void fake_timers_forget(void)
{
	n_timers = 0;
}

/* The earliest armed deadline, or UINT64_MAX. */
static uint64_t timer_next(void)
{
	uint64_t at = UINT64_MAX;

	for (unsigned i = 0; i < n_timers; i++)
		if (timers[i].at < at)
			at = timers[i].at;
	return at;
}

/* Make every timer due at fake_ms active; still pending means the role
 * did not take it back meanwhile. */
static void timers_fire(void)
{
	for (unsigned i = 0; i < n_timers;) {
		struct event *ev = timers[i].ev;

		if (timers[i].at > fake_ms) {
			i++;
			continue;
		}
		timers[i] = timers[--n_timers];
		if (event_pending(ev, EV_TIMEOUT, NULL)) {
			event_del(ev);
			event_active(ev, EV_TIMEOUT, 1);
		}
	}
}

/* The periodic timers (collected first: the walk must not change the
 * base). */
struct periodic {
	struct event *ev[16];
	unsigned n;
};

static int periodic_find(const struct event_base *base, const struct event *ev,
			 void *arg)
{
	struct periodic *p = arg;

	(void)base;
	if (event_get_fd(ev) == -1 && (event_get_events(ev) & EV_PERSIST) &&
	    event_pending(ev, EV_TIMEOUT, NULL) && p->n < 16)
		p->ev[p->n++] = (struct event *)(uintptr_t)ev;
	return 0;
}

static void periodic_fire(struct event_base *base)
{
	struct periodic p = {.n = 0};

	(void)event_base_foreach_event(base, periodic_find, &p);
	for (unsigned i = 0; i < p.n; i++)
		event_active(p.ev[i], EV_TIMEOUT, 1);
}

void fake_loop(struct event_base *base)
{
	for (int i = 0; i < 4; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
}

void fake_run(struct event_base *base, uint64_t ms)
{
	uint64_t end = fake_ms + ms, tick = fake_ms + FAKE_STEP_MS;

	fake_loop(base);
	/* (bounded: a role that re-arms in the past would spin) */
	for (unsigned n = 0; fake_ms < end && n < 1000000; n++) {
		uint64_t next = timer_next();

		if (tick < next)
			next = tick;
		if (next > fake_ms)
			fake_ms = next < end ? next : end;
		timers_fire();
		if (fake_ms >= tick) {
			periodic_fire(base);
			tick = fake_ms + FAKE_STEP_MS;
		}
		fake_loop(base);
	}
}
