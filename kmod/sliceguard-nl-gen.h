/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/sliceguard.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_SLICEGUARD_GEN_H
#define _LINUX_SLICEGUARD_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/sliceguard.h>

/* Common nested types */
extern const struct nla_policy sliceguard_endpoint_nl_policy[SLICEGUARD_A_ENDPOINT_PORT_LAST + 1];
extern const struct nla_policy sliceguard_prefix_nl_policy[SLICEGUARD_A_PREFIX_LEN + 1];
extern const struct nla_policy sliceguard_range_nl_policy[SLICEGUARD_A_RANGE_LAST + 1];

/* Ops table for sliceguard */
extern const struct genl_split_ops sliceguard_nl_ops[25];

int sliceguard_nl_slice_get_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_slice_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb);
int sliceguard_nl_slice_new_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_slice_set_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_slice_del_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_app_get_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_app_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int sliceguard_nl_app_new_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_app_set_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_app_del_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_rule_get_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_rule_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb);
int sliceguard_nl_rule_new_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_rule_set_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_rule_del_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_uplink_get_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_uplink_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb);
int sliceguard_nl_uplink_new_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_uplink_set_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_uplink_del_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_tx_begin_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_tx_commit_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_tx_abort_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info);
int sliceguard_nl_policy_flush_doit(struct sk_buff *skb,
				    struct genl_info *info);

enum {
	SLICEGUARD_NLGRP_CONFIG,
};

#endif /* _LINUX_SLICEGUARD_GEN_H */
