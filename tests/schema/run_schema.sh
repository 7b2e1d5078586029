#!/usr/bin/env bash
# The JSON report of `capfix fix --format json` validates against its schema, on real output
# (every golden fix input, several modes), and the validator rejects broken reports.
#   usage: run_schema.sh CAPFIX
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CAPFIX=$(realpath "$1")
GOLDEN=$HERE/../../golden/fix
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
n=0
for d in "$GOLDEN"/*/in; do
	[ -d "$d" ] || continue
	name=$(basename "$(dirname "$d")")
	rm -rf "$TMP/tree" && cp -r "$d" "$TMP/tree" && chmod -R u+w "$TMP/tree"
	for mode in "--check" "--check --strict" "--check --drop-only" "--check --unknown-images=skip" ""; do
		out="$TMP/$name.$n.json"
		# shellcheck disable=SC2086
		(cd "$TMP/tree" && "$CAPFIX" fix $mode --no-config --format json . >"$out" 2>"$TMP/err")
		rc=$?
		[ $rc -le 3 ] || bad "$name $mode: exit $rc"
		grep -q 'AddressSanitizer\|runtime error' "$TMP/err" && bad "$name $mode: sanitizer"
		n=$((n + 1))
	done
done
python3 "$HERE/validate.py" "$HERE/fix-report.schema.json" "$TMP"/*.json >"$TMP/v.out" || {
	grep -v ': valid ' "$TMP/v.out" | head -20
	bad "reports do not validate"
}
echo "reports validated: $(grep -c ': valid ' "$TMP/v.out") of $n"
# the validator rejects broken reports
python3 - "$TMP" <<'PY' || bad "the validator accepts broken reports"
import json, glob, sys, copy
src = next(p for p in sorted(glob.glob(sys.argv[1] + "/*.json"))
           if any(f["containers"] for f in json.load(open(p))["files"]))
r = json.load(open(src))
breaks = []
b = copy.deepcopy(r); b["version"] = 2; breaks.append(b)
b = copy.deepcopy(r); b["files"][0]["containers"][0]["decisions"].append(
    {"capability": "X", "action": "granted", "evidence": "none", "source": "", "reason": ""}); breaks.append(b)
b = copy.deepcopy(r); b["summary"]["fixed"] += 1; breaks.append(b)
b = copy.deepcopy(r); del b["files"][0]["containers"][0]["image"]; breaks.append(b)
for i, b in enumerate(breaks):
    json.dump(b, open(f"{sys.argv[1]}/broken{i}.bad", "w"))
PY
for b in "$TMP"/broken*.bad; do
	python3 "$HERE/validate.py" "$HERE/fix-report.schema.json" "$b" >/dev/null && bad "accepted $(basename "$b")"
done
# --format json cannot be combined with --diff
"$CAPFIX" fix --diff --format json "$TMP/tree" >/dev/null 2>&1
[ $? -eq 2 ] || bad "--diff --format json is not a usage error"
if [ $fail -eq 0 ]; then echo "schema: 1 passed, 0 failed"; else echo "schema: 0 passed, 1 failed"; fi
exit $fail
