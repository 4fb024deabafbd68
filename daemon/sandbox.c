/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon/sandbox.c - the engine's confinement (see sandbox.h). */
#include "sandbox.h"

#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/landlock.h>
#include <pwd.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

/* Sanitized builds (make check runs the suite under ASan+UBSan) need a
 * few more calls: ASan's and LeakSanitizer's own. */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#endif
#endif

int sandbox_user(struct sandbox_user *u)
{
	const char *names[] = {SANDBOX_USER, SANDBOX_FALLBACK};

	/* Started as a user with capabilities (the systemd units: User=mip4d
	 * with AmbientCapabilities): the engine stays that user and gives up
	 * the capabilities alone. */
	if (geteuid() != 0) {
		const struct passwd *pw = getpwuid(geteuid());

		u->uid = geteuid();
		u->gid = getegid();
		if (pw)
			snprintf(u->name, sizeof u->name, "%s", pw->pw_name);
		else
			snprintf(u->name, sizeof u->name, "uid %u",
				 (unsigned)u->uid);
		return 0;
	}

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const struct passwd *pw = getpwnam(names[i]);

		if (!pw || pw->pw_uid == 0)
			continue;
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
		snprintf(u->name, sizeof u->name, "%s", names[i]);
		if (i > 0)
			log_warnx("no user %s (the package creates it): the "
				  "engine runs as %s", SANDBOX_USER, u->name);
		return 0;
	}
	log_warnx("neither user %s nor %s exists: cannot drop privileges",
		  SANDBOX_USER, SANDBOX_FALLBACK);
	return -1;
}

/* Directories that are never the state directory of one daemon. */
static bool system_dir(const char *dir)
{
	static const char *const sys[] = {
		"/", "/tmp", "/var", "/var/lib", "/var/tmp", "/run", "/etc",
		"/usr", "/home", "/root", "/dev", "/proc", "/sys", "/srv",
	};

	for (size_t i = 0; i < sizeof sys / sizeof sys[0]; i++)
		if (strcmp(dir, sys[i]) == 0)
			return true;
	return false;
}

/* mkdir -p, each new one 0700 (the last is handed over below). */
static int mkdirs(const char *dir)
{
	char p[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof p)
		return -ENAMETOOLONG;
	memcpy(p, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return -errno;
		p[i] = i < n ? '/' : '\0';
	}
	return 0;
}

/* Can u search every directory above dir (so that it reaches it)? */
static bool reachable(const char *dir, const struct sandbox_user *u)
{
	char p[4096];
	size_t n = strlen(dir);
	struct stat st;

	if (n >= sizeof p)
		return false;
	memcpy(p, dir, n + 1);
	for (char *s = strrchr(p, '/'); s; s = strrchr(p, '/')) {
		*s = '\0';
		if (stat(p[0] ? p : "/", &st) < 0)
			return false;
		if (!(st.st_mode & S_IXOTH) &&
		    !((st.st_mode & S_IXGRP) && st.st_gid == u->gid) &&
		    !((st.st_mode & S_IXUSR) && st.st_uid == u->uid))
			return false;
		if (!p[0])
			break;
	}
	return true;
}

int sandbox_state_dir(const char *dir, const struct sandbox_user *u)
{
	struct stat st;
	int rc, dfd;

	if (dir[0] != '/' || system_dir(dir)) {
		log_warnx("state-db directory %s: give the state database a "
			  "directory of its own (e.g. /var/lib/mip4d/)", dir);
		return -1;
	}
	rc = mkdirs(dir);
	if (rc < 0) {
		log_warnx("state-db directory %s: %s", dir, strerror(-rc));
		return -1;
	}
	if (!reachable(dir, u)) {
		log_warnx("state-db directory %s: user %s cannot reach it (a "
			  "directory above it is closed to others)",
			  dir, u->name);
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &st) < 0) {
		log_warn("state-db directory %s", dir);
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != u->uid) {
		log_warnx("state-db directory %s belongs to uid %u, neither "
			  "root nor %s", dir, (unsigned)st.st_uid, u->name);
		close(dfd);
		return -1;
	}
	/* the directory, and what the store left in it, to the engine */
	if (fchown(dfd, u->uid, u->gid) < 0 || fchmod(dfd, 0700) < 0) {
		log_warn("state-db directory %s", dir);
		close(dfd);
		return -1;
	}
	{
		static const char *const suffix[] = {"", "-wal", "-shm",
						     "-journal"};
		DIR *d = fdopendir(dfd);
		struct dirent *e;

		if (!d) {
			close(dfd);
			return -1;
		}
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
				size_t ln = strlen(e->d_name), ls = strlen(suffix[i]);

				if (ln > ls && strcmp(e->d_name + ln - ls, suffix[i]) == 0) {
					if (fchownat(dirfd(d), e->d_name, u->uid,
						     u->gid, AT_SYMLINK_NOFOLLOW) < 0)
						log_warn("state-db %s/%s", dir,
							 e->d_name);
					break;
				}
			}
		}
		closedir(d);
	}
	return 0;
}

