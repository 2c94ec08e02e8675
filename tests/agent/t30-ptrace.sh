#!/bin/sh
# reg-bitflip, mem-bitflip, syscall-error, io-error (syscall level) and
# fd-exhaustion against victim processes this test starts.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd jq

hex() { printf '%d' "$1"; }

# lines FILE PATTERN: how many lines of FILE match.
lines() { grep -c "$2" "$1" 2>/dev/null || true; }

# --- reg-bitflip -----------------------------------------------------
spawn "$VICTIM" spin
sleep 0.1
agent inject "{\"fault\": \"reg-bitflip\", \"params\": {\"pid\": $PID, \"register\": \"r12\", \"bit\": 5}}"
check "reg-bitflip: ok" [ "$RC" = 0 ]
check "reg-bitflip: evidence names register and bit" jtrue \
	'.evidence.register == "r12" and .evidence.bit == 5 and .evidence.tid > 0'
B=$(jget .evidence.before); A=$(jget .evidence.after)
check "reg-bitflip: exactly bit 5 differs" [ $(( $(hex "$B") ^ $(hex "$A") )) = 32 ]
check "reg-bitflip: read back as written" jtrue '.evidence.readback == .evidence.after'
check "reg-bitflip: detached" [ "$(sed -n 's/TracerPid:[[:space:]]*//p' /proc/$PID/status)" = 0 ]
undo_last
check "reg-bitflip: nothing to undo" jtrue '.ok and .already_undone'

agent inject "{\"fault\": \"reg-bitflip\", \"params\": {\"pid\": $PID, \"seed\": 42, \"register\": \"rbx\"}}"
R1=$(jget '"\(.evidence.register) \(.evidence.bit)"')
agent inject "{\"fault\": \"reg-bitflip\", \"params\": {\"pid\": $PID, \"seed\": 42, \"register\": \"rbx\"}}"
R2=$(jget '"\(.evidence.register) \(.evidence.bit)"')
check "reg-bitflip: the same seed picks the same bit ($R1)" [ "$R1" = "$R2" ]
agent inject "{\"fault\": \"reg-bitflip\", \"params\": {\"pid\": $PID, \"seed\": 7}}"
check "reg-bitflip: a random register" jtrue '.ok and (.evidence.register | length > 1)'

spawn sleep 300
agent inject "{\"fault\": \"reg-bitflip\", \"params\": {\"pid\": $PID, \"register\": \"rip\", \"bit\": 40}}"
check "reg-bitflip rip: ok" [ "$RC" = 0 ]
check "reg-bitflip rip: the process crashes" wait_for 10 gone "$PID"

# --- mem-bitflip -----------------------------------------------------
spawn "$VICTIM" data >"$T/data.out"
V=$PID
wait_for 10 grep -q addr "$T/data.out"
ADDR=$(printf '%d' "$(sed -n 's/^addr //p' "$T/data.out")")
agent inject "{\"fault\": \"mem-bitflip\", \"params\": {\"pid\": $V, \"address\": $((ADDR + 100)), \"bit\": 3}}"
check "mem-bitflip at an address: ok" [ "$RC" = 0 ]
check "mem-bitflip: region data" jtrue '.evidence.region == "data" and .evidence.before == 0 and .evidence.after == 8'
check "mem-bitflip: the process sees the flip" wait_for 10 grep -q "changed 100 0 8" "$T/data.out"
undo_last
check "mem-bitflip: undo restores the byte" jtrue '.evidence.action == "restored"'
check "mem-bitflip: the process sees it restored" wait_for 10 grep -q "changed 100 8 0" "$T/data.out"

agent inject "{\"fault\": \"mem-bitflip\", \"params\": {\"pid\": $V, \"region\": \"data\", \"seed\": 3}}"
check "mem-bitflip random in data: ok" jtrue '.ok and .evidence.region == "data"'
for r in stack heap text; do
	spawn "$VICTIM" data >/dev/null
	sleep 0.05
	agent inject "{\"fault\": \"mem-bitflip\", \"params\": {\"pid\": $PID, \"region\": \"$r\"}}"
	if [ "$r" = heap ] && ! grep -q '\[heap\]' "/proc/$PID/maps"; then
		# e.g. a victim built with ASan, whose allocator only mmaps
		check "mem-bitflip in a missing heap: exit 1" jtrue '.error | contains("no heap")'
		continue
	fi
	check "mem-bitflip in $r: ok" jtrue ".ok and .evidence.region == \"$r\" and (.evidence.before != .evidence.after)"
done
check "mem-bitflip in text: written through /proc/PID/mem or POKEDATA" \
	jtrue '.evidence.method == "proc-mem" or .evidence.method == "pokedata"'
agent inject "{\"fault\": \"mem-bitflip\", \"params\": {\"pid\": $V, \"address\": 4096}}"
check "mem-bitflip at an unmapped address: exit 1" [ "$RC" = 1 ]

