# tests/report/lib.sh - shared by the report's browser tests: a headless
# Chromium that reaches no network, and places for artefacts.
# Sourced after tests/integration/lib.sh (fail, pass, CAMPAIGN).

CHROMIUM=${CHROMIUM:-chromium}
# build/orchestrator/campaign -> build/
BUILD_DIR=$(cd "$(dirname "$CAMPAIGN")/.." && pwd)
ARTEFACTS=${REPORT_ARTEFACTS:-$BUILD_DIR/report-artefacts}

command -v "$CHROMIUM" >/dev/null 2>&1 ||
	fail "no '$CHROMIUM' (Debian package chromium; scripts/setup installs it)"

# chrome ERRFILE ARGS...: run headless Chromium with a throw-away profile,
# no network, console messages on ERRFILE; stdout is Chromium's.
chrome() {
	errfile=$1
	shift
	profile=$(mktemp -d)
	set +e
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-extensions --disable-default-apps \
		--host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir="$profile" \
		--enable-logging=stderr --v=0 "$@" 2>"$errfile"
	rc=$?
	set -e
	rm -rf "$profile"
	[ $rc = 0 ] || fail "chromium exited $rc on $*: $(grep -v -i 'dbus\|vaapi\|sandbox' "$errfile" | tail -5)"
}

# dump_dom FILE OUT ERR: the DOM after load (scripts run) of a page on disk.
dump_dom() {
	chrome "$3" --virtual-time-budget=2000 --dump-dom "file://$1" >"$2"
}

# screenshot FILE PNG [WIDTH,HEIGHT]
screenshot() {
	chrome "$2.log" --hide-scrollbars --window-size="${3:-1280,2000}" \
		--screenshot="$2" "file://$1" >/dev/null
	rm -f "$2.log"
	[ -s "$2" ] || fail "no screenshot '$2'"
}

# console_clean ERR WHAT: no script of ours logs, so any console line from a
# page is suspect; a CSP violation means markup got in that should not.
console_clean() {
	if grep -q 'INFO:CONSOLE' "$1"; then
		fail "$2: the page wrote to the console: $(grep 'INFO:CONSOLE' "$1" | head -3)"
	fi
}
