#!/bin/sh
# Bad configs are rejected with the file, line and JSON path, exit 2.
. tests/integration/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '{\n  "name": "x",\n  "testbed": {\n    "acel": "tcg"\n  }\n}\n' > "$tmp/bad.json"
set +e
out=$("$CAMPAIGN" testbed up "$tmp/bad.json" 2>&1)
rc=$?
set -e
[ $rc = 2 ] || fail "testbed up on a bad config exited $rc, want 2"
case $out in
*"$tmp/bad.json:4: testbed.acel: unknown key"*) pass "bad config named with path: $out" ;;
*) fail "bad config error does not name file:line: path: $out" ;;
esac
"$CAMPAIGN" validate configs/demo.json | grep -qx 'configuration OK' ||
	fail "configs/demo.json does not validate"
pass "demo config validates"

# Fault and oracle entries are checked by their registries, with the path.
printf '{"name": "x", "testbed": {"image": "%s/workloads/tiny", "nodes": [{"name": "n1"}]},\n "faults": [{"type": "vm-crash", "bogus": 1}]}\n' "$PWD" > "$tmp/badfault.json"
expect_fail_with "badfault.json:2: faults[0].bogus: fault 'vm-crash' has no parameter 'bogus'" \
	"$CAMPAIGN" validate "$tmp/badfault.json"
printf '{"name": "x", "testbed": {"image": "%s/workloads/tiny", "nodes": [{"name": "n1"}]},\n "faults": [{"type": "process-kil"}]}\n' "$PWD" > "$tmp/badtype.json"
expect_fail_with "faults[0].type: unknown fault type 'process-kil'" \
	"$CAMPAIGN" validate "$tmp/badtype.json"
printf '{"name": "x", "testbed": {"image": "%s/workloads/tiny", "nodes": [{"name": "n1"}]},\n "oracles": [{"type": "probe-recovers", "probe": "nope", "within_s": 1}]}\n' "$PWD" > "$tmp/badoracle.json"
expect_fail_with "oracles[0].probe: no probe named 'nope'" \
	"$CAMPAIGN" validate "$tmp/badoracle.json"
printf '{"name": "x", "testbed": {"image": "%s/workloads/tiny", "nodes": [{"name": "n1"}]},\n "faults": [{"type": "vm-crash", "recover": "reboot"}]}\n' "$PWD" > "$tmp/badrecover.json"
expect_fail_with "2: faults[0].recover: parameter 'recover' must be one of \"snapshot\", \"boot\"" \
	"$CAMPAIGN" validate "$tmp/badrecover.json"

# validate refuses what run would refuse at injection: exit 2 and
# FILE:LINE: PATH: problem, for fault parameters (the agent's catalogue),
# templates and oracle parameters.
expect_usage_error() {	# expect_usage_error NAME TEXT: validate $tmp/NAME.json
	set +e
	out=$("$CAMPAIGN" validate "$tmp/$1.json" 2>&1)
	rc=$?
	set -e
	[ $rc = 2 ] || fail "validate $1.json exited $rc, want 2: $out"
	case $out in
	*"$tmp/$1.json:$2"*) pass "validate $1.json: $out" ;;
	*) fail "validate $1.json does not say '$1.json:$2': $out" ;;
	esac
}
head='{"name": "x", "testbed": {"image": "'$PWD'/workloads/tiny", "nodes": [{"name": "n1"}]},'
printf '%s\n "faults": [{"type": "process-kill",\n   "process": 12}]}\n' "$head" >"$tmp/proctype.json"
expect_usage_error proctype "3: faults[0].process: parameter 'process' must be a string, got 12"
printf '%s\n "faults": [{"type": "process-kill", "process": "x", "signal": "FOO"}]}\n' "$head" >"$tmp/signal.json"
expect_usage_error signal "2: faults[0].signal: parameter 'signal' must be a signal name"
printf '%s\n "probes": {"p": {"http": "http://{node.ip}/{nope}"}}}\n' "$head" >"$tmp/placeholder.json"
expect_usage_error placeholder "2: probes.p.http: unknown placeholder '{nope}'"
printf '%s\n "workload": {"start": "client {nodes.ip"}}\n' "$head" >"$tmp/unterminated.json"
expect_usage_error unterminated "2: workload.start: unterminated placeholder '{nodes.ip'"
printf '%s\n "faults": [{"type": "partition", "peers": "{peers.ip"}]}\n' "$head" >"$tmp/faultbrace.json"
expect_usage_error faultbrace "2: faults[0].peers: parameter 'peers': unterminated placeholder"
printf '%s\n "oracles": [{"type": "command", "run": "check {run.dir}",\n   "timeout_s": "abc"}]}\n' "$head" >"$tmp/timeout.json"
expect_usage_error timeout "3: oracles[0].timeout_s: expected a number of seconds greater than 0"
printf '%s\n "oracles": [{"type": "command", "run": "check {run.dir}", "timeout_s": -5}]}\n' "$head" >"$tmp/negative.json"
expect_usage_error negative "2: oracles[0].timeout_s: expected a number of seconds greater than 0 and at most 86400, got -5"

