#!/usr/bin/env python3
"""Generated policies re-parse (PyYAML) and carry exactly the fields asked for.

    check_policy.py CAPFIX FIXTURE_DIR

FIXTURE_DIR is golden/policy/0001-psp/in: shop adds NET_BIND_SERVICE; tools'
netdiag (service account netdiag) adds NET_ADMIN and NET_RAW; default's redis
gets SETGID and SETUID from fix's image profile. The union the policies must
allow is therefore NET_ADMIN, NET_BIND_SERVICE, SETGID, SETUID, never NET_RAW.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

UNION = ["NET_ADMIN", "NET_BIND_SERVICE", "SETGID", "SETUID"]
problems = []


def check(cond, what):
    if not cond:
        problems.append(what)


def run(capfix, cwd, *args):
    r = subprocess.run([capfix, "policy", *args], cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        problems.append(f"policy {' '.join(args)} exited {r.returncode}: {r.stderr[:300]}")
    return r.stdout


def docs(text):
    return [d for d in yaml.safe_load_all(text) if d is not None]


def by_kind(ds, kind):
    return [d for d in ds if d.get("kind") == kind]


def main():
    capfix, fixture = os.path.abspath(sys.argv[1]), sys.argv[2]
    tmp = tempfile.mkdtemp()
    try:
        tree = os.path.join(tmp, "tree")
        shutil.copytree(fixture, tree)

        out = run(capfix, tree, "psp", ".")
        check(out == run(capfix, tree, "psp", "."), "psp output is not deterministic")
        ds = docs(out)
        psp = by_kind(ds, "PodSecurityPolicy")
        check(len(psp) == 1, "psp: one PodSecurityPolicy")
        if psp:
            s = psp[0]["spec"]
            check(s["requiredDropCapabilities"] == ["ALL"], "psp: requiredDropCapabilities [ALL]")
            check(s["allowedCapabilities"] == UNION, f"psp: allowedCapabilities {s['allowedCapabilities']}")
            for k in ("privileged", "allowPrivilegeEscalation", "hostNetwork", "hostIPC", "hostPID"):
                check(s[k] is False, f"psp: {k} false")
            check(s["runAsUser"]["rule"] == "MustRunAsNonRoot", "psp: non-root")
            check("hostPath" not in s["volumes"], "psp: no hostPath volumes")
        role = by_kind(ds, "ClusterRole")
        check(role and role[0]["rules"][0]["verbs"] == ["use"] and
              role[0]["rules"][0]["resourceNames"] == ["capfix-restricted"], "psp: ClusterRole use")
        crb = by_kind(ds, "ClusterRoleBinding")
        check(crb and crb[0]["subjects"][0]["name"] == "system:serviceaccounts", "psp: binding")

        ds = docs(run(capfix, tree, "psp", "--per-need", "."))
        psps = {d["metadata"]["name"]: d["spec"]["allowedCapabilities"] for d in by_kind(ds, "PodSecurityPolicy")}
        check(psps.get("capfix-restricted") == ["NET_BIND_SERVICE"], f"per-need: shared PSP {psps}")
        check(psps.get("capfix-tools-netdiag") == ["NET_ADMIN"], f"per-need: netdiag PSP {psps}")
        check(psps.get("capfix-default-default") == ["SETGID", "SETUID"], f"per-need: default PSP {psps}")
        rbs = {d["metadata"]["namespace"]: d["subjects"][0] for d in by_kind(ds, "RoleBinding")}
        check(rbs.get("tools") == {"kind": "ServiceAccount", "name": "netdiag", "namespace": "tools"},
              f"per-need: RoleBinding {rbs}")

        ds = docs(run(capfix, tree, "vap", "."))
        vap = by_kind(ds, "ValidatingAdmissionPolicy")
        check(len(vap) == 1 and len(by_kind(ds, "ValidatingAdmissionPolicyBinding")) == 1, "vap: policy and binding")
        if vap:
            allowed = [v for v in vap[0]["spec"]["variables"] if v["name"] == "allowed"][0]["expression"]
            check(allowed == "[" + ", ".join(f"'{c}'" for c in UNION) + "]", f"vap: allowed {allowed}")
            exprs = " ".join(v["expression"] for v in vap[0]["spec"]["validations"])
            check("'ALL' in c.securityContext.capabilities.drop" in exprs, "vap: drop ALL rule")
            check("'NET_RAW'" in exprs, "vap: NET_RAW rule")

        ds = docs(run(capfix, tree, "kyverno", "."))
        cp = by_kind(ds, "ClusterPolicy")
        check(len(cp) == 1, "kyverno: one ClusterPolicy")
        if cp:
            rules = {r["name"]: r for r in cp[0]["spec"]["rules"]}
            check(set(rules) == {"drop-all", "allowed-adds"}, f"kyverno: rules {set(rules)}")
            conds = rules["allowed-adds"]["validate"]["foreach"][0]["deny"]["conditions"]["any"]
            check(conds[0]["value"] == UNION and conds[1]["value"] == ["NET_RAW"], f"kyverno: {conds}")

        ds = docs(run(capfix, tree, "gatekeeper", "."))
        ct = by_kind(ds, "ConstraintTemplate")
        c = by_kind(ds, "CapfixCapabilities")
        check(len(ct) == 1 and len(c) == 1, "gatekeeper: template and constraint")
        if c:
            check(c[0]["spec"]["parameters"]["allowedCapabilities"] == UNION, "gatekeeper: allowed")
        if ct:
            check("violation" in ct[0]["spec"]["targets"][0]["rego"], "gatekeeper: rego")

        rep = json.loads(run(capfix, tree, "pss", "--format", "json", "."))
        levels = {n["name"]: n["level"] for n in rep["namespaces"]}
        check(levels == {"default": "baseline", "empty": "restricted", "shop": "restricted",
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
        check(ns["tools"].get("pod-security.kubernetes.io/warn") == "restricted", f"write: tools {ns['tools']}")
        check("# namespaces of the platform" in after and "# owner" in after, "write: comments kept")
        out2 = run(capfix, tree, "pss", "--write", ".")
        check(open(os.path.join(tree, "namespaces.yaml")).read() == after and "labelled" not in out2,
              "write: a second run changes nothing")
        check(before != after, "write: something was written")
    finally:
        shutil.rmtree(tmp)
    for p in problems:
        print("PROBLEM", p)
    print(f"policy: {0 if problems else 1} passed, {1 if problems else 0} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
