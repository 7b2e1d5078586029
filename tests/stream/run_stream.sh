#!/usr/bin/env bash
# Streams: `capfix fix -` over a generated 20 MB helm-template-like stream
# (../shared/bench/gen_corpus.py) equals fixing every document on its own;
# check.py agrees on the meaning; --diff and --backout apply; and
# capfix-post-render (the Helm 3 post-renderer name) behaves as `fix -q -`.
#   usage: run_stream.sh CAPFIX SHARED_DIR
set -u
CAPFIX=$(realpath "$1")
SHARED=$(realpath "$2")
POST=$(dirname "$CAPFIX")/capfix-post-render
PY=${PYTHON:-/usr/bin/python3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

"$PY" "$SHARED/bench/gen_corpus.py" stream "$TMP/stream.yaml" --size-mb 20 >/dev/null || exit 1
"$CAPFIX" fix --drop-only - <"$TMP/stream.yaml" >"$TMP/out.yaml" 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] || { tail -3 "$TMP/err"; bad "fix - exited $rc"; }
tail -n 1 "$TMP/err"

# documents are fixed in parallel batches: every -j prints the same bytes
"$CAPFIX" fix --drop-only -j1 - <"$TMP/stream.yaml" >"$TMP/out-j1.yaml" 2>"$TMP/err-j1"
"$CAPFIX" fix --drop-only -j3 - <"$TMP/stream.yaml" >"$TMP/out-j3.yaml" 2>"$TMP/err-j3"
cmp -s "$TMP/out-j1.yaml" "$TMP/out-j3.yaml" || bad "fix -j3 - prints other bytes than -j1"
cmp -s "$TMP/err-j1" "$TMP/err-j3" || bad "fix -j3 - reports other messages than -j1"
cmp -s "$TMP/out-j1.yaml" "$TMP/out.yaml" || bad "fix -j1 - differs from the default -j"

# the same documents, one file each, fixed as files
"$PY" - "$TMP/stream.yaml" "$TMP/docs" <<'PY'
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
data = open(src, "rb").read()
cuts = [0] + [m.start() + 1 for m in re.finditer(rb"\n---(?=[ \t\r\n]|$)", data)]
cuts.append(len(data))
for i in range(len(cuts) - 1):
    with open(os.path.join(out, f"{i:06d}.yaml"), "wb") as f:
        f.write(data[cuts[i]:cuts[i + 1]])
