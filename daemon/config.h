/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/config.h - mip4d.conf(5): parse, check, print back.
 *
 * The parser is pure: mip4_config_parse_buf() takes the text and a name to
 * put in messages and does no I/O.  mip4_config_parse_file() reads a file
 * and refuses one that holds keys and is open to group or other.  Errors
 * are one line, "FILE:LINE: what is wrong".  mip4_config_print() writes the
 * configuration back in the same grammar with every default explicit, so
 * `mip4d -n` shows what the daemon will do.
 *
 * Roles are blocks at the top level: `home-agent`, `foreign-agent` and
 * `mobile-node`, each at most once.
 */
#ifndef MIP4D_CONFIG_H
#define MIP4D_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mip4/fa.h"
#include "mip4/ha.h"
#include "mip4/mn.h"
#include "mip4/vpnmn.h"
#include "mnindex.h"

#define MIP4_CONFIG_SOCK_MAX 108  /* sizeof sun_path, with the NUL */
#define MIP4_CONFIG_PATH_MAX 4096 /* PATH_MAX, with the NUL */
#define MIP4_CONFIG_IFNAME_MAX 16 /* IFNAMSIZ, with the NUL */
#define MIP4_CONFIG_NAI_MAX 255	  /* RFC 2794 §2: one length octet */
#define MIP4_CONFIG_ENTRIES_MAX (1u << 24) /* MNs or FAs per agent */
#define MIP4_CONFIG_FILE_MAX (256u << 20)  /* bytes read from a file */

/* Defaults, one place (documented in mip4d.conf(5)). */
#define MIP4_CONFIG_DEF_SOCKET "/run/mip4d/mip4d.sock"
#define MIP4_CONFIG_DEF_STATE_DB "/var/lib/mip4d/bindings.db"
#define MIP4_CONFIG_DEF_TUNDEV "mip-ha0"
#define MIP4_CONFIG_DEF_LIFETIME 600 /* seconds */
#define MIP4_CONFIG_DEF_KEEPALIVE 110 /* RFC 3519 §3.1.3 */
#define MIP4_CONFIG_DEF_TOLERANCE 7 /* RFC 5944 §5.7.1 */

/* An address -> entry index pair of the foreign agents' sorted index. */
struct mip4_config_ix {
	uint32_t key;
	uint32_t idx;
};

/* Where the NAIs of the mobile nodes live (config_block.c): chunks that
 * never move, so that a node may point into them. */
struct mip4_config_text;

/* The home-agent role. */
/* Every role's data plane (dataplane/dp.h backends). */
enum mip4_config_dp {
	MIP4_CONFIG_DP_AUTO = 0, /* eBPF when this kernel and we can, else
				  * userspace */
	MIP4_CONFIG_DP_EBPF,
	MIP4_CONFIG_DP_USERSPACE,
};

struct mip4_config_ha {
	struct mip4_ha_cfg cfg;
	char tunnel_dev[MIP4_CONFIG_IFNAME_MAX];
	char home_if[MIP4_CONFIG_IFNAME_MAX]; /* "" = virtual home network */
	unsigned data_plane;		      /* enum mip4_config_dp */
	char bpf_root[MIP4_CONFIG_PATH_MAX];  /* "" = /sys/fs/bpf */

	/* Served mobile nodes and FA-HA associations: growable arrays,
	 * in file order, with the line each was declared on. */
	struct mip4_ha_mn *mn;
	unsigned *mn_line;
	size_t n_mn, cap_mn;
	struct mip4_ha_fa *fa;
	unsigned *fa_line;
	size_t n_fa, cap_fa;
	struct mip4_config_text *nai_text; /* the MNs' NAIs */

	/* Indexes built after parsing: the mobile nodes hashed by home
	 * address and by NAI (each node in those it has a key for), the
	 * foreign agents sorted and binary searched. */
	struct mnindex mn_by_addr, mn_by_nai;
	struct mip4_config_ix *fa_by_addr;
};

#define MIP4_CONFIG_MN_IFACES 4
#define MIP4_CONFIG_MN_ROUTES 16
#define MIP4_CONFIG_DEF_MN_TUNDEV "mip0"

/* The mobile-node role (RFC 5944 §3.6, modes c and f). */
struct mip4_config_mnrole {
	struct mip4_mn_cfg cfg;	 /* home address / NAI, HA, SA, lifetime... */
	struct mip4_prefix home_net;
	unsigned n_if;
	char ifname[MIP4_CONFIG_MN_IFACES][MIP4_CONFIG_IFNAME_MAX];
	char tunnel_dev[MIP4_CONFIG_IFNAME_MAX];
	unsigned data_plane;	 /* enum mip4_config_dp */
	char bpf_root[MIP4_CONFIG_PATH_MAX]; /* "" = /sys/fs/bpf */
	bool prefer_fa;		 /* an FA over a co-located address */
	bool route_all;		 /* everything goes home */
	unsigned n_routes;	 /* else these prefixes */
	struct mip4_prefix routes[MIP4_CONFIG_MN_ROUTES];
};

