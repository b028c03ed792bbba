# SPDX-License-Identifier: GPL-2.0
# Checks on the tree and the test infrastructure itself (host):
#   regen        generated uapi header and kernel policies match the spec
#   checkpatch   checkpatch.pl --strict on the hand-written module sources
#   spdx         every tracked file starts with an SPDX line, right license
#   tap-summary  the summariser counts crashes, skips and timeouts right
#   vm-run       exit status, quoting, module, timeout of scripts/vm-run
HOST_SUITES += tests/meta/regen.sh tests/meta/checkpatch.sh tests/meta/spdx.sh \
	tests/meta/tap-summary.sh tests/meta/vm-run.sh:600
# The generator and checkpatch come from the extracted kernel sources.
TEST_BINS += $(KSRC)/.extracted-from