print(f"{len(cuts) - 1} documents")
PY
"$CAPFIX" fix --drop-only -q "$TMP/docs" >/dev/null 2>&1
rc=$?
[ $rc -eq 0 ] || bad "fixing the documents as files exited $rc"
cat "$TMP"/docs/*.yaml >"$TMP/joined.yaml"
cmp -s "$TMP/joined.yaml" "$TMP/out.yaml" || bad "the fixed stream differs from the per-document fixes"
"$PY" "$SHARED/bench/check.py" "$TMP/stream.yaml" "$TMP/out.yaml" >"$TMP/check" 2>&1
grep -q '^RESULT: OK' "$TMP/check" || { tail -5 "$TMP/check"; bad "check.py disagrees on the stream"; }

# --diff and --backout on the stream
"$CAPFIX" fix --drop-only --diff --stdin-name s.yaml - <"$TMP/stream.yaml" >"$TMP/fwd.patch" 2>/dev/null
"$CAPFIX" fix --drop-only --backout "$TMP/back.patch" --stdin-name s.yaml - <"$TMP/stream.yaml" >/dev/null 2>&1
mkdir -p "$TMP/apply" && cp "$TMP/stream.yaml" "$TMP/apply/s.yaml"
(cd "$TMP/apply" && git apply "$TMP/fwd.patch") || bad "the stream --diff does not apply"
cmp -s "$TMP/apply/s.yaml" "$TMP/out.yaml" || bad "the stream --diff does not give the fixed stream"
(cd "$TMP/apply" && patch -s -p1 <"$TMP/back.patch") || bad "the stream backout does not apply"
cmp -s "$TMP/apply/s.yaml" "$TMP/stream.yaml" || bad "the stream backout does not restore the input"

# the post-renderer name
"$CAPFIX" fix -q - <"$TMP/stream.yaml" >"$TMP/full.yaml" 2>/dev/null
"$POST" <"$TMP/stream.yaml" >"$TMP/post.yaml" 2>/dev/null || bad "capfix-post-render failed"
cmp -s "$TMP/full.yaml" "$TMP/post.yaml" || bad "capfix-post-render differs from capfix fix -q -"
"$POST" --drop-only <"$TMP/stream.yaml" >"$TMP/post2.yaml" 2>/dev/null
cmp -s "$TMP/out.yaml" "$TMP/post2.yaml" || bad "post-renderer arguments are not passed on"

# fix_parts OUT PART...: fix each part as a file of its own; OUT is their concatenation
fix_parts() {
	local out=$1 i=0 p
	shift
	: >"$out"
	rm -rf "$TMP/parts" && mkdir -p "$TMP/parts"
	for p in "$@"; do
		i=$((i + 1))
		printf '%s' "$p" >"$TMP/parts/$i.yaml"
		(cd "$TMP/parts" && "$CAPFIX" fix -q "$i.yaml" >/dev/null 2>&1)
		cat "$TMP/parts/$i.yaml" >>"$out"
	done
}
# fix_files OUT FILE...: the same with the parts in files
fix_files() {
	local out=$1 i=0 p
	shift
	: >"$out"
	rm -rf "$TMP/parts" && mkdir -p "$TMP/parts"
	for p in "$@"; do
		i=$((i + 1))
		cp "$p" "$TMP/parts/$i.yaml"
		(cd "$TMP/parts" && "$CAPFIX" fix -q "$i.yaml" >/dev/null 2>&1)
		cat "$TMP/parts/$i.yaml" >>"$out"
	done
}
POD='apiVersion: v1
kind: Pod
metadata: {name: NAME}
spec:
  containers:
  - name: c
    image: busybox
'
pod() { printf '%s' "${POD/NAME/$1}"; }

# %YAML / %TAG directives stay with the document after them (they used to end the piece before it)
d1=$(pod a; printf 'x')
d1=${d1%x}
d2=$(printf '%%YAML 1.2\n---\n'; pod b; printf 'x')
d2=${d2%x}
d3=$(printf -- '---\n# Source: c.yaml\n'; printf 'x')
d3=${d3%x}
d4=$(printf '%%YAML 1.2\n# between\n\n%%TAG !e! tag:example.com,2000:\n---\n'; pod d; printf 'x')
d4=${d4%x}
d5=$(printf '...\n'; printf 'x')
d5=${d5%x}
d6=$(printf '%%YAML 1.2\n--- # e\n'; pod e; printf 'x')
d6=${d6%x}
printf '%s' "$d1$d2$d3$d4$d5$d6" >"$TMP/dir.yaml"
fix_parts "$TMP/dir-want.yaml" "$d1" "$d2" "$d3" "$d4$d5" "$d6"
"$CAPFIX" fix - <"$TMP/dir.yaml" >"$TMP/dir-out.yaml" 2>"$TMP/dir-err"
rc=$?
[ $rc -eq 0 ] || { cat "$TMP/dir-err"; bad "directives: exit $rc, want 0"; }
cmp -s "$TMP/dir-out.yaml" "$TMP/dir-want.yaml" || bad "directives: the stream differs from its documents fixed as files"
[ "$(grep -c -- '- ALL' "$TMP/dir-out.yaml")" = 4 ] || bad "directives: not every pod was fixed"
# the first document may begin with directives too, and a directive-only tail is one piece
printf '%s' "$d2$d4" >"$TMP/dir2.yaml"
"$CAPFIX" fix - <"$TMP/dir2.yaml" >"$TMP/dir2-out.yaml" 2>"$TMP/dir2-err"
rc=$?
[ $rc -eq 0 ] && [ "$(grep -c -- '- ALL' "$TMP/dir2-out.yaml")" = 2 ] || { cat "$TMP/dir2-err"; bad "directives first: exit $rc"; }

# A document over --max-file-size passes through unchanged with an error; the rest is still fixed,
# and --diff and --backout stay exact (it used to pass the rest of the stream through unfixed)
"$PY" - "$TMP/big" <<'PY'
import sys
pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  containers:\n  - name: c\n    image: busybox\n"
big = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n" + "".join("  k%d: %s\n" % (i, "x" * 90) for i in range(3000))
small_big = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b2}\ndata:\n" + "".join("  k%d: %s\n" % (i, "y" * 90) for i in range(1200))
parts = [pod % "a", big, "---\n" + pod % "b", small_big, "...\n%YAML 1.2\n---\n" + pod % "c"]
for i, p in enumerate(parts):
    open(f"{sys.argv[1]}.{i}", "w").write(p)
open(sys.argv[1] + ".yaml", "w").write("".join(parts))
PY
fix_files "$TMP/big-want.yaml" "$TMP"/big.[0-4]
"$CAPFIX" fix --max-file-size 100K --stdin-name s.yaml - <"$TMP/big.yaml" >"$TMP/big-out.yaml" 2>"$TMP/big-err"
rc=$?
[ $rc -eq 3 ] || bad "oversize: exit $rc, want 3"
grep -q '^s.yaml:8:1: error: document larger than 102400 bytes: passed through unchanged$' "$TMP/big-err" || { cat "$TMP/big-err"; bad "oversize: no error at the document"; }
[ "$(grep -c '^s.yaml:[0-9]*:1: error: document larger than 102400 bytes' "$TMP/big-err")" = 2 ] || bad "oversize: not one error for each large document"
grep -q '^capfix: 5 documents, 3 changed' "$TMP/big-err" || { tail -1 "$TMP/big-err"; bad "oversize: the documents after it were not counted or fixed"; }
cmp -s "$TMP/big-out.yaml" "$TMP/big-want.yaml" || bad "oversize: the stream differs from its documents fixed as files"
"$CAPFIX" fix -q --max-file-size 100K --diff --stdin-name s.yaml - <"$TMP/big.yaml" >"$TMP/big-fwd.patch" 2>/dev/null
"$CAPFIX" fix -q --max-file-size 100K --backout "$TMP/big-back.patch" --stdin-name s.yaml - <"$TMP/big.yaml" >/dev/null 2>&1
rm -rf "$TMP/bigapply" && mkdir -p "$TMP/bigapply" && cp "$TMP/big.yaml" "$TMP/bigapply/s.yaml"
(cd "$TMP/bigapply" && patch -s -p1 <"$TMP/big-fwd.patch") || bad "oversize: --diff does not apply"
cmp -s "$TMP/bigapply/s.yaml" "$TMP/big-out.yaml" || bad "oversize: --diff does not give the fixed stream"
(cd "$TMP/bigapply" && git apply "$TMP/big-back.patch") || bad "oversize: the backout does not apply"
cmp -s "$TMP/bigapply/s.yaml" "$TMP/big.yaml" || bad "oversize: the backout does not restore the input"
# memory stays bounded by the limit, not by the document: 40 MB through a 1M limit
"$PY" -c '
import sys
w = sys.stdout.write
w("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - {name: c, image: x}\n---\nkind: ConfigMap\ndata:\n")
line = "  k: " + "z" * 1000 + "\n"
for i in range(40000): w(line)
w("  one: " + "q" * 4000000 + "\n")
w("---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers:\n  - {name: c, image: x}\n")
' >"$TMP/huge.yaml"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -o "$TMP/huge-time" -f '%M' "$CAPFIX" fix -q --max-file-size 1M - <"$TMP/huge.yaml" >"$TMP/huge-out.yaml" 2>"$TMP/huge-err"
	kb=$(tail -1 "$TMP/huge-time")
	[ "$kb" -lt 40000 ] || bad "oversize: a 44 MB document through a 1M limit used $kb KB"
	[ "$(grep -c 'drop: \[ALL\]' "$TMP/huge-out.yaml")" = 2 ] || bad "oversize: the pods around a 44 MB document were not both fixed"
	[ "$(wc -c <"$TMP/huge-out.yaml")" -gt "$(wc -c <"$TMP/huge.yaml")" ] || bad "oversize: bytes lost"
fi

# --max-file-size beyond any object: refused, not wrapped around
"$CAPFIX" fix --max-file-size 18446744073709551615 - <"$TMP/dir.yaml" >/dev/null 2>"$TMP/sz-err"
rc=$?
[ $rc -eq 2 ] && grep -q 'too large' "$TMP/sz-err" || bad "--max-file-size 18446744073709551615: exit $rc, want 2 (too large)"
"$CAPFIX" fix --max-file-size 8589934591G - <"$TMP/dir.yaml" >"$TMP/sz-out.yaml" 2>/dev/null
rc=$?
[ $rc -eq 0 ] && cmp -s "$TMP/sz-out.yaml" "$TMP/dir-want.yaml" || bad "--max-file-size 8589934591G: exit $rc or other bytes"

if [ $fail -eq 0 ]; then echo "stream: 1 passed, 0 failed"; else echo "stream: 0 passed, 1 failed"; fi
exit $fail
