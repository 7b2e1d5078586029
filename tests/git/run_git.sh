#!/usr/bin/env bash
# Git branch mode: `capfix fix --branch` in temporary repositories made here
# with the git CLI (no .git fixture is ever committed).
#   usage: run_git.sh CAPFIX
set -u
CAPFIX=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0
fail=0
bad() { echo "FAIL [$name]: $*"; fail=1; }
start() { name=$1; fail=0; cd "$TMP" || exit 1; }
finish() {
	if [ $fail -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# an isolated identity and configuration for git and capfix
export HOME=$TMP/home GIT_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME=$TMP/home/.config
mkdir -p "$HOME"
export GIT_AUTHOR_NAME="capfix bot" GIT_AUTHOR_EMAIL=bot@example.com
export GIT_COMMITTER_NAME="capfix bot" GIT_COMMITTER_EMAIL=bot@example.com
export GIT_AUTHOR_DATE="2026-01-02T03:04:05Z" GIT_COMMITTER_DATE="2026-01-02T03:04:05Z"
export SOURCE_DATE_EPOCH=1767323045

# make_repo DIR: manifests in two commits, then a dirty work tree and index
make_repo() {
	mkdir -p "$1" && cd "$1" || exit 1
	git init -q -b main .
	mkdir -p deploy/apps
	cp "$ROOT/examples/"* deploy/
	cp "$ROOT/golden/fix/0003-existing-security-context/in/pod.yaml" deploy/apps/pod.yaml
	printf '# notes\n' >README.md
	chmod +x deploy/db.yaml
	git add -A && git commit -q -m "first"
	cp "$ROOT/golden/fix/0010-crlf/in/crlf.yaml" deploy/apps/crlf.yaml
	git add -A && git commit -q -m "second"
	# dirty: a modified tracked manifest, a staged change, an untracked file
	printf '# local edit\n' >>deploy/web.yaml
	printf 'staged\n' >>README.md && git add README.md
	printf 'untracked\n' >scratch.txt
}

snapshot() {
	{
		git status --porcelain=v1 --untracked-files=all
		git rev-parse HEAD
		git symbolic-ref HEAD
		sha1sum .git/index
		find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 sha1sum
	} 2>&1
}

# export REV DIR: the tree of a commit as files
export_tree() {
	rm -rf "$2" && mkdir -p "$2" && git archive "$1" | tar -x -C "$2"
}

start basic
make_repo "$TMP/basic"
base=$(git rev-parse HEAD)
before=$(snapshot)
"$CAPFIX" fix --branch capfix/drop-caps --summary "$TMP/pr.md" --backout "$TMP/backout.patch" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] || { cat "$TMP/err"; bad "exit $rc"; }
[ "$(snapshot)" = "$before" ] || bad "the work tree, the index or HEAD changed"
[ "$(git rev-parse capfix/drop-caps^)" = "$base" ] || bad "the parent is not the base"
[ "$(git rev-list --count capfix/drop-caps)" = 3 ] || bad "not exactly one new commit"
grep -q '^capfix: created branch capfix/drop-caps' "$TMP/out" || bad "no confirmation line"
# commit contents = fix --diff applied to the base
export_tree "$base" "$TMP/base-tree"
(cd "$TMP/base-tree" && "$CAPFIX" fix --diff . >"$TMP/fwd.patch" 2>/dev/null)
export_tree "$base" "$TMP/want" && (cd "$TMP/want" && git apply "$TMP/fwd.patch") || bad "fix --diff does not apply"
export_tree capfix/drop-caps "$TMP/got"
diff -r "$TMP/want" "$TMP/got" >/dev/null || bad "the commit differs from fix --diff applied to the base"
# git diff base NAME = the patch
git diff "$base" capfix/drop-caps >"$TMP/gitdiff.patch"
diff -u "$TMP/fwd.patch" "$TMP/gitdiff.patch" >/dev/null || bad "git diff base branch differs from fix --diff"
# the executable bit survives
[ "$(git ls-tree capfix/drop-caps deploy/db.yaml | cut -c1-6)" = 100755 ] || bad "file mode lost"
# the dirty work tree was not used: the branch has the base version, fixed
git show capfix/drop-caps:deploy/web.yaml | grep -q '# local edit' && bad "the work tree leaked into the commit"
# the backout patch gives the base back, with git apply and patch -p1
export_tree capfix/drop-caps "$TMP/back-git" && (cd "$TMP/back-git" && git apply "$TMP/backout.patch") || bad "git apply backout failed"
diff -r "$TMP/base-tree" "$TMP/back-git" >/dev/null || bad "backout (git apply) does not give the base"
export_tree capfix/drop-caps "$TMP/back-patch" && (cd "$TMP/back-patch" && patch -s -p1 <"$TMP/backout.patch") || bad "patch -p1 backout failed"
diff -r "$TMP/base-tree" "$TMP/back-patch" >/dev/null || bad "backout (patch -p1) does not give the base"
grep -q '^| `deploy/web.yaml` | Deployment/web | nginx |' "$TMP/pr.md" || bad "summary lacks the workload table"
git log -1 --format=%B capfix/drop-caps | grep -q '^To back out: git revert' || bad "message lacks the backout advice"
git log -1 --format=%B capfix/drop-caps | grep -q 'CIS Kubernetes 1.6-1.20 5.2.7' || bad "message lacks the controls"
first_id=$(git rev-parse capfix/drop-caps)
finish

start existing-branch
cd "$TMP/basic" || exit 1
"$CAPFIX" fix --branch capfix/drop-caps >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 2 ] || bad "exit $rc, want 2"
grep -q -- '--force' "$TMP/err" || bad "the error does not say how to proceed"
[ "$(git rev-parse capfix/drop-caps)" = "$first_id" ] || bad "the branch moved"
finish

