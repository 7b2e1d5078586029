#!/usr/bin/env bash
# Corpus test: capfix fix --drop-only and the default fix over ../shared/corpus (1,013 real files).
#   usage: run_corpus.sh CAPFIX SHARED_DIR
# Checks, with tools that are not capfix:
#   - no crash (exit 0 or 3: the corpus holds invalid files and templates);
#   - check.py (PyYAML) agrees on the meaning of every output file;
#   - noise.py: no line outside a securityContext changes, no comment is lost;
#   - the backout patch restores the original bytes (git apply and patch -p1);
#   - the --diff patch applied to the original gives the fixed tree;
#   - a second run changes nothing;
#   - every container left with drop ALL and no add has evidence or a warning (check_evidence.py),
#     and the JSON report validates against tests/schema/fix-report.schema.json.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CAPFIX=$(realpath "$1")
SHARED=$(realpath "$2")
CORPUS=$SHARED/corpus
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# the shared corpus is read-only, and capfix refuses read-only files: copies are made writable
cp -r "$CORPUS" "$TMP/tree" && chmod -R u+w "$TMP/tree"
cd "$TMP/tree" || exit 1
"$CAPFIX" fix --drop-only --backout "$TMP/backout.patch" . >"$TMP/out" 2>"$TMP/err"
rc=$?
tail -n 1 "$TMP/out"
[ $rc -eq 0 ] || [ $rc -eq 3 ] || bad "capfix fix exited $rc"
grep -q 'BUG\|AddressSanitizer\|runtime error' "$TMP/err" && bad "capfix reported a bug or sanitizer error"
errors=$(grep -c ': error: ' "$TMP/err")
echo "files reported as errors (invalid YAML, templates): $errors"

python3 "$SHARED/bench/check.py" "$CORPUS" "$TMP/tree" --show 20 >"$TMP/check" 2>&1
tail -n 2 "$TMP/check"
grep -q '^RESULT: OK' "$TMP/check" || { cat "$TMP/check"; bad "check.py found semantic mismatches"; }

python3 "$SHARED/bench/noise.py" "$CORPUS" "$TMP/tree" --json "$TMP/noise.json" --show 5 >"$TMP/noise" 2>&1
head -n 1 "$TMP/noise"
python3 - "$TMP/noise.json" <<'PY' || bad "noise.py: lines changed outside securityContext or comments lost"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]["all"]
print(f"noise lines: {s['noise_lines_per_file'] * s['files']:.0f}, files with noise: {s['files_with_noise']}, comments lost: {s['comments_lost']}")
sys.exit(0 if s["files_with_noise"] == 0 and s["comments_lost"] == 0 else 1)
PY

# backout with git apply and with patch -p1
cp -r "$TMP/tree" "$TMP/back-git"
(cd "$TMP/back-git" && git apply --whitespace=nowarn "$TMP/backout.patch") || bad "git apply of the backout failed"
diff -r "$CORPUS" "$TMP/back-git" >/dev/null || bad "backout (git apply) does not restore the original bytes"
cp -r "$TMP/tree" "$TMP/back-patch"
(cd "$TMP/back-patch" && patch -s -p1 <"$TMP/backout.patch") || bad "patch -p1 of the backout failed"
diff -r "$CORPUS" "$TMP/back-patch" >/dev/null || bad "backout (patch -p1) does not restore the original bytes"

# the --diff output applied to the original gives the fixed tree
cp -r "$CORPUS" "$TMP/fwd" && chmod -R u+w "$TMP/fwd"
(cd "$TMP/fwd" && "$CAPFIX" fix --drop-only --diff . >"$TMP/fwd.patch" 2>/dev/null)
(cd "$TMP/fwd" && git apply --whitespace=nowarn "$TMP/fwd.patch") || bad "git apply of --diff failed"
diff -r "$TMP/tree" "$TMP/fwd" >/dev/null || bad "--diff applied does not give the same tree as fix"

# idempotent: a second run finds nothing to change
"$CAPFIX" fix --drop-only --check . >"$TMP/second" 2>/dev/null
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || bad "second run exited $rc (something would change again)"
grep -q '^would fix' "$TMP/second" && { grep '^would fix' "$TMP/second" | head; bad "second run would change files"; }

# The default fix (minimal add lists): every add-list change is announced with
# a reason (check_adds.py, PyYAML), no noise, backout exact, idempotent.
cp -r "$CORPUS" "$TMP/full" && chmod -R u+w "$TMP/full"
(cd "$TMP/full" && "$CAPFIX" fix --backout "$TMP/full.patch" . >"$TMP/full.out" 2>"$TMP/full.err")
rc=$?
tail -n 1 "$TMP/full.out"
[ $rc -eq 0 ] || [ $rc -eq 3 ] || bad "capfix fix (default) exited $rc"
grep -q 'left unchanged' "$TMP/full.err" && { grep 'left unchanged' "$TMP/full.err"; bad "an edit failed verification"; }
CAPFIX_SHARED_BENCH="$SHARED/bench" python3 "$HERE/check_adds.py" "$CORPUS" "$TMP/full" "$TMP/full.out" ||
	bad "add-list changes without a reason, or reasons without a change"
