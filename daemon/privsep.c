/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/privsep.c - the privileged parent and the engine's end of it
 * (see privsep.h). */
#include "privsep.h"

#include <cap-ng.h>
#include <systemd/sd-daemon.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "config_image.h"
#include "log.h"
#include "mip4/ip.h"
#include "reload.h"
#include "role.h"
#include "sandbox.h"

/* ==================================================================
 * The parent's handling of one message (pure: no I/O but the exec
 * callback and the log).
 * ================================================================== */

struct ps_parent {
	struct priv_policy pol;
	ps_exec_fn exec;
	void *exec_ctx;
	pol_ifname_fn ifname;
	struct ps_stats st;
};

struct ps_parent *ps_parent_new(const struct priv_policy *pol,
				ps_exec_fn exec, void *exec_ctx,
				pol_ifname_fn ifname)
{
	struct ps_parent *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->pol = *pol;
	p->exec = exec;
	p->exec_ctx = exec_ctx;
	p->ifname = ifname;
	return p;
}

void ps_parent_set_policy(struct ps_parent *p, const struct priv_policy *pol)
{
	p->pol = *pol;
}

const struct ps_stats *ps_parent_stats(const struct ps_parent *p)
{
	return &p->st;
}

void ps_parent_free(struct ps_parent *p)
{
	free(p);
}

/* Every refusal is a sign of a compromised or broken engine: the first
 * ones are logged in full, then one in a thousand. */
static bool worth_logging(uint64_t n)
{
	return n <= 10 || n % 1000 == 0;
}

static void put_reply(uint8_t *reply, size_t *reply_len, uint16_t type,
		      uint32_t seq, int32_t result, const void *body,
		      uint16_t blen)
{
	struct ps_hdr h = {.magic = PS_MAGIC, .type = type, .len = blen,
			   .seq = seq, .result = result};

	memcpy(reply, &h, sizeof h);
	if (blen)
		memcpy(reply + sizeof h, body, blen);
	*reply_len = sizeof h + blen;
}

static void malformed(struct ps_parent *p, const char *why)
{
	p->st.malformed++;
	if (worth_logging(p->st.malformed))
		log_warnx("malformed message from the engine: %s (%llu so far)",
			  why, (unsigned long long)p->st.malformed);
}

void ps_parent_handle(struct ps_parent *p, const uint8_t *msg, size_t len,
		      uint8_t *reply, size_t *reply_len)
{
	struct ps_hdr h;
	struct priv_req rq;
	const char *why = "";
	int rc;

	*reply_len = 0;
	if (len < sizeof h) {
		malformed(p, "short header");
		return;
	}
	memcpy(&h, msg, sizeof h);
	if (h.magic != PS_MAGIC || h.len != len - sizeof h) {
		malformed(p, "bad magic or length");
		return;
	}
	switch (h.type) {
	case PS_REQ:
		if (h.len != sizeof rq) {
			malformed(p, "request of the wrong size");
			return;
		}
		memcpy(&rq, msg + sizeof h, sizeof rq);
		p->st.requests++;
		rc = priv_req_check(&rq);
		if (rc < 0) {
			malformed(p, "request fields out of range");
		} else if ((rc = priv_policy_check(&p->pol, &rq, p->ifname,
						   &why)) < 0) {
			p->st.refused++;
			if (worth_logging(p->st.refused)) {
				char a[16];

				log_warnx("refused %s %s/%d table %u ifindex %d "
					  "prio %u: %s (%llu refused so far)",
					  priv_op_name((enum priv_op)rq.op),
					  mip4_ntoa(rq.dst, a), rq.plen,
					  rq.table, rq.ifindex, rq.prio, why,
					  (unsigned long long)p->st.refused);
			}
		} else if ((rc = p->exec(p->exec_ctx, &rq)) < 0) {
			p->st.failed++;
		}
		put_reply(reply, reply_len, PS_REPLY, h.seq, rc, NULL, 0);
		return;
	case PS_STATS:
		if (h.len != 0) {
			malformed(p, "stats request with a body");
			return;
		}
		put_reply(reply, reply_len, PS_STATS_REPLY, h.seq, 0, &p->st,
			  sizeof p->st);
		return;
	case PS_RELOAD_DONE:
	case PS_HUP:
	case PS_READY:
		return; /* the caller looks at the header */
	default:
		malformed(p, "unknown type");
		return;
	}
}

