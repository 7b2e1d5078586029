#!/usr/bin/env python3
"""Generated policies re-parse (PyYAML) and carry exactly the fields asked for.

    check_policy.py CAPFIX FIXTURE_DIR

FIXTURE_DIR is golden/policy/0001-psp/in: shop adds NET_BIND_SERVICE; tools'
netdiag (service account netdiag) adds NET_ADMIN and NET_RAW; default's redis
gets SETGID and SETUID from fix's image profile. The global allowance is the
baseline adds, NET_BIND_SERVICE, SETGID, SETUID; fix keeps NET_ADMIN and NET_RAW
for netdiag only: a scoped exception (namespace tools, labels app=netdiag), never
global. Then: hostile names are refused by every output kind, and (with
CAPFIX_SHARED_CORPUS set or ../shared/corpus present) no generated policy denies a
workload of the corpus after fix (the model's warnings).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

UNION = ["NET_BIND_SERVICE", "SETGID", "SETUID"]
problems = []


def check(cond, what):
    if not cond:
        problems.append(what)


def run(capfix, cwd, *args, want=0):
    r = subprocess.run([capfix, "policy", *args], cwd=cwd, capture_output=True, text=True)
    if r.returncode != want:
        problems.append(f"policy {' '.join(args)} exited {r.returncode}: {r.stderr[:300]}")
    return r.stdout


def docs(text):
    return [d for d in yaml.safe_load_all(text) if d is not None]


def by_kind(ds, kind):
    return [d for d in ds if d.get("kind") == kind]


HOSTILE = """apiVersion: v1
kind: Pod
metadata: {name: evil, namespace: ok}
spec:
  serviceAccountName: "x\\nkind: ClusterRoleBinding"
  containers:
  - {name: c, image: i, securityContext: {capabilities: {add: [NET_ADMIN]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: "x; touch /tmp/PWNED"}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: i}]
---
apiVersion: v1
kind: Namespace
metadata: {name: ../../etc}
---
apiVersion: v1
kind: Pod
metadata: {name: fine, namespace: ok}
spec:
  containers: [{name: c, image: i}]
