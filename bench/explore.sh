#!/bin/sh
# Exploration benchmark: random against guided draws on regd, the SUT with
# five planted flaws (tests/sut/README.md), then the same campaigns with
# every flaw off (they must find nothing).
#
#   bench/explore.sh [RUNS] [SEEDS]
#
# TESTBEDS=N runs each campaign on N testbeds (the plans do not change:
# guided plans run r from the records of runs up to r-4 only). OFF=0 skips
# the flaws-off campaigns, OFF_SEEDS=LIST runs them for those seeds only.
# RUNS: runs per campaign (default 60). SEEDS: how many seeds (1..N,
# default 3) or a comma list (5,8,13). From the repository root, after a
# build without sanitizers (regd must be static for the busybox guests):
# CAMPAIGN (default build/orchestrator/campaign) picks it; {build} in the
# configs is that binary's build directory. Needs VMs, root and jq; not
# run in CI. 2 x SEEDS x 2 campaigns of RUNS runs each.
#
# Per campaign it prints, for each planted flaw, the first run that found
# it and the seconds from the campaign's start_time (campaign.json) to
# that flaw's first_seen.time (flaws/<id>.json); a flaw file is mapped to
# the planted flaw by its oracle and signature (README.md's table). Then
# how many flaws the flaws-off campaigns recorded. Results stay in OUT
# (EXPLORE_OUT, default results/bench-explore-DATE).
set -eu
RUNS=${1:-60}
SEEDS=${2:-3}
C=${CAMPAIGN:-build/orchestrator/campaign}
OUT=${EXPLORE_OUT:-results/bench-explore-$(date -u +%Y%m%d-%H%M%S)}
REPO=$(pwd)
FLAWS="leader pair window param log"

die() {
	echo "explore.sh: $*" >&2
	exit 2
}
[ -x "$C" ] || die "no campaign binary at '$C' (build first, or set CAMPAIGN)"
[ -f bench/configs/explore-random.json ] || die "run me from the repository root"
command -v jq >/dev/null || die "jq is needed to read the results"
B=$(cd "$(dirname "$C")/.." && pwd)
[ -x "$B/tests/sut/regd" ] && [ -x "$B/tests/sut/regd-client" ] ||
	die "no regd or regd-client in '$B/tests/sut' (cmake --build that directory)"
if ldd "$B/tests/sut/regd" >/dev/null 2>&1; then
	die "'$B/tests/sut/regd' is dynamically linked: use a build without CAMPAIGN_SANITIZE"
fi
case $RUNS in '' | *[!0-9]*) die "RUNS must be a number, not '$RUNS'" ;; esac
case $SEEDS in
*,*) SEED_LIST=$(echo "$SEEDS" | tr ',' ' ') ;;
'' | *[!0-9]*) die "SEEDS must be a count or a comma list of numbers, not '$SEEDS'" ;;
*) SEED_LIST=$(seq 1 "$SEEDS") ;;
esac

# shellcheck disable=SC2086 # word splitting joins the lines
OFF_LIST=$(echo ${OFF_SEEDS:-$SEED_LIST} | tr ',' ' ')
mkdir -p "$OUT/configs"
echo "explore.sh: results in $OUT" >&2
# The flaws-off configs: the same, with --flaws none and absolute paths
# (the copies live in OUT; the config language has no environment).
for e in random guided; do
	sed -e 's/--flaws [a-z,]*/--flaws none/' -e "s#\"\\.\\./\\.\\./#\"$REPO/#g" \
		"bench/configs/explore-$e.json" >"$OUT/configs/explore-$e-off.json"
	"$C" -q validate "$OUT/configs/explore-$e-off.json" >/dev/null ||
		die "the flaws-off copy of explore-$e.json does not validate"
done

