# SPDX-License-Identifier: GPL-2.0
# sliceguardd, the agent; and `make demo`, the whole system at work.
SLICEGUARDD_SRCS := $(sort $(wildcard user/sliceguardd/*.c))

$(BIN)/sliceguardd: $(SLICEGUARDD_SRCS) $(wildcard user/sliceguardd/*.h) $(SG_LIB) user/user.mk
	@mkdir -p $(@D)
	$(CC) $(SG_LIB_CFLAGS) -o $@ $(SLICEGUARDD_SRCS) $(SG_LIB) $(SG_LIB_LDLIBS)

USER_BINS += $(BIN)/sliceguardd

# The demo needs the module, which only the VM can load; everything it runs
# is built first, and scripts/vm-run builds nothing itself.
demo: all $(BUILD)/tests/sg-flow $(BUILD)/tests/sg-counters
	scripts/vm-run scripts/demo
