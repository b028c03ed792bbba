// SPDX-License-Identifier: GPL-2.0
/*
 * sg-e2e-dp: program the sliceguard data path of the current network
 * namespace from a policy file, without the kernel module (the host kernel
 * cannot load modules), for the end-to-end tests.
 *
 *   sg-e2e-dp POLICY-FILE
 *
 * Parses the file (slicectl batch grammar), loads a private instance of
 * the data path, applies the policy, attaches sg_uplink to every uplink and
 * sg_app to every app interface the policy names, prints "ready" and then
 * serves commands read from standard input, one per line:
 *
 *   counters      one JSON object: reason, slice, app and rule counters
 *   apply FILE    replace the policy by FILE's; prints "ok" or "error: ..."
 *   host          read the host's addresses again (the agent does so on
 *                 rtnetlink events); prints "ok" or "error: ..."
 *
 * End of input detaches everything and exits: the instance is private, so
 * nothing outlives the process.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "policy_parse.h"

struct e2e {
	struct sg_dp *dp;
	struct sg_policy policy;
	int ifindex[SG_MAX_IFACES];
	unsigned int n_ifindex;
};

static int load_policy(const char *path, struct sg_policy *policy)
{
	char err[256] = "";
	int ret;

	sg_policy_init(policy);
	ret = sg_policy_parse_file(path, policy, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "sg-e2e-dp: %s: %s\n", path, err);
		sg_policy_free(policy);
		return ret;
	}
	policy->generation = 1;
	return 0;
}

static bool attached(const struct e2e *e, int ifindex)
{
	unsigned int i;

	for (i = 0; i < e->n_ifindex; i++)
		if (e->ifindex[i] == ifindex)
			return true;
	return false;
}

enum role { ROLE_APP, ROLE_UPLINK, ROLE_UPLINK_IP };

static int attach_one(struct e2e *e, const char *ifname, enum role role)
{
	int ifindex = (int)if_nametoindex(ifname);
	int ret;

	if (!ifindex) {
		fprintf(stderr, "sg-e2e-dp: no interface %s\n", ifname);
		return -ENODEV;
	}
	if (attached(e, ifindex))
		return 0;
	if (role == ROLE_APP) {
		ret = sg_dp_attach_app(e->dp, ifindex);
	} else {
		ret = sg_dp_attach_uplink(e->dp, ifindex);
		/* As the agent does: ip uplinks get the egress program too. */
		if (!ret && role == ROLE_UPLINK_IP)
			ret = sg_dp_attach_uplink_egress(e->dp, ifindex);
	}
	if (ret) {
		fprintf(stderr, "sg-e2e-dp: attach %s: %s (%s)\n", ifname,
			strerror(-ret), sg_dp_errmsg(e->dp));
		return ret;
	}
	e->ifindex[e->n_ifindex++] = ifindex;
	return 0;
}

/* Attach to every interface of the policy not attached yet. */
static int attach_all(struct e2e *e)
{
	unsigned int i;
	int ret;

	for (i = 0; i < e->policy.n_uplinks; i++) {
		const struct sg_uplink *u = &e->policy.uplinks[i];

		ret = attach_one(e, u->ifname, u->mode == SLICEGUARD_UPLINK_MODE_IP ?
						ROLE_UPLINK_IP : ROLE_UPLINK);
		if (ret)
			return ret;
	}
	for (i = 0; i < e->policy.n_apps; i++) {
		if (!e->policy.apps[i].ifname[0])
			continue;
		ret = attach_one(e, e->policy.apps[i].ifname, ROLE_APP);
		if (ret)
			return ret;
	}
	return 0;
}

static void print_obj(const char *name, const struct sg_obj_count *c)
{
	printf("\"%s\":{\"pass_packets\":%" PRIu64 ",\"pass_bytes\":%" PRIu64
	       ",\"drop_packets\":%" PRIu64 ",\"drop_bytes\":%" PRIu64 "}",
	       name, (uint64_t)c->pass_packets, (uint64_t)c->pass_bytes,
	       (uint64_t)c->drop_packets, (uint64_t)c->drop_bytes);
}

