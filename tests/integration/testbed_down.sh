#!/bin/sh
# Fixture cleanup: down leaves no domain, file or helper process behind.
. tests/integration/lib.sh

"$CAMPAIGN" testbed down "$TB3"
left=$(virsh -q -c qemu:///system list --all --name | grep "^$PREFIX3-" || true)
[ -z "$left" ] || fail "domains left behind: $left"
[ ! -e "$STATE/testbeds/$PREFIX3" ] || fail "state directory left behind"
if pgrep -f "$PREFIX3" >/dev/null; then
	fail "processes left behind: $(pgrep -af "$PREFIX3")"
fi
pass "no domain, overlay or helper process left"
"$CAMPAIGN" testbed down "$TB3" || fail "a second down is not harmless"
pass "down is idempotent"
