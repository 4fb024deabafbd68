/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dataplane/bpf_load.h - the privileged half of the eBPF data plane:
 * load the tc programs (dataplane/bpf/mip4.bpf.c, built into a libbpf
 * skeleton), create or take over their maps, attach them, pin everything
 * under BPF_ROOT/mip4d/INSTANCE/, and remove it all on a clean exit.
 * Needs CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN, and CAP_SYS_ADMIN
 * to mount the bpf filesystem when it is not mounted.  The map
 * descriptors it hands out (mip4_bpf_load_fds) are all the unprivileged
 * half (bpf_maps.h) needs.
 *
 * Lifetime.  The tc filters and the pins belong to the kernel, not to the
 * process: after kill -9 packets keep flowing with the last map contents
 * (each care-of address still expires on time: the map holds its expiry).
 * The next mip4_bpf_load() with the same instance finds the pinned maps,
 * reuses them (counters survive), loads the programs afresh and swaps
 * them into the same tc slots atomically (BPF_TC_F_REPLACE): no packet is
 * lost to the restart.  The caller then reconciles the map with the
 * bindings it restored (mip4_bpf_maps_reconcile).  Pins of another
 * network namespace are refused (two instances never share maps).
 *
 * Our tc filters use handle MIP4_BPF_TC_HANDLE and priority
 * MIP4_BPF_TC_PRIO + role, so that an HA and an MN (or other programs)
 * can sit on the same device: what a program does not handle goes on to
 * the next filter.
 */
#ifndef MIP4_BPF_LOAD_H
#define MIP4_BPF_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/mip4_bpf.h"
#include "bpf_maps.h"

#define MIP4_BPF_TC_HANDLE 0x4d34u
#define MIP4_BPF_TC_PRIO 0x4d40u
#define MIP4_BPF_DEF_ROOT "/sys/fs/bpf"
/* Default map size.  Both maps are preallocated (the counters per CPU:
 * 32 bytes x CPUs x entries), so size them to the mobile nodes the daemon
 * serves; bindings beyond the size stay on the userspace path. */
#define MIP4_BPF_DEF_MAX 4096u

struct mip4_bpf_load_cfg {
	const char *instance;	  /* [A-Za-z0-9_.-], 1..48 characters */
	const char *bpf_root;	  /* NULL: MIP4_BPF_DEF_ROOT */
	enum mip4_bpf_role role;
	int tun_ifindex;	  /* encapsulation on its egress; decapsulated
				   * packets enter the stack here */
	const int *outer_ifindex; /* decapsulation on their ingress; NULL:
				   * every interface but loopback and the
				   * TUN */
	size_t n_outer;
	uint32_t local_addr;	  /* host order: outer source of tunnels,
				   * destination of tunnelled packets */
	uint16_t local_port;	  /* host order: RFC 3519 port (434) */
	uint32_t fwmark;	  /* FIB lookups of outer packets (MN: the
				   * mark that keeps them out of the TUN) */
	uint32_t max_bindings;	  /* map size; 0: MIP4_BPF_DEF_MAX */
};

struct mip4_bpf_ld;

/* Load, take over or create, attach, pin.  0, or -errno with a one-line
 * reason in why (which says what was tried and what is missing). */
int mip4_bpf_load(const struct mip4_bpf_load_cfg *cfg,
		  struct mip4_bpf_ld **out, char *why, size_t why_len);
/* True when pinned maps of an earlier run were taken over. */
bool mip4_bpf_load_took_over(const struct mip4_bpf_ld *ld);
/* A one-line account of what was done ("took over ..., attached to ..."). */
const char *mip4_bpf_load_info(const struct mip4_bpf_ld *ld);
/* The map descriptors (owned by ld; duplicate them to keep or pass). */
void mip4_bpf_load_fds(const struct mip4_bpf_ld *ld, struct mip4_bpf_fds *out);
/* Decapsulate on one more interface (one that appeared later).  0 or
 * -errno. */
int mip4_bpf_load_attach(struct mip4_bpf_ld *ld, int ifindex);
/* remove: detach every filter of this instance and unpin its maps and
 * programs (clean exit); otherwise only close descriptors and leave the
 * kernel forwarding (restart, upgrade, crash-like exit). */
void mip4_bpf_load_close(struct mip4_bpf_ld *ld, bool remove);

/* Remove what an earlier run of the instance left (its filters on every
 * interface of this namespace, its pins), without loading anything: for
 * a daemon that now runs the userspace data plane.  1 when something was
 * removed, 0 when nothing was there, -errno. */
int mip4_bpf_unload(const char *bpf_root, const char *instance,
		    enum mip4_bpf_role role);

/* The object file's programs through the verifier (no maps pinned,
 * nothing attached), for CI: 0 or -errno with the verifier's complaint
 * in why. */
int mip4_bpf_verify(char *why, size_t why_len);

#endif
