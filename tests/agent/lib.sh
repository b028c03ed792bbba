# SPDX-License-Identifier: GPL-2.0
#
# Topology and helpers of the agent tests and the demo (sourced after
# tests/lib/tap.sh; needs the module, root, and build/bin on PATH as
# scripts/vm-run provides).
#
#   ran namespace ($NS_RAN)            host                      app namespace ($NS_APP)
#   UEs 10.10.0.2 (slice embb)   eth0 === $IF_UP (uplink)
#       10.20.0.2 (slice urllc)                        $IF_APP === eth0 10.99.1.10 (app video)
#                                     dummy $IF_LOCAL: 10.99.9.1 (app local: receivers
#                                     in the host see skb->mark with SO_RCVMARK)
#
# One uplink carries both slices (classified by UE source prefix). App
# "local" lives in the host namespace on purpose: a namespace crossing
# scrubs skb->mark, and the policy swap test must see the mark each packet
# was given.

SG_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
SG_TESTS=$SG_REPO/build/tests
SG_PIN=/sys/fs/bpf/sliceguard
SG_TMP=$(mktemp -d /tmp/sg-agent.XXXXXX)
PATH=$SG_TESTS:$PATH

# Unique, short names: interface names are limited to 15 characters.
NS_RAN=$(unique_name sgran)
NS_APP=$(unique_name sgapp)
IF_UP=$(unique_name sgu)
IF_APP=$(unique_name sga)
IF_LOCAL=$(unique_name sgl)

UE_EMBB=10.10.0.2
UE_URLLC=10.20.0.2
APP_VIDEO=10.99.1.10
APP_LOCAL=10.99.9.1

in_ran() { ip netns exec "$NS_RAN" "$@"; }
in_app() { ip netns exec "$NS_APP" "$@"; }

topo_up() {
	ip netns add "$NS_RAN"
	ip netns add "$NS_APP"
	ip link add "$IF_UP" type veth peer name eth0 netns "$NS_RAN"
	ip link add "$IF_APP" type veth peer name eth0 netns "$NS_APP"
	ip link add "$IF_LOCAL" type dummy
	sysctl -qw net.ipv4.ip_forward=1
	sysctl -qw net.ipv4.conf.all.rp_filter=0
	ip addr add 10.10.0.1/16 dev "$IF_UP"
	ip addr add 10.20.0.1/16 dev "$IF_UP"
	ip addr add 10.99.1.1/24 dev "$IF_APP"
	ip addr add "$APP_LOCAL/32" dev "$IF_LOCAL"
	ip link set "$IF_UP" up
	ip link set "$IF_APP" up
	ip link set "$IF_LOCAL" up
	in_ran ip link set lo up
	in_ran ip addr add "$UE_EMBB/16" dev eth0
	in_ran ip addr add "$UE_URLLC/16" dev eth0
	in_ran ip link set eth0 up
	in_ran ip route add default via 10.10.0.1 dev eth0
	in_app ip link set lo up
	in_app ip addr add "$APP_VIDEO/24" dev eth0
	in_app ip link set eth0 up
	in_app ip route add default via 10.99.1.1 dev eth0
}

# The policy every test starts from (slicectl batch format).
base_policy() {
	cat <<POLICY
slice add embb id 1 sst 1 ue 10.10.0.0/16 mark 0x101
slice add urllc id 2 sst 2 ue 10.20.0.0/16 mark 0x201
app add video id 10 slice embb addr $APP_VIDEO proto udp port 5000-5999 dev $IF_APP
app add local id 20 slice urllc slice embb addr $APP_LOCAL proto udp port 6000-6999
uplink add dev $IF_UP mode ip unsliced drop
rule add id 3 from slice urllc to app local proto udp port 6003
POLICY
}

load_policy() {
	printf '%s\n' "$1" >"$SG_TMP/policy.sg"
	slicectl -batch "$SG_TMP/policy.sg"
}

AGENT_PID=
AGENT_LOG=$SG_TMP/agent.log

# agent_start [ARGS...]: start sliceguardd in the background, log appended.
agent_start() {
	sliceguardd -v "$@" >>"$AGENT_LOG" 2>&1 &
	AGENT_PID=$!
}

agent_stop() {
	[ -n "$AGENT_PID" ] || return 0
	kill "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
}

agent_kill9() {
	kill -9 "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
}

# Number of agent log lines matching a pattern (grep -E).
agent_log_count() { grep -cE "$1" "$AGENT_LOG" || true; }

