/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reference model of the sliceguard data path: Documentation/datapath.rst
 * as changed by issue 7 ("every pass bound to the identity that was
 * checked") written as plain C, independently of the BPF programs, so that the
 * differential test can hold the two against each other. Clarity over
 * speed: every lookup is a linear scan over struct sg_policy.
 */
#ifndef SLICEGUARD_REFMODEL_H
#define SLICEGUARD_REFMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp.h"
#include "policy.h"
#include "../../bpf/sliceguard_dp.h"

/* Where a packet is seen. */
enum sg_ref_hook {
	SG_REF_UPLINK,		/* sg_uplink (XDP) on an uplink */
	SG_REF_APP_INGRESS,	/* sg_app_ingress, what the app sends */
	SG_REF_APP_EGRESS,	/* sg_egress on an app's interface: what it receives */
	SG_REF_UPLINK_EGRESS,	/* sg_egress on an uplink: what leaves on it */
};

/*
 * What the interface a packet entered the host on is, in the generation
 * (egress hooks only: skb->ingress_ifindex). UPLINK also stands for a
 * VLAN device over an uplink; NONE for interfaces the generation does
 * not name.
 */
enum sg_ref_iface {
	SG_REF_IFACE_NONE,
	SG_REF_IFACE_UPLINK,
	SG_REF_IFACE_APP,
	SG_REF_IFACE_HOST,	/* ingress 0: the host sent it itself */
};

struct sg_ref_ctx {
	enum sg_ref_hook hook;
	uint32_t ifindex;	/* the hook's interface: part of fragment keys */
	uint32_t mode;		/* uplink hooks: enum sliceguard_uplink_mode */
	uint32_t unsliced;	/* uplink hooks: enum sliceguard_unsliced */
	uint32_t app_id;	/* app hooks: the app behind the interface */
	enum sg_ref_iface in_kind;	/* egress hooks: where the packet entered */
	uint32_t in_app_id;	/* in_kind APP: the app behind that interface */
	uint64_t now_ns;	/* clock of flow/fragment timeouts and rates */
	/*
	 * The host's own addresses (its local routing table, "The host"):
	 * not policy, the same at every hook; the interfaces are not used.
	 */
	const struct sg_host_prefix *host;
	size_t n_host;
};

struct sg_ref_flow;
struct sg_ref_frag;
struct sg_ref_bucket;

/*
 * State the data path keeps between packets: flows, first-fragment verdicts
 * and token buckets, shared by all hooks and generations. Unbounded here;
 * the BPF maps are LRU and bounded, so the two agree only while the maps do
 * not overflow.
 */
struct sg_ref_state {
	struct sg_ref_flow *flows;
	size_t n_flows, cap_flows;
	struct sg_ref_frag *frags;
	size_t n_frags, cap_frags;
	struct sg_ref_bucket *buckets;
	size_t n_buckets, cap_buckets;
};

void sg_ref_state_init(struct sg_ref_state *state);
void sg_ref_state_free(struct sg_ref_state *state);

/**
 * sg_ref_decide() - Decide one packet as Documentation/datapath.rst says.
 * @policy: the active generation, or NULL when none was applied
 * @where: hook and its configuration
 * @pkt: the frame, starting at the Ethernet header
 * @len: its length
 * @state: flows, fragments and rate state, updated
 * @mark_out: receives the mark a passed packet carries (0: mark left alone)
 * @rule_out: receives the id of the rule a new flow matched (RULE, or a
 *            RATE_* drop after the match), or for a non-first fragment the
 *            rule its first fragment stored; 0 when none did
 *
 * Return: the reason; sg_ref_reason_passes() tells pass or drop.
 */
enum sg_reason sg_ref_decide(const struct sg_policy *policy,
			     const struct sg_ref_ctx *where,
			     const uint8_t *pkt, size_t len,
			     struct sg_ref_state *state,
			     uint32_t *mark_out, uint32_t *rule_out);

/* Whether a reason means the packet passes, per Documentation/datapath.rst. */
bool sg_ref_reason_passes(enum sg_reason reason);

/* Name of a reason for messages ("NO_RULE"). */
const char *sg_ref_reason_name(enum sg_reason reason);

#endif /* SLICEGUARD_REFMODEL_H */
