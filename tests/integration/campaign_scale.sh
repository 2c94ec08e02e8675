#!/bin/sh
# Scale-out on real VMs (tiny image, two 2-node testbeds): --testbeds 2
# runs the same plans as one testbed, each run once; a kill -9 of a
# 2-testbed campaign and a resume record each run once; shards 1/2 and 2/2
# merged hold the unsharded runs and plans, their counts summed; merge
# refuses a shard of another seed.
. tests/integration/lib.sh

BASE=tests/integration/configs/counter.json
CFG=tests/integration/configs/.scale.json
TMP=$(mktemp -d)
cleanup() {
	"$CAMPAIGN" -q testbed down "$CFG" >/dev/null 2>&1 || true
	jq '.testbed.prefix = "cmp-it-scale-t2" | .testbed.ssh_port_base = 24900' "$CFG" \
		> "$CFG.t2" 2>/dev/null && "$CAMPAIGN" -q testbed down "$CFG.t2" >/dev/null 2>&1 || true
	rm -rf "$TMP" "$CFG" "$CFG.t2"
}
trap cleanup EXIT
jq '.name = "it-scale" | .testbed.prefix = "cmp-it-scale" | .testbed.ssh_port_base = 24800 |
    .testbed.nodes = [.testbed.nodes[0], .testbed.nodes[1]] |
    .faults = [{"type": "process-kill", "process": "counterd", "signal": "TERM"}] |
    .schedule.runs = 10 | .schedule.observe_s = 3 |
    .oracles = [{"type": "probe-recovers", "probe": "health", "within_s": 4}]' "$BASE" > "$CFG"

plans() {	# plans DIR: the journal's plans, in run order
	jq -s -c '[.[] | select(.type == "run") | .plan] | sort_by(.run)' "$1/journal.jsonl"
}
runs_once() {	# runs_once DIR N
	got=$(jq -s -c '[.[] | select(.type == "run") | .run] | sort' "$1/journal.jsonl")
	[ "$got" = "$(jq -n -c "[range(1; $2 + 1)]")" ] || fail "$1: runs $got, want 1..$2 once"
}
run() {	# run OUT ARGS...: a campaign that must end 0 or 1
	out=$1
	shift
	set +e
	"$CAMPAIGN" run "$CFG" --out "$out" "$@" 2>"$out.err"
	rc=$?
	set -e
	[ $rc = 0 ] || [ $rc = 1 ] || { cat "$out.err"; fail "run $* exited $rc"; }
}

# ---- two testbeds: the same plans as one, each run once ----
run "$TMP/two" --testbeds 2 --runs 6 --keep-testbed
runs_once "$TMP/two" 6
beds=$(jq -s -c '[.[] | select(.type == "run") | .testbed] | unique' "$TMP/two/journal.jsonl")
[ "$beds" = "[1,2]" ] || fail "runs went to testbeds $beds, want both"
jq -e '.by_testbed | (."1" + ."2") == 6' "$TMP/two/summary.json" >/dev/null ||
	fail "summary.json by_testbed: $(jq -c .by_testbed "$TMP/two/summary.json")"
grep -q "runs per testbed" "$TMP/two/report/index.html" || fail "the report shows no runs per testbed"
want=$("$CAMPAIGN" plan "$CFG" --runs 1-6 --json | jq -s -c '.')
[ "$(plans "$TMP/two")" = "$want" ] || fail "2 testbeds ran other plans than campaign plan"
pass "--testbeds 2: runs 1..6 once, on both testbeds, with the plans of one testbed"

# ---- kill -9 of a 2-testbed campaign, then resume ----
"$CAMPAIGN" run "$CFG" --out "$TMP/kill" --testbeds 2 --runs 10 --keep-testbed \
	2>"$TMP/kill.err" &
pid=$!
deadline=$(($(date +%s) + 600))
until [ -f "$TMP/kill/journal.jsonl" ] &&
      [ "$(grep -c '"type":"run"' "$TMP/kill/journal.jsonl")" -ge 3 ]; do
	[ "$(date +%s)" -lt "$deadline" ] || fail "no 3 runs within 600 s"
	sleep 0.3
done
kill -9 $pid
wait $pid 2>/dev/null || true
run "$TMP/kill" --testbeds 2 --runs 10 --keep-testbed
runs_once "$TMP/kill" 10
[ "$(plans "$TMP/kill")" = "$("$CAMPAIGN" plan "$CFG" --runs 1-10 --json | jq -s -c '.')" ] ||
	fail "plans after the resume differ"
pass "kill -9 of a 2-testbed campaign and a resume: runs 1..10 once each"

# ---- shards, then merge ----
run "$TMP/s1" --shard 1/2 --runs 6 --keep-testbed
run "$TMP/s2" --shard 2/2 --runs 6 --keep-testbed
[ "$(jq -s -c '[.[] | select(.type == "run") | .run] | sort' "$TMP/s1/journal.jsonl")" = "[1,3,5]" ] ||
	fail "shard 1/2 did not run 1, 3, 5"
"$CAMPAIGN" merge "$TMP/merged" "$TMP/s1" "$TMP/s2" >/dev/null ||
	fail "merge of two shards failed"
runs_once "$TMP/merged" 6
[ "$(plans "$TMP/merged")" = "$want" ] || fail "merged plans differ from the unsharded campaign's"
for k in no-effect recovered flaw unjudged; do
	a=$(jq ".outcomes[\"$k\"] // 0" "$TMP/s1/summary.json")
	b=$(jq ".outcomes[\"$k\"] // 0" "$TMP/s2/summary.json")
	m=$(jq ".outcomes[\"$k\"] // 0" "$TMP/merged/summary.json")
	[ "$m" = "$((a + b))" ] || fail "merged $k is $m, shards have $a + $b"
done
[ -f "$TMP/merged/report/index.html" ] || fail "no merged report"
pass "shards 1/2 and 2/2 merged: runs 1..6 with the unsharded plans, outcome counts summed, a report"

# ---- merge refuses a shard of another campaign ----
run "$TMP/other" --shard 2/2 --runs 6 --seed 8 --keep-testbed
expect_fail_with "seed" "$CAMPAIGN" merge "$TMP/bad" "$TMP/s1" "$TMP/other"
[ ! -e "$TMP/bad/journal.jsonl" ] || fail "a refused merge wrote a journal"
pass "merge refuses shards of different seeds and writes nothing"
