// SPDX-License-Identifier: GPL-2.0
/*
 * sliceguard: per-network-namespace policy store for slice and MEC-app
 * isolation on 5G edge hosts, served over the "sliceguard" generic netlink
 * family. Documentation/policy-store.rst describes the behaviour; the wire
 * format is Documentation/netlink/specs/sliceguard.yaml.
 *
 * All state of a namespace is behind one mutex: the control plane is not a
 * fast path (the data path runs in BPF), and one lock makes every change,
 * its notifications and its audit line a single atomic step.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "sliceguard-nl-gen.h"
#include "store.h"

static unsigned int max_slices = 64;
module_param(max_slices, uint, 0644);
MODULE_PARM_DESC(max_slices, "Most slices per network namespace");

static unsigned int max_apps = 256;
module_param(max_apps, uint, 0644);
MODULE_PARM_DESC(max_apps, "Most apps per network namespace");

static unsigned int max_rules = 1024;
module_param(max_rules, uint, 0644);
MODULE_PARM_DESC(max_rules, "Most rules per network namespace");

static unsigned int tx_idle_ms = 60000;
module_param(tx_idle_ms, uint, 0644);
MODULE_PARM_DESC(tx_idle_ms,
		 "A transaction idle this long is aborted when another writer needs the store");

static unsigned int max_uplinks = 16;
module_param(max_uplinks, uint, 0644);
MODULE_PARM_DESC(max_uplinks, "Most uplinks per network namespace");

atomic_long_t slg_live_objects = ATOMIC_LONG_INIT(0);

/*
 * A debugging aid, not a setting: allocated objects of every netns, read
 * by the leak tests. It lives in debugfs (sliceguard/live_objects).
 */
static struct dentry *slg_debugfs;

