#!/bin/sh
# Every agent fault on real guests: inject through campaign-agent on a
# node, check the effect from outside the agent (another node, a shell on
# the node, the victim's own output or exit status), undo, check that it
# is gone. Malformed requests change nothing. The node is reset to the
# golden snapshot between faults.
#
# Testbed: tests/integration/configs/fa.json (3 nodes of the tiny image,
# agent-victim uploaded, a 16 MiB tmpfs at /mnt/data). The tiny kernel has
# no device-mapper, so for io-error in dm mode the test adds brd, dm-mod and
# dm-flakey from the image's own kernel package (kept in the image cache)
# and agent-dmsetup to n1's bootstrap, with an ext2 file system on a
# dm-linear device at /mnt/dm; without the package that part is skipped,
# and says so.
. tests/integration/lib.sh

BASE=tests/integration/configs/fa.json
TMP=$(mktemp -d /tmp/campaign-fa.XXXXXX)
CFG=$TMP/fa.json
T0=$(date +%s)

cleanup() {
	[ -n "${FA_KEEP:-}" ] || "$CAMPAIGN" -q testbed down "$CFG" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- helpers ------------------------------------------------------------

on() {	# on NODE COMMAND: run a shell command on a node
	if [ -n "${FA_TRACE:-}" ]; then
		_t=$(date +%s%N)
		_rc=0
		tb_ssh "$CFG" "$@" || _rc=$?
		echo "# $(($(($(date +%s%N) - _t)) / 1000000)) ms: $1: $(echo "$2" | tr '\n\t' '  ' | head -c 70)" >&2
		return $_rc
	fi
	tb_ssh "$CFG" "$@"
}

# inject NODE JSON: inject; the reply in R, its undo token in TOK.
inject() {
	R=$(on "$1" "campaign-agent inject '$2'") || fail "inject on $1 failed: $2: $R"
	TOK=$(printf '%s' "$R" | jq -r .undo)
}

# undo NODE: undo the last injection; the reply in U.
undo() {
	U=$(on "$1" "campaign-agent undo '{\"undo\": \"$TOK\"}'") || fail "undo on $1 failed: $U"
}

ev() {	# ev FILTER: jq on the last inject reply
	printf '%s' "$R" | jq -r "$1"
}

evu() {	# evu FILTER: jq on the last undo reply
	printf '%s' "$U" | jq -r "$1"
}

reset() {
	"$CAMPAIGN" -q testbed reset "$CFG" >/dev/null || fail "testbed reset failed"
}

# wait_on NODE SECONDS CONDITION: poll a shell condition on the node.
wait_on() {
	on "$1" "i=0; until $3; do i=\$((i + 1)); [ \$i -ge $(($2 * 10)) ] && exit 1; sleep 0.1; done"
}

# victim NODE ARGS: start agent-victim ARGS on the node, detached, at nice
# 19 (a spinning victim must not starve the SSH server on one vCPU);
# output in /tmp/victim.out, exit status in /tmp/victim.rc once it ends;
# pid in VPID.
victim() {
	node=$1
	shift
	VPID=$(on "$node" "rm -f /tmp/victim.*
		setsid sh -c 'agent-victim $* >/tmp/victim.out 2>&1 & renice -n 19 -p \$! >/dev/null; echo \$! >/tmp/victim.pid; wait \$!; echo \$? >/tmp/victim.rc' </dev/null >/dev/null 2>&1 &
		i=0; until [ -s /tmp/victim.pid ]; do i=\$((i + 1)); [ \$i -ge 50 ] && exit 1; sleep 0.1; done; cat /tmp/victim.pid") ||
		fail "victim '$*' did not start on $node"
}

state_of() {	# state_of NODE PID: R, S, T, ... or gone
	on "$1" "sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' /proc/$2/status 2>/dev/null || true; echo gone" | head -n 1
}

last_line() {	# last_line NODE: the victim's last line of output
	on "$1" 'tail -n 1 /tmp/victim.out'
}

# ping_ok FROM TO: FROM reaches TO on the cluster network.
ping_ok() {
	on "$1" "ping -c 3 -i 0.3 -W 2 $2" >/dev/null 2>&1
}

# ping_fails FROM TO: FROM gets no reply from TO within about a second.
ping_fails() {
	! on "$1" "ping -c 2 -i 0.3 -W 1 $2" >/dev/null 2>&1
}

# rtt FROM TO: the minimum round-trip time in whole ms over 5 pings.
rtt() {
	on "$1" "ping -c 5 -i 0.2 -W 3 $2" | sed -n 's|^round-trip min/avg/max = \([0-9]*\).*|\1|p'
}

# idle NODE: percent of CPU time idle over 1 s.
idle() {
	on "$1" 'read c u n s i rest </proc/stat; t=$((u + n + s + i)); a=$i; sleep 1
		read c u n s i rest </proc/stat; echo $(((i - a) * 100 / (u + n + s + i - t)))'
}

avail_kib() {	# avail_kib NODE: MemAvailable in KiB
	on "$1" "sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo"
}

df_kib() {	# df_kib NODE PATH: available KiB on PATH's file system
	on "$1" "df -k $2 | tail -n 1" | awk '{print $4}'
}

# skew_ms NODE: the guest's clock minus the host's, in ms (the host's time
# taken as the middle of the SSH round trip).
skew_ms() {
	h0=$(date +%s%3N)
	g=$(on "$1" 'adjtimex' | awk '/tv_sec/ {s = $2} /tv_usec/ {u = $2} END {printf "%d%03d", s, u / 1000}')
	h1=$(date +%s%3N)
	echo $((g - (h0 + h1) / 2))
}

# retry SECONDS COMMAND...: until the command succeeds.
retry() {
	end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.3
	done
}

# closed_by NODE ID BY: the agent's record ID is inactive, undone by BY.
closed_by() {
	on "$1" 'campaign-agent status' | jq -e --arg id "$2" --arg by "$3" \
		'.injections[] | select(.id == $id) | .active == false and .undone.by == $by' >/dev/null
}

# in_echos NODE: ICMP echo requests the node has received (Icmp InEchos).
in_echos() {
	on "$1" "awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) if (\$i == \"InEchos\") c = i; h = 1 } else print \$c }' /proc/net/snmp"
}

N1=10.99.0.11 N2=10.99.0.12 N3=10.99.0.13

# ---- the testbed ----------------------------------------------------------

# The config: fa.json, with its image path made absolute and, where the
# image's kernel package is in the image cache, the device-mapper setup.
IMG=$("$CAMPAIGN" -q image build workloads/tiny) || fail "cannot build the tiny image"
KPKG=$(jq -r '.kernel_package // empty' "$IMG/image.json")
KDEB=$(ls "$(dirname "$IMG")/debs/${KPKG}_"*.deb 2>/dev/null | head -n 1 || true)
DM=0
if [ -n "$KPKG" ] && [ -f "$KDEB" ] && mkdir "$TMP/k" &&
	dpkg-deb --fsys-tarfile "$KDEB" | tar -x -C "$TMP/k" --wildcards \
		'*/drivers/md/dm-mod.ko' '*/drivers/md/dm-flakey.ko' '*/drivers/block/brd.ko' 2>/dev/null; then
	for m in dm-mod dm-flakey brd; do
		find "$TMP/k" -name "$m.ko" -exec mv {} "$TMP/$m.ko" \;
	done
	[ -f "$TMP/dm-mod.ko" ] && [ -f "$TMP/dm-flakey.ko" ] && [ -f "$TMP/brd.ko" ] && DM=1
fi
if [ $DM = 1 ]; then
	jq --arg img "$PWD/workloads/tiny" --arg t "$TMP" '.testbed.image = $img |
		.testbed.bootstrap += [
		  {upload: ($t + "/brd.ko"), to: "/root/brd.ko", nodes: "n1"},
		  {upload: ($t + "/dm-mod.ko"), to: "/root/dm-mod.ko", nodes: "n1"},
		  {upload: ($t + "/dm-flakey.ko"), to: "/root/dm-flakey.ko", nodes: "n1"},
		  {upload: "{build}/agents/agent-dmsetup", to: "/usr/bin/agent-dmsetup",
		   mode: "0755", nodes: "n1"},
		  {run: "cd /root && insmod brd.ko rd_nr=1 rd_size=8192 && insmod dm-mod.ko && insmod dm-flakey.ko && agent-dmsetup create fa-dm \"0 16384 linear /dev/ram0 0\" && mke2fs -q /dev/dm-0 && mkdir -p /mnt/dm && mount /dev/dm-0 /mnt/dm && echo hello > /mnt/dm/file && sync",
		   nodes: "n1"}]' "$BASE" >"$CFG"
else
	echo "skip: io-error in dm mode: no kernel package '$KPKG' in the image cache to take device-mapper modules from"
	jq --arg img "$PWD/workloads/tiny" '.testbed.image = $img' "$BASE" >"$CFG"
fi

# For debugging: FA_KEEP=1 leaves the testbed up, FA_REUSE=1 uses one that
# is up, FA_ONLY="netem partition" runs only those faults.
if [ -n "${FA_REUSE:-}" ] && "$CAMPAIGN" -q testbed status "$CFG" --json | jq -e .up >/dev/null 2>&1; then
	pass "testbed reused"
else
	"$CAMPAIGN" -q testbed down "$CFG" >/dev/null 2>&1 || true
	t=$(date +%s)
	"$CAMPAIGN" -q testbed up "$CFG" || fail "testbed up failed"
	pass "testbed up in $(($(date +%s) - t)) s (3 nodes, dm on n1: $DM)"
fi
for n in n1 n2 n3; do
	on $n 'campaign-agent ping' | jq -e '.ok' >/dev/null || fail "agent ping on $n"
done

# ---- malformed requests: exit 2, nothing changed ----------------------------
t_malformed() {
	FP='ls -A /run/campaign; nft list ruleset; tc qdisc show; ls -a /mnt/data; df -k /mnt/data
		grep "Max open files" /proc/1/limits; cat /var/log/campaign/agent.log 2>/dev/null | wc -l
		ps | grep -c "[c]ampaign-helper"; adjtimex | grep freq'
	before=$(on n1 "$FP")
	bad=$(cat <<-'EOF'
	inject|not json
	inject|{"fault": "no-such-fault"}
	inject|{"fault": "netem", "params": {"loss_pct": 150}}
	inject|{"fault": "netem", "params": {"delay_ms": 100, "dev": "no/such"}}
	inject|{"fault": "partition", "params": {"peers": ["10.99.0.300"]}}
	inject|{"fault": "partition", "params": {}}
	inject|{"fault": "process-kill", "params": {}}
	inject|{"fault": "process-kill", "params": {"process": "agent-victim", "pid": 1}}
	inject|{"fault": "process-hang", "params": {"pid": 1, "duration_s": -1}}
	inject|{"fault": "disk-full", "params": {"path": "relative/path"}}
	inject|{"fault": "clock-skew", "params": {"offset_ms": 30000, "colour": "red"}}
	inject|{"fault": "mem-pressure", "params": {"mib": "lots"}}
	inject|{"fault": "syscall-error", "params": {"pid": 1, "syscall": "no_such_call"}}
	inject|{"fault": "fd-exhaustion", "params": {"pid": 1, "leave": -5}}
	inject|{"fault": "cpu-hog", "params": {"load_pct": 0}}
	undo|{"undo": "not-a-token"}
	frobnicate|{}
	EOF
	)
	cmd=
	n_bad=0
	while IFS='|' read -r verb json; do
		cmd="$cmd r=\$(campaign-agent $verb '$json'); echo \"\$?|\$r\";"
		n_bad=$((n_bad + 1))
	done <<-EOF
	$bad
	EOF
	replies=$(on n1 "$cmd")
	[ "$(printf '%s\n' "$replies" | wc -l)" = $n_bad ] || fail "not $n_bad replies to bad requests: $replies"
	printf '%s\n' "$replies" | while IFS='|' read -r rc reply; do
		[ "$rc" = 2 ] || fail "a bad request exited $rc, not 2: $reply"
		printf '%s' "$reply" | jq -e '.ok == false and (.error | length > 10)' >/dev/null ||
			fail "a bad request's reply is not an error: $reply"
	done
	after=$(on n1 "$FP")
	[ "$before" = "$after" ] || fail "bad requests changed the node: before: $before; after: $after"
	pass "$n_bad malformed requests exit 2 with an error and change nothing (records, log, nft, tc, disk, limits, helpers, clock)"
}

# ---- process-kill -------------------------------------------------------------
t_process_kill() {
	victim n1 spin
	inject n1 "{\"fault\": \"process-kill\", \"params\": {\"pid\": $VPID, \"signal\": \"STOP\"}}"
	[ "$(state_of n1 "$VPID")" = T ] || fail "process-kill STOP: victim state is $(state_of n1 "$VPID")"
	pass "process-kill STOP: the victim is stopped (T)"
	undo n1
	[ "$(evu .already_undone)" = false ] || fail "process-kill STOP undo: $U"
	s=$(state_of n1 "$VPID")
	[ "$s" = R ] || [ "$s" = S ] || fail "process-kill STOP undone: victim state is $s"
	pass "process-kill STOP undone: the victim runs again ($s)"

	inject n1 '{"fault": "process-kill", "params": {"process": "agent-victim", "signal": "KILL"}}'
	[ "$(ev '.evidence.targets[0].pid // .evidence.process.pid // empty')" = "$VPID" ] ||
		fail "process-kill KILL: evidence does not name the victim $VPID: $R"
	wait_on n1 15 'test -s /tmp/victim.rc' || fail "process-kill KILL: the victim did not end"
	[ "$(on n1 'cat /tmp/victim.rc')" = 137 ] || fail "process-kill KILL: exit status $(on n1 'cat /tmp/victim.rc')"
	[ "$(state_of n1 "$VPID")" = gone ] || fail "process-kill KILL: /proc/$VPID still there"
	pass "process-kill KILL by name: the victim is gone, its parent saw status 137 (SIGKILL)"
	undo n1
	[ "$(evu .already_undone)" = true ] || fail "process-kill KILL: undo is not a no-op: $U"
	pass "process-kill KILL: undo answers already_undone (nothing to undo)"
}

# ---- process-hang -------------------------------------------------------------
t_process_hang() {
	victim n1 spin
	inject n1 "{\"fault\": \"process-hang\", \"params\": {\"pid\": $VPID, \"duration_s\": 0}}"
	t1=$(on n1 "cut -d' ' -f14 /proc/$VPID/stat")
	sleep 1
	t2=$(on n1 "cut -d' ' -f14 /proc/$VPID/stat")
	[ "$(state_of n1 "$VPID")" = T ] && [ "$t1" = "$t2" ] ||
		fail "process-hang: victim state $(state_of n1 "$VPID"), utime $t1 -> $t2"
	pass "process-hang: the victim is stopped (T) and uses no CPU ($t1 -> $t2 ticks)"
	undo n1
	s=$(state_of n1 "$VPID")
	[ "$s" = R ] || [ "$s" = S ] || fail "process-hang undone: victim state is $s"
	pass "process-hang undone: the victim runs again ($s)"

	inject n1 "{\"fault\": \"process-hang\", \"params\": {\"pid\": $VPID, \"duration_s\": 5}}"
	[ "$(state_of n1 "$VPID")" = T ] || fail "process-hang 5 s: not stopped"
	wait_on n1 15 "! grep -q '^State:.*T' /proc/$VPID/status" ||
		fail "process-hang 5 s: still stopped after 15 s"
	retry 15 closed_by n1 "$(ev .id)" deadline ||
		fail "process-hang 5 s: the record is not closed by the deadline: $(on n1 'campaign-agent status')"
	pass "process-hang duration_s 5: stopped, then running again by the helper's deadline"
}

# ---- reg-bitflip ----------------------------------------------------------------
t_reg_bitflip() {
	victim n1 spin
	inject n1 "{\"fault\": \"reg-bitflip\", \"params\": {\"pid\": $VPID, \"register\": \"rip\", \"bit\": 45}}"
	b=$(ev .evidence.before) a=$(ev .evidence.after)
	[ $((b ^ a)) = $((1 << 45)) ] && [ "$(ev .evidence.readback)" = "$a" ] ||
		fail "reg-bitflip: evidence rip $b -> $a is not bit 45: $R"
	pass "reg-bitflip: evidence rip $b -> $a (bit 45), read back"
	wait_on n1 10 'test -s /tmp/victim.rc' || fail "reg-bitflip: the victim did not crash"
	rc=$(on n1 'cat /tmp/victim.rc')
	[ "$rc" = 139 ] || fail "reg-bitflip: the victim exited $rc, not 139 (SIGSEGV)"
	on n1 'dmesg' | grep -q "agent-victim\[$VPID\]: segfault" ||
		fail "reg-bitflip: no segfault of $VPID in the kernel log"
	pass "reg-bitflip: the victim died of SIGSEGV (status 139, segfault in dmesg)"
	undo n1
	[ "$(evu .already_undone)" = true ] || fail "reg-bitflip: undo is not a no-op: $U"
	reset
	on n1 '! pidof agent-victim && campaign-agent status' |
		jq -e '[.injections[] | select(.active)] | length == 0' >/dev/null ||
		fail "reg-bitflip: the reset did not restore the node"
	pass "reg-bitflip: undo is a no-op; the reset restores the node (no victim, no active injection)"
}

# ---- mem-bitflip ----------------------------------------------------------------
t_mem_bitflip() {
	victim n1 data
	A=$(on n1 'i=0; until grep -q ^addr /tmp/victim.out; do i=$((i + 1)); [ $i -ge 50 ] && exit 1; sleep 0.1; done; sed -n "s/^addr //p" /tmp/victim.out')
	inject n1 "{\"fault\": \"mem-bitflip\", \"params\": {\"pid\": $VPID, \"address\": $((A + 100)), \"bit\": 3}}"
	[ "$(ev .evidence.before)" = 0 ] && [ "$(ev .evidence.after)" = 8 ] ||
		fail "mem-bitflip: evidence byte $(ev .evidence.before) -> $(ev .evidence.after)"
	wait_on n1 15 'grep -qx "changed 100 0 8" /tmp/victim.out' ||
		fail "mem-bitflip: the victim did not see byte 100 go 0 -> 8: $(on n1 'cat /tmp/victim.out')"
	pass "mem-bitflip: the victim reports byte 100 of its data changed 0 -> 8 (bit 3, $(ev .evidence.method))"
	undo n1
	wait_on n1 15 'grep -qx "changed 100 8 0" /tmp/victim.out' ||
		fail "mem-bitflip undone: the victim did not see the byte restored: $(on n1 'cat /tmp/victim.out')"
	pass "mem-bitflip undone: the victim reports byte 100 back to 0"
}

# ---- partition ------------------------------------------------------------------
t_partition() {
	ping_ok n2 $N1 && ping_ok n3 $N1 || fail "partition: cluster network down before the fault"
	inject n1 "{\"fault\": \"partition\", \"params\": {\"peers\": [\"$N2\"]}}"
	tbl=campaign_$(ev .id)
	on n1 "nft list table inet $tbl" >/dev/null || fail "partition: no table $tbl in nft"
	ping_fails n2 $N1 || fail "partition: n2 still reaches n1"
	ping_ok n3 $N1 || fail "partition: n3 (not a peer) no longer reaches n1"
	pass "partition n1|n2: n2 cannot ping n1, n3 still can; nft shows table $tbl"
	undo n1
	ping_ok n2 $N1 || fail "partition undone: n2 cannot ping n1"
	on n1 'nft list tables' | grep -q campaign_ && fail "partition undone: a campaign table is left: $(on n1 'nft list tables')"
	pass "partition undone: n2 pings n1 again, no campaign table left"
}

# ---- partition, one way -----------------------------------------------------------
t_partition_direction() {
	# Echo requests that reach a node count in its Icmp InEchos: with a
	# one-way cut, pings fail although their requests arrive.
	for dir in in out; do
		inject n1 "{\"fault\": \"partition\", \"params\": {\"peers\": [\"$N2\"], \"direction\": \"$dir\"}}"
		case $dir in
		in) from=n1 to=n2 ip=$N2 ;;	# n1 -> n2 passes, the replies do not
		out) from=n2 to=n1 ip=$N1 ;;	# n2 -> n1 passes, the replies do not
		esac
		a=$(in_echos $to)
		ping_fails $from $ip || fail "partition $dir: $from still gets replies from $to"
		b=$(in_echos $to)
		[ "$b" -gt "$a" ] || fail "partition $dir: $from's echo requests did not reach $to ($a -> $b)"
		pass "partition direction $dir: $from's pings reach $to ($a -> $b echo requests), the replies are dropped"
		undo n1
		ping_ok $from $ip || fail "partition $dir undone: $from cannot ping $to"
	done
	pass "partition direction in and out undone: pings work"
}

