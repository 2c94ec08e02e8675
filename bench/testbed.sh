#!/bin/sh
# Testbed benchmark: cold boot to SSH-ready (testbed up), reset of 1 and of
# 3 nodes to SSH-ready by each path, the bare loadvm time, and QEMU's
# resident memory per node. Prints medians of N repetitions (default 7).
#   bench/testbed.sh [N]      (from the repository root, after scripts/build)
set -eu
N=${1:-7}
C=${CAMPAIGN:-build/orchestrator/campaign}
CFG=bench/configs/bench3.json

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ms() { date +%s%3N; }

"$C" -q testbed down "$CFG" || true
ups=""
for i in $(seq 3); do
	t0=$(ms)
	"$C" -q testbed up "$CFG"
	ups="$ups $(( $(ms) - t0 ))"
	[ "$i" = 3 ] || "$C" -q testbed down "$CFG"
done
echo "up (3 nodes: define, boot, SSH, snapshot), median of 3: $(echo $ups | tr ' ' '\n' | median) ms"

# Bare loadvm of one node through virsh's monitor passthrough, for scale.
bare=""
for i in $(seq "$N"); do
	t0=$(ms)
	virsh -q -c qemu:///system qemu-monitor-command --hmp cmp-bench3-n1 'stop' >/dev/null
	virsh -q -c qemu:///system qemu-monitor-command --hmp cmp-bench3-n1 'loadvm golden' >/dev/null
	virsh -q -c qemu:///system qemu-monitor-command --hmp cmp-bench3-n1 'cont' >/dev/null
	bare="$bare $(( $(ms) - t0 ))"
done
echo "bare stop+loadvm+cont of 1 node (virsh), median of $N: $(echo $bare | tr ' ' '\n' | median) ms"

for path in loadvm revert destroy-revert; do
	for nodes in n1 n1,n2,n3; do
		walls=""
		for i in $(seq "$N"); do
			t0=$(ms)
			"$C" -q testbed reset "$CFG" --nodes "$nodes" --path "$path" >/dev/null
			walls="$walls $(( $(ms) - t0 ))"
		done
		count=$(echo "$nodes" | tr ',' '\n' | wc -l)
		echo "reset $count node(s) by $path to SSH-ready, median of $N: $(echo $walls | tr ' ' '\n' | median) ms"
	done
done

rss=$(ps -eo rss,args | grep '[q]emu-system.*cmp-bench3-' | awk '{s+=$1; n++} END {printf "%d", s/n/1024}')
echo "QEMU resident memory per node (128 MiB guest): $rss MiB"
"$C" -q testbed down "$CFG"
