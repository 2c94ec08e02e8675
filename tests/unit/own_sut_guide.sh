#!/bin/sh
# docs/own-sut.md without a VM (tests/integration/own_sut.sh follows it on
# real VMs). The guide's files and commands are extracted as that test
# extracts them (tests/guide_extract.sh: a ```LANG file=PATH block is the
# file PATH; the "$ " lines of ```console blocks are commands, which exit
# 0 unless they end in "# exits N"). Checked here: the files are there,
# the shell scripts parse, the recipe has only known keys, the config
# validates and plans what the guide says, the guide's validate, plan and
# cc commands succeed, the C client compiles without a warning, and the
# CGI script under the host's busybox httpd on 127.0.0.1 (a free port)
# serves both clients, whose histories `campaign check lost-writes`
# accepts, and rejects once the data is deleted behind the clients' back
# (what a power cut does to kvd). Usage: own_sut_guide.sh CAMPAIGN
set -eu
cd "$(dirname "$0")/../.."
campaign=$(realpath "$1")
guide=docs/own-sut.md
tmp=$(mktemp -d)
w=$tmp/work
httpd="" p=""	# the processes this test started and that may still run
trap 'for q in $httpd $p; do kill -KILL "$q" 2>/dev/null || :; done; rm -rf "$tmp"' EXIT

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; echo "1..$n"; exit 1; }

for t in busybox python3 cc jq; do
	command -v "$t" >/dev/null || case $t in
	busybox) fail "busybox is missing (scripts/setup installs busybox-static): the CGI script needs its httpd" ;;
	*) fail "$t is missing (scripts/setup installs it)" ;;
	esac
done
busybox httpd --help >/dev/null 2>&1 || fail "this busybox has no httpd applet (Debian's busybox-static has)"

sh tests/guide_extract.sh "$guide" "$w" > "$tmp/commands" ||
	fail "cannot extract the files and commands of $guide"
for f in kvd.json kvd-client.py kvd-client.c kvd/recipe.json kvd/setup \
	kvd/files/usr/bin/kvd-start kvd/files/usr/lib/kvd/www/cgi-bin/kv; do
	[ -s "$w/$f" ] || fail "$guide has no file block for $f"
done
ok "$guide: $(find "$w" -type f | wc -l) files, $(wc -l < "$tmp/commands") commands"

for f in kvd/setup kvd/files/usr/bin/kvd-start kvd/files/usr/lib/kvd/www/cgi-bin/kv; do
	sh -n "$w/$f" || fail "$f does not parse as sh"
done
ok "the shell scripts parse"

# The keys scripts/image-build accepts, and the files the recipe names.
jq -e 'keys - ["rootfs", "packages", "memory_mib", "disk_mib", "modules", "files",
	"setup", "cmdline", "description"] == [] and .rootfs == "busybox"' \
	"$w/kvd/recipe.json" >/dev/null || fail "kvd/recipe.json has unknown keys or is not a busybox recipe"
[ -d "$w/kvd/$(jq -r .files "$w/kvd/recipe.json")" ] && [ -f "$w/kvd/$(jq -r .setup "$w/kvd/recipe.json")" ] ||
	fail "the recipe's files or setup is missing"
ok "kvd/recipe.json: known keys, its files and setup present"

out=$(cd "$w" && "$campaign" validate kvd.json 2>&1) || fail "campaign validate kvd.json: $out"
ok "campaign validate kvd.json: $out"

# What sections 6 and 7 say: six runs, a power cut in each but run 4,
# which kills httpd.
plan=$(cd "$w" && "$campaign" plan kvd.json --json | jq -s -c '[.[] | .faults[0].type]') ||
	fail "campaign plan kvd.json failed"
[ "$plan" = '["vm-crash","vm-crash","vm-crash","process-kill","vm-crash","vm-crash"]' ] ||
	fail "the plan is $plan, not the one the guide describes (run 4 process-kill, the others vm-crash)"
ok "campaign plan: runs 1-3, 5, 6 vm-crash, run 4 process-kill"

# The commands the VM test will run: a leading "campaign" is the only
# substitution it makes, so no other word may name the program; one
# `campaign run CONFIG --out DIR` that exits 1.
bad=$(grep -v '^campaign ' "$tmp/commands" | grep -w campaign || :)
[ -z "$bad" ] || fail "a command names campaign elsewhere than at its start: $bad"
[ "$(grep -c '^campaign run kvd\.json --out [^ ]* *# exits 1' "$tmp/commands")" = 1 ] ||
	fail "no single 'campaign run kvd.json --out DIR  # exits 1' command"
ok "commands: campaign only at their start, one campaign run that exits 1"

