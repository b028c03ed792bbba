# SPDX-License-Identifier: GPL-2.0
# sliceguardd:
#   agent_plan_test  host: declarative mode's diff (user/sliceguardd/plan.c)
#   agent.sh         VM: the agent end to end with real traffic between
#                    namespaces (helpers sg-flow, sg-counters)
AGENT_PLAN_TEST := $(BUILD)/tests/agent_plan_test
AGENT_TEST_BINS := $(BUILD)/tests/sg-flow $(BUILD)/tests/sg-counters

$(AGENT_PLAN_TEST): tests/agent/plan_test.c user/sliceguardd/plan.c \
		user/sliceguardd/agent.h $(SG_LIB) $(KSRC)/.extracted-from
	@mkdir -p $(@D)
	$(CC) $(SG_LIB_CFLAGS) -Wno-unused-parameter -Wno-sign-compare \
		-I$(KSRC)/tools/testing/selftests -o $@ $< user/sliceguardd/plan.c \
		$(SG_LIB) $(SG_LIB_LDLIBS)

$(BUILD)/tests/sg-flow: tests/agent/sg-flow.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $<

$(BUILD)/tests/sg-counters: tests/agent/sg-counters.c $(SG_LIB)
	@mkdir -p $(@D)
	$(CC) $(SG_LIB_CFLAGS) -o $@ $< $(SG_LIB) $(SG_LIB_LDLIBS)

HOST_SUITES += $(AGENT_PLAN_TEST)
TEST_BINS += $(AGENT_PLAN_TEST)
TEST_BINS += $(AGENT_TEST_BINS)
VM_SUITES += tests/agent/agent.sh:900
