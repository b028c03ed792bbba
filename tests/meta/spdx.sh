#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every tracked file starts with its SPDX-License-Identifier line (the
# second line after a #! line), in whatever comment syntax the format has.
# Licenses: GPL-2.0 for the module, tools, tests and docs; the uapi header
# and the netlink spec (and what ynl generates from it) carry the dual
# "(GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause" so that user space of
# any license can build against the ABI.
. "$(dirname "$0")/../lib/tap.sh"
shopt -s extglob

# Files whose format has no comments; keep this list short.
#   *.json   JSON test vectors and configuration
no_comments() {
	case $1 in
	*.json) return 0 ;;
	esac
	return 1
}

gpl='GPL-2.0'
dual='(GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause'

# The license expression of file $1, from its SPDX line, without comment
# closers and outer parentheses; empty when there is none where it belongs.
spdx_of() {
	local line

	line=$(head -n2 -- "$1" | awk 'NR == 1 && /^#!/ { next } { print; exit }')
	[[ $line =~ SPDX-License-Identifier:\ *(.*)$ ]] || return 0
	line=${BASH_REMATCH[1]}
	line=${line%%*( )}
	line=${line%-->}
	line=${line%\*/}
	line=${line%%*( )}
	[[ $line != \(*\) ]] || line=${line:1:-1}
	echo "$line"
}

missing=()
wrong=()
not_dual=()
checked=0
# Binary files (git's eol attribute "-text") cannot carry a comment.
while read -r eol f; do
	[ "$eol" != "i/-text" ] || continue
	! no_comments "$f" || continue
	[ -f "$f" ] || continue	# deleted in the working tree, not yet committed
	checked=$((checked + 1))
	lic=$(spdx_of "$f")
	if [ -z "$lic" ]; then
		missing+=("$f")
		continue
	fi
	case $f in
	include/uapi/* | Documentation/netlink/specs/* | kmod/*-nl-gen.[ch])
		[ "$lic" = "$dual" ] || not_dual+=("$f: $lic") ;;
	*)
		[ "$lic" = "$gpl" ] || [ "$lic" = "$dual" ] || wrong+=("$f: $lic") ;;
	esac
done < <(git ls-files --eol | awk '{ f = $0; sub(/^[^\t]*\t/, "", f); print $1, f }')

tap_diag "$checked tracked files checked"
tap_result "every tracked file starts with an SPDX line" ${#missing[@]} \
	"missing or not first:" "${missing[@]}"
tap_result "licenses are GPL-2.0 or the uapi dual license" ${#wrong[@]} \
	"${wrong[@]}"
tap_result "uapi header and netlink spec carry the dual license" ${#not_dual[@]} \
	"${not_dual[@]}"
tap_done
