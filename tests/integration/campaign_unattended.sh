#!/bin/sh
# A campaign left alone, on real VMs (the counter testbed, kept):
#  A. two faults per run on one node, vm-pause and vm-crash among guest
#     faults: every run judged, none stops the campaign;
#  B. disturbances from outside, each repaired by the ladder:
#     libvirtd killed and restarted during a run (reconnect, retry),
#     a QEMU process killed (revert the node), a golden snapshot deleted
#     (rebuild that node alone), a node that cannot come up again
#     (quarantine, exit 3 with the reason), and a killed campaign that
#     brought its testbed up takes it down after its resume.
. tests/integration/lib.sh

BASE=tests/integration/configs/counter.json
GEN=tests/integration/configs/.unattended
TMP=$(mktemp -d)
restore() {
	pgrep -x libvirtd >/dev/null || scripts/start-daemons >/dev/null 2>&1 || true
	rm -rf "$TMP" "$GEN"-*.json
}
trap restore EXIT

# gen NAME FAULTS_JSON PER_RUN: a config on the counter testbed (same
# prefix, paths relative to the same directory as counter.json).
gen() {
	jq --argjson faults "$2" --argjson per "$3" '
		.name = "it-counter-" + $ARGS.named.n | .testbed.prefix = "cmp-it-counter" |
		.faults = $faults | .schedule.faults_per_run = $per |
		.schedule.inject_at_s = [0.5, 2] | .schedule.observe_s = 4 |
		.oracles = [{"type": "probe-recovers", "probe": "health", "within_s": 6},
			    {"type": "containment"}]' --arg n "$1" "$BASE" > "$GEN-$1.json"
	echo "$GEN-$1.json"
}

# runs_once J N: runs 1..N recorded exactly once each
runs_once() {
	got=$(jq -s -c '[.[] | select(.type == "run") | .run] | sort' "$1")
	[ "$got" = "$(jq -n -c "[range(1; $2 + 1)]")" ] || fail "runs recorded: $got, want 1..$2 once"
}

actions() {
	jq -s -r '[.[] | select(.type == "infra") | .action] | join(";")' "$1"
}

# wait_runs J N: until N run records are in the journal (300 s at most)
wait_runs() {
	deadline=$(($(date +%s) + 300))
	until [ -f "$1" ] && [ "$(grep -c '"type":"run"' "$1")" -ge "$2" ]; do
		[ "$(date +%s)" -lt "$deadline" ] || fail "no $2 runs recorded within 300 s"
		sleep 0.3
	done
}

PAUSE='{"type": "vm-pause", "target": "n2", "duration_s": [2, 3]}'
CRASH='{"type": "vm-crash", "target": "n2"}'
HANG='{"type": "process-hang", "process": "counterd", "target": "n2", "duration_s": [1, 2]}'
TERM='{"type": "process-kill", "process": "counterd", "signal": "TERM", "target": "n2"}'

# ---- A: overlapping faults are the run's business ----
CFG=$(gen overlap "[$PAUSE, $CRASH, $HANG, $TERM]" 2)
OUT=$TMP/a
set +e
"$CAMPAIGN" run "$CFG" --out "$OUT" --runs 6 --keep-testbed 2>"$TMP/a.err"
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 1 ] || { cat "$TMP/a.err"; fail "overlap campaign exited $rc"; }
runs_once "$OUT/journal.jsonl" 6
aside=$(jq -s '[.[] | select(.type == "run" and .outcome == "set-aside")] | length' "$OUT/journal.jsonl")
[ "$aside" = 0 ] || fail "$aside runs set aside: $(actions "$OUT/journal.jsonl")"
overlaps=$(jq -s '[.[] | select(.type == "run") | .faults[] |
	select(.deferred_ms != null or .fate == "not-applied" or
	       (.undo_evidence.action // "" | startswith("undone by")))] | length' "$OUT/journal.jsonl")
[ "$overlaps" -ge 1 ] || fail "no fault met another on n2 in 6 runs: the test needs another seed"
pass "6 runs of two faults on n2 (pause, crash, hang, kill): every run judged, $overlaps faults deferred or undone by a restore, exit $rc"

# ---- B1: libvirtd killed and restarted during a run ----
CFG=$(gen libvirtd "[$PAUSE]" 1)
OUT=$TMP/b1
"$CAMPAIGN" run "$CFG" --out "$OUT" --runs 3 --keep-testbed 2>"$TMP/b1.err" &
pid=$!
wait_runs "$OUT/journal.jsonl" 1
sleep 1.5
pkill -x libvirtd
sleep 2
scripts/start-daemons >/dev/null 2>&1
set +e
wait $pid
rc=$?
set -e
[ $rc = 0 ] || { cat "$TMP/b1.err"; fail "campaign across a libvirtd restart exited $rc"; }
runs_once "$OUT/journal.jsonl" 3
a=$(actions "$OUT/journal.jsonl")
case $a in *quarantine*|*"set aside"*) fail "libvirtd restart: $a" ;; esac
pass "libvirtd restarted during run 2: reconnected, every run once, exit 0 (infra: ${a:-none})"

# ---- B2: a node's QEMU killed from outside ----
OUT=$TMP/b2
"$CAMPAIGN" run "$CFG" --out "$OUT" --runs 3 --keep-testbed 2>"$TMP/b2.err" &
pid=$!
wait_runs "$OUT/journal.jsonl" 1
sleep 2
kill -9 "$(cat /run/libvirt/qemu/cmp-it-counter-n3.pid)"
set +e
wait $pid
rc=$?
set -e
[ $rc = 0 ] || { cat "$TMP/b2.err"; fail "campaign with a killed QEMU exited $rc"; }
runs_once "$OUT/journal.jsonl" 3
a=$(actions "$OUT/journal.jsonl")
case $a in *"revert node"*) ;; *) cat "$TMP/b2.err"; fail "no node revert after a killed QEMU: $a" ;; esac
flaws=$(jq -s '[.[] | select(.type == "run" and .outcome == "flaw")] | length' "$OUT/journal.jsonl")
[ "$flaws" = 0 ] || fail "a QEMU killed from outside became $flaws flaws"
pass "QEMU of n3 killed during a run: node reverted, run retried, no flaw ($a)"