start deterministic
cd "$TMP/basic" || exit 1
"$CAPFIX" fix -q --force --branch capfix/drop-caps >/dev/null 2>&1 || bad "--force failed"
[ "$(git rev-parse capfix/drop-caps)" = "$first_id" ] || bad "same input and time, another commit id"
make_repo "$TMP/basic2" >/dev/null
"$CAPFIX" fix -q --branch capfix/drop-caps >/dev/null 2>&1
[ "$(git rev-parse capfix/drop-caps)" = "$first_id" ] || bad "another clone gives another commit id"
finish

start base-and-backout-in-commit
cd "$TMP/basic" || exit 1
"$CAPFIX" fix -q --base HEAD~1 --branch from-first --backout-in-commit ops/backout.patch --backout "$TMP/b2.patch" deploy >/dev/null 2>"$TMP/err" || { cat "$TMP/err"; bad "failed"; }
[ "$(git rev-parse from-first^)" = "$(git rev-parse HEAD~1)" ] || bad "the parent is not --base"
git show from-first:ops/backout.patch >"$TMP/in-commit.patch" || bad "no backout file in the commit"
cmp -s "$TMP/in-commit.patch" "$TMP/b2.patch" || bad "the stored backout differs from --backout"
git cat-file -e from-first:deploy/apps/crlf.yaml 2>/dev/null && bad "a file of the later commit appeared"
finish

start nothing-to-fix
mkdir -p "$TMP/clean" && cd "$TMP/clean" && git init -q -b main .
cp "$ROOT/golden/fix/0022-check-clean/in/b.yaml" . && git add -A && git commit -q -m clean
"$CAPFIX" fix --branch capfix/x >"$TMP/out" 2>&1
rc=$?
[ $rc -eq 0 ] || bad "exit $rc"
grep -q 'nothing to fix' "$TMP/out" || bad "does not say so"
git show-ref --verify -q refs/heads/capfix/x && bad "a branch was created"
finish

start errors
cd "$TMP/basic" || exit 1
"$CAPFIX" fix --branch 'bad..name' >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'not a valid branch name' "$TMP/err" || bad "invalid branch name: exit $rc"
"$CAPFIX" fix --branch x /tmp >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'outside the repository' "$TMP/err" || bad "path outside: exit $rc"
"$CAPFIX" fix --branch x no/such/path >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'not in the base commit' "$TMP/err" || bad "missing path: exit $rc"
"$CAPFIX" fix --branch x --diff >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] || bad "--branch with --diff: exit $rc"
"$CAPFIX" fix --base HEAD >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] || bad "--base without --branch: exit $rc"
(unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
 "$CAPFIX" fix --branch no-identity >/dev/null 2>"$TMP/err"); rc=$?
[ $rc -eq 2 ] && grep -q 'cannot tell who' "$TMP/err" || bad "no identity: exit $rc"
git show-ref --verify -q refs/heads/no-identity && bad "a branch was created without identity"
(unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
 git config user.name "Config User" && git config user.email cfg@example.com &&
 "$CAPFIX" fix -q --branch from-config >/dev/null 2>&1) || bad "identity from git config failed"
[ "$(git log -1 --format=%an from-config)" = "Config User" ] || bad "git config identity not used"
mkdir -p "$TMP/empty" && cd "$TMP/empty" && git init -q .
"$CAPFIX" fix --branch x >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'no commits' "$TMP/err" || bad "empty repository: exit $rc"
git init -q --bare "$TMP/bare.git" && cd "$TMP/bare.git" || exit 1
"$CAPFIX" fix --branch x >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'bare' "$TMP/err" || bad "bare repository: exit $rc"
mkdir -p "$TMP/norepo" && cd "$TMP/norepo" || exit 1
GIT_CEILING_DIRECTORIES=$TMP "$CAPFIX" fix --branch x >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'not in a git repository' "$TMP/err" || bad "no repository: exit $rc"
finish