# ---- netem ------------------------------------------------------------------------
t_netem() {
	inject n1 '{"fault": "netem", "params": {"loss_pct": 100}}'
	on n1 'tc qdisc show dev eth1' | grep -q 'netem.*loss 100%' || fail "netem loss: no netem qdisc: $(on n1 'tc qdisc show dev eth1')"
	ping_fails n2 $N1 || fail "netem loss 100%: n2 still reaches n1"
	ping_fails n3 $N1 || fail "netem loss 100%: n3 still reaches n1"
	pass "netem loss 100% on n1: neither n2 nor n3 get ping replies"
	undo n1
	ping_ok n2 $N1 && ping_ok n3 $N1 || fail "netem loss undone: pings still fail"
	on n1 'tc qdisc show dev eth1' | grep -q netem && fail "netem loss undone: a netem qdisc is left"
	pass "netem loss undone: pings work, no netem qdisc"

	base=$(rtt n2 $N1)
	inject n1 "{\"fault\": \"netem\", \"params\": {\"delay_ms\": 200, \"peers\": [\"$N2\"]}}"
	d2=$(rtt n2 $N1) d3=$(rtt n3 $N1)
	[ -n "$d2" ] && [ "$d2" -ge 195 ] || fail "netem delay 200 ms to n2: rtt from n2 is '$d2' ms"
	[ -n "$d3" ] && [ "$d3" -lt 150 ] || fail "netem delay to n2 only: rtt from n3 is '$d3' ms"
	pass "netem delay 200 ms to peer n2: min rtt n2->n1 $d2 ms (was $base), n3->n1 $d3 ms"
	undo n1
	d2=$(rtt n2 $N1)
	[ -n "$d2" ] && [ "$d2" -lt 150 ] || fail "netem delay undone: rtt from n2 is '$d2' ms"
	pass "netem delay undone: min rtt n2->n1 $d2 ms"
}

