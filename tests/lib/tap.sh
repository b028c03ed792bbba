# SPDX-License-Identifier: GPL-2.0
#
# TAP for shell suites.  Source it from a bash suite:
#
#	. "$(dirname "$0")/../lib/tap.sh"
#
#	tap_check "lo is up" ip link show lo up
#	wait_for ip -n "$NS" link show sg0 5 || tap_fail "sg0 appears"
#	tap_done
#
# Results are numbered as they come and the plan is printed last by
# tap_done, which also exits: 0 when nothing failed, 1 otherwise.  Anything
# else a suite prints to stdout must be a "# " diagnostic (tap_diag).
#
# Clean-up: on_exit CMD... runs CMD when the suite exits, however it exits,
# latest first.  netns_create VAR... makes uniquely named namespaces (with lo
# up) that are deleted on exit, so suites may run side by side.

TAP_N=0
TAP_FAILED=0
TAP_CLEANUP=()

# tap_diag LINE...: TAP diagnostics, one "# " line per input line.
tap_diag() {
	local line

	printf '%s\n' "$@" | while IFS= read -r line; do
		printf '# %s\n' "$line"
	done
}

tap_ok() {
	TAP_N=$((TAP_N + 1))
	printf 'ok %d %s\n' "$TAP_N" "$1"
}

# tap_fail NAME [DIAGNOSTIC...]
tap_fail() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	printf 'not ok %d %s\n' "$TAP_N" "$1"
	shift
	[ $# -eq 0 ] || tap_diag "$@"
}

# tap_skip NAME REASON
tap_skip() {
	TAP_N=$((TAP_N + 1))
	printf 'ok %d %s # SKIP %s\n' "$TAP_N" "$1" "$2"
}

# tap_result NAME STATUS [DIAGNOSTIC...]: ok when STATUS is 0.
tap_result() {
	local name=$1 status=$2

	shift 2
	if [ "$status" -eq 0 ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "$@"
	fi
}

# tap_check NAME CMD [ARG...]: ok when CMD succeeds; its output is shown
# only when it fails.
tap_check() {
	local name=$1 out status

	shift
	out=$("$@" 2>&1) && status=0 || status=$?
	tap_result "$name" "$status" "command: ${*@Q}" "exit status: $status" "$out"
}

# tap_check_fails NAME CMD [ARG...]: ok when CMD fails.
tap_check_fails() {
	local name=$1 out

	shift
	if out=$("$@" 2>&1); then
		tap_fail "$name" "command: ${*@Q}" "succeeded, expected a failure" "$out"
	else
		tap_ok "$name"
	fi
}

# tap_skip_all REASON: the whole suite cannot run here (missing tool or
# kernel feature).  Counted as one skip, never as a pass.
tap_skip_all() {
	printf '1..0 # SKIP %s\n' "$1"
	exit 0
}

tap_done() {
	printf '1..%d\n' "$TAP_N"
	[ "$TAP_FAILED" -eq 0 ] || tap_diag "$TAP_FAILED of $TAP_N failed"
	exit $((TAP_FAILED != 0))
}

_tap_cleanup() {
	local status=$? i

	trap - EXIT
	for ((i = ${#TAP_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${TAP_CLEANUP[i]}" >/dev/null 2>&1 ||
			tap_diag "clean-up failed: ${TAP_CLEANUP[i]}"
	done
	exit "$status"
}
trap _tap_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# on_exit CMD [ARG...]: run CMD (quoted as given) when the suite exits.
on_exit() {
	TAP_CLEANUP+=("$(printf '%q ' "$@")")
}

# unique_name PREFIX: PREFIX plus 6 random hex digits, so concurrent runs
# do not collide (keep PREFIX within 9 characters for interface names).
unique_name() {
	printf '%s%s\n' "$1" "$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
}

# netns_create VAR...: set each VAR to a new, uniquely named network
# namespace with lo up, deleted when the suite exits.
netns_create() {
	local var ns

	for var in "$@"; do
		ns=$(unique_name "sg-${var,,}-")
		ip netns add "$ns" || return
		on_exit ip netns del "$ns"
		ip -n "$ns" link set lo up || return
		printf -v "$var" '%s' "$ns"
	done
}

# wait_for CMD [ARG...] TIMEOUT: poll CMD every 0.1 s until it succeeds
# (status 0) or TIMEOUT seconds (may be fractional) have passed (status 1).
wait_for() {
	local timeout=${!#} secs frac= deadline
	local cmd=("${@:1:$#-1}")

	secs=${timeout%%.*}
	[[ $timeout != *.* ]] || frac=${timeout#*.}
	printf -v frac '%-6.6s' "$frac"
	frac=${frac// /0}
	deadline=$((${EPOCHREALTIME/./} + 10#${secs:-0} * 1000000 + 10#$frac))
	while :; do
		"${cmd[@]}" >/dev/null 2>&1 && return 0
		[ "${EPOCHREALTIME/./}" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}