/* ==================================================================
 * Sending and receiving one record, with a descriptor or without.
 * ================================================================== */

static int ps_send(int fd, uint16_t type, uint32_t seq, int32_t result,
		   const void *body, size_t blen, int pass_fd)
{
	struct ps_hdr h = {.magic = PS_MAGIC, .type = type, .len = (uint16_t)blen,
			   .seq = seq, .result = result};
	uint8_t buf[PS_MSG_MAX];
	struct iovec iov = {buf, sizeof h + blen};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (blen > PS_MSG_MAX - sizeof h)
		return -EMSGSIZE;
	memcpy(buf, &h, sizeof h);
	if (blen)
		memcpy(buf + sizeof h, body, blen);

	if (pass_fd >= 0) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof ctl);
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof ctl.buf;
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/* One record (blocking unless dontwait); *got_fd gets a passed
 * descriptor or -1.  The length, 0 at EOF, or -errno. */
static ssize_t ps_recv(int fd, uint8_t *buf, size_t cap, int *got_fd,
		       bool dontwait)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {buf, cap};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof ctl.buf};
	ssize_t n;

	*got_fd = -1;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | (dontwait ? MSG_DONTWAIT : 0));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm;
	     cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(got_fd, CMSG_DATA(cm), sizeof(int));
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	return n;
}

/* ==================================================================
 * The policy of a configuration.
 * ================================================================== */

void privsep_policy(const struct mip4_config *c, struct priv_policy *pol)
{
	memset(pol, 0, sizeof *pol);
	for (size_t i = 0; mip4d_roles[i]; i++)
		if (mip4d_roles[i]->wanted(c))
			mip4d_roles[i]->allow(c, pol);
}

static int ifname_of(int ifindex, char name[PRIV_IFNAME_MAX])
{
	char buf[IF_NAMESIZE];

	if (!if_indextoname((unsigned)ifindex, buf))
		return -1;
	snprintf(name, PRIV_IFNAME_MAX, "%s", buf);
	return 0;
}

/* ==================================================================
 * The parent, after the fork.
 * ================================================================== */

struct parent {
	struct event_base *base;
	int sock;
	pid_t engine;
	const struct privsep_cfg *cfg;
	struct mip4_config conf;    /* what the policy and commands follow */
	struct mip4_config pending; /* a reload the engine has not taken */
	bool have_pending;
	struct reload_parse *parsing; /* a reload's file being parsed */
	struct priv *direct;
	struct ps_parent *ps;
	struct event *ev_sock, *ev_hup, *ev_term, *ev_int, *ev_chld;
	uint8_t msg[PS_MSG_MAX], reply[PS_MSG_MAX];
	int exit_code;
	bool done;
};

static int parent_exec(void *ctx, const struct priv_req *rq)
{
	struct parent *pa = ctx;

	return priv_direct_exec(pa->direct, rq);
}

/* A VPN command of the engine's ended: tell it. */
static void parent_vpn_done(void *ctx, const struct priv_vpn_done *d)
{
	struct parent *pa = ctx;
	struct ps_vpn v = {.vpn = d->vpn,
			   .status = d->status,
			   .killed = d->killed,
			   .out_len = (uint32_t)d->out_len};
	uint8_t body[sizeof v + PRIV_VPN_OUT_MAX];

	if (v.out_len > PRIV_VPN_OUT_MAX)
		v.out_len = PRIV_VPN_OUT_MAX;
	memcpy(body, &v, sizeof v);
	memcpy(body + sizeof v, d->out, v.out_len);
	(void)ps_send(pa->sock, PS_VPN_DONE, 0, 0, body, sizeof v + v.out_len,
		      -1);
}

