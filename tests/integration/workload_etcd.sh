#!/bin/sh
# The etcd workload end to end: configs/etcd.json brings up a 3-member
# etcd 3.4 cluster (image workloads/etcd, bootstrap by etcd-supervise),
# runs 4 fault-injection runs with the register client and the
# linearizable-register checker as an oracle, then the client runs
# against the golden cluster with no fault and the checker must say valid.
# The testbed is taken down at the end, whatever happens.
. tests/integration/lib.sh

CFG=configs/etcd.json
BUILD=$(cd "$(dirname "$CAMPAIGN")/.." && pwd)
CLIENT=$BUILD/workloads/etcd/etcd-client-campaign
TMP=$(mktemp -d)
OUT=$TMP/etcd
trap '"$CAMPAIGN" -q testbed down "$CFG" >/dev/null 2>&1; rm -rf "$TMP"' EXIT

[ -x "$CLIENT" ] || fail "no client at $CLIENT (build target etcd-client-campaign)"
"$CAMPAIGN" validate "$CFG" >/dev/null || fail "$CFG does not validate"

"$CAMPAIGN" testbed down "$CFG" >/dev/null 2>&1 || true
set +e
"$CAMPAIGN" run "$CFG" --runs 4 --out "$OUT" --keep-testbed
rc=$?
set -e
# 0: no flaw; 1: flaws (a real finding is not a test failure here)
[ $rc = 0 ] || [ $rc = 1 ] || fail "campaign exited $rc"
J=$OUT/journal.jsonl

runs=$(jq -s -c '[.[] | select(.type == "run") | .run]' "$J")
[ "$runs" = "[1,2,3,4]" ] || fail "journal runs are $runs, want [1,2,3,4]"
pass "4 runs recorded: $(jq -s -c '[.[] | select(.type == "run") | "\(.faults[0].type)@\(.faults[0].node)=\(.outcome)"]' "$J")"

