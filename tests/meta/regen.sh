#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The uapi header and the kernel's policies and ops table are generated from
# Documentation/netlink/specs/sliceguard.yaml and committed: regenerate them
# with the kernel's ynl-gen-c.py (as `make check-regen` does) and fail on
# any difference, so the spec stays the single source of truth.
. "$(dirname "$0")/../lib/tap.sh"

ksrc=build/ksrc
[ -f "$ksrc/.extracted-from" ] || tap_skip_all "no $ksrc: run 'make ksrc'"

out=$(mktemp -d)
on_exit rm -rf "$out"
if ! msg=$(scripts/ynl-regen "$ksrc" "$out" 2>&1); then
	tap_fail "ynl-gen-c.py generates from the spec" "$msg"
	tap_done
fi
tap_ok "ynl-gen-c.py generates from the spec"

for f in include/uapi/linux/sliceguard.h kmod/sliceguard-nl-gen.h \
	kmod/sliceguard-nl-gen.c; do
	if d=$(diff -u "$f" "$out/$f"); then
		tap_ok "$f matches the spec"
	else
		tap_fail "$f matches the spec" "run 'make regen' and commit:" "$d"
	fi
done
tap_done
