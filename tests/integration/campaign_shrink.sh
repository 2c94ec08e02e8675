#!/bin/sh
# Shrinking on real VMs (issue 12): a one-run campaign whose only scenario
# is a CPU hog on n2 and, at the same time, a SIGKILL of counterd on n1
# (the counter's planted bug). The run is a flaw; the campaign replays it
# with faults removed and records the minimal set {process-kill} with its
# reproduction rate, its tries journaled as shrink records that are not
# runs; the flaw's signature names only the kill. Then `replay --times 2`
# reproduces it and keeps the rate with the flaw.
. tests/integration/lib.sh

CFG=tests/integration/configs/counter-shrink.json
OUT=$(mktemp -d)/shrink
trap 'rm -rf "$(dirname "$OUT")"' EXIT

set +e
"$CAMPAIGN" run "$CFG" --out "$OUT" --keep-testbed
rc=$?
set -e
[ $rc = 1 ] || fail "campaign exited $rc, want 1 (a flaw)"
J=$OUT/journal.jsonl
[ "$(jq -s '[.[] | select(.type == "run")] | length' "$J")" = 1 ] ||
	fail "want exactly one run record: shrink tries must not count as runs"
jq -e -s '[.[] | select(.type == "run")][0] | .outcome == "flaw"' "$J" >/dev/null ||
	fail "the run is not a flaw"
jq -e -s '[.[] | select(.type == "run")][0] | [.faults[] | .type] | sort == ["cpu-hog", "process-kill"]' \
	"$J" >/dev/null || fail "the run did not apply both faults"
pass "one run, a flaw, with both faults applied"

tries=$(jq -s '[.[] | select(.type == "shrink" and .event == "try")] | length' "$J")
[ "$tries" -ge 2 ] || fail "only $tries shrink tries journaled"
kill=$(jq -s '[.[] | select(.type == "run")][0].plan.faults | map(.type) | index("process-kill")' "$J")
jq -e -s --argjson k "$kill" '[.[] | select(.type == "shrink" and .event == "try" and .set == [$k])] |
	length >= 1 and any(.failed)' "$J" >/dev/null ||
	fail "the kill alone was not tried, or never failed"
pass "$tries shrink tries journaled as shrink records; the kill alone fails as the run did"

S=$(jq -s -c '[.[] | select(.type == "run")][0].shrink' "$J")
echo "shrink: $S"
echo "$S" | jq -e '[.faults[] | .type] == ["process-kill"]' >/dev/null ||
	fail "the minimal set is not the kill alone: $S"
echo "$S" | jq -e '.reproduced >= 1 and .tries >= 1 and .reproduced <= .tries' >/dev/null ||
	fail "no reproduction rate k of M: $S"
pass "minimal set {process-kill}, reproduced $(echo "$S" | jq -r '"\(.reproduced) of \(.tries)"')"

F=$(ls "$OUT"/flaws/*.json)
[ "$(echo "$F" | wc -l)" = 1 ] || fail "want one flaw file"
sig=$(jq -r .signature "$F")
case $sig in
probe-recovers\|process-kill\|*) ;;
*) fail "the signature does not name the kill alone: $sig" ;;
esac
pass "signature from the minimal set: $sig"

out=$("$CAMPAIGN" replay "$OUT" 1 --times 2 2>&1) || [ $? = 1 ] ||
	fail "replay --times failed: $out"
echo "$out" | tail -3
echo "$out" | grep -q 'reproduced [0-2] of 2' || fail "replay did not say 'reproduced k of 2'"
jq -e '.replays | length >= 1' "$F" >/dev/null || fail "the replays' rate is not kept with the flaw"
pass "replay --times 2: $(echo "$out" | grep -o 'reproduced [0-2] of 2')"