static int slg_live_objects_get(void *data, u64 *val)
{
	*val = atomic_long_read(&slg_live_objects);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(slg_live_objects_fops, slg_live_objects_get, NULL,
			 "%llu\n");

/* sliceguard/fail_nth: the allocation failure injection (slg_fail_alloc()). */
static int slg_fail_nth_get(void *data, u64 *val)
{
	*val = atomic_read(&slg_fail_nth);
	return 0;
}

static int slg_fail_nth_set(void *data, u64 val)
{
	if (val > INT_MAX)
		return -ERANGE;
	atomic_set(&slg_fail_nth, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(slg_fail_nth_fops, slg_fail_nth_get, slg_fail_nth_set,
			 "%llu\n");

/**
 * struct slg_tx - a namespace's open transaction
 * @owner: the socket that opened it, held; only it may write or commit.
 *	Not its port id: that is free again before the socket's release
 *	notifier runs, and a new socket bound to it must own nothing.
 * @portid: the owner's port id, to name it in messages
 * @last_used: jiffies of the owner's last op on it
 * @staged: the policy being edited, sharing untouched objects with the
 *	committed one
 * @touched: keys written in the transaction (struct slg_touched), in the
 *	order first written: the commit announces their net changes in it.
 *	Keys the transaction created and deleted again are dropped, so this
 *	holds at most the committed plus the staged objects' keys.
 * @staged_seq: dump sequence of the staged view (see struct slg_net)
 */
struct slg_tx {
	struct sock *owner;
	u32 portid;
	unsigned long last_used;
	struct slg_policy *staged;
	struct list_head touched;
	unsigned int staged_seq;
};

struct slg_touched {
	struct list_head node;
	enum slg_kind kind;
	struct slg_ident ident;
};

/**
 * struct slg_net - policy store of one network namespace
 * @lock: serialises everything below
 * @policy: the committed policy
 * @generation: generation of @policy; never goes back
 * @seq_source: last dump sequence handed out, to either view
 * @committed_seq: dump sequence of the committed view: a new value from
 *	@seq_source at every change of it. The staged view has its own
 *	(struct slg_tx), so a busy transaction never interrupts the dumps of
 *	other readers; as every value is new, a dump whose reader switches
 *	views (its tx-begin, commit or abort) is interrupted too.
 * @tx: the open transaction, or NULL
 */
struct slg_net {
	struct mutex lock;	/* protects all of the below */
	struct slg_policy *policy;
	u64 generation;
	unsigned int seq_source;
	unsigned int committed_seq;
	struct slg_tx *tx;
};

/* @staged or the committed view changed: dumps of it must restart. */
static void slg_view_changed(struct slg_net *sgn, bool staged)
{
	if (staged)
		sgn->tx->staged_seq = ++sgn->seq_source;
	else
		sgn->committed_seq = ++sgn->seq_source;
}

static unsigned int slg_net_id __read_mostly;

static const struct genl_multicast_group slg_mcgrps[] = {
	/*
	 * Notifications disclose the policy, so joining needs CAP_NET_ADMIN
	 * like every op does. 6.12's ynl-gen-c cannot express group flags,
	 * which is why the family uses this array, not the generated one.
	 */
	[SLICEGUARD_NLGRP_CONFIG] = {
		.name	= SLICEGUARD_MCGRP_CONFIG,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family sliceguard_nl_family __ro_after_init = {
	.name		= SLICEGUARD_FAMILY_NAME,
	.version	= SLICEGUARD_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= sliceguard_nl_ops,
	.n_split_ops	= ARRAY_SIZE(sliceguard_nl_ops),
	.mcgrps		= slg_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(slg_mcgrps),
};

static const char * const slg_cmd_names[] = {
	[SLICEGUARD_CMD_SLICE_NEW]	= "slice-new",
	[SLICEGUARD_CMD_SLICE_SET]	= "slice-set",
	[SLICEGUARD_CMD_SLICE_DEL]	= "slice-del",
	[SLICEGUARD_CMD_APP_NEW]	= "app-new",
	[SLICEGUARD_CMD_APP_SET]	= "app-set",
	[SLICEGUARD_CMD_APP_DEL]	= "app-del",
	[SLICEGUARD_CMD_RULE_NEW]	= "rule-new",
	[SLICEGUARD_CMD_RULE_SET]	= "rule-set",
	[SLICEGUARD_CMD_RULE_DEL]	= "rule-del",
	[SLICEGUARD_CMD_UPLINK_NEW]	= "uplink-new",
	[SLICEGUARD_CMD_UPLINK_SET]	= "uplink-set",
	[SLICEGUARD_CMD_UPLINK_DEL]	= "uplink-del",
	[SLICEGUARD_CMD_POLICY_FLUSH]	= "policy-flush",
	[SLICEGUARD_CMD_TX_COMMIT]	= "tx-commit",
};

static const u8 slg_get_cmds[SLG_N_KINDS] = {
	[SLG_SLICE]	= SLICEGUARD_CMD_SLICE_GET,
	[SLG_APP]	= SLICEGUARD_CMD_APP_GET,
	[SLG_RULE]	= SLICEGUARD_CMD_RULE_GET,
	[SLG_UPLINK]	= SLICEGUARD_CMD_UPLINK_GET,
};

static const u8 slg_ntf_cmds[SLG_N_KINDS] = {
	[SLG_SLICE]	= SLICEGUARD_CMD_SLICE_NTF,
	[SLG_APP]	= SLICEGUARD_CMD_APP_NTF,
	[SLG_RULE]	= SLICEGUARD_CMD_RULE_NTF,
	[SLG_UPLINK]	= SLICEGUARD_CMD_UPLINK_NTF,
};

/* Deleting users before what they use, creating in the reverse order. */
static const enum slg_kind slg_del_order[SLG_N_KINDS] = {
	SLG_RULE, SLG_APP, SLG_SLICE, SLG_UPLINK,
};

static unsigned int slg_limit(enum slg_kind kind)
{
	switch (kind) {
	case SLG_SLICE:
		return READ_ONCE(max_slices);
	case SLG_APP:
		return READ_ONCE(max_apps);
	case SLG_RULE:
		return READ_ONCE(max_rules);
	default:
		return READ_ONCE(max_uplinks);
	}
}

static struct slg_net *slg_net(struct net *net)
{
	return net_generic(net, slg_net_id);
}

/* The socket a request or dump came from. */
static const struct sock *slg_sender(const struct sk_buff *skb)
{
	return NETLINK_CB(skb).sk;
}

static bool slg_in_tx(const struct slg_net *sgn, const struct sock *sk)
{
	return sgn->tx && sgn->tx->owner == sk;
}

/* The policy a socket sees: its staged one inside its transaction. */
static struct slg_policy *slg_view(struct slg_net *sgn, const struct sock *sk)
{
	return slg_in_tx(sgn, sk) ? sgn->tx->staged : sgn->policy;
}

/* Generation a write belongs to, committed now or at tx-commit. */
static u64 slg_next_generation(const struct slg_net *sgn)
{
	return sgn->generation + 1;
}

static void slg_tx_free(struct slg_net *sgn)
{
	struct slg_touched *t, *tmp;

	list_for_each_entry_safe(t, tmp, &sgn->tx->touched, node)
		kfree(t);
	slg_policy_free(sgn->tx->staged, sgn->policy);
	sock_put(sgn->tx->owner);
	kfree(sgn->tx);
	WRITE_ONCE(sgn->tx, NULL);
	atomic_long_dec(&slg_live_objects);
}

/*
 * Whether another socket's transaction blocks @sk: one idle for longer
 * than tx_idle_ms is aborted instead, so a stopped owner cannot block
 * every writer forever.
 */
static bool slg_tx_blocks(struct slg_net *sgn, struct genl_info *info,
			  const struct sock *sk)
{
	if (!sgn->tx || sgn->tx->owner == sk)
		return false;
	if (time_before(jiffies, sgn->tx->last_used +
				 msecs_to_jiffies(READ_ONCE(tx_idle_ms))))
		return true;
	pr_notice_ratelimited("netns %u: transaction of port %u idle for %u ms, aborted\n",
			      genl_info_net(info)->ns.inum, sgn->tx->portid,
			      jiffies_to_msecs(jiffies - sgn->tx->last_used));
	slg_tx_free(sgn);
	return false;
}

static int slg_may_write(struct slg_net *sgn, struct genl_info *info,
			 const struct sock *sk)
{
	if (slg_tx_blocks(sgn, info, sk)) {
		GENL_SET_ERR_MSG_FMT(info, "transaction open by port %u",
				     sgn->tx->portid);
		return -EBUSY;
	}
	if (sgn->tx)
		sgn->tx->last_used = jiffies;
	return 0;
}

static struct slg_touched *slg_tx_touched(struct slg_tx *tx,
					  const struct slg_obj *obj)
{
	struct slg_touched *t;

	/* The key: slices, apps and rules may be renamed, uplinks not. */
	list_for_each_entry(t, &tx->touched, node)
		if (t->kind == obj->kind &&
		    (obj->kind == SLG_UPLINK ?
		     !strcmp(t->ident.name, obj->ident.name) :
		     t->ident.id == obj->ident.id))
			return t;
	return NULL;
}

/*
 * Remember that the transaction wrote @obj's key. @t is preallocated, so
 * that a write never fails after it changed the staged policy; it is
 * consumed or freed.
 */
static void slg_tx_touch(struct slg_tx *tx, struct slg_touched *t,
			 const struct slg_obj *obj)
{
	if (slg_tx_touched(tx, obj)) {
		kfree(t);
		return;
	}
	t->kind = obj->kind;
	t->ident = obj->ident;
	list_add_tail(&t->node, &tx->touched);
}

/* The transaction deletes @obj: forget its key if it created it. */
static void slg_tx_touch_del(struct slg_net *sgn, struct slg_touched *t,
			     const struct slg_obj *obj)
{
	if (slg_policy_find(sgn->policy, obj->kind, &obj->ident)) {
		slg_tx_touch(sgn->tx, t, obj);
		return;
	}
	kfree(t);
	t = slg_tx_touched(sgn->tx, obj);
	if (t) {
		list_del(&t->node);
		kfree(t);
	}
}

/* A flush in a transaction deletes every staged key; all or nothing. */
static int slg_tx_touch_all(struct slg_net *sgn)
{
	struct slg_tx *tx = sgn->tx;
	struct slg_touched *t, *tmp;
	unsigned int i, n = 0;
	struct slg_obj *obj;
	LIST_HEAD(spare);

	for (i = 0; i < SLG_N_KINDS; i++)
		n += tx->staged->n[i];
	for (i = 0; i < n; i++) {
		t = slg_fail_alloc() ? NULL : kmalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
		if (!t)
			goto err_free;
		list_add(&t->node, &spare);
	}
	for (i = 0; i < SLG_N_KINDS; i++) {
		slg_policy_for_each(tx->staged, slg_del_order[i], obj) {
			t = list_first_entry(&spare, struct slg_touched, node);
			list_del(&t->node);
			slg_tx_touch_del(sgn, t, obj);
		}
	}
	return 0;

err_free:
	list_for_each_entry_safe(t, tmp, &spare, node)
		kfree(t);
	return -ENOMEM;
}

/* Announcing committed changes */

/**
 * struct slg_commit - who committed a generation, for notifications and audit
 * @net: namespace
 * @portid: committing port
 * @op: the command that committed it (a write, tx-commit, policy-flush)
 * @generation: the new generation
 * @changes: object changes announced so far
 * @info: the committing request; with NLM_F_ECHO its sender gets every
 *	notification of the generation too, as with rtnetlink's echo
 */
struct slg_commit {
	struct net *net;
	struct genl_info *info;
	u32 portid;
	u8 op;
	u64 generation;
	u32 changes;
};

static void slg_commit_init(struct slg_commit *c, struct slg_net *sgn,
			    struct genl_info *info)
{
	c->net = genl_info_net(info);
	c->info = info;
	c->portid = info->snd_portid;
	c->op = info->genlhdr->cmd;
	c->generation = sgn->generation;
	c->changes = 0;
}

static bool slg_want_ntf(const struct slg_commit *c)
{
	return nlmsg_report(c->info->nlhdr) ||
	       genl_has_listeners(&sliceguard_nl_family, c->net,
				  SLICEGUARD_NLGRP_CONFIG);
}

/*
 * To the config group, and to the sender when it asked for an echo.
 * Listeners that miss a notification must learn they have to resync (an
 * echo's sender still has the op's reply, which carries the object).
 */
static void slg_multicast(const struct slg_commit *c, struct sk_buff *skb,
			  void *hdr, int err)
{
	if (err) {
		nlmsg_free(skb);
		genl_set_err(&sliceguard_nl_family, c->net, 0,
			     SLICEGUARD_NLGRP_CONFIG, -ENOBUFS);
		return;
	}
	genlmsg_end(skb, hdr);
	genl_notify(&sliceguard_nl_family, skb, c->info,
		    SLICEGUARD_NLGRP_CONFIG, GFP_KERNEL);
}

static void slg_notify(const struct slg_commit *c, const struct slg_obj *obj,
		       int change)
{
	struct sk_buff *skb;
	void *hdr;

	if (!slg_want_ntf(c))
		return;
	skb = slg_fail_alloc() ? NULL :
	      genlmsg_new(slg_obj_msg_size(obj->kind), GFP_KERNEL);
	hdr = skb ? genlmsg_put(skb, 0, 0, &sliceguard_nl_family, 0,
				slg_ntf_cmds[obj->kind]) : NULL;
	if (!hdr) {
		slg_multicast(c, skb, NULL, -ENOMEM);
		return;
	}
	slg_multicast(c, skb, hdr,
		      slg_obj_fill(skb, obj, c->generation, change));
}

/* One committed object change: its notification. */
static void slg_announce(struct slg_commit *c, const struct slg_obj *obj,
			 int change)
{
	slg_notify(c, obj, change);
	c->changes++;
}

/*
 * One audit record per committed generation, as nf_tables' audit_log_nfcfg()
 * writes one per table change (table, entries, op), with the identity of the
 * task that sent the request (it runs the op): audit_log_task_info()'s
 * auid, uid, pid, comm and exe, which the sender cannot choose as it can
 * SCM_CREDENTIALS. Where no audit daemon listens, a rate-limited kernel log
 * line says what changed, and cannot flood the log.
 */
static void slg_audit(const struct slg_commit *c)
{
	struct audit_buffer *ab;

	if (!c->info)
		return;	/* nothing was committed */
	pr_notice_ratelimited("commit netns=%u gen=%llu changes=%u op=%s pid=%d uid=%u\n",
			      c->net->ns.inum, c->generation, c->changes,
			      slg_cmd_names[c->op], task_tgid_nr(current),
			      from_kuid_munged(&init_user_ns, current_uid()));
	if (audit_enabled == AUDIT_OFF)
		return;
	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_NETFILTER_CFG);
	if (!ab)
		return;
	audit_log_format(ab, "table=sliceguard family=%u entries=%u op=%s generation=%llu netns=%u",
			 NFPROTO_UNSPEC, c->changes, slg_cmd_names[c->op],
			 c->generation, c->net->ns.inum);
	audit_log_task_info(ab);
	audit_log_end(ab);
}

/*
 * Closes a generation for listeners, after its object notifications. Under
 * the namespace lock, so that generations are announced in order; the
 * audit comes after the lock is dropped (slg_audit_commit()).
 */
static void slg_announce_commit(const struct slg_commit *c)
{
	struct sk_buff *skb;
	void *hdr;

	if (!slg_want_ntf(c))
		return;
	skb = slg_fail_alloc() ? NULL :
	      genlmsg_new(nla_total_size(sizeof(u64)) + 2 * nla_total_size(sizeof(u32)),
			  GFP_KERNEL);
	hdr = skb ? genlmsg_put(skb, 0, 0, &sliceguard_nl_family, 0,
				SLICEGUARD_CMD_COMMIT_NTF) : NULL;
	if (!hdr) {
		slg_multicast(c, skb, NULL, -ENOMEM);
		return;
	}
	slg_multicast(c, skb, hdr,
		      nla_put_uint(skb, SLICEGUARD_A_POLICY_GENERATION,
				   c->generation) ||
		      nla_put_u32(skb, SLICEGUARD_A_POLICY_CHANGES,
				  c->changes) ||
		      nla_put_u32(skb, SLICEGUARD_A_POLICY_PORTID, c->portid) ?
		      -EMSGSIZE : 0);
}

/* A flush: every object of @old deleted, users before what they use. */
static void slg_announce_flush(struct slg_commit *c, struct slg_policy *old)
{
	struct slg_obj *obj;
	int i;

	for (i = 0; i < SLG_N_KINDS; i++)
		slg_policy_for_each(old, slg_del_order[i], obj)
			slg_announce(c, obj, SLICEGUARD_CHANGE_DEL);
}

/*
 * A transaction: the net change of every key it wrote, in the order first
 * written. A key created and deleted again, or rewritten to the very
 * object it had, changed nothing. The audit names each change by the
 * command it amounts to.
 */
static void slg_announce_tx(struct slg_commit *c, struct slg_tx *tx,
			    struct slg_policy *old, struct slg_policy *new)
{
	struct slg_obj *prev, *obj;
	struct slg_touched *t;
	int change;

	list_for_each_entry(t, &tx->touched, node) {
		prev = slg_policy_find(old, t->kind, &t->ident);
		obj = slg_policy_find(new, t->kind, &t->ident);
		if (prev == obj)
			continue;
		if (!obj) {
			obj = prev;
			change = SLICEGUARD_CHANGE_DEL;
		} else {
			change = prev ? SLICEGUARD_CHANGE_SET :
					SLICEGUARD_CHANGE_NEW;
		}
		slg_announce(c, obj, change);
	}
}

/* Replies */

/* A reply of @size bytes of attributes. */
static struct sk_buff *slg_reply_new(struct genl_info *info, size_t size,
				     void **hdr)
{
	struct sk_buff *rsp;

	rsp = slg_fail_alloc() ? NULL : genlmsg_new(size, GFP_KERNEL);
	if (!rsp)
		return NULL;
	*hdr = genlmsg_iput(rsp, info);
	if (!*hdr) {
		nlmsg_free(rsp);
		return NULL;
	}
	return rsp;
}

/*
 * The reply of tx-begin, tx-commit and policy-flush: the generation. It is
 * allocated before the state changes, sized for its one attribute, so that
 * nothing can fail once the change is made and reported as a failure.
 */
static struct sk_buff *slg_generation_reply_new(struct genl_info *info,
						void **hdr)
{
	struct sk_buff *rsp;

	rsp = slg_fail_alloc() ? NULL : genlmsg_new(nla_total_size(sizeof(u64)), GFP_KERNEL);
	if (!rsp)
		return NULL;
	*hdr = genlmsg_iput(rsp, info);
	if (!*hdr) {
		nlmsg_free(rsp);
		return NULL;
	}
	return rsp;
}

static int slg_generation_reply(struct sk_buff *rsp, void *hdr,
				struct genl_info *info, u64 generation)
{
	/* Cannot fail: the reply was sized for this attribute. */
	WARN_ON_ONCE(nla_put_uint(rsp, SLICEGUARD_A_POLICY_GENERATION,
				  generation));
	genlmsg_end(rsp, hdr);
	return genlmsg_reply(rsp, info);
}

/* Object ops */

/* The key attribute of each kind: id, or ifname for uplinks. */
static const u16 slg_key_attrs[SLG_N_KINDS] = {
	[SLG_SLICE]	= SLICEGUARD_A_SLICE_ID,
	[SLG_APP]	= SLICEGUARD_A_APP_ID,
	[SLG_RULE]	= SLICEGUARD_A_RULE_ID,
	[SLG_UPLINK]	= SLICEGUARD_A_UPLINK_IFNAME,
};

/* The other attribute get and del of slices and apps accept. */
static const u16 slg_name_attrs[SLG_N_KINDS] = {
	[SLG_SLICE]	= SLICEGUARD_A_SLICE_NAME,
	[SLG_APP]	= SLICEGUARD_A_APP_NAME,
};

static int slg_not_found(struct genl_info *info, enum slg_kind kind,
			 const struct nlattr *attr)
{
	NL_SET_ERR_MSG_ATTR_FMT(info->extack, attr, "%s not found",
				slg_kind_names[kind]);
	return -ENOENT;
}

/*
 * The object a get or del request names: slices and apps by id or name
 * (both given: they must name the same object), rules by id, uplinks by
 * ifname.
 */
static struct slg_obj *slg_lookup(struct slg_policy *pol, enum slg_kind kind,
				  struct genl_info *info)
{
	const struct nlattr *key = info->attrs[slg_key_attrs[kind]];
	const struct nlattr *name = NULL;
	struct slg_ident ident = {};
	struct slg_obj *obj;

	if (kind == SLG_SLICE || kind == SLG_APP) {
		name = info->attrs[slg_name_attrs[kind]];
		if (!key && !name) {
			GENL_SET_ERR_MSG(info, "id or name required");
			return ERR_PTR(-EINVAL);
		}
	} else if (GENL_REQ_ATTR_CHECK(info, slg_key_attrs[kind])) {
		return ERR_PTR(-EINVAL);
	}

	if (kind == SLG_UPLINK) {
		nla_strscpy(ident.name, key, sizeof(ident.name));
		obj = slg_policy_find(pol, kind, &ident);
	} else if (key) {
		ident.id = nla_get_u32(key);
		obj = slg_policy_find(pol, kind, &ident);
		if (obj && name && nla_strcmp(name, obj->ident.name))
			obj = NULL;
	} else {
		nla_strscpy(ident.name, name, sizeof(ident.name));
		obj = slg_policy_find_name(pol, kind, ident.name);
	}
	if (!obj)
		return ERR_PTR(slg_not_found(info, kind, key ?: name));
	return obj;
}

/* A new on a used key names what holds it: "slice 3 exists (iot)". */
static void slg_exists(struct genl_info *info, enum slg_kind kind,
		       const struct nlattr *key, const struct slg_obj *old)
{
	if (kind == SLG_UPLINK)
		NL_SET_ERR_MSG_ATTR_FMT(info->extack, key, "uplink %s exists",
					old->ident.name);
	else if (kind == SLG_RULE)
		NL_SET_ERR_MSG_ATTR_FMT(info->extack, key, "rule %u exists",
					old->ident.id);
	else
		NL_SET_ERR_MSG_ATTR_FMT(info->extack, key, "%s %u exists (%s)",
					slg_kind_names[kind], old->ident.id,
					old->ident.name);
}

static int slg_get(struct sk_buff *skb, struct genl_info *info,
		   enum slg_kind kind)
{
	struct slg_net *sgn = slg_net(genl_info_net(info));
	struct sk_buff *rsp;
	struct slg_obj *obj;
	void *hdr;
	int err;

	rsp = slg_reply_new(info, slg_obj_msg_size(kind), &hdr);
	if (!rsp)
		return -ENOMEM;

	mutex_lock(&sgn->lock);
	obj = slg_lookup(slg_view(sgn, slg_sender(skb)), kind, info);
	if (IS_ERR(obj)) {
		err = PTR_ERR(obj);
		goto err_unlock;
	}
	err = slg_obj_fill(rsp, obj, obj->generation, -1);
	if (err)
		goto err_unlock;
	mutex_unlock(&sgn->lock);

	genlmsg_end(rsp, hdr);
	return genlmsg_reply(rsp, info);

err_unlock:
	mutex_unlock(&sgn->lock);
	nlmsg_free(rsp);
	return err;
}

/**
 * struct slg_dump_ctx - dump cursor, kept in netlink_callback::ctx
 * @started: @last is valid
 * @last: key of the last object sent
 */
struct slg_dump_ctx {
	bool started;
	struct slg_ident last;
};

static int slg_dump(struct sk_buff *skb, struct netlink_callback *cb,
		    enum slg_kind kind)
{
	struct slg_dump_ctx *ctx = (struct slg_dump_ctx *)cb->ctx;
	struct slg_net *sgn = slg_net(sock_net(skb->sk));
	const struct sock *sk = slg_sender(cb->skb);
	u32 portid = NETLINK_CB(cb->skb).portid;
	struct slg_obj *obj;
	int err = 0;
	void *hdr;

	NL_ASSERT_DUMP_CTX_FITS(struct slg_dump_ctx);

	mutex_lock(&sgn->lock);
	cb->seq = slg_in_tx(sgn, sk) ? sgn->tx->staged_seq : sgn->committed_seq;
	for (obj = slg_policy_next(slg_view(sgn, sk), kind,
				   ctx->started ? &ctx->last : NULL);
	     obj; obj = slg_policy_next(slg_view(sgn, sk), kind,
					&obj->ident)) {
		hdr = genlmsg_put(skb, portid, cb->nlh->nlmsg_seq,
				  &sliceguard_nl_family, NLM_F_MULTI,
				  slg_get_cmds[kind]);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		genl_dump_check_consistent(cb, hdr);
		err = slg_obj_fill(skb, obj, obj->generation, -1);
		if (err) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		ctx->last = obj->ident;
		ctx->started = true;
	}
	mutex_unlock(&sgn->lock);

	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err;
}

/*
 * new (@create) stores an object under a key not yet in use; set replaces
 * the object of an existing key. NLM_F_EXCL cannot say which: genetlink
 * rejects it as ambiguous (it aliases NLM_F_MATCH), so the command does.
 */
static int slg_write(struct sk_buff *skb, struct genl_info *info,
		     enum slg_kind kind, bool create)
{
	const struct nlattr *key = info->attrs[slg_key_attrs[kind]];
	struct slg_net *sgn = slg_net(genl_info_net(info));
	struct slg_req_attrs req = { .info = info };
	struct slg_obj *obj = NULL, *old = NULL;
	struct slg_touched *touched = NULL;
	struct slg_commit commit = {};
	struct slg_policy *pol;
	struct sk_buff *rsp;
	bool in_tx;
	void *hdr;
	int err;

	if (!create && GENL_REQ_ATTR_CHECK(info, slg_key_attrs[kind]))
		return -EINVAL;
	rsp = slg_reply_new(info, slg_obj_msg_size(kind), &hdr);
	if (!rsp)
		return -ENOMEM;

	mutex_lock(&sgn->lock);
	err = slg_may_write(sgn, info, slg_sender(skb));
	if (err)
		goto err_unlock;
	obj = slg_obj_parse(kind, &req);
	if (IS_ERR(obj)) {
		err = PTR_ERR(obj);
		obj = NULL;
		goto err_unlock;
	}
	in_tx = slg_in_tx(sgn, slg_sender(skb));
	pol = slg_view(sgn, slg_sender(skb));

	if (key)
		old = slg_policy_find(pol, kind, &obj->ident);
	if (old && create) {
		slg_exists(info, kind, key, old);
		err = -EEXIST;
		goto err_unlock;
	}
	if (!old && !create) {
		err = slg_not_found(info, kind, key);
		goto err_unlock;
	}
	if (!old && pol->n[kind] >= slg_limit(kind)) {
		GENL_SET_ERR_MSG_FMT(info, "%s limit reached",
				     slg_kind_names[kind]);
		err = -ENOSPC;
		goto err_unlock;
	}
	/* Inside a transaction, cross-object checks wait for the commit. */
	if (in_tx) {
		touched = slg_fail_alloc() ? NULL :
			  kmalloc(sizeof(*touched), GFP_KERNEL_ACCOUNT);
		if (!touched) {
			err = -ENOMEM;
			goto err_unlock;
		}
	} else {
		err = slg_check_obj(pol, NULL, obj, &req, info->extack);
		if (err)
			goto err_unlock;
	}

	obj->generation = slg_next_generation(sgn);
	if (key) {
		old = slg_policy_store(pol, obj);
		err = PTR_ERR_OR_ZERO(old);
	} else {
		err = slg_policy_store_new_rule(pol, obj);
	}
	if (err)
		goto err_unlock;

	/* The reply is filled before the object may be freed by a later op. */
	err = slg_obj_fill(rsp, obj, obj->generation, -1);
	slg_view_changed(sgn, in_tx);
	if (in_tx) {
		slg_tx_touch(sgn->tx, touched, obj);
		if (old && !slg_policy_holds(sgn->policy, old))
			slg_obj_free(old);
	} else {
		sgn->generation++;
		slg_commit_init(&commit, sgn, info);
		slg_announce(&commit, obj,
			     create ? SLICEGUARD_CHANGE_NEW : SLICEGUARD_CHANGE_SET);
		slg_announce_commit(&commit);
		slg_obj_free(old);
	}
	mutex_unlock(&sgn->lock);
	slg_audit(&commit);

	if (err) {
		nlmsg_free(rsp);
		return err;
	}
	genlmsg_end(rsp, hdr);
	return genlmsg_reply(rsp, info);

err_unlock:
	mutex_unlock(&sgn->lock);
	kfree(touched);
	slg_obj_free(obj);
	nlmsg_free(rsp);
	return err;
}

static int slg_del(struct sk_buff *skb, struct genl_info *info,
		   enum slg_kind kind)
{
	struct slg_net *sgn = slg_net(genl_info_net(info));
	struct slg_touched *touched;
	struct slg_commit commit = {};
	struct slg_policy *pol;
	struct slg_obj *obj;
	int err;

	mutex_lock(&sgn->lock);
	err = slg_may_write(sgn, info, slg_sender(skb));
	if (err)
		goto unlock;
	pol = slg_view(sgn, slg_sender(skb));
	obj = slg_lookup(pol, kind, info);
	if (IS_ERR(obj)) {
		err = PTR_ERR(obj);
		goto unlock;
	}

	if (slg_in_tx(sgn, slg_sender(skb))) {
		touched = slg_fail_alloc() ? NULL :
			  kmalloc(sizeof(*touched), GFP_KERNEL_ACCOUNT);
		if (!touched) {
			err = -ENOMEM;
			goto unlock;
		}
		slg_tx_touch_del(sgn, touched, obj);
		slg_policy_erase(pol, obj);
		if (!slg_policy_holds(sgn->policy, obj))
			slg_obj_free(obj);
		slg_view_changed(sgn, true);
		goto unlock;
	}

	err = slg_check_del(pol, obj, info->extack);
	if (err) {
		NL_SET_BAD_ATTR(info->extack,
				info->attrs[slg_key_attrs[kind]] ?:
				info->attrs[slg_name_attrs[kind]]);
		goto unlock;
	}
	slg_policy_erase(pol, obj);
	slg_view_changed(sgn, false);
	sgn->generation++;
	slg_commit_init(&commit, sgn, info);
	slg_announce(&commit, obj, SLICEGUARD_CHANGE_DEL);
	slg_announce_commit(&commit);
	slg_obj_free(obj);
unlock:
	mutex_unlock(&sgn->lock);
	slg_audit(&commit);
	return err;
}

/* Transactions and the policy as a whole */

/**
 * sliceguard_nl_tx_begin_doit() - open the namespace's transaction
 * @skb: request
 * @info: request info; the sender's port owns the transaction
 *
 * Return: 0 with the committed generation replied, -EBUSY while any
 * transaction is open, or -ENOMEM.
 */
int sliceguard_nl_tx_begin_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct slg_net *sgn = slg_net(genl_info_net(info));
	struct sk_buff *rsp;
	struct slg_tx *tx;
	u64 generation;
	void *hdr;
	int err;

	rsp = slg_generation_reply_new(info, &hdr);
	if (!rsp)
		return -ENOMEM;
	mutex_lock(&sgn->lock);
	if (sgn->tx && (slg_in_tx(sgn, slg_sender(skb)) ||
			slg_tx_blocks(sgn, info, slg_sender(skb)))) {
		GENL_SET_ERR_MSG_FMT(info, "transaction open by port %u",
				     sgn->tx->portid);
		err = -EBUSY;
		goto err_unlock;
	}
	tx = slg_fail_alloc() ? NULL : kzalloc(sizeof(*tx), GFP_KERNEL_ACCOUNT);
	if (!tx) {
		err = -ENOMEM;
		goto err_unlock;
	}
	tx->staged = slg_policy_clone(sgn->policy);
	if (!tx->staged) {
		err = -ENOMEM;
		goto err_free_tx;
	}
	tx->owner = NETLINK_CB(skb).sk;
	sock_hold(tx->owner);
	tx->portid = info->snd_portid;
	tx->last_used = jiffies;
	INIT_LIST_HEAD(&tx->touched);
	WRITE_ONCE(sgn->tx, tx);
	slg_view_changed(sgn, true);
	atomic_long_inc(&slg_live_objects);
	generation = sgn->generation;
	mutex_unlock(&sgn->lock);

	return slg_generation_reply(rsp, hdr, info, generation);

err_free_tx:
	kfree(tx);
err_unlock:
	mutex_unlock(&sgn->lock);
	nlmsg_free(rsp);
	return err;
}

static int slg_own_tx(struct slg_net *sgn, struct genl_info *info,
		      const struct sock *sk)
{
	if (!slg_in_tx(sgn, sk)) {
		GENL_SET_ERR_MSG(info, "no transaction open");
		return -ENOENT;
	}
	return 0;
}

/**
 * sliceguard_nl_tx_commit_doit() - check and apply the caller's transaction
 * @skb: request
 * @info: request info
 *
 * On success the staged policy becomes the committed one under a new
 * generation, replied and announced. On an integrity failure the
 * transaction is dropped and nothing changes.
 *
 * Return: 0, -ENOENT without an own transaction, or the integrity error.
 */
int sliceguard_nl_tx_commit_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct slg_net *sgn = slg_net(genl_info_net(info));
	struct slg_commit commit = {};
	struct slg_policy *old;
	struct sk_buff *rsp;
	u64 generation;
	void *hdr;
	int err;

	rsp = slg_generation_reply_new(info, &hdr);
	if (!rsp)
		return -ENOMEM;
	mutex_lock(&sgn->lock);
	err = slg_own_tx(sgn, info, slg_sender(skb));
	if (err)
		goto err_unlock;
	err = slg_check_policy(sgn->tx->staged, sgn->policy, info->extack);
	if (err) {
		slg_tx_free(sgn);
		goto err_unlock;
	}

	old = sgn->policy;
	sgn->policy = sgn->tx->staged;
	sgn->tx->staged = old;
	slg_view_changed(sgn, false);
	sgn->generation++;
	generation = sgn->generation;
	slg_commit_init(&commit, sgn, info);
	slg_announce_tx(&commit, sgn->tx, old, sgn->policy);
	slg_announce_commit(&commit);
	/* Frees what the old policy held and the new one does not. */
	slg_tx_free(sgn);
	mutex_unlock(&sgn->lock);
	slg_audit(&commit);

	return slg_generation_reply(rsp, hdr, info, generation);

err_unlock:
	mutex_unlock(&sgn->lock);
	nlmsg_free(rsp);
	return err;
}

/**
 * sliceguard_nl_tx_abort_doit() - drop the caller's transaction
 * @skb: request
 * @info: request info
 *
 * Return: 0, or -ENOENT without an own transaction.
 */
int sliceguard_nl_tx_abort_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct slg_net *sgn = slg_net(genl_info_net(info));
	int err;

	mutex_lock(&sgn->lock);
	err = slg_own_tx(sgn, info, slg_sender(skb));
	if (!err)
		slg_tx_free(sgn);
	mutex_unlock(&sgn->lock);
	return err;
}

/**
 * sliceguard_nl_policy_get_doit() - reply generation, counts and limits
 * @skb: request
 * @info: request info; the transaction owner sees its staged counts
 *
 * Return: 0, or -ENOMEM/-EMSGSIZE.
 */
int sliceguard_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct slg_net *sgn = slg_net(genl_info_net(info));
	struct slg_policy *pol;
	struct sk_buff *rsp;
	void *hdr;
	int err;

	/* generation and nine counts and limits */
	rsp = slg_reply_new(info, nla_total_size(sizeof(u64)) +
			    9 * nla_total_size(sizeof(u32)), &hdr);
	if (!rsp)
		return -ENOMEM;

	mutex_lock(&sgn->lock);
	pol = slg_view(sgn, slg_sender(skb));
	err = nla_put_uint(rsp, SLICEGUARD_A_POLICY_GENERATION,
			   sgn->generation) ||
	      (sgn->tx && nla_put_u32(rsp, SLICEGUARD_A_POLICY_TX_PORTID,
				      sgn->tx->portid)) ||
	      nla_put_u32(rsp, SLICEGUARD_A_POLICY_N_SLICES, pol->n[SLG_SLICE]) ||
	      nla_put_u32(rsp, SLICEGUARD_A_POLICY_N_APPS, pol->n[SLG_APP]) ||
	      nla_put_u32(rsp, SLICEGUARD_A_POLICY_N_RULES, pol->n[SLG_RULE]) ||
	      nla_put_u32(rsp, SLICEGUARD_A_POLICY_N_UPLINKS,
			  pol->n[SLG_UPLINK]) ||
	      nla_put_u32(rsp, SLICEGUARD_A_POLICY_MAX_SLICES,
			  slg_limit(SLG_SLICE)) ||
	      nla_put_u32(rsp, SLICEGUARD_A_POLICY_MAX_APPS,
			  slg_limit(SLG_APP)) ||
	      nla_put_u32(rsp, SLICEGUARD_A_POLICY_MAX_RULES,
			  slg_limit(SLG_RULE)) ||
	      nla_put_u32(rsp, SLICEGUARD_A_POLICY_MAX_UPLINKS,
			  slg_limit(SLG_UPLINK)) ? -EMSGSIZE : 0;
	mutex_unlock(&sgn->lock);

	if (err) {
		nlmsg_free(rsp);
		return err;
	}
	genlmsg_end(rsp, hdr);
	return genlmsg_reply(rsp, info);
}

