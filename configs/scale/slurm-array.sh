#!/bin/sh
# configs/scale/slurm-array.sh - one campaign in SHARDS shards, one Slurm
# array task (and one host) per shard: task I runs the runs r with
# r % SHARDS == I % SHARDS into results/NAME-shard-I (docs/scale-out.md).
#
#   sbatch --array=1-40 configs/scale/slurm-array.sh
#   sbatch --dependency=afterany:JOBID configs/scale/slurm-merge.sh
#
# Submit from the repository on a shared filesystem, built (scripts/build)
# and with every host prepared once as root (scripts/setup). The campaign
# drives the system libvirt and /var/lib/campaign: the task must run as
# root, or as a user with passwordless sudo and SUDO=sudo. A task that
# ends (a node failure, the time limit) is resumed by submitting it again
# with the same index (sbatch --array=7 ...): the shard directory keeps
# every finished run and only the rest are run.
#
# Settings (environment; sbatch --export passes them):
#   SHARDS    number of shards; --array must be 1-SHARDS (default 40)
#   CONFIG    the campaign config (default configs/demo.json)
#   NAME      results/NAME-shard-I (default: the config's file name)
#   BUDGET    stop starting runs after this long (default 25h; keep it
#             below --time)
#   TESTBEDS  testbeds per host, campaign run --testbeds (default 1)
#   RESULTS   where the shard directories go (default results)
#   CAMPAIGN  the program (default build/orchestrator/campaign)
#   SUDO      a prefix such as sudo (default none)
#
#SBATCH --job-name=campaign-shard
#SBATCH --array=1-40
#SBATCH --nodes=1
#SBATCH --exclusive
#SBATCH --time=26:00:00
#SBATCH --output=campaign-shard-%A_%a.log
set -eu

SHARDS=${SHARDS:-40}
CONFIG=${CONFIG:-configs/demo.json}
NAME=${NAME:-$(basename "$CONFIG" .json)}
BUDGET=${BUDGET:-25h}
TESTBEDS=${TESTBEDS:-1}
RESULTS=${RESULTS:-results}
CAMPAIGN=${CAMPAIGN:-build/orchestrator/campaign}
SUDO=${SUDO:-}
ID=${SLURM_ARRAY_TASK_ID:-}

cd "${SLURM_SUBMIT_DIR:-.}"
case $ID in
'' | *[!0-9]*)
	echo "slurm-array: no SLURM_ARRAY_TASK_ID: submit with sbatch --array=1-$SHARDS" >&2
	exit 2 ;;
esac
if [ "$ID" -lt 1 ] || [ "$ID" -gt "$SHARDS" ]; then
	echo "slurm-array: task $ID is not a shard of 1-$SHARDS" >&2
	exit 2
fi
mkdir -p "$RESULTS"
echo "shard $ID/$SHARDS of $CONFIG on $(hostname) into $RESULTS/$NAME-shard-$ID"
set +e
$SUDO "$CAMPAIGN" run "$CONFIG" --shard "$ID/$SHARDS" --out "$RESULTS/$NAME-shard-$ID" \
	--budget "$BUDGET" --testbeds "$TESTBEDS"
rc=$?
set -e
# 1: flaws found, the shard did its work; 2 (config) and 3 (infrastructure)
# fail the task so that sacct shows which shard to look at.
echo "shard $ID/$SHARDS: campaign exited $rc"
[ "$rc" -le 1 ] || exit "$rc"