# A Helm chart's values.yaml: --branch fixes it as the in-place run does (it used to
# commit nothing: "nothing to fix"), from the chart's templates in the base commit.
start helm-values
mkdir -p "$TMP/chart" && cd "$TMP/chart" && git init -q -b main .
cp -a "$ROOT/golden/fix/0047-helm-values/in/." .
git add -A && git commit -q -m chart
base=$(git rev-parse HEAD)
"$CAPFIX" fix -q --branch capfix/values >"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc -eq 0 ] || { cat "$TMP/err"; bad "exit $rc"; }
git show-ref --verify -q refs/heads/capfix/values || bad "no branch: $(cat "$TMP/out")"
export_tree "$base" "$TMP/chart-want" && (cd "$TMP/chart-want" && "$CAPFIX" fix -q . >/dev/null 2>&1)
export_tree capfix/values "$TMP/chart-got" 2>/dev/null
diff -r "$TMP/chart-want" "$TMP/chart-got" >/dev/null || bad "the commit differs from the in-place fix of values.yaml"
git diff --quiet "$base" capfix/values -- charts/app/values.yaml && bad "values.yaml not fixed"
finish

# A branch checked out in the main work tree or a linked one is never moved (git refuses it too):
# `--branch main --force` used to move HEAD's branch under the checkout
start checked-out
make_repo "$TMP/co" >/dev/null
git worktree add -q "$TMP/co-linked" -b side
main_id=$(git rev-parse main)
side_id=$(git rev-parse side)
"$CAPFIX" fix -q --branch main --force >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] || bad "--branch main --force on the checked-out branch: exit $rc, want 2"
grep -q "checked out in the work tree at $TMP/co" "$TMP/err" || bad "the error does not name the work tree: $(cat "$TMP/err")"
"$CAPFIX" fix -q --branch side --force >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && grep -q "checked out in the work tree at $TMP/co-linked" "$TMP/err" || bad "the linked work tree's branch: exit $rc: $(cat "$TMP/err")"
(cd "$TMP/co-linked" && "$CAPFIX" fix -q --branch main --force >/dev/null 2>"$TMP/err"); rc=$?
[ $rc -eq 2 ] && grep -q "checked out in the work tree at $TMP/co" "$TMP/err" || bad "from the linked work tree: exit $rc: $(cat "$TMP/err")"
[ "$(git rev-parse main)" = "$main_id" ] && [ "$(git rev-parse side)" = "$side_id" ] || bad "a checked-out branch moved"
"$CAPFIX" fix -q --branch other >/dev/null 2>&1 || bad "another branch name failed"
finish

# --backout-in-commit takes a new file path inside the repository: it used to replace a manifest
# with the patch (exit 0), make x/x of x/, and fail inside libgit2 for ../../x (exit 4)
start backout-path
cd "$TMP/co" || exit 1
for p in deploy/web.yaml deploy deploy/web.yaml/x x/ ../../x ./x a//b /tmp/x .git/x; do
	"$CAPFIX" fix -q --branch "bp-$RANDOM" --backout-in-commit "$p" >/dev/null 2>"$TMP/err"; rc=$?
	[ $rc -eq 2 ] && grep -q -- '--backout-in-commit' "$TMP/err" || bad "--backout-in-commit '$p': exit $rc: $(cat "$TMP/err")"
done
[ -z "$(git branch --list 'bp-*')" ] || bad "a branch was created for a refused path"
"$CAPFIX" fix -q --branch bp-ok --backout-in-commit ops/new/backout.patch >/dev/null 2>&1 || bad "a new path was refused"
git cat-file -e bp-ok:ops/new/backout.patch 2>/dev/null || bad "the backout patch is not at its path"
finish

# A locked ref: the error names the lock file (libgit2 leaves the reason empty)
start locked-ref
cd "$TMP/co" || exit 1
: >.git/refs/heads/locked.lock
"$CAPFIX" fix -q --branch locked >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 4 ] || bad "locked ref: exit $rc, want 4"
grep -q "lock file $TMP/co/.git/refs/heads/locked.lock exists" "$TMP/err" || bad "the lock file is not named: $(cat "$TMP/err")"
grep -q ': $' "$TMP/err" && bad "a message ends with an empty reason"
rm -f .git/refs/heads/locked.lock
finish

# A repository owned by someone else: say what git says and how to allow it (needs root to chown)
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	start not-owned
	cp -a "$TMP/co" "$TMP/owned" && chown -R nobody "$TMP/owned"
	(cd "$TMP/owned" && "$CAPFIX" fix -q --branch x >/dev/null 2>"$TMP/err"); rc=$?
	[ $rc -eq 2 ] || bad "exit $rc, want 2"
	grep -q "owned by someone else" "$TMP/err" && grep -q "safe.directory $TMP/owned\$" "$TMP/err" || bad "the message: $(cat "$TMP/err")"
	git config --global --add safe.directory "$TMP/owned"
	(cd "$TMP/owned" && "$CAPFIX" fix -q --branch x >/dev/null 2>"$TMP/err") || bad "allowed by safe.directory, it still failed: $(cat "$TMP/err")"
	finish
fi

echo "git: $passed passed, $failed failed"
[ $failed -eq 0 ]