/**
 * sliceguard_nl_policy_flush_doit() - delete every object as one generation
 * @skb: request
 * @info: request info
 *
 * Inside the caller's transaction the flush is staged like any write.
 *
 * Return: 0 with the (staged) generation replied, -EBUSY while another
 * socket's transaction is open, or -ENOMEM.
 */
int sliceguard_nl_policy_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct slg_net *sgn = slg_net(genl_info_net(info));
	struct slg_policy *empty, *old;
	struct slg_commit commit = {};
	struct sk_buff *rsp;
	u64 generation;
	void *hdr;
	int err;

	empty = slg_policy_alloc();
	rsp = slg_generation_reply_new(info, &hdr);
	if (!empty || !rsp) {
		if (empty)
			slg_policy_free(empty, NULL);
		nlmsg_free(rsp);
		return -ENOMEM;
	}

	mutex_lock(&sgn->lock);
	err = slg_may_write(sgn, info, slg_sender(skb));
	if (err)
		goto err_unlock;
	generation = slg_next_generation(sgn);
	if (sgn->tx) {
		err = slg_tx_touch_all(sgn);
		if (err)
			goto err_unlock;
		slg_view_changed(sgn, true);
		slg_policy_free(sgn->tx->staged, sgn->policy);
		sgn->tx->staged = empty;
		goto unlock;
	}

	old = sgn->policy;
	sgn->policy = empty;
	slg_view_changed(sgn, false);
	sgn->generation++;
	slg_commit_init(&commit, sgn, info);
	slg_announce_flush(&commit, old);
	slg_announce_commit(&commit);
	slg_policy_free(old, NULL);
