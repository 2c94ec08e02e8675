#!/bin/sh
# Every hypervisor fault on a real 2-node testbed of its own: each one is
# applied by a one-run campaign, its effect is watched from outside while
# it lasts (virsh, the monitor, SSH), its evidence checked in the journal,
# and the node checked back to normal after the undo or the restore.
. tests/integration/lib.sh

HV=tests/integration/configs/hv.json
PREFIX=cmp-it-hv
VIRSH="virsh -q -c qemu:///system"
TMP=$(mktemp -d)

cleanup() {
	if [ -n "${RUN_PID:-}" ]; then
		# the second signal stops a campaign at once; down needs it gone
		kill "$RUN_PID" 2>/dev/null && sleep 1 && kill "$RUN_PID" 2>/dev/null || true
		wait "$RUN_PID" 2>/dev/null || true
	fi
	"$CAMPAIGN" -q testbed down "$HV" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- helpers ----

# poll SECONDS WHAT COMMAND...: until the command succeeds, at most SECONDS.
poll() {
	secs=$1 what=$2
	shift 2
	end=$(($(date +%s) + secs))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || fail "no $what within $secs s"
		sleep 0.5
	done
}

domstate() { $VIRSH domstate "$PREFIX-$1" | head -n 1; }
is_state() { [ "$(domstate "$1")" = "$2" ]; }
# paused by virDomainSuspend ("user"), not by a reset's stop/loadvm
suspended() { [ "$($VIRSH domstate --reason "$PREFIX-$1" | head -n 1)" = "paused (user)" ]; }
hmp() { $VIRSH qemu-monitor-command --hmp "$PREFIX-$1" "$2" | tr -d '\r'; }
# The byte at guest physical address $2 of node $1, as 0xNN.
xp_byte() { hmp "$1" "xp /1bx $2" | awk 'NF { print $2; exit }'; }
byte_is() { [ "$(xp_byte "$1" "$2")" = "$3" ]; }
boot_id() { tb_ssh "$HV" "$1" cat /proc/sys/kernel/random/boot_id; }
boot_id_is_not() { b=$(boot_id "$1") && [ -n "$b" ] && [ "$b" != "$2" ]; }
ping_rc() { tb_ssh "$HV" "$1" "ping -c 1 -W 1 $2 >/dev/null 2>&1; echo \$?"; }
ping_fails() { [ "$(ping_rc "$1" "$2")" = 1 ]; }
ping_ok() { [ "$(ping_rc "$1" "$2")" = 0 ]; }

# hv_config NAME FAULT: a one-run campaign of FAULT (JSON) on this testbed.
hv_config() {
	jq --arg img "$PWD/workloads/tiny" --argjson f "$2" '
		.testbed.image = $img | .faults = [$f] |
		.schedule = {runs: 1, inject_at_s: 0.5, observe_s: 1} |
		.oracles = [{type: "containment"}]' "$HV" >"$TMP/$1.json"
}

# start_run NAME: the campaign of hv_config NAME, in the background.
start_run() {
	"$CAMPAIGN" run "$TMP/$1.json" --out "$TMP/$1.out" --keep-testbed \
		>"$TMP/$1.log" 2>&1 &
	RUN_PID=$!
}

# finish_run NAME: wait for it; REC is its run record (one run, no infra error).
finish_run() {
	rc=0
	wait "$RUN_PID" || rc=$?
	RUN_PID=
	J=$TMP/$1.out/journal.jsonl
	case $rc in
	0 | 1) ;;
	*) cat "$TMP/$1.log" >&2; fail "campaign of $1 exited $rc" ;;
	esac
	REC=$(jq -c 'select(.type == "run")' "$J")
	[ -n "$REC" ] || fail "no run record for $1: $(cat "$J")"
	echo "$1: $(echo "$REC" | jq -c '{outcome, fault: .faults[0] | {type, node, evidence, undo_evidence, restored}}')"
}

# rec JQ-FILTER: the filter holds for the run record.
rec() {
	echo "$REC" | jq -e "$1" >/dev/null || fail "record does not satisfy $1"
}

# ev FIELD: a field of the first fault's evidence.
ev() { echo "$REC" | jq -r ".faults[0].evidence.$1"; }

# Back to normal: running, answering SSH, and (restored nodes) the boot
# of the golden snapshot.
normal() {
	node=$1 want_boot=${2:-}
	is_state "$node" running || fail "$node is $(domstate "$node") after the run"
	[ "$(hmp "$node" 'info status' | head -n 1)" = "VM status: running" ] ||
		fail "QEMU of $node is not running after the run"
	b=$(boot_id "$node") || fail "$node does not answer SSH after the run"
	[ -z "$want_boot" ] || [ "$b" = "$want_boot" ] ||
		fail "$node runs boot $b after the run, not the snapshot's $want_boot"
}