# ---- disk-full ----------------------------------------------------------------------
t_disk_full() {
	free0=$(df_kib n1 /mnt/data)
	inject n1 '{"fault": "disk-full", "params": {"path": "/mnt/data", "leave_bytes": 1048576}}'
	free1=$(df_kib n1 /mnt/data)
	[ "$free1" -le 1024 ] || fail "disk-full: df shows $free1 KiB free, want <= 1024"
	out=$(on n1 'dd if=/dev/zero of=/mnt/data/big bs=64k count=32 2>&1; echo rc=$?; rm -f /mnt/data/big')
	case $out in *"No space left"*rc=1*) ;; *) fail "disk-full: a 2 MiB write did not fail with ENOSPC: $out" ;; esac
	pass "disk-full leave 1 MiB: df shows $free1 KiB free (was $free0), a 2 MiB write fails with ENOSPC"
	undo n1
	free2=$(df_kib n1 /mnt/data)
	[ "$free2" = "$free0" ] || fail "disk-full undone: $free2 KiB free, was $free0"
	on n1 'ls -a /mnt/data' | grep -q campaign-fill && fail "disk-full undone: the filler is left"
	pass "disk-full undone: $free2 KiB free again, filler gone"
}

# ---- io-error (syscall level) ---------------------------------------------------------
t_io_error() {
	victim n1 open /mnt/data/file
	wait_on n1 15 'grep -qx ok /tmp/victim.out' || fail "io-error: the victim cannot read /mnt/data/file"
	inject n1 "{\"fault\": \"io-error\", \"params\": {\"path\": \"/mnt/data\", \"pid\": $VPID, \"errno\": \"EIO\"}}"
	[ "$(ev .evidence.mechanism)" = ptrace ] || fail "io-error auto on a tmpfs: mechanism $(ev .evidence.mechanism)"
	wait_on n1 15 '[ "$(tail -n 1 /tmp/victim.out)" = "err 5" ]' ||
		fail "io-error: the victim did not get EIO: $(on n1 'cat /tmp/victim.out')"
	on n1 'cat /mnt/data/file' | grep -q hello || fail "io-error: a process not targeted cannot read the file"
	pass "io-error (syscall mode, chosen by auto: $(ev .evidence.dm_unavailable)): the victim's reads under /mnt/data fail with EIO; other processes read"
	undo n1
	wait_on n1 15 '[ "$(tail -n 1 /tmp/victim.out)" = ok ]' || fail "io-error undone: the victim still fails"
	[ "$(evu '.evidence.stats.failed_calls')" -gt 0 ] || fail "io-error undone: no failed calls counted: $U"
	on n1 "grep -q '^TracerPid:[[:space:]]*0' /proc/$VPID/status" || fail "io-error undone: the victim is still traced"
	pass "io-error undone: the victim reads again ($(evu .evidence.stats.failed_calls) calls failed), no tracer left"
}

