// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/sliceguard.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "sliceguard-nl-gen.h"

#include <uapi/linux/sliceguard.h>

/* Integer value ranges */
static const struct netlink_range_validation sliceguard_a_slice_sd_range = {
	.max	= 16777215ULL,
};

static const struct netlink_range_validation sliceguard_a_app_id_range = {
	.min	= 1ULL,
	.max	= SLICEGUARD_MAX_APP_ID,
};

static const struct netlink_range_validation sliceguard_a_rule_id_range = {
	.min	= 1ULL,
	.max	= SLICEGUARD_MAX_RULE_ID,
};

/* Common nested types */
const struct nla_policy sliceguard_endpoint_nl_policy[SLICEGUARD_A_ENDPOINT_PORT_LAST + 1] = {
	[SLICEGUARD_A_ENDPOINT_PREFIX] = NLA_POLICY_NESTED(sliceguard_prefix_nl_policy),
	[SLICEGUARD_A_ENDPOINT_PROTO] = { .type = NLA_U8, },
	[SLICEGUARD_A_ENDPOINT_PORT_FIRST] = { .type = NLA_U16, },
	[SLICEGUARD_A_ENDPOINT_PORT_LAST] = { .type = NLA_U16, },
};

const struct nla_policy sliceguard_prefix_nl_policy[SLICEGUARD_A_PREFIX_LEN + 1] = {
	[SLICEGUARD_A_PREFIX_ADDR4] = { .type = NLA_U32, },
	[SLICEGUARD_A_PREFIX_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[SLICEGUARD_A_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

const struct nla_policy sliceguard_range_nl_policy[SLICEGUARD_A_RANGE_LAST + 1] = {
	[SLICEGUARD_A_RANGE_FIRST] = { .type = NLA_U32, },
	[SLICEGUARD_A_RANGE_LAST] = { .type = NLA_U32, },
};

/* SLICEGUARD_CMD_SLICE_GET - do */
static const struct nla_policy sliceguard_slice_get_nl_policy[SLICEGUARD_A_SLICE_NAME + 1] = {
	[SLICEGUARD_A_SLICE_ID] = NLA_POLICY_RANGE(NLA_U32, 1, SLICEGUARD_MAX_SLICE_ID),
	[SLICEGUARD_A_SLICE_NAME] = { .type = NLA_NUL_STRING, .len = SLICEGUARD_NAME_MAX_LEN, },
};

/* SLICEGUARD_CMD_SLICE_NEW - do */
static const struct nla_policy sliceguard_slice_new_nl_policy[SLICEGUARD_A_SLICE_UE_TO_UE + 1] = {
	[SLICEGUARD_A_SLICE_ID] = NLA_POLICY_RANGE(NLA_U32, 1, SLICEGUARD_MAX_SLICE_ID),
	[SLICEGUARD_A_SLICE_NAME] = { .type = NLA_NUL_STRING, .len = SLICEGUARD_NAME_MAX_LEN, },
	[SLICEGUARD_A_SLICE_SST] = { .type = NLA_U8, },
	[SLICEGUARD_A_SLICE_SD] = NLA_POLICY_FULL_RANGE(NLA_U32, &sliceguard_a_slice_sd_range),
	[SLICEGUARD_A_SLICE_UE_PREFIX] = NLA_POLICY_NESTED(sliceguard_prefix_nl_policy),
	[SLICEGUARD_A_SLICE_VLAN] = NLA_POLICY_RANGE(NLA_U16, 1, 4094),
	[SLICEGUARD_A_SLICE_TEID_RANGE] = NLA_POLICY_NESTED(sliceguard_range_nl_policy),
	[SLICEGUARD_A_SLICE_DSCP] = NLA_POLICY_MAX(NLA_U8, 63),
	[SLICEGUARD_A_SLICE_RATE_BYTES] = { .type = NLA_UINT, },
	[SLICEGUARD_A_SLICE_BURST_BYTES] = { .type = NLA_UINT, },
	[SLICEGUARD_A_SLICE_RATE_PACKETS] = { .type = NLA_UINT, },
	[SLICEGUARD_A_SLICE_UE_RATE_BYTES] = { .type = NLA_UINT, },
	[SLICEGUARD_A_SLICE_MARK] = { .type = NLA_U32, },
	[SLICEGUARD_A_SLICE_UE_TO_UE] = { .type = NLA_FLAG, },
};

/* SLICEGUARD_CMD_SLICE_SET - do */
static const struct nla_policy sliceguard_slice_set_nl_policy[SLICEGUARD_A_SLICE_UE_TO_UE + 1] = {
	[SLICEGUARD_A_SLICE_ID] = NLA_POLICY_RANGE(NLA_U32, 1, SLICEGUARD_MAX_SLICE_ID),
	[SLICEGUARD_A_SLICE_NAME] = { .type = NLA_NUL_STRING, .len = SLICEGUARD_NAME_MAX_LEN, },
	[SLICEGUARD_A_SLICE_SST] = { .type = NLA_U8, },
	[SLICEGUARD_A_SLICE_SD] = NLA_POLICY_FULL_RANGE(NLA_U32, &sliceguard_a_slice_sd_range),
	[SLICEGUARD_A_SLICE_UE_PREFIX] = NLA_POLICY_NESTED(sliceguard_prefix_nl_policy),
	[SLICEGUARD_A_SLICE_VLAN] = NLA_POLICY_RANGE(NLA_U16, 1, 4094),
	[SLICEGUARD_A_SLICE_TEID_RANGE] = NLA_POLICY_NESTED(sliceguard_range_nl_policy),
	[SLICEGUARD_A_SLICE_DSCP] = NLA_POLICY_MAX(NLA_U8, 63),
	[SLICEGUARD_A_SLICE_RATE_BYTES] = { .type = NLA_UINT, },
	[SLICEGUARD_A_SLICE_BURST_BYTES] = { .type = NLA_UINT, },
	[SLICEGUARD_A_SLICE_RATE_PACKETS] = { .type = NLA_UINT, },
	[SLICEGUARD_A_SLICE_UE_RATE_BYTES] = { .type = NLA_UINT, },
	[SLICEGUARD_A_SLICE_MARK] = { .type = NLA_U32, },
	[SLICEGUARD_A_SLICE_UE_TO_UE] = { .type = NLA_FLAG, },
};

/* SLICEGUARD_CMD_SLICE_DEL - do */
static const struct nla_policy sliceguard_slice_del_nl_policy[SLICEGUARD_A_SLICE_NAME + 1] = {
	[SLICEGUARD_A_SLICE_ID] = NLA_POLICY_RANGE(NLA_U32, 1, SLICEGUARD_MAX_SLICE_ID),
	[SLICEGUARD_A_SLICE_NAME] = { .type = NLA_NUL_STRING, .len = SLICEGUARD_NAME_MAX_LEN, },
};

/* SLICEGUARD_CMD_APP_GET - do */
static const struct nla_policy sliceguard_app_get_nl_policy[SLICEGUARD_A_APP_NAME + 1] = {
	[SLICEGUARD_A_APP_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &sliceguard_a_app_id_range),
	[SLICEGUARD_A_APP_NAME] = { .type = NLA_NUL_STRING, .len = SLICEGUARD_NAME_MAX_LEN, },
};

/* SLICEGUARD_CMD_APP_NEW - do */
static const struct nla_policy sliceguard_app_new_nl_policy[SLICEGUARD_A_APP_RATE_PACKETS + 1] = {
	[SLICEGUARD_A_APP_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &sliceguard_a_app_id_range),
	[SLICEGUARD_A_APP_NAME] = { .type = NLA_NUL_STRING, .len = SLICEGUARD_NAME_MAX_LEN, },
	[SLICEGUARD_A_APP_SLICE] = NLA_POLICY_RANGE(NLA_U32, 1, SLICEGUARD_MAX_SLICE_ID),
	[SLICEGUARD_A_APP_ENDPOINT] = NLA_POLICY_NESTED(sliceguard_endpoint_nl_policy),
	[SLICEGUARD_A_APP_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICEGUARD_A_APP_RATE_BYTES] = { .type = NLA_UINT, },
	[SLICEGUARD_A_APP_BURST_BYTES] = { .type = NLA_UINT, },
	[SLICEGUARD_A_APP_RATE_PACKETS] = { .type = NLA_UINT, },
};

/* SLICEGUARD_CMD_APP_SET - do */
static const struct nla_policy sliceguard_app_set_nl_policy[SLICEGUARD_A_APP_RATE_PACKETS + 1] = {
	[SLICEGUARD_A_APP_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &sliceguard_a_app_id_range),
	[SLICEGUARD_A_APP_NAME] = { .type = NLA_NUL_STRING, .len = SLICEGUARD_NAME_MAX_LEN, },
	[SLICEGUARD_A_APP_SLICE] = NLA_POLICY_RANGE(NLA_U32, 1, SLICEGUARD_MAX_SLICE_ID),
	[SLICEGUARD_A_APP_ENDPOINT] = NLA_POLICY_NESTED(sliceguard_endpoint_nl_policy),
	[SLICEGUARD_A_APP_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICEGUARD_A_APP_RATE_BYTES] = { .type = NLA_UINT, },
	[SLICEGUARD_A_APP_BURST_BYTES] = { .type = NLA_UINT, },
	[SLICEGUARD_A_APP_RATE_PACKETS] = { .type = NLA_UINT, },
};

/* SLICEGUARD_CMD_APP_DEL - do */
static const struct nla_policy sliceguard_app_del_nl_policy[SLICEGUARD_A_APP_NAME + 1] = {
	[SLICEGUARD_A_APP_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &sliceguard_a_app_id_range),
	[SLICEGUARD_A_APP_NAME] = { .type = NLA_NUL_STRING, .len = SLICEGUARD_NAME_MAX_LEN, },
};

/* SLICEGUARD_CMD_RULE_GET - do */
static const struct nla_policy sliceguard_rule_get_nl_policy[SLICEGUARD_A_RULE_ID + 1] = {
	[SLICEGUARD_A_RULE_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &sliceguard_a_rule_id_range),
};

/* SLICEGUARD_CMD_RULE_NEW - do */
static const struct nla_policy sliceguard_rule_new_nl_policy[SLICEGUARD_A_RULE_RATE_PACKETS + 1] = {
	[SLICEGUARD_A_RULE_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &sliceguard_a_rule_id_range),
	[SLICEGUARD_A_RULE_SRC_KIND] = NLA_POLICY_MAX(NLA_U32, 3),
	[SLICEGUARD_A_RULE_SRC_ID] = { .type = NLA_U32, },
	[SLICEGUARD_A_RULE_DST_KIND] = NLA_POLICY_MAX(NLA_U32, 3),
	[SLICEGUARD_A_RULE_DST_ID] = { .type = NLA_U32, },
	[SLICEGUARD_A_RULE_PROTO] = { .type = NLA_U8, },
	[SLICEGUARD_A_RULE_PORT_FIRST] = { .type = NLA_U16, },
	[SLICEGUARD_A_RULE_PORT_LAST] = { .type = NLA_U16, },
	[SLICEGUARD_A_RULE_RATE_BYTES] = { .type = NLA_UINT, },
	[SLICEGUARD_A_RULE_BURST_BYTES] = { .type = NLA_UINT, },
	[SLICEGUARD_A_RULE_RATE_PACKETS] = { .type = NLA_UINT, },
};

/* SLICEGUARD_CMD_RULE_SET - do */
static const struct nla_policy sliceguard_rule_set_nl_policy[SLICEGUARD_A_RULE_RATE_PACKETS + 1] = {
	[SLICEGUARD_A_RULE_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &sliceguard_a_rule_id_range),
	[SLICEGUARD_A_RULE_SRC_KIND] = NLA_POLICY_MAX(NLA_U32, 3),
	[SLICEGUARD_A_RULE_SRC_ID] = { .type = NLA_U32, },
	[SLICEGUARD_A_RULE_DST_KIND] = NLA_POLICY_MAX(NLA_U32, 3),
	[SLICEGUARD_A_RULE_DST_ID] = { .type = NLA_U32, },
	[SLICEGUARD_A_RULE_PROTO] = { .type = NLA_U8, },
	[SLICEGUARD_A_RULE_PORT_FIRST] = { .type = NLA_U16, },
	[SLICEGUARD_A_RULE_PORT_LAST] = { .type = NLA_U16, },
	[SLICEGUARD_A_RULE_RATE_BYTES] = { .type = NLA_UINT, },
	[SLICEGUARD_A_RULE_BURST_BYTES] = { .type = NLA_UINT, },
	[SLICEGUARD_A_RULE_RATE_PACKETS] = { .type = NLA_UINT, },
};

/* SLICEGUARD_CMD_RULE_DEL - do */
static const struct nla_policy sliceguard_rule_del_nl_policy[SLICEGUARD_A_RULE_ID + 1] = {
	[SLICEGUARD_A_RULE_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &sliceguard_a_rule_id_range),
};

/* SLICEGUARD_CMD_UPLINK_GET - do */
static const struct nla_policy sliceguard_uplink_get_nl_policy[SLICEGUARD_A_UPLINK_IFNAME + 1] = {
	[SLICEGUARD_A_UPLINK_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
};

/* SLICEGUARD_CMD_UPLINK_NEW - do */
static const struct nla_policy sliceguard_uplink_new_nl_policy[SLICEGUARD_A_UPLINK_UNSLICED + 1] = {
	[SLICEGUARD_A_UPLINK_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICEGUARD_A_UPLINK_MODE] = NLA_POLICY_MAX(NLA_U32, 1),
	[SLICEGUARD_A_UPLINK_UNSLICED] = NLA_POLICY_MAX(NLA_U32, 1),
};

/* SLICEGUARD_CMD_UPLINK_SET - do */
static const struct nla_policy sliceguard_uplink_set_nl_policy[SLICEGUARD_A_UPLINK_UNSLICED + 1] = {
	[SLICEGUARD_A_UPLINK_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICEGUARD_A_UPLINK_MODE] = NLA_POLICY_MAX(NLA_U32, 1),
	[SLICEGUARD_A_UPLINK_UNSLICED] = NLA_POLICY_MAX(NLA_U32, 1),
};

/* SLICEGUARD_CMD_UPLINK_DEL - do */
static const struct nla_policy sliceguard_uplink_del_nl_policy[SLICEGUARD_A_UPLINK_IFNAME + 1] = {
	[SLICEGUARD_A_UPLINK_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
};

/* Ops table for sliceguard */
const struct genl_split_ops sliceguard_nl_ops[25] = {
	{
		.cmd		= SLICEGUARD_CMD_SLICE_GET,
		.doit		= sliceguard_nl_slice_get_doit,
		.policy		= sliceguard_slice_get_nl_policy,
		.maxattr	= SLICEGUARD_A_SLICE_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= SLICEGUARD_CMD_SLICE_GET,
		.dumpit	= sliceguard_nl_slice_get_dumpit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= SLICEGUARD_CMD_SLICE_NEW,
		.doit		= sliceguard_nl_slice_new_doit,
		.policy		= sliceguard_slice_new_nl_policy,
		.maxattr	= SLICEGUARD_A_SLICE_UE_TO_UE,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SLICEGUARD_CMD_SLICE_SET,
		.doit		= sliceguard_nl_slice_set_doit,
		.policy		= sliceguard_slice_set_nl_policy,
		.maxattr	= SLICEGUARD_A_SLICE_UE_TO_UE,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SLICEGUARD_CMD_SLICE_DEL,
		.doit		= sliceguard_nl_slice_del_doit,
		.policy		= sliceguard_slice_del_nl_policy,
		.maxattr	= SLICEGUARD_A_SLICE_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SLICEGUARD_CMD_APP_GET,
		.doit		= sliceguard_nl_app_get_doit,
		.policy		= sliceguard_app_get_nl_policy,
		.maxattr	= SLICEGUARD_A_APP_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= SLICEGUARD_CMD_APP_GET,
		.dumpit	= sliceguard_nl_app_get_dumpit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= SLICEGUARD_CMD_APP_NEW,
		.doit		= sliceguard_nl_app_new_doit,
		.policy		= sliceguard_app_new_nl_policy,
		.maxattr	= SLICEGUARD_A_APP_RATE_PACKETS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SLICEGUARD_CMD_APP_SET,
		.doit		= sliceguard_nl_app_set_doit,
		.policy		= sliceguard_app_set_nl_policy,
		.maxattr	= SLICEGUARD_A_APP_RATE_PACKETS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SLICEGUARD_CMD_APP_DEL,
		.doit		= sliceguard_nl_app_del_doit,
		.policy		= sliceguard_app_del_nl_policy,
		.maxattr	= SLICEGUARD_A_APP_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SLICEGUARD_CMD_RULE_GET,
		.doit		= sliceguard_nl_rule_get_doit,
		.policy		= sliceguard_rule_get_nl_policy,
		.maxattr	= SLICEGUARD_A_RULE_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= SLICEGUARD_CMD_RULE_GET,
		.dumpit	= sliceguard_nl_rule_get_dumpit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= SLICEGUARD_CMD_RULE_NEW,
		.doit		= sliceguard_nl_rule_new_doit,
		.policy		= sliceguard_rule_new_nl_policy,
		.maxattr	= SLICEGUARD_A_RULE_RATE_PACKETS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SLICEGUARD_CMD_RULE_SET,
		.doit		= sliceguard_nl_rule_set_doit,
		.policy		= sliceguard_rule_set_nl_policy,
		.maxattr	= SLICEGUARD_A_RULE_RATE_PACKETS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SLICEGUARD_CMD_RULE_DEL,
		.doit		= sliceguard_nl_rule_del_doit,
		.policy		= sliceguard_rule_del_nl_policy,
		.maxattr	= SLICEGUARD_A_RULE_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SLICEGUARD_CMD_UPLINK_GET,
		.doit		= sliceguard_nl_uplink_get_doit,
		.policy		= sliceguard_uplink_get_nl_policy,
		.maxattr	= SLICEGUARD_A_UPLINK_IFNAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= SLICEGUARD_CMD_UPLINK_GET,
		.dumpit	= sliceguard_nl_uplink_get_dumpit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= SLICEGUARD_CMD_UPLINK_NEW,
		.doit		= sliceguard_nl_uplink_new_doit,
		.policy		= sliceguard_uplink_new_nl_policy,
		.maxattr	= SLICEGUARD_A_UPLINK_UNSLICED,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SLICEGUARD_CMD_UPLINK_SET,
		.doit		= sliceguard_nl_uplink_set_doit,
		.policy		= sliceguard_uplink_set_nl_policy,
		.maxattr	= SLICEGUARD_A_UPLINK_UNSLICED,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SLICEGUARD_CMD_UPLINK_DEL,
		.doit		= sliceguard_nl_uplink_del_doit,
		.policy		= sliceguard_uplink_del_nl_policy,
		.maxattr	= SLICEGUARD_A_UPLINK_IFNAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= SLICEGUARD_CMD_TX_BEGIN,
		.doit	= sliceguard_nl_tx_begin_doit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= SLICEGUARD_CMD_TX_COMMIT,
		.doit	= sliceguard_nl_tx_commit_doit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= SLICEGUARD_CMD_TX_ABORT,
		.doit	= sliceguard_nl_tx_abort_doit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= SLICEGUARD_CMD_POLICY_GET,
		.doit	= sliceguard_nl_policy_get_doit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= SLICEGUARD_CMD_POLICY_FLUSH,
		.doit	= sliceguard_nl_policy_flush_doit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group sliceguard_nl_mcgrps[] = {
	[SLICEGUARD_NLGRP_CONFIG] = { "config", },
};
