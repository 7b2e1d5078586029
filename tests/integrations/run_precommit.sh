#!/usr/bin/env bash
# run_precommit.sh CAPFIX: the hooks of .pre-commit-hooks.yaml, run by pre-commit itself
# (`pre-commit try-repo` on this clone) in a temporary repository with a manifest that lacks
# drop ALL. Skips (exit 0 with a note) when pre-commit is not installed.
set -u
capfix=$(realpath "${1:?usage: run_precommit.sh CAPFIX}")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if ! command -v pre-commit >/dev/null; then
	echo "skip: pre-commit is not installed (Debian: apt-get install pre-commit)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL [$name]: $*"; fails=$((fails + 1)); }

# capfix on PATH, as the hooks expect; pre-commit's cache in the temporary directory
mkdir -p "$tmp/bin" && ln -s "$capfix" "$tmp/bin/capfix"
export PATH="$tmp/bin:$PATH" PRE_COMMIT_HOME="$tmp/cache" HOME="$tmp/home"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
mkdir -p "$HOME"
# try-repo needs a git repository with the hooks file committed: a snapshot of this clone's
hooks=$tmp/hooks
mkdir -p "$hooks" && cp "$root/.pre-commit-hooks.yaml" "$hooks/"
(cd "$hooks" && git init -q -b main . && git add -A && git commit -q -m hooks) || exit 1

repo() { # repo NAME: a fresh repository with one staged manifest that lacks drop ALL
	rm -rf "$tmp/r" && mkdir -p "$tmp/r" && cd "$tmp/r" && git init -q -b main .
	cat >web.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web # a comment that must survive
spec:
  containers:
  - name: app
    image: registry.example/app:1
YAML
	printf 'not: kubernetes\n' >other.yml
	git add -A
}

name=capfix-check
repo
pre-commit try-repo "$hooks" capfix-check --files web.yaml other.yml >"$tmp/out" 2>&1
rc=$?
[ $rc -ne 0 ] || fail "passed although web.yaml lacks drop ALL: $(cat "$tmp/out")"
grep -q 'capfix fix --check' "$tmp/out" || fail "the hook did not run: $(cat "$tmp/out")"
git diff --quiet || fail "--check changed a file"

name=capfix-fix
repo
pre-commit try-repo "$hooks" capfix-fix --files web.yaml other.yml >"$tmp/out" 2>&1
rc=$?
# pre-commit fails a hook that modified files (the user re-stages them), as for any fixer
[ $rc -ne 0 ] || fail "pre-commit did not report the modified file"
grep -q 'files were modified by this hook' "$tmp/out" || fail "no modification reported: $(cat "$tmp/out")"
grep -q -- '- ALL' web.yaml || fail "web.yaml was not fixed: $(cat web.yaml)"
grep -q 'a comment that must survive' web.yaml || fail "the comment was lost"
git add -A
pre-commit try-repo "$hooks" capfix-fix --files web.yaml other.yml >"$tmp/out" 2>&1 ||
	fail "a second run still changes files: $(cat "$tmp/out")"

name=capfix-scan
repo
pre-commit try-repo "$hooks" capfix-scan --files web.yaml >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "a medium finding failed the high threshold: $(cat "$tmp/out")"
cat >bad.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  containers:
  - name: app
    image: registry.example/app:1
    securityContext: {capabilities: {add: [SYS_ADMIN]}}
YAML
git add bad.yaml
pre-commit try-repo "$hooks" capfix-scan --files bad.yaml >"$tmp/out" 2>&1 &&
	fail "SYS_ADMIN did not fail the scan hook"
grep -q 'CF004' "$tmp/out" || fail "the finding is not shown: $(cat "$tmp/out")"

echo "pre-commit: $fails failures"
[ $fails -eq 0 ]
