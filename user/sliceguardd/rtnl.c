// SPDX-License-Identifier: GPL-2.0
/*
 * Interface appearance and the host's own addresses: a plain NETLINK_ROUTE
 * socket in the link, address and route groups. The agent does not need
 * the details of a message: any new or removed link (or a lost message)
 * makes it compare the interfaces its policy names with the ones that exist
 * now, any change of an address or of a route to the host itself makes it
 * read the host's addresses again. Both are simpler than tracking deltas and immune to
 * missed events.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "agent.h"
#include "dp.h"
#include "log.h"

int rtnl_open(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
			     RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE,
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

/* Whether a route message is about a route to the host itself. */
static bool host_route(const struct nlmsghdr *nlh)
{
	const struct rtmsg *rtm = NLMSG_DATA(nlh);

	return nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(*rtm)) &&
	       sg_host_route_type(rtm->rtm_type);
}

/*
 * Read every queued message. Return RTNL_LINKS when links may have changed
 * (a link was added or removed), RTNL_HOST when the host's addresses may
 * have; both when the socket overran and messages were lost.
 */
unsigned int rtnl_drain(int fd)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	unsigned int changed = 0;

	for (;;) {
		struct nlmsghdr *nlh;
		ssize_t len;

		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				log_info("rtnetlink overrun, rescanning interfaces and addresses");
				changed = RTNL_LINKS | RTNL_HOST;
				continue;
			}
			if (errno != EAGAIN)
				log_warn("rtnetlink: %s", strerror(errno));
			return changed;
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			switch (nlh->nlmsg_type) {
			case RTM_NEWLINK:
			case RTM_DELLINK:
				changed |= RTNL_LINKS;
				break;
			case RTM_NEWADDR:
			case RTM_DELADDR:
				changed |= RTNL_HOST;
				break;
			case RTM_NEWROUTE:
			case RTM_DELROUTE:
				if (host_route(nlh))
					changed |= RTNL_HOST;
				break;
			}
		}
	}
}
