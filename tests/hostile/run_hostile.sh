#!/bin/sh
# run_hostile.sh CAPFIX
#
# capfix fix and scan on hostile trees: symbolic links out of the root, in
# loops and to manifests; FIFOs and device files (nothing may block);
# paths near PATH_MAX and beyond; names with newlines, escape characters or
# invalid UTF-8; very deep directories; .git. Every run is bounded in time
# (timeout) and must not follow anything out of the tree, replace a link by a
# file, or print a line that a name forged.
set -u
capfix=${1:?usage: run_hostile.sh CAPFIX}
case $capfix in /*) ;; *) capfix=$(pwd)/$capfix ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/capfix-hostile.XXXXXX")
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
cases=0
T=20 # seconds any single run may take

manifest() {
	cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $1
spec:
  containers:
  - name: c
    image: registry.example/app:1
YAML
}

fail() {
	echo "FAIL [$name]: $*" >&2
	fails=$((fails + 1))
	ok=0
}

# start NAME: a new case
start() {
	name=$1
	cases=$((cases + 1))
	ok=1
}

report() {
	if [ $ok = 1 ]; then
		echo "ok   $name"
	else
		sed 's/^/    stdout: /' "$tmp/out" >&2
		sed 's/^/    stderr: /' "$tmp/err" >&2
	fi
}

# cf EXPECTED_RC ARGS...: run capfix in $w with a time limit
cf() {
	want=$1
	shift
	(cd "$w" && timeout $T "$capfix" "$@" >"$tmp/out" 2>"$tmp/err")
	rc=$?
	[ $rc = 124 ] && fail "capfix $* did not finish within ${T}s (blocked?)"
	[ $rc = "$want" ] || fail "capfix $*: exit $rc, expected $want"
	if grep -q 'AddressSanitizer\|runtime error\|BUG' "$tmp/err"; then
		fail "sanitizer report or BUG"
	fi
}

has_drop_all() {
	grep -q 'ALL' "$1"
}

# ---- symbolic links ----
start "symbolic links out of the root, to files and directories"
w=$tmp/links
mkdir -p "$w/tree/sub" "$w/outside/dir"
manifest victim >"$w/outside/victim.yaml"
manifest victim2 >"$w/outside/dir/v.yaml"
cp "$w/outside/victim.yaml" "$tmp/victim.orig"
cp "$w/outside/dir/v.yaml" "$tmp/victim2.orig"
manifest inside >"$w/tree/inside.yaml"
ln -s ../outside/victim.yaml "$w/tree/out.yaml"
ln -s "$w/outside/victim.yaml" "$w/tree/abs.yaml"
ln -s ../../outside/dir "$w/tree/sub/outdir"
ln -s / "$w/tree/root"
cf 0 fix --no-config tree
cmp -s "$tmp/victim.orig" "$w/outside/victim.yaml" || fail "a file outside the root was changed"
cmp -s "$tmp/victim2.orig" "$w/outside/dir/v.yaml" || fail "a file outside the root was changed"
[ -L "$w/tree/out.yaml" ] && [ "$(readlink "$w/tree/out.yaml")" = ../outside/victim.yaml ] ||
	fail "tree/out.yaml is no longer the same link"
[ -L "$w/tree/abs.yaml" ] || fail "tree/abs.yaml is no longer a link"
has_drop_all "$w/tree/inside.yaml" || fail "tree/inside.yaml was not fixed"
grep -q 'fixed tree/inside.yaml' "$tmp/out" || fail "no line for tree/inside.yaml"
[ "$(grep -c '^fixed' "$tmp/out")" = 1 ] || fail "more than one file fixed"
cf 1 scan --format json -o report.json tree
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [f["path"] for f in d["files"]] == ["tree/inside.yaml"], d["files"]' \
	"$w/report.json" || fail "scan looked at more than tree/inside.yaml"
report

start "symbolic link loops"
w=$tmp/loops
mkdir -p "$w/tree/d"
manifest l >"$w/tree/d/l.yaml"
ln -s self.yaml "$w/tree/self.yaml"
ln -s b.yaml "$w/tree/a.yaml"
ln -s a.yaml "$w/tree/b.yaml"
ln -s .. "$w/tree/d/up"
ln -s . "$w/tree/d/here"
cf 0 fix --no-config tree
has_drop_all "$w/tree/d/l.yaml" || fail "tree/d/l.yaml was not fixed"
[ -L "$w/tree/self.yaml" ] && [ -L "$w/tree/a.yaml" ] && [ -L "$w/tree/d/up" ] || fail "a link changed"
cf 1 scan tree
report

start "a symbolic link to a manifest inside the tree"
w=$tmp/inlink
mkdir -p "$w/tree"
manifest real >"$w/tree/real.yaml"
ln -s real.yaml "$w/tree/link.yaml"
cf 0 fix --no-config tree
[ -L "$w/tree/link.yaml" ] && [ "$(readlink "$w/tree/link.yaml")" = real.yaml ] ||
	fail "tree/link.yaml is no longer the same link"
has_drop_all "$w/tree/real.yaml" || fail "tree/real.yaml was not fixed"
[ "$(grep -c '^fixed' "$tmp/out")" = 1 ] || fail "the manifest was fixed twice"
report

start "a symbolic link named on the command line is skipped with a warning"
w=$tmp/rootlink
mkdir -p "$w/tree"
manifest real >"$w/tree/real.yaml"
cp "$w/tree/real.yaml" "$tmp/real.orig"
ln -s real.yaml "$w/tree/link.yaml"
ln -s tree "$w/treelink"
cf 0 fix --no-config tree/link.yaml
grep -q 'tree/link.yaml: warning: is a symbolic link' "$tmp/err" || fail "no warning for the link"
[ -L "$w/tree/link.yaml" ] || fail "tree/link.yaml is no longer a link"
cmp -s "$tmp/real.orig" "$w/tree/real.yaml" || fail "the link's target was changed"
cf 0 fix --no-config treelink
[ -L "$w/treelink" ] || fail "treelink is no longer a link"
cmp -s "$tmp/real.orig" "$w/tree/real.yaml" || fail "a file below a linked root was changed"
report

start "scan -o and fix --backout write through links and devices"
w=$tmp/outlinks
mkdir -p "$w/tree" "$w/reports"
manifest r >"$w/tree/r.yaml"
echo old >"$w/reports/scan.json"
ln -s reports/scan.json "$w/scan.json"
ln -s /dev/null "$w/null.patch"
cf 1 scan --format json -o scan.json tree
[ -L "$w/scan.json" ] || fail "the -o link was replaced by a file"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$w/reports/scan.json" ||
	fail "the report did not reach the link's target"
cf 0 fix --no-config --backout null.patch tree
[ -L "$w/null.patch" ] && [ "$(readlink "$w/null.patch")" = /dev/null ] ||
	fail "the --backout link to /dev/null was replaced"
[ -c /dev/null ] || fail "/dev/null is no longer a device"
report

# ---- FIFOs and devices ----
start "FIFOs in the tree are skipped and never opened"
w=$tmp/fifo
mkdir -p "$w/tree"
manifest f >"$w/tree/ok.yaml"
mkfifo "$w/tree/fifo.yaml" "$w/tree/fifo.json"
cf 0 fix --no-config tree
has_drop_all "$w/tree/ok.yaml" || fail "tree/ok.yaml was not fixed"
[ -p "$w/tree/fifo.yaml" ] || fail "the FIFO was replaced"
cf 1 scan tree
cf 3 fix --no-config tree/fifo.yaml
grep -q 'fifo.yaml: error: not a regular file or directory' "$tmp/err" || fail "no clear error"
cf 3 scan tree/fifo.yaml
report

start "a FIFO as configuration file does not block"
w=$tmp/fifocfg
mkdir -p "$w/tree"
manifest f >"$w/tree/ok.yaml"
mkfifo "$w/.capfix.yaml" "$w/cfg.fifo"
cp "$w/tree/ok.yaml" "$tmp/ok.orig"
cf 2 fix tree
grep -q '\.capfix\.yaml: not a regular file' "$tmp/err" || fail "no clear error for .capfix.yaml"
cf 2 fix --config cfg.fifo tree
cmp -s "$tmp/ok.orig" "$w/tree/ok.yaml" || fail "files changed despite a configuration error"
report

start "device files"
w=$tmp/dev
mkdir -p "$w/tree"
manifest d >"$w/tree/ok.yaml"
if mknod "$w/tree/zero.yaml" c 1 5 2>/dev/null; then
	cf 0 fix --no-config tree
	[ -c "$w/tree/zero.yaml" ] || fail "the device node was replaced"
	cf 1 scan tree
else
	echo "     (mknod not permitted: device nodes inside the tree not tested)"
fi
cf 3 fix --no-config /dev/zero
grep -q '/dev/zero: error: not a regular file' "$tmp/err" || fail "no clear error for /dev/zero"
cf 3 scan /dev/zero /dev/null
cf 2 fix --config /dev/zero tree
grep -q 'not a regular file' "$tmp/err" || fail "no clear error for --config /dev/zero"
# stdin that never ends: bounded by --max-file-size
(cd "$w" && timeout $T "$capfix" scan --max-file-size 1M - </dev/zero >"$tmp/out" 2>"$tmp/err")
rc=$?
[ $rc = 3 ] || fail "scan - </dev/zero: exit $rc, expected 3"
grep -q 'larger than' "$tmp/err" "$tmp/out" || fail "scan - </dev/zero: no size message"
report

# ---- long paths ----
start "paths near PATH_MAX and beyond"
w=$tmp/long
mkdir -p "$w/tree"
# built with directory descriptors: no path handed to the kernel exceeds PATH_MAX
python3 - "$w/tree" <<'PY' || fail "cannot build the deep tree"
import os, sys
comp = "d" * 200
doc = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  containers:\n  - name: c\n    image: i\n"
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
for depth in range(21):  # tree/ + 19 * 201 = 3824 characters; 21 levels: 4226
    if depth == 19:
        f = os.open("near.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(f, (doc % "near").encode())
        os.close(f)
    os.mkdir(comp, dir_fd=fd)
    nfd = os.open(comp, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
    os.close(fd)
    fd = nfd
f = os.open("far.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
os.write(f, (doc % "far").encode())
os.close(f)
PY
manifest short >"$w/tree/short.yaml"
cf 3 fix --no-config tree
grep -q 'File name too long' "$tmp/err" || fail "no clear error for the path beyond PATH_MAX"
grep -q '^fixed tree/short.yaml' "$tmp/out" || fail "tree/short.yaml was not fixed"
grep -q '^fixed tree/d*/.*near.yaml' "$tmp/out" || fail "the file just below PATH_MAX was not fixed"
cf 3 scan tree
report