# ---- io-error (device-mapper) ---------------------------------------------------------------
t_io_error_dm() {
	if [ $DM = 1 ]; then
		reset
		rd='echo 3 >/proc/sys/vm/drop_caches; dd if=/dev/dm-0 of=/dev/null bs=4096 count=1 iflag=direct 2>&1 && echo READ-OK'
		wr='dd if=/dev/zero of=/dev/dm-0 bs=4096 count=1 seek=2000 oflag=direct 2>&1 && echo WRITE-OK'
		[ "$(on n1 'agent-dmsetup table fa-dm' | awk '{print $3}')" = linear ] || fail "io-error dm: no linear device fa-dm on n1"
		on n1 "$rd; $wr" | grep -c -e READ-OK -e WRITE-OK | grep -qx 2 || fail "io-error dm: fa-dm does not work before the fault"
		on n1 'cat /mnt/dm/file' | grep -q hello || fail "io-error dm: cannot read /mnt/dm/file"
		inject n1 '{"fault": "io-error", "params": {"path": "/mnt/dm"}}'
		[ "$(ev .evidence.mechanism)" = device-mapper ] && [ "$(ev .evidence.device)" = fa-dm ] ||
			fail "io-error dm: mechanism $(ev .evidence.mechanism), device $(ev .evidence.device): $R"
		[ "$(on n1 'agent-dmsetup table fa-dm' | awk '{print $3}')" = error ] || fail "io-error dm: live table is not error"
		out=$(on n1 "$rd; $wr; cat /mnt/dm/file 2>&1; true")
		case $out in *READ-OK* | *WRITE-OK* | *hello*) fail "io-error dm: I/O still works: $out" ;; esac
		pass "io-error dm (path /mnt/dm, ops all): live table 'error'; direct reads, writes and file reads fail"
		undo n1
		[ "$(on n1 'agent-dmsetup table fa-dm' | awk '{print $3}')" = linear ] || fail "io-error dm undone: table not restored"
		out=$(on n1 "$rd; $wr; cat /mnt/dm/file 2>&1; true")
		case $out in *READ-OK*WRITE-OK*hello*) ;; *) fail "io-error dm undone: I/O still fails: $out" ;; esac
		pass "io-error dm undone: table linear again, reads, writes and the file work"

		inject n1 '{"fault": "io-error", "params": {"device": "fa-dm", "mode": "dm", "ops": "write"}}'
		on n1 'agent-dmsetup table fa-dm' | grep -q 'flakey.*error_writes' || fail "io-error dm write: table $(on n1 'agent-dmsetup table fa-dm')"
		out=$(on n1 "$rd; $wr; true")
		case $out in *READ-OK*) ;; *) fail "io-error dm write: reads fail too: $out" ;; esac
		case $out in *WRITE-OK*) fail "io-error dm write: writes still work: $out" ;; esac
		pass "io-error dm (device fa-dm, ops write): flakey error_writes; reads work, writes fail"
		undo n1
		out=$(on n1 "$rd; $wr; true")
		case $out in *READ-OK*WRITE-OK*) ;; *) fail "io-error dm write undone: $out" ;; esac
		pass "io-error dm write undone: writes work again"
	fi
}