unlock:
	mutex_unlock(&sgn->lock);
	slg_audit(&commit);
	return slg_generation_reply(rsp, hdr, info, generation);

err_unlock:
	mutex_unlock(&sgn->lock);
	slg_policy_free(empty, NULL);
	nlmsg_free(rsp);
	return err;
}

/*
 * The generated ops table calls one handler per command; for objects each
 * is a thin wrapper naming the kind for slg_get(), slg_dump(), slg_write()
 * and slg_del() above, which the spec and policy-store.rst document.
 */
int sliceguard_nl_slice_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_get(skb, info, SLG_SLICE);
}

int sliceguard_nl_slice_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	return slg_dump(skb, cb, SLG_SLICE);
}

int sliceguard_nl_slice_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_write(skb, info, SLG_SLICE, true);
}

int sliceguard_nl_slice_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_write(skb, info, SLG_SLICE, false);
}

int sliceguard_nl_slice_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_del(skb, info, SLG_SLICE);
}

int sliceguard_nl_app_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_get(skb, info, SLG_APP);
}

int sliceguard_nl_app_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	return slg_dump(skb, cb, SLG_APP);
}

int sliceguard_nl_app_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_write(skb, info, SLG_APP, true);
}

int sliceguard_nl_app_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_write(skb, info, SLG_APP, false);
}

