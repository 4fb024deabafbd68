/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/bpf_load.c - loading, attaching, pinning and removing the
 * eBPF data plane (bpf_load.h), with the skeleton bpftool generates from
 * dataplane/bpf/mip4.bpf.c (mip4.skel.h, in the build directory).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "bpf_load.h"
#include "bpf_pack.h"
#include "mip4.skel.h"
#include "tun.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

#define MAX_OUTER 64

struct mip4_bpf_ld {
	struct mip4_skel *skel;
	char dir[PATH_MAX];
	enum mip4_bpf_role role;
	int tun_ifindex;
	bool took_over;
	char info[512];
};

/* The tail of libbpf's warnings (the verifier's log comes as many), to
 * complete a failure's reason. */
static char libbpf_last[2048];

static int libbpf_log(enum libbpf_print_level level, const char *fmt,
		      va_list ap) __attribute__((format(printf, 2, 0)));

static int libbpf_log(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	char line[512];
	size_t n, have;

	if (level != LIBBPF_WARN)
		return 0;
	vsnprintf(line, sizeof line, fmt, ap);
	n = strlen(line);
	have = strlen(libbpf_last);
	if (have + n >= sizeof libbpf_last) { /* keep the tail */
		size_t drop = have + n - (sizeof libbpf_last - 1);

		if (drop > have)
			drop = have;
		memmove(libbpf_last, libbpf_last + drop, have - drop + 1);
		have -= drop;
	}
	if (n >= sizeof libbpf_last)
		n = sizeof libbpf_last - 1;
	memcpy(libbpf_last + have, line, n);
	libbpf_last[have + n] = '\0';
	return 0;
}

/* The most telling line of what libbpf said: the last one before its
 * closing "failed to load ..." summaries, without its "libbpf: ". */
static const char *libbpf_tail(void)
{
	static char line[512];
	char *save = NULL, *tok, copy[sizeof libbpf_last];

	line[0] = '\0';
	memcpy(copy, libbpf_last, sizeof copy);
	for (tok = strtok_r(copy, "\n", &save); tok;
	     tok = strtok_r(NULL, "\n", &save)) {
		if (strncmp(tok, "libbpf: ", 8) == 0)
			tok += 8;
		if (strstr(tok, "failed to load") && line[0])
			continue;
		snprintf(line, sizeof line, "%s", tok);
	}
	/* its first sentence is enough for a log line */
	tok = strstr(line, ". ");
	if (tok)
		tok[1] = '\0';
	return line;
}

static void why_set(char *why, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void why_set(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (!why || !n)
		return;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

static bool instance_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 48 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			return false;
	}
	return true;
}

/* The bpf filesystem at root: mounted already, or mounted now. */
static int bpffs_ensure(const char *root, char *why, size_t wn)
{
	struct statfs st;

	if (statfs(root, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mkdir(root, 0700) < 0 && errno != EEXIST) {
		int e = errno;

		why_set(why, wn, "bpffs: mkdir %s: %s", root, strerror(e));
		return -e;
	}
	if (mount("bpf", root, "bpf", 0, "mode=0700") < 0) {
		int e = errno;

		why_set(why, wn, "bpffs: mount at %s: %s%s", root, strerror(e),
			e == EPERM ? " (needs CAP_SYS_ADMIN, or mount it "
				     "beforehand)"
				   : "");
		return -e;
	}
	return 0;
}

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof tmp)
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int netns_id(uint64_t *dev, uint64_t *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0)
		return -errno;
	*dev = (uint64_t)st.st_dev;
	*ino = (uint64_t)st.st_ino;
	return 0;
}

