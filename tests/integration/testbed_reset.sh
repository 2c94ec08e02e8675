#!/bin/sh
# Exec on every node, change its state, reset, and check the state is gone
# and the clock is right; then reset a destroyed node through the fallback.
. tests/integration/lib.sh

for n in n1 n2 n3; do
	[ "$(tb_ssh "$TB3" $n hostname)" = "$n" ] || fail "hostname of $n"
	tb_ssh "$TB3" $n 'campaign-agent ping' | grep -q '"ok":true' ||
		fail "agent ping on $n"
	tb_ssh "$TB3" $n 'echo dirty > /tmp/marker; setsid sleep 1000 </dev/null >/dev/null 2>&1 &'
	tb_ssh "$TB3" $n 'test -f /tmp/marker && pidof sleep' >/dev/null ||
		fail "could not change the state of $n"
done
pass "exec, marker file and process on every node"

tb_ssh "$TB3" n1 'ping -c 1 -W 3 10.99.0.12 && ping -c 1 -W 3 10.99.0.13' >/dev/null ||
	fail "n1 cannot reach n2 and n3 on the cluster network"
pass "cluster network between guests"

out=$("$CAMPAIGN" testbed reset "$TB3" --json)
echo "$out"
[ "$(echo "$out" | jq -s 'length')" = 3 ] || fail "reset did not report 3 nodes"
echo "$out" | jq -s -e 'all(.path == "loadvm")' >/dev/null ||
	fail "running nodes were not reset by the fast path"
for n in n1 n2 n3; do
	tb_ssh "$TB3" $n 'test ! -e /tmp/marker' || fail "marker survived the reset on $n"
	if tb_ssh "$TB3" $n 'pidof sleep' >/dev/null; then
		fail "process survived the reset on $n"
	fi
	guest=$(tb_ssh "$TB3" $n 'date +%s')
	host=$(date +%s)
	skew=$((host - guest))
	[ ${skew#-} -le 2 ] || fail "clock of $n is off by $skew s after the reset"
done
pass "marker and process gone, clocks within 2 s of the host"

virsh -q -c qemu:///system destroy "$PREFIX3-n3" >/dev/null
out=$("$CAMPAIGN" testbed reset "$TB3" --nodes n3 --json)
echo "$out"
echo "$out" | jq -e 'select(.node == "n3") | .path == "revert"' >/dev/null ||
	fail "a destroyed node was not reset through the libvirt revert"
[ "$(tb_ssh "$TB3" n3 hostname)" = n3 ] || fail "n3 does not answer after revert"
pass "destroyed node reset by revert and answers"
