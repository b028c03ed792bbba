#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/control.sh [--quick]: control-plane and memory benchmarks, run inside
# the test VM (scripts/vm-run bench/control.sh; bench/control-run.sh does that
# and collects the results). Needs the module, root, build/bin on PATH,
# build/bench/ctlbench and build/tests/sg-counters.
#
#   1. rules per second into the policy store, through `slicectl -batch` and
#      through the netlink API (bench/ctlbench.c), and the commit time;
#   2. commit-to-enforcement latency of single-rule changes with the agent
#      (sliceguardd, as tests/agent/agent.sh starts it) running;
#   3. kernel memory per slice, app, rule and UE prefix (memcg and slab
#      deltas), and the memory of the data path's maps and per flow.
#
# Writes control.json and memory.json to ${SG_BENCH_OUT:-build/bench/results}
# when that is writable; the VM sees the host read-only, so both are also
# printed between marker lines for bench/control-run.sh to extract.
# SG_BENCH_QUICK=1 (or --quick): small sizes, same output shape.
# SG_BENCH_BUDGET_S (default 600): longest step this run attempts; a size
# whose commit is predicted to take longer is staged and aborted instead.
# Numbers are reported, never asserted.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
ctlbench=$repo/build/bench/ctlbench
counters=$repo/build/tests/sg-counters
quick=${SG_BENCH_QUICK:-0}
[ "${1:-}" = --quick ] && quick=1
budget=${SG_BENCH_BUDGET_S:-600}
out=${SG_BENCH_OUT:-build/bench/results}
[[ $out = /* ]] || out=$repo/$out

# The store benchmark spreads rules over 10 slices x 10 apps: 100 flows per
# destination port, so every rule is distinct and every size fits ports.
S=10
A=10
if [ "$quick" = 1 ]; then
	mode=quick
	store_sizes=(500 1000)
	churn_changes=20
	mem_slices=100
	mem_apps=500
	mem_rules=2000
	fill_flows=4096
else
	mode=full
	# 5000 is a scaling point: with 10000 it shows how commit time grows.
	store_sizes=(5000 10000 100000)
	churn_changes=200
	mem_slices=500
	mem_apps=5000
	mem_rules=10000
	fill_flows=65536
fi
# The largest rule id there can be: never one the benchmark creates.
max_rule_id=$(awk '$2 == "SLICEGUARD_MAX_RULE_ID" { print $3 }' \
	"$repo/include/uapi/linux/sliceguard.h")
# The data path holds at most SG_MAX_RULES (1024) rules: the churn runs on
# 1000 and adds a 1001st.
churn_base=1000

UPLINK=sgcu0
PIN=/sys/fs/bpf/sliceguard
CG=/sys/fs/cgroup
work=$(mktemp -d /tmp/sg-control.XXXXXX)
params=/sys/module/sliceguard/parameters
declare -A saved_params=()
agent_pid=
cmds=()

# The VM's console is a terminal: keep jq's output free of colour codes.
jq() { command jq -M "$@"; }
log() { printf '%s\n' "$*" >&2; }
die() {
	log "control.sh: $*"
	exit 1
}

cleanup() {
	local p

	set +e
	if [ -n "$agent_pid" ]; then
		kill "$agent_pid" 2>/dev/null
		wait "$agent_pid" 2>/dev/null
	fi
	# Removing the pins releases the links (the agent is gone); --detach
	# would load the BPF object again, a minute under emulation.
	rm -rf "$PIN"
	slicectl policy flush >/dev/null 2>&1
	ip link del "$UPLINK" 2>/dev/null
	for p in "${!saved_params[@]}"; do
		echo "${saved_params[$p]}" >"$params/$p"
	done
	echo $$ >"$CG/cgroup.procs" 2>/dev/null
	rmdir "$CG/sgbench-mem" "$CG/sgbench-agent" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

[ -e /sys/module/sliceguard ] || die "module not loaded: run with scripts/vm-run"
[ "$(id -u)" = 0 ] || die "needs root"
for f in "$ctlbench" "$counters"; do
	[ -x "$f" ] || die "$f missing: make $f"
done
for b in slicectl sliceguardd bpftool jq; do
	command -v "$b" >/dev/null || die "$b not found"
done

now() { echo "$EPOCHREALTIME"; }
# Seconds between two now() values, as a JSON number.
elapsed() { jq -n "$2 - $1"; }

# Module limits raised for the run (0644 parameters, restored on exit). The
# data path keeps its own, compiled-in limits (bpf/sliceguard_dp.h).
set_param() {
	saved_params[$1]=$(cat "$params/$1")
	echo "$2" >"$params/$1"
}
set_param max_rules 200000
set_param max_slices 4095
set_param max_apps 65535

ip link add "$UPLINK" type veth peer name "${UPLINK}p"
ip link set "$UPLINK" up
ip link set "${UPLINK}p" up

flush() { slicectl policy flush >/dev/null; }

# The slices and apps the rules name, as their own transaction.
store_base() {
	"$ctlbench" add -k slice -n "$S" >/dev/null
	"$ctlbench" add -k app -n "$A" -S "$S" >/dev/null
}

# ---- 1. rules per second into the store ----------------------------------
store_rows='[]'
commit_points='[]'
store_row() { store_rows=$(jq -c --argjson r "$1" '. + [$r]' <<<"$store_rows"); }

# Commit seconds predicted for n rules from the two largest measured sizes
# (a power law through them), or empty with fewer than two.
predict_commit() {
	jq -r --argjson n "$1" '
		if length < 2 then "" else
		(.[-2:]) as [$a, $b] |
		((($b.s / $a.s) | log) / (($b.n / $a.n) | log)) as $e |
		{e: $e, s: ($b.s * pow($n / $b.n; $e))} | "\(.e) \(.s)" end' <<<"$commit_points"
}

store_size() {
	local n=$1 pred e pc t0 t1 res add_s commit_s staged_only=0 note rc

	pred=$(predict_commit "$n")
	if [ -n "$pred" ]; then
		read -r e pc <<<"$pred"
		if jq -e -n "$pc > $budget" >/dev/null; then
			staged_only=1
			note=$(jq -rn --argjson e "$e" --argjson pc "$pc" --argjson b "$budget" '
				"commit not reached: measured commit time grows as n^\($e * 100 | round / 100), which predicts \($pc | round) s here, beyond this run'"'"'s budget of \($b) s; rules staged, then tx-abort"')
		fi
	fi
	log "store: $n rules${pred:+ (commit predicted ${pc%.*} s)}"

	# slicectl -batch: a file of rule lines, one transaction, commit at
	# the end. When the commit is out of reach, a last line naming a rule
	# that does not exist makes slicectl abort after staging every rule.
	flush
	store_base
	"$ctlbench" gen -k rule -n "$n" -S "$S" -A "$A" >"$work/rules.sg"
	[ "$staged_only" = 1 ] && echo "rule del id $max_rule_id" >>"$work/rules.sg"
	t0=$(now)
	rc=0
	timeout "$budget" slicectl -batch "$work/rules.sg" >/dev/null 2>"$work/slicectl.err" || rc=$?
	t1=$(now)
	if [ "$staged_only" = 1 ] && [ "$rc" = 1 ] && grep -q "rule not found" "$work/slicectl.err"; then
		store_row "$(jq -nc --argjson n "$n" --argjson t "$(elapsed "$t0" "$t1")" --arg note "$note" \
			'[$n, "slicectl -batch", null, null, null, ($t * 1000 | round / 1000), ($n / $t | round), $note + " (a last line deleting a missing rule makes slicectl abort; total s is parsing and staging)"]')"
	elif [ "$rc" = 0 ] && [ "$staged_only" = 0 ]; then
		store_row "$(jq -nc --argjson n "$n" --argjson t "$(elapsed "$t0" "$t1")" \
			'[$n, "slicectl -batch", null, null, null, ($t * 1000 | round / 1000), ($n / $t | round), "whole slicectl process: parse, stage, commit"]')"
	elif [ "$rc" = 124 ]; then
		store_row "$(jq -nc --argjson n "$n" --argjson b "$budget" \
			'[$n, "slicectl -batch", null, null, null, null, null, "not reached: did not finish within \($b) s"]')"
	else
		die "slicectl -batch $n rules failed ($rc): $(cat "$work/slicectl.err")"
	fi
	cmds+=("ctlbench gen -k rule -n $n -S $S -A $A >rules.sg; slicectl -batch rules.sg")

	# The netlink API: one transaction, one rule-new per rule, each acked.
	flush
	store_base
	if [ "$staged_only" = 1 ]; then
		res=$("$ctlbench" add -k rule -n "$n" -S "$S" -A "$A" -x)
		add_s=$(jq .add_s <<<"$res")
		store_row "$(jq -nc --argjson n "$n" --argjson a "$add_s" --arg note "$note" \
			'[$n, "netlink (ctlbench)", ($a * 1000 | round / 1000), ($n / $a | round), null, null, null, $note]')"
		cmds+=("ctlbench add -k rule -n $n -S $S -A $A -x")
	else
		res=$("$ctlbench" add -k rule -n "$n" -S "$S" -A "$A")
		add_s=$(jq .add_s <<<"$res")
		commit_s=$(jq .commit_s <<<"$res")
		store_row "$(jq -nc --argjson n "$n" --argjson a "$add_s" --argjson c "$commit_s" \
			'[$n, "netlink (ctlbench)", ($a * 1000 | round / 1000), ($n / $a | round),
			  ($c * 1000 | round / 1000), (($a + $c) * 1000 | round / 1000), ($n / ($a + $c) | round), null]')"
		commit_points=$(jq -c --argjson n "$n" --argjson s "$commit_s" \
			'. + [{n: $n, s: $s}]' <<<"$commit_points")
		cmds+=("ctlbench add -k rule -n $n -S $S -A $A")
	fi
	flush
}

for n in "${store_sizes[@]}"; do
	store_size "$n"
done

# ---- 3a. kernel memory of the store (before the agent: no dumps running) --
# The module allocates with GFP_KERNEL_ACCOUNT, charging the writer's memory
# cgroup: the writer runs in a cgroup of its own and its "slab" counter is
# read before and after. memcg statistics are flushed every 2 s; waiting 3 s
# before each read makes them current. /proc/slabinfo (active objects x
# object size, all caches) is a second, cgroup-independent view.
echo +memory >"$CG/cgroup.subtree_control"
mkdir -p "$CG/sgbench-mem" "$CG/sgbench-agent"

slab_bytes() { awk 'NR > 2 { s += $2 * $4 } END { printf "%d\n", s }' /proc/slabinfo; }
memcg_slab() { awk '$1 == "slab" { print $2 }' "$CG/sgbench-mem/memory.stat"; }

# mem_step ARGS...: bytes the store grew by while ctlbench add ARGS ran in
# the measured cgroup, memcg view in $m, slabinfo view in $s.
mem_step() {
	local m0 s0

	sleep 2.5
	m0=$(memcg_slab)
	s0=$(slab_bytes)
	(
		echo "$BASHPID" >"$CG/sgbench-mem/cgroup.procs"
		exec "$ctlbench" add "$@" >/dev/null
	)
	sleep 2.5
	m=$(($(memcg_slab) - m0))
	s=$(($(slab_bytes) - s0))
	cmds+=("ctlbench add $* (in cgroup sgbench-mem)")
}

mem_rows='[]'
mem_row() {
	mem_rows=$(jq -c --arg what "$1" --argjson n "$2" --argjson m "$3" --argjson s "$4" \
		--arg how "$5" '. + [[$what, $n, ($m / $n | round), ($s / $n | round), $how]]' \
		<<<"$mem_rows")
}

log "memory: store objects"
flush
mem_step -k slice -n "$mem_slices" -u 1
mem_row "slice (1 UE prefix)" "$mem_slices" "$m" "$s" "$mem_slices slices in one transaction"
m1=$m
s1=$s
flush
mem_step -k slice -n "$mem_slices" -u 16
mem_row "UE prefix" "$((mem_slices * 15))" "$((m - m1))" "$((s - s1))" \
	"$mem_slices slices with 16 UE prefixes minus the same with 1, per extra prefix"
flush
"$ctlbench" add -k slice -n "$S" >/dev/null
mem_step -k app -n "$mem_apps" -S "$S"
mem_row "app (1 slice, 1 endpoint)" "$mem_apps" "$m" "$s" "$mem_apps apps in one transaction, over $S existing slices"
mem_step -k rule -n "$mem_rules" -S "$S" -A "$A"
mem_row "rule" "$mem_rules" "$m" "$s" "$mem_rules rules in one transaction, over existing slices and apps"
flush

# ---- 2. commit to enforcement with the agent -----------------------------
log "agent: starting, loading the data path"
{
	"$ctlbench" gen -k slice -n "$S"
	"$ctlbench" gen -k app -n "$A" -S "$S"
	"$ctlbench" gen -k rule -n "$churn_base" -S "$S" -A "$A"
	echo "uplink add dev $UPLINK mode ip unsliced drop"
} >"$work/base.sg"
slicectl -batch "$work/base.sg" >/dev/null
sleep 3
agent_mem0=$(awk '$1 == "kernel" { print $2 }' "$CG/sgbench-agent/memory.stat")
(
	echo "$BASHPID" >"$CG/sgbench-agent/cgroup.procs"
	exec sliceguardd -v >"$work/agent.log" 2>&1
) &
agent_pid=$!
cmds+=("slicectl -batch base.sg ($S slices, $A apps, $churn_base rules, uplink $UPLINK)" "sliceguardd -v")

module_gen() { slicectl -j policy export | jq -r .generation; }
dp_gen() { "$counters" 2>/dev/null | jq -r .generation || echo none; }
t0=$(now)
until [ "$(dp_gen)" = "$(module_gen)" ]; do
	kill -0 "$agent_pid" 2>/dev/null || die "agent exited: $(tail -n 20 "$work/agent.log")"
	jq -e -n "$(now) - $t0 < 300" >/dev/null ||
		die "agent did not apply the policy in 300 s: $(tail -n 20 "$work/agent.log")"
	sleep 0.5
done
agent_sync_s=$(elapsed "$t0" "$(now)")
log "agent: generation $(dp_gen) enforced after $agent_sync_s s; $churn_changes changes"

churn=$("$ctlbench" churn -c "$churn_changes" -i "$UPLINK" -S "$S" -A "$A" -r "$churn_base" -g 20)
cmds+=("ctlbench churn -c $churn_changes -i $UPLINK -S $S -A $A -r $churn_base -g 20")
log "churn: $churn"

# ---- 3b. data path map memory and flows ----------------------------------
log "memory: data path"
bpftool -j map show >"$work/maps.json"
cmds+=("bpftool -j map show")
sleep 3
agent_mem1=$(awk '$1 == "kernel" { print $2 }' "$CG/sgbench-agent/memory.stat")
flows_mem0=$(awk '$1 == "kernel" { print $2 }' "$CG/sgbench-agent/memory.stat")
flows=$("$ctlbench" flows -n "$fill_flows" -i "$UPLINK")
cmds+=("ctlbench flows -n $fill_flows -i $UPLINK")
sleep 3
flows_mem1=$(awk '$1 == "kernel" { print $2 }' "$CG/sgbench-agent/memory.stat")
log "flows: $flows"

# Every map in the VM belongs to the data path: the agent is the only BPF
# user here, and ctlbench holds none open now. Unnamed maps are the slot
# maps the agent creates per generation.
dp_rows=$(jq -c '
	[.[] | {name: (if .name == "" or .name == null then "(slot inner maps)" else .name end),
		type, max_entries, bytes_memlock}]
	| group_by(.name)
	| map({name: .[0].name, type: (map(.type) | unique | join(",")), count: length,
	       max_entries: (map(.max_entries) | add), bytes: (map(.bytes_memlock) | add)})
	| sort_by(-.bytes)
	| map([.name, .type, .count, .max_entries, .bytes])' "$work/maps.json")
dp_total=$(jq '[.[].bytes_memlock] | add' "$work/maps.json")
flow_map=$(jq -c '[.[] | select(.name == "sg_flows")][0]' "$work/maps.json")

# ---- results ---------------------------------------------------------------
vm_cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
env_note="Measured in the test VM (scripts/vm-run): QEMU TCG software emulation, 2 vCPUs ($vm_cpu), 2 GiB, Debian kernel $(uname -r). Emulated times: they rank and scale, but are many times slower than native hardware."

control=$(jq -n \
	--arg mode "$mode" --arg env "$env_note" \
	--argjson store "$store_rows" --argjson churn "$churn" \
	--argjson sync "$agent_sync_s" --argjson budget "$budget" \
	--argjson base "$churn_base" --arg up "$UPLINK" \
	--argjson cmds "$(printf '%s\n' "${cmds[@]}" | jq -R . | jq -s .)" '
{
  component: "control",
  title: "Control plane: rules into the policy store, and commit to enforcement",
  method: ([
    "Run with bench/control-run.sh\(if $mode == "quick" then " --quick" else "" end), which runs scripts/vm-run bench/control.sh inside the test VM with sliceguard.ko inserted. \($env)",
    "Store throughput: for each size the store is flushed, 10 slices and 10 apps are committed in their own transaction, then N rules (slice i to app j, udp, one port each, all distinct) go in as one transaction. Through slicectl: the rules as a -batch file (one tx-begin, one rule-new per line, tx-commit), timed around the whole slicectl process. Through the netlink API: bench/ctlbench.c on user/lib/policy_nl.c sends one rule-new per rule and waits for each ack, then tx-commit; the adds and the commit are timed separately (CLOCK_MONOTONIC). The module limits max_rules, max_slices and max_apps were raised for the run by writing /sys/module/sliceguard/parameters (restored afterwards). The BPF data path holds at most 1024 rules (bpf/sliceguard_dp.h): beyond that these numbers are the policy store only; no agent ran during this part.",
    "Commit to enforcement: \($base) rules (the data path maximum is 1024, so 10,000 rules in force is not reachable), 10 slices, 10 apps and an ip uplink on veth \($up) are committed; sliceguardd -v (as tests/agent/agent.sh starts it, default pin directory) loads and pins the data path and applies it. Then ctlbench makes \($churn.changes) single-rule changes, alternately adding and deleting slice 1 -> app 1 udp/65535, each its own transaction (tx-begin, rule-new or rule-del, tx-commit), 20 ms apart. From the moment tx-commit returns it polls every \($churn.poll_us) us two observables: the generation in the pinned sg_config map (what every packet decided from then on uses), and the verdict of a UE datagram to that port run through the pinned sg_uplink XDP program with BPF_PROG_TEST_RUN (pass after an add, drop after a delete; a new source port per change, so no flow entry carries over). Latency is the time to the first poll that sees the new state; statistics are nearest-rank."
  ] | join("\n\n")),
  commands: $cmds,
  tables: [
    { title: "Rules into the policy store, one transaction (\($mode) run)",
      columns: ["rules", "path", "adds s", "adds per s", "commit s", "total s", "rules per s (total)", "note"],
      rows: $store },
    { title: "Commit to enforcement, single-rule changes with \($base) rules in force (\($mode) run)",
      columns: ["observable", "changes measured", "min ms", "median ms", "p99 ms", "max ms"],
      rows: [
        ["data path generation (sg_config)", $churn.generation.n, $churn.generation.min_ms,
         $churn.generation.median_ms, $churn.generation.p99_ms, $churn.generation.max_ms],
        ["packet verdict (BPF_PROG_TEST_RUN on sg_uplink)", $churn.verdict.n, $churn.verdict.min_ms,
         $churn.verdict.median_ms, $churn.verdict.p99_ms, $churn.verdict.max_ms]
      ] }
  ],
  notes: [
    "All times are under QEMU TCG emulation with 2 vCPUs; compare them with each other, not with native hardware.",
    "Adds are one acked request each (no pipelining): the rate includes a netlink round trip per rule. Inside a transaction an add only checks the object itself; cross-object integrity (references, duplicate rules) is checked for the whole staged policy at tx-commit.",
    "The commit time grows about quadratically with the number of rules: the commit compares every rule with every other one for duplicates (slg_check_rule in kmod/store.c). Sizes whose predicted commit exceeds the run'"'"'s budget (\($budget) s) were staged and aborted instead; their commit is reported as not reached.",
    "slicectl -batch also checks every line against its own copy of the staged policy (user/lib/policy_parse.c), so its time includes that user-space work and the commit.",
    "Enforcement latency covers the agent'"'"'s whole reaction: commit notification, a full policy dump (\($base)+ rules), compiling into the inactive slot and flipping it. \($churn.missed) changes were not seen enforced within 60 s; \($churn.verdict_at_first_probe) were already enforced at the first poll.",
    "The agent needed \($sync | . * 10 | round / 10) s from start to enforcing the first generation (loading and verifying the BPF object under emulation)."
  ]
}')

memory=$(jq -n \
	--arg mode "$mode" --arg env "$env_note" \
	--argjson mem "$mem_rows" --argjson dp "$dp_rows" --argjson total "$dp_total" \
	--argjson flow "$flow_map" --argjson flows "$flows" \
	--argjson fm0 "$flows_mem0" --argjson fm1 "$flows_mem1" \
	--argjson am0 "$agent_mem0" --argjson am1 "$agent_mem1" --argjson ncpu "$(nproc --all)" \
	--argjson cmds "$(printf '%s\n' "${cmds[@]}" | jq -R . | jq -s .)" '
{
  component: "memory",
  title: "Memory: policy store objects and data path maps",
  method: ([
    "Run with bench/control-run.sh\(if $mode == "quick" then " --quick" else "" end) (scripts/vm-run bench/control.sh). \($env)",
    "Policy store: the module allocates every object with GFP_KERNEL_ACCOUNT, charging the memory cgroup of the process that writes it. ctlbench runs in a cgroup of its own (sgbench-mem) and adds N objects in one committed transaction; the cgroup'"'"'s memory.stat slab counter is read before and after (3 s after the last change, so the kernel'"'"'s 2 s periodic statistics flush has run), and the difference divided by N. It includes the xarray nodes that index the objects. As a second view, /proc/slabinfo (active objects times object size, summed over every cache) is read at the same moments; that view also sees unrelated allocations of the quiet VM. Per UE prefix: slices with 16 prefixes minus the same number of slices with 1, divided by the extra prefixes.",
    "Data path: with the agent running and the churn policy applied, bpftool -j map show lists every BPF map in the VM (all of them the data path'"'"'s); bytes_memlock is the kernel'"'"'s own account of each map'"'"'s memory (map_mem_usage). Per flow: sg_flows'"'"' bytes_memlock divided by its max_entries. To check that filling costs nothing more, ctlbench opens distinct UE flows through the pinned sg_uplink program (BPF_PROG_TEST_RUN), counts the entries of sg_flows, and the kernel memory of the agent'"'"'s cgroup (which the maps are charged to) is read before and after."
  ] | join("\n\n")),
  commands: $cmds,
  tables: [
    { title: "Kernel memory per policy store object (\($mode) run)",
      columns: ["object", "N", "bytes each (memcg slab)", "bytes each (slabinfo)", "how"],
      rows: $mem },
    { title: "Data path BPF maps with the agent running (\($mode) run)",
      columns: ["map", "type", "maps", "max entries", "bytes_memlock"],
      rows: ($dp + [["total", null, ($dp | map(.[2]) | add), null, $total]]) },
    { title: "Per tracked flow (\($mode) run)",
      columns: ["measure", "value"],
      rows: [
        ["sg_flows max entries", $flow.max_entries],
        ["sg_flows bytes_memlock", $flow.bytes_memlock],
        ["bytes per flow entry (memlock / max entries)", ($flow.bytes_memlock / $flow.max_entries | round)],
        ["flows opened through sg_uplink", $flows.sent],
        ["entries in sg_flows afterwards", $flows.flow_entries],
        ["agent cgroup kernel memory change while filling, bytes", ($fm1 - $fm0)]
      ] }
  ],
  notes: [
    "Store objects are fixed-size structures: a slice holds room for 16 UE prefixes, 16 VLANs, 16 TEID ranges and 8 DSCP values whether used or not, so the per-UE-prefix cost measures near 0 and the per-slice cost is the same for 1 or 16 prefixes.",
    "Per-object bytes include slab rounding (kmalloc size classes) and xarray nodes; a transaction in progress holds a second set of xarrays (the staged copy), not counted here because it is freed at commit.",
    "sg_flows is an LRU hash, which the kernel preallocates: its memory is taken when the data path loads, so tracked flows cost nothing more as they come; the last row shows the measured change while filling.",
    "The data path'"'"'s map memory does not depend on the policy size beyond the per-slot inner maps; it is fixed by bpf/sliceguard_dp.h. The agent'"'"'s cgroup grew by \(($am1 - $am0) / 1048576 | . * 10 | round / 10) MiB of kernel memory from before its start to after the churn (maps, programs, BTF, its sockets).",
    "Memory counters are not distorted by emulation: unlike the times, these numbers carry over to native hardware with the same kernel, except per-CPU maps (percpu_*), whose memory grows with the number of possible CPUs (\($ncpu) here)."
  ]
}')

summary() {
	jq -r '
		"== \(.title)",
		(.tables[] | "-- \(.title)", (.columns | join(" | ")),
		 (.rows[] | map(if . == null then "-" else tostring end) | join(" | "))),
		(.notes[] | "note: \(.)"), ""' <<<"$1"
}
summary "$control"
summary "$memory"

declare -A docs=([control]=$control [memory]=$memory)
for f in control memory; do
	doc=${docs[$f]}
	printf '%s\n' "-----BEGIN SG-BENCH $f.json-----"
	jq . <<<"$doc"
	printf '%s\n' "-----END SG-BENCH $f.json-----"
	if mkdir -p "$out" 2>/dev/null && [ -w "$out" ]; then
		jq . <<<"$doc" >"$out/$f.json"
		log "wrote $out/$f.json"
	fi
done
