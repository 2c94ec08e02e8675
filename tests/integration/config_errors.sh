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