# The data path's active generation, or "none".
dp_generation() { sg-counters 2>/dev/null | jq -r .generation || echo none; }
dp_reason() { sg-counters | jq -r ".reasons.$1.packets"; }

# The module's committed generation.
module_generation() { slicectl -j policy export | jq -r .generation; }

# wait_until SECONDS CMD...: tap.sh's wait_for with the bound first.
wait_until() {
	local secs=$1

	shift
	wait_for "$@" "$secs"
}

dp_at_module_generation() {
	local g

	g=$(module_generation) || return 1
	[ "$(dp_generation)" = "$g" ]
}

# recv_start NAME NETNS|- ADDR PORT...: sg-flow receiver, counts in $SG_TMP/NAME.*
recv_start() {
	local name=$1 ns=$2 addr=$3

	shift 3
	rm -f "$SG_TMP/$name.ready"
	if [ "$ns" = - ]; then
		sg-flow recv -a "$addr" -R "$SG_TMP/$name.ready" -c "$SG_TMP/$name.count" "$@" \
			>"$SG_TMP/$name.json" &
	else
		ip netns exec "$ns" sg-flow recv -a "$addr" -R "$SG_TMP/$name.ready" \
			-c "$SG_TMP/$name.count" "$@" >"$SG_TMP/$name.json" &
	fi
	eval "RECV_PID_$name=$!"
	wait_until 10 test -e "$SG_TMP/$name.ready"
}

recv_stop() {
	local pid

	eval "pid=\$RECV_PID_$1"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# Received packets of one port (all marks), from a stopped receiver.
recv_port() { jq "[.[] | select(.port == $2) | .packets] | add // 0" "$SG_TMP/$1.json"; }
# Received packets of one port with one mark.
recv_port_mark() {
	jq "[.[] | select(.port == $2 and .mark == $3) | .packets] | add // 0" "$SG_TMP/$1.json"
}
# Total so far of a running receiver.
recv_total() { cut -d' ' -f1 "$SG_TMP/$1.count"; }
recv_first_ns() { cut -d' ' -f2 "$SG_TMP/$1.count"; }
recv_last_ns() { cut -d' ' -f3 "$SG_TMP/$1.count"; }

# Predicates for wait_until, evaluated afresh on every poll.
recv_total_gt() { [ "$(recv_total "$1")" -gt "$2" ]; }
# No datagram for the last $2 ms.
recv_quiet_ms() { [ $(($(now_ns) - $(recv_last_ns "$1"))) -gt $(($2 * 1000000)) ]; }
agent_log_count_gt() { [ "$(agent_log_count "$1")" -gt "$2" ]; }

sent_port() { jq "[.[] | select(.port == $2) | .sent] | add // 0" "$SG_TMP/$1.sent.json"; }

# The state every test starts from: no agent, no pins, module empty.
# Removing the pins releases the links (the agent is stopped, nothing else
# holds them): the same end as --detach, without loading the BPF object,
# which takes the better part of a minute under emulation. test 8 covers
# --detach itself.
reset_state() {
	agent_stop
	rm -rf "$SG_PIN"
	slicectl policy flush >/dev/null 2>&1
	: >"$AGENT_LOG"
}

topo_down() {
	agent_stop
	sliceguardd --detach >/dev/null 2>&1
	ip netns del "$NS_RAN" 2>/dev/null
	ip netns del "$NS_APP" 2>/dev/null
	ip link del "$IF_UP" 2>/dev/null
	ip link del "$IF_APP" 2>/dev/null
	ip link del "$IF_LOCAL" 2>/dev/null
	rm -rf "$SG_TMP"
}

now_ns() { echo $((${EPOCHREALTIME/./} * 1000)); }

# send_start NAME SRC DST PPS SECONDS PORT...: a sender in the ran
# namespace ($SEND_OPTS: more sg-flow send options); sent counts in
# $SG_TMP/NAME.sent.json once it ended or was stopped.
send_start() {
	local name=$1 src=$2 dst=$3 pps=$4 secs=$5

	shift 5
	# Not through in_ran: a backgrounded function is a subshell, and $!
	# would be the shell, not sg-flow.
	# shellcheck disable=SC2086
	ip netns exec "$NS_RAN" sg-flow send ${SEND_OPTS:-} -s "$src" -r "$pps" -d "$secs" "$dst" "$@" \
		>"$SG_TMP/$name.sent.json" &
	eval "SEND_PID_$name=$!"
}

send_stop() {
	local pid

	eval "pid=\$SEND_PID_$1"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

send_wait() {
	local pid

	eval "pid=\$SEND_PID_$1"
	wait "$pid"
}