/* RFC 5265 (and the RFC 5266 / RFC 4093 §4.1 baselines): the VPN the
 * mobile node drives through its driver, and the external home agent. */
#define MIP4_CONFIG_NAME_MAX 64
#define MIP4_CONFIG_DEF_SWANCTL "/usr/sbin/swanctl"
#define MIP4_CONFIG_DEF_VPN_TABLE 220 /* charon's routing table */
#define MIP4_CONFIG_DEF_SWANCTL_TIMEOUT 45 /* seconds */
#define MIP4_CONFIG_DEF_X_TUNDEV "mip-x0"

/* The VPN client's product, driven only through its public interface
 * (daemon/vpncmd.c). */
enum mip4_config_vpn_driver {
	MIP4_VPN_STRONGSWAN = 0, /* swanctl --initiate/--terminate/--list-sas */
	MIP4_VPN_OPENVPN,	 /* the client's management socket */
	MIP4_VPN_OPENCONNECT,	 /* openconnect --background, its --script hook */
	MIP4_VPN_WIREGUARD,	 /* wg-quick up/down, wg show IF endpoints */
	MIP4_VPN_COMMAND,	 /* three configured commands */
};
#define MIP4_CONFIG_CMD_MAX 1024 /* a command line of the command driver */
#define MIP4_CONFIG_DEF_OPENCONNECT "/usr/sbin/openconnect"
#define MIP4_CONFIG_DEF_VPNC_SCRIPT "/usr/share/vpnc-scripts/vpnc-script"
#define MIP4_CONFIG_DEF_WG_QUICK "/usr/bin/wg-quick"
#define MIP4_CONFIG_DEF_WG "/usr/bin/wg"
#define MIP4_CONFIG_DEF_VPN_STATE_DIR "/run/mip4d"

struct mip4_config_vpn {
	struct mip4_vmn_cfg det;	/* mode, detection, T_MONITOR */
	uint32_t gateway;		/* the VPN gateway's address */
	uint32_t driver;		/* enum mip4_config_vpn_driver */
	char management[MIP4_CONFIG_SOCK_MAX];	  /* openvpn */
	char program[MIP4_CONFIG_PATH_MAX];	  /* openconnect, wg-quick */
	char wg[MIP4_CONFIG_PATH_MAX];		  /* wireguard: wg */
	char client_config[MIP4_CONFIG_PATH_MAX]; /* openconnect --config,
						     wg-quick's file */
	char server[MIP4_CONFIG_NAI_MAX + 1];	  /* openconnect: URL */
	char script[MIP4_CONFIG_PATH_MAX];	  /* openconnect: vpnc-script */
	char state_dir[MIP4_CONFIG_PATH_MAX];	  /* openconnect: pid, record */
	char vpn_if[MIP4_CONFIG_IFNAME_MAX];	  /* openconnect, wireguard */
	char up_cmd[MIP4_CONFIG_CMD_MAX];	  /* command */
	char down_cmd[MIP4_CONFIG_CMD_MAX];
	char status_cmd[MIP4_CONFIG_CMD_MAX];
	char swanctl[MIP4_CONFIG_PATH_MAX];
	char strongswan_conf[MIP4_CONFIG_PATH_MAX]; /* "" = default */
	char vici[MIP4_CONFIG_PATH_MAX];	    /* "" = default */
	char ike[MIP4_CONFIG_NAME_MAX];
	char child[MIP4_CONFIG_NAME_MAX];
	uint32_t table;
	uint32_t swanctl_timeout_ms; /* a driver's command (swanctl...) running
				      longer than this is killed */
	bool have_outer;
	struct mip4_config_mnrole outer; /* x-MIP; interfaces as the node's */
};

#define MIP4_CONFIG_DEF_FA_TUNDEV "mip-fa0"
#define MIP4_CONFIG_DEF_FA_ADV_INTERVAL 1 /* seconds */
#define MIP4_CONFIG_DEF_FA_TABLE 434	  /* reverse tunnel routes */

/* An MN-FA or FA-HA security association (RFC 5944 §3.5.3, §3.5.4). */
struct mip4_config_fa_sa {
	uint32_t addr; /* mobile node's home address, or home agent */
	struct mip4_sa sa;
};

/* The foreign-agent role (RFC 5944 §3.7, RFC 3024). */
struct mip4_config_farole {
	struct mip4_fa_cfg cfg;	/* cfg.addr 0: the interface's address */
	char ifname[MIP4_CONFIG_IFNAME_MAX];
	char tunnel_dev[MIP4_CONFIG_IFNAME_MAX];
	unsigned data_plane;	/* enum mip4_config_dp */
	char bpf_root[MIP4_CONFIG_PATH_MAX]; /* "" = /sys/fs/bpf */
	uint32_t table;		/* routing table (and rule priority) of the
				   reverse tunnel (RFC 3024 §5.1) */
	struct mip4_config_fa_sa *mn; /* MN-FA, by home address */
	unsigned *mn_line;
	size_t n_mn, cap_mn;
	struct mip4_config_fa_sa *ha; /* FA-HA, by home agent */
	unsigned *ha_line;
	size_t n_ha, cap_ha;
};