# --- syscall-error ---------------------------------------------------
echo data >"$T/file"
spawn "$VICTIM" open "$T/file" 3 >"$T/open.out"
O=$PID
wait_for 10 grep -q ok "$T/open.out"
agent inject "{\"fault\": \"syscall-error\", \"params\": {\"pid\": $O, \"syscall\": \"openat\", \"errno\": \"EACCES\", \"duration_s\": 2}}"
check "syscall-error: ok" [ "$RC" = 0 ]
check "syscall-error: traced by the helper" jtrue '.evidence.verified and (.evidence.threads | length) == 3'
TOKEN=$(jget .undo)
check "syscall-error: calls fail with EACCES" wait_for 10 grep -q "err 13" "$T/open.out"
check "syscall-error: calls work again after the deadline" wait_for 10 sh -c "tail -n 3 '$T/open.out' | grep -q '^ok'"
check "syscall-error: detached" wait_for 10 sh -c "grep -q 'TracerPid:[[:space:]]*0' /proc/$O/status"
agent undo "{\"undo\": \"$TOKEN\"}"
check "syscall-error: counts in the undo evidence" jtrue '.already_undone and .evidence.stats.failed_calls > 0'

: >"$T/open.out"
agent inject "{\"fault\": \"syscall-error\", \"params\": {\"pid\": $O, \"syscall\": \"read\", \"errno\": 5, \"count\": 5, \"duration_s\": 0}}"
check "syscall-error count: ok" [ "$RC" = 0 ]
# Five reads go in milliseconds: the helper may be gone before verify.
check "syscall-error count: verified even if it has ended already" jtrue '.evidence.verified'
ID=$(jget .id)
check "syscall-error count: ends by itself" wait_for 10 sh -c "grep -q 'TracerPid:[[:space:]]*0' /proc/$O/status"
# The helper detaches, then closes the record: an undo in between would
# win the record's lock and be the one undo (by "request").
check "syscall-error count: the record is closed by count" wait_for 10 closed_by "$ID" count
undo_last
check "syscall-error count: exactly 5 calls failed" jtrue '.evidence.stats.failed_calls == 5 and .evidence.by == "count"'
check "syscall-error count: the victim saw EIO" grep -q "err 5" "$T/open.out"

agent inject "{\"fault\": \"syscall-error\", \"params\": {\"pid\": $O, \"syscall\": \"openat\", \"duration_s\": 60}}"
HELPER=$(jget .evidence.helper.pid)
agent inject "{\"fault\": \"syscall-error\", \"params\": {\"pid\": $O, \"syscall\": \"read\"}}"
check "syscall-error on a traced process: exit 1, says traced" jtrue '.ok == false and (.error | contains("traced"))'
agent undo '{"all": true}'
check "syscall-error undone early: helper gone" wait_for 10 gone "$HELPER"
check "syscall-error undone early: detached" wait_for 10 sh -c "grep -q 'TracerPid:[[:space:]]*0' /proc/$O/status"
check "syscall-error undone early: the victim runs" running "$O"

# --- io-error at syscall level, with a path filter -------------------
mkdir -p "$T/data" "$T/other"
echo x >"$T/data/f"
echo y >"$T/other/f"
spawn "$VICTIM" open "$T/data/f" >"$T/in.out"; IN=$PID
spawn "$VICTIM" open "$T/other/f" >"$T/out.out"; OUTSIDE=$PID
wait_for 10 grep -q ok "$T/in.out"
agent inject "{\"fault\": \"io-error\", \"params\": {\"path\": \"$T/data\", \"mode\": \"syscall\", \"pid\": $IN, \"duration_s\": 2}}"
check "io-error syscall: ok" jtrue '.ok and .evidence.mechanism == "ptrace" and .evidence.path != null'
check "io-error syscall: I/O under the path fails with EIO" wait_for 10 grep -q "err 5" "$T/in.out"
agent inject "{\"fault\": \"io-error\", \"params\": {\"path\": \"$T/data\", \"mode\": \"syscall\", \"pid\": $OUTSIDE, \"duration_s\": 1}}"
sleep 0.5
check "io-error syscall: I/O outside the path works" [ "$(lines "$T/out.out" err)" = 0 ]
check "io-error syscall: back to normal after the deadline" wait_for 10 sh -c "tail -n 1 '$T/in.out' | grep -q '^ok'"
if ! grep -q device-mapper /proc/devices; then
	agent inject "{\"fault\": \"io-error\", \"params\": {\"path\": \"$T/data\", \"mode\": \"dm\"}}"
	check "io-error dm without device-mapper: exit 1" [ "$RC" = 1 ]
	check "io-error dm without device-mapper: says so" jtrue '.error | contains("device-mapper")'
	agent inject "{\"fault\": \"io-error\", \"params\": {\"path\": \"$T/data\"}}"
	check "io-error auto without dm and without target: exit 1" [ "$RC" = 1 ]
fi

# --- fd-exhaustion ---------------------------------------------------
spawn "$VICTIM" fds >"$T/fds.out"; F=$PID
wait_for 10 grep -q ok "$T/fds.out"
agent inject "{\"fault\": \"fd-exhaustion\", \"params\": {\"pid\": $F}}"
check "fd-exhaustion: ok and verified" jtrue '.ok and .evidence.verified and .evidence.new.soft < .evidence.old.soft'
check "fd-exhaustion: opens fail with EMFILE" wait_for 10 grep -q "err 24" "$T/fds.out"
undo_last
check "fd-exhaustion: undo restores the limit" jtrue '.evidence.action == "limit restored"'
check "fd-exhaustion: opens work again" wait_for 10 sh -c "tail -n 1 '$T/fds.out' | grep -q '^ok'"
agent inject "{\"fault\": \"fd-exhaustion\", \"params\": {\"pid\": $F, \"leave\": 3}}"
check "fd-exhaustion leave 3: a higher limit" jtrue '.ok and .evidence.new.soft >= 6'
undo_last

done_testing
