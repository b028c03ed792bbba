// SPDX-License-Identifier: GPL-2.0
/*
 * Declarative mode, pure part: the list of commands that turns the policy
 * the module holds into the policy a file describes. No netlink here, so
 * the diff can be reasoned about (and tested) on its own.
 *
 * Slices and apps are matched by id, uplinks by interface name, rules by
 * what they allow (source, destination, protocol, ports): a file does not
 * know the ids the kernel gave its rules, and a rule that allows the same
 * flow is the same rule. Classifier lists compare as sets, so a different
 * order in the file is not a change.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

static bool prefix_equal(const struct sg_prefix *a, const struct sg_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr, b->addr, a->family == AF_INET6 ? 16 : 4);
}

/* Every element of a[] has an equal one in b[], and both have n elements. */
#define SAME_SET(na, a, nb, b, eq) ({					\
	bool __same = (na) == (nb);					\
	for (unsigned int __i = 0; __same && __i < (na); __i++) {	\
		bool __found = false;					\
		for (unsigned int __j = 0; !__found && __j < (nb); __j++) \
			__found = eq(&(a)[__i], &(b)[__j]);		\
		__same = __found;					\
	}								\
	__same;								\
})

#define SCALAR_EQ(x, y) (*(x) == *(y))

static bool range_eq(const struct sg_range *a, const struct sg_range *b)
{
	return a->first == b->first && a->last == b->last;
}

static bool endpoint_eq(const struct sg_endpoint *a, const struct sg_endpoint *b)
{
	return prefix_equal(&a->prefix, &b->prefix) && a->proto == b->proto &&
	       a->port_first == b->port_first && a->port_last == b->port_last;
}

bool slice_equal(const struct sg_slice *a, const struct sg_slice *b)
{
	return a->id == b->id && !strcmp(a->name, b->name) &&
	       a->sst == b->sst && a->has_sd == b->has_sd &&
	       (!a->has_sd || a->sd == b->sd) &&
	       SAME_SET(a->n_ue_prefixes, a->ue_prefixes, b->n_ue_prefixes,
			b->ue_prefixes, prefix_equal) &&
	       SAME_SET(a->n_vlans, a->vlans, b->n_vlans, b->vlans, SCALAR_EQ) &&
	       SAME_SET(a->n_teid_ranges, a->teid_ranges, b->n_teid_ranges,
			b->teid_ranges, range_eq) &&
	       SAME_SET(a->n_dscps, a->dscps, b->n_dscps, b->dscps, SCALAR_EQ) &&
	       a->rate_bytes == b->rate_bytes &&
	       a->burst_bytes == b->burst_bytes &&
	       a->rate_packets == b->rate_packets &&
	       a->ue_rate_bytes == b->ue_rate_bytes && a->mark == b->mark &&
	       a->ue_to_ue == b->ue_to_ue;
}

bool app_equal(const struct sg_app *a, const struct sg_app *b)
{
	return a->id == b->id && !strcmp(a->name, b->name) &&
	       SAME_SET(a->n_slices, a->slices, b->n_slices, b->slices, SCALAR_EQ) &&
	       SAME_SET(a->n_endpoints, a->endpoints, b->n_endpoints,
			b->endpoints, endpoint_eq) &&
	       !strcmp(a->ifname, b->ifname) &&
	       a->rate_bytes == b->rate_bytes &&
	       a->burst_bytes == b->burst_bytes &&
	       a->rate_packets == b->rate_packets;
}

/* Same allowed flow; rates may differ. */
static bool rule_same_flow(const struct sg_rule *a, const struct sg_rule *b)
{
	return a->src_kind == b->src_kind && a->src_id == b->src_id &&
	       a->dst_kind == b->dst_kind && a->dst_id == b->dst_id &&
	       a->proto == b->proto && a->port_first == b->port_first &&
	       a->port_last == b->port_last;
}

static bool rule_same_rates(const struct sg_rule *a, const struct sg_rule *b)
{
	return a->rate_bytes == b->rate_bytes &&
	       a->burst_bytes == b->burst_bytes &&
	       a->rate_packets == b->rate_packets;
}

static bool uplink_equal(const struct sg_uplink *a, const struct sg_uplink *b)
{
	return !strcmp(a->ifname, b->ifname) && a->mode == b->mode &&
	       a->unsliced == b->unsliced;
}

static struct sg_command *plan_add(struct plan *plan, enum sg_object object,
				   enum sg_verb verb)
{
	struct sg_command *cmd;

	if (plan->n == plan->cap) {
		unsigned int cap = plan->cap ? plan->cap * 2 : 16;

		cmd = realloc(plan->cmds, cap * sizeof(*cmd));
		if (!cmd)
			return NULL;
		plan->cmds = cmd;
		plan->cap = cap;
	}
	cmd = &plan->cmds[plan->n++];
	memset(cmd, 0, sizeof(*cmd));
	cmd->object = object;
	cmd->verb = verb;
	return cmd;
}

