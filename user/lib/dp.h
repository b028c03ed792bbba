/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loader and policy compiler of the sliceguard data path (bpf/): loads or
 * adopts the BPF object, attaches it to uplinks and app interfaces, turns a
 * struct sg_policy into map contents and swaps generations atomically
 * (Documentation/datapath.rst, "Atomic policy generations").
 *
 * Every function returning int returns 0 or a negative errno. The last error
 * text of a struct sg_dp is available from sg_dp_errmsg().
 */
#ifndef SLICEGUARD_DP_LIB_H
#define SLICEGUARD_DP_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "../../bpf/sliceguard_dp.h"

#define SG_DP_DEFAULT_PIN_DIR	"/sys/fs/bpf/sliceguard"

enum sg_dp_prog {
	SG_DP_PROG_UPLINK,		/* XDP sg_uplink */
	SG_DP_PROG_UPLINK_MARK,		/* TC ingress sg_uplink_mark */
	SG_DP_PROG_APP_INGRESS,		/* TC sg_app_ingress */
	SG_DP_PROG_EGRESS,		/* TC sg_egress: app egress, uplink egress */
	SG_DP_PROG_MAX,
};

/* Maps to an interface index, 0 when the interface does not exist. */
typedef unsigned int (*sg_dp_ifindex_fn)(const char *ifname, void *ctx);

struct sg_dp_opts {
	/*
	 * bpffs directory of the pinned programs, links and maps. NULL: a
	 * private instance that ends with the process. Otherwise, when the
	 * directory holds a pinned instance, sg_dp_open() adopts it;
	 * sg_dp_pin() pins a fresh one there. A complete pinned instance
	 * whose maps have this build's definitions is adopted without
	 * loading anything; else the programs are loaded against the pinned
	 * maps (sg_dp_loaded(), and sg_dp_errmsg() says why).
	 */
	const char *pin_dir;
	/* Interface name resolution; NULL: if_nametoindex(). */
	sg_dp_ifindex_fn resolve_ifindex;
	void *resolve_ctx;
};

struct sg_dp;

/* Load (or adopt from opts->pin_dir) the data path. */
int sg_dp_open(const struct sg_dp_opts *opts, struct sg_dp **dp);
/* Detach nothing, unpin nothing: pinned state keeps enforcing. */
void sg_dp_close(struct sg_dp *dp);
/* Text of the last error of dp (empty when none). */
const char *sg_dp_errmsg(const struct sg_dp *dp);
/* Whether sg_dp_open() adopted a pinned instance. */
bool sg_dp_adopted(const struct sg_dp *dp);
/* Whether sg_dp_open() loaded the BPF object (false: adopted its pins as is). */
bool sg_dp_loaded(const struct sg_dp *dp);

/*
 * Compile policy into the inactive slot, make it the active one, and wait
 * until no program still runs on the previous slot. One writer at a time
 * (the agent): applies are not serialised against each other. Errors leave the
 * active generation untouched: -E2BIG (policy beyond the map sizes),
 * -EINVAL (a policy the data path cannot represent), -ETIMEDOUT (old slot
 * did not drain), or the errno of a map operation.
 */
int sg_dp_apply(struct sg_dp *dp, const struct sg_policy *policy);
/* Generation of the active slot; 0 before the first apply. */
uint64_t sg_dp_generation(const struct sg_dp *dp);

/*
 * XDP sg_uplink (bpf_link; native if the driver has it, else generic) and
 * the TC ingress companion sg_uplink_mark (TCX, else clsact).
 */
int sg_dp_attach_uplink(struct sg_dp *dp, int ifindex);
/*
 * The egress program on an ip uplink (after sg_dp_attach_uplink(), whose
 * clsact it shares on kernels without TCX): it decides what leaves toward
 * UEs. Not for gtpu uplinks, whose egress carries a UPF's tunnels.
 */