static void path_of(char *out, size_t n, const char *dir, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static const char *const map_names[] = {MIP4_BPF_MAP_BIND, MIP4_BPF_MAP_BCOUNT,
					MIP4_BPF_MAP_STATS, MIP4_BPF_MAP_CONF};
static const char *const prog_pins[] = {"prog_encap", "prog_decap_eth",
					"prog_decap_l3"};

static void unpin_all(const char *dir)
{
	char p[PATH_MAX + 32];

	for (size_t i = 0; i < sizeof map_names / sizeof map_names[0]; i++) {
		path_of(p, sizeof p, dir, map_names[i]);
		(void)unlink(p);
	}
	for (size_t i = 0; i < sizeof prog_pins / sizeof prog_pins[0]; i++) {
		path_of(p, sizeof p, dir, prog_pins[i]);
		(void)unlink(p);
	}
	(void)rmdir(dir);
}

/* Does the pinned map at path fit the skeleton's definition of m? */
static int pin_compatible(const char *path, const struct bpf_map *m)
{
	struct bpf_map_info info;
	uint32_t len = sizeof info;
	int fd = bpf_obj_get(path), ok;

	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	memset(&info, 0, sizeof info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0) {
		close(fd);
		return -errno;
	}
	close(fd);
	ok = info.type == (uint32_t)bpf_map__type(m) &&
	     info.key_size == bpf_map__key_size(m) &&
	     info.value_size == bpf_map__value_size(m) &&
	     info.max_entries == bpf_map__max_entries(m) &&
	     info.map_flags == bpf_map__map_flags(m);
	return ok ? 1 : 0;
}

/* Read the pinned configuration map's owner. */
static int pinned_owner(const char *dir, struct mip4_bpf_conf *c)
{
	char p[PATH_MAX + 32];
	uint32_t k = 0;
	int fd, r = 0;

	path_of(p, sizeof p, dir, MIP4_BPF_MAP_CONF);
	fd = bpf_obj_get(p);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &k, c) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int arphrd_of(int ifindex)
{
	struct ifreq ifr;
	int fd, r;

	memset(&ifr, 0, sizeof ifr);
	if (!if_indextoname((unsigned int)ifindex, ifr.ifr_name))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = ioctl(fd, SIOCGIFHWADDR, &ifr) < 0 ? -errno
					       : ifr.ifr_hwaddr.sa_family;
	close(fd);
	return r;
}

/* libbpf's option structs, spelled out (its DECLARE_LIBBPF_OPTS macro is
 * opaque to the static analysers): sz first, everything else zero. */
static struct bpf_tc_hook tc_hook(int ifindex, enum bpf_tc_attach_point where)
{
	struct bpf_tc_hook h;

	memset(&h, 0, sizeof h);
	h.sz = sizeof h;
	h.ifindex = ifindex;
	h.attach_point = where;
	return h;
}

static struct bpf_tc_opts tc_opts(int prog_fd, uint32_t prio, uint32_t flags)
{
	struct bpf_tc_opts o;

	memset(&o, 0, sizeof o);
	o.sz = sizeof o;
	o.handle = MIP4_BPF_TC_HANDLE;
	o.priority = prio;
	o.prog_fd = prog_fd;
	o.flags = flags;
	return o;
}

static int tc_attach(int ifindex, enum bpf_tc_attach_point where, int prog_fd,
		     uint32_t prio)
{
	struct bpf_tc_hook hook = tc_hook(ifindex, where);
	struct bpf_tc_opts opts = tc_opts(prog_fd, prio, BPF_TC_F_REPLACE);
	int r = bpf_tc_hook_create(&hook);

	if (r < 0 && r != -EEXIST)
		return r;
	return bpf_tc_attach(&hook, &opts);
}

static int tc_detach(int ifindex, enum bpf_tc_attach_point where,
		     uint32_t prio)
{
	struct bpf_tc_hook hook = tc_hook(ifindex, where);
	struct bpf_tc_opts opts = tc_opts(0, prio, 0);

	return bpf_tc_detach(&hook, &opts);
}

int mip4_bpf_load_attach(struct mip4_bpf_ld *ld, int ifindex)
{
	struct bpf_program *p;
	int t;

	if (ifindex <= 0 || ifindex == ld->tun_ifindex)
		return -EINVAL;
	t = arphrd_of(ifindex);
	if (t < 0)
		return t;
	if (t == ARPHRD_LOOPBACK)
		return -EINVAL;
	p = t == ARPHRD_ETHER ? ld->skel->progs.mip4_decap_eth
			      : ld->skel->progs.mip4_decap_l3;
	return tc_attach(ifindex, BPF_TC_INGRESS, bpf_program__fd(p),
			 MIP4_BPF_TC_PRIO + ld->role);
}

static void info_add(struct mip4_bpf_ld *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void info_add(struct mip4_bpf_ld *ld, const char *fmt, ...)
{
	size_t n = strlen(ld->info);
	va_list ap;

	if (n >= sizeof ld->info - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(ld->info + n, sizeof ld->info - n, fmt, ap);
	va_end(ap);
}

/* Decapsulation hooks: the given interfaces, or every one but loopback
 * and the TUN. */
static int attach_outer(struct mip4_bpf_ld *ld,
			const struct mip4_bpf_load_cfg *cfg, char *why,
			size_t wn)
{
	int n = 0;

	if (cfg->outer_ifindex) {
		for (size_t i = 0; i < cfg->n_outer; i++) {
			int r = mip4_bpf_load_attach(ld, cfg->outer_ifindex[i]);
			char name[IF_NAMESIZE];

			if (r < 0) {
				why_set(why, wn, "attach to ifindex %d ingress: "
						 "%s",
					cfg->outer_ifindex[i], strerror(-r));
				return r;
			}
			if (if_indextoname((unsigned int)cfg->outer_ifindex[i],
					   name))
				info_add(ld, "%s%s", n++ ? "," : " ingress ",
					 name);
		}
		return 0;
	}
	struct if_nameindex *all = if_nameindex(), *i;

	if (!all) {
		why_set(why, wn, "listing interfaces: %s", strerror(errno));
		return -errno;
	}
	for (i = all; i->if_index; i++) {
		int r, t = arphrd_of((int)i->if_index);

		if ((int)i->if_index == ld->tun_ifindex || t < 0 ||
		    t == ARPHRD_LOOPBACK)
			continue;
		r = mip4_bpf_load_attach(ld, (int)i->if_index);
		if (r < 0) {
			why_set(why, wn, "attach to %s ingress: %s", i->if_name,
				strerror(-r));
			if_freenameindex(all);
			return r;
		}
		info_add(ld, "%s%s", n++ ? "," : " ingress ", i->if_name);
	}
	if_freenameindex(all);
	return 0;
}

static int pin_progs(struct mip4_bpf_ld *ld)
{
	struct bpf_program *p[] = {ld->skel->progs.mip4_encap,
				   ld->skel->progs.mip4_decap_eth,
				   ld->skel->progs.mip4_decap_l3};
	char path[PATH_MAX + 32];

	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
		int r;

		path_of(path, sizeof path, ld->dir, prog_pins[i]);
		(void)unlink(path); /* the previous run's */
		r = bpf_program__pin(p[i], path);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Open the skeleton with its maps pinned (or reused) in ld->dir.  Pins
 * that do not fit this build's maps are replaced.  *reused: pins were
 * taken over. */
static int skel_open(struct mip4_bpf_ld *ld, uint32_t max, bool *reused,
		     bool *replaced)
{
	struct bpf_object_open_opts opts;
	struct bpf_map *maps[4];
	int present = 0, fit = 0;

	memset(&opts, 0, sizeof opts);
	opts.sz = sizeof opts;
	opts.pin_root_path = ld->dir;
	ld->skel = mip4_skel__open_opts(&opts);
	if (!ld->skel)
		return -errno;
	if (bpf_map__set_max_entries(ld->skel->maps.mip4_bind, max) < 0 ||
	    bpf_map__set_max_entries(ld->skel->maps.mip4_bcount, max) < 0)
		return -EINVAL;
	maps[0] = ld->skel->maps.mip4_bind;
	maps[1] = ld->skel->maps.mip4_bcount;
	maps[2] = ld->skel->maps.mip4_stats;
	maps[3] = ld->skel->maps.mip4_conf;
	for (size_t i = 0; i < 4; i++) {
		char p[PATH_MAX + 32];
		int c;

		path_of(p, sizeof p, ld->dir, bpf_map__name(maps[i]));
		c = pin_compatible(p, maps[i]);
		if (c == -ENOENT)
			continue;
		present++;
		if (c == 1)
			fit++;
	}
	*reused = present == 4 && fit == 4;
	*replaced = present > 0 && !*reused;
	if (*replaced) /* another version's layout, or half a set */
		for (size_t i = 0; i < 4; i++) {
			char p[PATH_MAX + 32];

			path_of(p, sizeof p, ld->dir, bpf_map__name(maps[i]));
			(void)unlink(p);
		}
	return 0;
}

int mip4_bpf_load(const struct mip4_bpf_load_cfg *cfg,
		  struct mip4_bpf_ld **out, char *why, size_t wn)
{
	const char *root = cfg->bpf_root ? cfg->bpf_root : MIP4_BPF_DEF_ROOT;
	struct mip4_bpf_conf conf, old = {0};
	struct mip4_bpf_ld *ld;
	char tun[IF_NAMESIZE];
	uint64_t dev = 0, ino = 0;
	bool reused = false, replaced = false;
	uint32_t k = 0;
	int r;

	why_set(why, wn, "%s", "");
	if (!instance_ok(cfg->instance) || cfg->tun_ifindex <= 0 ||
	    !if_indextoname((unsigned int)cfg->tun_ifindex, tun)) {
		why_set(why, wn, "bad instance name or tunnel device");
		return -EINVAL;
	}
	libbpf_set_print(libbpf_log);
	ld = calloc(1, sizeof *ld);
	if (!ld)
		return -ENOMEM;
	ld->role = cfg->role;
	ld->tun_ifindex = cfg->tun_ifindex;
	r = bpffs_ensure(root, why, wn);
	if (r < 0)
		goto fail;
	snprintf(ld->dir, sizeof ld->dir, "%s/mip4d/%s", root, cfg->instance);
	r = mkdir_p(ld->dir);
	if (r < 0) {
		why_set(why, wn, "mkdir %s: %s", ld->dir, strerror(-r));
		goto fail;
	}
	r = netns_id(&dev, &ino);
	if (r < 0) {
		why_set(why, wn, "/proc/self/ns/net: %s", strerror(-r));
		goto fail;
	}
	/* never take over another namespace's instance */
	if (pinned_owner(ld->dir, &old) == 0 && old.magic == MIP4_BPF_CONF_MAGIC &&
	    (old.netns_dev != dev || old.netns_ino != ino)) {
		why_set(why, wn,
			"%s belongs to another network namespace (net:[%llu]); "
			"pick another instance name, or remove it if stale",
			ld->dir, (unsigned long long)old.netns_ino);
		free(ld);
		return -EBUSY;
	}
	r = skel_open(ld, cfg->max_bindings ? cfg->max_bindings
					     : MIP4_BPF_DEF_MAX,
		      &reused, &replaced);
	if (r < 0) {
		why_set(why, wn, "opening the BPF object: %s", strerror(-r));
		goto fail;
	}
	libbpf_last[0] = '\0';
	r = mip4_skel__load(ld->skel);
	if (r < 0) {
		why_set(why, wn, "loading the BPF programs: %s%s%s%s",
			strerror(-r),
			r == -EPERM ? " (needs CAP_BPF or CAP_SYS_ADMIN, and "
				      "CAP_NET_ADMIN)"
				    : "",
			libbpf_last[0] ? "; libbpf: " : "", libbpf_tail());
		goto fail;
	}
	ld->took_over = reused;
	snprintf(ld->info, sizeof ld->info, "%s %.300s; encap on %s egress",
		 reused ? "took over maps in" : "created maps in", ld->dir, tun);
	if (replaced)
		info_add(ld, " (replaced pins of another layout)");
	/* configuration before attaching: a program without it passes
	 * everything */
	mip4_bpf_conf_pack(&conf, cfg->role, cfg->local_addr, cfg->local_port,
			   cfg->tun_ifindex, cfg->fwmark, dev, ino);
	if (bpf_map_update_elem(bpf_map__fd(ld->skel->maps.mip4_conf), &k,
				&conf, BPF_ANY) < 0) {
		r = -errno;
		why_set(why, wn, "writing the configuration map: %s",
			strerror(-r));
		goto fail;
	}
	/* bpf_fib_lookup() answers only for devices that forward; a mobile
	 * node forwards nothing else, so enable it on its TUN alone (and on
	 * a foreign agent's, which forwards anyway) */
	if (cfg->role != MIP4_BPF_ROLE_HA)
		dp_dev_sysctl("ipv4", tun, "forwarding", "1");
	r = tc_attach(cfg->tun_ifindex, BPF_TC_EGRESS,
		      bpf_program__fd(ld->skel->progs.mip4_encap),
		      MIP4_BPF_TC_PRIO + cfg->role);
	if (r < 0) {
		why_set(why, wn, "attach to %s egress: %s", tun, strerror(-r));
		goto fail;
	}
	r = attach_outer(ld, cfg, why, wn);
	if (r < 0)
		goto fail;
	r = pin_progs(ld);
	if (r < 0) {
		why_set(why, wn, "pinning programs in %s: %s", ld->dir,
			strerror(-r));
		goto fail;
	}
	*out = ld;
	return 0;
fail:
	/* a failed first load leaves nothing behind; a failed takeover
	 * leaves the previous run's programs forwarding */
	if (ld->skel) {
		if (!reused) {
			(void)tc_detach(cfg->tun_ifindex, BPF_TC_EGRESS,
					MIP4_BPF_TC_PRIO + cfg->role);
			mip4_skel__destroy(ld->skel);
			unpin_all(ld->dir);
		} else {
			mip4_skel__destroy(ld->skel);
		}
	}
	free(ld);
	return r < 0 ? r : -EINVAL;
}

bool mip4_bpf_load_took_over(const struct mip4_bpf_ld *ld)
{
	return ld->took_over;
}

const char *mip4_bpf_load_info(const struct mip4_bpf_ld *ld)
{
	return ld->info;
}

void mip4_bpf_load_fds(const struct mip4_bpf_ld *ld, struct mip4_bpf_fds *out)
{
	out->bind = bpf_map__fd(ld->skel->maps.mip4_bind);
	out->bcount = bpf_map__fd(ld->skel->maps.mip4_bcount);
	out->stats = bpf_map__fd(ld->skel->maps.mip4_stats);
	out->conf = bpf_map__fd(ld->skel->maps.mip4_conf);
}

/* Our filters off every interface of the namespace. */
static void detach_all(enum mip4_bpf_role role, int tun_ifindex)
{
	struct if_nameindex *all = if_nameindex(), *i;

	if (tun_ifindex > 0)
		(void)tc_detach(tun_ifindex, BPF_TC_EGRESS,
				MIP4_BPF_TC_PRIO + role);
	if (!all)
		return;
	for (i = all; i->if_index; i++) {
		(void)tc_detach((int)i->if_index, BPF_TC_INGRESS,
				MIP4_BPF_TC_PRIO + role);
		if (tun_ifindex <= 0)
			(void)tc_detach((int)i->if_index, BPF_TC_EGRESS,
					MIP4_BPF_TC_PRIO + role);
	}
	if_freenameindex(all);
}

void mip4_bpf_load_close(struct mip4_bpf_ld *ld, bool remove)
{
	if (!ld)
		return;
	if (remove)
		detach_all(ld->role, ld->tun_ifindex);
	mip4_skel__destroy(ld->skel);
	if (remove)
		unpin_all(ld->dir);
	free(ld);
}

int mip4_bpf_unload(const char *bpf_root, const char *instance,
		    enum mip4_bpf_role role)
{
	const char *root = bpf_root ? bpf_root : MIP4_BPF_DEF_ROOT;
	char dir[PATH_MAX];
	struct mip4_bpf_conf c = {0};
	struct statfs st;
	uint64_t dev = 0, ino = 0;

	if (!instance_ok(instance))
		return -EINVAL;
	if (statfs(root, &st) < 0 || st.f_type != BPF_FS_MAGIC)
		return 0; /* no bpffs: nothing can be pinned */
	snprintf(dir, sizeof dir, "%s/mip4d/%s", root, instance);
	if (pinned_owner(dir, &c) < 0)
		return 0;
	if (netns_id(&dev, &ino) == 0 &&
	    (c.netns_dev != dev || c.netns_ino != ino))
		return -EBUSY; /* another namespace's: not ours to remove */
	detach_all(role, (int)c.tun_ifindex);
	unpin_all(dir);
	return 1;
}

int mip4_bpf_verify(char *why, size_t wn)
{
	struct mip4_skel *s;
	struct bpf_map *m;
	int r;

	libbpf_set_print(libbpf_log);
	s = mip4_skel__open();
	if (!s) {
		why_set(why, wn, "opening the BPF object: %s", strerror(errno));
		return -errno;
	}
	bpf_object__for_each_map(m, s->obj)
		(void)bpf_map__set_pin_path(m, NULL);
	libbpf_last[0] = '\0';
	r = mip4_skel__load(s);
	if (r < 0) /* the whole tail: the verifier's reasoning */
		why_set(why, wn, "%s; libbpf: %s", strerror(-r), libbpf_last);
	else
		why_set(why, wn, "%s", "");
	mip4_skel__destroy(s);
	return r;
}
