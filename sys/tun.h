/* SPDX-License-Identifier: BSD-2-Clause */
/* sys/tun.h - the TUN device every userspace tunnel end uses. */
#ifndef MIP4_SYS_TUN_H
#define MIP4_SYS_TUN_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Open (creating it if needed) the TUN device `name`: IFF_TUN | IFF_NO_PI,
 * non-blocking, close-on-exec.  With `exclusive` an existing device of that
 * name is refused (IFF_TUN_EXCL) instead of adopted.  Writes the kernel's
 * name into ifname.  Returns the fd or -errno.
 */
int dp_tun_open(const char *name, bool exclusive, char ifname[IFNAMSIZ]);

/* Write one packet made of two pieces (a rebuilt header, then the rest)
 * to a TUN: one writev, so one packet.  Returns what writev returns. */
ssize_t dp_tun_write2(int fd, const uint8_t *hdr, size_t hlen,
		      const uint8_t *rest, size_t len);

/* Put fd into the epoll set ep for input.  0 or -errno. */
int dp_epoll_add(int ep, int fd);

/* Best effort: write value to /proc/sys/net/FAMILY/conf/IFNAME/KEY. */
void dp_dev_sysctl(const char *family, const char *ifname, const char *key,
		   const char *value);

#endif
