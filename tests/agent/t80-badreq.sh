#!/bin/sh
# Bad requests: exit 2, an error naming the problem, nothing changed.
. "$(dirname "$0")/lib.sh"
require_cmd jq

spawn sleep 300
P=$PID

bad() {	# bad VERB JSON EXPECTED-SUBSTRING
	agent "$1" "$2"
	check "$1 $2: exit 2" [ "$RC" = 2 ]
	check "$1 $2: error mentions '$3'" jtrue ".ok == false and (.error | contains(\"$3\"))"
	check "$1 $2: nothing changed" sh -c "$(printf '%s' "[ -z \"\$(ls -A '$T/run' 2>/dev/null)\" ] && [ ! -s '$CAMPAIGN_AGENT_LOG' ] && [ \"\$(sed -n 's/^State:[[:space:]]*\\(.\\).*/\\1/p' /proc/$P/status)\" = S ]")"
}

bad inject '{"fault": "process-kill", "params": {"pid": '$P'}' "not valid JSON"
bad inject '' "not valid JSON"
bad inject '[1, 2]' "JSON object"
bad inject '"process-kill"' "not valid JSON"
bad inject '{"fault": "process-kill", "fault": "process-hang", "params": {"pid": '$P'}}' "duplicate"
bad inject '{"params": {"pid": '$P'}}' "fault"
bad inject '{"fault": 7}' "fault"
bad inject '{"fault": "process-explode", "params": {"pid": '$P'}}' "unknown fault"
bad inject '{"fault": "process-kill", "params": {"pid": '$P'}, "when": 3}' "unknown key"
bad inject '{"fault": "process-kill", "params": [1]}' "params"
bad inject '{"fault": "process-kill", "params": {"pid": '$P', "sginal": "KILL"}}' "unknown parameter 'sginal'"
bad inject '{"fault": "process-kill", "params": {"pid": 0}}' "out of range"
bad inject '{"fault": "process-kill", "params": {"pid": 99999999}}' "out of range"
bad inject '{"fault": "process-kill", "params": {"pid": "'$P'"}}' "must be an integer"
bad inject '{"fault": "process-kill", "params": {"pid": '$P'.0}}' "must be an integer"
bad inject '{"fault": "process-kill", "params": {"pid": '$P', "signal": "SIGFOO"}}' "unknown signal"
bad inject '{"fault": "process-kill", "params": {"pid": '$P', "signal": 0}}' "out of range"
bad inject '{"fault": "process-kill", "params": {"pid": '$P', "all": "yes"}}' "true or false"
bad inject '{"fault": "process-kill", "params": {}}' "exactly one of"
bad inject '{"fault": "process-kill", "params": {"pid": '$P', "process": "sleep"}}' "exactly one of"
bad inject '{"fault": "process-kill", "params": {"process": "a/b"}}' "process name"
bad inject '{"fault": "process-kill", "params": {"pid": '$P', "pick": "fattest"}}' "one of"
bad inject '{"fault": "process-hang", "params": {"pid": '$P', "duration_s": 86401}}' "out of range"
bad inject '{"fault": "reg-bitflip", "params": {"pid": '$P', "register": "xmm0"}}' "unknown register"
bad inject '{"fault": "reg-bitflip", "params": {"pid": '$P', "bit": 64}}' "out of range"
bad inject '{"fault": "mem-bitflip", "params": {"pid": '$P', "region": "bss"}}' "one of"
bad inject '{"fault": "syscall-error", "params": {"pid": '$P'}}' "needs parameter 'syscall'"
bad inject '{"fault": "syscall-error", "params": {"pid": '$P', "syscall": "frob"}}' "unknown syscall"
bad inject '{"fault": "syscall-error", "params": {"pid": '$P', "syscall": "read", "errno": "EWHAT"}}' "unknown errno"
bad inject '{"fault": "syscall-error", "params": {"pid": '$P', "syscall": "read", "errno": 4096}}' "out of range"
bad inject '{"fault": "partition", "params": {}}' "needs parameter 'peers'"
bad inject '{"fault": "partition", "params": {"peers": []}}' "out of range"
bad inject '{"fault": "partition", "params": {"peers": ["10.0.0.300"]}}' "not an IP address"
bad inject '{"fault": "partition", "params": {"peers": ["10.0.0.1/0"]}}' "prefix"
bad inject '{"fault": "partition", "params": {"peers": [1]}}' "must be a string"
bad inject '{"fault": "partition", "params": {"peers": ["10.0.0.1"], "direction": "sideways"}}' "one of"
bad inject '{"fault": "netem", "params": {}}' "no impairment"
bad inject '{"fault": "netem", "params": {"loss_pct": 101}}' "out of range"
bad inject '{"fault": "netem", "params": {"jitter_ms": 5, "loss_pct": 1}}' "jitter_ms needs delay_ms"
bad inject '{"fault": "netem", "params": {"reorder_pct": 5, "loss_pct": 1}}' "reorder_pct needs delay_ms"
bad inject '{"fault": "netem", "params": {"loss_pct": 1, "dev": "eth0; reboot"}}' "interface name"
bad inject '{"fault": "netem", "params": {"loss_pct": 1, "dev": "averyveryverylongname"}}' "length"
bad inject '{"fault": "disk-full", "params": {}}' "needs parameter 'path'"
bad inject '{"fault": "io-error", "params": {"path": "/x", "device": "d"}}' "exactly one of"
bad inject '{"fault": "io-error", "params": {"path": "/x", "mode": "syscall"}}' "target process"
bad inject '{"fault": "io-error", "params": {"path": "/x", "pid": 1, "process": "a"}}' "at most one"
bad inject '{"fault": "io-error", "params": {"path": "/x", "mode": "dm", "ops": "read"}}' "reads"
bad inject '{"fault": "cpu-hog", "params": {"workers": 1025}}' "out of range"
bad inject '{"fault": "mem-pressure", "params": {"mib": 0}}' "out of range"
bad inject '{"fault": "fd-exhaustion", "params": {"pid": '$P', "leave": -1}}' "out of range"
bad undo '{}' "exactly one of"
bad undo '{"undo": "%%%"}' "base64url"
bad undo '{"undo": "eyJ2IjoxfQ"}' "malformed"
bad undo '{"undo": "bm90IGpzb24"}' "not JSON"
bad undo '{"undo": 5}' "must be a string"
bad undo '{"all": false}' "'all' must be true"
bad undo "{\"undo\": \"$(printf '%s' '{"v":1,"id":"0123456789abcdef","fault":"nope","state":{}}' | base64 -w0 | tr '+/' '-_' | tr -d '=')\"}" "unknown fault"
bad undo "{\"undo\": \"$(printf '%s' '{"v":1,"id":"../../etc/passwd","fault":"disk-full","state":{}}' | base64 -w0 | tr '+/' '-_' | tr -d '=')\"}" "malformed"
bad collect '{"paths": ["relative"]}' "absolute path"
bad collect '{"max_bytes": 0}' "out of range"
bad ping '{"x": 1}' "unknown parameter"
bad "$(printf 'caf\303')" '{}' "unknown verb"
bad inject "$(printf '{"fault": "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251x"}')" "unknown fault"

# A token whose state was tampered with: the fault's undo refuses it.
TOKEN=$(printf '%s' '{"v":1,"id":"0123456789abcdef","fault":"disk-full","state":{"file":"/etc/passwd"}}' |
	base64 -w0 | tr '+/' '-_' | tr -d '=')
agent undo "{\"undo\": \"$TOKEN\"}"
check "tampered disk-full token: exit 1" [ "$RC" = 1 ]
check "tampered disk-full token: /etc/passwd untouched" [ -f /etc/passwd ]
TOKEN=$(printf '%s' '{"v":1,"id":"0123456789abcdef","fault":"partition","state":{"table":"filter"}}' |
	base64 -w0 | tr '+/' '-_' | tr -d '=')
agent undo "{\"undo\": \"$TOKEN\"}"
check "tampered partition token: exit 1, names the table" jtrue '.ok == false and (.error | contains("filter"))'

done_testing