/* Counters of the data path as one JSON object (for jq). */
static int print_counters(struct e2e *e)
{
	struct sg_count reasons[SG_R_MAX];
	struct sg_obj_count c;
	char key[16];
	unsigned int i;
	int ret;

	ret = sg_dp_reason_counts(e->dp, reasons);
	if (ret)
		return ret;
	printf("{\"generation\":%" PRIu64 ",\"reasons\":{",
	       sg_dp_generation(e->dp));
	for (i = 0; i < SG_R_MAX; i++)
		printf("%s\"%s\":%" PRIu64, i ? "," : "", sg_reason_name(i),
		       (uint64_t)reasons[i].packets);
	printf("},\"slices\":{");
	for (i = 0; i < e->policy.n_slices; i++) {
		memset(&c, 0, sizeof(c));
		sg_dp_slice_counts(e->dp, e->policy.slices[i].id, &c);
		if (i)
			printf(",");
		print_obj(e->policy.slices[i].name, &c);
	}
	printf("},\"apps\":{");
	for (i = 0; i < e->policy.n_apps; i++) {
		memset(&c, 0, sizeof(c));
		sg_dp_app_counts(e->dp, e->policy.apps[i].id, &c);
		if (i)
			printf(",");
		print_obj(e->policy.apps[i].name, &c);
	}
	printf("},\"rules\":{");
	for (i = 0; i < e->policy.n_rules; i++) {
		memset(&c, 0, sizeof(c));
		sg_dp_rule_counts(e->dp, e->policy.rules[i].id, &c);
		snprintf(key, sizeof(key), "%u", e->policy.rules[i].id);
		if (i)
			printf(",");
		print_obj(key, &c);
	}
	printf("}}\n");
	return 0;
}

static int apply_file(struct e2e *e, const char *path)
{
	struct sg_policy next;
	int ret;

	ret = load_policy(path, &next);
	if (ret)
		return ret;
	next.generation = e->policy.generation + 1;
	ret = sg_dp_apply(e->dp, &next);
	if (ret) {
		fprintf(stderr, "sg-e2e-dp: apply: %s (%s)\n", strerror(-ret),
			sg_dp_errmsg(e->dp));
		sg_policy_free(&next);
		return ret;
	}
	sg_policy_free(&e->policy);
	e->policy = next;
	return attach_all(e);
}

int main(int argc, char **argv)
{
	struct sg_dp_opts opts = { 0 };
	struct e2e e = { 0 };
	char line[4096];
	unsigned int i;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: sg-e2e-dp POLICY-FILE\n");
		return 2;
	}
	if (load_policy(argv[1], &e.policy))
		return 1;
	ret = sg_dp_open(&opts, &e.dp);
	if (ret) {
		fprintf(stderr, "sg-e2e-dp: open: %s\n", strerror(-ret));
		return 1;
	}
	ret = sg_dp_sync_host(e.dp, NULL);
	if (ret) {
		fprintf(stderr, "sg-e2e-dp: %s\n", sg_dp_errmsg(e.dp));
		return 1;
	}
	ret = sg_dp_apply(e.dp, &e.policy);
	if (ret) {
		fprintf(stderr, "sg-e2e-dp: apply: %s (%s)\n", strerror(-ret),
			sg_dp_errmsg(e.dp));
		return 1;
	}
	if (attach_all(&e))
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "counters")) {
			ret = print_counters(&e);
			if (ret)
				printf("error: %s\n", strerror(-ret));
		} else if (!strncmp(line, "apply ", 6)) {
			ret = apply_file(&e, line + 6);
			if (ret)
				printf("error: %s\n", strerror(-ret));
			else
				printf("ok\n");
		} else if (!strcmp(line, "host")) {
			ret = sg_dp_sync_host(e.dp, NULL);
			if (ret)
				printf("error: %s\n", sg_dp_errmsg(e.dp));
			else
				printf("ok\n");
		} else if (line[0]) {
			printf("error: unknown command \"%s\"\n", line);
		}
	}

	for (i = 0; i < e.n_ifindex; i++)
		sg_dp_detach(e.dp, e.ifindex[i]);
	sg_dp_close(e.dp);
	sg_policy_free(&e.policy);
	return 0;
}
