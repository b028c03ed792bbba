# SPDX-License-Identifier: GPL-2.0
# sliceguardd end to end, in the VM: real traffic between namespaces.
AGENT_TEST_BINS := $(BUILD)/tests/sg-flow $(BUILD)/tests/sg-counters

$(BUILD)/tests/sg-flow: tests/agent/sg-flow.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $<

$(BUILD)/tests/sg-counters: tests/agent/sg-counters.c $(SG_LIB)
	@mkdir -p $(@D)
	$(CC) $(SG_LIB_CFLAGS) -o $@ $< $(SG_LIB) $(SG_LIB_LDLIBS)

# TRANSITIONAL: until user/lib/dp.c lands sg-counters cannot link.
ifneq ($(wildcard user/lib/dp.c),)
TEST_BINS += $(AGENT_TEST_BINS)
VM_SUITES += tests/agent/agent.sh
endif
