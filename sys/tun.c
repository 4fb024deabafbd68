/* SPDX-License-Identifier: BSD-2-Clause */
/* The TUN device and per-device sysctls shared by the tunnel ends. */
#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

int dp_tun_open(const char *name, bool exclusive, char ifname[IFNAMSIZ])
{
	struct ifreq ifr;
	size_t len = strlen(name);
	int fd;

	if (len == 0 || len >= IFNAMSIZ)
		return -EINVAL;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = (short)(uint16_t)(IFF_TUN | IFF_NO_PI |
					  (exclusive ? IFF_TUN_EXCL : 0));
	memcpy(ifr.ifr_name, name, len);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	memcpy(ifname, ifr.ifr_name, IFNAMSIZ);
	return fd;
}

void dp_dev_sysctl(const char *family, const char *ifname, const char *key,
		   const char *value)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "/proc/sys/net/%s/conf/%s/%s", family,
		 ifname, key);
	f = fopen(path, "we");
	if (!f)
		return;
	(void)fputs(value, f);
	(void)fclose(f);
}

ssize_t dp_tun_write2(int fd, const uint8_t *hdr, size_t hlen,
		      const uint8_t *rest, size_t len)
{
	struct iovec iov[2];
	void *a, *b;

	/* struct iovec has no const member; writev only reads */
	memcpy(&a, &hdr, sizeof a);
	memcpy(&b, &rest, sizeof b);
	iov[0] = (struct iovec){a, hlen};
	iov[1] = (struct iovec){b, len};
	return writev(fd, iov, 2);
}

int dp_epoll_add(int ep, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN};

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}
