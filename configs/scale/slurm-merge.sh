#!/bin/sh
# configs/scale/slurm-merge.sh - join the shards of configs/scale/slurm-array.sh
# into results/NAME with its report (campaign merge; docs/scale-out.md).
#
#   sbatch --dependency=afterany:JOBID configs/scale/slurm-merge.sh
#
# afterany: the merge runs whatever the shards' exit codes; missing shards
# are named in its output and in the report ("shards present: ..."). It
# also runs while the shards still run (it reads them without their locks,
# up to their last complete record), to look at a campaign's progress:
# submit it again at any time, it rewrites results/NAME. No VM, no root:
# about 20 s and 100 MiB per million runs (bench/merge.sh).
#
# Settings: CONFIG, NAME, RESULTS and CAMPAIGN as in slurm-array.sh;
# BASELINE an earlier results directory (campaign merge --baseline).
#
#SBATCH --job-name=campaign-merge
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=2
#SBATCH --mem=1G
#SBATCH --time=01:00:00
#SBATCH --output=campaign-merge-%j.log
set -eu

CONFIG=${CONFIG:-configs/demo.json}
NAME=${NAME:-$(basename "$CONFIG" .json)}
RESULTS=${RESULTS:-results}
CAMPAIGN=${CAMPAIGN:-build/orchestrator/campaign}

cd "${SLURM_SUBMIT_DIR:-.}"
set +e
"$CAMPAIGN" merge "$RESULTS/$NAME" "$RESULTS/$NAME"-shard-* ${BASELINE:+--baseline "$BASELINE"}
rc=$?
set -e
echo "merge exited $rc (0: no new flaw, 1: new flaws, 2: refused, 3: cannot write);" \
	"report: $RESULTS/$NAME/report/index.html"
[ "$rc" -le 1 ] || exit "$rc"
