#!/bin/sh
# bench/report_bench.sh - how long `campaign report` takes, and how much
# memory, on a synthetic results directory (bench/gen_journal.c): by
# default 100,000 runs and 50 flaws with 3 traces each. Target: at most
# 5 s and 200 MiB resident. Prints each run and the medians of 5 (wall
# time, user+sys CPU, peak RSS from /usr/bin/time -v). Not a timed test.
#
# usage: bench/report_bench.sh [RUNS [FLAWS [EXAMPLES [REPEAT]]]]
#   CAMPAIGN=path/to/campaign (default: build/orchestrator/campaign)
#   BENCH_DIR=where to keep the generated directory (default: a temp dir,
#             removed at the end; set it to keep and reuse it)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-100000} flaws=${2:-50} examples=${3:-3} repeat=${4:-5}
campaign=${CAMPAIGN:-$top/build/orchestrator/campaign}
o=$top/orchestrator
gen=${TMPDIR:-/tmp}/campaign-bench-gen-journal

[ -x "$campaign" ] || { echo "report_bench: no '$campaign' (set CAMPAIGN)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "report_bench: needs /usr/bin/time (Debian: time)" >&2; exit 2; }
cc -std=gnu11 -O2 -Wall -Wextra -D_GNU_SOURCE -DCAMPAIGN_SOURCE_DIR="\"$top\"" -I"$o/results" -I"$o/util" -o "$gen" \
	"$top/bench/gen_journal.c" "$o/results/flaws.c" "$o/util/buf.c" "$o/util/err.c" \
	"$o/util/paths.c" "$o/util/clock.c" \
	$(pkg-config --cflags --libs jansson) -lm

if [ -n "${BENCH_DIR:-}" ]; then
	dir=$BENCH_DIR
else
	dir=$(mktemp -d)/results
	trap 'rm -rf "$(dirname "$dir")"' EXIT
fi
if [ ! -s "$dir/journal.jsonl" ]; then
	start=$(date +%s.%N)
	"$gen" "$dir" "$runs" "$flaws" "$examples"
	echo "generated $runs runs, $flaws flaws in $(echo "$(date +%s.%N) - $start" | bc) s"
fi
echo "journal: $(du -h "$dir/journal.jsonl" | cut -f1), flaw files: $(du -sh "$dir/flaws" | cut -f1)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

results=$(mktemp)
i=0
while [ $i -lt "$repeat" ]; do
	i=$((i + 1))
	/usr/bin/time -v -o "$results.t" "$campaign" -q report "$dir" >/dev/null || [ $? = 1 ]
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$results.t" |
		awk -F: '{ s = 0; for (k = 1; k <= NF; k++) s = s * 60 + $k; print s }')
	cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$results.t")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$results.t")
	echo "run $i: wall $wall s, cpu $cpu s, max RSS $((rss / 1024)) MiB"
	echo "$wall $cpu $rss" >>"$results"
done
pages=$(ls "$dir/report" | wc -l)
echo "report: $pages files in report/, $(du -sh "$dir/report" | cut -f1)"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mw=$(cut -d' ' -f1 "$results" | median)
mc=$(cut -d' ' -f2 "$results" | median)
mr=$(cut -d' ' -f3 "$results" | median)
echo "median of $repeat: wall $mw s, cpu $mc s, max RSS $((mr / 1024)) MiB" \
	"(target: <= 5 s, <= 200 MiB)"
rm -f "$results" "$results.t"