start "a 255-character file name"
w=$tmp/longname
mkdir -p "$w/tree"
long=$(printf 'n%.0s' $(seq 1 250)).yaml
manifest ln >"$w/tree/$long"
cf 0 fix --no-config tree
has_drop_all "$w/tree/$long" || fail "the file was not fixed"
[ -z "$(find "$w/tree" -name '.*.capfix-*')" ] || fail "temporary files left"
report

start "very deep directories"
w=$tmp/deep
mkdir -p "$w/tree"
(cd "$w/tree" && i=0 && while [ $i -lt 300 ]; do mkdir d && cd d || exit 1; i=$((i + 1)); done &&
	manifest deep >deep.yaml)
manifest top >"$w/tree/top.yaml"
cf 3 fix --no-config tree
grep -q 'directory tree too deep' "$tmp/err" || fail "no clear error for the depth"
has_drop_all "$w/tree/top.yaml" || fail "tree/top.yaml was not fixed"
report

# ---- names ----
start "names with newlines and escape characters are skipped, not printed raw"
w=$tmp/names
mkdir -p "$w/tree"
nl=$(printf 'a\nfixed forged.yaml:1:1: note: forged\n::error::forged\nb.yaml')
esc=$(printf 'e\033[2Jx.yaml')
manifest nl >"$w/tree/$nl"
manifest esc >"$w/tree/$esc"
mkdir "$w/tree/$(printf 'dir\nname')"
manifest indir >"$w/tree/$(printf 'dir\nname')/x.yaml"
manifest ok >"$w/tree/ok.yaml"
cp "$w/tree/$nl" "$tmp/nl.orig"
cf 0 fix --no-config tree
grep -q 'forged' "$tmp/out" "$tmp/err" && ! grep -q 'a\\nfixed forged' "$tmp/err" &&
	fail "a forged line reached the output"
