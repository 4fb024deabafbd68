/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/reload.c - a reload that does not stop registrations (reload.h). */
#include "reload.h"

#include <cap-ng.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config_image.h"
#include "log.h"

#define MSG_MAX 512
/* A slice: records per step, and how long a turn of the loop may take. */
#define STEP_RECORDS 256
#define SLICE_NS 1000000

/* ---- parsing in a child --------------------------------------------- */

struct reload_parse {
	struct event *ev;
	pid_t pid;
	int pipe_fd, img_fd;
	reload_parsed_fn done;
	void *ctx;
	size_t n;
	char msg[MSG_MAX];
};

/* The child: parse, write the image, say why not on the pipe.  It needs
 * no capability (the file is readable by whoever could start us), and
 * touches nothing of the loop it was forked from. */
static __attribute__((noreturn)) void child(const char *path, int img, int wfd)
{
	static struct mip4_config c;
	char err[MSG_MAX];
	int rc = 1;

	capng_clear(CAPNG_SELECT_BOTH);
	(void)capng_apply(CAPNG_SELECT_BOTH);
	if (mip4_config_parse_file(path, &c, err, sizeof err) < 0)
		;
	else if (mip4_config_image_write(&c, img) < 0)
		snprintf(err, sizeof err, "%s: writing it for the engine: %s",
			 path, strerror(errno));
	else
		rc = 0;
	if (rc)
		(void)!write(wfd, err, strnlen(err, sizeof err));
	_exit(rc);
}

static void parse_end(struct reload_parse *rp)
{
	int status = 0;
	pid_t r;

	event_free(rp->ev);
	close(rp->pipe_fd);
	do
		r = waitpid(rp->pid, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r == rp->pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    lseek(rp->img_fd, 0, SEEK_SET) == 0) {
		rp->done(rp->ctx, rp->img_fd, NULL);
	} else {
		close(rp->img_fd);
		if (!rp->n)
			rp->n = (size_t)snprintf(
				rp->msg, sizeof rp->msg,
				"the process parsing it ended %s %d",
				r == rp->pid && WIFSIGNALED(status)
					? "with signal"
					: "with status",
				r != rp->pid	      ? -1
				: WIFSIGNALED(status) ? WTERMSIG(status)
						      : WEXITSTATUS(status));
		rp->done(rp->ctx, -1, rp->msg);
	}
	free(rp);
}

