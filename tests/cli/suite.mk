# SPDX-License-Identifier: GPL-2.0
# slicectl and the shared policy grammar.
#   cli_parse_test   host: the grammar and sg_policy_parse_file(), no kernel
#   slicectl.sh      VM: slicectl end to end against sliceguard.ko
CLI_PARSE_TEST := $(BUILD)/tests/cli_parse_test

$(CLI_PARSE_TEST): tests/cli/parse_test.c $(SG_LIB) $(KSRC)/.extracted-from
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Wno-unused-parameter -Wno-sign-compare -I$(KSRC)/tools/testing/selftests -o $@ $< \
		$(SG_LIB) $(SG_LIB_LDLIBS)

HOST_SUITES += $(CLI_PARSE_TEST)
VM_SUITES += $(CURDIR)/tests/cli/slicectl.sh
TEST_BINS += $(CLI_PARSE_TEST) $(BIN)/slicectl
