#!/bin/sh
# Fixture cleanup for the counter campaign's testbed.
. tests/integration/lib.sh
"$CAMPAIGN" testbed down tests/integration/configs/counter.json
left=$(virsh -q -c qemu:///system list --all --name | grep '^cmp-it-counter-' || true)
[ -z "$left" ] || fail "domains left behind: $left"
pass "counter testbed removed"