"""


def hostile(capfix, tmp):
    """Hostile names: refused (exit 3, an error at path:line:col), never in any output."""
    d = os.path.join(tmp, "hostile")
    os.makedirs(os.path.join(d, "emit"))
    with open(os.path.join(d, "h.yaml"), "w") as f:
        f.write(HOSTILE)
    kinds = [["psp"], ["psp", "--per-need"], ["pss"], ["pss", "--format", "json"],
             ["pss", "--write"], ["pss", "--emit-missing", "emit"], ["vap"], ["kyverno"], ["gatekeeper"]]
    for k in kinds:
        r = subprocess.run([capfix, "policy", *k, "h.yaml"], cwd=d, capture_output=True, text=True)
        what = " ".join(k)
        check(r.returncode == 3, f"hostile {what}: exit {r.returncode}")
        for bad in ("ClusterRoleBinding\n", "kind: ClusterRoleBinding", "PWNED", "../../etc", "etc"):
            check(bad not in r.stdout, f"hostile {what}: {bad!r} in the output")
        check("h.yaml:5:23: error: Pod: serviceAccountName" in r.stderr, f"hostile {what}: {r.stderr[:300]}")
        check("h.yaml:11:34: error: Deployment: namespace" in r.stderr, f"hostile {what}: {r.stderr[:300]}")
        check("h.yaml:21:18: error: Namespace: namespace name" in r.stderr, f"hostile {what}: {r.stderr[:300]}")
    check(sorted(os.listdir(os.path.join(d, "emit"))) == ["namespace-ok.yaml"],
          f"hostile: emitted {os.listdir(os.path.join(d, 'emit'))}")
    check(not os.path.exists("/tmp/PWNED"), "hostile: /tmp/PWNED exists")
    # suggested commands quote their arguments
    r = subprocess.run([capfix, "policy", "pss", "h.yaml"], cwd=d, capture_output=True, text=True)
    check("kubectl label namespace 'ok' 'pod-security.kubernetes.io/enforce=" in r.stdout, f"hostile: quoting {r.stdout}")
    # empty input: a message and exit 1 for every kind
    with open(os.path.join(d, "empty.yaml"), "w") as f:
        f.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    for k in ("psp", "pss", "vap", "kyverno", "gatekeeper"):
        r = subprocess.run([capfix, "policy", k, "empty.yaml"], cwd=d, capture_output=True, text=True)
        check(r.returncode == 1 and r.stdout == "" and "no pod-bearing objects" in r.stderr,
              f"empty {k}: exit {r.returncode} {r.stderr[:200]}")


def corpus(capfix):
    """The invariant over the shared corpus (read-only): no capability policy denies a fixed workload."""
    root = os.environ.get("CAPFIX_SHARED_CORPUS") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "corpus")
    if not os.path.isdir(root):
        print("policy: no shared corpus, invariant not checked")
        return
    for k in ("vap", "kyverno", "gatekeeper", "psp"):
        r = subprocess.run([capfix, "policy", k, root], capture_output=True, text=True)
        check(r.returncode in (0, 3), f"corpus {k}: exit {r.returncode}")
        denied = [l for l in r.stderr.splitlines() if "would deny it after fix" in l]
        if k == "psp":
            # the PSP also holds restricted fields (runAsNonRoot, host namespaces): only the
            # capability rules are held to the invariant
            denied = [l for l in denied if "is privileged" in l or "does not drop ALL" in l or " adds " in l]
        # controllers without pod labels are scoped by their pods' name prefix: no exception
        check(not denied, f"corpus {k}: the model denies {len(denied)}: {denied[:3]}")


def main():
    capfix, fixture = os.path.abspath(sys.argv[1]), sys.argv[2]
    tmp = tempfile.mkdtemp()
    try:
        tree = os.path.join(tmp, "tree")
        shutil.copytree(fixture, tree)

        out = run(capfix, tree, "psp", ".")
        check(out == run(capfix, tree, "psp", "."), "psp output is not deterministic")
        ds = docs(out)
        psp = [d for d in by_kind(ds, "PodSecurityPolicy") if d["metadata"]["name"] == "capfix-restricted"]
        check(len(psp) == 1, "psp: one shared PodSecurityPolicy")
        check(sorted(d["metadata"]["name"] for d in by_kind(ds, "PodSecurityPolicy")) ==
              ["capfix-restricted", "capfix-tools-netdiag"], "psp: the netdiag exception has its own PSP")
        if psp:
            s = psp[0]["spec"]
            check(s["requiredDropCapabilities"] == ["ALL"], "psp: requiredDropCapabilities [ALL]")
            check(s["allowedCapabilities"] == UNION, f"psp: allowedCapabilities {s['allowedCapabilities']}")
            check("NET_RAW" not in s["allowedCapabilities"], "psp: NET_RAW never global")
            for k in ("privileged", "allowPrivilegeEscalation", "hostNetwork", "hostIPC", "hostPID"):
                check(s[k] is False, f"psp: {k} false")
            check(s["runAsUser"]["rule"] == "MustRunAsNonRoot", "psp: non-root")
            check("hostPath" not in s["volumes"], "psp: no hostPath volumes")
        role = by_kind(ds, "ClusterRole")
        check(role and role[0]["rules"][0]["verbs"] == ["use"] and
              role[0]["rules"][0]["resourceNames"] == ["capfix-restricted"], "psp: ClusterRole use")
        check(not by_kind(ds, "ClusterRoleBinding"), "psp: no cluster-wide binding")
        groups = sorted(d["subjects"][0]["name"] for d in by_kind(ds, "RoleBinding")
                        if d["subjects"][0]["kind"] == "Group")
        check(groups == ["system:serviceaccounts:" + n for n in ("default", "empty", "shop", "tools")],
              f"psp: bindings per namespace {groups}")

        ds = docs(run(capfix, tree, "psp", "--per-need", "."))
        psps = {d["metadata"]["name"]: d["spec"]["allowedCapabilities"] for d in by_kind(ds, "PodSecurityPolicy")}
        check(psps.get("capfix-restricted") == ["NET_BIND_SERVICE"], f"per-need: shared PSP {psps}")
        check(psps.get("capfix-tools-netdiag") == ["NET_ADMIN", "NET_BIND_SERVICE", "NET_RAW"], f"per-need: netdiag PSP {psps}")
        check(psps.get("capfix-default-default") == UNION, f"per-need: default PSP {psps}")
        rbs = {d["metadata"]["namespace"]: d["subjects"][0] for d in by_kind(ds, "RoleBinding")}
        check(rbs.get("tools") == {"kind": "ServiceAccount", "name": "netdiag", "namespace": "tools"},
              f"per-need: RoleBinding {rbs}")

        ds = docs(run(capfix, tree, "vap", "."))
        vap = by_kind(ds, "ValidatingAdmissionPolicy")
        check(len(vap) == 1 and len(by_kind(ds, "ValidatingAdmissionPolicyBinding")) == 1, "vap: policy and binding")
        if vap:
            allowed = [v for v in vap[0]["spec"]["variables"] if v["name"] == "allowed"][0]["expression"]
            glob = "[" + ", ".join(f"'{c}'" for c in UNION) + "]"
            check(allowed.startswith(glob + " + ((request.namespace == 'tools'") and
                  "object.metadata.labels['app'] == 'netdiag') ? ['NET_ADMIN', 'NET_RAW'] : [])" in allowed,
                  f"vap: allowed {allowed}")
            exprs = " ".join(v["expression"] for v in vap[0]["spec"]["validations"])
            check("'ALL' in c.securityContext.capabilities.drop" in exprs, "vap: drop ALL rule")
        b = by_kind(ds, "ValidatingAdmissionPolicyBinding")
        if b:
            check(b[0]["spec"]["validationActions"] == ["Deny"], "vap: Deny by default")
            sel = b[0]["spec"]["matchResources"]["namespaceSelector"]["matchExpressions"][0]
            check(sel["key"] == "kubernetes.io/metadata.name" and
                  sel["values"] == ["default", "empty", "shop", "tools"], f"vap: namespaces {sel}")
        b = by_kind(docs(run(capfix, tree, "vap", "--action", "warn", ".")), "ValidatingAdmissionPolicyBinding")
        check(b and b[0]["spec"]["validationActions"] == ["Warn"], "vap: --action warn")

        ds = docs(run(capfix, tree, "kyverno", "."))
        cp = by_kind(ds, "ClusterPolicy")
        check(len(cp) == 1, "kyverno: one ClusterPolicy")
        if cp:
            rules = {r["name"]: r for r in cp[0]["spec"]["rules"]}
            check(set(rules) == {"drop-all", "allowed-adds", "exception-1"}, f"kyverno: rules {set(rules)}")
            conds = rules["allowed-adds"]["validate"]["foreach"][0]["deny"]["conditions"]["any"]
            check(conds[0]["value"] == UNION, f"kyverno: {conds}")
            ex = rules["allowed-adds"]["exclude"]["any"][0]["resources"]
            check(ex == {"kinds": ["Pod"], "namespaces": ["tools"], "selector": {"matchLabels": {"app": "netdiag"}}},
                  f"kyverno: exclusion {ex}")
            conds = rules["exception-1"]["validate"]["foreach"][0]["deny"]["conditions"]["any"]
            check(conds[0]["value"] == ["NET_ADMIN", "NET_BIND_SERVICE", "NET_RAW", "SETGID", "SETUID"],
                  f"kyverno: exception {conds}")
            check(cp[0]["spec"]["validationFailureAction"] == "Enforce", "kyverno: Enforce")
        cp = by_kind(docs(run(capfix, tree, "kyverno", "--action", "audit", ".")), "ClusterPolicy")
        check(cp and cp[0]["spec"]["validationFailureAction"] == "Audit", "kyverno: --action audit")

        ds = docs(run(capfix, tree, "gatekeeper", "."))
        ct = by_kind(ds, "ConstraintTemplate")
        c = by_kind(ds, "CapfixCapabilities")
        check(len(ct) == 1 and len(c) == 1, "gatekeeper: template and constraint")
        if c:
            check(c[0]["spec"]["parameters"]["allowedCapabilities"] == UNION, "gatekeeper: allowed")
            check(c[0]["spec"]["parameters"]["exceptions"] == [
                {"namespace": "tools", "name": "", "prefix": "", "labels": {"app": "netdiag"},
                 "capabilities": ["NET_ADMIN", "NET_RAW"], "privileged": False}], "gatekeeper: exceptions")
            check(c[0]["spec"]["enforcementAction"] == "deny", "gatekeeper: deny")
        if ct:
            check("violation" in ct[0]["spec"]["targets"][0]["rego"], "gatekeeper: rego")

        rep = json.loads(run(capfix, tree, "pss", "--format", "json", "."))
        levels = {n["name"]: n["level"] for n in rep["namespaces"]}
        check(levels == {"default": "baseline", "empty": None, "shop": "restricted",
                         "tools": "privileged"}, f"pss: levels {levels}")
        objs = {o["name"]: o for o in rep["objects"]}
        check({v["check"] for v in objs["netdiag"]["violations"]} >= {"hostNamespaces", "capabilities_baseline"},
              "pss: netdiag checks")

        # --write: labels as computed, idempotent, other bytes kept
        before = open(os.path.join(tree, "namespaces.yaml")).read()
        run(capfix, tree, "pss", "--write", ".")
        after = open(os.path.join(tree, "namespaces.yaml")).read()
        ns = {d["metadata"]["name"]: d["metadata"].get("labels", {}) for d in yaml.safe_load_all(after) if d}
        check(ns["shop"] == {"team": "shop", "pod-security.kubernetes.io/enforce": "restricted",
                             "pod-security.kubernetes.io/enforce-version": "latest"}, f"write: shop {ns['shop']}")
        check(ns["tools"] == {"pod-security.kubernetes.io/enforce": "privileged"}, f"write: tools {ns['tools']}")
        check(ns["empty"] == {}, f"write: empty (no workloads) left alone {ns['empty']}")
        check("# namespaces of the platform" in after and "# owner" in after, "write: comments kept")
        out2 = run(capfix, tree, "pss", "--write", ".")
        check(open(os.path.join(tree, "namespaces.yaml")).read() == after and "labelled" not in out2,
              "write: a second run changes nothing")
        check(before != after, "write: something was written")
        hostile(capfix, tmp)
        corpus(capfix)
    finally:
        shutil.rmtree(tmp)
    for p in problems:
        print("PROBLEM", p)
    print(f"policy: {0 if problems else 1} passed, {1 if problems else 0} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
