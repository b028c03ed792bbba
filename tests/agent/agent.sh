#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sliceguardd end to end (VM suite): the agent between slicectl, the module
# and the data path, with real UDP traffic between namespaces. Counts come
# from both ends (sg-flow) and from the data path's reason counters
# (sg-counters). Latencies are reported, never asserted.
set -u
here=$(dirname "$0")
. "$here/../lib/tap.sh"
. "$here/lib.sh"

[ -e /sys/module/sliceguard ] || {
	tap_fail "sliceguard module loaded" "run this suite with scripts/vm-run"
	tap_done
}
for bin in sliceguardd slicectl sg-flow sg-counters; do
	command -v "$bin" >/dev/null || {
		tap_fail "$bin built" "make all \$(TEST_BINS) first"
		tap_done
	}
done
on_exit topo_down
topo_up

ms() { echo $((($1) / 1000000)); }

# Agent up and enforcing the module's current generation.
start_synced() {
	agent_start "$@"
	wait_until 60 dp_at_module_generation
}

fail_with_log() {
	tap_fail "$1" "${@:2}" "agent log:" "$(tail -n 30 "$AGENT_LOG")"
}

# --- 1. slicectl changes reach the data path ------------------------------
test_cli_to_enforcement() {
	local t0 t1 first last lat_add lat_del total

	reset_state
	load_policy "$(base_policy)" >/dev/null
	start_synced || { fail_with_log "agent applies the initial policy"; return; }
	tap_ok "agent applies the initial policy (generation $(dp_generation))"

	recv_start cli "$NS_APP" "$APP_VIDEO" 5001
	send_start cli "$UE_EMBB" "$APP_VIDEO" 100 120 5001
	sleep 1
	total=$(recv_total cli)
	tap_result "no rule: embb UE to video udp/5001 is dropped" "$((total != 0))" \
		"received $total"

	t0=$(now_ns)
	slicectl rule add id 5 from slice embb to app video proto udp port 5001
	if wait_until 30 recv_total_gt cli 0; then
		first=$(recv_first_ns cli)
		lat_add=$(ms "first - t0")
		tap_ok "rule added with slicectl passes traffic (first packet after $lat_add ms)"
	else
		fail_with_log "rule added with slicectl passes traffic"
	fi

	t1=$(now_ns)
	slicectl rule del 5
	# Stopped: no packet for a second while 100 per second are sent.
	if wait_until 30 recv_quiet_ms cli 1000; then
		last=$(recv_last_ns cli)
		lat_del=$(ms "last > t1 ? last - t1 : 0")
		tap_ok "rule removed with slicectl stops traffic (last packet $lat_del ms after the command)"
	else
		fail_with_log "rule removed with slicectl stops traffic" \
			"packets still arriving $(ms "$(now_ns) - t1") ms after rule del"
	fi
	send_stop cli
	recv_stop cli
}

# --- 2. policy swaps under traffic are atomic -----------------------------
# Generation A: urllc's mark 0xa1 and rule 4 allows udp/6001; generation B:
# mark 0xb2 and rule 4 allows udp/6002; rule 3 (udp/6003) never changes.
# The receiver records mark and port of every datagram: 6001 may only ever
# carry 0xa1, 6002 only 0xb2; anything else is a packet that one generation
# let through and another one marked.
swap_batch() {
	cat <<POLICY
slice set urllc id 2 sst 2 ue 10.20.0.0/16 mark $1
rule set id 4 from slice urllc to app local proto udp port $2
POLICY
}