# xor_hi_lo A B: A xor B as "HIGH LOW" 32-bit halves, for 0x + 16 hex digits.
xor_hi_lo() {
	a=$1 b=$2
	hi=$(( 0x$(echo "$a" | cut -c3-10) ^ 0x$(echo "$b" | cut -c3-10) ))
	lo=$(( 0x$(echo "$a" | cut -c11-18) ^ 0x$(echo "$b" | cut -c11-18) ))
	echo "$hi $lo"
}

# flipped64 BEFORE AFTER BIT: AFTER is BEFORE with exactly BIT flipped.
flipped64() {
	set -- "$1" "$2" "$3" "$(xor_hi_lo "$1" "$2")"
	if [ "$3" -ge 32 ]; then
		[ "$4" = "$((1 << ($3 - 32))) 0" ]
	else
		[ "$4" = "0 $((1 << $3))" ]
	fi
}

# ---- parameters are checked before anything runs ----
# (campaign run checks fault parameters when it loads the config, before
# it opens the testbed, as campaign validate does)

hv_config bad-bit '{"type": "vcpu-bitflip", "bit": 64}'
expect_fail_with "outside [0, 63]" "$CAMPAIGN" run "$TMP/bad-bit.json" --out "$TMP/bad"
hv_config bad-param '{"type": "guest-mem-bitflip", "adress": 4096}'
expect_fail_with "has no parameter 'adress'" "$CAMPAIGN" run "$TMP/bad-param.json" --out "$TMP/bad"
hv_config bad-crash '{"type": "vm-crash", "bit": 1}'
expect_fail_with "has no parameter 'bit'" "$CAMPAIGN" run "$TMP/bad-crash.json" --out "$TMP/bad"
[ ! -e "$TMP/bad" ] || fail "a refused config left results behind"
pass "bit-flip parameters checked against their specs"

# ---- the testbed ----

"$CAMPAIGN" -q testbed down "$HV" >/dev/null 2>&1 || true
"$CAMPAIGN" testbed up "$HV" || fail "testbed up"
"$CAMPAIGN" -q testbed reset "$HV" >/dev/null || fail "testbed reset"
B1=$(boot_id n1) && B2=$(boot_id n2) || fail "nodes do not answer"
ping_ok n1 10.99.0.12 || fail "n1 cannot ping n2 before the faults"
pass "testbed up; golden boots n1 $B1, n2 $B2"

# ---- guest-mem-bitflip at a fixed address ----
# 0x50000 lies in the low megabyte Linux reserves and never touches after
# boot, so only the fault changes it.
ADDR=0x50000
BEFORE=$(xp_byte n2 $ADDR)
WANT=$(printf '0x%02x' $((BEFORE ^ 8)))
hv_config mem '{"type": "guest-mem-bitflip", "target": "n2", "address": 327680, "bit": 3, "duration_s": 20}'
start_run mem
poll 60 "flipped byte at $ADDR of n2 ($BEFORE -> $WANT) through the monitor" \
	byte_is n2 $ADDR "$WANT"
is_state n2 running || fail "n2 is $(domstate n2) after the flip, not running"
pass "monitor reads $WANT at $ADDR while the fault lasts; the VM runs"
finish_run mem
rec '.faults[0].type == "guest-mem-bitflip" and .faults[0].restored'
[ "$(ev address)" = 0x0000000000050000 ] && [ "$(ev bit)" = 3 ] &&
	[ "$(ev before)" = "$BEFORE" ] && [ "$(ev after)" = "$WANT" ] ||
	fail "evidence does not show $BEFORE -> $WANT at $ADDR bit 3"
[ "$(ev memory_bytes)" = 134217728 ] || fail "memory size $(ev memory_bytes), want 128 MiB"
byte_is n2 $ADDR "$BEFORE" || fail "byte at $ADDR not restored: $(xp_byte n2 $ADDR)"
normal n2 "$B2"
! ss -ltnH "sport = :$(ev port)" | grep -q . || fail "the gdb stub still listens on $(ev port)"
pass "evidence $BEFORE -> $WANT read back through the gdbstub; restored; stub closed"
echo "timings: attach $(ev attach_us) us, flip $(ev flip_us) us, release $(ev release_us) us"