grep -q '^::error' "$tmp/out" "$tmp/err" && fail "a workflow command reached the output"
grep -q "$(printf '\033')" "$tmp/out" "$tmp/err" && fail "an escape character reached the output"
grep -q 'control character' "$tmp/err" || fail "no warning for the skipped names"
cmp -s "$tmp/nl.orig" "$w/tree/$nl" || fail "the file with a newline in its name was edited"
has_drop_all "$w/tree/ok.yaml" || fail "tree/ok.yaml was not fixed"
cf 1 scan --format sarif -o out.sarif tree  # skipped names are warnings (as for fix), findings: 1
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$w/out.sarif" || fail "invalid SARIF"
report

start "names with invalid UTF-8: fixed, patches apply, JSON and SARIF stay valid"
w=$tmp/utf8
mkdir -p "$w/tree"
bad=$(printf 'caf\351.yaml')
manifest latin1 >"$w/tree/$bad"
manifest sp >"$w/tree/with space.yaml"
cp -R "$w/tree" "$tmp/utf8.orig"
cf 0 fix --no-config --diff tree
cp "$tmp/out" "$w/fix.diff"
cf 0 fix --no-config --backout backout.patch tree
has_drop_all "$w/tree/$bad" || fail "the file was not fixed"
(cd "$w" && git apply --check -R fix.diff 2>"$tmp/err") || fail "git apply -R of the --diff output fails"
(cd "$w" && git apply backout.patch 2>"$tmp/err") || fail "git apply of the backout patch fails"
diff -r "$tmp/utf8.orig" "$w/tree" >/dev/null || fail "the backout did not restore the tree"
cf 1 scan --format json -o out.json tree
python3 - "$w/out.json" <<'PY' || fail "the JSON report lost the file or is invalid"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
paths = sorted(f["path"] for f in d["files"])
assert paths == ["tree/caf\ufffd.yaml", "tree/with space.yaml"], paths
assert any(f["path"] == "tree/caf\ufffd.yaml" for f in d["findings"]), "no finding for the file"
PY
cf 1 scan --format sarif -o out.sarif tree
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any("caf%E9" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in d["runs"][0]["results"])' \
	"$w/out.sarif" || fail "the SARIF report lost the file"
