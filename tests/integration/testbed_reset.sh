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

# The control channel (issue 13): every node of ours is reset through it,
# its clock is within 50 ms of the host's (bracketed by the host's clock
# around the SSH command that reads it), and its entropy was reseeded: the
# first bytes read after two restores of the same snapshot differ.
echo "$out" | jq -s -e 'all(.sync == "channel")' >/dev/null ||
	fail "not every node was reset through the control channel: $out"
for n in n1 n2 n3; do
	before=$(date +%s%N)
	# busybox date has no %N: the agent's stamp has nanoseconds
	guest=$(tb_ssh "$TB3" $n "campaign-agent collect '{\"dmesg\":false}'" |
		sed -n 's/.*"t_realtime_ns":\([0-9]*\).*/\1/p')
	after=$(date +%s%N)
	lo=$((before - 50000000)) hi=$((after + 50000000))
	[ "$guest" -ge "$lo" ] && [ "$guest" -le "$hi" ] ||
		fail "clock of $n is $(((guest - before) / 1000000)) ms from the host's " \
			"(window of $(((after - before) / 1000000)) ms) after the reset"
done
pass "clocks within 50 ms of the host after a reset through the channel"
draw() {
	"$CAMPAIGN" testbed reset "$TB3" --nodes n1 --json >/dev/null ||
		fail "reset of n1 failed"
	tb_ssh "$TB3" n1 'head -c 16 /dev/urandom | od -An -tx1 | tr -d " \n"'
}
first=$(draw) second=$(draw)
[ -n "$first" ] && [ "$first" != "$second" ] ||
	fail "n1 drew the same random bytes after two restores ($first)"
pass "entropy reseeded: $first then $second"

# A channel that does not answer: hold QEMU's one connection to n1's
# socket from elsewhere; the reset falls back to SSH and says why.
sock=$STATE/testbeds/$PREFIX3/n1.ctl
[ -S "$sock" ] || fail "no control channel socket at $sock"
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(30)' "$sock" &
holder=$!
sleep 0.5
out=$("$CAMPAIGN" testbed reset "$TB3" --nodes n1 --json)
kill $holder 2>/dev/null; wait $holder 2>/dev/null || :
echo "$out"
echo "$out" | jq -e 'select(.node == "n1") | .sync == "ssh" and (.fallback | test("no answer"))' \
	>/dev/null || fail "a mute channel did not fall back to SSH with its reason"
[ "$(tb_ssh "$TB3" n1 hostname)" = n1 ] || fail "n1 does not answer after the fallback"
pass "a channel that does not answer: reset over SSH, saying why"

virsh -q -c qemu:///system destroy "$PREFIX3-n3" >/dev/null
out=$("$CAMPAIGN" testbed reset "$TB3" --nodes n3 --json)
echo "$out"
echo "$out" | jq -e 'select(.node == "n3") | .path == "revert"' >/dev/null ||
	fail "a destroyed node was not reset through the libvirt revert"
[ "$(tb_ssh "$TB3" n3 hostname)" = n3 ] || fail "n3 does not answer after revert"
pass "destroyed node reset by revert and answers"