# ---- syscall-error --------------------------------------------------------------------------
t_syscall_error() {
	victim n1 open /mnt/data/file
	wait_on n1 15 'grep -qx ok /tmp/victim.out' || fail "syscall-error: the victim cannot read /mnt/data/file"
	inject n1 "{\"fault\": \"syscall-error\", \"params\": {\"pid\": $VPID, \"syscall\": \"openat\", \"errno\": \"EACCES\", \"duration_s\": 0}}"
	wait_on n1 15 '[ "$(tail -n 1 /tmp/victim.out)" = "err 13" ]' ||
		fail "syscall-error: the victim did not get EACCES: $(on n1 'cat /tmp/victim.out')"
	pass "syscall-error openat EACCES: the victim sees errno 13"
	undo n1
	wait_on n1 15 '[ "$(tail -n 1 /tmp/victim.out)" = ok ]' || fail "syscall-error undone: the victim still fails"
	pass "syscall-error undone: the victim opens again ($(evu .evidence.stats.failed_calls) calls failed)"

	inject n1 "{\"fault\": \"syscall-error\", \"params\": {\"pid\": $VPID, \"syscall\": \"openat\", \"errno\": \"ENOENT\", \"count\": 3}}"
	wait_on n1 10 'grep -qx "err 2" /tmp/victim.out && [ "$(tail -n 1 /tmp/victim.out)" = ok ]' ||
		fail "syscall-error count 3: $(on n1 'cat /tmp/victim.out')"
	retry 15 closed_by n1 "$(ev .id)" count ||
		fail "syscall-error count 3: record not closed by count: $(on n1 'campaign-agent status')"
	pass "syscall-error count 3: the victim saw ENOENT, then works again; the helper ended by count"
}

