#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# slicectl end to end against sliceguard.ko (run in the VM by `make check`):
# round trips of every object read back with -j and jq, the kernel's extack
# texts on every error path, -batch atomicity, monitor, -n isolation, policy
# export/flush and help. Every test group works in its own new network
# namespace, so each starts from an empty policy store at generation 0.
set -u

. "$(dirname "$0")/../lib/tap.sh"

command -v slicectl >/dev/null || tap_skip_all "slicectl not built"
command -v jq >/dev/null || tap_skip_all "jq not installed"
[ -d /sys/module/sliceguard ] || tap_skip_all "sliceguard.ko not loaded"

TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

NS=
sc() { slicectl -n "$NS" "$@"; }

# Start a test group in a fresh namespace.
fresh_ns() {
	netns_create NS || { tap_fail "create a netns"; tap_done; }
}

# check_json NAME FILTER CMD...: CMD succeeds and `jq -e FILTER` holds on
# its output.
check_json() {
	local name=$1 filter=$2 out status=0

	shift 2
	out=$("$@" 2>&1) || status=$?
	if [ "$status" -eq 0 ] && jq -e "$filter" >/dev/null 2>&1 <<<"$out"; then
		tap_ok "$name"
	else
		tap_fail "$name" "command: $*" "exit status: $status" "filter: $filter" "output: $out"
	fi
}

