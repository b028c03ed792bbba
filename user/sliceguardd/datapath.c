// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's side of the data path: load or adopt the pinned instance,
 * attach it to the interfaces the policy names, apply generations.
 *
 * Order matters for fail-closed: an interface is attached before the
 * generation that names it is applied. Until then the programs find it in
 * no applied generation and drop its traffic (reason NO_POLICY); nothing
 * passes unchecked in between. Interfaces the new generation no longer
 * names are detached only after it is active.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/ethtool.h>
#include <linux/magic.h>
#include <linux/sockios.h>

#include "agent.h"
#include "dp.h"
#include "log.h"

static const char *const kind_name[] = {
	[ATTACH_UPLINK] = "uplink",
	[ATTACH_APP] = "app interface",
};

/* The directory (or, before the first pin, its parent) must be on bpffs. */
static int check_bpffs(const char *pin_dir)
{
	char parent[4096], *slash;
	struct statfs st;

	if (!statfs(pin_dir, &st))
		goto check;
	if (errno != ENOENT)
		goto fail;
	snprintf(parent, sizeof(parent), "%s", pin_dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	else
		snprintf(parent, sizeof(parent), "/");
	if (statfs(parent, &st))
		goto fail;
check:
	if (st.f_type == BPF_FS_MAGIC)
		return 0;
	log_err("%s is not on a BPF filesystem: mount bpffs first (mount -t bpf bpf /sys/fs/bpf)",
		pin_dir);
	return -ENOTDIR;
fail:
	log_err("%s: %s (is bpffs mounted? mount -t bpf bpf /sys/fs/bpf)",
		pin_dir, strerror(errno));
	return -errno;
}

int dp_start(struct agent *a)
{
	struct sg_dp_opts opts = { .pin_dir = a->pin_dir };
	int err;

	err = check_bpffs(a->pin_dir);
	if (err)
		return err;
	err = sg_dp_open(&opts, &a->dp);
	if (err) {
		log_err("cannot load the data path: %s", strerror(-err));
		return err;
	}
	if (sg_dp_adopted(a->dp)) {
		a->adopted = true;
		if (sg_dp_loaded(a->dp))
			log_notice("%s in %s: loaded the programs against its maps",
				   sg_dp_errmsg(a->dp), a->pin_dir);
		else
			log_notice("adopted the pinned programs and maps in %s without loading",
				   a->pin_dir);
		a->applied.generation = sg_dp_generation(a->dp);
		if (a->applied.generation)
			log_notice("adopted the pinned data path in %s (generation %llu enforced)",
				   a->pin_dir, (unsigned long long)a->applied.generation);
		else
			log_notice("adopted the pinned data path in %s (no generation applied yet)",
				   a->pin_dir);
		return 0;
	}
	err = sg_dp_pin(a->dp);
	if (err) {
		log_err("cannot pin the data path in %s: %s", a->pin_dir,
			sg_dp_errmsg(a->dp));
		return err;
	}
	log_notice("loaded the data path, pinned in %s", a->pin_dir);
	return 0;
}

void dp_stop(struct agent *a)
{
	sg_dp_close(a->dp);
	a->dp = NULL;
	sg_dp_image_free(a->applied_image);
	a->applied_image = NULL;
	free(a->att);
	a->att = NULL;
	a->n_att = 0;
	sg_policy_free(&a->applied);
}

static struct attachment *att_find(struct agent *a, const char *ifname)
{
	unsigned int i;

	for (i = 0; i < a->n_att; i++)
		if (!strcmp(a->att[i].ifname, ifname))
			return &a->att[i];
	return NULL;
}

static int want(struct agent *a, const char *ifname, enum attach_kind kind)
{
	struct attachment *att = att_find(a, ifname);

	if (!ifname[0])
		return 0;
	if (!att) {
		att = realloc(a->att, (a->n_att + 1) * sizeof(*att));
		if (!att)
			return -ENOMEM;
		a->att = att;
		att = &a->att[a->n_att++];
		memset(att, 0, sizeof(*att));
		snprintf(att->ifname, sizeof(att->ifname), "%s", ifname);
		att->kind = kind;
	}
	if (att->kind != kind && att->ifindex) {
		/* Role changed between generations: reattach the right programs. */
		sg_dp_detach(a->dp, att->ifindex);
		att->ifindex = 0;
	}
	att->kind = kind;
	att->wanted = true;
	return 0;
}

static bool policy_has_vlans(const struct sg_policy *p)
{
	unsigned int i;

	for (i = 0; i < p->n_slices; i++)
		if (p->slices[i].n_vlans)
			return true;
	return false;
}

static int mark_wanted(struct agent *a, const struct sg_policy *p)
{
	bool vlans = policy_has_vlans(p);
	unsigned int i;
	int err = 0;

	for (i = 0; i < a->n_att; i++)
		a->att[i].wanted = false;
	for (i = 0; i < p->n_uplinks && !err; i++) {
		const struct sg_uplink *u = &p->uplinks[i];
		bool ip = u->mode == SLICEGUARD_UPLINK_MODE_IP;
		struct attachment *att;

		err = want(a, u->ifname, ATTACH_UPLINK);
		if (err || !u->ifname[0])
			continue;
		att = att_find(a, u->ifname);
		att->vlan_tags = vlans && ip;
		if (att->ifindex && att->guard_egress && !ip) {
			/*
			 * Now gtpu: its egress carries a UPF's tunnels, which
			 * the egress program would take for traffic of no
			 * slice. Attached again without it.
			 */
			sg_dp_detach(a->dp, att->ifindex);
			att->ifindex = 0;
		}
		att->guard_egress = ip;
	}
	for (i = 0; i < p->n_apps && !err; i++)
		err = want(a, p->apps[i].ifname, ATTACH_APP);
	return err;
}

/*
 * XDP reads VLAN tags from the frame; a NIC that strips them into packet
 * metadata (rx VLAN offload) hides them. Turn the offload off through the
 * ethtool ioctl (ETHTOOL_SFLAGS keeps the other flags). Returns 0 or a
 * negative errno, with *changed telling whether it was on.
 */
static int rx_vlan_offload_off(const char *ifname, bool *changed)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GFLAGS };
	struct ifreq ifr = { .ifr_data = (void *)&ev };
	int fd, err = 0;

	*changed = false;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCETHTOOL, &ifr)) {
		err = -errno;
	} else if (ev.data & ETH_FLAG_RXVLAN) {
		ev.cmd = ETHTOOL_SFLAGS;
		ev.data &= ~ETH_FLAG_RXVLAN;
		if (ioctl(fd, SIOCETHTOOL, &ifr))
			err = -errno;
		ev.cmd = ETHTOOL_GFLAGS;
		if (!err && !ioctl(fd, SIOCETHTOOL, &ifr) && (ev.data & ETH_FLAG_RXVLAN))
			err = -EOPNOTSUPP;	/* a fixed feature */
		*changed = !err;
	}
	close(fd);
	return err;
}

