/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sg_* objects of policy.h <-> sliceguard generic netlink messages
 * (libnl-genl-3), shared by slicectl, sliceguardd and the tests.
 *
 * A request is built with sg_nl_msg() and the sg_nl_put_*() helpers and sent
 * with sg_nl_request(), which waits for the kernel's ack and keeps its extack
 * message. Replies, dump messages and notifications are decoded with
 * sg_nl_parse(). sg_nl_dump_policy() reads the whole policy of the socket's
 * network namespace as one generation.
 */
#ifndef SLICEGUARD_POLICY_NL_H
#define SLICEGUARD_POLICY_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/sliceguard.h>

#include "policy.h"

struct nl_sock;
struct nl_msg;
struct nlmsghdr;

struct sg_nl {
	struct nl_sock *sock;
	int family;
	/* The kernel's extack message of the last failed request, or "". */
	char extack[256];
};

/* State of the policy store (policy-get reply, commit-ntf). */
struct sg_policy_info {
	uint64_t generation;
	bool has_tx_portid;
	uint32_t tx_portid, changes, portid;
	uint32_t n_slices, n_apps, n_rules, n_uplinks;
	uint32_t max_slices, max_apps, max_rules, max_uplinks;
};

/* One decoded message: which object it carries (by genl command). */
struct sg_nl_object {
	uint8_t cmd;			/* SLICEGUARD_CMD_* of the message */
	enum sg_nl_kind {
		SG_NL_SLICE,
		SG_NL_APP,
		SG_NL_RULE,
		SG_NL_UPLINK,
		SG_NL_POLICY,
	} kind;
	bool has_generation, has_change;
	uint64_t generation;
	uint32_t change;		/* enum sliceguard_change */
	union {
		struct sg_slice slice;
		struct sg_app app;
		struct sg_rule rule;
		struct sg_uplink uplink;
		struct sg_policy_info policy;
	};
};

/**
 * sg_nl_open() - Connect to the sliceguard family in the current netns.
 * @nl: receives the socket and family id
 *
 * Extended acks are enabled so failures carry the kernel's message.
 *
 * Return: 0, -ENOENT when the family is not registered (module not loaded),
 * or another -errno.
 */
int sg_nl_open(struct sg_nl *nl);
void sg_nl_close(struct sg_nl *nl);

/**
 * sg_nl_subscribe() - Join the config multicast group for notifications.
 * @nl: an open handle, then used only to receive with sg_nl_recv()
 *
 * Return: 0 or -errno (-EPERM without CAP_NET_ADMIN).
 */
int sg_nl_subscribe(struct sg_nl *nl);

/* A new request message for cmd (NLM_F_* in flags), or NULL on ENOMEM. */
struct nl_msg *sg_nl_msg(struct sg_nl *nl, uint8_t cmd, int flags);

struct nlattr;

/* The spec's uint: 4 bytes when the value fits, else 8; read either. */
int sg_nla_put_uint(struct nl_msg *msg, int type, uint64_t value);
uint64_t sg_nla_get_uint(const struct nlattr *nla);

/* Put a whole object as new/set request attributes; 0 or -EMSGSIZE. */
int sg_nl_put_slice(struct nl_msg *msg, const struct sg_slice *slice);
int sg_nl_put_app(struct nl_msg *msg, const struct sg_app *app);
int sg_nl_put_rule(struct nl_msg *msg, const struct sg_rule *rule);
int sg_nl_put_uplink(struct nl_msg *msg, const struct sg_uplink *uplink);
/* Put the key of a slice or app: id when non-zero, else name. */
int sg_nl_put_key(struct nl_msg *msg, uint32_t id, const char *name);

/**
 * sg_nl_parse() - Decode a sliceguard reply, dump message or notification.
 * @nlh: the message
 * @obj: receives the object
 *
 * Return: 0, -EPROTO for a malformed message or unknown command, -E2BIG when
 * a multi-attr exceeds the limits of policy.h.
 */
int sg_nl_parse(struct nlmsghdr *nlh, struct sg_nl_object *obj);

/* Called for each reply or dump message; a negative return stops and fails. */
typedef int (*sg_nl_reply_fn)(struct nlmsghdr *nlh, void *arg);

/**
 * sg_nl_request() - Send a request and wait for its completion.
 * @nl: the handle
 * @msg: the request; always consumed
 * @reply: called for each reply/dump message, may be NULL
 * @arg: passed to @reply
 *
 * Return: 0, or -errno from the kernel (its extack text in @nl->extack),
 * -EINTR when a dump was interrupted by a commit (NLM_F_DUMP_INTR), or the
 * negative value returned by @reply.
 */
int sg_nl_request(struct sg_nl *nl, struct nl_msg *msg, sg_nl_reply_fn reply,
		  void *arg);

/* Simple do-requests without attributes or objects. */
int sg_nl_policy_get(struct sg_nl *nl, struct sg_policy_info *info);
int sg_nl_tx(struct sg_nl *nl, uint8_t cmd, uint64_t *generation);

/**
 * sg_nl_dump_policy() - Read the whole policy of the netns as one generation.
 * @nl: the handle
 * @policy: an initialised policy; its objects are replaced
 *
 * Dumps slices, apps, rules and uplinks between two policy-get requests and
 * retries when a dump was interrupted or the generation moved in between.
 * Inside this socket's transaction it reads the staged policy.
 *
 * Return: 0 or -errno (-EAGAIN when the policy kept changing).
 */
int sg_nl_dump_policy(struct sg_nl *nl, struct sg_policy *policy);

/**
 * sg_nl_recv() - Receive notifications on a subscribed handle.
 * @nl: the handle
 * @fn: called for each notification
 * @arg: passed to @fn
 *
 * Blocks until at least one message was processed.
 *
 * Return: 0 or -errno (including a negative return of @fn).
 */
int sg_nl_recv(struct sg_nl *nl, sg_nl_reply_fn fn, void *arg);

#endif /* SLICEGUARD_POLICY_NL_H */