# check_error NAME MESSAGE CMD...: CMD exits 1, prints nothing on stdout and
# exactly "Error: MESSAGE" on stderr.
check_error() {
	local name=$1 msg=$2 out err status=0

	shift 2
	out=$("$@" 2>"$TMP/stderr") || status=$?
	err=$(cat "$TMP/stderr")
	if [ "$status" -eq 1 ] && [ -z "$out" ] && [ "$err" = "Error: $msg" ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "command: $*" "exit status: $status (want 1)" \
			"stderr: $err" "want:   Error: $msg" "stdout: $out"
	fi
}

# check_output NAME EXPECTED CMD...: CMD succeeds and prints exactly EXPECTED.
check_output() {
	local name=$1 want=$2 out status=0

	shift 2
	out=$("$@" 2>&1) || status=$?
	if [ "$status" -eq 0 ] && [ "$out" = "$want" ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "command: $*" "exit status: $status" "got:  $out" "want: $want"
	fi
}

generation() { sc -j policy show | jq -r .generation; }

# stop PID: end a background listener, quietly if it is gone already.
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 0; }

# ---- help and usage errors ----

tap_check "help exits 0 and lists every object" \
	bash -c 'out=$(slicectl help) || exit
		 for o in slice app rule uplink policy monitor; do
			grep -qE "^ *slicectl $o( |\$)" <<<"$out" || exit
		 done'
tap_check "object help: slice help names its keywords" \
	bash -c 'slicectl slice help | grep -q "ue-rate RATE"'
tap_check "object help: rule help (abbreviated \"ru h\")" \
	bash -c 'slicectl ru h | grep -q "from { slice { NAME | ID } | app { NAME | ID } | host }"'
check_error "unknown object" 'unknown argument "frob"' slicectl frob
check_error "unknown option" 'unknown argument "-frob"' slicectl -frob slice show
check_error "ambiguous command" 'ambiguous argument "s"' slicectl slice s
check_error "unknown keyword" 'unknown argument "colour"' \
	slicectl slice add iot id 3 sst 3 colour blue
check_error "missing value" 'missing value after "vlan"' slicectl slice add iot id 3 sst 3 vlan
check_error "netns that does not exist" \
	'cannot open netns "sg-no-such-ns": No such file or directory' \
	slicectl -n sg-no-such-ns slice show

# ---- slice ----
fresh_ns

tap_check "slice add (the manual's example)" \
	sc slice add iot id 3 sst 3 sd 0x000010 ue 10.30.0.0/16 vlan 300 rate 50mbit ue-rate 1mbit
check_json "slice show -j: every field as added" \
	'length == 1 and .[0] as $s | $s.name == "iot" and $s.id == 3 and $s.sst == 3 and
	 $s.sd == 16 and $s["ue-prefix"] == ["10.30.0.0/16"] and $s.vlan == [300] and
	 $s["teid-range"] == [] and $s.dscp == [] and $s["rate-bytes"] == 6250000 and
	 $s["ue-rate-bytes"] == 125000 and $s["burst-bytes"] == 0 and
	 $s["rate-packets"] == 0 and $s.mark == 0 and $s["ue-to-ue"] == 0 and
	 $s.generation == 1' sc -j slice show
check_output "slice show text is one line per object" \
	"slice iot id 3 sst 3 sd 0x000010 ue 10.30.0.0/16 vlan 300 rate 50mbit ue-rate 1mbit generation 1" \
	sc slice show
check_json "slice show by name" '.[0].id == 3' sc -j slice show iot
check_json "slice show by id (abbreviated \"sl sh id 3\")" '.[0].name == "iot"' \
	sc -j sl sh id 3
tap_check "slice set changes only what it names" sc slice set iot vlan 301 vlan 302 mark 7
check_json "slice set: the rest is kept, a list is replaced as a whole" \
	'.[0] as $s | $s.sd == 16 and $s["ue-prefix"] == ["10.30.0.0/16"] and
	 $s.vlan == [301,302] and $s["rate-bytes"] == 6250000 and
	 $s["ue-rate-bytes"] == 125000 and $s.mark == 7 and $s.generation == 2' \
	sc -j slice show iot
tap_check "slice replace writes the slice as a whole" \
	sc slice replace iot id 3 sst 3 teid 100-199 teid 500 dscp 46 dscp 34 pps 1000 burst 64k \
	mark 0x20 ue-to-ue on ue 2001:db8:30::/48
check_json "slice replace: read back" \
	'.[0] as $s | ($s | has("sd") | not) and $s["ue-prefix"] == ["2001:db8:30::/48"] and
	 $s.vlan == [] and $s["teid-range"] == [{"first":100,"last":199},{"first":500,"last":500}] and
	 $s.dscp == [46,34] and $s["rate-packets"] == 1000 and $s["burst-bytes"] == 65536 and
	 $s.mark == 32 and $s["ue-to-ue"] == 1 and $s["rate-bytes"] == 0 and $s.generation == 3' \
	sc -j slice show iot
tap_check "a second slice" sc slice add embb id 1 sst 1 ue 10.10.0.0/16 vlan 100
check_json "slice dump in id order" '[.[].id] == [1, 3]' sc -j slice show
check_error "slice add of an existing id names the slice that has it" "slice 3 exists (iot)" \
	sc slice add other id 3 sst 3
check_error "slice name in use" "slice name in use" sc slice add iot id 9 sst 3
check_error "vlan used by another slice" "vlan 100 used by slice embb" \
	sc slice add x id 9 sst 1 vlan 100
check_error "ue-prefix overlap" "ue-prefix overlaps slice embb" \
	sc slice add x id 9 sst 1 ue 10.10.5.0/24
check_error "dscp used by another slice" "dscp 46 used by slice iot" \
	sc slice add x id 9 sst 1 dscp 46
check_error "teid overlap" "teid-range overlaps slice iot" \
	sc slice add x id 9 sst 1 teid 150-160
check_error "prefix host bits" "prefix has host bits set" \
	sc slice add x id 9 sst 1 ue 10.50.0.1/16
check_error "IPv4-mapped prefix refused" \
	"IPv4-mapped IPv6 prefix never matches a packet; give the IPv4 prefix" \
	sc slice add x id 9 sst 1 ue ::ffff:10.50.0.0/112
check_error "a rate that is not whole bytes is refused, not rounded to unlimited" \
	'rate "7bit" is not a whole number of bytes (use a multiple of 8bit)' \
	sc slice add x id 9 sst 1 rate 7bit
check_error "values are not abbreviated" 'invalid unsliced "pas"' \
	sc uplink add dev lo unsliced pas
check_error "slice set of a missing slice" "slice not found" sc slice set x id 9 sst 1
check_error "slice del of a missing slice" "slice not found" sc slice del nosuch
check_error "slice show -j of a missing slice prints no JSON" "slice not found" \
	sc -j slice show nosuch
check_error "slice id out of range (parser)" 'id "4096" out of range' \
	sc slice add x id 4096 sst 1
tap_check "slice del by name" sc slice del embb
tap_check "slice del by id" sc slice del 3
check_json "slices gone" 'length == 0' sc -j slice show

# ---- app ----
fresh_ns

sc slice add iot id 3 sst 3 ue 10.30.0.0/16 >/dev/null
sc slice add embb id 1 sst 1 ue 10.10.0.0/16 >/dev/null
tap_check "app add (the manual's example)" \
	sc app add telemetry id 7 slice iot addr 10.99.0.7 proto tcp port 1883 dev veth-telem
check_json "app show -j: every field as added" \
	'.[0] as $a | $a.name == "telemetry" and $a.id == 7 and $a.slice == [3] and
	 $a.endpoint == [{"prefix":"10.99.0.7/32","proto":6,"port-first":1883,"port-last":1883}] and
	 $a.ifname == "veth-telem" and $a["rate-bytes"] == 0 and $a.generation == 3' \
	sc -j app show telemetry
tap_check "app set: two slices, two endpoints, rates; dev kept" \
	sc app set telemetry id 7 slice iot slice 1 addr 10.99.0.0/24 addr 2001:db8:99::1 \
	proto udp port 5000-5010 rate 1gbit burst 1m pps 20000
check_json "app set: read back" \
	'.[0] as $a | $a.slice == [3, 1] and $a.ifname == "veth-telem" and
	 $a.endpoint == [{"prefix":"10.99.0.0/24","proto":0,"port-first":0,"port-last":65535},
			 {"prefix":"2001:db8:99::1/128","proto":17,"port-first":5000,"port-last":5010}] and
	 $a["rate-bytes"] == 125000000 and $a["burst-bytes"] == 1048576 and
	 $a["rate-packets"] == 20000' sc -j app show id 7
check_output "app show text" \
	"app telemetry id 7 slice 3 slice 1 addr 10.99.0.0/24 addr 2001:db8:99::1/128 proto udp port 5000-5010 dev veth-telem rate 1gbit burst 1m pps 20000 generation 4" \
	sc app show 7
check_error "app with an unknown slice name (resolved by slicectl)" \
	'slice "nosuch" not found' sc app add x id 8 slice nosuch addr 10.98.0.1
check_error "app with a missing slice id" "slice 9 not found" \
	sc app add x id 8 slice 9 addr 10.98.0.1
check_error "endpoint overlap" "endpoint overlaps app telemetry" \
	sc app add x id 8 slice 3 addr 10.99.0.128/25
check_error "ports without tcp/udp/sctp" "ports need tcp, udp or sctp" \
	sc app add x id 8 slice 3 addr 10.98.0.1 port 80
check_error "app name in use" "app name in use" sc app add telemetry id 8 slice 3 addr 10.98.0.1
check_error "slice in use by an app" "slice iot used by app telemetry" sc slice del iot
check_error "app del of a missing app" "app not found" sc app del nosuch
tap_check "app del by id" sc app del id 7
check_json "apps gone" 'length == 0' sc -j app show

# ---- rule ----
fresh_ns

check_output "add prints nothing without -j" "" sc slice add iot id 3 sst 3 ue 10.30.0.0/16
check_json "add -j prints the slice stored" '.[0].name == "embb" and .[0].id == 1' \
	sc -j slice add embb id 1 sst 1 ue 10.10.0.0/16
sc app add telemetry id 7 slice iot addr 10.99.0.7 >/dev/null
tap_check "rule add (the manual's example)" \
	sc rule add from slice iot to app telemetry proto tcp port 1883
check_json "rule show -j: kernel-chosen id 1, every field" \
	'.[0] as $r | $r.id == 1 and $r["src-kind"] == "slice" and $r["src-id"] == 3 and
	 $r["dst-kind"] == "app" and $r["dst-id"] == 7 and $r.proto == 6 and
	 $r["port-first"] == 1883 and $r["port-last"] == 1883' sc -j rule show 1
tap_check "rule to any with rates" sc rule add id 5 from app telemetry to any rate 10mbit pps 100
check_json "rule to any has no dst-id" \
	'.[0] as $r | $r["dst-kind"] == "any" and ($r | has("dst-id") | not) and $r.proto == 0 and
	 $r["port-first"] == 0 and $r["port-last"] == 65535 and $r["rate-bytes"] == 1250000 and
	 $r["rate-packets"] == 100' sc -j rule show id 5
check_output "rule show text" "rule id 5 from app 7 to any rate 10mbit pps 100 generation 5" \
	sc rule show 5
tap_check "rule set: port range" \
	sc rule set id 1 from slice iot to app telemetry proto udp port 1000-2000
check_json "rule set: read back" \
	'.[0] as $r | $r.proto == 17 and $r["port-first"] == 1000 and $r["port-last"] == 2000' \
	sc -j rule show 1
check_error "duplicate rule" "duplicate of rule 1" \
	sc rule add from slice iot to app telemetry proto udp port 1000-2000
check_error "app to a slice it does not serve" "app telemetry does not serve slice embb" \
	sc rule add from app telemetry to slice embb
check_error "rule to a missing app" "dst app 99 not found" sc rule add from slice iot to app 99
check_error "rule add of an existing id" "rule 5 exists" sc rule add id 5 from slice embb to any
check_error "app in use by a rule" "app telemetry used by rule 1" sc app del telemetry
check_error "rule del of a missing rule" "rule not found" sc rule del 99
tap_check "rule del" sc rule del 1
check_json "one rule left" '[.[].id] == [5]' sc -j rule show
check_json "rule add -j prints the rule stored, with the id the kernel picked" \
	'.[0] as $r | $r.id == 1 and $r["dst-kind"] == "host" and $r.proto == 17' \
	sc -j rule add from slice iot to host proto udp port 53
check_json "rule to the host has no dst-id" \
	'.[0] as $r | $r.id == 1 and $r["src-kind"] == "slice" and $r["src-id"] == 3 and
	 $r["dst-kind"] == "host" and ($r | has("dst-id") | not)' sc -j rule show 1
tap_check "rule from the host to an app" \
	sc rule add id 7 from host to app telemetry proto tcp port 1883
check_json "rule from the host has no src-id" \
	'.[0] as $r | $r["src-kind"] == "host" and ($r | has("src-id") | not) and
	 $r["dst-kind"] == "app" and $r["dst-id"] == 7' sc -j rule show 7
check_output "rule with the host, text" \
	"$(printf '%s\n' "rule id 1 from slice 3 to host proto udp port 53 generation 8" \
		"rule id 7 from host to app 7 proto tcp port 1883 generation 9")" \
	bash -c "slicectl -n $NS rule show 1; slicectl -n $NS rule show 7"
check_error "the host sends only toward a slice or an app" \
	"src host only toward a slice or an app" sc rule add from host to any
check_error "nor to itself" "src host only toward a slice or an app" \
	sc rule add from host to host
check_error "the host takes no name (parser)" 'unknown argument "x"' \
	sc rule add from host x to app telemetry
sc app add cam id 8 slice iot addr 10.98.0.1 proto tcp port 80 >/dev/null
check_output "a rule that can never match is stored, with the module's warning" \
	"Warning: rule never matches: no endpoint of app cam takes its protocol and ports" \
	sc rule add id 90 from slice iot to app cam proto udp port 8
check_output "and one that can, without" "" sc rule add id 91 from slice iot to app cam proto tcp

# ---- uplink ----
fresh_ns

tap_check "uplink add (the manual's example)" sc uplink add dev eth1 mode ip unsliced drop
check_json "uplink show -j" \
	'. == [{"ifname":"eth1","mode":"ip","unsliced":"drop","generation":1}]' sc -j uplink show
tap_check "uplink set" sc uplink set dev eth1 mode gtpu unsliced pass
check_json "uplink set: read back" '.[0].mode == "gtpu" and .[0].unsliced == "pass"' \
	sc -j uplink show eth1
check_output "uplink show text" "uplink dev eth1 mode gtpu unsliced pass generation 2" \
	sc uplink show dev eth1
check_error "uplink add of an existing one" "uplink eth1 exists" sc uplink add dev eth1
check_error "uplink del of a missing one" "uplink not found" sc uplink del eth9
tap_check "uplink del" sc uplink del eth1
check_json "uplinks gone" 'length == 0' sc -j uplink show

# ---- batch ----
fresh_ns

cat >"$TMP/good.sg" <<'EOF'
# the demo policy
slicectl slice add iot id 3 sst 3 sd 0x000010 ue 10.30.0.0/16 vlan 300 rate 50mbit ue-rate 1mbit
slice add embb id 1 sst 1 ue 10.10.0.0/16 vlan 100

app add telemetry id 7 slice iot addr 10.99.0.7 proto tcp port 1883 dev veth-telem
rule add from slice iot to app telemetry proto tcp port 1883   # MQTT
rule add from slice embb to any
uplink add dev eth1 mode ip unsliced drop
EOF
tap_check "batch of six commands" sc -batch "$TMP/good.sg"
check_json "batch: one generation for all six objects" \
	'.generation == 1 and .["n-slices"] == 2 and .["n-apps"] == 1 and .["n-rules"] == 2 and
	 .["n-uplinks"] == 1 and (has("tx-portid") | not) and .["max-slices"] > 0 and
	 [.slices[].name] == ["embb", "iot"] and [.rules[].id] == [1, 2] and
	 .apps[0].name == "telemetry" and .uplinks[0].ifname == "eth1"' sc -j policy show
check_output "policy show text: summary, then one object per line" \
	"$(printf '%s\n' \
		"generation 1 slices 2/64 apps 1/256 rules 2/1024 uplinks 1/16" \
		"slice embb id 1 sst 1 ue 10.10.0.0/16 vlan 100" \
		"slice iot id 3 sst 3 sd 0x000010 ue 10.30.0.0/16 vlan 300 rate 50mbit ue-rate 1mbit" \
		"app telemetry id 7 slice 3 addr 10.99.0.7/32 proto tcp port 1883 dev veth-telem" \
		"rule id 1 from slice 3 to app 7 proto tcp port 1883" \
		"rule id 2 from slice 1 to any" \
		"uplink dev eth1 mode ip unsliced drop")" sc policy show

sc -j policy export >"$TMP/before.json"
cat >"$TMP/bad-kernel.sg" <<'EOF'
slice add urllc id 2 sst 2 ue 10.20.0.0/16
app add robot id 8 slice urllc addr 10.99.1.0/24
slice add clash id 4 sst 1 vlan 300
rule add from slice urllc to app robot
EOF
check_error "batch: integrity error names line 3" "line 3: vlan 300 used by slice iot" \
	sc -batch "$TMP/bad-kernel.sg"
check_output "batch: nothing of the bad batch applied" "$(cat "$TMP/before.json")" \
	sc -j policy export
printf 'slice add urllc id 2 sst 2\nslice add x id 5 sst 1 vlann 3\n' >"$TMP/bad-syntax.sg"
check_error "batch: syntax error names line 2" 'line 2: unknown argument "vlann"' \
	sc -batch "$TMP/bad-syntax.sg"
printf 'slice add urllc id 2 sst 2\nslice del embb\n' >"$TMP/bad-busy.sg"
check_error "batch: delete of a used slice names line 2" \
	"line 2: slice embb used by rule 2" sc -batch "$TMP/bad-busy.sg"
check_output "batch: still nothing applied, generation unchanged" \
	"$(cat "$TMP/before.json")" sc -j policy export
check_json "batch: no transaction left open" '(has("tx-portid") | not)' sc -j policy show
check_error "batch: missing file" "/nonexistent.sg: No such file or directory" \
	sc -batch /nonexistent.sg

cat >"$TMP/replace.sg" <<'EOF'
policy flush
slice add v2x id 4 sst 4 ue 10.40.0.0/16 vlan 300
uplink add dev eth1 mode gtpu
EOF
gen=$(generation)
tap_check "batch: flush and re-add in one transaction" sc -batch "$TMP/replace.sg"
check_json "batch: replaced policy, one new generation" \
	".generation == $((gen + 1)) and (.slices | map(.name)) == [\"v2x\"] and .apps == [] and
	 .rules == [] and .uplinks[0].mode == \"gtpu\"" sc -j policy export

# ---- batch from stdin: the transaction as others see it ----
fresh_ns

mkfifo "$TMP/fifo"
sc -batch - <"$TMP/fifo" >"$TMP/fifo.out" 2>&1 &
batch_pid=$!
exec 7>"$TMP/fifo"
echo "slice add staged id 20 sst 1 vlan 20" >&7
tx_open() { sc -j policy show | jq -e 'has("tx-portid")'; }
if wait_for tx_open 10; then
	port=$(sc -j policy show | jq -r '.["tx-portid"]')
	check_error "others cannot write while a batch is open" \
		"transaction open by port $port" sc slice add other id 21 sst 1
	check_json "others do not see staged objects" 'length == 0' sc -j slice show
else
	tap_fail "others cannot write while a batch is open" "no transaction seen"
	tap_fail "others do not see staged objects" "no transaction seen"
fi
echo "slice add staged2 id 22 sst 1 vlan 22" >&7
exec 7>&-
status=0
wait "$batch_pid" || status=$?
tap_result "batch from stdin commits at end of input" "$status" "$(cat "$TMP/fifo.out")"
check_json "batch from stdin: both slices, one generation" \
	'[.[].name] == ["staged", "staged2"] and [.[].generation] == [1, 1]' sc -j slice show

# ---- permissions ----
if command -v setpriv >/dev/null; then
	unpriv() {
		ip netns exec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all --bounding-set=-all slicectl "$@"
	}
	check_error "changes need CAP_NET_ADMIN" "Operation not permitted" \
		unpriv slice add x id 30 sst 1
	check_error "reading the policy needs CAP_NET_ADMIN too" "Operation not permitted" \
		unpriv slice show
	check_error "monitor needs CAP_NET_ADMIN" \
		"cannot join the config group: Operation not permitted" unpriv monitor
else
	tap_skip "changes need CAP_NET_ADMIN" "setpriv not installed"
fi

# ---- export is one generation while commits race with it ----
fresh_ns

printf 'policy flush\nslice add sa id 1 sst 1\nuplink add dev ua\n' >"$TMP/a.sg"
printf 'policy flush\nslice add sb id 2 sst 2\nuplink add dev ub\n' >"$TMP/b.sg"
sc -batch "$TMP/a.sg"
(
	while :; do
		slicectl -n "$NS" -batch "$TMP/b.sg" 2>/dev/null
		slicectl -n "$NS" -batch "$TMP/a.sg" 2>/dev/null
	done
) &
flipper=$!
on_exit stop "$flipper"
mixed=0
gens=()
for i in 1 2 3 4 5 6 7 8; do
	pol=$(sc -j policy export 2>&1) || { mixed=1; tap_diag "export $i: $pol"; break; }
	names=$(jq -c '[.slices[].name, .uplinks[].ifname]' <<<"$pol")
	case $names in
	'["sa","ua"]' | '["sb","ub"]') ;;
	*) mixed=1; tap_diag "export $i: $names" ;;
	esac
	gens+=("$(jq .generation <<<"$pol")")
