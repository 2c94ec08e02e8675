#!/bin/sh
# process-kill and process-hang against sleep processes this test starts.
. "$(dirname "$0")/lib.sh"
require_cmd jq

# A name no other process on the host has: sleep under a unique link.
NAME=cagt$$x
ln -s "$(command -v sleep)" "$T/$NAME"

spawn sleep 300
agent inject "{\"fault\": \"process-kill\", \"params\": {\"pid\": $PID}}"
check "kill by pid: ok" [ "$RC" = 0 ]
check "kill by pid: gone" wait_for 10 gone "$PID"
check "kill by pid: evidence names pid, signal, name" jtrue \
	".evidence.targets[0].pid == $PID and .evidence.signal.name == \"KILL\" and
	 .evidence.targets[0].comm == \"sleep\" and .evidence.targets[0].t_monotonic_ns > 0"
check "kill: verified" jtrue '.evidence.verified'
check "kill: seed reported" jtrue '.params.seed >= 0'
check "kill: logged" grep -q '"verb":"inject".*"process-kill"' "$CAMPAIGN_AGENT_LOG"
undo_last
check "kill: nothing to undo" jtrue '.ok and .already_undone and (.evidence.action | startswith("none"))'

spawn "$T/$NAME" 300; A=$PID
spawn "$T/$NAME" 300; B=$PID
spawn "$T/$NAME" 300; C=$PID
sleep 0.1
agent inject "{\"fault\": \"process-kill\", \"params\": {\"process\": \"$NAME\", \"signal\": \"TERM\"}}"
check "kill by name: one, the oldest" jtrue ".evidence.targets | length == 1 and .[0].pid == $A"
check "kill by name: TERM by name" jtrue '.evidence.signal.number == 15'
check "kill by name: oldest gone" wait_for 10 gone "$A"
check "kill by name: others live" running "$B"
agent inject "{\"fault\": \"process-kill\", \"params\": {\"process\": \"$NAME\", \"all\": true, \"signal\": 9}}"
check "kill all by name" jtrue '.evidence.targets | length == 2'
check "kill all: both gone" wait_for 10 sh -c "! kill -0 $B 2>/dev/null || grep -q '^State:.*Z' /proc/$B/status"
check "kill all: both gone (2)" wait_for 10 gone "$C"

agent inject "{\"fault\": \"process-kill\", \"params\": {\"process\": \"$NAME\"}}"
check "no match: exit 1" [ "$RC" = 1 ]
check "no match: error names the process" jtrue ".error | contains(\"$NAME\")"

spawn sleep 300
echo "$PID" >"$T/pidfile"
agent inject "{\"fault\": \"process-kill\", \"params\": {\"pidfile\": \"$T/pidfile\"}}"
check "kill by pidfile" jtrue ".evidence.targets[0].pid == $PID"

mkdir "$T/cg"
spawn sleep 300; D=$PID
spawn sleep 300; E=$PID
printf '%s\n%s\n' "$D" "$E" >"$T/cg/cgroup.procs"
agent inject "{\"fault\": \"process-kill\", \"params\": {\"cgroup\": \"$T/cg\", \"all\": true}}"
check "kill by cgroup: all of its processes" jtrue ".evidence.targets | map(.pid) | sort == ([$D, $E] | sort)"

spawn sleep 300
agent inject "{\"fault\": \"process-kill\", \"params\": {\"pid\": $PID, \"signal\": \"STOP\"}}"
check "STOP: stopped and verified" jtrue '.evidence.verified'
check "STOP: process stopped" stopped "$PID"
undo_last
check "STOP: undo continues it" jtrue '.evidence.action == "SIGCONT"'
check "STOP: running again" wait_for 10 running "$PID"

agent inject "{\"fault\": \"process-kill\", \"params\": {\"pid\": $$}}"
check "the agent's own ancestors are never targets" [ "$RC" = 1 ]

# process-hang: ends by itself at the deadline.
spawn sleep 300; H=$PID
agent inject "{\"fault\": \"process-hang\", \"params\": {\"pid\": $H, \"duration_s\": 1}}"
check "hang: ok" [ "$RC" = 0 ]
check "hang: verified stopped" jtrue '.evidence.verified and .evidence.helper.pid > 0'
HELPER=$(jget .evidence.helper.pid)
TOKEN=$(jget .undo)
ID=$(jget .id)
check "hang: stopped now" stopped "$H"
other_session() {
	[ "$(ps -o sid= -p "$1" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')" ]
}
check "hang: the helper is detached (own session)" other_session "$HELPER"
check "hang: continued at the deadline" wait_for 10 running "$H"
check "hang: helper gone after the deadline" wait_for 10 gone "$HELPER"
check "hang: status shows the record closed by the deadline" closed_by "$ID" deadline
agent undo "{\"undo\": \"$TOKEN\"}"
check "hang: later undo says already undone by deadline" jtrue \
	'.ok and .already_undone and .evidence.by == "deadline"'

# process-hang: undone early, twice.
agent inject "{\"fault\": \"process-hang\", \"params\": {\"pid\": $H, \"duration_s\": 60}}"
HELPER=$(jget .evidence.helper.pid)
TOKEN=$(jget .undo)
check "hang 60 s: stopped" stopped "$H"
agent undo "{\"undo\": \"$TOKEN\"}"
check "early undo: ok" jtrue '.ok and (.already_undone | not) and .evidence.helper.ended == "ended on SIGTERM"'
check "early undo: running" wait_for 10 running "$H"
check "early undo: helper gone" wait_for 10 gone "$HELPER"
agent undo "{\"undo\": \"$TOKEN\"}"
check "second undo: idempotent" jtrue '.ok and .already_undone'
check "undo logged" grep -q '"verb":"undo"' "$CAMPAIGN_AGENT_LOG"

# undo all, status.
agent inject "{\"fault\": \"process-hang\", \"params\": {\"pid\": $H, \"duration_s\": 0}}"
agent status
check "status shows the active hang" jtrue '[.injections[] | select(.active)] | length == 1'
agent undo '{"all": true}'
check "undo all: one undone" jtrue '.ok and (.undone | length) == 1'
check "undo all: running" wait_for 10 running "$H"

done_testing