/*
 * An uplink whose slices are told apart by VLAN must deliver the tags in
 * the frame. Where that cannot be had the uplink is still attached: a
 * slice with VLANs then sees untagged frames and drops them as SPOOF
 * (fail closed), and the error says why.
 */
static void uplink_needs_tags(struct attachment *att)
{
	bool changed;
	int err;

	if (!att->vlan_tags)
		return;
	err = rx_vlan_offload_off(att->ifname, &changed);
	if (changed)
		log_notice("uplink %s: turned rx VLAN offload off, so that XDP sees the VLAN tags slices are classified by",
			   att->ifname);
	if (err && !att->reported_vlan)
		log_err("uplink %s: cannot turn rx VLAN offload off (%s): XDP may not see VLAN tags; UEs of slices with VLANs will be dropped as SPOOF, and sources spoofed from other VLANs are not recognised",
			att->ifname, strerror(-err));
	att->reported_vlan = err != 0;
}

/*
 * An attached ip uplink gets its egress program where it lacks it: just
 * attached, become an ip uplink, or attaching it failed before. Without it
 * the uplink still decides what comes in, so a failure keeps the rest and
 * is tried again at the next apply or link change.
 */
static void guard_uplink_egress(struct agent *a, struct attachment *att)
{
	if (!att->ifindex || att->kind != ATTACH_UPLINK || !att->guard_egress ||
	    egress_attached_in_kernel(att->ifindex))
		return;
	if (sg_dp_attach_uplink_egress(a->dp, att->ifindex))
		log_err("cannot attach the egress program to uplink %s: %s; what leaves it toward UEs is not decided until it is attached (tried again at every apply and link change)",
			att->ifname, sg_dp_errmsg(a->dp));
	else
		log_info("attached the egress program to uplink %s", att->ifname);
}

