#!/bin/sh
# Fixture: bring up the shared 3-node testbed (removing any leftover).
. tests/integration/lib.sh

"$CAMPAIGN" testbed down "$TB3" >/dev/null 2>&1 || true
"$CAMPAIGN" testbed up "$TB3"
status=$("$CAMPAIGN" testbed status "$TB3" --json)
echo "$status"
for n in n1 n2 n3; do
	echo "$status" | jq -e --arg d "$PREFIX3-$n" \
		'.nodes[] | select(.domain == $d) | .state == "running" and (.snapshots | index("golden"))' \
		>/dev/null || fail "node $n is not running with a golden snapshot"
done
echo "$status" | jq -e '.up and (.accel == "tcg" or .accel == "kvm")' >/dev/null ||
	fail "status does not show an up testbed with its acceleration"
pass "3 nodes running, each with snapshot golden"
