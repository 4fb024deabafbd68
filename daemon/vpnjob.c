/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/vpnjob.c - one VPN driver job (see vpnjob.h). */
#include "vpnjob.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define POLL_MS 20

struct vpnjob {
	enum vpn_cmd_kind kind;
	struct runcmd *cmd;	 /* SPAWN, SPAWN_LOG */
	int fd;			 /* DIALOGUE */
	pid_t pid;		 /* PID_STOP */
	struct event *ev_io, *ev_tick;
	uint64_t left_ms;	 /* PID_STOP: until SIGKILL */
	bool killed;
	unsigned answers;
	int status;		 /* PID_STATUS */
	runcmd_done_fn done;
	void *ctx;
	size_t len, cap;
	char out[];
};

static void job_free(struct vpnjob *j)
{
	if (j->ev_io)
		event_free(j->ev_io);
	if (j->ev_tick)
		event_free(j->ev_tick);
	if (j->fd >= 0)
		close(j->fd);
	free(j);
}

static void job_end(struct vpnjob *j, int status)
{
	j->out[j->len] = '\0';
	j->done(j->ctx, status, j->killed, j->out, j->len);
	job_free(j);
}

static void on_cmd_done(void *ctx, int status, bool killed, const char *out,
			size_t len)
{
	struct vpnjob *j = ctx;

	j->cmd = NULL;
	j->done(j->ctx, status, killed, out, len);
	job_free(j);
}

/* ---- a dialogue on a unix stream socket ---- */

static unsigned answers_in(const char *s, size_t n)
{
	unsigned k = 0;
	size_t a = 0;

	for (size_t i = 0; i < n; i++) {
		const char *l = s + a;
		size_t ln = i - a;

		if (s[i] != '\n')
			continue;
		if (ln && l[ln - 1] == '\r')
			ln--;
		if ((ln >= 8 && memcmp(l, "SUCCESS:", 8) == 0) ||
		    (ln >= 6 && memcmp(l, "ERROR:", 6) == 0) ||
		    (ln == 3 && memcmp(l, "END", 3) == 0))
			k++;
		a = i + 1;
	}
	return k;
}

static void on_sock(evutil_socket_t fd, short what, void *arg)
{
	struct vpnjob *j = arg;
	char buf[4096];
	ssize_t n;

	if (what & EV_TIMEOUT) {
		j->killed = true;
		job_end(j, -1);
		return;
	}
	n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		job_end(j, W_EXITCODE(1, 0)); /* closed before answering */
		return;
	}
	{
		size_t k = (size_t)n < j->cap - 1 - j->len ? (size_t)n
							 : j->cap - 1 - j->len;

		memcpy(j->out + j->len, buf, k);
		j->len += k;
	}
	if (answers_in(j->out, j->len) >= j->answers)
		job_end(j, 0);
	else if (j->len >= j->cap - 1)
		job_end(j, W_EXITCODE(1, 0)); /* too long to be an answer */
}

static int dialogue_start(struct vpnjob *j, struct event_base *base,
			  const struct vpn_cmd *c, uint32_t timeout_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {(time_t)(timeout_ms / 1000),
			     (suseconds_t)(timeout_ms % 1000) * 1000};
	struct timeval stv = {1, 0};
	size_t n = strlen(c->send);

	if (strlen(c->path) >= sizeof sa.sun_path)
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	j->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (j->fd < 0)
		return -errno;
	/* local and small: a blocking connect and write, bounded */
	(void)setsockopt(j->fd, SOL_SOCKET, SO_SNDTIMEO, &stv, sizeof stv);
	if (connect(j->fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    send(j->fd, c->send, n, MSG_NOSIGNAL) != (ssize_t)n)
		return -errno;
	j->answers = c->answers;
	j->ev_io = event_new(base, j->fd, EV_READ | EV_PERSIST, on_sock, j);
	if (!j->ev_io || event_add(j->ev_io, &tv) < 0)
		return -ENOMEM;
	return 0;
}

/* ---- a process by its pid file ---- */

/* The start of a small file, NUL-terminated: false when unreadable or
 * empty. */
static bool read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, cap - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0;
}

/* Is process pid there and not a zombie (its new parent may not have
 * reaped it yet)?  comm: and named so. */
