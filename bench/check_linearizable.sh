#!/bin/sh
# bench/check_linearizable.sh - build bench/check_linearizable.c (optimised,
# from the checker sources alone) and run it on a few history shapes.
# usage: bench/check_linearizable.sh [PROCESSES OPS KEYS INFO_PERCENT [SEED]]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${TMPDIR:-/tmp}/campaign-bench-check-linearizable
o=$top/orchestrator
cc -std=gnu11 -O2 -Wall -Wextra -D_GNU_SOURCE -I"$o/checkers" -I"$o/util" -o "$out" \
	"$top/bench/check_linearizable.c" \
	"$o/checkers/history.c" "$o/checkers/checkers.c" "$o/checkers/check_linearizable.c" \
	"$o/checkers/check_lost_writes.c" "$o/checkers/check_availability.c" \
	"$o/util/err.c" "$o/util/buf.c" "$o/util/clock.c" "$o/util/paths.c" \
	$(pkg-config --cflags --libs jansson) -lm
if [ $# -gt 0 ]; then
	exec "$out" "$@"
fi
for shape in "5 1000 1 0" "5 5000 1 0" "10 5000 1 0" "10 20000 1 0" "10 5000 1 1" \
	     "10 5000 1 5" "20 5000 1 0" "50 5000 1 0" "10 100000 100 0" "10 100000 100 2"; do
	"$out" $shape
done
