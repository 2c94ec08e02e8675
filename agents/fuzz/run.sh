#!/bin/sh
# agents/fuzz/run.sh [SECONDS] - build the agent's libFuzzer target with
# clang (build dir build-fuzz/) and fuzz the request parser for SECONDS
# (default 20). New inputs go to build-fuzz/corpus; crashes to
# build-fuzz/crashes. Exit status: non-zero on a crash or a build failure.
set -eu
seconds=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}

command -v clang >/dev/null || { echo "run.sh: needs clang (apt-get install clang)" >&2; exit 2; }
CC=clang cmake -S "$root" -B "$build" -DCAMPAIGN_FUZZ=ON -DCAMPAIGN_WERROR=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target fuzz_request -j2 >/dev/null
mkdir -p "$build/corpus" "$build/crashes"
exec "$build/agents/fuzz/fuzz_request" -max_total_time="$seconds" -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/crashes/" \
	-dict="$here/request.dict" "$build/corpus" "$here/corpus"
