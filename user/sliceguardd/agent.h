/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sliceguardd: keeps the sliceguard data path in step with the policy the
 * sliceguard module holds. See Documentation/agent.rst.
 */
#ifndef SLICEGUARDD_AGENT_H
#define SLICEGUARDD_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <sys/socket.h>

#include "policy.h"
#include "policy_parse.h"
#include "policy_nl.h"

struct nl_sock;
struct sg_dp;

enum attach_kind {
	ATTACH_UPLINK,
	ATTACH_APP,
};

/* An interface the applied policy names, and where it is attached now. */
struct attachment {
	char ifname[IF_NAMESIZE];
	enum attach_kind kind;
	int ifindex;		/* 0: not attached (interface missing) */
	bool wanted;		/* named by the policy being applied */
	bool reported_missing;	/* "does not exist" logged once */
	bool vlan_tags;		/* uplink whose slices are told apart by VLAN tags */
	bool guard_egress;	/* ip uplink: the egress program guards the way to UEs */
	bool reported_vlan;	/* "cannot see VLAN tags" logged once */
};

struct agent {
	/* options */
	const char *pin_dir;
	const char *policy_file;

	struct sg_dp *dp;
	bool adopted;		/* pinned by a predecessor; strays not swept yet */

	/* generic netlink, see genl.c */
	struct nl_sock *ctrl_sk, *lookup_sk, *mc_sk;
	struct sg_nl nl;	/* requests and dumps; open while family != 0 */
	int family;		/* 0 while the module is absent */
	bool family_added, family_removed;
	bool ntf_seen;		/* a commit-ntf arrived since the last sync */
	uint64_t ntf_gen;	/* highest generation it announced */
	unsigned int ntf_objects;
	bool resync;		/* dump and apply regardless of generations */

	/* What the data path enforces. */
	struct sg_policy applied;
	/* applied as compiled against the interfaces of its time */
	struct sg_dp_image *applied_image;
	bool applied_from_module; /* applied came from this module instance */
	bool synced;		/* the module's policy was dumped since connect */
	uint64_t synced_gen;	/* generation of that dump */

	/* interfaces */
	struct attachment *att;
	unsigned int n_att;
	bool links_changed;
	bool host_changed;	/* read the host's addresses again */
	bool host_synced;	/* they were written at least once */

	/* declarative mode */
	int inotify_fd;
	struct sg_policy want;	/* the file's policy */
	bool file_changed;
	bool file_pending;	/* reconcile failed or not done yet: retry */
};

/* datapath.c */
int dp_start(struct agent *a);
void dp_stop(struct agent *a);
int dp_apply(struct agent *a, struct sg_policy *p);
void links_reconcile(struct agent *a);
int dp_detach_all(struct agent *a);
int host_reconcile(struct agent *a);

/* attached.c */
bool attached_in_kernel(int ifindex, enum attach_kind kind);
bool egress_attached_in_kernel(int ifindex);
bool any_attached_in_kernel(int ifindex);

/* sync.c */
int sync_from_module(struct agent *a);
int declare_load(struct agent *a);
int declare_reconcile(struct agent *a);

/* genl.c */
int genl_open(struct agent *a);
int genl_connect_family(struct agent *a);
void genl_disconnect_family(struct agent *a);
bool genl_family_present(struct agent *a);
void genl_drain_ctrl(struct agent *a);
void genl_drain_config(struct agent *a);

/* rtnl.c */
#define RTNL_LINKS	1U	/* interfaces may have come or gone */
#define RTNL_HOST	2U	/* the host's own addresses may have changed */
int rtnl_open(void);
unsigned int rtnl_drain(int fd);

/* plan.c: commands turning one policy into another */
struct plan {
	struct sg_command *cmds;
	unsigned int n, cap;
};
int plan_build(const struct sg_policy *cur, const struct sg_policy *want,
	       struct plan *plan);
void plan_free(struct plan *plan);
bool slice_equal(const struct sg_slice *a, const struct sg_slice *b);
bool app_equal(const struct sg_app *a, const struct sg_app *b);

#endif /* SLICEGUARDD_AGENT_H */