/* How the engine ended decides how the parent ends. */
static void parent_reap(struct parent *pa)
{
	int status;
	pid_t r = waitpid(pa->engine, &status, WNOHANG);

	if (r != pa->engine)
		return;
	if (WIFEXITED(status)) {
		pa->exit_code = WEXITSTATUS(status);
		if (pa->exit_code)
			log_warnx("the engine exited with status %d",
				  pa->exit_code);
	} else if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		pa->exit_code = 1;
		log_warnx("the engine died of signal %d (%s)%s: exiting so that "
			  "the supervisor restarts both; bindings come back "
			  "from the store",
			  sig, strsignal(sig),
			  sig == SIGSYS ? ", a system call outside its seccomp "
					  "filter"
					: "");
	}
	pa->done = true;
	event_base_loopexit(pa->base, NULL);
}

static void on_parent_hup(evutil_socket_t fd, short what, void *arg);

static void on_parent_sock(evutil_socket_t fd, short what, void *arg)
{
	struct parent *pa = arg;

	(void)what;
	for (int k = 0; k < 64; k++) {
		int got_fd;
		ssize_t n = ps_recv(fd, pa->msg, sizeof pa->msg, &got_fd, true);
		size_t rlen;
		struct ps_hdr h;

		if (got_fd >= 0)
			close(got_fd); /* the engine passes none */
		if (n == -EAGAIN)
			return;
		if (n <= 0) {
			/* the engine is gone (or going): wait for its status */
			event_del(pa->ev_sock);
			parent_reap(pa);
			return;
		}
		ps_parent_handle(pa->ps, pa->msg, (size_t)n, pa->reply, &rlen);
		if (rlen && send(fd, pa->reply, rlen, MSG_NOSIGNAL) < 0)
			log_warn("answering the engine");
		if ((size_t)n < sizeof h)
			continue;
		memcpy(&h, pa->msg, sizeof h);
		if (h.magic == PS_MAGIC && h.type == PS_HUP && h.len == 0)
			on_parent_hup(-1, 0, pa);
		if (h.magic == PS_MAGIC && h.type == PS_READY &&
		    h.len < sizeof pa->msg - sizeof h) {
			pa->msg[sizeof h + h.len] = '\0';
			(void)sd_notifyf(0, "READY=1\nMAINPID=%d\nSTATUS=%.200s",
					 (int)getpid(),
					 (const char *)pa->msg + sizeof h);
		}
		if (h.magic == PS_MAGIC && h.type == PS_RELOAD_DONE &&
		    pa->have_pending) {
			/* the engine took the new configuration (or not) */
			(void)sd_notify(0, "READY=1");
			if (h.result == 0) {
				struct priv_policy pol;

				mip4_config_free(&pa->conf);
				pa->conf = pa->pending;
				mip4_config_drop_peers(&pa->conf);
				privsep_policy(&pa->conf, &pol);
				ps_parent_set_policy(pa->ps, &pol);
			} else {
				mip4_config_free(&pa->pending);
			}
			memset(&pa->pending, 0, sizeof pa->pending);
			pa->have_pending = false;
		}
	}
}

/* The child parsed the file (reload.h): keep what the policy needs, hand
 * the image to the engine. */
static void parent_parsed(void *ctx, int fd, const char *err)
{
	struct parent *pa = ctx;
	struct mip4_config nc;
	char why[256];

	pa->parsing = NULL;
	if (fd < 0) {
		log_warnx("reload refused, keeping the running configuration: %s",
			  err);
		return;
	}
	if (mip4_config_image_read_root(fd, &nc, why, sizeof why) < 0 ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		log_warnx("reload refused: %s", why);
		close(fd);
		return;
	}
	(void)sd_notify(0, "RELOADING=1");
	if (ps_send(pa->sock, PS_RELOAD, 0, 0, NULL, 0, fd) < 0) {
		log_warn("reload: passing the configuration to the engine");
		mip4_config_free(&nc);
		(void)sd_notify(0, "READY=1");
	} else {
		pa->pending = nc;
		pa->have_pending = true;
	}
	close(fd);
}

