/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-memory form of one generation of the sliceguard policy, as user space
 * sees it: filled from a netlink dump (agent), from a batch file, or by
 * tests. The data-path compiler turns it into BPF map contents and the
 * reference model decides packets from it directly, so both read the same
 * structure and nothing else.
 */
#ifndef SLICEGUARD_POLICY_H
#define SLICEGUARD_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/sliceguard.h>

struct sg_prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t len;		/* prefix length in bits */
	uint8_t addr[16];	/* network byte order; IPv4 in the first 4 bytes */
};

struct sg_range {
	uint32_t first;
	uint32_t last;
};

struct sg_slice {
	uint32_t id;
	char name[SLICEGUARD_NAME_MAX_LEN + 1];
	uint8_t sst;
	bool has_sd;
	uint32_t sd;
	unsigned int n_ue_prefixes, n_vlans, n_teid_ranges, n_dscps;
	struct sg_prefix ue_prefixes[SLICEGUARD_MAX_UE_PREFIXES];
	uint16_t vlans[SLICEGUARD_MAX_VLANS];
	struct sg_range teid_ranges[SLICEGUARD_MAX_TEID_RANGES];
	uint8_t dscps[SLICEGUARD_MAX_DSCPS];
	uint64_t rate_bytes, burst_bytes, rate_packets, ue_rate_bytes;
	uint32_t mark;
	bool ue_to_ue;
};

struct sg_endpoint {
	struct sg_prefix prefix;
	uint8_t proto;		/* 0: any */
	uint16_t port_first, port_last;
};

struct sg_app {
	uint32_t id;
	char name[SLICEGUARD_NAME_MAX_LEN + 1];
	unsigned int n_slices, n_endpoints;
	uint32_t slices[SLICEGUARD_MAX_APP_SLICES];
	struct sg_endpoint endpoints[SLICEGUARD_MAX_ENDPOINTS];
	char ifname[16];	/* empty: none */
	uint64_t rate_bytes, burst_bytes, rate_packets;
};

struct sg_rule {
	uint32_t id;
	uint32_t src_kind, src_id;	/* enum sliceguard_peer; not ANY; id 0 for HOST */
	uint32_t dst_kind, dst_id;	/* dst_id is 0 for ANY and HOST */
	uint8_t proto;			/* 0: any */
	uint16_t port_first, port_last;
	uint64_t rate_bytes, burst_bytes, rate_packets;
};

/* Slices and apps are objects with an id; the peers any and host name none. */
static inline bool sg_peer_has_id(uint32_t kind)
{
	return kind == SLICEGUARD_PEER_SLICE || kind == SLICEGUARD_PEER_APP;
}

struct sg_uplink {
	char ifname[16];
	uint32_t mode;		/* enum sliceguard_uplink_mode */
	uint32_t unsliced;	/* enum sliceguard_unsliced */
};

/* One generation of policy. Arrays are owned; sg_policy_free() frees them. */
struct sg_policy {
	uint64_t generation;
	unsigned int n_slices, n_apps, n_rules, n_uplinks;
	struct sg_slice *slices;
	struct sg_app *apps;
	struct sg_rule *rules;
	struct sg_uplink *uplinks;
};

void sg_policy_init(struct sg_policy *policy);
void sg_policy_free(struct sg_policy *policy);
/* Append a zeroed object and return it, or NULL when out of memory. */
struct sg_slice *sg_policy_add_slice(struct sg_policy *policy);
struct sg_app *sg_policy_add_app(struct sg_policy *policy);
struct sg_rule *sg_policy_add_rule(struct sg_policy *policy);
struct sg_uplink *sg_policy_add_uplink(struct sg_policy *policy);
const struct sg_slice *sg_policy_slice_by_id(const struct sg_policy *policy, uint32_t id);
const struct sg_app *sg_policy_app_by_id(const struct sg_policy *policy, uint32_t id);

#endif /* SLICEGUARD_POLICY_H */
