#!/bin/sh
# A 30-run campaign on the project's own SUT (tests/sut: a replicated
# counter with one planted bug that only SIGKILL triggers): exactly one
# flaw signature, with a complete trace; the tolerated faults (SIGTERM,
# VM crash) make none. Then the flaw's run replays.
. tests/integration/lib.sh

CFG=tests/integration/configs/counter.json
OUT=$(mktemp -d)/counter
trap 'rm -rf "$(dirname "$OUT")"' EXIT

"$CAMPAIGN" testbed down "$CFG" >/dev/null 2>&1 || true
set +e
"$CAMPAIGN" run "$CFG" --out "$OUT" --keep-testbed
rc=$?
set -e
[ $rc = 1 ] || fail "campaign exited $rc, want 1 (flaws found)"
J=$OUT/journal.jsonl

runs=$(jq -s -c '[.[] | select(.type == "run") | .run]' "$J")
[ "$runs" = "$(jq -n -c '[range(1; 31)]')" ] || fail "journal runs are $runs, want 1..30 in order"
pass "30 runs recorded once each, in order"

n_flaws=$(ls "$OUT/flaws" | wc -l)
[ "$n_flaws" = 1 ] || fail "$n_flaws flaw signatures, want exactly 1"
F=$(ls "$OUT"/flaws/*.json)
jq -e '.signature | startswith("probe-recovers|process-kill|member|")' "$F" >/dev/null ||
	fail "the flaw is not the SIGKILL recovery flaw: $(jq -r .signature "$F")"
pass "one flaw: $(jq -r .signature "$F")"

# Every SIGKILL run is that flaw; no other run is a flaw.
bad=$(jq -s -c '[.[] | select(.type == "run") |
	{run, outcome, kill: ([.faults[] | select(.type == "process-kill") |
	  .evidence.signal.name] | index("KILL") != null)} |
	select((.outcome == "flaw") != .kill)]' "$J")
[ "$bad" = "[]" ] || fail "runs where flaw and SIGKILL disagree: $bad"
kills=$(jq -s '[.[] | select(.type == "run" and .outcome == "flaw")] | length' "$J")
[ "$kills" -ge 1 ] || fail "no SIGKILL run in 30"
others=$(jq -s '[.[] | select(.type == "run" and .outcome != "flaw")] | length' "$J")
[ "$others" -ge 1 ] || fail "no tolerated fault in 30 runs"
jq -s -e '[.[] | select(.type == "run" and .outcome != "flaw") | .faults[].type] |
	index("vm-crash") != null' "$J" >/dev/null || fail "no vm-crash run to show tolerance"
pass "$kills SIGKILL runs are flaws; $others SIGTERM and vm-crash runs are not"

[ "$(jq '.count' "$F")" = "$kills" ] || fail "flaw count differs from the journal"
jq -e '.examples[0] as $t |
	($t.timeline | map(.event)) as $ev |
	($ev | index("reset")) and ($ev | index("ready")) and ($ev | index("inject")) and
	($ev | index("verdict")) and
	([$t.timeline[] | select(.event == "probe" and .ok == false)] | length > 0) and
	($t.record.plan.seed | length > 0) and
	($t.record.faults[0].evidence.targets | length > 0) and
	($t.logs | keys == ["n1", "n2", "n3"]) and
	([$t.logs[] | .files[]? | .text // ""] | join("") | test("stale pidfile"))' \
	"$F" >/dev/null || fail "the flaw trace is incomplete: $(jq -c '.examples[0] | {events: [.timeline[].event], logs: (.logs | keys)}' "$F")"
pass "trace: timeline with reset, ready, inject, probe transitions, verdicts; plan; evidence; logs of every node naming the stale pidfile"

run=$(jq '.runs[0]' "$F")
out=$("$CAMPAIGN" replay "$OUT" "$run") || fail "replay of run $run did not reproduce: $out"
echo "$out"
case $out in *" reproduced"*) pass "flaw run $run replays and reproduces" ;;
*) fail "replay said: $out" ;; esac

# `campaign plan` shows, without a VM, the plans the campaign executed.
want=$(jq -s -c '[.[] | select(.type == "run") | .plan] | sort_by(.run)' "$J")
got=$("$CAMPAIGN" plan "$CFG" --runs 1-30 --json | jq -s -c '.')
[ "$got" = "$want" ] || fail "campaign plan differs from the journal's plans"
pass "campaign plan --runs 1-30 prints the 30 plans the campaign recorded"
