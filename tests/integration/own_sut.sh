#!/bin/sh
# docs/own-sut.md followed literally, on real VMs.
#
# The convention (tests/guide_extract.sh has it in full): a fenced block
# whose info string has file=PATH (```json file=kvd.json) is the whole of
# the file PATH; in ```console blocks each line starting with "$ " is a
# command, which must exit 0 unless it ends with "# exits N"; other lines
# and other blocks are not used. Every file is written into a fresh
# directory; every command runs there, in the guide's order, with stdin
# on /dev/null; the only change is a leading "campaign", which becomes
# $CAMPAIGN. A command that exits otherwise than the guide says fails
# the test.
#
# Then what sections 6 and 7 of the guide say the reader sees, from the
# results directory of its `campaign run CONFIG --out DIR`: every run of
# schedule.runs recorded and the campaign stopped; exactly one flaw, the
# lost-writes checker (a `command` oracle, class safety) failing under
# vm-crash with lost writes in its example; every vm-crash run a flaw of
# it, every process-kill run recovered; the lost writes of the first flaw
# run acknowledged before its power cut began; the report's index links
# the flaw's page, which exists and shows lost writes.
#
# One 1-node tiny testbed (its image built from the guide's recipe),
# brought up and down by the guide's own commands, and down again at the
# end whatever happened. About 3 minutes under TCG.
. tests/integration/lib.sh

CAMPAIGN=$(realpath "$CAMPAIGN")
export CAMPAIGN
TMP=$(mktemp -d)
W=$TMP/work
GUIDE=docs/own-sut.md

sh tests/guide_extract.sh "$GUIDE" "$W" > "$TMP/commands" ||
	fail "cannot extract the files and commands of $GUIDE"
run_cmd=$(grep '^campaign run ' "$TMP/commands" | head -n 1)
[ -n "$run_cmd" ] || fail "$GUIDE has no campaign run command"
# shellcheck disable=SC2086
set -- $run_cmd
CFG=$3
OUT=
while [ $# -gt 1 ]; do
	[ "$1" = --out ] && OUT=$2
	shift
done
[ -n "$OUT" ] || fail "the guide's '$run_cmd' has no --out DIR"
[ -f "$W/$CFG" ] || fail "the guide's campaign run names '$CFG', which the guide does not write"
trap '(cd "$W" && "$CAMPAIGN" testbed down "$CFG" >/dev/null 2>&1) || true; rm -rf "$TMP"' EXIT
(cd "$W" && "$CAMPAIGN" testbed down "$CFG" >/dev/null 2>&1) || true
pass "$GUIDE: $(find "$W" -type f | wc -l) files, $(wc -l < "$TMP/commands") commands; config $CFG, results $OUT"

n=0
while IFS= read -r cmd <&3; do
	n=$((n + 1))
	want=0
	case $cmd in
	*"# exits "[0-9]*) want=${cmd##*# exits }; want=${want%%[!0-9]*} ;;
	esac
	case $cmd in
	"campaign "*) run="\"\$CAMPAIGN\" ${cmd#campaign }" ;;
	*) run=$cmd ;;
	esac
	echo "\$ $cmd"
	t0=$(date +%s)
	set +e
	(cd "$W" && sh -c "$run" </dev/null)
	rc=$?
	set -e
	[ "$rc" = "$want" ] || fail "guide command $n exited $rc, the guide says $want: $cmd"
	pass "guide command $n (exit $rc, $(($(date +%s) - t0)) s): $cmd"
done 3< "$TMP/commands"

D=$W/$OUT
J=$D/journal.jsonl
runs=$(jq .schedule.runs "$W/$CFG")
[ "$(jq -s -c '[.[] | select(.type == "run") | .run] | sort' "$J")" = "$(jq -n -c "[range(1; $runs + 1)]")" ] ||
	fail "the journal does not hold runs 1..$runs: $(jq -s -c '[.[] | select(.type == "run") | {run, outcome}]' "$J")"
jq -s -e '[.[] | select(.type == "campaign")] | last | .event == "stop"' "$J" >/dev/null ||
	fail "the campaign did not stop at its end"
pass "$runs runs recorded, campaign stopped: $(jq -s -c '[.[] | select(.type == "run") | "\(.run) \(.faults[0].type) \(.outcome)"]' "$J")"

n_flaws=$(find "$D/flaws" -name '*.json' | wc -l)
[ "$n_flaws" = 1 ] || fail "$n_flaws flaws, the guide says one: $(jq -r .signature "$D"/flaws/*.json)"
F=$(ls "$D"/flaws/*.json)
ID=$(jq -r .id "$F")
jq -e '.oracle == "command" and .fault == "vm-crash" and .class == "safety" and
	(.signature | test(": [0-9N]+ lost, ")) and
	([.examples[0].record.oracles[] | select(.oracle == "command") |
	  .verdict == "fail" and .data.checker == "lost-writes" and .data.lost_count > 0] | any)' \
	"$F" >/dev/null || fail "the flaw is not lost writes under vm-crash: $(jq -c '{signature, class, oracle: [.examples[0].record.oracles[]? | {oracle, verdict, reason}]}' "$F")"
pass "one flaw, $ID: $(jq -r .signature "$F")"

bad=$(jq -s -c '[.[] | select(.type == "run") | {run, outcome, fault: .faults[0].type} |
	select((.fault == "vm-crash" and .outcome != "flaw") or
	       (.fault == "process-kill" and .outcome != "recovered") or
	       (.fault != "vm-crash" and .fault != "process-kill"))]' "$J")
[ "$bad" = "[]" ] || fail "runs whose outcome is not the guide's (vm-crash: flaw, process-kill: recovered): $bad"
want=$(jq -s -c '[.[] | select(.type == "run" and .faults[0].type == "vm-crash") | .run] | sort' "$J")
[ "$(jq -c '.runs | sort' "$F")" = "$want" ] || fail "the flaw's runs $(jq -c .runs "$F") are not the vm-crash runs $want"
pass "every vm-crash run is the flaw, every process-kill run recovered"

# The mechanism: what was lost had been acknowledged before the power cut.
r=$(jq '.runs | min' "$F")
H=$D/runs/$r/history.jsonl
[ -s "$H" ] && [ -s "$D/runs/$r/faults.jsonl" ] || fail "run $r kept no history or fault windows"
set +e
v=$("$CAMPAIGN" check lost-writes "$H" --json)
set -e
last_ack=$(echo "$v" | jq '[.lost[].op[] | select(.type == "ok") | .time] | max')
cut=$(jq -s '[.[] | select(.f == "start") | .time] | min' "$D/runs/$r/faults.jsonl")
[ "$last_ack" != null ] && [ "$cut" != null ] && [ "$last_ack" -lt "$cut" ] ||
	fail "run $r: the lost writes (last acknowledged at $last_ack) are not all from before the power cut ($cut)"
pass "run $r: $(echo "$v" | jq .lost_count) writes acknowledged before the power cut lost"

I=$D/report/index.html
[ -s "$I" ] || fail "no report at $I"
grep -q "flaws/$ID.html" "$I" || fail "the report's index does not link flaw $ID"
grep -q "lost" "$D/report/flaws/$ID.html" || fail "the flaw's page does not show the lost writes"
pass "the report names flaw $ID and its page shows the lost writes"