# Every run: the checker ran on a non-empty history and gave a verdict.
bad=$(jq -s -c '[.[] | select(.type == "run") |
	{run, c: [.oracles[] | select(.oracle == "command" and .data.checker? == "linearizable-register")][0]} |
	select(.c == null or (.c.verdict | IN("pass", "fail") | not) or
	       .c.data.checker != "linearizable-register" or (.c.data.ops // 0) < 20) |
	{run, c}]' "$J")
[ "$bad" = "[]" ] || fail "runs without a checker verdict on a history: $bad"
pass "every run has a linearizable-register verdict over a history: $(jq -s -c '[.[] | select(.type == "run") | .oracles[] | select(.oracle == "command" and .data.checker? == "linearizable-register") | "\(.verdict) (\(.data.ops) ops)"]' "$J")"

# ... and an availability verdict over the same history with the engine's
# fault windows merged in: exactly one window per run, opened at the fault.
bad=$(jq -s -c '[.[] | select(.type == "run") |
	{run, c: [.oracles[] | select(.oracle == "command" and .data.checker? == "availability")][0]} |
	select(.c == null or (.c.data.fault_windows | length) != 1 or (.c.data.ops // 0) < 20) | {run, c}]' "$J")
[ "$bad" = "[]" ] || fail "runs without an availability verdict over one fault window: $bad"
pass "every run has an availability verdict with its fault window: $(jq -s -c '[.[] | select(.type == "run") | .oracles[] | select(.data.checker? == "availability") | .data.during_faults.ok_ratio]' "$J")"

# The golden state is a healthy cluster: every run passed READY (the
# health probe on every member), and after a reset the cluster says so.
jq -s -e '[.[] | select(.type == "run") | .phases.ready_ms != null] | all' "$J" >/dev/null ||
	fail "a run has no ready phase"
"$CAMPAIGN" -q testbed reset "$CFG" >/dev/null || fail "testbed reset failed"
out=$(tb_ssh "$CFG" n1 "ETCDCTL_API=3 etcdctl --endpoints=http://10.99.0.11:2379,http://10.99.0.12:2379,http://10.99.0.13:2379 --command-timeout=5s endpoint health 2>&1") ||
	fail "etcd not healthy at golden: $out"
[ "$(echo "$out" | grep -c 'is healthy')" = 3 ] || fail "not 3 healthy members at golden: $out"
pass "golden: 3 healthy members"

# A fault-free run of the client against the forwarded client ports
# (node i's forward k is at ssh base + 16*(k+1) + i; one forward, "http").
base=$("$CAMPAIGN" testbed status "$CFG" --json | jq -r '.nodes[0].ssh | split(":")[1]')
nodes=127.0.0.1:$((base + 16)),127.0.0.1:$((base + 17)),127.0.0.1:$((base + 18))
"$CLIENT" --nodes "$nodes" --out "$TMP/history.jsonl" --clients 4 --rate 25 --keys 3 \
	--duration-s 6 --timeout-ms 2000 2>"$TMP/client.err" || fail "client failed: $(cat "$TMP/client.err")"
cat "$TMP/client.err"
for f in read write cas; do
	n=$(jq -s "[.[] | select(.type == \"ok\" and .f == \"$f\")] | length" "$TMP/history.jsonl")
	[ "$n" -ge 5 ] || fail "only $n ok ${f}s in a fault-free run"
done
info=$(jq -s '[.[] | select(.type == "info")] | length' "$TMP/history.jsonl")
[ "$info" = 0 ] || fail "$info indeterminate operations in a fault-free run"
v=$("$CAMPAIGN" check linearizable-register --json "$TMP/history.jsonl") ||
	fail "checker does not say valid on a fault-free run: $v"
pass "fault-free history: $(printf "%s\n" "$v" | jq -c '{valid, ops, keys}')"

# The leader's faults: "target": "leader" is resolved by workload.leader
# (etcd-is-leader on each member) at injection time, and the partition's
# peers come from the {peers.ip} template: the two other members.
run_one() {	# NAME FAULT-JSON: a one-run campaign with that fault only
	jq --argjson f "$2" '.name = "etcd" | .faults = [$f] | .schedule.runs = 1' \
		"$CFG" > "configs/.test-etcd-$1.json"
	set +e
	"$CAMPAIGN" run "configs/.test-etcd-$1.json" --out "$TMP/$1" --keep-testbed >"$TMP/$1.log" 2>&1
	rc=$?
	set -e
	rm -f "configs/.test-etcd-$1.json"
	[ $rc = 0 ] || [ $rc = 1 ] || fail "$1 campaign exited $rc: $(tail -3 "$TMP/$1.log")"
	jq -s -c '[.[] | select(.type == "run")][0]' "$TMP/$1/journal.jsonl"
}
r=$(run_one partition '{"type": "partition", "target": "leader", "peers": "{peers.ip}", "duration_s": 4}')
[ "$(printf "%s\n" "$r" | jq -r '.faults[0].target.how')" = workload.leader ] ||
	fail "the leader was not found by workload.leader: $(printf "%s\n" "$r" | jq -c '.faults[0] | {node, target}')"
node=$(printf "%s\n" "$r" | jq -r '.faults[0].node')
i=${node#n}
want=$(for k in 1 2 3; do [ $k = "$i" ] || printf '10.99.0.%d, ' $((10 + k)); done)
want=${want%, }
printf "%s\n" "$r" | jq -r '.faults[0].evidence.script' | grep -qF "ip daddr { $want }" ||
	fail "partition of $node does not cut off exactly { $want }: $(printf "%s\n" "$r" | jq -r '.faults[0].evidence.script')"
[ "$(printf "%s\n" "$r" | jq -r '.outcome')" != infra ] || fail "partition run was an infra error"
pass "partition of the leader $node from { $want }: $(printf "%s\n" "$r" | jq -r '.outcome')"

# A power cut that keeps the disk: vm-crash with "recover": "boot" starts
# the member again from its own disk and on_boot restarts etcd, which must
# rejoin with its raft log (a restore from the golden snapshot would roll
# it back, and etcd panics).
boot0=$(tb_ssh "$CFG" n2 "cat /proc/sys/kernel/random/boot_id")
r=$(run_one crash '{"type": "vm-crash", "target": "n2", "recover": "boot", "duration_s": 2}')
[ "$(printf "%s\n" "$r" | jq -r '.faults[0].undo_evidence.action')" = "booted from its disk, then on_boot" ] ||
	fail "vm-crash was not recovered by a boot: $(printf "%s\n" "$r" | jq -c '.faults[0].undo_evidence')"
[ "$(printf "%s\n" "$r" | jq -r '.outcome')" != infra ] || fail "vm-crash run was an infra error"
boot1=$(tb_ssh "$CFG" n2 "cat /proc/sys/kernel/random/boot_id")
[ "$boot1" != "$boot0" ] || fail "n2 has the golden boot id $boot0: it did not boot again"
get="ETCDCTL_API=3 etcdctl --endpoints=http://127.0.0.1:2379 --command-timeout=5s get campaign-bootstrap --print-value-only 2>&1"
out=$(tb_ssh "$CFG" n2 "$get") || fail "etcd on n2 after the power cut does not answer: $out"
ref=$(tb_ssh "$CFG" n1 "$get") || fail "etcd on n1 does not answer: $ref"
[ -n "$out" ] && [ "$out" = "$ref" ] ||
	fail "n2's etcd after the power cut reads '$out' for campaign-bootstrap, n1 reads '$ref'"
log=$(tb_ssh "$CFG" n2 "cat /var/log/etcd.log")
case $log in *panic*) fail "etcd on n2 panicked after the power cut" ;; esac
pass "power cut of n2: booted from its disk in $(printf "%s\n" "$r" | jq -r '.faults[0].undo_evidence.boot_ms') ms (new boot id), etcd back with its data, outcome $(printf "%s\n" "$r" | jq -r '.outcome')"
