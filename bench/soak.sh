#!/bin/sh
# Soak: a campaign left alone for DURATION while this script disturbs it
# from outside, then what it did and what it left behind.
#   bench/soak.sh [DURATION_S] [DISTURB_EVERY_S]   (repository root, after
#   scripts/build; defaults 7200 and 600). Not run in CI.
#
# The campaign: the counter SUT, two faults per run from vm-crash,
# vm-pause, vm-reset, guest-mem-bitflip, process-hang, process-kill and
# disk-full. The disturbances, in turn: libvirtd killed and restarted, a
# node's QEMU killed, a node's golden snapshot deleted, the results file
# system (a 64 MiB tmpfs) filled and freed. A campaign that stops (exit 3
# when the results are full) is started again with the same command, as
# a supervisor would. Every minute: RSS, open descriptors and threads of
# the campaign process.
set -eu
DURATION=${1:-7200}
EVERY=${2:-600}
C=${CAMPAIGN:-build/orchestrator/campaign}
BASE=tests/integration/configs/counter.json
CFG=tests/integration/configs/.soak.json
T=$(mktemp -d)
RES=$T/results
OUT=$RES/soak
mkdir -p "$RES"
mount -t tmpfs -o size=64m tmpfs "$RES"
cleanup() {
	"$C" -q testbed down "$CFG" >/dev/null 2>&1 || true
	pgrep -x libvirtd >/dev/null || scripts/start-daemons >/dev/null 2>&1 || true
	cp -r "$OUT" "$T/kept" 2>/dev/null || true
	umount "$RES" 2>/dev/null || true
	rm -f "$CFG"
	echo "results kept in $T/kept"
}
trap cleanup EXIT

jq '.name = "soak" | .testbed.prefix = "cmp-soak" | .testbed.ssh_port_base = 24600 |
    .faults = [
	{"type": "vm-crash"},
	{"type": "vm-pause", "duration_s": [1, 4]},
	{"type": "vm-reset"},
	{"type": "guest-mem-bitflip"},
	{"type": "process-hang", "process": "counterd", "duration_s": [1, 3]},
	{"type": "process-kill", "process": "counterd", "signal": ["TERM", "KILL"]},
	{"type": "disk-full", "path": "/var/lib/counterd", "duration_s": [1, 3]}] |
    .testbed.on_boot = [.testbed.bootstrap[2], .testbed.bootstrap[3]] |
    .schedule.runs = 100000 | .schedule.faults_per_run = 2 |
    .schedule.inject_at_s = [0.5, 3] | .schedule.observe_s = 4 |
    .oracles = [{"type": "probe-recovers", "probe": "health", "within_s": 8,
		 "boot_within_s": 40}, {"type": "containment"}]' "$BASE" > "$CFG"
"$C" validate "$CFG"

start=$(date +%s)
end=$((start + DURATION))
log() { echo "$(date -u +%H:%M:%S) $*" | tee -a "$T/soak.log"; }
sample() {
	pid=$(pgrep -f "campaign run $CFG" | head -1) || return 0
	[ -n "$pid" ] || return 0
	echo "$(($(date +%s) - start)) $(awk '/VmRSS/ {print $2}' /proc/$pid/status) \
$(ls /proc/$pid/fd | wc -l) $(ls /proc/$pid/task | wc -l)" >> "$T/samples"
}

starts=0
run_campaign() {
	starts=$((starts + 1))
	left=$((end - $(date +%s)))
	"$C" run "$CFG" --out "$OUT" --budget "${left}s" > "$T/run-$starts.out" 2>&1 &
	CPID=$!
	log "campaign started (#$starts, pid $CPID, ${left}s left)"
}

k=0
disturb() {
	k=$((k + 1))
	case $((k % 4)) in
	1)	log "disturb: libvirtd killed and restarted"
		pkill -x libvirtd; sleep 3; scripts/start-daemons >/dev/null 2>&1 ;;
	2)	log "disturb: QEMU of n3 killed"
		kill -9 "$(cat /run/libvirt/qemu/cmp-soak-n3.pid)" 2>/dev/null || true ;;
	3)	log "disturb: golden snapshot of n1 deleted"
		virsh -q -c qemu:///system snapshot-delete cmp-soak-n1 golden >/dev/null 2>&1 || true ;;
	0)	log "disturb: results file system filled"
		dd if=/dev/zero of="$RES/filler" bs=1M count=64 2>/dev/null || true
		waited=0
		while kill -0 "$CPID" 2>/dev/null && [ $waited -lt 180 ]; do
			sleep 5; waited=$((waited + 5))
		done
		rm -f "$RES/filler"
		log "disturb: results file system freed (campaign still running: $(kill -0 "$CPID" 2>/dev/null && echo yes || echo no))" ;;
	esac
}

run_campaign
next=$((start + EVERY))
while [ "$(date +%s)" -lt "$end" ]; do
	sleep 60
	sample
	if ! kill -0 "$CPID" 2>/dev/null; then
		wait "$CPID" && rc=0 || rc=$?
		log "campaign exited $rc: $(tail -2 "$T/run-$starts.out" | tr '\n' ' ')"
		[ "$(date +%s)" -lt "$end" ] && run_campaign
	fi
	if [ "$(date +%s)" -ge "$next" ]; then
		disturb
		next=$((next + EVERY))
	fi
done
wait "$CPID" 2>/dev/null || true

J=$OUT/journal.jsonl
echo "== soak: $DURATION s, disturbance every $EVERY s, $starts campaign starts"
echo "runs recorded: $(jq -s '[.[] | select(.type == "run")] | length' "$J")"
echo "each run once: $(jq -s '[.[] | select(.type == "run") | .run] | (length == (unique | length))' "$J")"
echo "gaps below the last run: $(jq -s '[.[] | select(.type == "run") | .run] | (max - length)' "$J")"
echo "outcomes:"; jq -s -r '[.[] | select(.type == "run") | .outcome] | group_by(.) | .[] | "  \(.[0]): \(length)"' "$J"
echo "set aside, why:"; jq -r 'select(.type == "run" and .outcome == "set-aside") | "  run \(.run): \(.reason)"' "$J"
echo "infra events by action:"; jq -s -r '[.[] | select(.type == "infra") | .action] | group_by(.) | .[] | "  \(.[0]): \(length)"' "$J"
echo "fault fates:"; jq -s -r '[.[] | select(.type == "run") | .faults[] | .fate // "applied"] | group_by(.) | .[] | "  \(.[0]): \(length)"' "$J"
runs=$(jq -s '[.[] | select(.type == "run")] | length' "$J")
bytes=$(du -sb "$OUT" | cut -f1)
echo "results: $bytes bytes, $((bytes / (runs > 0 ? runs : 1))) bytes per run (flaw runs keep runs/<n>/)"
echo "samples (s rss_kib fds threads):"; cat "$T/samples" 2>/dev/null | awk 'NR==1 || NR%10==0 {print "  " $0} END {print "  last: " $0}'
"$C" -q testbed down "$CFG" || true
echo "left behind after testbed down:"
echo "  domains: $(virsh -q -c qemu:///system list --all --name | grep -c '^cmp-soak-' || true)"
echo "  state dir: $(ls /var/lib/campaign/testbeds/cmp-soak 2>/dev/null | wc -l) files"
echo "  vde_switch: $(pgrep -fc 'vde_switch.*cmp-soak' || true)"
echo "  forwarded ports listening: $(ss -ltn | grep -c ':2460[0-9] ' || true)"
