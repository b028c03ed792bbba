# SPDX-License-Identifier: GPL-2.0
# slicectl and the shared policy grammar.
#   cli_parse_test     host: the grammar and sg_policy_parse_file(), no kernel
#   cli_nl_codec_test  host: netlink encode/decode of every object, no kernel
#   usage.sh           host: slicectl's help and syntax errors, no kernel
#   slicectl.sh        VM: slicectl end to end against sliceguard.ko
CLI_HOST_TESTS := $(BUILD)/tests/cli_parse_test $(BUILD)/tests/cli_nl_codec_test

$(BUILD)/tests/cli_%_test: tests/cli/%_test.c $(SG_LIB) $(KSRC)/.extracted-from
	@mkdir -p $(dir $@)
	$(CC) $(SG_LIB_CFLAGS) -Wno-unused-parameter -Wno-sign-compare \
		-I$(KSRC)/tools/testing/selftests -o $@ $< $(SG_LIB) $(SG_LIB_LDLIBS)

HOST_SUITES += $(CLI_HOST_TESTS) tests/cli/usage.sh
VM_SUITES += tests/cli/slicectl.sh:600
TEST_BINS += $(CLI_HOST_TESTS) $(BIN)/slicectl
