#!/bin/sh
# The report of a REAL campaign, checked in a real browser: an 8-run
# campaign on the project's own SUT (tests/sut counterd, 3 tiny VMs; on the
# counter fixture's testbed when it is up, else brought up and down here),
# rendered by `campaign run` itself, then index.html, a flaw page, the
# runs page and a run page are loaded in headless Chromium (--dump-dom) and
# their figures compared with the journal, summary.json, junit.xml and
# `campaign serve`.
# Keeps the results and screenshots in build/report-artefacts/.
#   REPORT_CONFIG=other.json  a config of the same SUT (default: counter.json)
#   REPORT_RUNS=N             runs (default 8)
#   REPORT_RESULTS=DIR        check DIR, made by an earlier run of this test,
#                             instead of running a campaign (for iterating)
. tests/integration/lib.sh
. tests/report/lib.sh

CFG=${REPORT_CONFIG:-tests/integration/configs/counter.json}
RUNS=${REPORT_RUNS:-8}
OUT=${REPORT_RESULTS:-$ARTEFACTS/campaign}
WORK=$(mktemp -d)
SERVE_PID=
trap '[ -z "$SERVE_PID" ] || kill "$SERVE_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p "$ARTEFACTS"

if [ -z "${REPORT_RESULTS:-}" ]; then
	rm -rf "$OUT"
	start=$(date +%s)
	set +e
	"$CAMPAIGN" run "$CFG" --out "$OUT" --runs "$RUNS" --junit "$ARTEFACTS/junit.xml" \
		>"$WORK/run.out" 2>"$WORK/run.err"
	rc=$?
	set -e
	[ $rc = 0 ] || [ $rc = 1 ] || fail "campaign exited $rc: $(tail -5 "$WORK/run.err")"
	pass "$RUNS-run campaign in $(($(date +%s) - start)) s, exit $rc"
else
	set +e
	"$CAMPAIGN" report "$OUT" --junit "$ARTEFACTS/junit.xml" >"$WORK/run.out" 2>&1
	rc=$?
	set -e
	echo "report: $OUT/report/index.html" >"$WORK/run.err"
	pass "re-rendered $OUT (exit $rc)"
fi

J=$OUT/journal.jsonl
R=$OUT/report
n_runs=$(jq -s '[.[] | select(.type == "run")] | length' "$J")
[ "$n_runs" = "$RUNS" ] || fail "$n_runs runs in the journal, want $RUNS"
n_flaws=$(ls "$OUT/flaws" | grep -c '\.json$' || true)
flaw_runs=$(jq -s '[.[] | select(.type == "run" and .outcome == "flaw")] | length' "$J")
if [ "$n_flaws" -gt 0 ]; then want_rc=1; else want_rc=0; fi
[ $rc = $want_rc ] || fail "exit $rc with $n_flaws flaws, want $want_rc"
grep -q "report: $OUT/report/index.html" "$WORK/run.err" || fail "campaign run made no report"
cmp -s "$ARTEFACTS/junit.xml" "$OUT/junit.xml" || fail "--junit FILE differs from DIR/junit.xml"
pass "journal: $n_runs runs, $flaw_runs flaw runs, $n_flaws unique flaws; exit $rc"

# ---- index.html ----
dump_dom "$R/index.html" "$WORK/index" "$WORK/err"
console_clean "$WORK/err" index.html
grep -q "id=\"runs-total\">$n_runs<" "$WORK/index" || fail "index: runs is not $n_runs"
grep -q "id=\"unique-flaws\">$n_flaws<" "$WORK/index" || fail "index: unique flaws is not $n_flaws"
for o in no-effect recovered flaw unjudged; do
	want=$(jq -s --arg o "$o" '[.[] | select(.type == "run" and .outcome == $o)] | length' "$J")
	grep -q "data-outcome=\"$o\">$want<" "$WORK/index" || fail "index: $o is not $want"
