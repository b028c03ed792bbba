/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sliceguard policy store: the objects of one policy (slices, apps, rules,
 * uplinks), their containers, and the checks that keep a policy consistent.
 * Everything here runs under the owning namespace's mutex.
 */
#ifndef _SLICEGUARD_STORE_H
#define _SLICEGUARD_STORE_H

#include <linux/atomic.h>
#include <linux/if.h>
#include <linux/in6.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <net/genetlink.h>

#include <uapi/linux/sliceguard.h>

enum slg_kind {
	SLG_SLICE,
	SLG_APP,
	SLG_RULE,
	SLG_UPLINK,
	SLG_N_KINDS,
};

/* Kinds before this one are keyed by a numeric id and live in xarrays. */
#define SLG_N_ID_KINDS	SLG_UPLINK

/**
 * struct slg_ident - what names an object
 * @id: slice, app or rule id (the key of those kinds); 0 for uplinks
 * @name: slice or app name (unique, not the key), uplink ifname (the key)
 */
struct slg_ident {
	u32 id;
	char name[SLICEGUARD_NAME_MAX_LEN + 1];
};

/**
 * struct slg_obj - header shared by every policy object
 * @ident: id and name
 * @kind: enum slg_kind
 * @generation: generation the object was last written in
 *
 * Objects are never modified once stored in a policy: a write stores a new
 * object, so a transaction's staged policy can share every untouched object
 * with the committed one, and "changed" is "a different pointer".
 */
struct slg_obj {
	struct slg_ident ident;
	u8 kind;
	u64 generation;
};

struct slg_prefix {
	struct in6_addr addr;	/* IPv4 in the first 4 bytes, rest zero */
	u8 len;
	bool v6;
};

struct slg_range {
	u32 first;
	u32 last;
};

struct slg_slice {
	struct slg_obj obj;
	u8 sst;
	bool has_sd;
	bool ue_to_ue;
	u32 sd;
	u32 mark;
	u64 rate_bytes;
	u64 burst_bytes;
	u64 rate_packets;
	u64 ue_rate_bytes;
	u8 n_ue_prefixes;
	u8 n_vlans;
	u8 n_teid_ranges;
	u8 n_dscps;
	struct slg_prefix ue_prefixes[SLICEGUARD_MAX_UE_PREFIXES];
	u16 vlans[SLICEGUARD_MAX_VLANS];
	struct slg_range teid_ranges[SLICEGUARD_MAX_TEID_RANGES];
	u8 dscps[SLICEGUARD_MAX_DSCPS];
};

struct slg_endpoint {
	struct slg_prefix prefix;
	u8 proto;
	u16 port_first;
	u16 port_last;
};

struct slg_app {
	struct slg_obj obj;
	u8 n_slices;
	u8 n_endpoints;
	u32 slices[SLICEGUARD_MAX_APP_SLICES];
	struct slg_endpoint endpoints[SLICEGUARD_MAX_ENDPOINTS];
	char ifname[IFNAMSIZ];
	u64 rate_bytes;
	u64 burst_bytes;
	u64 rate_packets;
};

struct slg_rule {
	struct slg_obj obj;
	u32 src_kind;
	u32 src_id;		/* 0 when src_kind is SLICEGUARD_PEER_HOST */
	u32 dst_kind;
	u32 dst_id;		/* 0 when dst_kind is any or host */
	u8 proto;
	u16 port_first;
	u16 port_last;
	u64 rate_bytes;
	u64 burst_bytes;
	u64 rate_packets;
};

struct slg_uplink {
	struct slg_obj obj;
	u32 mode;
	u32 unsliced;
};

/**
 * struct slg_policy - one version of a namespace's policy
 * @objs: slices, apps and rules by id
 * @uplinks: uplinks sorted by ifname (few, so a sorted array)
 * @n: number of objects of each kind
 */
struct slg_policy {
	struct xarray objs[SLG_N_ID_KINDS];
	struct slg_uplink **uplinks;
	unsigned int n[SLG_N_KINDS];
};

/**
 * struct slg_req_attrs - request attributes a parsed object came from
 * @info: the request
 * @ue_prefix: attribute of each ue-prefix of a slice, in order
 * @vlan: same for vlans
 * @teid_range: same for TEID ranges
 * @dscp: same for DSCP values
 * @slice: attribute of each served slice of an app
 * @endpoint: attribute of each endpoint of an app
 *
 * Checks of a single request point extack at the offending attribute
 * through this; checks of a staged policy at commit have no request and
 * use one whose pointers are all NULL.
 */
struct slg_req_attrs {
	struct genl_info *info;
	const struct nlattr *ue_prefix[SLICEGUARD_MAX_UE_PREFIXES];
	const struct nlattr *vlan[SLICEGUARD_MAX_VLANS];
	const struct nlattr *teid_range[SLICEGUARD_MAX_TEID_RANGES];
	const struct nlattr *dscp[SLICEGUARD_MAX_DSCPS];
	const struct nlattr *slice[SLICEGUARD_MAX_APP_SLICES];
	const struct nlattr *endpoint[SLICEGUARD_MAX_ENDPOINTS];
};

extern atomic_long_t slg_live_objects;
extern atomic_t slg_fail_nth;

bool slg_fail_alloc(void);
extern const char * const slg_kind_names[SLG_N_KINDS];

struct slg_policy *slg_policy_alloc(void);
struct slg_policy *slg_policy_clone(struct slg_policy *src);
void slg_policy_free(struct slg_policy *pol, struct slg_policy *keep);
bool slg_policy_holds(struct slg_policy *pol, const struct slg_obj *obj);
struct slg_obj *slg_policy_find(struct slg_policy *pol, enum slg_kind kind,
				const struct slg_ident *ident);
struct slg_obj *slg_policy_find_name(struct slg_policy *pol,
				     enum slg_kind kind, const char *name);
struct slg_obj *slg_policy_next(struct slg_policy *pol, enum slg_kind kind,
				const struct slg_ident *after);
struct slg_obj *slg_policy_store(struct slg_policy *pol, struct slg_obj *obj);
int slg_policy_store_new_rule(struct slg_policy *pol, struct slg_obj *obj);
void slg_policy_erase(struct slg_policy *pol, struct slg_obj *obj);

#define slg_policy_for_each(pol, kind, obj)				\
	for ((obj) = slg_policy_next(pol, kind, NULL); (obj);		\
	     (obj) = slg_policy_next(pol, kind, &(obj)->ident))

void slg_obj_free(struct slg_obj *obj);
struct slg_obj *slg_obj_parse(enum slg_kind kind, struct slg_req_attrs *req);
size_t slg_obj_msg_size(enum slg_kind kind);
int slg_obj_fill(struct sk_buff *skb, const struct slg_obj *obj,
		 u64 generation, int change);

int slg_check_obj(struct slg_policy *pol, struct slg_policy *committed,
		  const struct slg_obj *obj, const struct slg_req_attrs *req,
		  struct netlink_ext_ack *extack);
int slg_check_del(struct slg_policy *pol, const struct slg_obj *obj,
		  struct netlink_ext_ack *extack);
int slg_check_policy(struct slg_policy *staged, struct slg_policy *committed,
		     struct netlink_ext_ack *extack);

#endif /* _SLICEGUARD_STORE_H */
