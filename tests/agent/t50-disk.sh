#!/bin/sh
# disk-full on a small tmpfs mounted in a private mount namespace.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd jq unshare mount df

if [ -z "${AGENT_TEST_MNTNS:-}" ]; then
	trap - EXIT
	rm -rf "$T"
	AGENT_TEST_MNTNS=1 exec unshare -m --propagation private sh "$0"
fi

mkdir "$T/mnt"
mount -t tmpfs -o size=8m tmpfs "$T/mnt" || skip_all "cannot mount a tmpfs"
echo hello >"$T/mnt/existing"

free_bytes() { df -B1 --output=avail "$T/mnt" | tail -n 1 | tr -d ' '; }
BEFORE=$(free_bytes)

agent inject "{\"fault\": \"disk-full\", \"params\": {\"path\": \"$T/mnt\", \"leave_bytes\": 65536}}"
check "disk-full: ok and verified" jtrue '.ok and .evidence.verified'
check "disk-full: evidence has before and after" jtrue \
	'.evidence.before.free_bytes > .evidence.after.free_bytes and .evidence.file_bytes > 0'
NOW=$(free_bytes)
check "disk-full: about 64 KiB left ($NOW)" [ "$NOW" -le $((65536 + 65536)) ] && [ "$NOW" -ge 0 ]
check "disk-full: a write of 1 MiB fails" sh -c "! head -c 1048576 /dev/zero >'$T/mnt/big' 2>/dev/null"
rm -f "$T/mnt/big"
FILE=$(jget .evidence.file)
check "disk-full: one filler file next to the data" [ -f "$FILE" ]
undo_last
check "disk-full: undo deleted the filler" jtrue '.evidence.action == "deleted filler"'
check "disk-full: space is back" [ "$(free_bytes)" = "$BEFORE" ]
check "disk-full: other files untouched" grep -q hello "$T/mnt/existing"

agent inject "{\"fault\": \"disk-full\", \"params\": {\"path\": \"$T/mnt/existing\", \"duration_s\": 1}}"
check "disk-full on a file's filesystem, timed: ok" [ "$RC" = 0 ]
check "disk-full: nothing left" [ "$(free_bytes)" -lt 65536 ]
check "disk-full: freed at the deadline" wait_for 10 sh -c "[ \"\$(df -B1 --output=avail '$T/mnt' | tail -n 1 | tr -d ' ')\" = '$BEFORE' ]"

agent inject "{\"fault\": \"disk-full\", \"params\": {\"path\": \"$T/mnt/nope/x\"}}"
check "disk-full on a missing path: exit 1" [ "$RC" = 1 ]
agent inject '{"fault": "disk-full", "params": {"path": "relative/dir"}}'
check "disk-full on a relative path: exit 2" [ "$RC" = 2 ]
agent inject "{\"fault\": \"disk-full\", \"params\": {\"path\": \"$T/mnt/../..\"}}"
check "disk-full on a path with ..: exit 2" [ "$RC" = 2 ]

umount "$T/mnt"
done_testing
