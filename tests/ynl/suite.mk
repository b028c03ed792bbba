# SPDX-License-Identifier: GPL-2.0
# The module through the kernel's own ynl tooling (VM):
#   ynl_cli  every op via tools/net/ynl/cli.py and its library, replies
#            checked against the spec, transactions, notifications, EPERM
VM_SUITES += tests/ynl/ynl_cli.py:600
TEST_BINS += $(KSRC)/.extracted-from
