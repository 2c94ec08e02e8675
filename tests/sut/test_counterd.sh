#!/bin/sh
# shellcheck disable=SC2317,SC2046
# (cleanup runs from the EXIT trap; $(args N) is split into words on purpose)
# Host-only test of counterd on 127.0.0.1: three nodes on free loopback
# ports, replication, dedup, a clean SIGTERM restart that resyncs, the
# supervisor, and the planted stale-pidfile bug after SIGKILL.
#
#   sh tests/sut/test_counterd.sh path/to/counterd
#
# No traffic leaves the loopback interface. Prints TAP; exits 1 on failure.
set -u

BIN=${1:?usage: test_counterd.sh path/to/counterd}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
SUPERVISE=$HERE/counterd-supervise
[ -x "$BIN" ] || { echo "Bail out! $BIN is not executable"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/counterd-test.XXXXXX")
PIDS=
SUP=
n=0
fails=0

cleanup() {
	if [ -n "$SUP" ]; then
		kill -TERM "$SUP" 2>/dev/null
		i=0
		while kill -0 "$SUP" 2>/dev/null && [ "$i" -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
		kill -KILL "$SUP" 2>/dev/null
	fi
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	# whatever is still recorded in a pidfile of ours (the supervisor's child)
	for f in "$T"/*.pid; do
		[ -f "$f" ] || continue
		p=$(cat "$f" 2>/dev/null)
		case $p in '' | *[!0-9]*) ;; *) kill -KILL "$p" 2>/dev/null ;; esac
	done
	wait 2>/dev/null
	if [ "$fails" -ne 0 ]; then
		for f in "$T"/*.log; do
			[ -f "$f" ] || continue
			echo "# ---- $f"
			sed 's/^/# /' "$f"
		done
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds
check() { d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }
# eq DESCRIPTION GOT WANT
eq() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1 (got '$2', want '$3')"; fi; }

# ---- HTTP client: curl, else busybox wget ---------------------------------
if command -v curl >/dev/null 2>&1; then
	http() { # METHOD URL -> body on stdout, status 0 only for a 2xx answer
		curl -s -f --max-time 2 -X "$1" "$2"
	}
elif command -v busybox >/dev/null 2>&1; then
	# not wget -T: Debian 12's busybox 1.35 wget segfaults with it
	http() {
		if [ "$1" = POST ]; then
			busybox timeout 3 busybox wget -q -O - --post-data '' "$2"
		else
			busybox timeout 3 busybox wget -q -O - "$2"
		fi
	}
else
	echo "Bail out! neither curl nor busybox is available"
	exit 1
fi
# value PORT -> the counter, or "down"
value() { http GET "http://127.0.0.1:$1/value" 2>/dev/null | tr -d '\r\n' || echo down; }
healthy() { [ "$(http GET "http://127.0.0.1:$1/health" 2>/dev/null)" = ok ]; }
# wait_healthy PORT SECONDS
wait_healthy() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		healthy "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# wait_gone PID SECONDS
wait_gone() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! kill -0 "$1" 2>/dev/null
}

# ---- free loopback ports ---------------------------------------------------
rand() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }
port_free() { # nothing listens on 127.0.0.1:PORT
	if command -v curl >/dev/null 2>&1; then
		curl -s --max-time 1 "http://127.0.0.1:$1/" >/dev/null 2>&1
		[ $? -eq 7 ] # 7: could not connect
	else
		! busybox nc -z -w 1 127.0.0.1 "$1" 2>/dev/null
	fi
}
USED=
free_port() {
	while :; do
		p=$((20000 + $(rand) % 40000))
		case " $USED " in *" $p "*) continue ;; esac
		if port_free "$p"; then
			USED="$USED $p"
			echo "$p"
			return
		fi
	done
}
P1=$(free_port); USED="$USED $P1"
P2=$(free_port); USED="$USED $P2"
P3=$(free_port); USED="$USED $P3"
echo "# ports n1=$P1 n2=$P2 n3=$P3, dir $T"

# args NODE: command line of node 1, 2 or 3 (peers = the other two).
# Anti-entropy is off so that replication itself is what is tested.
args() {
	case $1 in
	1) peers=127.0.0.1:$P2,127.0.0.1:$P3 port=$P1 ;;
	2) peers=127.0.0.1:$P1,127.0.0.1:$P3 port=$P2 ;;
	3) peers=127.0.0.1:$P1,127.0.0.1:$P2 port=$P3 ;;
	esac
	echo "--port $port --bind 127.0.0.1 --id n$1 --peers $peers --state $T/n$1/state" \
		"--pidfile $T/n$1.pid --sync-interval-ms 0"
}
start() { # NODE: direct start in the background; sets LASTPID
	"$BIN" $(args "$1") 2>>"$T/n$1.log" &
	LASTPID=$!
	PIDS="$PIDS $LASTPID"
}

# ---- 1. three nodes, replication -------------------------------------------
start 1; N1=$LASTPID
start 2; N2=$LASTPID
# n3 runs under the supervisor, detached, as on a guest
SUP=$(COUNTERD=$BIN COUNTERD_LOG=$T/n3.log COUNTERD_RESTART_DELAY=0.2 \
	sh "$SUPERVISE" -d $(args 3))
echo "# n1 pid $N1, n2 pid $N2, n3 supervisor pid $SUP"

check "n1 healthy" wait_healthy "$P1" 5
check "n2 healthy" wait_healthy "$P2" 5
check "n3 healthy (supervised)" wait_healthy "$P3" 5
check "pidfiles written" test -s "$T/n1.pid" -a -s "$T/n2.pid" -a -s "$T/n3.pid"
eq "n1 pidfile holds its pid" "$(cat "$T/n1.pid" 2>/dev/null)" "$N1"

eq "initial value" "$(value "$P1")" 0
eq "incr on n1 returns 1" "$(http POST "http://127.0.0.1:$P1/incr" | tr -d '\r\n')" 1
eq "incr on n1 returns 2" "$(http POST "http://127.0.0.1:$P1/incr" | tr -d '\r\n')" 2
eq "incr on n2 returns 3" "$(http POST "http://127.0.0.1:$P2/incr" | tr -d '\r\n')" 3
eq "n1 reports 3" "$(value "$P1")" 3
eq "n2 reports 3" "$(value "$P2")" 3
eq "n3 reports 3 (replicated)" "$(value "$P3")" 3

# dedup by (from, seq): a replayed replication changes nothing
r=$(http POST "http://127.0.0.1:$P3/replicate?from=n1&seq=2" | tr -d '\r\n')
eq "replayed replicate is a duplicate" "$r" "duplicate 3"
eq "n3 still reports 3" "$(value "$P3")" 3
r=$(http POST "http://127.0.0.1:$P3/replicate?from=n1&seq=oops" 2>/dev/null)
check "malformed replicate rejected" test $? -ne 0
if http GET "http://127.0.0.1:$P1/incr" >/dev/null 2>&1; then notok "GET /incr rejected"; else ok "GET /incr rejected"; fi
eq "rejected requests changed nothing" "$(value "$P1")" 3
check "state persisted" grep -qx "n1 2" "$T/n1/state"

# a slow client that never finishes its request does not block the others
if command -v busybox >/dev/null 2>&1; then
	(printf 'GET /val' ; sleep 3) | busybox nc 127.0.0.1 "$P1" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	sleep 0.2
	check "served while a slow client is connected" healthy "$P1"
fi

# ---- 2. SIGTERM: clean exit, pidfile removed, restart resyncs --------------
kill -TERM "$N2"
check "n2 exits after SIGTERM" wait_gone "$N2" 5
wait "$N2"; rc=$?
eq "n2 exit status after SIGTERM" "$rc" 0
check "n2 pidfile removed on clean exit" test ! -e "$T/n2.pid"
eq "incr on n1 while n2 is down" "$(http POST "http://127.0.0.1:$P1/incr" | tr -d '\r\n')" 4
start 2; N2=$LASTPID
check "n2 restarts after SIGTERM" wait_healthy "$P2" 5
eq "restarted n2 synced the current value" "$(value "$P2")" 4
check "n2 logged its sync" grep -q "sync: 2/2 peers answered, value 4" "$T/n2.log"

# the supervised node: SIGTERM -> back within about a second, new pid
old=$(cat "$T/n3.pid" 2>/dev/null)
kill -TERM "$old"
check "supervised n3 exits after SIGTERM" wait_gone "$old" 5
check "supervised n3 healthy again after SIGTERM" wait_healthy "$P3" 3
new=$(cat "$T/n3.pid" 2>/dev/null)
check "supervised n3 has a new pid" test -n "$new" -a "$new" != "$old"
eq "supervised n3 synced the current value" "$(value "$P3")" 4

# ---- 3. SIGKILL: the planted bug ---------------------------------------------
kill -KILL "$N1"
check "n1 dies on SIGKILL" wait_gone "$N1" 5
wait "$N1" 2>/dev/null
check "n1 pidfile left behind after SIGKILL" test -s "$T/n1.pid"
# a restart must refuse at once; one that keeps running is a failure too
"$BIN" $(args 1) >"$T/restart.out" 2>&1 &
R=$!
PIDS="$PIDS $R"
if wait_gone "$R" 3; then
	wait "$R"; rc=$?
	check "restart after SIGKILL exits non-zero" test "$rc" -ne 0
else
	kill -TERM "$R" 2>/dev/null
	notok "restart after SIGKILL exits non-zero (it kept running)"
fi
out=$(cat "$T/restart.out")
case $out in *"stale pidfile"*) ok "restart after SIGKILL says stale pidfile" ;;
*) notok "restart after SIGKILL says stale pidfile (got: $out)" ;; esac
if healthy "$P1"; then notok "n1 stays down"; else ok "n1 stays down"; fi

# under the supervisor it never comes back
old=$(cat "$T/n3.pid" 2>/dev/null)
kill -KILL "$old"
check "supervised n3 dies on SIGKILL" wait_gone "$old" 5
if wait_healthy "$P3" 2; then notok "supervised n3 stays down after SIGKILL"; else ok "supervised n3 stays down after SIGKILL"; fi
check "supervisor still running" kill -0 "$SUP"
check "supervisor log shows repeated refusals" \
	test "$(grep -c 'stale pidfile' "$T/n3.log")" -ge 2
eq "n3 pidfile still holds the dead pid" "$(cat "$T/n3.pid" 2>/dev/null)" "$old"

# the survivor keeps serving and replicating to what is left
eq "incr on n2 with two nodes down" "$(http POST "http://127.0.0.1:$P2/incr" | tr -d '\r\n')" 5

echo "1..$n"
[ "$fails" -eq 0 ] || { echo "# $fails of $n failed"; exit 1; }
exit 0