/* SIGHUP: parse the file in a child (reload.h), so that this loop goes on
 * serving the engine's routes meanwhile. */
static void on_parent_hup(evutil_socket_t fd, short what, void *arg)
{
	struct parent *pa = arg;

	(void)fd;
	(void)what;
	if (pa->have_pending || pa->parsing) {
		log_warnx("reload: the previous one is still being applied");
		return;
	}
	if (reload_parse_start(pa->base, pa->cfg->conf_path, parent_parsed, pa,
			       &pa->parsing) < 0)
		log_warn("reload: cannot start parsing %s", pa->cfg->conf_path);
}

static void on_parent_term(evutil_socket_t fd, short what, void *arg)
{
	struct parent *pa = arg;

	(void)fd;
	(void)what;
	/* the engine shuts down (its routes, its deregistrations need us),
	 * then its end of the socket closes and we follow */
	(void)sd_notify(0, "STOPPING=1");
	(void)kill(pa->engine, SIGTERM);
}

static void on_parent_chld(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	parent_reap(arg);
}

/* Only what the parent needs to act: routes, rules, neighbours
 * (NET_ADMIN), ARP on a packet socket (NET_RAW), signalling the engine,
 * which runs as another user (KILL).  tun_cmds: the VPN driver's commands
 * make their own tunnel device (openconnect, wg-quick, the command
 * driver's): as root, NET_ADMIN stays in the bounding set, so they get it
 * and nothing else; swanctl and OpenVPN's socket need none. */
static int parent_caps(bool tun_cmds)
{
	static const int keep[] = {CAP_NET_ADMIN, CAP_NET_RAW, CAP_KILL};
	bool root = getuid() == 0;
	bool have[3];

	/* started as a user with capabilities (the units) the parent keeps
	 * what it was given of these, and the bounding set as it is */
	capng_get_caps_process();
	for (int i = 0; i < 3; i++)
		have[i] = root || capng_have_capability(CAPNG_PERMITTED, keep[i]);
	capng_clear(root ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS);
	for (int i = 0; i < 3; i++)
		if (have[i] &&
		    capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
				 (unsigned)keep[i]) < 0)
			return -1;
	if (root && tun_cmds &&
	    capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, CAP_NET_ADMIN) < 0)
		return -1;
	if (capng_apply(root ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS) < 0)
		return -1;
	/* what the VPN client's commands start with: none */
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

static struct event *sig_event(struct parent *pa, int sig,
			       event_callback_fn cb)
{
	struct event *ev = evsignal_new(pa->base, sig, cb, pa);

	if (!ev || event_add(ev, NULL) < 0)
		fatalx("cannot set up signals");
	return ev;
}