python3 "$SHARED/bench/noise.py" "$CORPUS" "$TMP/full" --json "$TMP/noise2.json" >/dev/null 2>&1
python3 - "$TMP/noise2.json" <<'PY' || bad "default fix: lines changed outside securityContext or comments lost"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]["all"]
print(f"default fix: files with noise: {s['files_with_noise']}, comments lost: {s['comments_lost']}")
sys.exit(0 if s["files_with_noise"] == 0 and s["comments_lost"] == 0 else 1)
PY
rm -rf "$TMP/back-full" && cp -r "$TMP/full" "$TMP/back-full"
(cd "$TMP/back-full" && git apply --whitespace=nowarn "$TMP/full.patch") || bad "git apply of the default backout failed"
diff -r "$CORPUS" "$TMP/back-full" >/dev/null || bad "default backout does not restore the original bytes"
(cd "$TMP/full" && "$CAPFIX" fix --check . >"$TMP/second2" 2>/dev/null)
grep -q '^would fix' "$TMP/second2" && { grep '^would fix' "$TMP/second2" | head; bad "default fix: second run would change files"; }

# evidence: every container left with drop ALL and no add has evidence or a warning;
# the JSON report validates against its schema (figures per kind of evidence printed)
cp -r "$CORPUS" "$TMP/ev" && chmod -R u+w "$TMP/ev"
(cd "$TMP/ev" && "$CAPFIX" fix --check --format json . >"$TMP/evidence.json" 2>/dev/null)
rc=$?
[ $rc -eq 1 ] || [ $rc -eq 3 ] || bad "capfix fix --check --format json exited $rc"
python3 "$HERE/check_evidence.py" "$TMP/evidence.json" || bad "containers without evidence and without a warning"
python3 "$HERE/../schema/validate.py" "$HERE/../schema/fix-report.schema.json" "$TMP/evidence.json" ||
	bad "the corpus JSON report does not validate"
"$HERE/../schema/run_schema.sh" "$CAPFIX" || bad "fix --format json on the golden inputs does not validate"

# scan: per-file counts agree with PyYAML, and the SARIF report validates
PY=${PYTHON:-/usr/bin/python3}
(cd "$CORPUS" && "$CAPFIX" scan --format json --fail-on none -o "$TMP/scan.json" . 2>"$TMP/scan.err")
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || bad "capfix scan exited $rc"
CAPFIX_SHARED_BENCH="$SHARED/bench" "$PY" "$HERE/scan_counts.py" "$CORPUS" "$TMP/scan.json" ||
	bad "scan counts disagree with PyYAML"
(cd "$CORPUS" && "$CAPFIX" scan --format sarif --fail-on none -o "$TMP/scan.sarif" . 2>/dev/null)
"$PY" "$HERE/../sarif/validate.py" "$HERE/../sarif/sarif-schema-2.1.0.json" "$TMP/scan.sarif" ||
	bad "the corpus SARIF report does not validate"

# the worker pool: every -j gives the same bytes (reports, patches, messages) as -j1
for j in 1 3; do
	(cd "$CORPUS" && "$CAPFIX" scan -j$j --format json --fail-on none . >"$TMP/scan-j$j.json" 2>"$TMP/scan-j$j.err")
	(cd "$CORPUS" && "$CAPFIX" scan -j$j --fail-on none . >"$TMP/scan-j$j.txt" 2>&1)
	(cd "$CORPUS" && "$CAPFIX" fix -j$j --diff . >"$TMP/fix-j$j.diff" 2>"$TMP/fix-j$j.err")
	# the backout patch comes from a run that writes (--diff with --backout is a usage error)
	rm -rf "$TMP/w-j$j" && cp -R "$CORPUS" "$TMP/w-j$j" && chmod -R u+w "$TMP/w-j$j"
	(cd "$TMP/w-j$j" && "$CAPFIX" fix -q -j$j --backout "$TMP/back-j$j.patch" . >/dev/null 2>&1)
done
for f in scan-jN.json scan-jN.err scan-jN.txt back-jN.patch fix-jN.diff fix-jN.err; do
	cmp -s "$TMP/${f/N/1}" "$TMP/${f/N/3}" || bad "-j3 differs from -j1: $f"
done
cmp -s "$TMP/scan.json" "$TMP/scan-j1.json" || bad "scan -j1 differs from the default -j"
[ -s "$TMP/fix-j1.diff" ] && [ -s "$TMP/scan-j1.txt" ] || bad "-j comparison: empty output"

if [ $fail -eq 0 ]; then
	echo "corpus: 1 passed, 0 failed"
else
	echo "corpus: 0 passed, 1 failed"
fi
exit $fail