# The guide's own commands that need no VM, as the VM test runs them.
while IFS= read -r cmd; do
	case $cmd in
	"campaign validate "*|"campaign plan "*) run="\"\$campaign\" ${cmd#campaign }" ;;
	"cc "*) run=$cmd ;;
	*) continue ;;
	esac
	out=$(cd "$w" && campaign=$campaign sh -c "$run" </dev/null 2>&1) || fail "'$cmd' failed: $out"
	ok "\$ $cmd"
done < "$tmp/commands"
[ -x "$w/kvd-client" ] || fail "the guide's cc command made no kvd-client"
cc -O2 -Wall -Wextra -Werror -o "$tmp/kvd-client-strict" "$w/kvd-client.c" ||
	fail "kvd-client.c has warnings under -Wall -Wextra"
python3 -m py_compile "$w/kvd-client.py" || fail "kvd-client.py does not compile"
ok "kvd-client.c compiles with -Wall -Wextra -Werror; kvd-client.py compiles"

# kvd on this host: its CGI script under busybox httpd, data in $tmp/data.
chmod 0755 "$w/kvd/files/usr/lib/kvd/www/cgi-bin/kv"	# what kvd/setup does
mkdir -p "$tmp/data"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port/cgi-bin/kv
KVD_DATA=$tmp/data busybox httpd -f -p "127.0.0.1:$port" -h "$w/kvd/files/usr/lib/kvd/www" &
httpd=$!
i=0
until [ "$(busybox wget -q -O - "$url" 2>/dev/null)" = ok ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "busybox httpd on 127.0.0.1:$port does not answer 'ok' within 5 s"
	sleep 0.1
done
ok "kvd's CGI script under busybox httpd on 127.0.0.1:$port: health ok"

[ "$(busybox wget -q -O - --post-data 7 "$url?k1")" = ok ] || fail "POST k1=7 did not answer ok"
[ "$(busybox wget -q -O - "$url?k1")" = 7 ] || fail "GET k1 is not 7"
[ -z "$(busybox wget -q -O - "$url?k2")" ] || fail "GET k2 (never written) is not empty"
! busybox wget -q -O - "$url?K/x" >/dev/null 2>&1 || fail "a bad key was not refused"
! busybox wget -q -O - --post-data x "$url?k3" >/dev/null 2>&1 || fail "a bad value was not refused"
[ ! -e "$tmp/data/k3" ] || fail "a refused write was stored"
rm -f "$tmp/data/k1"
ok "the API as the guide's table says: write, read, never written, bad key and value refused"

# client NAME HISTORY [ACTION]: run a client 2 s (ACTION 1.4 s in, if
# any), SIGTERM, wait up to 15 s for its final reads; it must exit 0.
client() {
	case $1 in
	python) python3 "$w/kvd-client.py" "127.0.0.1:$port" "$2" & ;;
	c) "$w/kvd-client" "127.0.0.1:$port" "$2" & ;;
	esac
	p=$!
	sleep 1.4
	[ -z "${3:-}" ] || eval "$3"
	sleep 0.6
	kill -TERM "$p"
	i=0
	while kill -0 "$p" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 150 ] || fail "the $1 client did not stop within 15 s of SIGTERM"
		sleep 0.1
	done
	wait "$p" || fail "the $1 client exited $?"
	p=""
}

for c in python c; do
	h=$tmp/$c.jsonl
	client $c "$h"
	v=$("$campaign" check lost-writes "$h" --json) || fail "lost-writes on the $c client's history: $v"
	echo "$v" | jq -e '.valid == true and .acknowledged >= 3' >/dev/null ||
		fail "the $c client's history: $v"
	ok "$c client: $(echo "$v" | jq .acknowledged) writes acknowledged and read back, lost-writes valid"

	h=$tmp/$c-lost.jsonl
	client $c "$h" 'rm -f "$tmp"/data/k*'
	set +e
	v=$("$campaign" check lost-writes "$h" --json)
	rc=$?
	set -e
	[ $rc = 1 ] && echo "$v" | jq -e '.valid == false and .lost_count >= 1' >/dev/null ||
		fail "data deleted under the $c client: lost-writes exited $rc: $v"
	ok "$c client, data deleted behind its back: lost-writes finds $(echo "$v" | jq .lost_count) lost"
done

# kvd down: every write is refused at connect, so 'fail', never 'ok'.
kill "$httpd"
wait "$httpd" 2>/dev/null || :
httpd=""
for c in python c; do
	h=$tmp/$c-down.jsonl
	client $c "$h"
	jq -s -e 'length > 0 and all(.[]; .type == "invoke" or .type == "fail")' "$h" >/dev/null ||
		fail "with kvd down the $c client recorded more than invokes and fails: $(head -c 300 "$h")"
	"$campaign" check lost-writes "$h" >/dev/null || fail "lost-writes on the $c client's refused writes"
	ok "$c client, kvd down: every write 'fail', lost-writes valid"
done
echo "1..$n"