static void on_pipe(evutil_socket_t fd, short what, void *arg)
{
	struct reload_parse *rp = arg;
	ssize_t k;

	(void)what;
	k = read(fd, rp->msg + rp->n, sizeof rp->msg - 1 - rp->n);
	if (k < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (k > 0) {
		rp->n += (size_t)k;
		rp->msg[rp->n] = '\0';
		if (rp->n < sizeof rp->msg - 1)
			return;
	}
	parse_end(rp); /* end of file: the child is gone */
}

void reload_parse_abort(struct reload_parse *rp)
{
	if (!rp)
		return;
	event_free(rp->ev);
	close(rp->pipe_fd);
	close(rp->img_fd);
	(void)kill(rp->pid, SIGKILL);
	while (waitpid(rp->pid, NULL, 0) < 0 && errno == EINTR)
		;
	free(rp);
}

int reload_parse_start(struct event_base *base, const char *path,
		       reload_parsed_fn done, void *ctx,
		       struct reload_parse **out)
{
	struct reload_parse *rp = calloc(1, sizeof *rp);
	int p[2] = {-1, -1}, img = -1, e;

	*out = NULL;
	if (!rp)
		return -1;
	img = memfd_create("mip4d-reload", MFD_CLOEXEC);
	if (img < 0 || pipe2(p, O_CLOEXEC) < 0)
		goto fail;
	rp->pid = fork();
	if (rp->pid < 0)
		goto fail;
	if (rp->pid == 0) {
		close(p[0]);
		child(path, img, p[1]);
	}
	close(p[1]);
	p[1] = -1;
	(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	rp->pipe_fd = p[0];
	rp->img_fd = img;
	rp->done = done;
	rp->ctx = ctx;
	rp->ev = event_new(base, p[0], EV_READ | EV_PERSIST, on_pipe, rp);
	if (!rp->ev || event_add(rp->ev, NULL) < 0) {
		/* the child runs: wait for it here rather than leave it */
		if (rp->ev)
			event_free(rp->ev);
		rp->ev = NULL;
		(void)kill(rp->pid, SIGKILL);
		(void)waitpid(rp->pid, NULL, 0);
		p[1] = -1;
		goto fail;
	}
	*out = rp;
	return 0;
fail:
	e = errno;
	if (img >= 0)
		close(img);
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	free(rp);
	errno = e;
	return -1;
}

/* ---- loading in slices ---------------------------------------------- */

struct reload_load {
	struct event *ev;
	struct mip4_config_loader *l;
	uint64_t t0_ns, busy_ns; /* started, and time spent in slices */
	uint64_t max_ns;	 /* the longest slice */
	uint64_t max_cpu_ns;	 /* the most CPU time a slice took */
	unsigned slices;
	int fd;
	reload_loaded_fn done;
	void *ctx;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* This thread's CPU time: a slice's wall time also counts the time the
 * machine gave to others. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_slice(evutil_socket_t fd, short what, void *arg)
{
	static const struct timeval now = {0, 0};
	struct reload_load *rl = arg;
	uint64_t t0 = mono_ns(), c0 = cpu_ns();
	char err[256];
	int rc;

	(void)fd;
	(void)what;
	do
		rc = mip4_config_load_step(rl->l, STEP_RECORDS, err, sizeof err);
	while (rc == 1 && mono_ns() - t0 < SLICE_NS);
	rl->slices++;
	rl->busy_ns += mono_ns() - t0;
	if (mono_ns() - t0 > rl->max_ns)
		rl->max_ns = mono_ns() - t0;
	if (cpu_ns() - c0 > rl->max_cpu_ns)
		rl->max_cpu_ns = cpu_ns() - c0;
	/* the next slice after whatever the loop has waiting */
	if (rc == 1 && event_add(rl->ev, &now) == 0)
		return;
	if (rc == 1)
		snprintf(err, sizeof err, "cannot schedule the next slice");
	event_free(rl->ev);
	if (rc != 0) {
		close(rl->fd);
		mip4_config_load_abort(rl->l);
		rl->done(rl->ctx, NULL, -1, err);
	} else {
		struct mip4_config nc;
		uint64_t t1 = mono_ns();
		int fd_of_image = rl->fd;

		mip4_config_load_finish(rl->l, &nc);
		log_info("reload: configuration read in %llu ms, %u slices "
			 "taking %llu ms, the longest %llu us (at most %llu us "
			 "of CPU); last step %llu us (%llu us of CPU)",
			 (unsigned long long)((t1 - rl->t0_ns) / 1000000),
			 rl->slices,
			 (unsigned long long)(rl->busy_ns / 1000000),
			 (unsigned long long)(rl->max_ns / 1000),
			 (unsigned long long)(rl->max_cpu_ns / 1000),
			 (unsigned long long)((mono_ns() - t0) / 1000),
			 (unsigned long long)((cpu_ns() - c0) / 1000));
		rl->done(rl->ctx, &nc, fd_of_image, NULL);
	}
	free(rl);
}

void reload_load_abort(struct reload_load *rl)
{
	if (!rl)
		return;
	event_free(rl->ev);
	close(rl->fd);
	mip4_config_load_abort(rl->l);
	free(rl);
}

int reload_load_start(struct event_base *base, int fd, struct mip4_config *old,
		      reload_loaded_fn done, void *ctx, char *err,
		      size_t errlen, struct reload_load **out)
{
	static const struct timeval now = {0, 0};
	struct reload_load *rl = calloc(1, sizeof *rl);

	*out = NULL;
	if (!rl) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	rl->fd = fd;
	rl->t0_ns = mono_ns();
	rl->done = done;
	rl->ctx = ctx;
	if (mip4_config_load_begin(fd, old, &rl->l, err, errlen) < 0) {
		close(fd);
		free(rl);
		return -1;
	}
	rl->ev = event_new(base, -1, 0, on_slice, rl);
	if (!rl->ev || event_add(rl->ev, &now) < 0) {
		snprintf(err, errlen, "cannot schedule the load");
		if (rl->ev)
			event_free(rl->ev);
		mip4_config_load_abort(rl->l);
		close(fd);
		free(rl);
		return -1;
	}
	*out = rl;
	return 0;
}

/* ---- freeing in slices ---------------------------------------------- */

/* Mobile nodes wiped per slice: 8192 x 120 B, about 1 MB; image bytes
 * given back per slice (~1 ms of the kernel's freeing). */
#define WIPE_NODES 8192
#define SHRINK_BYTES ((off_t)4 << 20)

struct reload_free {
	struct event *ev;
	struct reload_free **slot;
	struct mip4_config c;
	size_t wiped; /* of c.ha.cap_mn */
	bool freed;   /* c is */
	int fd;	      /* the image, or -1 */
	off_t fd_size;
};

/* Wipe up to n more nodes (all: SIZE_MAX), then free c; true when c is. */
static bool wipe(struct reload_free *rf, size_t n)
{
	struct mip4_config *c = &rf->c;

	if (rf->freed)
		return true;
	if (c->ha.mn) {
		if (n > c->ha.cap_mn - rf->wiped)
			n = c->ha.cap_mn - rf->wiped;
		explicit_bzero(&c->ha.mn[rf->wiped], n * sizeof *c->ha.mn);
		rf->wiped += n;
		if (rf->wiped < c->ha.cap_mn)
			return false;
		/* wiped: freed without a second wipe, the rest (a few
		 * small arrays) by mip4_config_free() */
		free(c->ha.mn);
		c->ha.mn = NULL;
		c->ha.cap_mn = 0;
	}
	mip4_config_free(c);
	rf->freed = true;
	return true;
}

/* Give back up to one slice of the image (all: all); true when closed. */
static bool shrink(struct reload_free *rf, bool all)
{
	if (rf->fd < 0)
		return true;
	if (!all && rf->fd_size > SHRINK_BYTES) {
		rf->fd_size -= SHRINK_BYTES;
		if (ftruncate(rf->fd, rf->fd_size) == 0)
			return false;
	}
	close(rf->fd);
	rf->fd = -1;
	return true;
}

static void free_done(struct reload_free *rf)
{
	*rf->slot = NULL;
	event_free(rf->ev);
	free(rf);
}

static void on_wipe(evutil_socket_t fd, short what, void *arg)
{
	static const struct timeval now = {0, 0};
	struct reload_free *rf = arg;

	(void)fd;
	(void)what;
	if (!(wipe(rf, WIPE_NODES) && shrink(rf, false)) &&
	    event_add(rf->ev, &now) == 0)
		return;
	(void)wipe(rf, SIZE_MAX);
	(void)shrink(rf, true);
	free_done(rf);
}

void reload_free_now(struct reload_free **slot)
{
	if (!*slot)
		return;
	(void)wipe(*slot, SIZE_MAX);
	(void)shrink(*slot, true);
	free_done(*slot);
}

void reload_free_later(struct event_base *base, struct mip4_config *old,
		       int image_fd, struct reload_free **slot)
{
	static const struct timeval now = {0, 0};
	struct reload_free *rf;

	reload_free_now(slot);
	rf = calloc(1, sizeof *rf);
	if (rf)
		rf->ev = event_new(base, -1, 0, on_wipe, rf);
	if (!rf || !rf->ev || event_add(rf->ev, &now) < 0) {
		if (rf && rf->ev)
			event_free(rf->ev);
		free(rf);
		if (old) {
			mip4_config_free(old);
			memset(old, 0, sizeof *old);
		}
		if (image_fd >= 0)
			close(image_fd);
		return;
	}
	if (old) {
		rf->c = *old;
		memset(old, 0, sizeof *old);
	} else {
		rf->freed = true;
	}
	rf->fd = image_fd;
	rf->fd_size = image_fd >= 0 ? lseek(image_fd, 0, SEEK_END) : 0;
	rf->slot = slot;
	*slot = rf;
}
