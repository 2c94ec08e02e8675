#!/bin/sh
# bench/merge.sh - how long `campaign merge` takes, and how much memory, on
# synthetic shard directories (bench/gen_journal.c with SHARDS): by default
# 40 shards holding 1,000,000 runs in total and 50 flaws, each shard with
# up to 3 traces per flaw. The merge writes the joined journal (fsync'd),
# flaw files, campaign.json, then the report. Target (issue 15): at most
# 10 s and 100 MiB for merge and report together. Prints each repetition
# (wall time, user+sys CPU, peak RSS from /usr/bin/time -v), then the same
# for `campaign report` alone on the merged directory, so that the merge's
# own share is the difference. Not a timed test.
#
# usage: bench/merge.sh [RUNS [SHARDS [FLAWS [EXAMPLES [REPEAT]]]]]
#   CAMPAIGN=path/to/campaign (default: build/orchestrator/campaign)
#   BENCH_DIR=where to keep the generated shards (default: a temp dir,
#             removed at the end; set it to keep and reuse them)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-1000000} shards=${2:-40} flaws=${3:-50} examples=${4:-3} repeat=${5:-3}
campaign=${CAMPAIGN:-$top/build/orchestrator/campaign}
o=$top/orchestrator
gen=${TMPDIR:-/tmp}/campaign-bench-gen-journal

[ -x "$campaign" ] || { echo "merge_bench: no '$campaign' (set CAMPAIGN)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "merge_bench: needs /usr/bin/time (Debian: time)" >&2; exit 2; }
# shellcheck disable=SC2046 # pkg-config prints several words
cc -std=gnu11 -O2 -Wall -Wextra -Wno-format-truncation -D_GNU_SOURCE -DCAMPAIGN_SOURCE_DIR="\"$top\"" -I"$o/results" -I"$o/util" -o "$gen" "$top/bench/gen_journal.c" \
	"$o/results/flaws.c" "$o/util/buf.c" "$o/util/err.c" "$o/util/paths.c" "$o/util/clock.c" \
	$(pkg-config --cflags --libs jansson) -lm

if [ -n "${BENCH_DIR:-}" ]; then
	dir=$BENCH_DIR
else
	dir=$(mktemp -d)/shards
	trap 'rm -rf "$(dirname "$dir")"' EXIT
fi
if [ ! -s "$dir/shard-$shards/journal.jsonl" ]; then
	start=$(date +%s.%N)
	"$gen" "$dir" "$runs" "$flaws" "$examples" "$shards"
	echo "generated $runs runs in $shards shards, $flaws flaws in" \
		"$(echo "$(date +%s.%N) - $start" | bc) s"
fi
out=$dir/merged
echo "journals: $(cat "$dir"/shard-*/journal.jsonl | wc -c | awk '{ printf "%.0f MB", $1 / 1e6 }')," \
	"flaw files: $(du -sc "$dir"/shard-*/flaws | tail -1 | cut -f1 | awk '{ printf "%.0f MB", $1 / 1024 }')"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

results=$(mktemp)
# measure CMD...: one line "wall cpu rss_kib" appended to $results
measure() {
	/usr/bin/time -v -o "$results.t" "$@" >/dev/null || [ $? = 1 ]
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$results.t" |
		awk -F: '{ s = 0; for (k = 1; k <= NF; k++) s = s * 60 + $k; print s }')
	cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$results.t")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$results.t")
	echo "$wall $cpu $rss" >>"$results"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
summary() {
	echo "median of $repeat: wall $(cut -d' ' -f1 "$results" | median) s," \
		"cpu $(cut -d' ' -f2 "$results" | median) s," \
		"max RSS $(($(cut -d' ' -f3 "$results" | median) / 1024)) MiB $1"
	: >"$results"
}

i=0
while [ $i -lt "$repeat" ]; do
	i=$((i + 1))
	measure "$campaign" -q merge "$out" "$dir"/shard-*
	echo "merge + report $i: $(tail -1 "$results" | awk '{ printf "wall %s s, cpu %s s, max RSS %d MiB", $1, $2, $3 / 1024 }')"
done
echo "merged journal: $(wc -c <"$out/journal.jsonl" | awk '{ printf "%.0f MB", $1 / 1e6 }')," \
	"$(find "$out/flaws" -name "*.json" | wc -l) flaws, report $(du -sh "$out/report" | cut -f1)"
summary "(target: <= 10 s, <= 100 MiB)"
i=0
while [ $i -lt "$repeat" ]; do
	i=$((i + 1))
	measure "$campaign" -q report "$out"
	echo "report alone $i: $(tail -1 "$results" | awk '{ printf "wall %s s, cpu %s s, max RSS %d MiB", $1, $2, $3 / 1024 }')"
done
summary "(the report's share)"
rm -f "$results" "$results.t"