# Scale-out options: each bad value a clear error, exit 2, nothing made.
printf '%s\n "faults": [{"type": "process-kill", "process": "x"}]}\n' "$head" >"$tmp/ok.json"
run_usage_error() {	# run_usage_error TEXT ARGS...: campaign run refuses, exit 2
	text=$1
	shift
	set +e
	out=$("$CAMPAIGN" run "$tmp/ok.json" --out "$tmp/never" "$@" 2>&1)
	rc=$?
	set -e
	[ $rc = 2 ] || fail "run $* exited $rc, want 2: $out"
	case $out in *"$text"*) ;; *) fail "run $* does not say '$text': $out" ;; esac
	[ ! -e "$tmp/never" ] || fail "run $* wrote '$tmp/never'"
	pass "run $*: $(echo "$out" | head -1)"
}
run_usage_error "option '--testbeds'" --testbeds 0
run_usage_error "option '--testbeds'" --testbeds 17
run_usage_error "--shard wants I/N with 1 <= I <= N, got '3/2'" --shard 3/2
run_usage_error "--shard wants I/N" --shard 0/2
run_usage_error "--shard wants I/N" --shard x
printf '{"name": "big", "testbed": {"image": "%s/workloads/tiny", "memory_mib": 65536, "nodes": [{"name": "n1"}, {"name": "n2"}]},\n "faults": [{"type": "process-kill", "process": "x"}]}\n' "$PWD" >"$tmp/big.json"
set +e
out=$("$CAMPAIGN" run "$tmp/big.json" --out "$tmp/never" --testbeds 16 2>&1)
rc=$?
set -e
[ $rc = 2 ] || fail "16 testbeds of 128 GiB: exit $rc, want 2: $out"
case $out in *"needs about"*"MiB"*"available"*) pass "more testbeds than memory: $out" ;;
*) fail "no memory message: $out" ;; esac

# testbed reset's choices are named, exit 2, before anything is reset
for bad in "--sync sssh:--sync is channel or ssh, not 'sssh'" \
	   "--path x:--path is loadvm, revert or destroy-revert, not 'x'"; do
	opt=${bad%%:*} want=${bad#*:}
	set +e
	# shellcheck disable=SC2086 # the option and its value are two words
	out=$("$CAMPAIGN" testbed reset configs/demo.json $opt 2>&1)
	rc=$?
	set -e
	[ $rc = 2 ] || fail "testbed reset $opt: exit $rc, want 2: $out"
	case $out in *"$want"*) pass "testbed reset $opt: $out" ;;
	*) fail "testbed reset $opt does not say '$want': $out" ;; esac
done