# campaign CONFIG DIR SEED: one campaign; its exit status noted in DIR.rc.
campaign() {
	mkdir -p "$(dirname "$2")"
	echo "== $(date -u +%H:%M:%S) $1 seed $3 -> $2" >&2
	rc=0
	"$C" run "$1" --seed "$3" --runs "$RUNS" --testbeds "${TESTBEDS:-1}" --out "$2" \
		>"$2.log" 2>&1 || rc=$?
	echo "$rc" >"$2.rc"
	case $rc in 0 | 1) ;; *) echo "   exit status $rc (see $2.log)" >&2 ;; esac
}

# found DIR: one line "PLANTED RUN SECONDS" per flaw file of DIR.
found() {
	[ -d "$1/flaws" ] || return 0
	start=$(jq -r '.start_time // empty' "$1/campaign.json" 2>/dev/null || true)
	for f in "$1"/flaws/*.json; do
		[ -f "$f" ] || continue
		jq -r --arg start "$start" '
			def ms: (sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) * 1000
				+ (((capture("\\.(?<f>[0-9]+)Z$") | .f) // "0") + "000"
				   | .[0:3] | tonumber);
			def planted:
				if .oracle == "probe-recovers" then "window"
				elif .oracle == "always" then "log"
				elif (.signature | test("two leaders")) then "param"
				elif (.signature | test("diverged")) then "pair"
				elif (.signature | test("lost")) then "leader"
				else "other" end;
			"\(planted) \(.first_seen.run) \(if $start == "" then "?"
				else ((((.first_seen.time | ms) - ($start | ms)) / 1000) | floor) end)"
		' "$f"
	done
}

# cell FOUND_LINES PLANTED: "run N, S s" for the earliest, or "-".
cell() {
	echo "$1" | awk -v p="$2" '$1 == p && (best == "" || $2 + 0 < best + 0) { best = $2; s = $3 }
		END { if (best == "") print "-"; else printf "run %s, %s s\n", best, s }'
}

for e in random guided; do
	for s in $SEED_LIST; do
		campaign "bench/configs/explore-$e.json" "$OUT/on/$e-s$s" "$s"
		case " $OFF_LIST " in
		*" $s "*) [ "${OFF:-1}" = 0 ] ||
			campaign "$OUT/configs/explore-$e-off.json" "$OUT/off/$e-s$s" "$s" ;;
		esac
	done
done

echo
echo "## Exploration: random vs guided on regd ($RUNS runs a campaign, $(date -u +%Y-%m-%d))"
echo
echo "| explore | seed | leader | pair | window | param | log | other flaws | flaws with all off |"
echo "|---|---|---|---|---|---|---|---|---|"
for e in random guided; do
	for s in $SEED_LIST; do
		lines=$(found "$OUT/on/$e-s$s")
		row="| $e | $s"
		for p in $FLAWS; do row="$row | $(cell "$lines" "$p")"; done
		other=$(echo "$lines" | awk '$1 == "other"' | grep -c . || true)
		if [ -d "$OUT/off/$e-s$s" ]; then
			off=$(find "$OUT/off/$e-s$s/flaws" -name '*.json' 2>/dev/null | wc -l)
		else
			off="not run"
		fi
		echo "$row | $other | $off |"
	done
done
echo
echo "| explore | leader | pair | window | param | log |"
echo "|---|---|---|---|---|---|"
n=$(echo "$SEED_LIST" | wc -w)
for e in random guided; do
	row="| $e"
	for p in $FLAWS; do
		runs=$(for s in $SEED_LIST; do cell "$(found "$OUT/on/$e-s$s")" "$p"; done |
			awk '$1 == "run" { sub(",", "", $2); print $2 }')
		k=$(echo "$runs" | grep -c . || true)
		med=$(echo "$runs" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
		row="$row | $k/$n${med:+, median first run $med}"
	done
	echo "$row |"
done
echo
echo "Cells: the first run that found the planted flaw and seconds from the"
echo "campaign's start to it; '-' not found within the budget. Exit statuses"
echo "other than 0/1 are in the *.rc files. Results: $OUT"
