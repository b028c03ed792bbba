# SPDX-License-Identifier: GPL-2.0
# The benchmark in its quick mode (issue 9): proves every part runs and
# writes results of the report's shape; it never judges a time.
TEST_BINS += $(BUILD)/bench/dpbench $(BUILD)/bench/ctlbench
HOST_SUITES += tests/bench/quick.sh:300
VM_SUITES += tests/bench/control-quick.sh:600
