#!/bin/sh
# Nodes that are a user's existing libvirt domains: `up` uploads the agent
# when it is missing, takes the snapshot, `reset` works, `down` removes
# only the snapshot and never the domain.
. tests/integration/lib.sh

DOM=it-user-dom
PORT=24150
tmp=$(mktemp -d)
remove_domain() {
	virsh -q -c qemu:///system destroy $DOM >/dev/null 2>&1 || true
	virsh -q -c qemu:///system undefine $DOM --snapshots-metadata >/dev/null 2>&1 || true
}
trap 'remove_domain; rm -rf "$tmp"' EXIT
remove_domain

# The "user's" domain: a copy of n1's definition with its own disk, name and port.
image=$("$CAMPAIGN" testbed status "$TB3" --json | jq -r .image)
qemu-img create -q -f qcow2 "$tmp/user.qcow2" 32M
chmod 755 "$tmp"
virsh -q -c qemu:///system dumpxml $PREFIX3-n1 |
	sed -e "s#<name>$PREFIX3-n1</name>#<name>$DOM</name>#" -e '/<uuid>/d' \
	    -e '/<metadata>/,/<\/metadata>/d' \
	    -e "s#/[^']*/n1.qcow2#$tmp/user.qcow2#" \
	    -e "s#/[^']*/n1.console.log#$tmp/console.log#" \
	    -e "s#hostfwd=tcp:127.0.0.1:[0-9]*-:22#hostfwd=tcp:127.0.0.1:$PORT-:22#" \
	    -e "s#,netdev=cl,#,netdev=cl,#" > "$tmp/dom.xml"
virsh -q -c qemu:///system define "$tmp/dom.xml" >/dev/null
virsh -q -c qemu:///system start $DOM >/dev/null

cat > "$tmp/user.json" <<JSON
{
  "name": "it-existing",
  "testbed": {
    "nodes": [{"name": "u1", "domain": "$DOM",
               "ssh": {"host": "127.0.0.1", "port": $PORT, "user": "root",
                       "key": "$image/$(jq -r .client_key "$image/image.json")",
                       "host_key": "$(jq -r .host_key "$image/image.json")"}}]
  }
}
JSON
# Wait for the user's node, then remove its agent so that up must upload it.
deadline=$(($(date +%s) + 120))
until "$CAMPAIGN" -q testbed ssh "$tmp/user.json" u1 -- 'rm -f /usr/bin/campaign-agent' 2>/dev/null; do
	[ "$(date +%s)" -lt "$deadline" ] || fail "the user's domain did not answer SSH"
	sleep 1
done
"$CAMPAIGN" testbed up "$tmp/user.json"
tb_ssh "$tmp/user.json" u1 'campaign-agent ping' | grep -q '"ok":true' ||
	fail "the agent was not installed on the existing domain"
pass "up on an existing domain installed the agent and took the snapshot"
virsh -q -c qemu:///system snapshot-list $DOM --name | grep -qx golden || fail "no golden snapshot"
tb_ssh "$tmp/user.json" u1 'echo dirty > /tmp/marker'
"$CAMPAIGN" testbed reset "$tmp/user.json" >/dev/null
tb_ssh "$tmp/user.json" u1 'test ! -e /tmp/marker' || fail "reset did not revert the existing domain"
pass "reset reverts the existing domain"
"$CAMPAIGN" testbed down "$tmp/user.json"
virsh -q -c qemu:///system list --name | grep -qx $DOM || fail "down removed or stopped the user's domain"
if virsh -q -c qemu:///system snapshot-list $DOM --name | grep -qx golden; then
	fail "down left the snapshot it made"
fi
pass "down keeps the user's domain running and removes only its snapshot"
