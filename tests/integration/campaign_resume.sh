#!/bin/sh
# kill -9 of `campaign run` in the middle, then the same command again:
# the journal holds each planned run exactly once, in order.
. tests/integration/lib.sh

CFG=tests/integration/configs/counter.json
OUT=$(mktemp -d)/resume
trap 'rm -rf "$(dirname "$OUT")"' EXIT
J=$OUT/journal.jsonl

"$CAMPAIGN" run "$CFG" --out "$OUT" --runs 6 --keep-testbed >/dev/null 2>&1 &
pid=$!
deadline=$(($(date +%s) + 300))
until [ -f "$J" ] && [ "$(grep -c '"type":"run"' "$J")" -ge 2 ]; do
	[ "$(date +%s)" -lt "$deadline" ] || fail "no 2 runs recorded within 300 s"
	sleep 0.5
done
sleep 2	# somewhere inside run 3
kill -9 $pid
wait $pid 2>/dev/null || true
before=$(grep -c '"type":"run"' "$J")
pass "killed with $before runs recorded"

set +e
"$CAMPAIGN" run "$CFG" --out "$OUT" --runs 6 --keep-testbed
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 1 ] || fail "resumed campaign exited $rc"
runs=$(jq -s -c '[.[] | select(.type == "run") | .run]' "$J")
[ "$runs" = "[1,2,3,4,5,6]" ] || fail "journal runs after resume: $runs, want [1..6]"
jq -s -e '[.[] | select(.type == "campaign") | .event] | index("resume") != null' "$J" \
	>/dev/null || fail "no resume event in the journal"
pass "each of runs 1..6 recorded exactly once, in order, after kill -9 and resume"

# A different config is refused for the same directory, nothing lost.
sed 's/"observe_s": 4/"observe_s": 5/' "$CFG" > "$(dirname "$OUT")/changed.json"
sed -i 's#"\.\./\.\./\.\./workloads/tiny"#"'"$PWD"'/workloads/tiny"#; s#"\.\./\.\./sut/#"'"$PWD"'/tests/sut/#' \
	"$(dirname "$OUT")/changed.json"
lines=$(wc -l < "$J")
expect_fail_with "was made by a different config" \
	"$CAMPAIGN" run "$(dirname "$OUT")/changed.json" --out "$OUT" --runs 7
[ "$(wc -l < "$J")" = "$lines" ] || fail "the refused run changed the journal"
pass "a changed config is refused and the journal is untouched"