done
stop "$flipper"
tap_result "export never mixes two generations" "$mixed" "generations seen: ${gens[*]}"
distinct=$(printf '%s\n' "${gens[@]}" | sort -u | wc -l)
tap_result "commits did race with those exports" "$((distinct < 2))" \
	"generations seen: ${gens[*]}"

# ---- policy export, import, flush ----
fresh_ns

sc -batch "$TMP/good.sg" >/dev/null
tap_check "policy export (text) is a batch file" bash -c "slicectl -n $NS policy export >$TMP/export.sg"
netns_create NS2
tap_check "the exported text imports into a new netns" slicectl -n "$NS2" -batch "$TMP/export.sg"
check_output "export -j of the copy equals the original" \
	"$(sc -j policy export | jq -c 'del(.generation)')" \
	bash -c "slicectl -n $NS2 -j policy export | jq -c 'del(.generation)'"
check_json "policy export -j layout" \
	'(keys == ["apps","generation","rules","slices","uplinks"]) and (.slices | length) == 2 and
	 .rules[1]["dst-kind"] == "any"' sc -j policy export
gen=$(generation)
tap_check "policy flush" sc policy flush
check_json "flush: empty policy, one new generation" \
	".generation == $((gen + 1)) and .slices == [] and .apps == [] and .rules == [] and
	 .uplinks == []" sc -j policy export

