#!/bin/sh
# run_fuzz.sh BUILD_DIR SECONDS [HARNESS...]
#
# Replay every regression input, then fuzz each harness (default: fix scan cfg policy)
# for SECONDS seconds, one after the other, in one process each (libFuzzer's
# fork mode with one job: crashes are saved and fuzzing goes on).
#
# BUILD_DIR is a CMake build with -DCAPFIX_FUZZ=ON (clang). The seed corpus is
# built at run time from tests/fuzz/seeds, the golden inputs and, when it is
# beside the clone, ../shared/corpus (never copied into the repository). New
# inputs libFuzzer finds accumulate in $FUZZ_WORK/corpus-HARNESS (default
# BUILD_DIR/fuzz-work), crashes in $FUZZ_WORK/artifacts-HARNESS/.
#
# Exit status: 0 when no regression input fails and no new crash was found.
set -u
build=${1:?usage: run_fuzz.sh BUILD_DIR SECONDS [HARNESS...]}
seconds=${2:?usage: run_fuzz.sh BUILD_DIR SECONDS [HARNESS...]}
shift 2
[ $# -gt 0 ] || set -- fix scan cfg policy
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
work=${FUZZ_WORK:-$build/fuzz-work}
max_len=${FUZZ_MAX_LEN:-16384}
mkdir -p "$work"
work=$(cd "$work" && pwd)
status=0
# a leak inside libfyaml 0.7.12 (see lsan.supp) is not ours to fix
export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# seeds: copied (flattened, by content hash) into one directory per run
seeds=$work/seeds
rm -rf "$seeds"
mkdir -p "$seeds"
add_seeds() {
	find "$@" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name stdin \) \
		-size -1024k 2>/dev/null | while IFS= read -r f; do
		h=$(sha1sum <"$f" | cut -c1-40)
		cp "$f" "$seeds/$h"
	done
}
add_seeds "$here/seeds"
for d in "$src"/golden/*/*; do
	[ -d "$d/in" ] && add_seeds "$d/in"
	[ -f "$d/stdin" ] && add_seeds "$d/stdin"
done
[ -d "$src/../shared/corpus" ] && add_seeds "$src/../shared/corpus"
echo "run_fuzz: $(ls "$seeds" | wc -l) seed inputs"

for h in "$@"; do
	bin=$build/tests/${h}_fuzz
	if [ ! -x "$bin" ]; then
		echo "run_fuzz: $bin not built (configure with -DCAPFIX_FUZZ=ON -DCMAKE_C_COMPILER=clang)" >&2
		exit 2
	fi
	corpus=$work/corpus-$h
	artifacts=$work/artifacts-$h
	mkdir -p "$corpus" "$artifacts"
	# 1. the regression inputs, every time
	regs=$(find "$here/regressions" -type f ! -name '*.md' 2>/dev/null | sort)
	if [ -n "$regs" ]; then
		# shellcheck disable=SC2086
		if ! "$bin" -timeout=30 -rss_limit_mb=2048 $regs >"$work/$h-regressions.log" 2>&1; then
			echo "run_fuzz: $h: a regression input fails: see $work/$h-regressions.log" >&2
			tail -40 "$work/$h-regressions.log" >&2
			status=1
			continue
		fi
		echo "run_fuzz: $h: $(echo "$regs" | wc -l) regression inputs pass"
	fi
	[ "$seconds" -gt 0 ] || continue
	# 2. fuzzing
	before=$(ls "$artifacts" | wc -l)
	echo "run_fuzz: $h: fuzzing for ${seconds}s (log: $work/$h.log)"
	"$bin" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
		-max_total_time="$seconds" -max_len="$max_len" -timeout=20 -rss_limit_mb=2048 \
		-dict="$here/k8s.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
		"$corpus" "$seeds" >"$work/$h.log" 2>&1
	grep -E '^#[0-9]+: cov' "$work/$h.log" | tail -1
	grep -E 'stat::|DONE|INFO: exiting' "$work/$h.log" | tail -8
	after=$(ls "$artifacts" | wc -l)
	if [ "$after" -gt "$before" ]; then
		echo "run_fuzz: $h: $((after - before)) new crash/timeout/oom inputs in $artifacts:" >&2
		ls -t "$artifacts" | head -$((after - before)) >&2
		status=1
	fi
done
exit $status
