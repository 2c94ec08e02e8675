#!/bin/sh
# test_regd.sh REGD REGD_CLIENT: regd's five planted flaws on 127.0.0.1.
#
# For each flaw, three regd on loopback ports get the flaw's trigger, done
# from the host: with the flaw on the symptom shows, with --flaws none it
# does not. As root the test runs in its own network and mount namespaces
# (unshare -n -m): `log` needs iptables to make a peer's connects time out
# (what a paused VM looks like), `pair` a 256 KiB tmpfs to fill. Without
# root those two are skipped. No VM, about 60 s.
set -u
REGD=${1:?usage: test_regd.sh REGD REGD_CLIENT}
CLIENT=${2:?usage: test_regd.sh REGD REGD_CLIENT}
case $REGD in /*) ;; *) REGD=$(pwd)/$REGD ;; esac
case $CLIENT in /*) ;; *) CLIENT=$(pwd)/$CLIENT ;; esac
command -v curl >/dev/null || { echo "unit.regd: needs curl (scripts/setup installs it)" >&2; exit 1; }

if [ -z "${REGD_TEST_NS:-}" ] && [ "$(id -u)" = 0 ] &&
	unshare -n -m --propagation private true 2>/dev/null; then
	REGD_TEST_NS=1 exec unshare -n -m --propagation private sh "$0" "$REGD" "$CLIENT"
fi
ROOT=
if [ -n "${REGD_TEST_NS:-}" ]; then
	ip link set lo up || exit 1
	ROOT=1
fi

T=$(mktemp -d /tmp/test_regd.XXXXXX)
BASE=$((20000 + $$ % 20000))
P1=$BASE P2=$((BASE + 1)) P3=$((BASE + 2))
PIDS=
fails=0

cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	[ -n "$ROOT" ] && umount "$T/small" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

port() { eval echo "\$P$1"; }
peers() {
	case $1 in 1) echo "127.0.0.1:$P2,127.0.0.1:$P3" ;; 2) echo "127.0.0.1:$P1,127.0.0.1:$P3" ;;
	3) echo "127.0.0.1:$P1,127.0.0.1:$P2" ;; esac
}
get() { curl -s -m 2 "http://127.0.0.1:$(port "$1")$2"; }
code() { curl -s -m 2 -o /dev/null -w '%{http_code}' -X "$1" "http://127.0.0.1:$(port "$2")$3"; }

# start_node I FLAWS: regd nI in the background, its pid in PID_I.
start_node() {
	"$REGD" --id "n$1" --port "$(port "$1")" --bind 127.0.0.1 --peers "$(peers "$1")" \
		--dir "$T/d$1" --flaws "$2" 2>>"$T/n$1.log" &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
}

wait_health() {
	i=0
	while [ "$(get "$1" /health)" != ok ]; do
		i=$((i + 1))
		[ $i -gt 50 ] && return 1
		sleep 0.1
	done
}

# cluster FLAWS: a fresh 3-node cluster, n1 the leader.
cluster() {
	stop_all
	rm -rf "$T"/d1 "$T"/d2 "$T"/d3 "$T"/n*.log
	[ -d "$T/small" ] && rm -rf "$T"/small/*
	[ -n "${SMALL_D3:-}" ] && ln -s "$T/small" "$T/d3"
	for i in 1 2 3; do start_node $i "$1"; done
	for i in 1 2 3; do wait_health $i || { fail "n$i does not start"; return 1; }; done
	sleep 0.5
	[ "$(get 1 /leader)" = yes ] || fail "n1 is not the leader"
}

stop_all() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	PIDS=
}

kill_node() {
	eval "p=\$PID_$1"
	kill -9 "$p"
	wait "$p" 2>/dev/null
}

fail() {
	echo "FAIL: $*"
	for i in 1 2 3; do [ -f "$T/n$i.log" ] && tail -15 "$T/n$i.log" | sed "s/^/  n$i| /"; done
	fails=$((fails + 1))
}
ok() { echo "ok: $*"; }

write() { code POST "$1" "/write?key=$2&value=$3"; }

# ---- replication, with no flaw ------------------------------------------

cluster none
[ "$(write 1 a 1)" = 200 ] && [ "$(write 2 b 2)" = 421 ] && [ "$(get 1 '/read?key=a')" = 1 ] &&
	[ "$(get 3 '/local?key=a')" = 1 ] && [ "$(get 2 /leader)" = no ] &&
	ok "replicated write, follower refuses writes" || fail "basic replication"

# Each *_case sets R (no command substitution: the nodes must stay
# children of this shell, which kills them).

# ---- leader: SIGKILL of the leader loses acknowledged writes --------------

leader_case() { # FLAWS -> R: number of the 5 acknowledged keys n2 cannot read
	cluster "$1"
	for k in 1 2 3 4 5; do [ "$(write 1 "k$k" "$k")" = 200 ] || fail "write k$k"; done
	kill_node 1
	i=0
	while [ "$(get 2 /leader)" != yes ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
	missing=0
	for k in 1 2 3 4 5; do [ "$(get 2 "/read?key=k$k")" = "$k" ] || missing=$((missing + 1)); done
	R=$missing
}
leader_case leader
m=$R
[ "$m" -gt 0 ] && ok "leader: SIGKILL of the leader lost $m acknowledged writes" ||
	fail "leader: nothing lost with the flaw on"
leader_case none
m=$R
[ "$m" = 0 ] && ok "leader off: nothing lost" || fail "leader off: $m writes lost"

# ---- pair: disk full on n3, then SIGKILL of n3 -----------------------------

pair_case() { # FLAWS KILL(yes/no/before) [LATER] -> R: the converge check's exit status
	cluster "$1"
	for k in 1 2 3; do write 1 "k$k" "$k" >/dev/null; done
	if [ "$2" = before ]; then
		kill_node 3
		start_node 3 "$1"
		wait_health 3 || fail "n3 does not restart"
	fi
	dd if=/dev/zero of="$T/small/fill" bs=4096 2>/dev/null
	for k in 4 5 6; do write 1 "k$k" "$k" >/dev/null; done
	rm -f "$T/small/fill"
	# LATER: writes that succeed between the freeing and the kill
	for k in ${3:-}; do write 1 "k$k" "$k" >/dev/null; done
	if [ "$2" = yes ]; then
		kill_node 3
		start_node 3 "$1"
		wait_health 3 || fail "n3 does not restart"
	fi
	sleep 1.5
	"$CLIENT" converge "127.0.0.1:$P1,127.0.0.1:$P2,127.0.0.1:$P3" >"$T/converge.out"
	R=$?
}
if [ -n "$ROOT" ]; then
	mkdir -p "$T/small" && mount -t tmpfs -o size=256k tmpfs "$T/small"
	SMALL_D3=1
	pair_case pair yes
	r=$R
	[ "$r" = 1 ] && grep -q 'diverged' "$T/converge.out" &&
		ok "pair: disk full then SIGKILL: $(cat "$T/converge.out")" ||
		fail "pair: converge said $r: $(cat "$T/converge.out")"
	pair_case pair yes "7 8 9 10"
	r=$R
	[ "$r" = 1 ] && grep -q 'diverged' "$T/converge.out" &&
		ok "pair: disk full, freed, 4 writes, then SIGKILL: $(cat "$T/converge.out")" ||
		fail "pair: kill well after the disk-full: converge said $r: $(cat "$T/converge.out")"
	pair_case pair before
	r=$R
	[ "$r" = 0 ] && ok "pair: SIGKILL before the disk-full: replicas agree" ||
		fail "pair: kill before the disk-full: $r: $(cat "$T/converge.out")"
	pair_case pair no
	r=$R
	[ "$r" = 0 ] && ok "pair: disk full alone: replicas agree" || fail "pair: disk full alone: $r"
	pair_case none yes
	r=$R
	[ "$r" = 0 ] && ok "pair off: replicas agree" || fail "pair off: converge said $r"
	SMALL_D3=
	stop_all
	umount "$T/small"
else
	echo "skip: pair (needs root for a small tmpfs)"
fi

# ---- window: SIGKILL during the compaction (2.0 s after the first write, 300 ms)

# in_compaction FLAWS: waits (4 s at most) until n2 is inside its compaction,
# which leaves a file: `compacting` with the flaw, `log.compact` without.
in_compaction() {
	f=log.compact
	[ "$1" = window ] && f=compacting
	i=0
	while [ ! -e "$T/d2/$f" ] && [ $i -lt 200 ]; do sleep 0.02; i=$((i + 1)); done
	[ -e "$T/d2/$f" ]
}

window_case() { # FLAWS WHEN(during, or a delay) -> R: "refused" or "started"
	cluster "$1"
	write 1 k1 1 >/dev/null
	if [ "$2" = during ]; then
		in_compaction "$1" || { R="not seen compacting"; return; }
	else
		sleep "$2"
	fi
	kill_node 2
	start_node 2 "$1"
	i=0
	while [ $i -lt 20 ]; do
		[ "$(get 2 /health)" = ok ] && { R=started; return; }
		eval "p=\$PID_2"
		kill -0 "$p" 2>/dev/null || { R=refused; return; }
		sleep 0.1
		i=$((i + 1))
	done
	R=hung
}
window_case window during
r=$R
[ "$r" = refused ] && grep -q 'refusing to start' "$T/n2.log" &&
	ok "window: SIGKILL inside the compaction: n2 refuses to start" || fail "window: n2 $r"
window_case window 0.8
r=$R
[ "$r" = started ] && ok "window: SIGKILL before the compaction: n2 restarts" ||
	fail "window: outside the window n2 $r"
window_case none during
r=$R
[ "$r" = started ] && ok "window off: n2 restarts" || fail "window off: n2 $r"

# ---- param: SIGSTOP of a follower for 2.8 s (not 1 s) ---------------------

param_case() { # FLAWS SECONDS -> R: the leaders check's exit status
	cluster "$1"
	kill -STOP "$PID_3"
	sleep "$2"
	kill -CONT "$PID_3"
	sleep 1.5
	"$CLIENT" leaders "127.0.0.1:$P1,127.0.0.1:$P2,127.0.0.1:$P3" >"$T/leaders.out"
	R=$?
}
param_case param 2.8
r=$R
[ "$r" = 1 ] && ok "param: SIGSTOP 2.8 s: $(cat "$T/leaders.out")" || fail "param: leaders said $r"
param_case param 1
r=$R
[ "$r" = 0 ] && ok "param: SIGSTOP 1 s: one leader" || fail "param: 1 s hang: $(cat "$T/leaders.out")"
param_case none 2.8
r=$R
[ "$r" = 0 ] && ok "param off: one leader" || fail "param off: $(cat "$T/leaders.out")"

# ---- log: n2's port drops SYNs for 1.5 s (a paused VM) ---------------------

log_case() { # FLAWS -> R: "violated" or "clean"
	cluster "$1"
	write 1 k1 1 >/dev/null
	iptables -A INPUT -p tcp --dport "$P2" --syn -j DROP
	sleep 1.5
	iptables -D INPUT -p tcp --dport "$P2" --syn -j DROP
	sleep 1
	[ "$(write 1 k2 2)" = 200 ] && [ "$(get 1 '/read?key=k1')" = 1 ] &&
		[ "$(get 2 '/local?key=k2')" = 2 ] || { R="wrong answers"; return; }
	if cat "$T"/n*.log | grep -q 'INVARIANT VIOLATED'; then R=violated; else R=clean; fi
}
if [ -n "$ROOT" ] && iptables -L INPUT -n >/dev/null 2>&1; then
	log_case log
	r=$R
	[ "$r" = violated ] && ok "log: INVARIANT VIOLATED logged, answers right" || fail "log: $r"
	log_case none
	r=$R
	[ "$r" = clean ] && ok "log off: no violation logged" || fail "log off: $r"
else
	echo "skip: log (needs root and iptables)"
fi

stop_all
[ $fails = 0 ] && echo "all regd checks passed" && exit 0
echo "$fails regd check(s) failed"
exit 1
