#!/bin/sh
# run_faults.sh CAPFIX LIBINJECT
#
# `capfix fix` (and scan, explain) under injected failures (tests/faults/inject.c,
# preloaded): a full disk, I/O errors on close and rename, read-only
# directories, interrupted and short reads and writes, files that vanish or
# turn into FIFOs between the walk and the read, and standard output on
# /dev/full. Each case checks the exit code (README: 3 input, 4 write), that
# the error message names the file and the cause, that files not fixed are
# byte-identical to the originals, that fixed files equal a fault-free run,
# and that no temporary file (.*.capfix-*) is left behind.
set -u
capfix=${1:?usage: run_faults.sh CAPFIX LIBINJECT}
inject=${2:?usage: run_faults.sh CAPFIX LIBINJECT}
case $capfix in /*) ;; *) capfix=$(pwd)/$capfix ;; esac
case $inject in /*) ;; *) inject=$(pwd)/$inject ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/capfix-faults.XXXXXX")
trap 'umount "$tmp/small" 2>/dev/null; chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
cases=0

# A sanitizer build links its runtime dynamically (gcc): it must come first.
preload=$inject
asan=$(ldd "$capfix" 2>/dev/null | awk '/libasan/ { print $3 }')
[ -n "$asan" ] && preload="$asan $inject"


# the tree: two files to fix, one already in order
mkdir -p "$tmp/orig/sub"
cat >"$tmp/orig/a.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: a
spec:
  containers:
  - name: app
    image: registry.example/app:1
YAML
cat >"$tmp/orig/sub/b.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: b
spec:
  selector:
    matchLabels: {app: b}
  template:
    spec:
      containers:
      - name: web
        image: registry.example/web:2
        securityContext:
          runAsUser: 1000
YAML
cat >"$tmp/orig/c.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: c
spec:
  containers:
  - name: ok
    image: registry.example/ok:3
    securityContext:
      capabilities:
        drop: [ALL]
YAML
# the expected result of a fault-free run
cp -R "$tmp/orig" "$tmp/ref"
(cd "$tmp/ref" && "$capfix" fix --no-config -q . >/dev/null 2>&1)
if cmp -s "$tmp/orig/a.yaml" "$tmp/ref/a.yaml" || cmp -s "$tmp/orig/sub/b.yaml" "$tmp/ref/sub/b.yaml"; then
	echo "FAIL: the fault-free reference run did not fix a.yaml and sub/b.yaml" >&2
	exit 1
fi

fail() {
	echo "FAIL [$name]: $*" >&2
	fails=$((fails + 1))
	ok=0
}

# run NAME FAULT EXPECTED_RC STDERR_REGEX CAPFIX_ARGS...  (in a fresh copy of the tree, as cwd)
run() {
	name=$1 fault=$2 want=$3 msg=$4
	shift 4
	cases=$((cases + 1))
	ok=1
	w=$tmp/case$cases
	rm -rf "$w"
	cp -R "$tmp/orig" "$w"
	rm -f "$tmp/fault.log"
	# env after timeout: the preload (and a sanitizer runtime) is for capfix alone
	(cd "$w" && timeout 60 env CAPFIX_FAULT="$fault" CAPFIX_FAULT_LOG="$tmp/fault.log" \
		LD_PRELOAD="$preload" "$capfix" "$@" >"$tmp/out" 2>"$tmp/err")
	rc=$?
	[ "$rc" = "$want" ] || fail "exit $rc, expected $want"
	if [ -n "$msg" ] && ! grep -Eq "$msg" "$tmp/err"; then
		fail "stderr does not match /$msg/"
	fi
	if [ -n "$fault" ] && [ ! -s "$tmp/fault.log" ]; then
		fail "the fault '$fault' was never injected"
	fi
	if grep -q 'AddressSanitizer\|runtime error\|BUG' "$tmp/err"; then
		fail "sanitizer report or BUG"
	fi
	stray=$(find "$w" -name '.*.capfix-*')
	[ -z "$stray" ] || fail "temporary files left: $stray"
	if [ $ok = 0 ]; then
		sed 's/^/    stderr: /' "$tmp/err" >&2
		[ -s "$tmp/fault.log" ] && sed 's/^/    fault: /' "$tmp/fault.log" >&2
	fi
}

# same FILE... : each file is byte-identical to the original
same() {
	for f in "$@"; do
		if [ -L "$w/$f" ] || [ ! -f "$w/$f" ] || ! cmp -s "$tmp/orig/$f" "$w/$f"; then
			fail "$f is not the original file"
		fi
	done
}

# fixed FILE... : each file equals the fault-free run's
fixed() {
	for f in "$@"; do
		cmp -s "$tmp/ref/$f" "$w/$f" || fail "$f differs from the fault-free run"
	done
}

report() {
	[ $ok = 1 ] && echo "ok   $name"
}

F="fix --no-config -q ."

# ---- writing ----
run "ENOSPC writing the new file" "write:ENOSPC:path=.capfix-" 4 \
	'a\.yaml: error: No space left on device' $F
same a.yaml sub/b.yaml c.yaml; report

run "ENOSPC after short writes" "write:short:times=3:path=.capfix-;write:ENOSPC:path=.capfix-" 4 \
	'No space left on device' $F
same a.yaml sub/b.yaml c.yaml; report

run "EDQUOT writing" "write:EDQUOT:path=.capfix-" 4 'Disk quota exceeded' $F
same a.yaml sub/b.yaml c.yaml; report

run "short writes are completed" "write:short:path=.capfix-" 0 '' $F
fixed a.yaml sub/b.yaml c.yaml; report

run "EINTR on write is retried" "write:EINTR:times=2:path=.capfix-" 0 '' $F
fixed a.yaml sub/b.yaml c.yaml; report

run "EIO on close (NFS)" "close:EIO:path=.capfix-" 4 'a\.yaml: error: Input/output error' $F
same a.yaml sub/b.yaml c.yaml; report

run "EPERM on fchmod" "fchmod:EPERM:path=.capfix-" 4 'a\.yaml: error: Operation not permitted' $F
same a.yaml sub/b.yaml c.yaml; report

run "EIO on rename" "rename:EIO" 4 'a\.yaml: error: Input/output error' $F
same a.yaml sub/b.yaml c.yaml; report

run "EIO on one rename only" "rename:EIO:path=sub/b.yaml" 4 'sub/b\.yaml: error: Input/output error' $F
fixed a.yaml; same sub/b.yaml c.yaml; report

run "read-only file system (EROFS)" "mkstemp:EROFS" 4 \
	'a\.yaml: error: cannot create a temporary file: Read-only file system' $F
same a.yaml sub/b.yaml c.yaml; report

run "directory not writable (EACCES)" "mkstemp:EACCES:path=sub/" 4 \
	'sub/b\.yaml: error: cannot create a temporary file: Permission denied' $F
fixed a.yaml; same sub/b.yaml c.yaml; report

if [ "$(id -u)" != 0 ]; then
	# a real read-only directory (root would write anyway)
	cases=$((cases + 1))
	name="real read-only directory"
	ok=1
	w=$tmp/case$cases
	cp -R "$tmp/orig" "$w"
	chmod a-w "$w/sub"
	(cd "$w" && "$capfix" $F >"$tmp/out" 2>"$tmp/err")
	rc=$?
	chmod u+w "$w/sub"
	[ $rc = 4 ] || fail "exit $rc, expected 4"
	grep -q 'sub/b\.yaml: error: cannot create a temporary file: Permission denied' "$tmp/err" ||
		fail "no clear message"
	fixed a.yaml; same sub/b.yaml
	[ -z "$(find "$w" -name '.*.capfix-*')" ] || fail "temporary files left"
	report
fi

# a read-only file (no write bit) is refused, by root too: error, untouched, the rest fixed
cases=$((cases + 1))
name="a read-only file (mode 0444)"
ok=1
w=$tmp/case$cases
cp -R "$tmp/orig" "$w"
chmod 0444 "$w/a.yaml"
(cd "$w" && "$capfix" $F >"$tmp/out" 2>"$tmp/err")
rc=$?
[ $rc = 4 ] || fail "exit $rc, expected 4"
grep -q 'a\.yaml: error: read-only file (mode 0444): left unchanged' "$tmp/err" || fail "no clear message"
same a.yaml c.yaml; fixed sub/b.yaml
[ "$(stat -c %a "$w/a.yaml")" = 444 ] || fail "the mode of a.yaml changed"
[ -z "$(find "$w" -name '.*.capfix-*')" ] || fail "temporary files left"
[ $ok = 0 ] && sed 's/^/    stderr: /' "$tmp/err" >&2
report

# ---- a real full disk and a real read-only file system: a small tmpfs (root only) ----
small=$tmp/small
mkdir -p "$small"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k,mode=0755 capfix-faults "$small" 2>/dev/null; then
	# a.yaml (40 KB) cannot be rewritten in the 24 KB left; b.yaml (one page) can
	big() {
		cat "$tmp/orig/a.yaml"
		i=0
		while [ $i -lt 500 ]; do
			echo "# padding line $i: a long comment that makes this manifest big enough"
			i=$((i + 1))
		done
	}
	big >"$small/a.yaml"
	cp "$tmp/orig/sub/b.yaml" "$small/b.yaml"
	cp "$small/a.yaml" "$tmp/a-big.yaml"
	cases=$((cases + 1))
	name="a real full tmpfs (ENOSPC)"
	ok=1
	(cd "$small" && "$capfix" fix --no-config -q -j1 . >"$tmp/out" 2>"$tmp/err")
	rc=$?
	[ $rc = 4 ] || fail "exit $rc, expected 4"
	grep -q 'a\.yaml: error: No space left on device' "$tmp/err" || fail "no clear message"
	cmp -s "$tmp/a-big.yaml" "$small/a.yaml" || fail "a.yaml is not the original"
	cmp -s "$tmp/ref/sub/b.yaml" "$small/b.yaml" || fail "b.yaml was not fixed"
	[ -z "$(find "$small" -name '.*.capfix-*')" ] || fail "temporary files left"
	[ $ok = 0 ] && sed 's/^/    stderr: /' "$tmp/err" >&2
	report

	cases=$((cases + 1))
	name="a real read-only file system (EROFS)"
	ok=1
	cp "$tmp/orig/sub/b.yaml" "$small/b.yaml"
	rm -f "$small/a.yaml"
	mount -o remount,ro "$small"
	(cd "$small" && "$capfix" fix --no-config -q . >"$tmp/out" 2>"$tmp/err")
	rc=$?
	[ $rc = 4 ] || fail "exit $rc, expected 4"
	grep -q 'b\.yaml: error: cannot create a temporary file: Read-only file system' "$tmp/err" ||
		fail "no clear message"
	cmp -s "$tmp/orig/sub/b.yaml" "$small/b.yaml" || fail "b.yaml is not the original"
	[ $ok = 0 ] && sed 's/^/    stderr: /' "$tmp/err" >&2
	report
	umount "$small"
else
	echo "skip a real full tmpfs and a read-only mount (needs root and mount)"
fi

# ---- reading ----
run "EINTR on read is retried" "read:EINTR:times=3:path=.yaml" 0 '' $F
fixed a.yaml sub/b.yaml c.yaml; report

run "short reads are completed" "read:short:path=.yaml" 0 '' $F
fixed a.yaml sub/b.yaml c.yaml; report

run "EIO reading one file, the rest is fixed" "read:EIO:path=a.yaml" 3 \
	'a\.yaml: error: Input/output error' $F
same a.yaml c.yaml; fixed sub/b.yaml; report

run "unreadable file (EACCES)" "open:EACCES:path=a.yaml" 3 'a\.yaml: error: Permission denied' $F
same a.yaml c.yaml; fixed sub/b.yaml; report

run "out of file descriptors (EMFILE)" "open:EMFILE:path=b.yaml" 3 \
	'b\.yaml: error: Too many open files' $F
same sub/b.yaml c.yaml; fixed a.yaml; report

run "a file vanishes between the walk and the read" "open:vanish:path=b.yaml" 3 \
	'sub/b\.yaml: error: No such file or directory' $F
fixed a.yaml; same c.yaml
[ -e "$w/sub/b.yaml" ] && fail "sub/b.yaml was created again"
report

run "a file turns into a FIFO between the walk and the read" "open:fifo:path=b.yaml" 3 \
	'sub/b\.yaml: error: not a regular file' $F
fixed a.yaml; same c.yaml
[ -p "$w/sub/b.yaml" ] || fail "sub/b.yaml is no longer the FIFO"
report

run "config file unreadable" "open:EIO:path=.capfix.yaml" 2 '\.capfix\.yaml: Input/output error' \
	fix --config .capfix.yaml .
same a.yaml sub/b.yaml c.yaml; report

# ---- the backout patch and the reports ----
run "backout patch cannot be created" "open:ENOSPC:path=backout.patch" 4 \
	'backout\.patch: No space left on device' fix --no-config -q --backout backout.patch .
[ -e "$w/backout.patch" ] && fail "a partial backout.patch was left"
# the files are written only once the backout patch is: none may have changed
grep -q 'no file was changed (2 would have been)' "$tmp/err" || fail "no 'no file was changed' message"
same a.yaml sub/b.yaml c.yaml; report

run "one file cannot be written, with --backout" "rename:EIO:path=sub/b.yaml" 4 \
	'sub/b\.yaml: error: Input/output error' fix --no-config -q --backout backout.patch .
fixed a.yaml; same sub/b.yaml c.yaml
# the patch undoes exactly what was written: a.yaml, not the unwritten b.yaml
grep -q 'sub/b.yaml' "$w/backout.patch" && fail "the backout patch names the file that was not written"
(cd "$w" && git apply backout.patch) || fail "the backout patch does not apply"
same a.yaml sub/b.yaml c.yaml; report

# ---- races and signals (the exec action runs CAPFIX_FAULT_EXEC at a chosen call) ----
# an edit saved between the read and the replacement is never overwritten (exit 3)
export CAPFIX_FAULT_EXEC='printf "# saved by an editor\n" >>a.yaml'
run "a file edited while capfix runs" "mkstemp:exec:once:path=a.yaml" 3 \
	'a\.yaml: error: changed since capfix read it' fix --no-config -q -j1 .
tail -1 "$w/a.yaml" | grep -q '^# saved by an editor$' || fail "the edit was lost"
fixed sub/b.yaml; same c.yaml; report

# an edit between the read and the start of the replacement (the first comparison)
run "a file edited right after it was read" "close:exec:once:path=a.yaml" 3 \
	'a\.yaml: error: changed since capfix read it' fix --no-config -q -j1 .
tail -1 "$w/a.yaml" | grep -q '^# saved by an editor$' || fail "the edit was lost"
report

# a directory swapped for a link out of the tree after the walk: never followed
mkdir -p "$tmp/outside"
cp "$tmp/orig/sub/b.yaml" "$tmp/outside/b.yaml"
export CAPFIX_FAULT_EXEC="mv sub sub.moved && ln -s '$tmp/outside' sub"
run "a directory becomes a link to outside the tree" "open:exec:once:path=a.yaml" 3 \
	'sub/b\.yaml: error: a directory on the way is now a symbolic link' fix --no-config -q -j1 .
cmp -s "$tmp/outside/b.yaml" "$tmp/orig/sub/b.yaml" || fail "a file outside the tree was rewritten"
[ -L "$w/sub" ] || fail "the link was replaced"
fixed a.yaml; report

# a file swapped for a link to another file before the rename: left alone
printf 'secret: 1\n' >"$tmp/victim"
chmod 600 "$tmp/victim"
export CAPFIX_FAULT_EXEC="mv a.yaml a.moved && ln -s '$tmp/victim' a.yaml"
run "a file becomes a link before the rename" "mkstemp:exec:once:path=a.yaml" 3 \
	'a\.yaml: error: changed since capfix read it' fix --no-config -q -j1 .
[ -L "$w/a.yaml" ] || fail "the link was replaced by a regular file"
[ "$(cat "$tmp/victim")" = "secret: 1" ] || fail "the link's target was changed"
[ "$(stat -c %a "$tmp/victim")" = 600 ] || fail "the target's mode changed"
report

# SIGTERM while the second file is being replaced: the first stays fixed, the second and
# third are left as they were, no temporary file, exit 143, and the backout patch covers
# exactly the files written
export CAPFIX_FAULT_EXEC='kill -TERM $PPID'
run "SIGTERM during a run with --backout" "mkstemp:exec:once:path=b.yaml" 143 \
	'interrupted by SIGTERM' fix --no-config -q -j1 --backout backout.patch .
fixed a.yaml; same sub/b.yaml c.yaml
grep -q 'sub/b.yaml' "$w/backout.patch" && fail "the backout patch names a file that was not written"
(cd "$w" && git apply backout.patch) || fail "the backout patch does not apply"
same a.yaml; report

for sig in INT:130 HUP:129; do
	export CAPFIX_FAULT_EXEC="kill -${sig%:*} \$PPID"
	run "SIG${sig%:*} during a run" "mkstemp:exec:once:path=b.yaml" "${sig#*:}" \
		"interrupted by SIG${sig%:*}" fix --no-config -q -j1 .
	fixed a.yaml; same sub/b.yaml c.yaml; report
done
unset CAPFIX_FAULT_EXEC

# a temporary file that a killed run left is removed by the next run (and only that)
cases=$((cases + 1))
name="a killed run's temporary file is removed"
ok=1
w=$tmp/case$cases
cp -R "$tmp/orig" "$w"
printf 'partial' >"$w/sub/.b.yaml.capfix-Ab12Cd"
printf 'mine' >"$w/sub/.b.yaml.capfix-notours"
(cd "$w" && "$capfix" fix --no-config . >"$tmp/out" 2>"$tmp/err")
[ -e "$w/sub/.b.yaml.capfix-Ab12Cd" ] && fail "not removed"
[ -e "$w/sub/.b.yaml.capfix-notours" ] || fail "a file with another name was removed"
rm -f "$w/sub/.b.yaml.capfix-notours"
grep -q 'sub/.b.yaml.capfix-Ab12Cd: note: removed' "$tmp/err" || fail "not reported: $(cat "$tmp/err")"
fixed a.yaml sub/b.yaml c.yaml; report

# ---- the progress line: only for runs over a second, only when asked or on a terminal ----
export CAPFIX_FAULT_EXEC='sleep 1.2'
run "progress line (--progress, a slow run)" "open:exec:once:path=a.yaml" 0 \
	'capfix: [0-9]+/3 files, [0-9.]+ MB/s' fix --no-config -q -j1 --progress .
grep -q "$(printf '\r\033\\[K')" "$tmp/err" || fail "the progress line is not cleared"
report
run "no progress line when stderr is not a terminal" "open:exec:once:path=a.yaml" 0 '' \
	fix --no-config -q -j1 .
grep -q 'files, .*MB/s' "$tmp/err" && fail "a progress line on a file"
report
run "--no-progress" "open:exec:once:path=a.yaml" 0 '' fix --no-config -q -j1 --no-progress .
grep -q 'MB/s' "$tmp/err" && fail "a progress line despite --no-progress"
report
unset CAPFIX_FAULT_EXEC

# ---- metadata: extended attributes, POSIX ACLs, hard links ----
if command -v setfacl >/dev/null && command -v setfattr >/dev/null &&
	setfattr -n user.capfix -v probe "$tmp/orig/c.yaml" 2>/dev/null &&
	setfacl -m u:nobody:--- "$tmp/orig/c.yaml" 2>/dev/null; then
	setfattr -x user.capfix "$tmp/orig/c.yaml"
	setfacl -b "$tmp/orig/c.yaml"
	cases=$((cases + 1))
	name="extended attributes and ACLs survive the rewrite"
	ok=1
	w=$tmp/case$cases
	cp -R "$tmp/orig" "$w"
	setfattr -n user.origin -v vendored "$w/a.yaml"
	# a deny entry for a user and a read-only mask: the group class must not gain write
	setfacl -m u:nobody:---,g::rw-,m::r-- "$w/a.yaml"
	before=$(getfacl -cp "$w/a.yaml" 2>/dev/null)
	(cd "$w" && "$capfix" fix --no-config -q . >"$tmp/out" 2>"$tmp/err") || fail "exit $?: $(cat "$tmp/err")"
	fixed a.yaml
	[ "$(getfacl -cp "$w/a.yaml" 2>/dev/null)" = "$before" ] || fail "the ACL changed: $(getfacl -cp "$w/a.yaml")"
	[ "$(getfattr --only-values -n user.origin "$w/a.yaml" 2>/dev/null)" = vendored ] || fail "user.origin lost"
	report
else
	echo "skip extended attributes and ACLs (setfacl/setfattr missing or unsupported here)"
fi

case_links() {
	cases=$((cases + 1))
	name=$1
	ok=1
	w=$tmp/case$cases
	cp -R "$tmp/orig" "$w"
	ln "$w/a.yaml" "$w/a.yaml.link"
}
case_links "a file with another hard link is refused"
(cd "$w" && "$capfix" fix --no-config -q . >"$tmp/out" 2>"$tmp/err"); rc=$?
[ $rc = 4 ] || fail "exit $rc, expected 4"
grep -q 'a\.yaml: error: has 2 hard links; replacing it would break them' "$tmp/err" || fail "no clear message: $(cat "$tmp/err")"
same a.yaml; fixed sub/b.yaml; report
case_links "--break-hard-links replaces it"
(cd "$w" && "$capfix" fix --no-config -q --break-hard-links . >"$tmp/out" 2>"$tmp/err") || fail "exit $?"
fixed a.yaml sub/b.yaml
cmp -s "$w/a.yaml.link" "$tmp/orig/a.yaml" || fail "the other link changed"
report

run "scan report cannot be written (-o)" "open:EROFS:path=report.json" 4 \
	'report\.json: Read-only file system' scan --format json -o report.json .
[ -e "$w/report.json" ] && fail "a partial report.json was left"
report

run "scan: EINTR and short reads" "read:EINTR:times=2:path=.yaml;read:short:path=.yaml" 1 '' \
	scan --format json -o report.json .
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["summary"]["scanned"] == 3, d["summary"]' \
	"$w/report.json" || fail "the report does not count 3 scanned files"
report

# ---- standard output on a full device ----
if [ -w /dev/full ]; then
	for args in "fix --no-config --diff ." "fix --no-config --check ." "scan ." \
		"scan --format sarif ." "explain" "explain --format json NET_RAW"; do
		cases=$((cases + 1))
		name="$args >/dev/full"
		ok=1
		w=$tmp/case$cases
		cp -R "$tmp/orig" "$w"
		# shellcheck disable=SC2086
		(cd "$w" && timeout 60 "$capfix" $args >/dev/full 2>"$tmp/err")
		rc=$?
		[ $rc = 4 ] || fail "exit $rc, expected 4"
		grep -q 'write failure on standard output: No space left on device' "$tmp/err" ||
			fail "no clear message: $(cat "$tmp/err")"
		same a.yaml sub/b.yaml c.yaml
		report
	done
	# fix in place: the files are written, the summary on stdout is not
	cases=$((cases + 1))
	name="fix >/dev/full"
	ok=1
	w=$tmp/case$cases
	cp -R "$tmp/orig" "$w"
	(cd "$w" && "$capfix" fix --no-config . >/dev/full 2>"$tmp/err")
	rc=$?
	[ $rc = 4 ] || fail "exit $rc, expected 4"
	grep -q 'write failure on standard output' "$tmp/err" || fail "no clear message"
	fixed a.yaml sub/b.yaml c.yaml
	report
fi

echo "faults: $cases cases, $fails failures"
[ $fails = 0 ]
