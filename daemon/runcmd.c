/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/runcmd.c - commands run beside the event loop (see runcmd.h). */
#include "runcmd.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUNCMD_POLL_MS 20

struct runcmd {
	pid_t pid;
	int fd;	      /* the pipe, or the log file */
	bool logged;  /* output into a file: poll for the exit */
	off_t log_at; /* where its output starts */
	struct event *ev_out, *ev_timeout;
	bool killed;
	runcmd_done_fn done;
	void *ctx;
	size_t len, cap;
	char out[];
};

static void runcmd_free(struct runcmd *s)
{
	if (s->ev_out)
		event_free(s->ev_out);
	if (s->ev_timeout)
		event_free(s->ev_timeout);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

static void on_out(evutil_socket_t fd, short what, void *arg)
{
	struct runcmd *s = arg;
	char buf[4096];
	ssize_t n;
	int status;

	(void)what;
	n = read(fd, buf, sizeof buf);
	if (n > 0) {
		size_t room = s->cap - 1 - s->len;
		size_t k = (size_t)n < room ? (size_t)n : room;

		memcpy(s->out + s->len, buf, k);
		s->len += k;
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* EOF: the command closed its output, it is ending; reap it */
	if (waitpid(s->pid, &status, 0) < 0)
		status = -1;
	s->out[s->len] = '\0';
	s->done(s->ctx, status, s->killed, s->out, s->len);
	runcmd_free(s);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct runcmd *s = arg;

	(void)fd;
	(void)what;
	/* its output closes when it dies: on_out reports it then */
	s->killed = true;
	(void)kill(s->pid, SIGKILL);
}

/* Logged: has the command exited?  Then read what it appended. */
static void on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct runcmd *s = arg;
	struct timeval tv = {0, (suseconds_t)RUNCMD_POLL_MS * 1000};
	int status;
	pid_t r = waitpid(s->pid, &status, WNOHANG);
	ssize_t n;

	(void)fd;
	(void)what;
	if (r == 0) {
		(void)event_add(s->ev_out, &tv);
		return;
	}
	if (r < 0)
		status = -1;
	while (s->len < s->cap - 1 &&
	       (n = pread(s->fd, s->out + s->len, s->cap - 1 - s->len,
			  s->log_at + (off_t)s->len)) > 0)
		s->len += (size_t)n;
	s->out[s->len] = '\0';
	s->done(s->ctx, status, s->killed, s->out, s->len);
	runcmd_free(s);
}

struct runcmd *runcmd_start(struct event_base *base, char *const argv[],
			char *const envp[], uint32_t timeout_ms, size_t cap,
			runcmd_done_fn done, void *ctx)
{
	return runcmd_start_log(base, argv, envp, NULL, timeout_ms, cap, done,
				ctx);
}

struct runcmd *runcmd_start_log(struct event_base *base, char *const argv[],
			char *const envp[], const char *log_path,
			uint32_t timeout_ms, size_t cap,
			runcmd_done_fn done, void *ctx)
{
	struct timeval tv = {(time_t)(timeout_ms / 1000),
			     (suseconds_t)(timeout_ms % 1000) * 1000};
	posix_spawn_file_actions_t fa;
	struct runcmd *s;
	int pfd[2], rc;

	if (cap < 1)
		cap = 1;
	s = calloc(1, sizeof *s + cap);
	if (!s)
		return NULL;
	s->fd = -1;
	s->cap = cap;
	s->done = done;
	s->ctx = ctx;
	if (log_path) {
		struct stat st;

		pfd[0] = open(log_path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
			      0600);
		pfd[1] = pfd[0] >= 0 ? fcntl(pfd[0], F_DUPFD_CLOEXEC, 3) : -1;
		if (pfd[1] < 0 || fstat(pfd[0], &st) < 0) {
			rc = errno;
			if (pfd[0] >= 0)
				close(pfd[0]);
			if (pfd[1] >= 0)
				close(pfd[1]);
			free(s);
			errno = rc;
			return NULL;
		}
		s->logged = true;
		s->log_at = st.st_size;
	} else if (pipe2(pfd, O_CLOEXEC) < 0) {
		free(s);
		return NULL;
	}
	if (posix_spawn_file_actions_init(&fa) != 0) {
		close(pfd[0]);
		close(pfd[1]);
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	(void)posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	(void)posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	(void)posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawn(&s->pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		free(s);
		errno = rc;
		return NULL;
	}
	s->fd = pfd[0];
	if (s->logged) {
		struct timeval poll = {0, (suseconds_t)RUNCMD_POLL_MS * 1000};

		s->ev_out = evtimer_new(base, on_poll, s);
		rc = s->ev_out ? event_add(s->ev_out, &poll) : -1;
	} else {
		(void)fcntl(pfd[0], F_SETFL, O_NONBLOCK);
		s->ev_out = event_new(base, s->fd, EV_READ | EV_PERSIST, on_out,
				      s);
		rc = s->ev_out ? event_add(s->ev_out, NULL) : -1;
	}
	s->ev_timeout = evtimer_new(base, on_timeout, s);
	if (rc < 0 || !s->ev_timeout || event_add(s->ev_timeout, &tv) < 0) {
		(void)kill(s->pid, SIGKILL);
		(void)waitpid(s->pid, &rc, 0);
		runcmd_free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

void runcmd_cancel(struct runcmd *s)
{
	int st;

	if (!s)
		return;
	(void)kill(s->pid, SIGTERM);
	(void)waitpid(s->pid, &st, 0);
	runcmd_free(s);
}