# ---- -n isolation ----
fresh_ns
netns_create NS2

sc slice add iot id 3 sst 3 vlan 300 >/dev/null
check_json "-n: the other netns has its own empty store" 'length == 0' \
	slicectl -n "$NS2" -j slice show
tap_check "-n: same id and vlan in the other netns" \
	slicectl -n "$NS2" slice add other id 3 sst 1 vlan 300
check_json "-n: first netns unchanged" '.[0].name == "iot"' sc -j slice show
check_json "-n equals ip netns exec" '.[0].name == "other"' \
	ip netns exec "$NS2" slicectl -j slice show

# ---- monitor ----
fresh_ns

sc uplink add dev mon0 >/dev/null
sc -j monitor >"$TMP/monitor.json" 2>"$TMP/monitor.err" &
mon_pid=$!
on_exit stop "$mon_pid"
sc monitor >"$TMP/monitor.txt" 2>&1 &
mon_txt_pid=$!
on_exit stop "$mon_txt_pid"
# Both listeners are subscribed once a change reaches them; then wait for
# the commit of the last probe so no probe event comes after the marks.
synced() {
	sc uplink set dev mon0 mode ip >/dev/null
	grep -q commit "$TMP/monitor.json" && grep -q commit "$TMP/monitor.txt"
}
if wait_for synced 10; then
	tap_ok "monitor subscribes"
