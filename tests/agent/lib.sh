# lib.sh - shared by the agent's shell tests (sourced).
#
# The tests run the real agent binary on this host, against processes
# they start themselves, in network and mount namespaces they create
# (unshare), with the agent's records and log in a private directory.
# TAP output; exit 77 (skip) when a prerequisite is missing.
#
# Environment: AGENT (campaign-agent) and VICTIM (agent-victim) binaries.
set -u

: "${AGENT:?AGENT must name the campaign-agent binary}"
: "${VICTIM:?VICTIM must name the agent-victim binary}"

TESTS=0
FAILED=0
T=$(mktemp -d /tmp/campaign-agent-test.XXXXXX)
export CAMPAIGN_AGENT_STATE_DIR="$T/run"
export CAMPAIGN_AGENT_LOG="$T/log/agent.log"
: >"$T/pids"

cleanup() {
	# Only processes this test started (their pids are recorded).
	while read -r pid; do
		kill -CONT "$pid" 2>/dev/null
		kill -KILL "$pid" 2>/dev/null
	done <"$T/pids"
	# Helpers of injections made here: undo whatever is still active.
	"$AGENT" undo '{"all": true}' >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

skip_all() {
	echo "1..0 # SKIP $*"
	trap - EXIT
	rm -rf "$T"
	exit 77
}

require_root() {
	[ "$(id -u)" = 0 ] || skip_all "needs root"
}

require_cmd() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_all "needs $c"
	done
}

ok() {	# ok STATUS DESCRIPTION
	TESTS=$((TESTS + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TESTS - $2"
	else
		FAILED=$((FAILED + 1))
		echo "not ok $TESTS - $2"
		[ -n "${OUT:-}" ] && echo "# last reply: $OUT" | head -c 2000 && echo
	fi
}

check() {	# check DESCRIPTION COMMAND...
	desc=$1
	shift
	"$@"
	ok $? "$desc"
}

done_testing() {
	echo "1..$TESTS"
	[ "$FAILED" -eq 0 ]
}

# agent VERB [JSON]: the reply in OUT, the exit code in RC.
agent() {
	if [ $# -ge 2 ]; then
		OUT=$("$AGENT" "$1" "$2")
	else
		OUT=$("$AGENT" "$1")
	fi
	RC=$?
}

# jget FILTER: jq -r on the last reply.
jget() {
	printf '%s' "$OUT" | jq -r "$1"
}

# jtrue FILTER: the filter holds on the last reply.
jtrue() {
	printf '%s' "$OUT" | jq -e "$1" >/dev/null 2>&1
}

# spawn CMD...: start a process in the background, remember its pid, and
# wait (up to 5 s) until it has exec'd: before that it is a copy of this
# shell, with the shell's name.
spawn() {
	"$@" &
	PID=$!
	echo "$PID" >>"$T/pids"
	_shell=$(readlink /proc/$$/exe)
	_i=0
	while [ "$(readlink "/proc/$PID/exe" 2>/dev/null)" = "$_shell" ] && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
}

# wait_for SECONDS COMMAND...: poll until the command succeeds.
wait_for() {
	limit=$1
	shift
	end=$(($(date +%s) + limit))
	until "$@"; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.05
	done
}

proc_state() {	# proc_state PID: R S T Z ..., or "gone"
	s=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	echo "${s:-gone}"
}

gone() {
	s=$(proc_state "$1")
	[ "$s" = gone ] || [ "$s" = Z ]
}

stopped() {
	[ "$(proc_state "$1")" = T ]
}

running() {
	s=$(proc_state "$1")
	[ "$s" != gone ] && [ "$s" != Z ] && [ "$s" != T ]
}

# nothing_recorded: no injection record and no agent log line exist.
nothing_recorded() {
	[ -z "$(ls -A "$T/run" 2>/dev/null)" ] && [ ! -s "$CAMPAIGN_AGENT_LOG" ]
}

# closed_by ID BY: the record of injection ID is closed, undone by BY
# ("deadline", "count", "request", ...), as status shows it.
closed_by() {
	"$AGENT" status | jq -e --arg id "$1" --arg by "$2" \
		'.injections[] | select(.id == $id) | (.active | not) and .undone.by == $by' \
		>/dev/null 2>&1
}

# undo_token: undo the last inject reply's token.
undo_last() {
	tok=$(jget .undo)
	agent undo "{\"undo\": \"$tok\"}"
}
