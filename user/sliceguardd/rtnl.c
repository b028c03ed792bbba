// SPDX-License-Identifier: GPL-2.0
/*
 * Interface appearance: a plain NETLINK_ROUTE socket in RTNLGRP_LINK. The
 * agent does not need the details of a link message: any new or removed
 * link (or a lost message) makes it compare the interfaces its policy names
 * with the ones that exist now, which is both simpler and immune to missed
 * events.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "agent.h"
#include "log.h"

int rtnl_open(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK,
	};
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * Read every queued message. Return true when links may have changed: a
 * link was added or removed, or the socket overran and messages were lost.
 */
bool rtnl_drain(int fd)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool changed = false;

	for (;;) {
		struct nlmsghdr *nlh;
		ssize_t len;

		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				log_info("rtnetlink overrun, rescanning interfaces");
				changed = true;
				continue;
			}
			if (errno != EAGAIN)
				log_warn("rtnetlink: %s", strerror(errno));
			return changed;
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_type == RTM_NEWLINK ||
			    nlh->nlmsg_type == RTM_DELLINK)
				changed = true;
		}
	}
}
