#!/bin/sh
# ping, list, check, status, collect, and the shape of errors.
. "$(dirname "$0")/lib.sh"
require_cmd jq

agent ping
check "ping answers ok" [ "$RC" = 0 ]
check "ping names version and verbs" jtrue '.ok and .version and (.verbs | index("inject"))'

agent list
check "list answers ok" [ "$RC" = 0 ]
check "list has the 13 faults" [ "$(jget '.faults | length')" = 13 ]
for f in process-kill process-hang reg-bitflip mem-bitflip partition netem \
	disk-full io-error syscall-error clock-skew cpu-hog mem-pressure fd-exhaustion; do
	check "list describes $f" jtrue ".faults[] | select(.name == \"$f\") |
		.side == \"agent\" and (.summary | length > 10) and (.undo | length > 5)"
done
check "every param has type, help and default" jtrue \
	'[.faults[].params[] | has("type") and has("help") and has("default") and has("required")] | all'
check "numeric params have min and max" jtrue \
	'[.faults[].params[] | select(.type == "integer" or .type == "number") | has("min") and has("max")] | all'
check "enums list their choices" jtrue \
	'[.faults[].params[] | select(.type == "enum") | (.choices | length) > 1] | all'

agent check '{"fault": "netem", "params": {"loss_pct": 10}}'
check "check accepts a good request" [ "$RC" = 0 ]
check "check fills defaults" jtrue '.params.delay_ms == 0 and .params.duration_s == 0'
check "check changes nothing" nothing_recorded

OUT=$(printf '%s' '{"fault": "cpu-hog", "params": {"workers": 2}}' | "$AGENT" check -)
RC=$?
check "the JSON argument can come on stdin" jtrue '.ok and .params.workers == 2'

agent status
check "status lists no injection" jtrue '.ok and (.injections | length) == 0'

echo "line one" >"$T/a.log"
printf 'bad \377 byte\n' >"$T/b.log"
head -c 5000 /dev/zero | tr '\0' 'x' >"$T/c.log"
agent collect "{\"paths\": [\"$T/a.log\", \"$T/b.log\", \"$T/c.log\", \"$T/none.log\"], \"max_bytes\": 100}"
check "collect answers ok" [ "$RC" = 0 ]
check "collect returns a file's text" jtrue '.files[0].text == "line one\n"'
check "collect replaces invalid UTF-8" jtrue '.files[1].text | contains("\ufffd")'
check "collect keeps the tail only" jtrue '.files[2].bytes == 100 and .files[2].truncated and .files[2].size == 5000'
check "collect reports a missing file" jtrue '.files[3].error | length > 0'
check "collect includes the kernel log" jtrue '.dmesg | has("text") or has("error")'
check "collect includes the agent log" jtrue '.agent_log | has("path")'

agent collect '{"paths": ["/dev/zero"]}'
check "collect refuses a device" jtrue '.files[0].error == "not a regular file"'

"$AGENT" >/dev/null
check "no verb: exit 2" [ $? = 2 ]
agent frobnicate
check "unknown verb: exit 2" [ "$RC" = 2 ]
check "unknown verb: error names it" jtrue '.ok == false and (.error | contains("frobnicate"))'
"$AGENT" ping '{}' extra >/dev/null
check "too many arguments: exit 2" [ $? = 2 ]

done_testing