# test_policy_swap fresh|steady: "fresh" sends every datagram as a flow of
# its own (sg-flow -P), so each is decided by the rules of the generation it
# meets; "steady" keeps one 5-tuple per port, so flows allowed by one
# generation must be re-decided by the next.
test_policy_swap() {
	local mode=$1 swaps=10 i gens0 gens mixed ok6001 ok6002 sent3 recv3 a3 b3 bad

	reset_state
	load_policy "$(base_policy | sed 's/mark 0x201/mark 0xa1/')
rule add id 4 from slice urllc to app local proto udp port 6001" >/dev/null
	start_synced || { fail_with_log "$mode: agent applies the swap test policy"; return; }

	recv_start swap - "$APP_LOCAL" 6001 6002 6003
	if [ "$mode" = fresh ]; then
		SEND_OPTS="-P 10000" send_start swap "$UE_URLLC" "$APP_LOCAL" 100 500 6001 6002 6003
	else
		send_start swap "$UE_URLLC" "$APP_LOCAL" 100 500 6001 6002 6003
	fi
	sleep 1
	gens0=$(agent_log_count "applied generation")
	swap_batch 0xb2 6002 >"$SG_TMP/swap-b.sg"
	swap_batch 0xa1 6001 >"$SG_TMP/swap-a.sg"
	for ((i = 0; i < swaps; i++)); do
		slicectl -batch "$SG_TMP/swap-b.sg" >/dev/null || break
		sleep 0.2
		slicectl -batch "$SG_TMP/swap-a.sg" >/dev/null || break
		sleep 0.2
	done
	wait_until 30 dp_at_module_generation
	sleep 1
	send_stop swap
	sleep 0.5
	recv_stop swap
	gens=$(($(agent_log_count "applied generation") - gens0))

	tap_diag "$mode: received (port, mark, packets): $(jq -c 'map([.port, .mark, .packets])' "$SG_TMP/swap.json")"
	mixed=$(jq '[.[] | select((.port == 6001 and .mark != 161) or
				  (.port == 6002 and .mark != 178) or
				  (.port == 6003 and .mark != 161 and .mark != 178))
			 | .packets] | add // 0' "$SG_TMP/swap.json")
	ok6001=$(recv_port_mark swap 6001 161)
	ok6002=$(recv_port_mark swap 6002 178)
	a3=$(recv_port_mark swap 6003 161)
	b3=$(recv_port_mark swap 6003 178)
	bad=$((i != swaps || ok6001 == 0 || ok6002 == 0 || a3 == 0 || b3 == 0))
	tap_result "$mode: $((2 * swaps)) swaps under traffic, both generations carried traffic ($gens generations applied)" \
		"$bad" "swaps done: $i; 6001/0xa1: $ok6001, 6002/0xb2: $ok6002, 6003: $a3 + $b3"
	tap_result "$mode: no packet decided by a mix of two generations" "$((mixed != 0))" \
		"$mixed packets carried the mark of the other generation"
	sent3=$(sent_port swap 6003)
	recv3=$(recv_port swap 6003)
	tap_result "$mode: unchanged rule lost nothing across the swaps ($recv3 of $sent3)" \
		"$((sent3 == 0 || recv3 != sent3))" "sent $sent3, received $recv3"
}

# --- 3. kill -9 under traffic ---------------------------------------------
# 50 SIGKILLs at varying moments of the agent's life: while it loads the BPF
# object, while it dumps or applies (a half-written inactive slot must never
# become active), and after it settled (the last round waits for the
# apply). The denied flows must never pass, the allowed one never drop.
test_kill9() {
	local rounds=50 i applied settled=0 start_ns sent3 recv3 recv4 recv5 drop0 drop1 denied
	local delays=(0.2 0.7 1.5 3 5)

	reset_state
	load_policy "$(base_policy)" >/dev/null
	start_synced || { fail_with_log "agent applies the kill -9 test policy"; return; }

	recv_start k9 - "$APP_LOCAL" 6003 6004 6005
	drop0=$(dp_reason NO_RULE)
	# 6003 allowed (rule 3); 6004: urllc, port not allowed; 6005: embb, no rule.
	send_start k9a "$UE_URLLC" "$APP_LOCAL" 100 3000 6003 6004
	send_start k9b "$UE_EMBB" "$APP_LOCAL" 50 3000 6005
	sleep 1
	start_ns=$(now_ns)
	for ((i = 1; i <= rounds; i++)); do
		applied=$(agent_log_count "applied generation")
		agent_kill9
		agent_start
		if ((i == rounds)); then
			wait_until 180 agent_log_count_gt "applied generation" "$applied" || break
			settled=$((settled + 1))
		else
			sleep "${delays[i % ${#delays[@]}]}"
		fi
	done
	tap_diag "$((i - 1)) kills in $(ms "$(now_ns) - start_ns") ms, $settled after a full sync"
	sleep 1
	send_stop k9a
	send_stop k9b
	sleep 0.5
	recv_stop k9
	drop1=$(dp_reason NO_RULE)

	tap_result "agent killed with SIGKILL $rounds times under traffic, restarted each time" \
		"$((i <= rounds))" "round $i: the agent did not apply the policy" \
		"$(tail -n 20 "$AGENT_LOG")"
	recv4=$(recv_port k9 6004)
	recv5=$(recv_port k9 6005)
	denied=$(($(sent_port k9a 6004) + $(sent_port k9b 6005)))
	tap_result "denied flows: none of $denied packets passed" "$((denied == 0 || recv4 + recv5 != 0))" \
		"udp/6004 received $recv4, embb udp/6005 received $recv5"
	tap_result "denied packets counted as NO_RULE drops ($((drop1 - drop0)))" \
		"$((drop1 - drop0 < denied))" "NO_RULE grew by $((drop1 - drop0)), $denied denied packets sent"
	sent3=$(sent_port k9a 6003)
	recv3=$(recv_port k9 6003)
	tap_result "allowed flow: all $sent3 packets passed across the kills" \
		"$((sent3 == 0 || recv3 != sent3))" "sent $sent3, received $recv3"
}

