#!/usr/bin/env bash
# SARIF test: capfix scan --format sarif validates against the OASIS SARIF
# 2.1.0 schema (tests/sarif/sarif-schema-2.1.0.json, Debian python3-jsonschema),
# on a tree with findings of every kind, odd file names and an invalid file;
# and the validator really rejects broken logs.
#   usage: run_sarif.sh CAPFIX
set -u
CAPFIX=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
SCHEMA=$HERE/sarif-schema-2.1.0.json
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

mkdir -p "$TMP/tree/with space" "$TMP/tree/ünï"
cp -r "$ROOT/golden/scan/0001-text/in/deploy" "$TMP/tree/"
cp "$ROOT/golden/scan/0006-psp/in/psp.yaml" "$TMP/tree/with space/psp 1.yaml"
cp "$ROOT/golden/scan/0009-kubectl-list-json/in/pods.json" "$TMP/tree/ünï/pods%.json"
printf 'kind: Pod\nspec: [\n' >"$TMP/tree/broken.yaml"
(cd "$TMP/tree" && "$CAPFIX" scan --format sarif -o "$TMP/log.sarif" .)
rc=$?
[ $rc -eq 3 ] || bad "scan exited $rc, expected 3 (one invalid file)"
"$PY" "$HERE/validate.py" "$SCHEMA" "$TMP/log.sarif" || bad "capfix's SARIF does not validate"
grep -q '"uri": "with%20space/psp%201.yaml"' "$TMP/log.sarif" || bad "file names are not percent-encoded URIs"

# the validator must reject broken logs
"$PY" - "$TMP/log.sarif" "$TMP" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
a = json.loads(json.dumps(log)); a["runs"][0]["results"][0]["level"] = "bogus"
b = json.loads(json.dumps(log)); del b["runs"]
c = json.loads(json.dumps(log)); c["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
for name, doc in (("bad-level", a), ("no-runs", b), ("line-zero", c)):
    json.dump(doc, open(f"{sys.argv[2]}/{name}.sarif", "w"))
PY
for b in bad-level no-runs line-zero; do
	if "$PY" "$HERE/validate.py" "$SCHEMA" "$TMP/$b.sarif" >/dev/null; then
		bad "the validator accepted $b.sarif"
	fi
done

if [ $fail -eq 0 ]; then
	echo "sarif: 1 passed, 0 failed"
else
	echo "sarif: 0 passed, 1 failed"
fi
exit $fail
