#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The verifier matrix on Debian 12's own 6.1 kernel (no TCX, older
# verifier): boot it with scripts/vm-run, without the module, and run
# build/tests/bpf_verifier there. Its TAP is this suite's TAP.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
kver=$(ls -1 /lib/modules 2>/dev/null | grep -E '^6\.1\.[0-9]+-' | sort -V | tail -n1)

if [ -z "$kver" ] || [ ! -r "/boot/vmlinuz-$kver" ]; then
	echo "TAP version 13"
	echo "1..1"
	echo "ok 1 verifier on 6.1 # SKIP no 6.1 kernel installed (scripts/install-deps)"
	exit 0
fi
SG_VM_KERNEL=$kver SG_VM_NOMOD=1 SG_VM_TIMEOUT=900 \
	"$repo/scripts/vm-run" "$repo/build/tests/bpf_verifier"