static __attribute__((noreturn)) void parent_run(int sock, pid_t engine,
						  const struct privsep_cfg *cfg)
{
	static struct parent pa;
	struct priv_policy pol;

	log_set_tag("mip4d[priv]");
	pa.cfg = cfg;
	pa.engine = engine;
	pa.exit_code = 1;
	/* Nothing of the roles stays open here: the socket moves to 3,
	 * everything above goes (the TUN devices live as long as the
	 * engine holds them). */
	if (sock != 3) {
		if (dup2(sock, 3) < 0)
			fatalx("dup2: %s", strerror(errno));
		close(sock);
	}
	pa.sock = 3;
	if (close_range(4, ~0u, 0) < 0)
		for (int fd = 4; fd < 1024; fd++)
			(void)close(fd);
	pa.conf = *cfg->conf; /* the parent's own copy from now on */
	/* the policy never looks at a peer: a million mobile nodes' SAs
	 * stay the engine's alone */
	mip4_config_drop_peers(&pa.conf);
	pa.base = event_base_new();
	if (!pa.base)
		fatalx("event_base_new failed");
	pa.direct = priv_direct_new(pa.base, &pa.conf);
	if (!pa.direct)
		fatalx("the privileged side cannot open netlink");
	priv_set_vpn_cb(pa.direct, parent_vpn_done, &pa);
	privsep_policy(&pa.conf, &pol);
	pa.ps = ps_parent_new(&pol, parent_exec, &pa, ifname_of);
	if (!pa.ps ||
	    parent_caps(pa.conf.have_vpn &&
			(pa.conf.vpn.driver == MIP4_VPN_OPENCONNECT ||
			 pa.conf.vpn.driver == MIP4_VPN_WIREGUARD ||
			 pa.conf.vpn.driver == MIP4_VPN_COMMAND)) < 0)
		fatalx("cannot set up the privileged side");
	pa.ev_sock = event_new(pa.base, pa.sock, EV_READ | EV_PERSIST,
			       on_parent_sock, &pa);
	if (!pa.ev_sock || event_add(pa.ev_sock, NULL) < 0)
		fatalx("event_add failed");
	pa.ev_hup = sig_event(&pa, SIGHUP, on_parent_hup);
	pa.ev_term = sig_event(&pa, SIGTERM, on_parent_term);
	pa.ev_int = sig_event(&pa, SIGINT, on_parent_term);
	pa.ev_chld = sig_event(&pa, SIGCHLD, on_parent_chld);
	(void)fcntl(pa.sock, F_SETFL, O_NONBLOCK);
	event_base_dispatch(pa.base);
	reload_parse_abort(pa.parsing);
	if (cfg->engine_ended)
		cfg->engine_ended(cfg->reload_ctx, pa.done && pa.exit_code == 0);
	/* the engine cannot remove what root made */
	if (cfg->ctl_path)
		(void)unlink(cfg->ctl_path);
	log_info("exiting (status %d)", pa.exit_code);
	exit(pa.exit_code);
}

/* ==================================================================
 * The engine's end: a priv backend that asks the parent.
 * ================================================================== */

#define PS_INFLIGHT 512 /* async requests sent and not yet answered */

struct ps_client {
	struct priv p; /* first: the handle */
	int sock;
	uint32_t seq;
	unsigned outstanding;
	struct priv_req inflight[PS_INFLIGHT]; /* by seq % PS_INFLIGHT */
	struct event *ev_sock, *ev_deferred;
	ps_reload_fn reload;
	void *reload_ctx;
	/* messages that came while waiting for an answer, for the loop */
	uint8_t deferred[4][PS_MSG_MAX];
	size_t deferred_len[4];
	int deferred_fd[4];
	unsigned n_deferred;
	struct ps_stats stats;
	uint8_t buf[PS_MSG_MAX];
};

static struct ps_client *client_of(struct priv *p)
{
	return (struct ps_client *)p;
}

static __attribute__((noreturn)) void parent_gone(void)
{
	log_warnx("the privileged parent is gone: exiting");
	_exit(1); /* as if killed with it: nothing to tidy without it */
}

static void async_result(struct ps_client *c, uint32_t seq, int result)
{
	if (c->outstanding)
		c->outstanding--;
	if (result >= 0)
		return;
	if (result == -EPERM)
		c->p.refused++;
	c->p.failed++;
	if (c->p.on_error)
		c->p.on_error(c->p.error_ctx, &c->inflight[seq % PS_INFLIGHT],
			      result);
}

static void dispatch_vpn(struct ps_client *c, const uint8_t *body, size_t len)
{
	struct ps_vpn v;
	struct priv_vpn_done d;
	char out[PRIV_VPN_OUT_MAX + 1];

	if (len < sizeof v)
		return;
	memcpy(&v, body, sizeof v);
	if (v.out_len > len - sizeof v || v.out_len > PRIV_VPN_OUT_MAX)
		return;
	memcpy(out, body + sizeof v, v.out_len);
	out[v.out_len] = '\0';
	d = (struct priv_vpn_done){.vpn = v.vpn,
				   .status = v.status,
				   .killed = v.killed != 0,
				   .out = out,
				   .out_len = v.out_len};
	if (c->p.on_vpn)
		c->p.on_vpn(c->p.vpn_ctx, &d);
}

/* A message from the parent, from the event loop (never inside a role's
 * call): answers to async requests, VPN results, reloads. */