int sliceguard_nl_app_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_del(skb, info, SLG_APP);
}

int sliceguard_nl_rule_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_get(skb, info, SLG_RULE);
}

int sliceguard_nl_rule_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	return slg_dump(skb, cb, SLG_RULE);
}

int sliceguard_nl_rule_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_write(skb, info, SLG_RULE, true);
}

int sliceguard_nl_rule_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_write(skb, info, SLG_RULE, false);
}

int sliceguard_nl_rule_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_del(skb, info, SLG_RULE);
}

int sliceguard_nl_uplink_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_get(skb, info, SLG_UPLINK);
}

int sliceguard_nl_uplink_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	return slg_dump(skb, cb, SLG_UPLINK);
}

int sliceguard_nl_uplink_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_write(skb, info, SLG_UPLINK, true);
}

int sliceguard_nl_uplink_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_write(skb, info, SLG_UPLINK, false);
}

int sliceguard_nl_uplink_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return slg_del(skb, info, SLG_UPLINK);
}

/* Lifetime */

/*
 * A socket released with its transaction open abandons it. The notifier
 * runs for every netlink socket of the host: the namespace is locked only
 * when it has a transaction, and that is aborted only if its owner is the
 * socket being released (orphaned already), whatever port id the notifier
 * names: the id may belong to a new socket by now.
 */
