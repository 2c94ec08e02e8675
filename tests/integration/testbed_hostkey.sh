#!/bin/sh
# A wrong pinned host key is refused, naming the node.
. tests/integration/lib.sh

image=$("$CAMPAIGN" testbed status "$TB3" --json | jq -r .image)
key=$image/$(jq -r .client_key "$image/image.json")
port=$("$CAMPAIGN" testbed status "$TB3" --json |
	jq -r '.nodes[] | select(.name == "n1") | .ssh' | cut -d: -f2)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/wrongkey.json" <<JSON
{
  "name": "it-wrongkey",
  "testbed": {
    "nodes": [{"name": "x1", "domain": "$PREFIX3-n1",
               "ssh": {"host": "127.0.0.1", "port": $port, "user": "root",
                       "key": "$key",
                       "host_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBn4WmC3E1cK8Cbh3Yl6fQmQ9QZ0bW2rPq0lZc3m5Kx7"}}]
  }
}
JSON
expect_fail_with "does not match the pinned key" \
	"$CAMPAIGN" testbed ssh "$tmp/wrongkey.json" x1 -- true
expect_fail_with "'x1'" "$CAMPAIGN" testbed ssh "$tmp/wrongkey.json" x1 -- true