/*
 * Attach every wanted interface that exists where it is not attached yet.
 * Return whether an attachment changed (the policy must then be compiled
 * again: ifindexes are part of the compiled form).
 */
static bool attach_wanted(struct agent *a)
{
	bool changed = false;
	unsigned int i;

	for (i = 0; i < a->n_att; i++) {
		struct attachment *att = &a->att[i];
		int ifindex, err;

		if (!att->wanted)
			continue;
		ifindex = if_nametoindex(att->ifname);
		if (ifindex && att->kind == ATTACH_UPLINK)
			uplink_needs_tags(att);
		if (!ifindex && !att->ifindex && !att->reported_missing) {
			log_warn("%s %s does not exist; it will be attached when it appears",
				 kind_name[att->kind], att->ifname);
			att->reported_missing = true;
		}
		if (ifindex == att->ifindex) {
			guard_uplink_egress(a, att);
			continue;
		}
		changed = true;
		if (att->ifindex) {
			/* Gone, or replaced by a new interface of the same name. */
			sg_dp_detach(a->dp, att->ifindex);
			att->ifindex = 0;
		}
		if (!ifindex) {
			log_warn("%s %s is gone; it will be attached when it is back",
				 kind_name[att->kind], att->ifname);
			att->reported_missing = true;
			continue;
		}
		att->reported_missing = false;
		/*
		 * Attached by a predecessor (adopted instance): its pinned
		 * links run the same maps; replacing them would only open a
		 * window with two programs in a row. Only an egress program
		 * it lacks is added (on 6.1, clsact filters: replaced).
		 */
		if (attached_in_kernel(ifindex, att->kind)) {
			att->ifindex = ifindex;
			log_info("%s %s (ifindex %d) already attached", kind_name[att->kind],
				 att->ifname, ifindex);
			guard_uplink_egress(a, att);
			continue;
		}
		if (att->kind == ATTACH_UPLINK)
			err = sg_dp_attach_uplink(a->dp, ifindex);
		else
			err = sg_dp_attach_app(a->dp, ifindex);
		if (err) {
			log_err("cannot attach to %s %s: %s", kind_name[att->kind],
				att->ifname, sg_dp_errmsg(a->dp));
			/* Take a half attachment (XDP without its TC companion) away. */
			sg_dp_detach(a->dp, ifindex);
			continue;
		}
		att->ifindex = ifindex;
		log_info("attached to %s %s (ifindex %d)", kind_name[att->kind],
			 att->ifname, ifindex);
		guard_uplink_egress(a, att);
	}
	return changed;
}

static void detach_unwanted(struct agent *a)
{
	unsigned int i = 0;

	while (i < a->n_att) {
		struct attachment *att = &a->att[i];

		if (att->wanted) {
			i++;
			continue;
		}
		if (att->ifindex) {
			sg_dp_detach(a->dp, att->ifindex);
			log_info("detached from %s %s: no longer in the policy",
				 kind_name[att->kind], att->ifname);
		}
		a->att[i] = a->att[--a->n_att];
	}
}

/*
 * After adopting a pinned instance the agent does not know what its
 * predecessor attached: remove the programs from every interface the
 * policy does not name (nothing happens where nothing is attached).
 */
static void detach_strays(struct agent *a)
{
	struct if_nameindex *ifs = if_nameindex(), *i;

	if (!ifs)
		return;
	for (i = ifs; i->if_index; i++) {
		struct attachment *att = att_find(a, i->if_name);

		if ((att && att->wanted) || !any_attached_in_kernel(i->if_index))
			continue;
		if (!sg_dp_detach(a->dp, i->if_index))
			log_info("detached from %s: not in the policy", i->if_name);
	}
	if_freenameindex(ifs);
}

static void log_applied(const struct sg_policy *p, const char *why)
{
	log_notice("applied generation %llu (%u slices, %u apps, %u rules, %u uplinks)%s",
		   (unsigned long long)p->generation, p->n_slices, p->n_apps,
		   p->n_rules, p->n_uplinks, why);
}

/*
 * Remember p as compiled now, to tell later whether an interface change
 * changes what it compiles to (NULL when it cannot be compiled).
 */
static void keep_image(struct agent *a, const struct sg_policy *p)
{
	char err[256];

	sg_dp_image_free(a->applied_image);
	a->applied_image = NULL;
	if (sg_dp_compile(p, NULL, NULL, &a->applied_image, err, sizeof(err)))
		a->applied_image = NULL;
}

