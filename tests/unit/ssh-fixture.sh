#!/bin/sh
# ssh-fixture.sh - a throwaway dropbear on loopback for test_ssh.
#
#   ssh-fixture.sh keys DIR        make host and client keys in DIR (0700)
#   ssh-fixture.sh serve DIR PORT  exec dropbear on 127.0.0.1:PORT
#
# keys writes DIR/hostkey (dropbear), DIR/hostkey.pub (the line to pin),
# DIR/client_key(.pub) (OpenSSH ed25519, no passphrase), DIR/other_key
# (one the server refuses), DIR/home/.ssh/authorized_keys and DIR/user
# (the login name to use).
#
# Dropbear reads ~/.ssh/authorized_keys from the passwd entry's home and
# has no option to look elsewhere. So that nothing on the system changes,
# serve runs dropbear in a private mount namespace (unshare -m, as root;
# unshare -Urm otherwise) where a copy of /etc/passwd, with the login
# user's home pointed at DIR/home, is bind-mounted over /etc/passwd. The
# bind mount is invisible outside and goes away with dropbear.
#
# serve execs (unshare execs sh execs dropbear), so the caller's child
# pid is dropbear's pid.
set -eu

die() { echo "ssh-fixture: $*" >&2; exit 2; }

need() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			die "'$t' not found (install dropbear-bin, openssh-client and util-linux)"
	done
}

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: $0 keys|serve DIR [PORT]"

case $cmd in
keys)
	need dropbear dropbearkey ssh-keygen unshare awk
	mkdir -p "$dir/home/.ssh"
	chmod 700 "$dir" "$dir/home" "$dir/home/.ssh"
	dropbearkey -t ed25519 -f "$dir/hostkey" >/dev/null 2>&1 ||
		die "dropbearkey failed"
	dropbearkey -y -f "$dir/hostkey" | grep '^ssh-ed25519 ' >"$dir/hostkey.pub" ||
		die "cannot read back the host key"
	ssh-keygen -q -t ed25519 -N '' -C campaign-test -f "$dir/client_key" ||
		die "ssh-keygen failed"
	# A valid key that the server does not accept.
	ssh-keygen -q -t ed25519 -N '' -C campaign-other -f "$dir/other_key" ||
		die "ssh-keygen failed"
	cp "$dir/client_key.pub" "$dir/home/.ssh/authorized_keys"
	chmod 600 "$dir/home/.ssh/authorized_keys"
	# In a user namespace the login user is root (uid 0 inside).
	if [ "$(id -u)" -eq 0 ]; then user=$(id -un); else user=root; fi
	echo "$user" >"$dir/user"
	awk -F: -v OFS=: -v u="$user" -v h="$dir/home" \
		'$1 == u { $6 = h; found = 1 } { print } END { exit !found }' \
		/etc/passwd >"$dir/passwd" || die "user '$user' not in /etc/passwd"
	;;
serve)
	port=${3:-}
	[ -n "$port" ] || die "usage: $0 serve DIR PORT"
	if [ "$(id -u)" -eq 0 ]; then ns=-m; else ns=-Urm; fi
	# -s: no passwords; -j -k: no forwarding; -m: no motd.
	exec unshare $ns --propagation private sh -c '
		mount --bind "$1/passwd" /etc/passwd || exit 2
		exec dropbear -F -E -s -j -k -m -p "127.0.0.1:$2" \
			-r "$1/hostkey" -P "$1/dropbear.$2.pid"' sh "$dir" "$port"
	;;
*)
	die "unknown command '$cmd'"
	;;
esac
