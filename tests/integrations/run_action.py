#!/usr/bin/env python3
"""run_action.py CAPFIX: action.yml (the GitHub Action) checked and its shell steps run here.

The file must be a composite action whose inputs, steps and outputs fit together; then each
mode's steps run with bash as the runner would run them (inputs through the environment,
GITHUB_OUTPUT, GITHUB_PATH and RUNNER_TEMP as files and directories), in temporary
repositories: check fails on a manifest lacking drop ALL and passes once fixed; scan writes a
SARIF log and reports findings for the failing step; branch commits on a branch and pushes it to
a local "origin" (no pull request: CAPFIX_NO_PR=1, no network).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FAILS = []


def fail(msg):
    FAILS.append(msg)
    print("FAIL:", msg)


BAD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: registry.example/app:1
"""


def step(action, name):
    for s in action["runs"]["steps"]:
        if s.get("name") == name:
            return s
    fail(f"no step named {name!r}")
    return None


def expand(value, inputs):
    """The ${{ inputs.x }} / github.* expressions of an env value, as the runner gives them."""
    def sub(m):
        expr = m.group(1).strip()
        if expr.startswith("inputs."):
            return inputs[expr[len("inputs."):]]
        if expr == "github.action_path":
            return ROOT
        if expr == "github.token":
            return "token"
        return ""
    return re.sub(r"\$\{\{(.*?)\}\}", sub, str(value))


def run_step(action, name, inputs, cwd, env0):
    s = step(action, name)
    if not s:
        return None, {}
    assert s.get("shell") == "bash", f"{name}: shell is not bash"
    out = os.path.join(env0["RUNNER_TEMP"], "output")
    open(out, "w").close()
    env = dict(env0)
    env["GITHUB_OUTPUT"] = out
    for k, v in (s.get("env") or {}).items():
        env[k] = expand(v, inputs)
    r = subprocess.run(["bash", "-c", s["run"]], cwd=cwd, env=env, capture_output=True, text=True)
    outputs = dict(line.split("=", 1) for line in open(out).read().splitlines() if "=" in line)
    return r, outputs


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def main():
    capfix = os.path.realpath(sys.argv[1])
    action = yaml.safe_load(open(os.path.join(ROOT, "action.yml")))
    # ---- the file ----
    if action["runs"]["using"] != "composite":
        fail("not a composite action")
    inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    for want in ("mode", "paths", "args", "fail-on", "sarif-file", "branch", "token"):
        if want not in inputs:
            fail(f"input {want} missing")
    used = set()
    for s in action["runs"]["steps"]:
        text = yaml.safe_dump(s)
        used |= set(re.findall(r"inputs\.([a-z-]+)", text))
        if "run" in s and "${{" in s["run"]:
            fail(f"step {s['name']!r}: an expression inside the script (inputs go through env)")
    for u in used:
        if u not in inputs:
            fail(f"a step uses the undeclared input {u}")
    upload = step(action, "Upload SARIF")
    if upload and not upload.get("uses", "").startswith("github/codeql-action/upload-sarif@"):
        fail("the SARIF upload does not use github/codeql-action/upload-sarif")
    # ---- the steps, run here ----
    tmp = tempfile.mkdtemp()
    try:
        bindir = os.path.join(tmp, "bin")
        os.makedirs(bindir)
        os.symlink(capfix, os.path.join(bindir, "capfix"))
        rt = os.path.join(tmp, "runner")
        os.makedirs(rt)
        env0 = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"], RUNNER_TEMP=rt,
                    GITHUB_PATH=os.path.join(rt, "path"), HOME=tmp,
                    GIT_AUTHOR_NAME="bot", GIT_AUTHOR_EMAIL="bot@example.com",
                    GIT_COMMITTER_NAME="bot", GIT_COMMITTER_EMAIL="bot@example.com")
        repo = os.path.join(tmp, "repo")
        os.makedirs(os.path.join(repo, "deploy"))
        with open(os.path.join(repo, "deploy", "web.yaml"), "w") as f:
            f.write(BAD)
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "init")
        # the build step finds capfix on PATH and builds nothing
        r, _ = run_step(action, "Build capfix", inputs, repo, env0)
        if r.returncode != 0:
            fail(f"build step: {r.stderr}")
        # check
        ins = dict(inputs, mode="check", paths="deploy")
        r, _ = run_step(action, "capfix fix --check", ins, repo, env0)
        if r.returncode != 1 or "would fix deploy/web.yaml" not in r.stdout:
            fail(f"check on a bad manifest: exit {r.returncode}, {r.stdout} {r.stderr}")
        # scan: SARIF written, findings reported to the failing step
        ins = dict(inputs, mode="scan", paths="deploy", **{"fail-on": "medium"})
        r, outs = run_step(action, "capfix scan", ins, repo, env0)
        sarif = os.path.join(repo, "capfix.sarif")
        if r.returncode != 0 or outs.get("rc") != "1" or outs.get("sarif-file") != "capfix.sarif":
            fail(f"scan: exit {r.returncode}, outputs {outs}, {r.stderr}")
        if not os.path.exists(sarif) or '"version": "2.1.0"' not in open(sarif).read():
            fail("scan: no SARIF 2.1.0 log")
        r, _ = run_step(action, "Fail on findings", ins, repo, env0)
        if r.returncode != 1:
            fail("the findings step does not fail")
        os.unlink(sarif)
        # branch: commit, push to origin (a local bare repository), no pull request
        origin = os.path.join(tmp, "origin.git")
        git(tmp, "init", "-q", "--bare", origin)
        git(repo, "remote", "add", "origin", origin)
        git(repo, "push", "-q", "origin", "main")
        ins = dict(inputs, mode="branch", paths=".")
        env = dict(env0, CAPFIX_NO_PR="1")
        r, outs = run_step(action, "capfix fix --branch and a pull request", ins, repo, env)
        if r.returncode != 0 or outs.get("created") != "true":
            fail(f"branch: exit {r.returncode}, outputs {outs}, {r.stdout} {r.stderr}")
        shown = subprocess.run(["git", "show", "capfix/drop-capabilities:deploy/web.yaml"], cwd=origin,
                               capture_output=True, text=True)
        if "ALL" not in shown.stdout:
            fail(f"the pushed branch does not hold the fix: {shown.stderr}")
        # check again on the fixed tree: passes
        git(repo, "checkout", "-q", "capfix/drop-capabilities")
        ins = dict(inputs, mode="check", paths="deploy")
        r, _ = run_step(action, "capfix fix --check", ins, repo, env0)
        if r.returncode != 0:
            fail(f"check on the fixed tree: exit {r.returncode}, {r.stdout} {r.stderr}")
        # nothing left to fix (main now holds the fix): no commit, created=false
        git(repo, "checkout", "-q", "main")
        git(repo, "merge", "-q", "--ff-only", "capfix/drop-capabilities")
        r, outs = run_step(action, "capfix fix --branch and a pull request",
                           dict(ins, mode="branch", branch="capfix/again"), repo, env)
        if r.returncode != 0 or outs.get("created") != "false":
            fail(f"branch with nothing to fix: exit {r.returncode}, outputs {outs}, {r.stderr}")
    finally:
        shutil.rmtree(tmp)
    print(f"action: {len(FAILS)} failures")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