# ---- clock-skew -----------------------------------------------------------------------------
t_clock_skew() {
	s0=$(skew_ms n1)
	inject n1 '{"fault": "clock-skew", "params": {"offset_ms": 30000}}'
	s1=$(skew_ms n1)
	# Each reading is within half an SSH round trip; the reset leaves the
	# guest up to a second or two off (the RTC counts whole seconds).
	d=$((s1 - s0))
	[ "$d" -ge 27500 ] && [ "$d" -le 32500 ] ||
		fail "clock-skew +30 s: guest moved $d ms against the host ($s0 -> $s1 ms)"
	pass "clock-skew step +30 s: the guest clock is $s1 ms off the host's (was $s0 ms: moved $d ms)"
	undo n1
	s2=$(skew_ms n1)
	d=$((s2 - s0))
	[ "${d#-}" -le 2500 ] && [ "${s2#-}" -le 3000 ] ||
		fail "clock-skew undone: guest is $s2 ms off the host, was $s0 ms"
	pass "clock-skew undone: the guest clock is $s2 ms off the host's (was $s0 ms)"

	inject n1 '{"fault": "clock-skew", "params": {"mode": "slew", "freq_ppm": 200}}'
	f=$(on n1 'adjtimex' | sed -n 's/.*freq.adjust: *\(-*[0-9]*\).*/\1/p')
	[ "$f" = $((200 * 65536)) ] || fail "clock-skew slew 200 ppm: adjtimex freq is $f"
	pass "clock-skew slew +200 ppm: adjtimex shows frequency $f (200 ppm)"
	undo n1
	f=$(on n1 'adjtimex' | sed -n 's/.*freq.adjust: *\(-*[0-9]*\).*/\1/p')
	[ "$f" = 0 ] || fail "clock-skew slew undone: adjtimex freq is $f"
	pass "clock-skew slew undone: frequency 0 again"
}

