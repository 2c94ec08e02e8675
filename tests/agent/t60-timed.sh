#!/bin/sh
# cpu-hog and mem-pressure: the helper exists, works, and ends.
. "$(dirname "$0")/lib.sh"
require_cmd jq

agent inject '{"fault": "cpu-hog", "params": {"workers": 2, "duration_s": 1.5}}'
check "cpu-hog: ok" [ "$RC" = 0 ]
HELPER=$(jget .evidence.helper.pid)
W1=$(jget '.evidence.workers[0]')
W2=$(jget '.evidence.workers[1]')
all_running() {
	for p in "$@"; do running "$p" || return 1; done
}
cpu_ticks() {	# utime + stime of a process
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
busy() {	# the process gets CPU time within a second (a loaded host is slow)
	a=$(cpu_ticks "$1")
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		sleep 0.1
		[ "$(cpu_ticks "$1")" -gt "$a" ] && return 0
	done
	return 1
}
check "cpu-hog: helper and two workers exist" all_running "$HELPER" "$W1" "$W2"
check "cpu-hog: workers are busy" busy "$W1"
check "cpu-hog: workers named campaign-cpuhog" [ "$(cat /proc/$W1/comm)" = campaign-cpuhog ]
all_gone() {
	for p in "$@"; do gone "$p" || return 1; done
}
check "cpu-hog: all gone after the deadline" wait_for 10 all_gone "$W1" "$W2"
check "cpu-hog: helper gone" wait_for 10 gone "$HELPER"

agent inject '{"fault": "cpu-hog", "params": {"workers": 1, "load_pct": 50, "duration_s": 0}}'
HELPER=$(jget .evidence.helper.pid)
W1=$(jget '.evidence.workers[0]')
sleep 0.3
check "cpu-hog until undone: running" running "$HELPER"
undo_last
check "cpu-hog undone: helper ended on SIGTERM" jtrue '.evidence.helper.ended == "ended on SIGTERM"'
check "cpu-hog undone: worker gone" wait_for 10 gone "$W1"

agent inject '{"fault": "mem-pressure", "params": {"mib": 16, "duration_s": 1.5}}'
check "mem-pressure: ok" [ "$RC" = 0 ]
check "mem-pressure: 16 MiB touched" jtrue '.evidence.bytes == 16777216 and .evidence.rss_kib >= 16000'
HELPER=$(jget .evidence.helper.pid)
RSS=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$HELPER/status)
check "mem-pressure: the helper holds it ($RSS KiB)" [ "${RSS:-0}" -ge 16000 ]
check "mem-pressure: gone after the deadline" wait_for 10 gone "$HELPER"

agent inject '{"fault": "mem-pressure", "params": {"mib": 1048576}}'
check "mem-pressure beyond the node's memory: exit 1" [ "$RC" = 1 ]
check "mem-pressure beyond the node's memory: says so" jtrue '.error | contains("MiB")'

done_testing
