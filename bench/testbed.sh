#!/bin/sh
# Testbed benchmark: cold boot to SSH-ready (testbed up), reset of 1 and of
# 3 nodes to ready by each path (clock set and entropy reseeded through
# the control channel, and over SSH for comparison), the floor (parallel
# stop/loadvm/cont over one libvirt connection), and QEMU's resident
# memory per node. Prints medians of N repetitions (default 7).
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

# The floor (issue 13): HMP stop + loadvm + cont of the nodes in
# parallel over one open libvirt connection (bench/reset_floor.c).
floor_bin=${TMPDIR:-/tmp}/campaign-reset-floor
# shellcheck disable=SC2046 # pkg-config prints several words
cc -O2 -o "$floor_bin" bench/reset_floor.c $(pkg-config --cflags --libs libvirt libvirt-qemu) -lpthread
floor1=$("$floor_bin" "$N" cmp-bench3-n1)
floor3=$("$floor_bin" "$N" cmp-bench3-n1 cmp-bench3-n2 cmp-bench3-n3)
echo "floor: stop+loadvm+cont in parallel over one connection, median of $N: 1 node $floor1 ms, 3 nodes $floor3 ms"

# A reset by each path and, for loadvm, with the clock set through the
# control channel (now) or over SSH (before issue 13). "wall" is the
# command's wall time (process start and libvirt connection included);
# "reset" is what the reset itself took (its own "reset done in" line),
# which is what a campaign pays per run.
for path in loadvm revert destroy-revert; do
	for sync in channel ssh; do
		[ "$path" = loadvm ] || [ "$sync" = channel ] || continue
		for nodes in n1 n1,n2,n3; do
			walls="" resets=""
			for i in $(seq "$N"); do
				t0=$(ms)
				r=$("$C" testbed reset "$CFG" --nodes "$nodes" --path "$path" \
					--sync "$sync" 2>&1 >/dev/null | sed -n 's/.*reset done in \([0-9]*\) ms.*/\1/p')
				walls="$walls $(( $(ms) - t0 ))"
				resets="$resets $r"
			done
			count=$(echo "$nodes" | tr ',' '\n' | wc -l)
			wall=$(echo $walls | tr ' ' '\n' | median)
			reset=$(echo $resets | tr ' ' '\n' | median)
			line="reset $count node(s) by $path, clock by $sync, median of $N: reset $reset ms, wall $wall ms"
			if [ "$path" = loadvm ]; then
				floor=$floor1; [ "$count" = 3 ] && floor=$floor3
				line="$line ($(echo "scale=2; $reset / $floor" | bc)x the floor)"
			fi
			echo "$line"
		done
	done
done

rss=$(ps -eo rss,args | grep '[q]emu-system.*cmp-bench3-' | awk '{s+=$1; n++} END {printf "%d", s/n/1024}')
echo "QEMU resident memory per node (128 MiB guest): $rss MiB"
"$C" -q testbed down "$CFG"

# A Debian-image node (256 MiB, bench/configs/debian1.json): its reset
# through the channel and over SSH, against its floor. DEBIAN=0 skips it
# (the image takes minutes to build the first time).
if [ "${DEBIAN:-1}" = 1 ]; then
	DCFG=bench/configs/debian1.json
	"$C" -q testbed down "$DCFG" || true
	"$C" -q testbed up "$DCFG"
	dfloor=$("$floor_bin" "$N" cmp-bench-debian1-n1)
	for sync in channel ssh; do
		resets=""
		for i in $(seq "$N"); do
			r=$("$C" testbed reset "$DCFG" --sync "$sync" 2>&1 >/dev/null |
				sed -n 's/.*reset done in \([0-9]*\) ms.*/\1/p')
			resets="$resets $r"
		done
		reset=$(echo $resets | tr ' ' '\n' | median)
		echo "reset 1 Debian node (256 MiB) by loadvm, clock by $sync, median of $N: $reset ms" \
		     "($(echo "scale=2; $reset / $dfloor" | bc)x its floor of $dfloor ms)"
	done
	"$C" -q testbed down "$DCFG"
fi