# ---- cpu-hog --------------------------------------------------------------------------------
t_cpu_hog() {
	i0=$(idle n1)
	inject n1 '{"fault": "cpu-hog", "params": {"duration_s": 0}}'
	i1=$(idle n1)
	w=$(ev '.evidence.workers[0]')
	[ "$i1" -le 10 ] && [ "$i0" -ge 50 ] || fail "cpu-hog: idle $i0% before, $i1% during"
	on n1 "grep -q campaign-cpuhog /proc/$w/status" || fail "cpu-hog: no worker $w"
	pass "cpu-hog: CPU idle $i0% -> $i1% on n1 (worker $w, load $(on n1 'cut -d" " -f1 /proc/loadavg'))"
	undo n1
	i2=$(idle n1)
	[ "$i2" -ge 50 ] || fail "cpu-hog undone: idle $i2%"
	# campaign-agent control (the control channel's loop) runs for the
	# guest's life; any other campaign- process is the fault's
	on n1 "test ! -e /proc/$w && ! ps | grep '[c]ampaign-' | grep -qv 'campaign-agent control'" ||
		fail "cpu-hog undone: helper or worker left: $(on n1 "ps | grep '[c]ampaign-'")"
	pass "cpu-hog undone: CPU idle $i2%, no helper or worker left"
}

