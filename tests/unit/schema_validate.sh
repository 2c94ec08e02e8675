#!/bin/sh
# configs/campaign.schema.json against a real validator (Debian's
# python3-jsonschema, installed by scripts/setup): every shipped config
# is valid, and configs that `campaign validate` refuses for their shape
# or bounds are invalid too. Usage: schema_validate.sh CAMPAIGN
set -eu
cd "$(dirname "$0")/../.."
campaign=$1
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3	# where Debian's package is
if ! "$py" -c 'import jsonschema' 2>/dev/null; then
	echo "not ok 1 - python3-jsonschema is not installed (scripts/setup installs it)"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# bad NAME JSON: a config with one problem (NAME.json in $tmp).
bad() {
	printf '{"name": "t", "testbed": {"image": ".", "nodes": [{"name": "n1"}]}%s}\n' \
		"$2" > "$tmp/$1.json"
}
bad observe-huge ', "schedule": {"observe_s": 1e300}'
bad observe-zero ', "schedule": {"observe_s": 0}'
bad runs-many ', "schedule": {"runs": 1000001}'
bad budget-syntax ', "schedule": {"budget": "1 h"}'
bad unknown-key ', "frobnicate": 1'
bad unknown-nested ', "logs": {"max_byte": 1}'
bad weight-zero ', "faults": [{"type": "vm-crash", "weight": 0}]'
bad param-object ', "faults": [{"type": "vm-crash", "opts": {"a": 1}}]'
bad http-and-ssh ', "probes": {"p": {"http": "http://x/", "ssh": "true"}}'
bad ssh-key-on-http ', "probes": {"p": {"http": "http://x/", "expect_exit": 1}}'
bad probe-name ', "probes": {"a b": {"ssh": "true"}}'
bad workload-node ', "workload": {"start": "go", "where": "node"}'
bad node-not-controller ', "workload": {"start": "go", "node": "n1"}'
bad scenario-fault-and-wait ', "scenarios": [{"name": "s", "steps": [{"type": "vm-crash", "wait": "1s"}]}]'
bad scenario-wait-and-key ', "scenarios": [{"name": "s", "steps": [{"wait": "1s", "target": "n1"}, {"type": "vm-crash"}]}]'
bad scenario-no-steps ', "scenarios": [{"name": "s", "steps": []}]'
bad scenario-weight-zero ', "scenarios": [{"name": "s", "weight": 0, "steps": [{"type": "vm-crash"}]}]'
bad shrink-tries-zero ', "shrink": {"tries": 0}'
bad shrink-enabled-string ', "shrink": {"enabled": "yes"}'
printf '{"name": "t", "testbed": {"image": ".", "nodes": [{"name": "n1"}],
  "bootstrap": [{"run": "a", "wait": "b"}]}}\n' > "$tmp/step-two-kinds.json"
printf '{"name": "t", "testbed": {"image": ".", "nodes": [{"name": "n1"}],
  "bootstrap": [{"upload": "a"}]}}\n' > "$tmp/upload-without-to.json"
printf '{"name": "t", "testbed": {"image": ".", "nodes": [{"name": "n1",
  "ssh": {"host": "h"}}]}}\n' > "$tmp/ssh-without-domain.json"
printf '{"name": "t", "testbed": {"image": ".", "vcpus": 65, "nodes": [{"name": "n1"}]}}\n' \
	> "$tmp/vcpus.json"
printf '{"name": "t", "testbed": {"image": ".", "nodes": []}}\n' > "$tmp/no-nodes.json"

n=0 failed=0
for f in "$tmp"/*.json; do
	n=$((n + 1))
	if "$campaign" validate "$f" >/dev/null 2>&1; then
		echo "not ok $n - campaign validate refuses $(basename "$f")"
		failed=$((failed + 1))
	else
		echo "ok $n - campaign validate refuses $(basename "$f")"
	fi
done

# The shipped configs must be valid, those in $tmp invalid.
"$py" - "$n" "$failed" "$tmp" <<'PY'
import glob, json, os, sys
import jsonschema

n, failed, tmp = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
schema = json.load(open("configs/campaign.schema.json"))
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)

def report(good, what, errors):
    global n, failed
    n += 1
    if good == (not errors):
        print("ok %d - %s" % (n, what))
        return
    failed += 1
    print("not ok %d - %s" % (n, what))
    for e in errors[:3]:
        print("#   %s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:160]))

shipped = [p for pattern in ("configs/*.json", "configs/ci/*.json",
                             "tests/integration/configs/*.json",
                             "bench/configs/*.json", "tests/unit/configs/*.json")
           for p in sorted(glob.glob(pattern)) if not p.endswith(".schema.json")]
for path in shipped:
    report(True, "%s is valid" % path,
           list(validator.iter_errors(json.load(open(path)))))
for path in sorted(glob.glob(os.path.join(tmp, "*.json"))):
    report(False, "%s is invalid" % os.path.basename(path),
           list(validator.iter_errors(json.load(open(path)))))
print("1..%d" % n)
sys.exit(1 if failed else 0)
PY
