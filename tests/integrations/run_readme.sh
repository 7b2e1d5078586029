#!/usr/bin/env bash
# run_readme.sh CAPFIX: the README's sample of `make run` is what `make run` prints (the standard
# output of `capfix fix --diff examples/`, run from the top of the clone), byte for byte.
set -u
capfix=$(realpath "${1:?usage: run_readme.sh CAPFIX}")
root=$(cd "$(dirname "$0")/../.." && pwd)
want=$(mktemp) got=$(mktemp)
trap 'rm -f "$want" "$got"' EXIT
# the fenced block after the marker
awk '/^<!-- make-run-stdout -->$/ { m = 1; next } m == 1 && /^```diff$/ { m = 2; next }
	m == 2 && /^```$/ { exit } m == 2 { print }' "$root/README.md" >"$want"
[ -s "$want" ] || { echo "FAIL: no make-run-stdout sample in README.md"; exit 1; }
(cd "$root" && "$capfix" fix --diff examples/ >"$got" 2>/dev/null)
rc=$?
[ $rc -le 1 ] || { echo "FAIL: capfix fix --diff examples/ exited $rc"; exit 1; }
if ! diff -u "$want" "$got"; then
	echo "FAIL: README.md's make run sample differs from the real output (update it from: capfix fix --diff examples/)"
	exit 1
fi
echo "readme: the make run sample matches"