# --- 4. module unloaded and reloaded under the agent ----------------------
test_module_reload() {
	local ko=$SG_REPO/kmod/sliceguard.ko gen r3 r4

	reset_state
	load_policy "$(base_policy)" >/dev/null
	start_synced || { fail_with_log "agent applies the reload test policy"; return; }
	gen=$(dp_generation)

	recv_start r3 - "$APP_LOCAL" 6003
	recv_start r4 - "$APP_LOCAL" 6004
	send_start rl "$UE_URLLC" "$APP_LOCAL" 50 600 6003 6004
	if ! rmmod sliceguard; then
		tap_fail "module unloads with the agent running"
		send_stop rl; recv_stop r3; recv_stop r4
		return
	fi
	wait_until 20 agent_log_count_gt "module gone" 0
	tap_result "agent notices the module is gone" $? "$(tail -n 5 "$AGENT_LOG")"
	r3=$(recv_total r3)
	sleep 2
	tap_result "without the module, generation $gen keeps enforcing" \
		"$(($(recv_total r3) <= r3 || $(recv_total r4) != 0 || $(dp_generation) != gen))" \
		"udp/6003 $r3 -> $(recv_total r3), udp/6004 $(recv_total r4), dp generation $(dp_generation)"

	insmod "$ko"
	wait_until 20 agent_log_count_gt "connected to the sliceguard module" 1
	tap_result "agent reconnects when the module comes back" $? "$(tail -n 5 "$AGENT_LOG")"
	wait_until 20 agent_log_count_gt "holds no policy yet" 0
	r3=$(recv_total r3)
	sleep 1
	tap_result "an empty reloaded module does not replace the enforced policy" \
		"$(($(recv_total r3) <= r3 || $(recv_total r4) != 0 || $(dp_generation) != gen))" \
		"udp/6003 $r3 -> $(recv_total r3), udp/6004 $(recv_total r4), dp generation $(dp_generation)"

	load_policy "$(base_policy)
rule add id 6 from slice urllc to app local proto udp port 6004" >/dev/null
	wait_until 30 recv_total_gt r4 0
	tap_result "policy loaded into the reloaded module is applied" $? \
		"$(tail -n 5 "$AGENT_LOG")"
	send_stop rl
	recv_stop r3
	recv_stop r4
}

# --- 5. interface created after the policy that names it ------------------
test_late_interface() {
	local ns if_late r

	reset_state
	if_late=$(unique_name sgt)
	netns_create NS_LATE
	ns=$NS_LATE
	load_policy "$(base_policy)
app add late id 30 slice urllc addr 10.99.2.10 proto udp port 7000-7999 dev $if_late
rule add id 7 from slice urllc to app late proto udp port 7001" >/dev/null
	start_synced || { fail_with_log "agent applies a policy naming a missing interface"; return; }
	tap_result "agent reports the missing interface" \
		"$(($(agent_log_count "$if_late does not exist") == 0))" "$(tail -n 5 "$AGENT_LOG")"

	ip link add "$if_late" type veth peer name eth0 netns "$ns"
	on_exit ip link del "$if_late"
	ip addr add 10.99.2.1/24 dev "$if_late"
	ip link set "$if_late" up
	ip -n "$ns" addr add 10.99.2.10/24 dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add default via 10.99.2.1
	wait_until 20 agent_log_count_gt "attached to app interface $if_late" 0
	tap_result "agent attaches the interface when it appears" $? "$(tail -n 5 "$AGENT_LOG")"
	wait_until 20 agent_log_count_gt "applied generation .* for changed interfaces" 0

	# Allowed: urllc UE -> late udp/7001. Denied: late -> urllc UE (no rule).
	recv_start late "$ns" 10.99.2.10 7001
	recv_start ue "$NS_RAN" "$UE_URLLC" 9999
	send_start late "$UE_URLLC" 10.99.2.10 50 3 7001
	ip netns exec "$ns" sg-flow send -r 50 -d 3 "$UE_URLLC" 9999 >"$SG_TMP/late-out.json"
	send_wait late
	sleep 0.5
	recv_stop late
	recv_stop ue
	r=$(recv_port late 7001)
	tap_result "traffic the policy allows reaches the late app ($r of $(sent_port late 7001))" \
		"$((r != $(sent_port late 7001)))"
	r=$(recv_port ue 9999)
	tap_result "the late app cannot open flows the policy does not allow" "$((r != 0))" \
		"UE received $r datagrams from the app"
}

