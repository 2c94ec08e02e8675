#!/bin/sh
# The Debian package on a clean Debian 12 root (issue 14): build the .deb
# from a Release build (cpack), make a fresh bookworm root with mmdebstrap,
# install the package there with apt (its dependencies resolved from the
# Debian archive), then run the installed program in that root: version,
# faults, validate of an installed example, and check that it found its
# recipes and agent under /usr without a source tree.
#
# usage: tests/package/install.sh [BUILD_DIR]   (default build-release)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build-release}
state=${CAMPAIGN_STATE_DIR:-/var/lib/campaign}
debs=$state/images/debs/bookworm	# shared with scripts/image-build
mirror=${CAMPAIGN_DEBIAN_MIRROR:-http://deb.debian.org/debian}

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

[ "$(id -u)" = 0 ] || fail "must run as root (mmdebstrap --mode=root, chroot)"
[ -f "$build/CMakeCache.txt" ] || fail "no build in '$build' (scripts/build with BUILD_DIR)"
grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$build/CMakeCache.txt" ||
	fail "'$build' is not a Release build: the package is built from one"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$build" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1) ||
	{ cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(ls "$work"/pkg/campaign_*_amd64.deb)
pass "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
dpkg-deb -f "$deb" Depends | grep -q 'libvirt0' ||
	fail "the package does not depend on libvirt0: $(dpkg-deb -f "$deb" Depends)"
dpkg-deb -c "$deb" >"$work/contents"
for f in ./usr/bin/campaign ./usr/lib/campaign/agents/campaign-agent \
	 ./usr/share/campaign/scripts/image-build ./usr/share/campaign/workloads/tiny/recipe.json \
	 ./usr/share/campaign/configs/demo.json ./usr/share/man/man1/campaign.1 \
	 ./usr/share/man/man5/campaign.json.5 ./usr/share/bash-completion/completions/campaign; do
	grep -q " $f\$" "$work/contents" || fail "the package has no $f"
done
pass "Depends: $(dpkg-deb -f "$deb" Depends)"

mkdir -p "$debs"
cp "$deb" "$work/campaign.deb"
# A minimal root; the package and what it depends on installed by apt in
# it, as a user would. Downloaded .debs are kept beside image-build's.
mmdebstrap --mode=root --variant=apt --format=directory \
	--aptopt='APT::Install-Recommends "false"' \
	--aptopt='Acquire::Languages "none"' \
	--skip=download/empty \
	--setup-hook='mkdir -p "$1"/var/cache/apt/archives' \
	--setup-hook="sync-in '$debs' /var/cache/apt/archives" \
	--customize-hook="copy-in '$work/campaign.deb' /tmp" \
	--customize-hook='chroot "$1" apt-get install -y -q /tmp/campaign.deb' \
	--customize-hook="sync-out /var/cache/apt/archives '$debs'" \
	--customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
	--quiet bookworm "$work/root" "deb $mirror bookworm main" \
	>"$work/mmdebstrap.log" 2>&1 ||
	{ tail -30 "$work/mmdebstrap.log"; fail "mmdebstrap or the install failed"; }
rm -rf "$debs/partial" "$debs/lock"
pass "installed on a clean bookworm root with apt"

# Run in the root with /proc (the program finds itself through it), in a
# mount namespace of its own so nothing stays mounted.
in_root() {
	unshare -m sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' \
		"$work/root" "$@"
}
[ ! -e "$work/root$top" ] || fail "the root holds the source tree"
out=$(in_root campaign version) || fail "campaign version failed"
echo "$out" | grep -q '^campaign [0-9]' || fail "campaign version printed '$out'"
pass "campaign version: $out"
out=$(in_root campaign faults) || fail "campaign faults failed"
echo "$out" | grep -q '^process-kill ' || fail "campaign faults lists no process-kill"
pass "campaign faults lists $(echo "$out" | grep -c '^[a-z]') faults"
for c in demo etcd redis-sentinel; do
	in_root campaign validate /usr/share/campaign/configs/$c.json ||
		fail "campaign validate of the installed $c example failed"
done
pass "campaign validate of the installed examples"
# An example copied elsewhere still finds the stock recipe by name
sed 's#"\.\./workloads/tiny"#"workloads/tiny"#' "$work/root/usr/share/campaign/configs/demo.json" \
	>"$work/root/tmp/mine.json"
grep -q '"workloads/tiny"' "$work/root/tmp/mine.json" || fail "could not rewrite the image path"
out=$(in_root campaign plan /tmp/mine.json --runs 1-1 2>&1) ||
	fail "campaign plan of a user's config naming the stock recipe failed: $out"
pass "a config in the user's directory finds the stock recipe under /usr/share/campaign"
[ -x "$work/root/usr/lib/campaign/agents/campaign-agent" ] || fail "no installed agent"
[ "$(readlink -f "$work/root/usr/lib/campaign/orchestrator/campaign")" = "$work/root/usr/bin/campaign" ] ||
	fail "{build}/orchestrator/campaign does not lead to the program"
pass "agent and programs under /usr/lib/campaign"
grep -q '^\.TH "\{0,1\}CAMPAIGN"\{0,1\} "\{0,1\}1' "$work/root/usr/share/man/man1/campaign.1" &&
	grep -q '^\.TH "\{0,1\}CAMPAIGN\.JSON"\{0,1\} "\{0,1\}5' "$work/root/usr/share/man/man5/campaign.json.5" ||
	fail "the installed manual pages have no .TH line"
pass "campaign(1), campaign.json(5) and the bash completion installed"