int sg_dp_attach_uplink_egress(struct sg_dp *dp, int ifindex);
/* TC sg_app_ingress and sg_egress on the app's host-side interface. */
int sg_dp_attach_app(struct sg_dp *dp, int ifindex);
/* Remove whatever sg_dp attached to ifindex (links, pins, own tc filters). */
int sg_dp_detach(struct sg_dp *dp, int ifindex);
/* Pin maps, programs and links under opts->pin_dir. */
int sg_dp_pin(struct sg_dp *dp);
/* Remove every pin under opts->pin_dir (enforcement ends with the last fd). */
int sg_dp_unpin(struct sg_dp *dp);

int sg_dp_prog_fd(const struct sg_dp *dp, enum sg_dp_prog prog);
/* Clear flow, fragment and rate state (tests, benchmarks). */
int sg_dp_flush_state(struct sg_dp *dp);

/* Counters summed over CPUs. */
int sg_dp_reason_counts(struct sg_dp *dp, struct sg_count counts[SG_R_MAX]);
int sg_dp_slice_counts(struct sg_dp *dp, uint32_t slice_id, struct sg_obj_count *count);
int sg_dp_app_counts(struct sg_dp *dp, uint32_t app_id, struct sg_obj_count *count);
int sg_dp_rule_counts(struct sg_dp *dp, uint32_t rule_id, struct sg_obj_count *count);
int sg_dp_event_stats(struct sg_dp *dp, uint64_t stats[SG_EVENT_STAT_MAX]);

/*
 * Deny events: call fn for each event waiting, waiting up to timeout_ms
 * (0: do not wait, -1: forever) for the first. Returns the number of events
 * handled or a negative errno; fn returning non-zero stops early.
 */
typedef int (*sg_dp_event_fn)(void *ctx, const struct sg_deny_event *event);
int sg_dp_poll_events(struct sg_dp *dp, sg_dp_event_fn fn, void *ctx, int timeout_ms);
/* An fd to poll() for deny events, or a negative errno. */
int sg_dp_events_fd(struct sg_dp *dp);

/*
 * The host's own addresses (the peer "host" of Documentation/datapath.rst):
 * a prefix of the local routing table and the interface it is on.
 */
struct sg_host_prefix {
	struct sg_prefix prefix;
	uint32_t ifindex;
};

/*
 * What the calling thread's network namespace delivers locally: its local,
 * broadcast, anycast and multicast routes (every table) and the limited
 * broadcast and multicast ranges; free() them. May hold duplicates.
 */
int sg_host_prefixes_read(struct sg_host_prefix **prefixes, size_t *n);
/* Whether a route of type (RTN_*) is one sg_host_prefixes_read() takes. */
bool sg_host_route_type(unsigned int type);
/*
 * Make the data path's host addresses exactly prefixes (duplicates count
 * once): stale ones are removed, then new ones written; one that stays is
 * never touched. -E2BIG beyond SG_HOST_PREFIXES distinct prefixes per
 * family (nothing changed).
 */
int sg_dp_set_host_prefixes(struct sg_dp *dp, const struct sg_host_prefix *prefixes, size_t n);
/* sg_host_prefixes_read() into sg_dp_set_host_prefixes(); n_out may be NULL. */
int sg_dp_sync_host(struct sg_dp *dp, size_t *n_out);

/* "NO_RULE" etc.; NULL for an unknown reason. */
const char *sg_reason_name(unsigned int reason);
bool sg_reason_passes(unsigned int reason);

/*
 * The compiled form of a policy: what sg_dp_apply() writes. Exposed so that
 * tests can check that compilation is deterministic and refuses what it
 * cannot represent without loading anything.
 */
struct sg_dp_image;
int sg_dp_compile(const struct sg_policy *policy, sg_dp_ifindex_fn resolve_ifindex,
		  void *resolve_ctx, struct sg_dp_image **image, char *err, size_t err_len);
void sg_dp_image_free(struct sg_dp_image *image);
/* Number of entries the image writes into each policy map, summed. */
size_t sg_dp_image_entries(const struct sg_dp_image *image);
/* Whether two images write the same entries (order included). */
bool sg_dp_image_equal(const struct sg_dp_image *a, const struct sg_dp_image *b);

#endif /* SLICEGUARD_DP_LIB_H */