# ---- B3: a golden snapshot deleted: that node is rebuilt alone ----
virsh -q -c qemu:///system snapshot-delete cmp-it-counter-n1 golden >/dev/null
OUT=$TMP/b3
set +e
"$CAMPAIGN" run "$CFG" --out "$OUT" --runs 1 --keep-testbed 2>"$TMP/b3.err"
rc=$?
set -e
[ $rc = 0 ] || { cat "$TMP/b3.err"; fail "campaign after a deleted snapshot exited $rc"; }
runs_once "$OUT/journal.jsonl" 1
a=$(actions "$OUT/journal.jsonl")
case $a in *"rebuild node"*) ;; *) fail "no node rebuild: $a" ;; esac
case $a in *"rebuild testbed"*) fail "the whole testbed was rebuilt: $a" ;; esac
virsh -q -c qemu:///system snapshot-list cmp-it-counter-n1 --name | grep -qx golden ||
	fail "n1 has no golden snapshot after its rebuild"
pass "n1's golden snapshot deleted: n1 rebuilt alone, a new golden cut, the run recorded ($a)"

# ---- B4: a node that cannot be brought up again: quarantine, exit 3 with
# the reason. Its golden snapshot is deleted and the config it would be
# rebuilt from has a bootstrap step that fails on it alone, so the revert,
# the node rebuild and the testbed rebuild all fail. ----
CFG4=$GEN-unbootable.json
jq '.testbed.bootstrap += [{"run": "echo n2 cannot come up >&2; false", "nodes": ["n2"]}]' \
	"$CFG" > "$CFG4"
virsh -q -c qemu:///system snapshot-delete cmp-it-counter-n2 golden >/dev/null
OUT=$TMP/b4
set +e
"$CAMPAIGN" run "$CFG4" --out "$OUT" --runs 2 --keep-testbed 2>"$TMP/b4.err"
rc=$?
set -e
[ $rc = 3 ] || { cat "$TMP/b4.err"; fail "an unbootable node: exit $rc, want 3"; }
grep -q "campaign stopped by an infrastructure failure: .*n2" "$TMP/b4.err" ||
	{ cat "$TMP/b4.err"; fail "the exit-3 message does not name n2"; }
a=$(actions "$OUT/journal.jsonl")
case $a in *"rebuild node"*"rebuild testbed"*quarantine*) ;; *) fail "ladder: $a" ;; esac
runs=$(jq -s '[.[] | select(.type == "run")] | length' "$OUT/journal.jsonl")
[ "$runs" = 0 ] || fail "$runs runs recorded on a quarantined testbed"
pass "n2 cannot come up: revert, rebuild node, rebuild testbed, quarantine: exit 3 ($(grep 'stopped by' "$TMP/b4.err" | head -1 | cut -c1-160))"

# ---- B5: a campaign that brought its testbed up, killed and resumed,
# takes the testbed down when it finishes (no VMs leak per crash) ----
OUT=$TMP/b5
"$CAMPAIGN" testbed down "$CFG" >/dev/null 2>&1 || true
"$CAMPAIGN" run "$CFG" --out "$OUT" --runs 2 2>"$TMP/b5.err" &
pid=$!
wait_runs "$OUT/journal.jsonl" 1
kill -9 $pid
wait $pid 2>/dev/null || true
[ -f "$OUT/testbed-owner" ] || fail "no testbed-owner mark in the results directory"
set +e
"$CAMPAIGN" run "$CFG" --out "$OUT" --runs 2 2>>"$TMP/b5.err"
rc=$?
set -e
[ $rc = 0 ] || { cat "$TMP/b5.err"; fail "resumed campaign exited $rc"; }
runs_once "$OUT/journal.jsonl" 2
left=$(virsh -q -c qemu:///system list --all --name | grep -c '^cmp-it-counter-' || true)
[ "$left" = 0 ] || fail "$left domains left after the resumed campaign finished"
pass "killed and resumed: the campaign that brought the testbed up took it down at the end"
