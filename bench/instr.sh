#!/usr/bin/env bash
# Usage: bench/instr.sh [BUILD_DIR]
# Instruction counts (valgrind --tool=callgrind; stable whatever else the machine does) of
# `fix --drop-only --check`, `fix --check`, `scan` (each -j1) on the first 300 files of the
# seeded synthetic tree, and of `fix --drop-only -` on a seeded 2 MB stream, each next to
# libfyaml's bare event parse of the same bytes (capfix-bench-parse, built beside capfix).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
capfix=$build/capfix
parse=$build/capfix-bench-parse
gen=$here/../../shared/bench/gen_corpus.py
work=${CAPFIX_BENCH_DIR:-$(mktemp -d /tmp/capfix-instr.XXXXXX)}
[ -d "$work/sub" ] || python3 "$gen" dir "$work/sub" --files 300 >/dev/null
[ -f "$work/stream.yaml" ] || python3 "$gen" stream "$work/stream.yaml" --size-mb 2 >/dev/null

count() { # count CMD...: the instructions callgrind counted for CMD
	local out=$work/cg.out
	valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>"$work/cg.err" </dev/null || true
	awk '/^summary:/ { print $2 }' "$out"
}
count_stdin() { # count_stdin FILE CMD...
	local out=$work/cg.out in=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$out" "$@" <"$in" >/dev/null 2>"$work/cg.err" || true
	awk '/^summary:/ { print $2 }' "$out"
}
mapfile -t files < <(cd "$work" && find sub -type f | LC_ALL=C sort)
parse_tree=$(cd "$work" && count "$parse" "${files[@]}")
parse_stream=$(count_stdin "$work/stream.yaml" "$parse")
fix_check=$(cd "$work" && count "$capfix" fix --drop-only --check -q -j1 sub)
fix_default=$(cd "$work" && count "$capfix" fix --check -q -j1 sub)
scan=$(cd "$work" && count "$capfix" scan --fail-on none -j1 sub)
stream=$(count_stdin "$work/stream.yaml" "$capfix" fix --drop-only -q -j1 -)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3fx", a / b }'; }
printf '%-34s %14s %10s\n' run instructions "/ parse"
printf '%-34s %14s %10s\n' "parse (tree)" "$parse_tree" ""
printf '%-34s %14s %10s\n' "fix --drop-only --check (tree)" "$fix_check" "$(ratio "$fix_check" "$parse_tree")"
printf '%-34s %14s %10s\n' "fix --check (tree)" "$fix_default" "$(ratio "$fix_default" "$parse_tree")"
printf '%-34s %14s %10s\n' "scan (tree)" "$scan" "$(ratio "$scan" "$parse_tree")"
printf '%-34s %14s %10s\n' "parse (stream)" "$parse_stream" ""
printf '%-34s %14s %10s\n' "fix --drop-only - (stream)" "$stream" "$(ratio "$stream" "$parse_stream")"
[ -n "${CAPFIX_BENCH_DIR:-}" ] || rm -rf "$work"
