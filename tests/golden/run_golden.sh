#!/usr/bin/env bash
# Golden case runner: one case per directory (see golden/README.md).
#   usage: run_golden.sh CAPFIX CASE_DIR
# CAPFIX_GOLDEN_UPDATE=1 rewrites the expectations from the actual results and
# still fails, so that new expectations are reviewed before they are committed.
set -u
CAPFIX=$(realpath "$1")
CASE=$(realpath "$2")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
mkdir -p "$OUT" "$TMP/tree"
fail=0
bad() { echo "FAIL [$CASE]: $*"; fail=1; }

[ -f "$CASE/args" ] || { echo "FAIL [$CASE]: no args file"; exit 1; }
[ -d "$CASE/in" ] && cp -a "$CASE/in/." "$TMP/tree/"
# The args file holds the command line after `capfix`, split as the shell would split it
# (quotes and backslashes; no expansion, nothing is run) by python3's shlex; then every literal
# $OUT in an argument, quoted or not, becomes the output directory.
python3 -c 'import shlex, sys
with open(sys.argv[1], encoding="utf-8", errors="surrogateescape") as f:
    try:
        args = shlex.split(f.read(), comments=False, posix=True)
    except ValueError as e:
        sys.exit("args: %s" % e)
for a in args:
    sys.stdout.buffer.write(a.encode("utf-8", "surrogateescape") + b"\0")' "$CASE/args" >"$TMP/args0" 2>"$TMP/args.err" ||
	{ echo "FAIL [$CASE]: cannot split $(cat "$TMP/args.err")"; exit 1; }
mapfile -d '' ARGS <"$TMP/args0"
[ ${#ARGS[@]} -gt 0 ] || { echo "FAIL [$CASE]: empty args"; exit 1; }
for i in "${!ARGS[@]}"; do ARGS[i]=${ARGS[i]//'$OUT'/"$OUT"}; done

stdin=/dev/null
[ -f "$CASE/stdin" ] && stdin=$CASE/stdin
(cd "$TMP/tree" && "$CAPFIX" "${ARGS[@]}" <"$stdin" >"$OUT/stdout" 2>"$OUT/stderr")
echo $? >"$OUT/exit"

if [ "${CAPFIX_GOLDEN_UPDATE:-}" = 1 ]; then
	mkdir -p "$CASE/expected"
	cp "$OUT/stdout" "$OUT/stderr" "$OUT/exit" "$CASE/expected/"
	rm -rf "$CASE/expected/tree"
	if [ -d "$CASE/in" ] && ! diff -r "$CASE/in" "$TMP/tree" >/dev/null 2>&1; then
		cp -a "$TMP/tree" "$CASE/expected/tree"
	fi
	for f in "$OUT"/*.patch; do [ -f "$f" ] && cp "$f" "$CASE/expected/"; done
	echo "UPDATED [$CASE]: review the new expectations; failing on purpose"
	exit 1
fi

for f in stdout stderr exit; do
	if [ -f "$CASE/expected/$f" ]; then
		diff -u "$CASE/expected/$f" "$OUT/$f" || bad "$f differs"
	else
		bad "missing expected/$f (run with CAPFIX_GOLDEN_UPDATE=1)"
	fi
done
# the tree after the run: expected/tree, or unchanged input when absent
want=$CASE/expected/tree
[ -d "$want" ] || want=$CASE/in
if [ -d "$want" ]; then
	diff -r "$want" "$TMP/tree" >"$OUT/tree.diff" 2>&1 || { cat "$OUT/tree.diff"; bad "tree differs"; }
fi
for f in "$CASE"/expected/*.patch; do
	[ -f "$f" ] || continue
	diff -u "$f" "$OUT/$(basename "$f")" || bad "$(basename "$f") differs"
done

# The mode options of the case (not its paths or output options), for the invariants.
MODE=()
i=1
while [ $i -lt ${#ARGS[@]} ]; do
	a=${ARGS[$i]}
	case $a in
	--backout) i=$((i + 1)) ;;
	--diff | --check | -q | --quiet | -v | --verbose) ;;
	--deny | --config | --exclude | --unknown-images) MODE+=("$a" "${ARGS[$((i + 1))]}"); i=$((i + 1)) ;;
	-*) MODE+=("$a") ;;
	esac
	i=$((i + 1))
done

# Any command that wrote a backout patch: it restores the input.
if [ "${ARGS[0]}" != fix ] && [ -s "$OUT/backout.patch" ] && [ -d "$CASE/in" ]; then
	rm -rf "$TMP/back" && cp -a "$TMP/tree" "$TMP/back"
	(cd "$TMP/back" && git apply --whitespace=nowarn "$OUT/backout.patch") || bad "git apply backout failed"
	diff -r -x emitted "$CASE/in" "$TMP/back" >/dev/null || bad "backout does not restore the input"
fi

# Invariants of every `fix` case that wrote files.
if [ "${ARGS[0]}" = fix ] && [ -d "$CASE/in" ] && ! diff -r "$CASE/in" "$TMP/tree" >/dev/null 2>&1; then
	# the backout patch restores the input bytes (git apply and patch -p1)
	if [ -f "$OUT/backout.patch" ]; then
		for tool in git patch; do
			rm -rf "$TMP/back" && cp -a "$TMP/tree" "$TMP/back"
			if [ $tool = git ]; then
				(cd "$TMP/back" && git apply --whitespace=nowarn "$OUT/backout.patch") || bad "git apply backout failed"
			else
				(cd "$TMP/back" && patch -s -p1 <"$OUT/backout.patch") || bad "patch -p1 backout failed"
			fi
			diff -r "$CASE/in" "$TMP/back" >/dev/null || bad "backout ($tool) does not restore the input"
		done
	fi
	# a second run changes nothing
	(cd "$TMP/tree" && "$CAPFIX" fix "${MODE[@]}" --check . >"$OUT/second" 2>/dev/null)
	grep -q '^would fix' "$OUT/second" && { cat "$OUT/second"; bad "second run would change files"; }
	# --diff on the input, applied with patch -p1, gives the same tree
	rm -rf "$TMP/fwd" && cp -a "$CASE/in" "$TMP/fwd"
	(cd "$TMP/fwd" && "$CAPFIX" fix "${MODE[@]}" --diff . >"$OUT/fwd.patch" 2>/dev/null)
	(cd "$TMP/fwd" && patch -s -p1 <"$OUT/fwd.patch") || bad "patch -p1 of --diff failed"
	diff -r "$TMP/tree" "$TMP/fwd" >/dev/null || bad "--diff applied differs from the fixed tree"
fi

if [ $fail -eq 0 ]; then
	echo "golden $(basename "$CASE"): 1 passed, 0 failed"
fi
exit $fail
