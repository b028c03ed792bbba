// SPDX-License-Identifier: GPL-2.0
/*
 * The host's own addresses as the kernel defines them: the RTN_LOCAL routes
 * of the local routing table (every configured address, 127.0.0.0/8, ::1,
 * AnyIP ranges added with "ip route add local"). The data path calls these
 * the peer "host" (Documentation/datapath.rst, "The host").
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

/* One route message: added to l when it is a local route of the local table. */
static int take_route(struct prefix_list *l, struct nlmsghdr *nlh)
{
	struct rtmsg *rtm = NLMSG_DATA(nlh);
	struct sg_host_prefix hp = {};
	unsigned int table, alen;
	const void *dst = NULL;
	struct rtattr *rta;
	int len;

	len = nlh->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm));
	if (len < 0 || rtm->rtm_type != RTN_LOCAL ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
		return 0;
	table = rtm->rtm_table;
	alen = rtm->rtm_family == AF_INET ? 4 : 16;
	for (rta = RTM_RTA(rtm); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == RTA_TABLE && RTA_PAYLOAD(rta) >= 4)
			memcpy(&table, RTA_DATA(rta), 4);
		else if (rta->rta_type == RTA_DST && RTA_PAYLOAD(rta) >= alen)
			dst = RTA_DATA(rta);
		else if (rta->rta_type == RTA_OIF && RTA_PAYLOAD(rta) >= 4)
			memcpy(&hp.ifindex, RTA_DATA(rta), 4);
	}
	if (table != RT_TABLE_LOCAL || rtm->rtm_dst_len > alen * 8)
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
		.rtm = { .rtm_family = AF_UNSPEC, .rtm_table = RT_TABLE_LOCAL },
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

int sg_host_prefixes_read(struct sg_host_prefix **prefixes, size_t *n)
{
	struct prefix_list l = {};
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	err = dump(fd, &l);
	close(fd);
	if (err) {
		free(l.v);
		return err;
	}
	*prefixes = l.v;
	*n = l.n;
	return 0;
}