# --- 6. agent started before the module -----------------------------------
test_agent_before_module() {
	local ko=$SG_REPO/kmod/sliceguard.ko r3 r4

	reset_state
	rmmod sliceguard || { tap_fail "module unloads"; return; }
	agent_start
	wait_until 20 agent_log_count_gt "waiting for it" 0
	tap_result "agent started without the module waits for it" $? "$(tail -n 5 "$AGENT_LOG")"
	insmod "$ko"
	load_policy "$(base_policy)" >/dev/null
	wait_until 30 dp_at_module_generation
	tap_result "agent applies the policy once the module is there" $? "$(tail -n 10 "$AGENT_LOG")"

	recv_start b3 - "$APP_LOCAL" 6003 6004
	send_start b3 "$UE_URLLC" "$APP_LOCAL" 50 2 6003 6004
	send_wait b3
	sleep 0.5
	recv_stop b3
	r3=$(recv_port b3 6003)
	r4=$(recv_port b3 6004)
	tap_result "and enforces it" "$((r3 != $(sent_port b3 6003) || r4 != 0))" \
		"udp/6003 $r3 of $(sent_port b3 6003), udp/6004 $r4"
}

# --- 7. declarative mode --------------------------------------------------
policy_rules_are() { [ "$(slicectl -j policy export | jq '.rules | length')" = "$1" ]; }
rule_ports_are() {
	slicectl -j policy export |
		jq -e "[.rules[].\"port-first\"] | sort == $1" >/dev/null
}

test_declarative() {
	local file=$SG_TMP/declared.sg gen gen0

	reset_state
	gen0=$(module_generation)
	base_policy >"$file"
	agent_start --policy "$file"
	wait_until 30 policy_rules_are 1
	tap_result "--policy FILE loads the file into the module" $? "$(tail -n 10 "$AGENT_LOG")"
	wait_until 30 dp_at_module_generation
	gen=$(module_generation)
	tap_result "the file became one generation" "$((gen != gen0 + 1))" \
		"module generation $gen0 -> $gen"

	# Out-of-band change, then a new file: one transaction undoes the
	# former and applies the latter.
	slicectl rule add id 9 from slice embb to app local proto udp port 6009
	gen=$(module_generation)
	{ base_policy; echo "rule add from slice urllc to app local proto udp port 6004"; } \
		>"$file.new"
	mv "$file.new" "$file"
	wait_until 30 rule_ports_are "[6003, 6004]"
	tap_result "a changed file is reconciled: extra rule removed, new rule added" $? \
		"$(slicectl -j policy export | jq -c .rules)" "$(tail -n 10 "$AGENT_LOG")"
	tap_result "in one transaction" "$(($(module_generation) != gen + 1))" \
		"generation $gen -> $(module_generation)"

	gen=$(module_generation)
	echo "rule add from slice nosuch to app local" >>"$file"
	wait_until 20 agent_log_count_gt "$file: line" 0
	tap_result "a broken file is reported and changes nothing" \
		"$(($? != 0 || $(module_generation) != gen))" "$(tail -n 5 "$AGENT_LOG")"
	agent_stop
}