# ---- guest-mem-bitflip at a seeded random address ----
hv_config memrand '{"type": "guest-mem-bitflip", "target": "n1"}'
start_run memrand
finish_run memrand
A=$(ev address)
[ $(($A >= 0x100000 && $A < 0x8000000)) = 1 ] || fail "random address $A outside [1 MiB, 128 MiB)"
[ $(( $(ev before) ^ $(ev after) )) = $((1 << $(ev bit))) ] ||
	fail "random flip: $(ev before) -> $(ev after) is not bit $(ev bit)"
rec '.faults[0].restored'
normal n1 "$B1"
pass "random address $A bit $(ev bit): $(ev before) -> $(ev after); restored"

# ---- vcpu-bitflip of rip ----
hv_config rip '{"type": "vcpu-bitflip", "target": "n1", "register": "rip", "bit": 12, "duration_s": 3}'
start_run rip
finish_run rip
[ "$(ev register)" = rip ] && [ "$(ev bit)" = 12 ] && [ "$(ev vcpu)" = 0 ] ||
	fail "evidence is not rip bit 12 of vCPU 0"
flipped64 "$(ev before)" "$(ev after)" 12 ||
	fail "rip $(ev before) -> $(ev after) is not bit 12 flipped"
rec '.faults[0].restored and (.faults[0].evidence.wall_ns > 0)'
normal n1 "$B1"
pass "rip $(ev before) -> $(ev after) on vCPU 0 (the guest's fate is the oracles' business); restored"

# ---- vcpu-bitflip with seeded choices, twice: the same choice ----
hv_config gpr '{"type": "vcpu-bitflip", "target": "n2", "duration_s": 2}'
start_run gpr
finish_run gpr
R=$(ev register) BIT=$(ev bit)
case " rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 rip " in
*" $R "*) ;;
*) fail "random register '$R' is not a general-purpose one" ;;
esac
flipped64 "$(ev before)" "$(ev after)" "$BIT" ||
	fail "$R $(ev before) -> $(ev after) is not bit $BIT flipped"
normal n2 "$B2"
mv "$TMP/gpr.out" "$TMP/gpr1.out"
start_run gpr
finish_run gpr
[ "$(ev register) $(ev bit) $(ev vcpu)" = "$R $BIT 0" ] ||
	fail "same seed, different choice: $(ev register) $(ev bit), first $R $BIT"
normal n2 "$B2"
pass "seeded register $R bit $BIT, the same on a second campaign"

# ---- vm-pause ----
hv_config pause '{"type": "vm-pause", "target": "n2", "duration_s": 15}'
start_run pause
poll 60 "n2 paused by virDomainSuspend" suspended n2
if timeout 12 "$CAMPAIGN" -q testbed ssh "$HV" n2 -- true >/dev/null 2>&1; then
	fail "paused n2 answers SSH"
fi
pass "n2 paused and silent"
finish_run pause
rec '.faults[0].evidence.state_after == "paused" and
     .faults[0].undo_evidence.action == "virDomainResume" and
     .faults[0].undo_evidence.state_after == "running"'
normal n2
pass "n2 resumed by the undo and answers"

# ---- link-down ----
hv_config link '{"type": "link-down", "target": "n1", "duration_s": 15}'
start_run link
poll 60 "failing ping from n1 to n2 over a working SSH" ping_fails n1 10.99.0.12
pass "n1's cluster link is down: no ping to n2, SSH still works"
finish_run link
rec '.faults[0].evidence.link == "off" and .faults[0].undo_evidence.link == "on"'
poll 20 "ping from n1 to n2 after the undo" ping_ok n1 10.99.0.12
normal n1
pass "link up again: n1 pings n2"

# ---- vm-crash ----
hv_config crash '{"type": "vm-crash", "target": "n2", "duration_s": 8}'
start_run crash
poll 60 "destroyed n2" is_state n2 "shut off"
pass "n2 shut off"
finish_run crash
rec '.faults[0].evidence.action == "virDomainDestroy" and
     .faults[0].evidence.state_after == "shut-off" and .faults[0].restored'
normal n2 "$B2"
pass "n2 restored from its snapshot"

# ---- vm-reset: the guest reboots (a new boot id), then is restored ----
hv_config reset '{"type": "vm-reset", "target": "n1", "duration_s": 90}'
start_run reset
poll 150 "new boot of n1 after system_reset" boot_id_is_not n1 "$B1"
pass "n1 rebooted: boot $(boot_id n1)"
finish_run reset
rec '.faults[0].evidence.action == "system_reset" and .faults[0].restored'
normal n1 "$B1"
pass "n1 restored to the snapshot's boot"
