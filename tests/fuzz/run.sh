#!/bin/sh
# tests/fuzz/run.sh [SECONDS] - build the orchestrator's libFuzzer targets
# with clang (build dir build-fuzz-orch/) and fuzz each for SECONDS
# (default 20): fuzz_config (seeds: the shipped and test configs),
# fuzz_history (tests/unit/histories), fuzz_journal (tests/fuzz/corpus/
# journal). New inputs go to build-fuzz-orch/corpus/<target>; crashes to
# build-fuzz-orch/crashes/<target>-*. Exit status: non-zero on a crash or
# a build failure (the other targets still run).
set -eu
seconds=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz-orch}
targets="fuzz_config fuzz_history fuzz_journal"

command -v clang >/dev/null || { echo "run.sh: needs clang (apt-get install clang)" >&2; exit 2; }
CC=clang cmake -S "$root" -B "$build" -DCAMPAIGN_FUZZ=ON -DCAMPAIGN_WERROR=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" --target $targets campaign-agent -j2 >/dev/null
# fault entries are checked against the agent's catalogue (campaign-agent list)
CAMPAIGN_AGENT=$build/agents/campaign-agent
export CAMPAIGN_AGENT

# Seeds are copied: libFuzzer takes directories, and these hold other files.
seed() {
	name=$1
	shift
	rm -rf "$build/seeds/$name"
	mkdir -p "$build/seeds/$name" "$build/corpus/$name"
	cp "$@" "$build/seeds/$name/"
}
mkdir -p "$build/crashes"
status=0
for target in $targets; do
	case $target in
	fuzz_config)
		seed "$target" "$root"/configs/*.json "$root"/tests/unit/configs/*.json \
			"$root"/tests/integration/configs/*.json "$root"/bench/configs/*.json
		dict="-dict=$here/config.dict" ;;
	fuzz_history)
		seed "$target" "$root"/tests/unit/histories/*.jsonl
		dict="" ;;
	fuzz_journal)
		seed "$target" "$here"/corpus/journal/*
		dict="" ;;
	esac
	echo "== $target, $seconds s"
	# shellcheck disable=SC2086
	"$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$build/crashes/$target-" $dict \
		"$build/corpus/$target" "$build/seeds/$target" || status=1
done
exit $status