/* ---- Landlock (raw system calls: no library wraps them) ---- */

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

static int landlock(const char *state_dir, bool *on)
{
	struct landlock_ruleset_attr attr = {0};
	struct landlock_path_beneath_attr pb = {0};
	long abi;
	int rs, rc = 0;

	*on = false;
	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
		      LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		log_info("Landlock is not available in this kernel: the engine "
			 "keeps its view of the file system");
		return 0;
	}
	attr.handled_access_fs =
		LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
		LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
		LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
		LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
		LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
		LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
		LANDLOCK_ACCESS_FS_MAKE_SYM;
	if (abi >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
	if (rs < 0) {
		log_warn("Landlock ruleset");
		return -1;
	}
	if (state_dir) {
		/* the store: files in its directory, nothing else */
		pb.allowed_access = LANDLOCK_ACCESS_FS_WRITE_FILE |
				    LANDLOCK_ACCESS_FS_READ_FILE |
				    LANDLOCK_ACCESS_FS_READ_DIR |
				    LANDLOCK_ACCESS_FS_REMOVE_FILE |
				    LANDLOCK_ACCESS_FS_MAKE_REG;
		if (abi >= 3)
			pb.allowed_access |= LANDLOCK_ACCESS_FS_TRUNCATE;
		pb.parent_fd = open(state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (pb.parent_fd < 0 ||
		    syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH,
			    &pb, 0) < 0) {
			log_warn("Landlock rule for %s", state_dir);
			rc = -1;
		}
		if (pb.parent_fd >= 0)
			close(pb.parent_fd);
	}
#ifdef SANDBOX_ASAN
	/* the leak checker reads /proc/self (task, maps) at exit */
	if (rc == 0) {
		struct landlock_path_beneath_attr proc = {
			.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE |
					  LANDLOCK_ACCESS_FS_READ_DIR,
			.parent_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC),
		};

		if (proc.parent_fd >= 0) {
			(void)syscall(SYS_landlock_add_rule, rs,
				      LANDLOCK_RULE_PATH_BENEATH, &proc, 0);
			close(proc.parent_fd);
		}
	}
#endif
	if (rc == 0 && syscall(SYS_landlock_restrict_self, rs, 0) < 0) {
		log_warn("Landlock");
		rc = -1;
	}
	close(rs);
	*on = rc == 0;
	return rc;
}

/* ---- seccomp ---- */


/* What the engine calls, found by running every test under strace. */
static const int allowed[] = {
	/* the event loop, timers, signals */
	SCMP_SYS(epoll_create1), SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep),
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack),
	SCMP_SYS(restart_syscall), SCMP_SYS(getrandom),
	/* descriptors */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(lseek),
	SCMP_SYS(close), SCMP_SYS(fcntl), SCMP_SYS(ioctl), SCMP_SYS(dup),
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx),
	SCMP_SYS(fstatfs), SCMP_SYS(statfs),
	/* the store (SQLite), inside the Landlock rule */
	SCMP_SYS(openat), SCMP_SYS(fsync), SCMP_SYS(fdatasync),
	SCMP_SYS(ftruncate), SCMP_SYS(unlink), SCMP_SYS(unlinkat),
	SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	SCMP_SYS(getcwd), SCMP_SYS(readlink), SCMP_SYS(fchown),
	SCMP_SYS(umask), SCMP_SYS(mkdir), SCMP_SYS(mkdirat),
	/* packets and the control socket */
	SCMP_SYS(recvfrom), SCMP_SYS(recvmsg), SCMP_SYS(recvmmsg),
	SCMP_SYS(sendto), SCMP_SYS(sendmsg), SCMP_SYS(sendmmsg),
	SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(bind),
	/* syslog(3) reconnects to /dev/log when the log daemon restarts */
	SCMP_SYS(connect),
	SCMP_SYS(getsockopt), SCMP_SYS(setsockopt), SCMP_SYS(getsockname),
	SCMP_SYS(getpeername), SCMP_SYS(shutdown),
	/* memory */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(mprotect), SCMP_SYS(madvise), SCMP_SYS(futex),
	/* who we are, how we end */
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getppid),
	SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid),
	SCMP_SYS(getegid), SCMP_SYS(uname), SCMP_SYS(tgkill),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