static bool proc_live(long pid, const char *comm)
{
	char buf[512], *p, *q;

	(void)snprintf(buf, sizeof buf, "/proc/%ld/stat", pid);
	if (!read_small(buf, buf, sizeof buf))
		return false;
	/* "PID (COMM) STATE ...": COMM may hold anything, ')' last */
	p = strchr(buf, '(');
	q = strrchr(buf, ')');
	if (!p || !q || q < p || q[1] != ' ' || q[2] == 'Z' || q[2] == 'X')
		return false;
	return !comm || ((size_t)(q - p - 1) == strlen(comm) &&
			 memcmp(p + 1, comm, strlen(comm)) == 0);
}

/* The pid in path if it is a live process named comm; 0. */
static pid_t pid_live(const char *path, const char *comm)
{
	char buf[64], *p;
	long v;

	if (!read_small(path, buf, sizeof buf))
		return 0;
	v = strtol(buf, &p, 10);
	if (p == buf || v <= 1 || v > 0x3fffffff || (*p && *p != '\n'))
		return 0;
	return proc_live(v, comm) ? (pid_t)v : 0;
}

static void read_file(struct vpnjob *j, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return;
	while (j->len < j->cap - 1 &&
	       (n = read(fd, j->out + j->len, j->cap - 1 - j->len)) > 0)
		j->len += (size_t)n;
	close(fd);
}

static void on_status(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	job_end(arg, ((struct vpnjob *)arg)->status);
}

static void on_stop_tick(evutil_socket_t fd, short what, void *arg)
{
	struct vpnjob *j = arg;
	struct timeval tv = {0, (suseconds_t)POLL_MS * 1000};

	(void)fd;
	(void)what;
	if (proc_live(j->pid, NULL)) {
		if (j->left_ms <= POLL_MS && !j->killed) {
			j->killed = true;
			(void)kill(j->pid, SIGKILL);
		}
		j->left_ms = j->left_ms > POLL_MS ? j->left_ms - POLL_MS : 0;
		(void)event_add(j->ev_tick, &tv);
		return;
	}
	job_end(j, 0);
}

static int pid_start(struct vpnjob *j, struct event_base *base,
		     const struct vpn_cmd *c, uint32_t timeout_ms)
{
	struct timeval now = {0, 0};
	pid_t pid = pid_live(c->path, c->comm);

	if (c->kind == VPN_CMD_PID_STATUS) {
		/* the answer: the record, and whether its process lives */
		if (pid)
			read_file(j, c->record);
		j->status = pid ? 0 : W_EXITCODE(1, 0);
		j->ev_tick = evtimer_new(base, on_status, j);
	} else {
		j->pid = pid;
		j->left_ms = timeout_ms;
		if (pid && kill(pid, SIGTERM) < 0)
			return -errno;
		j->ev_tick = evtimer_new(base, on_stop_tick, j);
	}
	if (!j->ev_tick || event_add(j->ev_tick, &now) < 0)
		return -ENOMEM;
	return 0;
}

struct vpnjob *vpnjob_start(struct event_base *base, const struct vpn_cmd *c,
			    uint32_t timeout_ms, size_t cap,
			    runcmd_done_fn done, void *ctx)
{
	struct vpnjob *j;
	int rc = 0;

	if (cap < 1)
		cap = 1;
	j = calloc(1, sizeof *j + cap);
	if (!j) {
		errno = ENOMEM;
		return NULL;
	}
	j->fd = -1;
	j->kind = c->kind;
	j->cap = cap;
	j->done = done;
	j->ctx = ctx;
	switch (c->kind) {
	case VPN_CMD_SPAWN:
	case VPN_CMD_SPAWN_LOG:
		j->cmd = runcmd_start_log(base, c->argv, c->envp,
					  c->kind == VPN_CMD_SPAWN_LOG ? c->path
								       : NULL,
					  timeout_ms, cap, on_cmd_done, j);
		rc = j->cmd ? 0 : -errno;
		break;
	case VPN_CMD_DIALOGUE:
		rc = dialogue_start(j, base, c, timeout_ms);
		break;
	case VPN_CMD_PID_STATUS:
	case VPN_CMD_PID_STOP:
		rc = pid_start(j, base, c, timeout_ms);
		break;
	default:
		rc = -EINVAL;
	}
	if (rc < 0) {
		job_free(j);
		errno = -rc;
		return NULL;
	}
	return j;
}

void vpnjob_cancel(struct vpnjob *j)
{
	if (!j)
		return;
	runcmd_cancel(j->cmd);
	job_free(j);
}
