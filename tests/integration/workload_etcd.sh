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
	{run, c: [.oracles[] | select(.oracle == "command")][0]} |
	select(.c == null or (.c.verdict | IN("pass", "fail") | not) or
	       .c.data.checker != "linearizable-register" or (.c.data.ops // 0) < 20) |
	{run, c}]' "$J")
[ "$bad" = "[]" ] || fail "runs without a checker verdict on a history: $bad"
pass "every run has a linearizable-register verdict over a history: $(jq -s -c '[.[] | select(.type == "run") | .oracles[] | select(.oracle == "command") | "\(.verdict) (\(.data.ops) ops)"]' "$J")"

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
pass "fault-free history: $(echo "$v" | jq -c '{valid, ops, keys}')"
