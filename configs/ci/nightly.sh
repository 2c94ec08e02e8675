#!/bin/sh
# configs/ci/nightly.sh - one night of validation: run a campaign, judge
# its flaws against the last accepted night (the baseline), keep its
# report, and archive the whole results directory.
#
#   configs/ci/nightly.sh CONFIG [ROOT]     run tonight's campaign
#   configs/ci/nightly.sh accept [ROOT] [STAMP]
#                                           make a night (default: the
#                                           latest) the baseline: its flaws
#                                           become known
#
# ROOT (default /var/lib/campaign/nightly) holds
#   runs/<stamp>/           each night's results directory (report/ inside)
#   latest -> runs/<stamp>  the last night
#   baseline -> runs/<stamp> the last night that passed, or was accepted
#   archive/<stamp>.tar.gz  each night's results directory, archived
# Environment: CAMPAIGN (default build/orchestrator/campaign), BUDGET
# (default 6h), RUNS (default: the config's), KEEP (nights kept in runs/,
# default 14; archives are kept).
#
# Exit status is the campaign's (docs/reports.md): 0 no flaw outside the
# baseline, 1 new flaws, 2 usage or config error, 3 infrastructure stop.
# The baseline moves forward only on 0: a new flaw fails every night until
# it is fixed or someone accepts it.
set -eu

if [ "${1:-}" = accept ]; then
	root=${2:-/var/lib/campaign/nightly}
	stamp=${3:-$(basename "$(readlink "$root/latest")")}
	[ -d "$root/runs/$stamp" ] || { echo "nightly: no night '$stamp' in $root/runs" >&2; exit 2; }
	ln -sfn "runs/$stamp" "$root/baseline"
	echo "nightly: baseline is now $stamp"
	exit 0
fi

cfg=${1:?usage: nightly.sh CONFIG [ROOT] | nightly.sh accept [ROOT] [STAMP]}
root=${2:-/var/lib/campaign/nightly}
campaign=${CAMPAIGN:-build/orchestrator/campaign}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$root/runs/$stamp
mkdir -p "$root/runs" "$root/archive"

set -- "$cfg" --out "$out" --budget "${BUDGET:-6h}" --junit "$out/junit.xml"
[ -z "${RUNS:-}" ] || set -- "$@" --runs "$RUNS"
baseline=
if [ -e "$root/baseline/journal.jsonl" ]; then
	baseline=$root/baseline
	set -- "$@" --baseline "$baseline"
fi
echo "nightly: $stamp: campaign run $*"
set +e
"$campaign" run "$@"
rc=$?
set -e
ln -sfn "runs/$stamp" "$root/latest"

# `campaign run` makes the report at its end; make it if the run did not get there
if [ -f "$out/journal.jsonl" ] && [ ! -f "$out/report/index.html" ]; then
	"$campaign" -q report "$out" ${baseline:+--baseline "$baseline"} >/dev/null || true
fi
if [ -d "$out" ]; then
	tar -C "$root/runs" -czf "$root/archive/$stamp.tar.gz" "$stamp"
fi
[ $rc != 0 ] || ln -sfn "runs/$stamp" "$root/baseline"

# keep the last KEEP nights unpacked, never the baseline's
keep_base=$(basename "$(readlink "$root/baseline" 2>/dev/null || echo none)")
ls -1 "$root/runs" | sort -r | tail -n "+$((${KEEP:-14} + 1))" | while read -r old; do
	[ "$old" = "$keep_base" ] || rm -rf "${root:?}/runs/$old"
done

echo "nightly: $stamp: exit $rc; report $out/report/index.html;" \
	"archive $root/archive/$stamp.tar.gz; baseline $(readlink "$root/baseline" 2>/dev/null || echo none)"
exit $rc