else
	tap_fail "monitor subscribes" "$(cat "$TMP/monitor.err")"
fi
gen=$(generation)
wait_for grep -q "\"commit\":{\"generation\":$gen," "$TMP/monitor.json" 10
wait_for grep -q "^\[commit\] generation $gen " "$TMP/monitor.txt" 10
skip=$(wc -l <"$TMP/monitor.json")
skip_txt=$(wc -l <"$TMP/monitor.txt")
sc slice add mon id 9 sst 2 vlan 900 >/dev/null
printf 'slice add m2 id 10 sst 1\nslice del mon\n' >"$TMP/mon.sg"
sc -batch "$TMP/mon.sg" >/dev/null
five_events() {
	tail -n +$((skip + 1)) "$TMP/monitor.json" >"$TMP/events.json"
	[ "$(wc -l <"$TMP/events.json")" -ge 5 ]
}
wait_for five_events 10
wait_for grep -q "^\[commit\] generation $((gen + 2)) " "$TMP/monitor.txt" 10
check_json "monitor -j: slice-ntf new with the whole slice" \
	".slice.change == \"new\" and .slice.name == \"mon\" and .slice.vlan == [900] and
	 .slice.generation == $((gen + 1))" sed -n 1p "$TMP/events.json"
check_json "monitor -j: commit-ntf after it" \
	".commit.generation == $((gen + 1)) and .commit.changes == 1 and .commit.portid > 0" \
	sed -n 2p "$TMP/events.json"
check_json "monitor -j: a batch is two changes and one commit" \
	"([.[0:2][].slice | \"\\(.change) \\(.name) \\(.generation)\"] | sort) ==
	   [\"del mon $((gen + 2))\", \"new m2 $((gen + 2))\"] and
	 .[2].commit.changes == 2 and .[2].commit.generation == $((gen + 2))" \
	bash -c "sed -n 3,5p $TMP/events.json | jq -s ."
check_output "monitor text" \
	"[new] slice mon id 9 sst 2 vlan 900 generation $((gen + 1))
[commit] generation $((gen + 1)) changes 1 portid" \
	bash -c "tail -n +$((skip_txt + 1)) $TMP/monitor.txt | sed -n 1,2p | sed 's/portid [0-9]*/portid/'"

tap_done
