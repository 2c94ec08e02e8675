# Shared by the integration tests: run from the repository root by ctest.
set -eu

CAMPAIGN=${CAMPAIGN:-build/orchestrator/campaign}
TB3=tests/integration/configs/tb3.json
PREFIX3=cmp-it-tb3
STATE=${CAMPAIGN_STATE_DIR:-/var/lib/campaign}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

pass() {
	echo "ok: $*"
}

# tb_ssh CONFIG NODE COMMAND: run a command on a node through campaign.
tb_ssh() {
	cfg=$1 node=$2
	shift 2
	"$CAMPAIGN" -q testbed ssh "$cfg" "$node" -- "$@"
}

# expect_fail_with TEXT COMMAND...: the command fails and says TEXT.
expect_fail_with() {
	text=$1
	shift
	if out=$("$@" 2>&1); then
		fail "'$*' succeeded; expected a failure saying '$text'"
	fi
	case $out in
	*"$text"*) pass "'$*' fails with: $out" ;;
	*) fail "'$*' failed without saying '$text': $out" ;;
	esac
}
