#!/bin/sh
# Engine benchmark.
#  1. Overhead per run by phase and runs/hour: a campaign of N runs
#     (default 20) on the counter SUT with a 4 s observation window.
#  2. Resident memory of `campaign run` after 10 runs and after M runs
#     (default 100) of short runs (bench/configs/memory.json).
#   bench/engine.sh [N] [M]      (repository root, after scripts/build)
#  M=0 skips part 2. OBSERVE_S=5 sets the observation window of part 1
#  (default: the config's 4 s); CAMPAIGN=path/to/campaign measures another
#  build (e.g. the commit before a change, for before/after in one run).
#  CONFIG=path/to/config.json measures another config (default: the
#  counter test config; configs/demo.json is the issue's figure).
#  KEEP=DIR keeps part 1's results directory there (journal, runs).
set -eu
N=${1:-20}
M=${2:-100}
C=${CAMPAIGN:-build/orchestrator/campaign}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

CFG=${CONFIG:-tests/integration/configs/counter.json}
if [ -n "${OBSERVE_S:-}" ]; then
	cdir=$(cd "$(dirname "$CFG")" && pwd)
	jq --argjson o "$OBSERVE_S" '.schedule.observe_s = $o' "$CFG" >"$T/config.json"
	sed -i "s#\"\.\./#\"$cdir/../#g" "$T/config.json"
	CFG=$T/config.json
fi
"$C" -q testbed down "$CFG" || true
"$C" -q testbed up "$CFG"
start=$(date +%s%3N)
"$C" -q run "$CFG" --out "$T/phases" --runs "$N" --keep-testbed || true
end=$(date +%s%3N)
J=$T/phases/journal.jsonl
echo "runs: $N in $(( (end - start) / 1000 )) s: $(( N * 3600000 / (end - start) )) runs/hour (testbed already up)"
for p in reset_ms ready_ms warmup_ms inject_observe_ms judge_ms collect_ms; do
	echo "  $p median: $(jq -r "select(.type == \"run\") | .phases.$p" "$J" | median) ms"
done
echo "  run wall time median: $(jq -r 'select(.type == "run") | .duration_ms' "$J" | median) ms"
echo "  overhead (run wall - inject/observe window) median: $(jq -r 'select(.type == "run") | .duration_ms - .phases.inject_observe_ms' "$J" | median) ms"
# between runs: from one record's end to the next run's start (recording,
# the next plan), wall clock
echo "  between runs median: $(jq -r 'select(.type == "run") | "\(.started) \(.ended)"' "$J" | awk '
	function t(s,  d, f) { split(s, d, /[-T:Z]/); f = d[4] * 3600 + d[5] * 60 + d[6]; return f * 1000 }
	NR > 1 { print t($1) - prev } { prev = t($2) }' | median) ms"
[ -z "${KEEP:-}" ] || { rm -rf "$KEEP"; cp -r "$T/phases" "$KEEP"; }
"$C" -q testbed down "$CFG"

[ "$M" -gt 0 ] || exit 0
MCFG=bench/configs/memory.json
"$C" -q testbed down "$MCFG" || true
"$C" -q run "$MCFG" --out "$T/mem" --runs "$M" >/dev/null 2>&1 &
pid=$!
rss_at() {
	until [ -f "$T/mem/journal.jsonl" ] &&
	      [ "$(grep -c '"type":"run"' "$T/mem/journal.jsonl")" -ge "$1" ]; do
		kill -0 $pid 2>/dev/null || { echo "campaign ended early" >&2; return 1; }
		sleep 0.2
	done
	awk '/VmRSS/ {print $2}' /proc/$pid/status
}
r10=$(rss_at 10)
rM=$(rss_at $((M - 1)))
wait $pid || true
echo "campaign resident memory: after 10 runs $r10 KiB, after $((M - 1)) runs $rM KiB"
