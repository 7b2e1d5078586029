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

# issue 16: no empty region, fingerprints on every result, help in text and Markdown per rule;
# a tree given as an absolute path gives absolute file:// URIs without a base
cp -r "$ROOT/golden/scan/0017-partial-objects/in" "$TMP/tree/partial"
(cd "$TMP/tree" && "$CAPFIX" scan --format sarif -o "$TMP/log2.sarif" .)
"$CAPFIX" scan --format sarif -o "$TMP/abs.sarif" "$TMP/tree/deploy" "$TMP/tree/partial"
"$PY" "$HERE/validate.py" "$SCHEMA" "$TMP/abs.sarif" || bad "SARIF of absolute paths does not validate"
"$PY" - "$TMP/log2.sarif" "$TMP/abs.sarif" "$TMP" <<'PY' || bad "issue 16 SARIF properties"
import json, sys
rel, ab = (json.load(open(p)) for p in sys.argv[1:3])
ok = True
def check(cond, what):
    global ok
    if not cond:
        print("FAIL:", what); ok = False
def locations(run):
    for r in run["results"]:
        yield from r["locations"]
    for inv in run.get("invocations", []):
        for n in inv.get("toolExecutionNotifications", []):
            yield from n.get("locations", [])
for log in (rel, ab):
    run = log["runs"][0]
    for loc in locations(run):
        reg = loc["physicalLocation"].get("region")
        check(reg is None or reg.get("startLine", 0) >= 1, f"empty region {loc}")
    for r in run["results"]:
        fp = r.get("partialFingerprints", {}).get("capfix/v1", "")
        check(len(fp) == 16, f"no fingerprint {r}")
    for rule in run["tool"]["driver"]["rules"]:
        check(rule["help"].get("text") and rule["help"].get("markdown", "").startswith("**" + rule["id"]),
              f"rule {rule['id']} without help")
    fps = [(r["ruleId"], r["partialFingerprints"]["capfix/v1"], r["message"]["text"]) for r in run["results"]]
    check(len(set(f[1] for f in fps)) == len(fps), "two results share a fingerprint")
for r in rel["runs"][0]["results"]:
    al = r["locations"][0]["physicalLocation"]["artifactLocation"]
    check(al.get("uriBaseId") == "%SRCROOT%" and not al["uri"].startswith(("/", "file:")), f"relative {al}")
for r in ab["runs"][0]["results"]:
    al = r["locations"][0]["physicalLocation"]["artifactLocation"]
    check("uriBaseId" not in al and al["uri"].startswith("file:///"), f"absolute {al}")
check(any(r["properties"].get("partial") for r in rel["runs"][0]["results"]), "no partial result")
sys.exit(0 if ok else 1)
PY
# fingerprints survive line shifts: the same tree with comments added on top
mkdir -p "$TMP/shift/deploy"
for f in "$TMP/tree/deploy"/*.yaml; do
	{ printf '# moved\n# down\n'; cat "$f"; } >"$TMP/shift/deploy/$(basename "$f")"
done
(cd "$TMP/tree" && "$CAPFIX" scan --format sarif -o "$TMP/a.sarif" deploy)
(cd "$TMP/shift" && "$CAPFIX" scan --format sarif -o "$TMP/b.sarif" deploy)
"$PY" - "$TMP/a.sarif" "$TMP/b.sarif" <<'PY' || bad "fingerprints change when lines move"
import json, sys
a, b = ([(r["ruleId"], r["partialFingerprints"]["capfix/v1"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
         for r in json.load(open(p))["runs"][0]["results"]] for p in sys.argv[1:3])
assert len(a) == len(b) and a, (len(a), len(b))
for x, y in zip(a, b):
    assert x[0] == y[0] and x[1] == y[1] and x[2] + 2 == y[2], (x, y)
PY

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