#ifdef SANDBOX_ASAN
	/* AddressSanitizer's own needs, in sanitized builds only: the leak
	 * checker stops the world with a ptrace()d clone, a report runs the
	 * symbolizer */
	SCMP_SYS(prctl), SCMP_SYS(sched_yield), SCMP_SYS(getrlimit),
	SCMP_SYS(prlimit64), SCMP_SYS(sched_getaffinity), SCMP_SYS(open),
	SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(pipe2), SCMP_SYS(wait4),
	SCMP_SYS(clone), SCMP_SYS(clone3), SCMP_SYS(execve),
	SCMP_SYS(set_robust_list), SCMP_SYS(rseq), SCMP_SYS(ptrace),
	SCMP_SYS(getdents), SCMP_SYS(getdents64), SCMP_SYS(mincore),
#endif
};

static const int bpf_cmds[] = {
	BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM,
	BPF_MAP_GET_NEXT_KEY, BPF_OBJ_GET_INFO_BY_FD,
};

int sandbox_seccomp(bool tcp)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = ctx ? 0 : -ENOMEM;

	for (size_t i = 0; rc == 0 && i < sizeof allowed / sizeof allowed[0]; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	/* sockets: netlink (interface state, the link monitor), and the
	 * local ones glibc opens for if_nametoindex; an IP socket only for
	 * the etcd store's client (state-etcd) */
	for (int i = 0; rc == 0 && i < (tcp ? 3 : 2); i++) {
		const struct scmp_arg_cmp family = {
			.arg = 0,
			.op = SCMP_CMP_EQ,
			.datum_a = i == 2 ? AF_INET : i ? AF_UNIX : AF_NETLINK,
			.datum_b = 0,
		};

		rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW,
					    SCMP_SYS(socket), 1, &family);
	}
	/* the etcd client's private event base (etcdhttp.c): libevent's
	 * epoll backend makes its signal pipe with pipe2 */
	if (rc == 0 && tcp)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pipe2), 0);
	/* bpf(2) on the eBPF data plane's maps, whose descriptors the
	 * privileged side opened: look up, update, delete, walk, describe;
	 * never load a program or create a map */
	for (size_t i = 0; rc == 0 && i < sizeof bpf_cmds / sizeof bpf_cmds[0];
	     i++) {
		const struct scmp_arg_cmp cmd = {
			.arg = 0,
			.op = SCMP_CMP_EQ,
			.datum_a = (scmp_datum_t)bpf_cmds[i],
			.datum_b = 0,
		};

		rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(bpf),
					    1, &cmd);
	}
	if (rc == 0)
		rc = seccomp_load(ctx);
	if (ctx)
		seccomp_release(ctx);
	if (rc < 0)
		log_warnx("seccomp: %s", strerror(-rc));
	return rc;
}

int sandbox_enter(const struct sandbox_user *u, const char *state_dir,
		  bool *landlock_on)
{
	if (getuid() == 0) {
		/* every capability, the bounding set and supplementary groups
		 * go with the change of user */
		capng_clear(CAPNG_SELECT_BOTH);
		if (capng_change_id((int)u->uid, (int)u->gid,
				    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) < 0) {
			log_warnx("cannot become user %s", u->name);
			return -1;
		}
	} else {
		/* the same user: the capabilities go, the ambient ones too (the
		 * bounding set needs CAP_SETPCAP; no_new_privs below makes it
		 * moot) */
		capng_clear(CAPNG_SELECT_CAPS);
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 ||
		    capng_apply(CAPNG_SELECT_CAPS) < 0) {
			log_warnx("cannot drop capabilities");
			return -1;
		}
	}
	/* a change of user clears the parent-death signal: set it again, so
	 * that the parent gone is the engine gone, as after kill -9 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1) {
		log_warnx("the privileged parent is gone");
		return -1;
	}
	if (getuid() != u->uid || geteuid() != u->uid ||
	    capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
		log_warnx("privileges still held after the change of user");
		return -1;
	}
#ifdef SANDBOX_ASAN
	/* the leak checker ptrace()s its own process at exit, which a
	 * change of user forbids (not dumpable); production builds stay so */
	(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
#endif
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_warn("no_new_privs");
		return -1;
	}
	if (landlock(state_dir, landlock_on) < 0)
		return -1;
	return sandbox_seccomp(u->tcp);
}
