#!/bin/sh
# Runs per hour with 1, 2 and 3 testbeds of one config (default: the demo)
# on this host, as ratios to 1; RSS, descriptors and threads of the
# campaign process sampled every 5 s with the most testbeds.
#   bench/scale.sh [RUNS] [CONFIG] [MAX_TESTBEDS] [MIN_TESTBEDS]
#   (repository root, after scripts/build; defaults 12, configs/demo.json,
#   3, 1). `bench/scale.sh 300 configs/demo.json 3 3` is the flatness
#   check: 300 runs on 3 testbeds, RSS and descriptors sampled throughout.
# The testbeds are brought up by a 1-run warm-up campaign first, so the
# timed campaigns measure runs, not boots. Everything is taken down at the end.
set -eu
RUNS=${1:-12}
CFG=${2:-configs/demo.json}
MAX=${3:-3}
MIN=${4:-1}
C=${CAMPAIGN:-build/orchestrator/campaign}
T=$(mktemp -d)
down() {
	for k in $(seq 1 "$MAX"); do
		if [ "$k" = 1 ]; then "$C" -q testbed down "$CFG" >/dev/null 2>&1 || true
		else
			prefix=$(jq -r '.testbed.prefix // ("cmp-" + (.name | ascii_downcase | gsub("[._]"; "-")))' "$CFG")
			base=$(jq -r '.testbed.ssh_port_base // empty' "$CFG")
			jq --arg p "$prefix-t$k" '.testbed.prefix = $p' "$CFG" > "$T/t$k.json"
			sed -i "s#\"\\.\\./#\"$PWD/#g" "$T/t$k.json"
			"$C" -q testbed down "$T/t$k.json" >/dev/null 2>&1 || true
		fi
	done
}
trap 'down; rm -rf "$T"' EXIT

echo "host: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "config: $CFG, $RUNS runs per measurement"
base_rate=
for n in $(seq "$MIN" "$MAX"); do
	"$C" -q run "$CFG" --out "$T/warm$n" --runs 1 --testbeds "$n" --keep-testbed >/dev/null 2>&1 || true
	: > "$T/samples$n"
	start=$(date +%s%3N)
	"$C" -q run "$CFG" --out "$T/run$n" --runs "$RUNS" --testbeds "$n" --keep-testbed \
		>/dev/null 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		echo "$(awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null) \
$(ls /proc/$pid/fd 2>/dev/null | wc -l) $(ls /proc/$pid/task 2>/dev/null | wc -l)" >> "$T/samples$n"
		sleep 5
	done
	wait $pid || true
	end=$(date +%s%3N)
	done_runs=$(jq -s '[.[] | select(.type == "run")] | length' "$T/run$n/journal.jsonl")
	if [ "$done_runs" != "$RUNS" ]; then
		keep=$(mktemp -d /tmp/scale-short-XXXXXX)
		cp -r "$T/run$n" "$keep/"
		echo "testbeds $n: $done_runs of $RUNS runs recorded; results kept in $keep/run$n"
	fi
	rate=$(echo "$done_runs $start $end" | awk '{printf "%.0f", $1 * 3600000 / ($3 - $2)}')
	[ -n "$base_rate" ] || base_rate=$rate
	ratio=$(echo "$rate $base_rate" | awk '{printf "%.2f", $1 / $2}')
	echo "testbeds $n: $done_runs runs in $(( (end - start) / 1000 )) s: $rate runs/h, ${ratio}x of 1;" \
	     "load after $(cut -d' ' -f1 /proc/loadavg);" \
	     "rss KiB/fds/threads first $(head -1 "$T/samples$n"), last $(tail -1 "$T/samples$n")"
	# flat: after the first minute (warm caches, every testbed's threads
	# started), the extremes of each column
	tail -n +13 "$T/samples$n" | awk -v n="$n" 'NF == 3 {
		for (k = 1; k <= 3; k++) {
			if (!(k in lo) || $k < lo[k]) lo[k] = $k
			if (!(k in hi) || $k > hi[k]) hi[k] = $k
		}
		c++ }
		END { if (c) printf "  testbeds %d after the first minute (%d samples): rss %d-%d KiB, fds %d-%d, threads %d-%d\n",
			n, c, lo[1], hi[1], lo[2], hi[2], lo[3], hi[3] }'
done
