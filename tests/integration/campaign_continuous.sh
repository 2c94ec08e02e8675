#!/bin/sh
# Continuous mode: the SUT keeps running across runs; only the faulty node
# is restored (at its fault's end) and must rejoin; later runs reset
# nothing while every node answers.
. tests/integration/lib.sh

CFG=tests/integration/configs/counter-continuous.json
OUT=$(mktemp -d)/cont
trap 'rm -rf "$(dirname "$OUT")"' EXIT
set +e
"$CAMPAIGN" run "$CFG" --out "$OUT" --keep-testbed
rc=$?
set -e
[ $rc = 0 ] || fail "continuous campaign exited $rc, want 0 (restored nodes rejoin)"
J=$OUT/journal.jsonl
[ "$(jq -s -c '[.[] | select(.type == "run") | .run]' "$J")" = "[1,2,3,4,5]" ] ||
	fail "runs not recorded 1..5"
jq -s -e '[.[] | select(.type == "run") | .faults[].restored] | all' "$J" >/dev/null ||
	fail "a faulty node was not restored"
jq -s -e '[.[] | select(.type == "run" and .run > 1) | .resets | length] | all(. == 0)' "$J" \
	>/dev/null || fail "runs after the first reset nodes although every node answered"
jq -s -e '[.[] | select(.type == "run") | .oracles[] | select(.oracle == "node-rejoins") |
	.verdict == "pass"] | all' "$J" >/dev/null || fail "a restored node did not rejoin"
pass "5 continuous runs: faulty nodes restored and rejoined, nothing else reset"