#define MIP4_CONFIG_ETCD_EP_MAX 7	 /* etcd members named in endpoints */
#define MIP4_CONFIG_DEF_ETCD_PREFIX "/mip4d/"
#define MIP4_CONFIG_DEF_ETCD_TIMEOUT 500 /* ms */
#define MIP4_CONFIG_DEF_ETCD_LEASE 2     /* s, etcd's least */

/* state-etcd { }: the home agent's bindings in etcd instead of state-db. */
struct mip4_config_etcd {
	char endpoints[256]; /* "A.B.C.D:PORT,..." as written */
	char prefix[128];
	uint32_t timeout_ms;
	char name[64];	  /* "": no election (one home agent) */
	uint32_t lease_s; /* the election key's lease */
	/* endpoints, parsed by the block's check */
	unsigned n_ep;
	uint32_t ep_addr[MIP4_CONFIG_ETCD_EP_MAX];
	uint16_t ep_port[MIP4_CONFIG_ETCD_EP_MAX];
};

/* The mobile nodes (positions in ha.mn) that mip4_config_find_mn() handed
 * out while a new configuration was being loaded (config_image.h): their
 * replay state may have moved since it was carried over. */
struct mip4_config_touch {
	uint32_t *idx;
	size_t n, cap;
	bool overflow; /* too many to note: carry every node over again */
};

struct mip4_config {
	/* (ordered by alignment: no padding) */
	struct mip4_config_farole fa;
	struct mip4_config_ha ha;
	struct mip4_config_mnrole mn;
	struct mip4_config_vpn vpn;	/* a vpn { } block inside mobile-node */
	struct mip4_config_touch *touch; /* the loader's, while one runs */
	/* metrics-listen ADDR:PORT (port 0: none): Prometheus over HTTP */
	uint32_t metrics_addr; /* 0: every address */
	struct mip4_config_etcd etcd;
	uint16_t metrics_port;
	bool state_sync_full;
	bool have_etcd;
	bool have_ha;
	bool have_mn;
	bool have_vpn;
	bool have_fa;
	char control_socket[MIP4_CONFIG_SOCK_MAX];
	char state_db[MIP4_CONFIG_PATH_MAX];
};

/*
 * Parse text[0..len) (need not be NUL-terminated; a NUL byte in it is an
 * error).  `name` is used in messages.  Returns 0 with *out filled (free
 * it with mip4_config_free()), or -1 with a message in err and *out
 * empty (freeing it is harmless).
 */
int mip4_config_parse_buf(const char *name, const char *text, size_t len,
			  struct mip4_config *out, char *err, size_t errlen);

/*
 * Read and parse a file.  A file that holds any key must be a regular
 * file that neither group nor other can read or write (checked with
 * fstat() on the open descriptor, so there is no race with a rename).
 */
int mip4_config_parse_file(const char *path, struct mip4_config *out,
			   char *err, size_t errlen);

#define MIP4_CONFIG_PRINT_KEYS 0x1 /* print keys instead of <redacted> */

/* Print c in the file grammar, every default explicit.  With
 * MIP4_CONFIG_PRINT_KEYS the output parses back to the same config. */
void mip4_config_print_flags(const struct mip4_config *c, FILE *f,
			     unsigned flags);
/* Same, keys redacted (for `mip4d -n` and logs). */
void mip4_config_print(const struct mip4_config *c, FILE *f);

void mip4_config_free(struct mip4_config *c);

/*
 * Forget the peers (mobile nodes and foreign agents with their SAs, and
 * their indexes), keep the rest: for a process that never looks one up
 * (the privileged parent, whose policy follows the addresses and devices
 * of each block).  Their memory is freed without being wiped (see
 * config.c).  mip4_config_free() still applies.
 */
void mip4_config_drop_peers(struct mip4_config *c);

/*
 * The mobile node a request is for: by NAI when nai_len > 0, else by home
 * address (the same rule as mip4_ha_mn_lookup_fn).  O(1): hash indexes
 * built once by the parser (mnindex.h); no allocation, but while a new
 * configuration is loaded (c->touch) the node is noted.  NULL when unknown
 * or when c has no home-agent role.
 */
struct mip4_ha_mn *mip4_config_find_mn(const struct mip4_config *c,
				       uint32_t home_addr, const char *nai,
				       size_t nai_len);
/* The FA-HA association with the foreign agent at addr, O(log n). */
const struct mip4_ha_fa *mip4_config_find_fa(const struct mip4_config *c,
					      uint32_t addr);

/* The foreign agent's SA with a mobile node (by home address) or a home
 * agent; NULL when none or when c has no foreign-agent role. */
const struct mip4_sa *mip4_config_fa_mn_sa(const struct mip4_config *c,
					   uint32_t home_addr);
const struct mip4_sa *mip4_config_fa_ha_sa(const struct mip4_config *c,
					   uint32_t ha_addr);

#endif
