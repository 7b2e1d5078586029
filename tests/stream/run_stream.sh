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
"$CAPFIX" fix --drop-only --diff --backout "$TMP/back.patch" --stdin-name s.yaml - <"$TMP/stream.yaml" >"$TMP/fwd.patch" 2>/dev/null
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

if [ $fail -eq 0 ]; then echo "stream: 1 passed, 0 failed"; else echo "stream: 0 passed, 1 failed"; fi
exit $fail
