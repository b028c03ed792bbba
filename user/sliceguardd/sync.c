// SPDX-License-Identifier: GPL-2.0
/*
 * Following the module: dump its committed policy and apply it to the data
 * path; and, in declarative mode, make the module's policy equal to a file
 * in one transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "agent.h"
#include "dp.h"
#include "log.h"
#include "policy_nl.h"

static bool policy_empty(const struct sg_policy *p)
{
	return !p->n_slices && !p->n_apps && !p->n_rules && !p->n_uplinks;
}

/*
 * Return 0 when the module's policy is applied (or deliberately not, see
 * below), -ENODEV when the module went away, another -errno to retry soon.
 */
int sync_from_module(struct agent *a)
{
	struct sg_policy p;
	int err;

	sg_policy_init(&p);
	err = sg_nl_dump_policy(&a->nl, &p);
	if (err) {
		sg_policy_free(&p);
		if (!genl_family_present(a))
			return -ENODEV;
		log_warn("cannot read the module's policy: %s%s%s", strerror(-err),
			 a->nl.extack[0] ? ": " : "", a->nl.extack);
		return err;
	}
	a->synced = true;
	a->synced_gen = p.generation;

	/*
	 * A module instance that was never configured (generation 0, e.g.
	 * just reloaded) has no opinion yet: keep enforcing what the data
	 * path holds instead of replacing it with "drop everything". Any
	 * commit, a flush included, moves the generation and is applied.
	 */
	if (p.generation == 0 && policy_empty(&p) && sg_dp_generation(a->dp)) {
		log_notice("the module holds no policy yet (generation 0); keeping the enforced policy until it has one");
		sg_policy_free(&p);
		return 0;
	}
	/* Already enforced (a commit-ntf for a generation the dump had). */
	if (a->applied_from_module && !a->adopted &&
	    p.generation == a->applied.generation) {
		sg_policy_free(&p);
		return 0;
	}
	err = dp_apply(a, &p);
	sg_policy_free(&p);
	if (err == -EINVAL || err == -E2BIG) {
		/* Retrying cannot help; the next generation may. */
		return 0;
	}
	if (!err)
		a->applied_from_module = true;
	return err;
}

/* --policy: parse the file into a->want; keep the previous one on errors. */
int declare_load(struct agent *a)
{
	struct sg_policy want;
	char err_text[512];
	int err;

	sg_policy_init(&want);
	err = sg_policy_parse_file(a->policy_file, &want, err_text,
				   sizeof(err_text));
	if (err) {
		log_err("%s: %s", a->policy_file, err_text);
		sg_policy_free(&want);
		return err;
	}
	sg_policy_free(&a->want);
	a->want = want;
	log_info("%s: %u slices, %u apps, %u rules, %u uplinks", a->policy_file,
		 want.n_slices, want.n_apps, want.n_rules, want.n_uplinks);
	return 0;
}

static const char *const verb_name[] = {
	[SG_VERB_ADD] = "new", [SG_VERB_SET] = "set", [SG_VERB_DEL] = "del",
};

static uint8_t command_cmd(const struct sg_command *c)
{
	static const uint8_t cmds[][3] = {
		[SG_OBJECT_SLICE] = { SLICEGUARD_CMD_SLICE_NEW, SLICEGUARD_CMD_SLICE_SET,
				      SLICEGUARD_CMD_SLICE_DEL },
		[SG_OBJECT_APP] = { SLICEGUARD_CMD_APP_NEW, SLICEGUARD_CMD_APP_SET,
				    SLICEGUARD_CMD_APP_DEL },
		[SG_OBJECT_RULE] = { SLICEGUARD_CMD_RULE_NEW, SLICEGUARD_CMD_RULE_SET,
				     SLICEGUARD_CMD_RULE_DEL },
		[SG_OBJECT_UPLINK] = { SLICEGUARD_CMD_UPLINK_NEW, SLICEGUARD_CMD_UPLINK_SET,
				       SLICEGUARD_CMD_UPLINK_DEL },
	};

	return cmds[c->object][c->verb];
}

static void describe(const struct sg_command *c, char *buf, size_t len)
{
	switch (c->object) {
	case SG_OBJECT_SLICE:
		snprintf(buf, len, "slice %u %s", c->slice.id, c->slice.name);
		break;
	case SG_OBJECT_APP:
		snprintf(buf, len, "app %u %s", c->app.id, c->app.name);
		break;
	case SG_OBJECT_RULE:
		snprintf(buf, len, "rule %u", c->rule.id);
		break;
	case SG_OBJECT_UPLINK:
		snprintf(buf, len, "uplink %s", c->uplink.ifname);
		break;
	}
}