static void dispatch(struct ps_client *c, const uint8_t *msg, size_t len,
		     int fd)
{
	struct ps_hdr h;

	if (len < sizeof h) {
		if (fd >= 0)
			close(fd);
		return;
	}
	memcpy(&h, msg, sizeof h);
	switch (h.type) {
	case PS_REPLY:
		async_result(c, h.seq, h.result);
		break;
	case PS_VPN_DONE:
		dispatch_vpn(c, msg + sizeof h, len - sizeof h);
		break;
	case PS_RELOAD: {
		int rc = fd >= 0 && c->reload ? c->reload(c->reload_ctx, fd) : -1;

		/* 1: taken, answered with privsep_reload_done() */
		if (rc <= 0)
			(void)ps_send(c->sock, PS_RELOAD_DONE, 0, rc, NULL, 0,
				      -1);
		break;
	}
	default:
		break;
	}
	if (fd >= 0)
		close(fd);
}

/* Wait for the answer to seq (0: until nothing is outstanding); whatever
 * else comes meanwhile is handled or kept for the loop. */
static int wait_for(struct ps_client *c, uint32_t seq, struct ps_hdr *out,
		    uint8_t *body, size_t cap)
{
	for (;;) {
		struct pollfd pf = {c->sock, POLLIN, 0};
		struct ps_hdr h;
		int fd;
		ssize_t n;

		if (!seq && !c->outstanding)
			return 0;
		if (poll(&pf, 1, -1) < 0 && errno != EINTR)
			parent_gone();
		n = ps_recv(c->sock, c->buf, sizeof c->buf, &fd, true);
		if (n == -EAGAIN)
			continue;
		if (n <= 0 || (size_t)n < sizeof h)
			parent_gone();
		memcpy(&h, c->buf, sizeof h);
		if (seq && h.seq == seq &&
		    (h.type == PS_REPLY || h.type == PS_STATS_REPLY)) {
			if (out)
				*out = h;
			if (body && (size_t)n - sizeof h <= cap)
				memcpy(body, c->buf + sizeof h, (size_t)n - sizeof h);
			return h.result;
		}
		if (h.type == PS_REPLY) {
			async_result(c, h.seq, h.result);
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (c->n_deferred == 4) {
			if (fd >= 0)
				close(fd);
			continue; /* cannot happen: one VPN run at a time */
		}
		memcpy(c->deferred[c->n_deferred], c->buf, (size_t)n);
		c->deferred_len[c->n_deferred] = (size_t)n;
		c->deferred_fd[c->n_deferred] = fd;
		c->n_deferred++;
		event_active(c->ev_deferred, EV_TIMEOUT, 0);
	}
}

static int client_submit(struct priv *p, const struct priv_req *rq, bool async)
{
	struct ps_client *c = client_of(p);
	uint32_t seq = ++c->seq ? c->seq : ++c->seq;
	int rc;

	/* keep the answers that may come back within bounds */
	if (async && c->outstanding >= PS_INFLIGHT / 2)
		(void)wait_for(c, 0, NULL, NULL, 0);
	c->inflight[seq % PS_INFLIGHT] = *rq;
	rc = ps_send(c->sock, PS_REQ, seq, 0, rq, sizeof *rq, -1);
	if (rc < 0)
		parent_gone();
	if (async) {
		c->outstanding++;
		return 0;
	}
	rc = wait_for(c, seq, NULL, NULL, 0);
	if (rc == -EPERM)
		p->refused++;
	if (rc < 0)
		p->failed++;
	return rc;
}

static void client_flush(struct priv *p)
{
	(void)wait_for(client_of(p), 0, NULL, NULL, 0);
}

static void client_free(struct priv *p)
{
	struct ps_client *c = client_of(p);

	if (c->ev_sock)
		event_free(c->ev_sock);
	if (c->ev_deferred)
		event_free(c->ev_deferred);
	close(c->sock);
	free(c);
}

static const struct priv_backend client_backend = {
	.submit = client_submit,
	.flush = client_flush,
	.free = client_free,
};

static void on_client_sock(evutil_socket_t fd, short what, void *arg)
{
	struct ps_client *c = arg;

	(void)what;
	for (int k = 0; k < 64; k++) {
		int pfd;
		ssize_t n = ps_recv((int)fd, c->buf, sizeof c->buf, &pfd, true);

		if (n == -EAGAIN)
			return;
		if (n <= 0)
			parent_gone();
		dispatch(c, c->buf, (size_t)n, pfd);
	}
}

static void on_client_deferred(evutil_socket_t fd, short what, void *arg)
{
	struct ps_client *c = arg;

	(void)fd;
	(void)what;
	for (unsigned i = 0; i < c->n_deferred; i++)
		dispatch(c, c->deferred[i], c->deferred_len[i],
			 c->deferred_fd[i]);
	c->n_deferred = 0;
}

int privsep_stats(struct priv *p, struct ps_stats *out)
{
	struct ps_client *c;
	struct ps_hdr h;
	uint32_t seq;

	if (p->be != &client_backend)
		return -1;
	c = client_of(p);
	seq = ++c->seq ? c->seq : ++c->seq;
	if (ps_send(c->sock, PS_STATS, seq, 0, NULL, 0, -1) < 0)
		parent_gone();
	(void)wait_for(c, seq, &h, (uint8_t *)out, sizeof *out);
	return h.len == sizeof *out ? 0 : -1;
}

/* ==================================================================
 * The split.
 * ================================================================== */

struct priv *privsep_split(struct event_base *base,
			   const struct privsep_cfg *cfg,
			   struct privsep_info *info)
{
	struct sandbox_user u;
	struct ps_client *c;
	int sv[2];
	pid_t pid;

	if (sandbox_user(&u) < 0)
		return NULL;
	if (cfg->state_dir && sandbox_state_dir(cfg->state_dir, &u) < 0)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_warn("socketpair");
		return NULL;
	}
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		log_warn("fork");
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	if (pid > 0) {
		close(sv[1]);
		parent_run(sv[0], pid, cfg);
	}
	/* the engine */
	close(sv[0]);
	/* the parent gone is the daemon gone, as after kill -9 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1)
		parent_gone();
	if (event_reinit(base) < 0)
		fatalx("event_reinit failed");
	c = calloc(1, sizeof *c);
	if (!c)
		fatalx("out of memory");
	c->p.be = &client_backend;
	c->sock = sv[1];
	c->reload = cfg->reload;
	c->reload_ctx = cfg->reload_ctx;
	(void)fcntl(c->sock, F_SETFL, O_NONBLOCK);
	c->ev_sock = event_new(base, c->sock, EV_READ | EV_PERSIST,
			       on_client_sock, c);
	c->ev_deferred = event_new(base, -1, 0, on_client_deferred, c);
	if (!c->ev_sock || !c->ev_deferred || event_add(c->ev_sock, NULL) < 0)
		fatalx("event_add failed");
	memset(info, 0, sizeof *info);
	info->on = true;
	info->parent = getppid();
	info->engine = getpid();
	info->uid = u.uid;
	snprintf(info->user, sizeof info->user, "%s", u.name);
	u.tcp = cfg->conf && cfg->conf->have_etcd;
	if (sandbox_enter(&u, cfg->state_dir, &info->landlock) < 0)
		fatalx("cannot drop privileges");
	info->seccomp = true;
	return &c->p;
}

void privsep_hup(struct priv *p)
{
	if (p->be == &client_backend)
		(void)ps_send(client_of(p)->sock, PS_HUP, 0, 0, NULL, 0, -1);
}

void privsep_reload_done(struct priv *p, int rc)
{
	if (p->be == &client_backend)
		(void)ps_send(client_of(p)->sock, PS_RELOAD_DONE, 0, rc, NULL, 0,
			      -1);
}

void privsep_ready(struct priv *p, const char *status)
{
	if (p->be == &client_backend)
		(void)ps_send(client_of(p)->sock, PS_READY, 0, 0, status,
			      strlen(status), -1);
}
