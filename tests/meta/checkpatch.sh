#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl --strict --no-tree on every hand-written module source, with
# the flags of `make checkpatch`; any message fails, except the kinds judged
# below.  The ynl-generated *-nl-gen.[ch] are excluded: they are the
# generator's style, checked against the spec by regen.sh instead.
. "$(dirname "$0")/../lib/tap.sh"

checkpatch=build/ksrc/scripts/checkpatch.pl
[ -x "$checkpatch" ] || tap_skip_all "no $checkpatch: run 'make ksrc'"

files=$(git ls-files 'kmod/*.c' 'kmod/*.h' | grep -v -- '-nl-gen\.')
[ -n "$files" ] || { tap_fail "hand-written module sources exist"; tap_done; }

# Judged, with the reason; keep this list short.
#   MACRO_ARG_REUSE: for-each iterators assign and test their cursor, as
#   list_for_each_entry() does, and handler-generating macros paste their
#   arguments into several places; neither is passed expressions with side
#   effects.
judged=MACRO_ARG_REUSE

for f in $files; do
	if out=$("$checkpatch" --strict --no-tree --terse \
		--ignore FILE_PATH_CHANGES,$judged -f "$f" 2>&1); then
		tap_ok "checkpatch --strict: $f"
	else
		tap_fail "checkpatch --strict: $f" "$out"
	fi
done
tap_done