static int send_command(struct sg_nl *nl, const struct sg_command *c)
{
	struct nl_msg *msg;
	int err = 0;

	/*
	 * The plan adds only what the transaction's own dump did not hold,
	 * so *-new cannot replace anything (genetlink refuses NLM_F_EXCL on
	 * do requests anyway).
	 */
	msg = sg_nl_msg(nl, command_cmd(c), 0);
	if (!msg)
		return -ENOMEM;
	if (c->verb == SG_VERB_DEL) {
		switch (c->object) {
		case SG_OBJECT_SLICE:
			err = sg_nl_put_key(msg, c->slice.id, NULL);
			break;
		case SG_OBJECT_APP:
			err = sg_nl_put_key(msg, c->app.id, NULL);
			break;
		case SG_OBJECT_RULE:
			err = sg_nl_put_key(msg, c->rule.id, NULL);
			break;
		case SG_OBJECT_UPLINK:
			/* uplink-del's request holds the key only. */
			err = nla_put_string(msg, SLICEGUARD_A_UPLINK_IFNAME,
					     c->uplink.ifname) ? -EMSGSIZE : 0;
			break;
		}
	} else {
		switch (c->object) {
		case SG_OBJECT_SLICE:
			err = sg_nl_put_slice(msg, &c->slice);
			break;
		case SG_OBJECT_APP:
			err = sg_nl_put_app(msg, &c->app);
			break;
		case SG_OBJECT_RULE:
			err = sg_nl_put_rule(msg, &c->rule);
			break;
		case SG_OBJECT_UPLINK:
			err = sg_nl_put_uplink(msg, &c->uplink);
			break;
		}
	}
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return sg_nl_request(nl, msg, NULL, NULL);
}

/*
 * Make the module's policy equal to the file's, as one transaction: begin,
 * read the (now stable) committed policy, send the difference, commit.
 * Return 0 when done (or the file's policy is refused: logged, the file
 * must change), -EAGAIN to retry (another transaction open, module busy).
 */
int declare_reconcile(struct agent *a)
{
	struct sg_policy cur;
	struct plan plan;
	uint64_t gen;
	unsigned int i;
	int err;

	err = sg_nl_tx(&a->nl, SLICEGUARD_CMD_TX_BEGIN, &gen);
	if (err == -EBUSY) {
		log_info("%s: another transaction is open (%s); retrying",
			 a->policy_file, a->nl.extack);
		return -EAGAIN;
	}
	if (err) {
		log_err("%s: tx-begin: %s", a->policy_file,
			a->nl.extack[0] ? a->nl.extack : strerror(-err));
		return -EAGAIN;
	}
	sg_policy_init(&cur);
	err = sg_nl_dump_policy(&a->nl, &cur);
	if (err) {
		log_err("%s: cannot read the policy: %s", a->policy_file,
			strerror(-err));
		goto abort;
	}
	err = plan_build(&cur, &a->want, &plan);
	if (err)
		goto abort;
	if (!plan.n) {
		log_info("%s: the module's policy (generation %llu) already matches",
			 a->policy_file, (unsigned long long)cur.generation);
		sg_nl_tx(&a->nl, SLICEGUARD_CMD_TX_ABORT, &gen);
		sg_policy_free(&cur);
		return 0;
	}
	for (i = 0; i < plan.n; i++) {
		char what[64];

		describe(&plan.cmds[i], what, sizeof(what));
		log_debug("%s: %s %s", a->policy_file,
			  verb_name[plan.cmds[i].verb], what);
		err = send_command(&a->nl, &plan.cmds[i]);
		if (err) {
			log_err("%s: %s %s: %s", a->policy_file,
				verb_name[plan.cmds[i].verb], what,
				a->nl.extack[0] ? a->nl.extack : strerror(-err));
			plan_free(&plan);
			goto refused;
		}
	}
	err = sg_nl_tx(&a->nl, SLICEGUARD_CMD_TX_COMMIT, &gen);
	if (err) {
		/* A failed commit has aborted the transaction already. */
		log_err("%s: commit refused: %s", a->policy_file,
			a->nl.extack[0] ? a->nl.extack : strerror(-err));
		plan_free(&plan);
		sg_policy_free(&cur);
		return 0;
	}
	log_notice("%s: committed generation %llu (%u changes)", a->policy_file,
		   (unsigned long long)gen, plan.n);
	plan_free(&plan);
	sg_policy_free(&cur);
	return 0;

refused:
	sg_nl_tx(&a->nl, SLICEGUARD_CMD_TX_ABORT, &gen);
	sg_policy_free(&cur);
	return 0;
abort:
	sg_nl_tx(&a->nl, SLICEGUARD_CMD_TX_ABORT, &gen);
	sg_policy_free(&cur);
	return -EAGAIN;
}