static int slg_netlink_notify(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct netlink_notify *n = ptr;
	struct slg_net *sgn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	sgn = slg_net(n->net);
	/* A dying socket begins nothing: a transaction it owns is seen. */
	if (!READ_ONCE(sgn->tx))
		return NOTIFY_DONE;
	mutex_lock(&sgn->lock);
	if (sgn->tx && sock_flag(sgn->tx->owner, SOCK_DEAD))
		slg_tx_free(sgn);
	mutex_unlock(&sgn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block slg_netlink_notifier = {
	.notifier_call = slg_netlink_notify,
};

static int __net_init slg_net_init(struct net *net)
{
	struct slg_net *sgn = slg_net(net);

	sgn->policy = slg_policy_alloc();
	if (!sgn->policy)
		return -ENOMEM;
	mutex_init(&sgn->lock);
	sgn->committed_seq = ++sgn->seq_source;
	return 0;
}

static void __net_exit slg_net_exit(struct net *net)
{
	struct slg_net *sgn = slg_net(net);

	if (sgn->tx)
		slg_tx_free(sgn);
	slg_policy_free(sgn->policy, NULL);
	mutex_destroy(&sgn->lock);
}

static struct pernet_operations slg_net_ops = {
	.init	= slg_net_init,
	.exit	= slg_net_exit,
	.id	= &slg_net_id,
	.size	= sizeof(struct slg_net),
};

static int __init sliceguard_init(void)
{
	int err;

	err = register_pernet_subsys(&slg_net_ops);
	if (err)
		return err;
	err = netlink_register_notifier(&slg_netlink_notifier);
	if (err)
		goto err_pernet;
	err = genl_register_family(&sliceguard_nl_family);
	if (err)
		goto err_notifier;
	slg_debugfs = debugfs_create_dir("sliceguard", NULL);
	debugfs_create_file_unsafe("live_objects", 0444, slg_debugfs, NULL,
				   &slg_live_objects_fops);
	debugfs_create_file_unsafe("fail_nth", 0600, slg_debugfs, NULL,
				   &slg_fail_nth_fops);
	return 0;

err_notifier:
	netlink_unregister_notifier(&slg_netlink_notifier);
err_pernet:
	unregister_pernet_subsys(&slg_net_ops);
	return err;
}

static void __exit sliceguard_exit(void)
{
	debugfs_remove_recursive(slg_debugfs);
	genl_unregister_family(&sliceguard_nl_family);
	netlink_unregister_notifier(&slg_netlink_notifier);
	unregister_pernet_subsys(&slg_net_ops);
}

module_init(sliceguard_init);
module_exit(sliceguard_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("sliceguard: slice and MEC-app isolation policy store");
/*
 * No MODULE_ALIAS_GENL_FAMILY: any user's family lookup would load the
 * module, and nobody but the host's administrator has a use for it.
 */
