#!/bin/sh
# partition (nftables) and netem (tc) inside a private network namespace:
# the host's own namespace is never touched.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd jq nft tc ip unshare busybox

if [ -z "${AGENT_TEST_NETNS:-}" ]; then
	# Run this same script again in a new network namespace.
	trap - EXIT
	rm -rf "$T"
	AGENT_TEST_NETNS=1 exec unshare -n sh "$0"
fi

ip link set lo up
ip link add cva type veth peer name cvb || skip_all "no veth support"
ip addr add 10.99.0.1/24 dev cva
ip addr add 10.99.0.2/24 dev cvb
ip link set cva up
ip link set cvb up

reach() { busybox ping -c 1 -W 1 "$1" >/dev/null 2>&1; }
check "before: 10.99.0.2 answers" wait_for 10 reach 10.99.0.2

# --- partition -------------------------------------------------------
agent inject '{"fault": "partition", "params": {"peers": ["10.99.0.2", "fd00::2/128"]}}'
check "partition: ok" [ "$RC" = 0 ]
TABLE=$(jget .evidence.table)
check "partition: table named after the id" [ "$TABLE" = "campaign_$(jget .id)" ]
check "partition: verified, with rule handles" jtrue \
	'.evidence.verified and (.evidence.rules | length) == 4 and (.evidence.rules | all(.handle > 0))'
check "partition: the table exists" sh -c "nft list table inet $TABLE >/dev/null"
check "partition: 10.99.0.2 is cut off" sh -c '! busybox ping -c 1 -W 1 10.99.0.2 >/dev/null 2>&1'
check "partition: 10.99.0.1 is not" reach 10.99.0.1
nft add table inet keepme
TOKEN=$(jget .undo)
agent undo "{\"undo\": \"$TOKEN\"}"
check "partition: undo deleted the table" jtrue '.evidence.action == "deleted table"'
check "partition: table gone" sh -c "! nft list table inet $TABLE >/dev/null 2>&1"
check "partition: other tables untouched" sh -c "nft list table inet keepme >/dev/null"
check "partition: reachable again" wait_for 10 reach 10.99.0.2
agent undo "{\"undo\": \"$TOKEN\"}"
check "partition: second undo is idempotent" jtrue '.ok and .already_undone'

agent inject '{"fault": "partition", "params": {"peers": ["10.99.0.2"], "direction": "out", "duration_s": 1}}'
check "partition out: only an output chain" jtrue '.evidence.rules | map(.chain) == ["output"]'
TABLE=$(jget .evidence.table)
check "partition with duration: removed by its helper" wait_for 10 sh -c "! nft list table inet $TABLE >/dev/null 2>&1"

agent inject '{"fault": "partition", "params": {"peers": ["10.99.0.2; flush ruleset"]}}'
check "partition: a hostile peer is a bad request" [ "$RC" = 2 ]
check "partition: nothing added" [ "$(nft list tables | grep -c campaign_)" = 0 ]

# --- netem, real tc ---------------------------------------------------
before=$(tc qdisc show dev cva)
agent inject '{"fault": "netem", "params": {"dev": "cva", "delay_ms": 100, "loss_pct": 5}}'
if [ "$RC" = 0 ]; then
	check "netem: a netem root qdisc" sh -c "tc qdisc show dev cva | grep -q netem"
	undo_last
	check "netem: undo restored the qdiscs" [ "$(tc qdisc show dev cva)" = "$before" ]
else
	# This kernel has no sch_netem: the failure must leave nothing behind.
	check "netem without sch_netem: exit 1" [ "$RC" = 1 ]
	check "netem without sch_netem: qdiscs unchanged" [ "$(tc qdisc show dev cva)" = "$before" ]
fi
agent inject '{"fault": "netem", "params": {"dev": "cva", "delay_ms": 100, "peers": ["10.99.0.2"]}}'
if [ "$RC" != 0 ]; then
	check "netem to peers without sch_prio/netem: qdiscs unchanged" \
		[ "$(tc qdisc show dev cva)" = "$before" ]
else
	undo_last
fi
agent inject '{"fault": "netem", "params": {"dev": "nosuchdev0", "loss_pct": 5}}'
check "netem on a missing interface: exit 1" [ "$RC" = 1 ]
agent inject '{"fault": "netem", "params": {"loss_pct": 5}}'
check "netem with no cluster interface and no eth1: exit 1, says give dev" jtrue '.error | contains("dev")'

# --- netem, the commands, with a recording tc -------------------------
mkdir "$T/bin"
cat >"$T/bin/tc" <<'TC'
#!/bin/sh
# A tc that records its arguments and keeps the root qdisc in a file.
echo "$*" >>"$FAKE_TC_LOG"
case "$1 $2" in
"qdisc add") case "$*" in *" root handle "*)
	h=${*##* root handle }; h=${h%% *}
	echo "qdisc fake $h root refcnt 2" >"$FAKE_TC_STATE";; esac;;
"qdisc del") rm -f "$FAKE_TC_STATE";;
"qdisc show") cat "$FAKE_TC_STATE" 2>/dev/null || echo "qdisc noqueue 0: root refcnt 2";;
esac
exit 0
TC
chmod +x "$T/bin/tc"
export FAKE_TC_LOG="$T/tc.log" FAKE_TC_STATE="$T/tc.state"
PATH="$T/bin:$PATH" agent inject '{"fault": "netem", "params": {"dev": "cva", "delay_ms": 50, "jitter_ms": 10, "loss_pct": 12.5, "duplicate_pct": 1, "corrupt_pct": 0.5, "reorder_pct": 25, "rate_kbit": 1000, "peers": ["10.99.0.2", "fd00::2"]}}'
check "netem (recorded): ok" [ "$RC" = 0 ]
H=$(jget .evidence.handle)
check "netem: a prio root with 4 bands" grep -q "^qdisc add dev cva root handle $H prio bands 4" "$T/tc.log"
check "netem: netem on band 4 with every option" grep -q \
	"^qdisc add dev cva parent ${H}4 handle .* netem delay 50ms 10ms loss 12.5% duplicate 1% corrupt 0.5% reorder 25% rate 1000kbit$" "$T/tc.log"
check "netem: an IPv4 filter to the peer" grep -q \
	"^filter add dev cva parent $H protocol ip prio 1 u32 match ip dst 10.99.0.2/32 flowid ${H}4$" "$T/tc.log"
check "netem: an IPv6 filter to the peer" grep -q \
	"^filter add dev cva parent $H protocol ipv6 prio 2 u32 match ip6 dst fd00::2/128 flowid ${H}4$" "$T/tc.log"
TOKEN=$(jget .undo)
echo "qdisc other 77: root refcnt 2" >"$T/tc.state"
PATH="$T/bin:$PATH" agent undo "{\"undo\": \"$TOKEN\"}"
check "netem: undo leaves a root qdisc that is not its own" jtrue '.evidence.action | startswith("none")'
check "netem: ...and deletes nothing" sh -c "! grep -q '^qdisc del' '$T/tc.log'"

PATH="$T/bin:$PATH" agent inject '{"fault": "netem", "params": {"dev": "cva", "loss_pct": 3}}'
H=$(jget .evidence.handle)
check "netem to all: a root netem" grep -q "^qdisc add dev cva root handle $H netem loss 3%$" "$T/tc.log"
TOKEN=$(jget .undo)
PATH="$T/bin:$PATH" agent undo "{\"undo\": \"$TOKEN\"}"
check "netem: undo deletes its own root" grep -q "^qdisc del dev cva root handle $H$" "$T/tc.log"

done_testing
