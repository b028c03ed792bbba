// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's view of the sliceguard generic netlink family.
 *
 * Three sockets:
 *  - ctrl_sk listens on nlctrl's "notify" group, so the agent learns when
 *    the module is loaded (CTRL_CMD_NEWFAMILY) or unloaded
 *    (CTRL_CMD_DELFAMILY) without polling;
 *  - lookup_sk resolves family and group ids;
 *  - a->nl (policy_nl.h) carries requests and dumps;
 *  - mc_sk is a member of the family's "config" group and receives the
 *    notifications of every committed generation.
 * The family id and group id change when the module is reloaded, so
 * mc_sk is recreated on every (re)connect.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/genetlink.h>

#include "agent.h"
#include "log.h"
#include "policy_nl.h"

/* Large enough for a burst of notifications from a big transaction. */
#define MC_RCVBUF	(4 << 20)

static struct nl_sock *genl_socket(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk)
		return NULL;
	if (genl_connect(sk)) {
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

static int ctrl_event(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *ghdr = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct agent *a = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL) ||
	    !tb[CTRL_ATTR_FAMILY_NAME] ||
	    strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]),
		   SLICEGUARD_FAMILY_NAME))
		return NL_OK;
	if (ghdr->cmd == CTRL_CMD_DELFAMILY)
		a->family_removed = true;
	else if (ghdr->cmd == CTRL_CMD_NEWFAMILY)
		a->family_added = true;
	return NL_OK;
}

int genl_open(struct agent *a)
{
	int grp;

	a->lookup_sk = genl_socket();
	a->ctrl_sk = genl_socket();
	if (!a->lookup_sk || !a->ctrl_sk) {
		log_err("cannot open a generic netlink socket");
		return -ENOMEM;
	}
	grp = genl_ctrl_resolve_grp(a->lookup_sk, "nlctrl", "notify");
	if (grp < 0) {
		log_err("cannot resolve nlctrl's notify group: %s", nl_geterror(grp));
		return -EIO;
	}
	nl_socket_disable_seq_check(a->ctrl_sk);
	nl_socket_modify_cb(a->ctrl_sk, NL_CB_VALID, NL_CB_CUSTOM, ctrl_event, a);
	nl_socket_set_nonblocking(a->ctrl_sk);
	if (nl_socket_add_membership(a->ctrl_sk, grp)) {
		log_err("cannot join nlctrl's notify group");
		return -EIO;
	}
	return 0;
}

static int config_event(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *ghdr = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[SLICEGUARD_A_POLICY_MAX + 1];
	struct agent *a = arg;
	uint64_t gen;

	/*
	 * Object notifications are only counted: the agent re-dumps the
	 * committed policy once the commit-ntf says a generation is complete,
	 * which also covers notifications lost to an overrun.
	 */
	if (ghdr->cmd != SLICEGUARD_CMD_COMMIT_NTF) {
		a->ntf_objects++;
		return NL_OK;
	}
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, SLICEGUARD_A_POLICY_MAX, NULL) ||
	    !tb[SLICEGUARD_A_POLICY_GENERATION]) {
		log_warn("malformed commit notification, resyncing");
		a->resync = true;
		return NL_OK;
	}
	gen = sg_nla_get_uint(tb[SLICEGUARD_A_POLICY_GENERATION]);
	log_debug("generation %llu committed (%u object notifications)",
		  (unsigned long long)gen, a->ntf_objects);
	a->ntf_objects = 0;
	if (!a->ntf_seen || gen > a->ntf_gen)
		a->ntf_gen = gen;
	a->ntf_seen = true;
	return NL_OK;
}

/*
 * Find the family and join its config group. Joining first and dumping
 * afterwards (the caller's next step) means no generation can slip between
 * the dump and the first notification.
 */
int genl_connect_family(struct agent *a)
{
	int grp, fd, size = MC_RCVBUF;
	int err;

	err = sg_nl_open(&a->nl);
	if (err == -ENOENT)
		return err;
	if (err) {
		log_err("cannot open the sliceguard family: %s", strerror(-err));
		return err;
	}
	grp = genl_ctrl_resolve_grp(a->lookup_sk, SLICEGUARD_FAMILY_NAME,
				    SLICEGUARD_MCGRP_CONFIG);
	a->mc_sk = grp < 0 ? NULL : genl_socket();
	if (!a->mc_sk) {
		sg_nl_close(&a->nl);
		return grp < 0 ? -ENOENT : -ENOMEM;
	}
	nl_socket_disable_seq_check(a->mc_sk);
	nl_socket_modify_cb(a->mc_sk, NL_CB_VALID, NL_CB_CUSTOM, config_event, a);
	nl_socket_set_nonblocking(a->mc_sk);
	fd = nl_socket_get_fd(a->mc_sk);
	/* Root may exceed rmem_max; fall back to what the sysctl allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (nl_socket_add_membership(a->mc_sk, grp)) {
		log_err("cannot join the sliceguard config group (CAP_NET_ADMIN needed)");
		nl_socket_free(a->mc_sk);
		a->mc_sk = NULL;
		sg_nl_close(&a->nl);
		return -EPERM;
	}
	a->family = a->nl.family;
	a->ntf_seen = false;
	a->ntf_objects = 0;
	return 0;
}

void genl_disconnect_family(struct agent *a)
{
	if (a->mc_sk)
		nl_socket_free(a->mc_sk);
	a->mc_sk = NULL;
	if (a->family)
		sg_nl_close(&a->nl);
	a->family = 0;
}

/* Whether the family is still registered (e.g. after a failed request). */
bool genl_family_present(struct agent *a)
{
	return genl_ctrl_resolve(a->lookup_sk, SLICEGUARD_FAMILY_NAME) >= 0;
}

static int drain(struct nl_sock *sk, const char *what)
{
	int err;

	for (;;) {
		err = nl_recvmsgs_default(sk);
		if (err >= 0)
			continue;
		if (err == -NLE_AGAIN)
			return 0;
		/* libnl reports a socket overrun (ENOBUFS) as NLE_NOMEM. */
		if (err == -NLE_NOMEM)
			return -ENOBUFS;
		log_warn("%s: %s", what, nl_geterror(err));
		return -EIO;
	}
}

void genl_drain_ctrl(struct agent *a)
{
	/* Lost nlctrl events: check the family's presence directly. */
	if (drain(a->ctrl_sk, "nlctrl notifications") == -ENOBUFS) {
		if (genl_family_present(a))
			a->family_added = true;
		else
			a->family_removed = true;
	}
}

void genl_drain_config(struct agent *a)
{
	int err = drain(a->mc_sk, "config notifications");

	if (err == -ENOBUFS) {
		log_notice("notification overrun, full resync");
		a->resync = true;
	} else if (err) {
		a->resync = true;
	}
}