done
links=$(grep -o 'href="flaws/[0-9a-f]*\.html"' "$WORK/index" | sort -u | wc -l)
[ "$links" = "$n_flaws" ] || fail "index: $links flaw links, want $n_flaws"
for t in $(jq -s -r '[.[] | select(.type == "run") | .faults[].type] | unique | .[]' "$J"); do
	want=$(jq -s --arg t "$t" '[.[] | select(.type == "run" and ([.faults[].type] | index($t)))] | length' "$J")
	grep -q "<td>$t</td><td class=\"num\">$want</td>" "$WORK/index" ||
		fail "index: fault $t does not show $want runs"
done
p50=$(jq -s '[.[] | select(.type == "run") | .resets[]?.ready_ms] | sort |
	.[((length * 0.5) | ceil) - 1]' "$J")
grep -q "<tr id=\"reset-ready\"><td>[^<]*</td><td class=\"num\">[0-9]*</td><td class=\"num\">$p50</td>" \
	"$WORK/index" || fail "index: reset p50 is not $p50 ms"
grep -q 'aria-label="histogram"' "$WORK/index" && grep -q 'aria-label="unique flaws by run"' \
	"$WORK/index" || fail "index: charts missing"
if grep -o -e 'src="http[^"]*"' -e 'href="http[^"]*"' "$R/index.html" | grep -q .; then
	fail "index: refers to the network"
fi
pass "index.html in Chromium: runs $n_runs, unique flaws $n_flaws, outcome cards, by-fault rows and reset p50 $p50 ms match the journal"

# ---- a flaw page ----
if [ "$n_flaws" -gt 0 ]; then
	F=$(grep -l '"signature": "probe-recovers|process-kill|' "$OUT"/flaws/*.json | head -1)
	[ -n "$F" ] || F=$(ls "$OUT"/flaws/*.json | head -1)
	id=$(basename "$F" .json)
	dump_dom "$R/flaws/$id.html" "$WORK/flaw" "$WORK/err"
	console_clean "$WORK/err" "flaw $id"
	count=$(jq .count "$F")
	grep -q "<dt>count</dt><dd>$count</dd>" "$WORK/flaw" || fail "flaw page: count is not $count"
	run=$(jq '.examples[0].record.run' "$F")
	grep -q "campaign replay $OUT $run" "$WORK/flaw" || fail "flaw page: no replay command for run $run"
	lanes=$(jq '.examples[0].record.probes.series | length' "$F")
	[ "$(grep -o 'class="lane"' "$WORK/flaw" | wc -l)" -ge "$lanes" ] ||
		fail "flaw page: fewer than $lanes probe lanes in the timeline"
	grep -q 'fill="#f0a33a"' "$WORK/flaw" || fail "flaw page: no fault band"
	if jq -e '.signature | startswith("probe-recovers|process-kill|")' "$F" >/dev/null; then
		grep -q 'stale pidfile' "$WORK/flaw" ||
			fail "flaw page: the logs do not show the stale pidfile"
	fi
	pass "flaw $id in Chromium: count $count, replay of run $run, $lanes probe lanes, fault band, logs"
fi

# ---- runs page ----
dump_dom "$R/runs-1.html" "$WORK/runs" "$WORK/err"
console_clean "$WORK/err" runs-1.html
[ "$(grep -o '<tr id="r[0-9]*"' "$WORK/runs" | wc -l)" = "$n_runs" ] || fail "runs-1: not $n_runs rows"
grep -q "<span id=\"fc\">$n_runs</span>" "$WORK/runs" || fail "runs-1: the filter script did not count $n_runs rows"
pass "runs-1.html in Chromium: $n_runs rows; the filter script ran"

# ---- a run page ----
run=$(jq -s -r '[.[] | select(.type == "run")] | last | .run' "$J")
page=$(printf 'runs/page-%04d.html' $(((run - 1) / 500 + 1)))
grep -q "href=\"$page#run-$run\"" "$R/runs-1.html" || fail "runs-1: no link to $page#run-$run"
dump_dom "$R/$page" "$WORK/runpage" "$WORK/err"
console_clean "$WORK/err" "$page"
grep -q "<section class=\"run\" id=\"run-$run\">" "$WORK/runpage" || fail "$page: no section for run $run"
sed -n "/id=\"run-$run\"/,/<\/section>/p" "$WORK/runpage" | grep '<b>Oracle verdicts</b>' >"$WORK/verdicts" ||
	fail "$page: run $run shows no verdicts"
n_verdicts=0
for o in $(jq -s -r --argjson r "$run" '[.[] | select(.type == "run" and .run == $r)][0].oracles[].oracle' "$J"); do
	grep -q -e "</b> $o " -e " $o " "$WORK/verdicts" || fail "$page: run $run does not show the verdict of $o"
	n_verdicts=$((n_verdicts + 1))
done
[ "$(grep -o '<section class="run"' "$WORK/runpage" | wc -l)" = "$n_runs" ] || fail "$page: not $n_runs runs"
pass "$page in Chromium: $n_runs run sections; run $run (linked from runs-1.html) shows its $n_verdicts verdicts"

# ---- summary.json and junit.xml ----
S=$OUT/summary.json
[ "$(jq .runs.total "$S")" = "$n_runs" ] && [ "$(jq .unique_flaws "$S")" = "$n_flaws" ] &&
	[ "$(jq .outcomes.flaw "$S")" = "$flaw_runs" ] || fail "summary.json disagrees with the journal"
n_oracles=$(jq -s '[.[] | select(.type == "run") | .oracles[].oracle] | unique | length' "$J")
n_types=$(jq -s '[.[] | select(.type == "run") | .faults[].type] | unique | length' "$J")
python3 - "$OUT/junit.xml" $((n_oracles * n_types)) "$n_flaws" <<'PY' || fail "junit.xml is wrong"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = list(root.iter("testcase"))
fails = [c for c in cases if c.find("failure") is not None]
assert int(root.get("tests")) == len(cases) == int(sys.argv[2]), (root.get("tests"), len(cases))
assert int(root.get("failures")) == len(fails), root.get("failures")
flaws = int(sys.argv[3])
assert (len(fails) > 0) == (flaws > 0)
for c in fails:
    assert "trace: " in c.find("failure").text
PY
pass "summary.json and junit.xml ($((n_oracles * n_types)) test cases) agree with the journal"

# ---- campaign serve ----
: >"$WORK/serve.out"
"$CAMPAIGN" serve "$OUT" --port 0 >"$WORK/serve.out" 2>&1 &
SERVE_PID=$!
port=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/serve.out")
	[ -n "$port" ] && break
	sleep 0.5
done
[ -n "$port" ] || fail "campaign serve did not start: $(cat "$WORK/serve.out")"
st=$(curl -s --max-time 10 "http://127.0.0.1:$port/status.json")
[ "$(echo "$st" | jq .runs_done)" = "$n_runs" ] || fail "status.json: $st"
[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$port/")" = 200 ] ||
	fail "GET / is not 200"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --path-as-is \
	"http://127.0.0.1:$port/../campaign.json")
[ "$code" = 403 ] || fail "GET /../campaign.json is $code, want 403"
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null || true
SERVE_PID=
pass "campaign serve: /status.json says $n_runs runs; / is 200; /../ is 403"

screenshot "$R/index.html" "$ARTEFACTS/index.png" 1280,2000
[ "$n_flaws" = 0 ] || screenshot "$R/flaws/$id.html" "$ARTEFACTS/flaw.png" 1280,1600
screenshot "$R/runs-1.html" "$ARTEFACTS/runs.png" 1280,900
screenshot "$R/$page" "$ARTEFACTS/runpage.png" 1280,1600
pass "screenshots and results kept in $ARTEFACTS"