report

# ---- .git and unreadable directories ----
start ".git is never entered"
w=$tmp/git
mkdir -p "$w/tree/.git/objects" "$w/tree/app"
manifest g >"$w/tree/.git/objects/x.yaml"
cp "$w/tree/.git/objects/x.yaml" "$tmp/g.orig"
manifest app >"$w/tree/app/app.yaml"
cf 0 fix --no-config tree
cmp -s "$tmp/g.orig" "$w/tree/.git/objects/x.yaml" || fail "a file below .git was changed"
has_drop_all "$w/tree/app/app.yaml" || fail "tree/app/app.yaml was not fixed"
report

if [ "$(id -u)" != 0 ]; then
	start "an unreadable directory is an error, the rest is fixed"
	w=$tmp/unreadable
	mkdir -p "$w/tree/locked" "$w/tree/open"
	manifest x >"$w/tree/locked/x.yaml"
	manifest y >"$w/tree/open/y.yaml"
	chmod 000 "$w/tree/locked"
	cf 3 fix --no-config tree
	chmod 755 "$w/tree/locked"
	grep -q 'tree/locked: error: Permission denied' "$tmp/err" || fail "no clear error"
	has_drop_all "$w/tree/open/y.yaml" || fail "tree/open/y.yaml was not fixed"
	report
fi

# patch.c: libgit2 writes "--- a/with space.yaml" without the tab git adds after a
# name holding a space; without it GNU patch cuts the name at the space.
start "patch -p1 and git apply take the --diff of a name with a space"
w=$tmp/space
mkdir -p "$w/tree"
manifest sp >"$w/tree/with space.yaml"
cf 0 fix --no-config --diff tree
(cd "$w" && patch -p1 --dry-run <"$tmp/out" >/dev/null 2>&1) || fail "patch -p1 fails"
(cd "$w" && git apply --check "$tmp/out" >/dev/null 2>&1) || fail "git apply fails"
report

echo "hostile trees: $cases cases, $fails failures"
[ $fails = 0 ]