# ---- mem-pressure ----------------------------------------------------------------------------
t_mem_pressure() {
	m0=$(avail_kib n1)
	inject n1 '{"fault": "mem-pressure", "params": {"mib": 48, "duration_s": 0}}'
	m1=$(avail_kib n1)
	[ $((m0 - m1)) -ge $((44 * 1024)) ] || fail "mem-pressure 48 MiB: MemAvailable $m0 -> $m1 KiB"
	pass "mem-pressure 48 MiB: MemAvailable $((m0 / 1024)) -> $((m1 / 1024)) MiB"
	undo n1
	m2=$(avail_kib n1)
	[ $((m0 - m2)) -le $((6 * 1024)) ] || fail "mem-pressure undone: MemAvailable $m2 KiB, was $m0"
	pass "mem-pressure undone: MemAvailable $((m2 / 1024)) MiB"
}

# ---- fd-exhaustion ---------------------------------------------------------------------------
t_fd_exhaustion() {
	victim n1 fds
	wait_on n1 15 'grep -qx ok /tmp/victim.out' || fail "fd-exhaustion: the victim cannot open"
	l0=$(on n1 "grep 'Max open files' /proc/$VPID/limits" | awk '{print $4}')
	inject n1 "{\"fault\": \"fd-exhaustion\", \"params\": {\"pid\": $VPID, \"leave\": 0}}"
	l1=$(on n1 "grep 'Max open files' /proc/$VPID/limits" | awk '{print $4}')
	wait_on n1 15 '[ "$(tail -n 1 /tmp/victim.out)" = "err 24" ]' ||
		fail "fd-exhaustion: the victim did not get EMFILE: $(on n1 'cat /tmp/victim.out')"
	pass "fd-exhaustion: soft limit $l0 -> $l1, the victim's open fails with EMFILE (24)"
	undo n1
	wait_on n1 15 '[ "$(tail -n 1 /tmp/victim.out)" = ok ]' || fail "fd-exhaustion undone: the victim still fails"
	l2=$(on n1 "grep 'Max open files' /proc/$VPID/limits" | awk '{print $4}')
	[ "$l2" = "$l0" ] || fail "fd-exhaustion undone: soft limit $l2, was $l0"
	pass "fd-exhaustion undone: soft limit $l2 again, the victim opens"
}

# ---- undo all --------------------------------------------------------------------------------
t_undo_all() {
	inject n1 "{\"fault\": \"partition\", \"params\": {\"peers\": [\"$N2\"]}}"
	inject n1 "{\"fault\": \"netem\", \"params\": {\"loss_pct\": 100, \"peers\": [\"$N3\"]}}"
	inject n1 '{"fault": "disk-full", "params": {"path": "/mnt/data"}}'
	ping_fails n2 $N1 && ping_fails n3 $N1 || fail "undo all: faults not in effect"
	U=$(on n1 'campaign-agent undo '\''{"all": true}'\''') || fail "undo all failed: $U"
	[ "$(evu '.undone | length')" = 3 ] || fail "undo all: $(evu '.undone | length') undone, want 3: $U"
	ping_ok n2 $N1 && ping_ok n3 $N1 || fail "undo all: pings still fail"
	[ "$(df_kib n1 /mnt/data)" -gt 15000 ] || fail "undo all: disk still full"
	pass "undo all: partition, netem and disk-full on n1 undone together; pings and disk back"
}


# ---- run them, each from the golden snapshot ---------------------------------

for t in malformed process_kill process_hang reg_bitflip mem_bitflip partition partition_direction netem \
	disk_full io_error io_error_dm syscall_error clock_skew cpu_hog mem_pressure \
	fd_exhaustion undo_all; do
	case " ${FA_ONLY:-$t} " in *" $t "*) ;; *) continue ;; esac
	t_start=$(date +%s)
	reset
	"t_$t"
	echo "# $t: $(($(date +%s) - t_start)) s"
done
pass "agent faults verified in $(($(date +%s) - T0)) s"
