#!/bin/sh
# configs/ci/nightly.sh with a stand-in for `campaign` (no VMs): each night
# gets its results directory, an archive and a `latest` link; the baseline
# moves only on exit 0 or by `accept`, and is passed to the next night;
# old nights are pruned but the baseline's is kept.
. tests/integration/lib.sh

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/nightly
STUB=$WORK/campaign
cat >"$STUB" <<'STUB'
#!/bin/sh
# stand-in: `run CONFIG --out DIR ... [--baseline B]` makes DIR and exits $STUB_RC
[ "$1" = run ] || exit 0
shift
out= base=
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift ;;
	--baseline) base=$2; shift ;;
	esac
	shift
done
mkdir -p "$out/report" "$out/flaws"
echo '{"type":"run","run":1,"outcome":"no-effect"}' >"$out/journal.jsonl"
echo "<html></html>" >"$out/report/index.html"
echo "${base:-none}" >"$out/baseline-given"
exit "${STUB_RC:-0}"
STUB
chmod +x "$STUB"
export CAMPAIGN=$STUB KEEP=2

night() {	# night RC: run one night, wait a second so stamps differ
	set +e
	STUB_RC=$1 sh configs/ci/nightly.sh tests/integration/configs/counter.json "$ROOT" \
		>"$WORK/out" 2>&1
	rc=$?
	set -e
	[ "$rc" = "$1" ] || fail "nightly exited $rc, want $1: $(cat "$WORK/out")"
	sleep 1.1
}

night 1
first=$(basename "$(readlink "$ROOT/latest")")
[ -f "$ROOT/archive/$first.tar.gz" ] || fail "no archive of the first night"
tar -tzf "$ROOT/archive/$first.tar.gz" | grep -q "$first/report/index.html" ||
	fail "the archive lacks the report"
[ ! -e "$ROOT/baseline" ] || fail "a night with new flaws (exit 1) became the baseline"
[ "$(cat "$ROOT/runs/$first/baseline-given")" = none ] || fail "a baseline was given on the first night"
pass "first night: exit 1, archived with its report, no baseline yet"

night 0
second=$(basename "$(readlink "$ROOT/latest")")
[ "$(basename "$(readlink "$ROOT/baseline")")" = "$second" ] || fail "a passing night is not the baseline"
pass "a passing night (exit 0) becomes the baseline"

night 1
third=$(basename "$(readlink "$ROOT/latest")")
[ "$(cat "$ROOT/runs/$third/baseline-given")" = "$ROOT/baseline" ] ||
	fail "the baseline was not passed: $(cat "$ROOT/runs/$third/baseline-given")"
[ "$(basename "$(readlink "$ROOT/baseline")")" = "$second" ] || fail "exit 1 moved the baseline"
night 3
[ "$(basename "$(readlink "$ROOT/baseline")")" = "$second" ] || fail "exit 3 moved the baseline"
pass "the next nights get --baseline; exit 1 and 3 do not move it"

[ -d "$ROOT/runs/$second" ] || fail "the baseline's night was pruned"
[ ! -d "$ROOT/runs/$first" ] || fail "old nights are not pruned (KEEP=2)"
[ "$(ls "$ROOT/archive" | wc -l)" = 4 ] || fail "archives are not all kept"
pass "pruning keeps KEEP nights and the baseline's; archives stay"

sh configs/ci/nightly.sh accept "$ROOT" >/dev/null
[ "$(readlink "$ROOT/baseline")" = "$(readlink "$ROOT/latest")" ] || fail "accept did not move the baseline"
pass "accept makes the latest night the baseline"