# --- 8. slices told apart by VLAN: tags visible, VLAN devices known -------
test_uplink_vlans() {
	local up_vlan=$IF_UP.400 r sent

	reset_state
	# Tags in the frame on the wire (a veth would carry them as metadata).
	in_ran ethtool -K eth0 txvlan off >/dev/null
	ethtool -K "$IF_UP" rxvlan on >/dev/null 2>&1
	load_policy "slice add embb id 1 sst 1 ue 10.10.0.0/16 mark 0x101
slice add v2x id 4 sst 4 ue 10.40.0.0/16 vlan 400 mark 0x401
app add video id 10 slice embb slice v2x addr $APP_VIDEO proto udp port 5000-5999 dev $IF_APP
uplink add dev $IF_UP mode ip unsliced drop
rule add id 1 from slice v2x to app video proto udp port 5400" >/dev/null
	start_synced || { fail_with_log "agent applies a policy with a VLAN slice"; return; }
	ethtool -k "$IF_UP" | grep -q '^rx-vlan-offload: off'
	tap_result "agent turns rx VLAN offload off on the uplink" $? \
		"$(ethtool -k "$IF_UP" | grep vlan)" "$(tail -n 5 "$AGENT_LOG")"

	# The kernel hands VLAN 400 to the stack on $up_vlan: app egress must
	# know it as the uplink's, or every V2X packet would be a SPOOF there.
	ip link add link "$IF_UP" name "$up_vlan" type vlan id 400
	ip addr add 10.40.0.1/16 dev "$up_vlan"
	ip link set "$up_vlan" up
	in_ran ip link add link eth0 name eth0.400 type vlan id 400
	in_ran ip addr add 10.40.0.2/16 dev eth0.400
	in_ran ip link set eth0.400 up
	in_ran ip route add "$APP_VIDEO/32" via 10.40.0.1 dev eth0.400
	wait_until 20 agent_log_count_gt "applied generation .* for changed interfaces" 0
	tap_result "agent applies again when a VLAN device appears on the uplink" $? \
		"$(tail -n 5 "$AGENT_LOG")"

	recv_start vlan "$NS_APP" "$APP_VIDEO" 5400
	send_start vlan 10.40.0.2 "$APP_VIDEO" 50 2 5400
	send_wait vlan
	sleep 0.5
	recv_stop vlan
	r=$(recv_port vlan 5400)
	sent=$(sent_port vlan 5400)
	tap_result "a V2X UE on its VLAN reaches the app through the VLAN device ($r of $sent)" \
		"$((sent == 0 || r != sent))" "SPOOF $(dp_reason SPOOF)"
	in_ran ip link del eth0.400
	ip link del "$up_vlan"
	in_ran ethtool -K eth0 txvlan on >/dev/null
}

# --- 9. stop leaves enforcement, --detach removes it ----------------------
test_stop_and_detach() {
	local r4

	reset_state
	load_policy "$(base_policy)" >/dev/null
	start_synced || { fail_with_log "agent applies the detach test policy"; return; }
	agent_stop
	recv_start d4 - "$APP_LOCAL" 6004
	send_start d4 "$UE_URLLC" "$APP_LOCAL" 50 2 6004
	send_wait d4
	sleep 0.5
	r4=$(recv_total d4)
	tap_result "after SIGTERM the data path keeps enforcing" "$((r4 != 0))" \
		"denied udp/6004 received $r4"

	sliceguardd --detach >>"$AGENT_LOG" 2>&1
	tap_result "--detach succeeds" $? "$(tail -n 5 "$AGENT_LOG")"
	tap_result "--detach leaves no pins" "$(find "$SG_PIN" -mindepth 1 2>/dev/null | grep -c .)" \
		"$(find "$SG_PIN" 2>/dev/null)"
	tap_result "--detach leaves no XDP or TC program on the uplink" \
		"$(bpftool -j net show dev "$IF_UP" | jq '[.[] | to_entries[] | .value | length] | add // 0')" \
		"$(bpftool net show dev "$IF_UP")"
	send_start d4 "$UE_URLLC" "$APP_LOCAL" 50 2 6004
	send_wait d4
	sleep 0.5
	recv_stop d4
	tap_result "and traffic is no longer filtered" "$(($(recv_total d4) == r4))"
}

start=$(now_ns)
test_cli_to_enforcement
test_policy_swap fresh
test_policy_swap steady
test_kill9
test_module_reload
test_late_interface
test_agent_before_module
test_declarative
test_uplink_vlans
test_stop_and_detach
tap_diag "agent suite ran $(ms "$(now_ns) - start") ms"
tap_done