void plan_free(struct plan *plan)
{
	free(plan->cmds);
	memset(plan, 0, sizeof(*plan));
}

#define ADD_OR_FAIL(plan, obj, verb) ({					\
	struct sg_command *__c = plan_add(plan, obj, verb);		\
	if (!__c)							\
		goto nomem;						\
	__c;								\
})

/*
 * Deletions come first, users before what they use (rules, apps, slices),
 * so that names and classifiers a removed object held are free for the
 * objects set or added after it; integrity as a whole is the kernel's check
 * at commit.
 */
int plan_build(const struct sg_policy *cur, const struct sg_policy *want,
	       struct plan *plan)
{
	const struct sg_policy *c = cur, *w = want;
	struct sg_command *cmd;
	unsigned int i, j;
	bool *rule_kept;

	memset(plan, 0, sizeof(*plan));
	rule_kept = calloc(c->n_rules + 1, sizeof(*rule_kept));
	if (!rule_kept)
		return -ENOMEM;

	/* Rules of the file already in the kernel, by flow. */
	for (j = 0; j < w->n_rules; j++)
		for (i = 0; i < c->n_rules; i++)
			if (!rule_kept[i] && rule_same_flow(&c->rules[i], &w->rules[j])) {
				rule_kept[i] = true;
				break;
			}
	for (i = 0; i < c->n_rules; i++) {
		if (rule_kept[i])
			continue;
		cmd = ADD_OR_FAIL(plan, SG_OBJECT_RULE, SG_VERB_DEL);
		cmd->rule.id = c->rules[i].id;
	}
	for (i = 0; i < c->n_apps; i++) {
		if (sg_policy_app_by_id(w, c->apps[i].id))
			continue;
		cmd = ADD_OR_FAIL(plan, SG_OBJECT_APP, SG_VERB_DEL);
		cmd->app.id = c->apps[i].id;
	}
	for (i = 0; i < c->n_slices; i++) {
		if (sg_policy_slice_by_id(w, c->slices[i].id))
			continue;
		cmd = ADD_OR_FAIL(plan, SG_OBJECT_SLICE, SG_VERB_DEL);
		cmd->slice.id = c->slices[i].id;
	}
	for (i = 0; i < c->n_uplinks; i++) {
		for (j = 0; j < w->n_uplinks; j++)
			if (!strcmp(c->uplinks[i].ifname, w->uplinks[j].ifname))
				break;
		if (j < w->n_uplinks)
			continue;
		cmd = ADD_OR_FAIL(plan, SG_OBJECT_UPLINK, SG_VERB_DEL);
		strcpy(cmd->uplink.ifname, c->uplinks[i].ifname);
	}

	for (j = 0; j < w->n_slices; j++) {
		const struct sg_slice *old = sg_policy_slice_by_id(c, w->slices[j].id);

		if (old && slice_equal(old, &w->slices[j]))
			continue;
		cmd = ADD_OR_FAIL(plan, SG_OBJECT_SLICE, old ? SG_VERB_SET : SG_VERB_ADD);
		cmd->slice = w->slices[j];
	}
	for (j = 0; j < w->n_apps; j++) {
		const struct sg_app *old = sg_policy_app_by_id(c, w->apps[j].id);

		if (old && app_equal(old, &w->apps[j]))
			continue;
		cmd = ADD_OR_FAIL(plan, SG_OBJECT_APP, old ? SG_VERB_SET : SG_VERB_ADD);
		cmd->app = w->apps[j];
	}
	for (j = 0; j < w->n_rules; j++) {
		const struct sg_rule *old = NULL;

		for (i = 0; i < c->n_rules && !old; i++)
			if (rule_same_flow(&c->rules[i], &w->rules[j]))
				old = &c->rules[i];
		if (old && rule_same_rates(old, &w->rules[j]))
			continue;
		cmd = ADD_OR_FAIL(plan, SG_OBJECT_RULE, old ? SG_VERB_SET : SG_VERB_ADD);
		cmd->rule = w->rules[j];
		/* Keep the kernel's id; a new rule gets one from the kernel. */
		cmd->rule.id = old ? old->id : 0;
	}
	for (j = 0; j < w->n_uplinks; j++) {
		const struct sg_uplink *old = NULL;

		for (i = 0; i < c->n_uplinks && !old; i++)
			if (!strcmp(c->uplinks[i].ifname, w->uplinks[j].ifname))
				old = &c->uplinks[i];
		if (old && uplink_equal(old, &w->uplinks[j]))
			continue;
		cmd = ADD_OR_FAIL(plan, SG_OBJECT_UPLINK, old ? SG_VERB_SET : SG_VERB_ADD);
		cmd->uplink = w->uplinks[j];
	}
	free(rule_kept);
	return 0;
nomem:
	free(rule_kept);
	plan_free(plan);
	return -ENOMEM;
}
