// SPDX-License-Identifier: GPL-2.0
/*
 * Declarative mode's diff (user/sliceguardd/plan.c), on the host: which
 * commands turn the module's policy into the file's, and in which order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../user/sliceguardd/agent.h"

static const char base[] =
	"slice add embb id 1 sst 1 ue 10.10.0.0/16 ue 10.11.0.0/16 vlan 100 vlan 101\n"
	"slice add iot id 3 sst 3 ue 10.30.0.0/16 vlan 300\n"
	"app add video id 10 slice embb addr 10.99.1.10 proto udp port 5000-5999 dev veth-video\n"
	"app add telemetry id 30 slice iot addr 10.99.3.10 proto udp port 1883\n"
	"rule add id 1 from slice embb to app video proto udp port 5004\n"
	"rule add id 2 from slice iot to app telemetry proto udp port 1883\n"
	"uplink add dev eth1 mode ip unsliced drop\n";

/* Build a policy from slicectl lines, as sg_policy_parse_file() would. */
static int build(struct sg_policy *p, const char *text)
{
	char *copy = strdup(text), *line, *save = NULL;
	char err[256];
	int ret = 0;

	sg_policy_init(p);
	for (line = strtok_r(copy, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		char *argv[SG_ARGS_MAX];
		struct sg_command cmd;
		int argc = sg_split_line(line, argv, SG_ARGS_MAX);

		if (argc <= 0)
			continue;
		ret = sg_parse_command(argc, argv, p, &cmd, err, sizeof(err));
		if (!ret)
			ret = sg_policy_apply(p, &cmd, err, sizeof(err));
		if (ret)
			fprintf(stderr, "# %s: %s\n", line, err);
	}
	free(copy);
	return ret;
}

FIXTURE(plan) {
	struct sg_policy cur, want;
	struct plan plan;
};

FIXTURE_SETUP(plan)
{
	ASSERT_EQ(0, build(&self->cur, base));
	memset(&self->plan, 0, sizeof(self->plan));
	sg_policy_init(&self->want);
}

FIXTURE_TEARDOWN(plan)
{
	sg_policy_free(&self->cur);
	sg_policy_free(&self->want);
	plan_free(&self->plan);
}

TEST_F(plan, same_policy_no_commands)
{
	ASSERT_EQ(0, build(&self->want, base));
	ASSERT_EQ(0, plan_build(&self->cur, &self->want, &self->plan));
	EXPECT_EQ(0, self->plan.n);
}

TEST_F(plan, classifier_order_is_no_change)
{
	ASSERT_EQ(0, build(&self->want,
		"slice add embb id 1 sst 1 ue 10.11.0.0/16 ue 10.10.0.0/16 vlan 101 vlan 100\n"
		"slice add iot id 3 sst 3 ue 10.30.0.0/16 vlan 300\n"
		"app add video id 10 slice embb addr 10.99.1.10 proto udp port 5000-5999 dev veth-video\n"
		"app add telemetry id 30 slice iot addr 10.99.3.10 proto udp port 1883\n"
		"rule add id 1 from slice embb to app video proto udp port 5004\n"
		"rule add id 2 from slice iot to app telemetry proto udp port 1883\n"
		"uplink add dev eth1\n"));
	ASSERT_EQ(0, plan_build(&self->cur, &self->want, &self->plan));
	EXPECT_EQ(0, self->plan.n);
}

/* The file's rule ids are its own; a rule is the flow it allows. */
TEST_F(plan, rules_match_by_flow_not_id)
{
	char text[sizeof(base) + 256];

	snprintf(text, sizeof(text), "%s", base);
	/* Swap the two rules' ids: nothing to do. */
	*strstr(text, "rule add id 1") = '\0';
	strcat(text, "rule add id 2 from slice embb to app video proto udp port 5004\n"
		     "rule add id 1 from slice iot to app telemetry proto udp port 1883\n"
		     "uplink add dev eth1 mode ip unsliced drop\n");
	ASSERT_EQ(0, build(&self->want, text));
	ASSERT_EQ(0, plan_build(&self->cur, &self->want, &self->plan));
	EXPECT_EQ(0, self->plan.n);
}

TEST_F(plan, rule_rate_change_sets_kernel_id)
{
	char text[sizeof(base) + 256];

	snprintf(text, sizeof(text), "%s", base);
	*strstr(text, "rule add id 2") = '\0';
	strcat(text, "rule add id 7 from slice iot to app telemetry proto udp port 1883 pps 100\n"
		     "uplink add dev eth1\n");
	ASSERT_EQ(0, build(&self->want, text));
	ASSERT_EQ(0, plan_build(&self->cur, &self->want, &self->plan));
	ASSERT_EQ(1, self->plan.n);
	EXPECT_EQ(SG_OBJECT_RULE, self->plan.cmds[0].object);
	EXPECT_EQ(SG_VERB_SET, self->plan.cmds[0].verb);
	EXPECT_EQ(2, self->plan.cmds[0].rule.id);
	EXPECT_EQ(100, self->plan.cmds[0].rule.rate_packets);
}

TEST_F(plan, new_rule_gets_kernel_chosen_id)
{
	char text[sizeof(base) + 256];

	snprintf(text, sizeof(text), "%s%s", base,
		 "rule add id 9 from slice embb to app video proto udp port 5005\n");
	ASSERT_EQ(0, build(&self->want, text));
	ASSERT_EQ(0, plan_build(&self->cur, &self->want, &self->plan));
	ASSERT_EQ(1, self->plan.n);
	EXPECT_EQ(SG_VERB_ADD, self->plan.cmds[0].verb);
	EXPECT_EQ(0, self->plan.cmds[0].rule.id);
	EXPECT_EQ(5005, self->plan.cmds[0].rule.port_first);
}

/* Users go before what they use, deletions before anything else. */
TEST_F(plan, removal_order_rule_app_slice_then_changes)
{
	ASSERT_EQ(0, build(&self->want,
		"slice add embb id 1 sst 1 ue 10.10.0.0/16 ue 10.11.0.0/16 vlan 100 vlan 101 mark 7\n"
		"app add video id 10 slice embb addr 10.99.1.10 proto udp port 5000-5999 dev veth-video\n"
		"rule add id 1 from slice embb to app video proto udp port 5004\n"
		"uplink add dev eth2 mode gtpu\n"));
	ASSERT_EQ(0, plan_build(&self->cur, &self->want, &self->plan));
	ASSERT_EQ(6, self->plan.n);
	EXPECT_EQ(SG_OBJECT_RULE, self->plan.cmds[0].object);
	EXPECT_EQ(SG_VERB_DEL, self->plan.cmds[0].verb);
	EXPECT_EQ(2, self->plan.cmds[0].rule.id);
	EXPECT_EQ(SG_OBJECT_APP, self->plan.cmds[1].object);
	EXPECT_EQ(SG_VERB_DEL, self->plan.cmds[1].verb);
	EXPECT_EQ(30, self->plan.cmds[1].app.id);
	EXPECT_EQ(SG_OBJECT_SLICE, self->plan.cmds[2].object);
	EXPECT_EQ(SG_VERB_DEL, self->plan.cmds[2].verb);
	EXPECT_EQ(3, self->plan.cmds[2].slice.id);
	EXPECT_EQ(SG_OBJECT_UPLINK, self->plan.cmds[3].object);
	EXPECT_EQ(SG_VERB_DEL, self->plan.cmds[3].verb);
	EXPECT_STREQ("eth1", self->plan.cmds[3].uplink.ifname);
	EXPECT_EQ(SG_OBJECT_SLICE, self->plan.cmds[4].object);
	EXPECT_EQ(SG_VERB_SET, self->plan.cmds[4].verb);
	EXPECT_EQ(7, self->plan.cmds[4].slice.mark);
	EXPECT_EQ(SG_OBJECT_UPLINK, self->plan.cmds[5].object);
	EXPECT_EQ(SG_VERB_ADD, self->plan.cmds[5].verb);
	EXPECT_EQ(SLICEGUARD_UPLINK_MODE_GTPU, self->plan.cmds[5].uplink.mode);
}

TEST_F(plan, empty_file_deletes_everything)
{
	unsigned int i;

	ASSERT_EQ(0, plan_build(&self->cur, &self->want, &self->plan));
	ASSERT_EQ(7, self->plan.n);
	for (i = 0; i < self->plan.n; i++)
		EXPECT_EQ(SG_VERB_DEL, self->plan.cmds[i].verb);
}

TEST_F(plan, app_changes_are_sets)
{
	char text[sizeof(base) + 256];

	snprintf(text, sizeof(text), "%s", base);
	memcpy(strstr(text, "dev veth-video"), "dev veth-vidXo", 14);
	ASSERT_EQ(0, build(&self->want, text));
	ASSERT_EQ(0, plan_build(&self->cur, &self->want, &self->plan));
	ASSERT_EQ(1, self->plan.n);
	EXPECT_EQ(SG_OBJECT_APP, self->plan.cmds[0].object);
	EXPECT_EQ(SG_VERB_SET, self->plan.cmds[0].verb);
	EXPECT_STREQ("veth-vidXo", self->plan.cmds[0].app.ifname);
}

TEST_HARNESS_MAIN
