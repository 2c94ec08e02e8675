#!/bin/sh
# Hostile text in a results directory (config strings, fault and node
# names, evidence, logs: <script>, "><img onerror>, </style>, <svg onload>,
# </title>, control characters) rendered by `campaign report`, then opened
# in a real headless Chromium: no script but the report's own runs, no
# element is injected, and the text shows literally. Each payload marks
# the page if it ever runs (a body attribute, the title, a console line).
# Checked twice: as rendered (with the pages' Content-Security-Policy)
# and with the policy stripped, so escaping alone is what is tested.
# Needs no VMs. Artefacts: build/report-artefacts/escape-*.png.
. tests/integration/lib.sh
. tests/report/lib.sh

TESTBIN=$BUILD_DIR/tests/test_report_escape
[ -x "$TESTBIN" ] || fail "no '$TESTBIN': build the unit tests first"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ARTEFACTS"

"$TESTBIN" --keep "$WORK" >"$WORK/unit.log" ||
	fail "the unit checks of the hostile directory failed: $(grep 'not ok' "$WORK/unit.log")"
DIR=$WORK/results
[ -f "$DIR/report/index.html" ] || fail "no report rendered in '$DIR'"
pass "hostile results directory rendered ($(grep -c '^ok' "$WORK/unit.log") unit checks)"

pages="index.html runs-1.html runs-flaw-1.html runs/page-0001.html $(cd "$DIR/report" && ls flaws/*.html)"

# check_page FILE PAGE SCRIPTS: one page's DOM after load
check_page() {
	dump_dom "$1" "$WORK/dom" "$WORK/err"
	n=$(grep -o '<script' "$WORK/dom" | wc -l)
	[ "$n" = "$3" ] || fail "$2: $n <script> elements after load, want $3 (the report's own)"
	if grep -q '<body[^>]*data-pwned' "$WORK/dom"; then
		fail "$2: a payload ran: $(grep -o '<body[^>]*>' "$WORK/dom")"
	fi
	if grep -q '<title>PWNED-' "$WORK/dom"; then
		fail "$2: a payload changed the title"
	fi
	if grep -q -e '<img' -e '<svg onload' -e '<textarea' "$WORK/dom"; then
		fail "$2: an injected element: $(grep -o -e '<img[^>]*>' -e '<svg onload[^>]*>' "$WORK/dom" | head -2)"
	fi
	if grep -q -e 'PWNED' -e 'Content Security Policy' "$WORK/err"; then
		fail "$2: console: $(grep -e PWNED -e 'Content Security' "$WORK/err" | head -2)"
	fi
	console_clean "$WORK/err" "$2"
	grep -q '&lt;script&gt;document.body.setAttribute(' "$WORK/dom" ||
		fail "$2: the hostile text does not show as text"
}

for page in $pages; do
	scripts=0
	case $page in runs-*) scripts=1 ;; esac
	check_page "$DIR/report/$page" "$page" $scripts
	case $page in runs-1.html)
		grep -q '<span id="fc">4</span>' "$WORK/dom" ||
			fail "runs-1.html: the report's own filter script did not run (CSP nonce?)"
		;;
	esac
done
pass "with the CSP: $(echo $pages | wc -w) pages, no payload ran, no element injected, the text shows literally; the report's own filter ran"

for page in $pages; do
	scripts=0
	case $page in runs-*) scripts=1 ;; esac
	nocsp=$DIR/report/$(dirname "$page")/nocsp-$(basename "$page")
	sed 's|<meta http-equiv="Content-Security-Policy"[^>]*>||' "$DIR/report/$page" >"$nocsp"
	grep -q 'Content-Security-Policy' "$nocsp" && fail "could not strip the CSP of $page"
	check_page "$nocsp" "$page without CSP" $scripts
done
pass "without the CSP: still no payload ran and nothing was injected (escaping alone)"

python3 - "$DIR/junit.xml" <<'PY' || fail "junit.xml of the hostile directory is not valid XML"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
msgs = [f.get("message") for f in root.iter("failure")]
assert any("<script>" in m for m in msgs), msgs
assert not any(e.tag in ("script", "img", "svg") for e in root.iter())
PY
pass "junit.xml parses as XML; the payloads are attribute text"

flaw=$(cd "$DIR/report" && ls flaws/*.html | grep -v nocsp | head -1)
screenshot "$DIR/report/$flaw" "$ARTEFACTS/escape-flaw.png" 1280,1800
screenshot "$DIR/report/index.html" "$ARTEFACTS/escape-index.png" 1280,1400
pass "screenshots in $ARTEFACTS/escape-*.png"
