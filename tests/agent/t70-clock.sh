#!/bin/sh
# clock-skew: parameters only. The host clock is never changed: every
# request here is refused before the agent could touch it.
. "$(dirname "$0")/lib.sh"
require_cmd jq

agent check '{"fault": "clock-skew", "params": {"offset_ms": -5000}}'
check "step -5 s is a valid request" jtrue '.ok and .params.mode == "step" and .params.offset_ms == -5000'
agent check '{"fault": "clock-skew", "params": {"mode": "slew", "freq_ppm": 200}}'
check "slew 200 ppm is a valid request" jtrue '.ok and .params.freq_ppm == 200'

for bad in '{"offset_ms": 0}' '{}' '{"mode": "slew"}' '{"mode": "slew", "freq_ppm": 501}' \
	'{"offset_ms": 31536000001}' '{"offset_ms": "5000"}' '{"offset_ms": 5.5}' \
	'{"mode": "jump", "offset_ms": 1}' '{"mode": "slew", "freq_ppm": 10, "offset_ms": 1}' \
	'{"offset_ms": 1000, "freq_ppm": 1}' '{"offset_ms": 1000, "when": 1}' \
	'{"offset_ms": 1000, "duration_s": -1}'; do
	T0=$(date +%s)
	agent inject "{\"fault\": \"clock-skew\", \"params\": $bad}"
	check "clock-skew $bad: refused with exit 2" [ "$RC" = 2 ]
	check "clock-skew $bad: nothing recorded" nothing_recorded
done

# An undo without its record is refused: a step must not be undone twice.
TOKEN=$(printf '%s' '{"v":1,"id":"0123456789abcdef","fault":"clock-skew","state":{"mode":"step","offset_ns":5000000000}}' |
	base64 -w0 | tr '+/' '-_' | tr -d '=')
agent undo "{\"undo\": \"$TOKEN\"}"
check "clock-skew undo without a record: exit 1" [ "$RC" = 1 ]
check "clock-skew undo without a record: says why" jtrue '.error | contains("record")'

done_testing
