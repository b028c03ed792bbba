// SPDX-License-Identifier: GPL-2.0
/*
 * The host's own addresses as the kernel defines them: what it delivers
 * locally. Those are the local, broadcast, anycast and multicast routes of
 * every routing table (every configured address, 127.0.0.0/8, ::1, subnet
 * broadcasts, IPv6 subnet-router anycast, AnyIP ranges added with "ip route
 * add local", VRF tables) and the destinations it accepts without a route:
 * the limited broadcast and IPv4 multicast. The data path calls these the
 * peer "host" (Documentation/datapath.rst, "The host").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "dp.h"

struct prefix_list {
	struct sg_host_prefix *v;
	size_t n, cap;
};

static int list_add(struct prefix_list *l, const struct sg_host_prefix *hp)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct sg_host_prefix *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *hp;
	return 0;
}

bool sg_host_route_type(unsigned int type)
{
	return type == RTN_LOCAL || type == RTN_BROADCAST || type == RTN_ANYCAST ||
	       type == RTN_MULTICAST;
}

/* One route message: added to l when it is a route to the host itself. */
static int take_route(struct prefix_list *l, struct nlmsghdr *nlh)
{
	struct rtmsg *rtm = NLMSG_DATA(nlh);
	struct sg_host_prefix hp = {};
	const void *dst = NULL;
	struct rtattr *rta;
	unsigned int alen;
	int len;

	len = nlh->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm));
	if (len < 0 || !sg_host_route_type(rtm->rtm_type) ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
		return 0;
	alen = rtm->rtm_family == AF_INET ? 4 : 16;
	for (rta = RTM_RTA(rtm); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == RTA_DST && RTA_PAYLOAD(rta) >= alen)
			dst = RTA_DATA(rta);
		else if (rta->rta_type == RTA_OIF && RTA_PAYLOAD(rta) >= 4)
			memcpy(&hp.ifindex, RTA_DATA(rta), 4);
	}
	if (rtm->rtm_dst_len > alen * 8)
		return 0;
	hp.prefix.family = rtm->rtm_family;
	hp.prefix.len = rtm->rtm_dst_len;
	if (dst)
		memcpy(hp.prefix.addr, dst, alen);
	return list_add(l, &hp);
}

static int dump(int fd, struct prefix_list *l)
{
	struct {
		struct nlmsghdr nlh;
		struct rtmsg rtm;
	} req = {
		.nlh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = RTM_GETROUTE,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.rtm = { .rtm_family = AF_UNSPEC },
	};
	char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));

	if (send(fd, &req, sizeof(req), 0) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *nlh;
		ssize_t len = recv(fd, buf, sizeof(buf), 0);

		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			int err = 0;

			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);

				return e->error ? e->error : -EIO;
			}
			if (nlh->nlmsg_type == RTM_NEWROUTE)
				err = take_route(l, nlh);
			if (err)
				return err;
		}
	}
}

/* Delivered locally without a route saying so. */
static int add_fixed(struct prefix_list *l)
{
	static const struct sg_host_prefix fixed[] = {
		{ .prefix = { AF_INET, 32, { 255, 255, 255, 255 } } },	/* limited broadcast */
		{ .prefix = { AF_INET, 4, { 224 } } },			/* multicast */
		{ .prefix = { AF_INET6, 8, { 0xff } } },		/* multicast */
	};
	unsigned int i;
	int err = 0;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && !err; i++)
		err = list_add(l, &fixed[i]);
	return err;
}

int sg_host_prefixes_read(struct sg_host_prefix **prefixes, size_t *n)
{
	struct prefix_list l = {};
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	err = dump(fd, &l);
	close(fd);
	if (!err)
		err = add_fixed(&l);
	if (err) {
		free(l.v);
		return err;
	}
	*prefixes = l.v;
	*n = l.n;
	return 0;
}
