#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/vm-run keeps its contract: the command's exit status and output
# come back exactly (quoting, working directory, a last line without a
# newline), the module is in, SG_VM_NOMOD leaves it out, namespaces and
# veths work inside, SG_VM_TIMEOUT kills a stuck VM, and Debian 12's 6.1
# kernel boots for the BPF verifier matrix; a module that is missing or
# cannot be inserted fails the run.  Five or six VM boots.
. "$(dirname "$0")/../lib/tap.sh"

vm_run=$PWD/scripts/vm-run

out=$(cd tests && "$vm_run" bash -c '
	printf "<%s>" "$@"; echo
	pwd
	echo "${PATH%%:*}"
	grep -c "^sliceguard " /proc/modules
	touch /tmp/w && echo tmp-writable
	printf "no newline"; exit 7' _ 'a b' "it's" '$HOME' '' '*' 2>&1)
status=$?
tap_result "the command's exit status comes back" $((status != 7)) \
	"exit $status, want 7" "$out"
want="<a b><it's><\$HOME><><*>
$PWD/tests
$PWD/build/bin
1
tmp-writable
no newline"
[ "$out" = "$want" ]
tap_result "output, quoting, working directory, PATH and module are right" $? \
	"want:" "$want" "got:" "$out"

ns=$(unique_name sg-vmt-)
out=$(SG_VM_NOMOD=1 "$vm_run" bash -c '
	set -e
	! grep -q "^sliceguard " /proc/modules
	ip netns add "$1"
	ip link add sgvm0 type veth peer name sgvm1 netns "$1"
	ip addr add 192.0.2.1/24 dev sgvm0
	ip link set sgvm0 up
	ip -n "$1" addr add 192.0.2.2/24 dev sgvm1
	ip -n "$1" link set sgvm1 up
	ping -c1 -W5 192.0.2.2 >/dev/null' _ "$ns" 2>&1)
tap_result "SG_VM_NOMOD boots without the module; netns and veth work" $? "$out"

start=$SECONDS
out=$(SG_VM_NOMOD=1 SG_VM_TIMEOUT=3 "$vm_run" sleep 600 2>&1)
status=$?
tap_result "SG_VM_TIMEOUT kills the VM and fails with 124" \
	$((status != 124 || SECONDS - start > 30)) \
	"exit $status after $((SECONDS - start))s" "$out"

out=$(SG_VM_KERNEL=0.0-none "$vm_run" true 2>&1)
status=$?
tap_result "an unknown kernel fails with 125 before booting" $((status != 125)) \
	"exit $status" "$out"

# A repository whose module cannot be inserted: vm-run of a copy of the
# scripts with kmod/sliceguard.ko being netfs.ko, which the initramfs has
# already loaded (EEXIST).  Under build/ so that the VM sees it.
fake=$(mktemp -d "$PWD/build/meta-vm-run.XXXXXX")
on_exit rm -rf "$fake"
mkdir -p "$fake/scripts" "$fake/kmod"
cp scripts/vm-run scripts/vm-init "$fake/scripts/"
out=$("$fake/scripts/vm-run" true 2>&1)
status=$?
tap_result "a missing module fails with 125 and says so" \
	$((status != 125)) "exit $status" "$out"
kver=$(ls -1 /lib/modules | grep -E '^6\.12\.' | sort -V | tail -n1)
xz -dc "$(modinfo -k "$kver" -F filename netfs)" >"$fake/kmod/sliceguard.ko"
out=$("$fake/scripts/vm-run" true 2>&1)
status=$?
[ "$status" = 125 ] && grep -q "inserting $fake/kmod/sliceguard.ko failed" <<<"$out"
tap_result "a module that cannot be inserted fails the run with 125" $? \
	"exit $status" "$out"

k61=$(ls -1 /lib/modules | grep -E '^6\.1\.' | sort -V | tail -n1)
if [ -z "$k61" ] || [ ! -r "/boot/vmlinuz-$k61" ]; then
	tap_skip "Debian 12's 6.1 kernel boots" "no 6.1 kernel installed (scripts/install-deps)"
else
	out=$(SG_VM_KERNEL=$k61 "$vm_run" sh -c 'uname -r; ls /sys/fs/bpf >/dev/null && echo bpffs' 2>/dev/null)
	[ "$out" = "$k61
bpffs" ]
	tap_result "Debian 12's 6.1 kernel boots, without the module" $? "got:" "$out"
fi
tap_done