/*
 * Whether the policy this agent applied compiles differently now. Nothing
 * applied by this agent (an adopted generation it has not read yet):
 * nothing to compare, the next apply compiles afresh anyway.
 */
static bool image_changed(struct agent *a)
{
	struct sg_dp_image *now = NULL;
	char err[256];
	bool changed;

	if (!a->applied_image)
		return false;
	if (sg_dp_compile(&a->applied, NULL, NULL, &now, err, sizeof(err)))
		return true;
	changed = !sg_dp_image_equal(a->applied_image, now);
	sg_dp_image_free(now);
	return changed;
}

/* Make p the enforced policy; on success the agent owns p's contents. */
int dp_apply(struct agent *a, struct sg_policy *p)
{
	int err;

	err = mark_wanted(a, p);
	if (err)
		return err;
	attach_wanted(a);
	err = sg_dp_apply(a->dp, p);
	if (err) {
		log_err("cannot apply generation %llu: %s",
			(unsigned long long)p->generation, sg_dp_errmsg(a->dp));
		/* Keep attachments in step with what is still applied. */
		mark_wanted(a, &a->applied);
		return err;
	}
	detach_unwanted(a);
	if (a->adopted) {
		detach_strays(a);
		a->adopted = false;
	}
	sg_policy_free(&a->applied);
	a->applied = *p;
	sg_policy_init(p);
	keep_image(a, &a->applied);
	log_applied(&a->applied, "");
	return 0;
}

/*
 * Interfaces came or went: attach what appeared, recompile if needed (an
 * attachment changed, or a VLAN device over an uplink came or went).
 */
void links_reconcile(struct agent *a)
{
	int err;

	if (!attach_wanted(a) && !image_changed(a))
		return;
	err = sg_dp_apply(a->dp, &a->applied);
	if (err) {
		log_err("cannot apply generation %llu for the new interfaces: %s",
			(unsigned long long)a->applied.generation,
			sg_dp_errmsg(a->dp));
		return;
	}
	keep_image(a, &a->applied);
	log_applied(&a->applied, " for changed interfaces");
}

/* --detach: take everything the data path attached away, and unpin. */
int dp_detach_all(struct agent *a)
{
	struct sg_dp_opts opts = { .pin_dir = a->pin_dir };
	struct if_nameindex *ifs, *i;
	int err;

	err = check_bpffs(a->pin_dir);
	if (err)
		return err;
	/* Loading the object only to find nothing pinned is slow: look first. */
	if (access(a->pin_dir, F_OK)) {
		log_notice("nothing pinned in %s", a->pin_dir);
		return 0;
	}
	err = sg_dp_open(&opts, &a->dp);
	if (err) {
		log_err("cannot open the data path: %s", strerror(-err));
		return err;
	}
	if (!sg_dp_adopted(a->dp)) {
		log_notice("nothing pinned in %s", a->pin_dir);
		sg_dp_close(a->dp);
		return 0;
	}
	ifs = if_nameindex();
	for (i = ifs; i && i->if_index; i++) {
		if (!any_attached_in_kernel(i->if_index))
			continue;
		if (sg_dp_detach(a->dp, i->if_index))
			log_err("cannot detach from %s: %s", i->if_name,
				sg_dp_errmsg(a->dp));
		else
			log_notice("detached from %s", i->if_name);
	}
	if (ifs)
		if_freenameindex(ifs);
	err = sg_dp_unpin(a->dp);
	if (err)
		log_err("cannot unpin %s: %s", a->pin_dir, sg_dp_errmsg(a->dp));
	else
		log_notice("unpinned %s; enforcement removed", a->pin_dir);
	sg_dp_close(a->dp);
	return err;
}

/*
 * The host's addresses or routes to itself changed: the data path's idea
 * of "host" follows what the kernel delivers locally. Until it has, a new
 * address of the host is still "any" to the programs (Documentation/
 * agent.rst, "The host's addresses").
 */
int host_reconcile(struct agent *a)
{
	size_t n;
	int err;

	err = sg_dp_sync_host(a->dp, &n);
	if (err) {
		log_err("cannot update the host's addresses: %s (retrying)", sg_dp_errmsg(a->dp));
		return err;
	}
	a->host_changed = false;
	a->host_synced = true;
	log_info("host addresses: %zu prefixes delivered locally", n);
	return 0;
}
