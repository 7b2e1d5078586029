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
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

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
  securityContext:
    sysctls: [{name: "net.core.somaxconn\\nkind: ClusterRoleBinding", value: "1"}, {name: kernel.msgmax, value: "1"}]
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
        # a value can be reported (escaped), never start a line of its own
        for bad in ("ClusterRoleBinding\n", "\nkind: ClusterRoleBinding", "PWNED", "../../etc", "etc"):
            check(bad not in r.stdout, f"hostile {what}: {bad!r} in the output")
        check("h.yaml:5:23: error: Pod: serviceAccountName" in r.stderr, f"hostile {what}: {r.stderr[:300]}")
        check("h.yaml:11:34: error: Deployment: namespace" in r.stderr, f"hostile {what}: {r.stderr[:300]}")
        check("h.yaml:21:18: error: Namespace: namespace name" in r.stderr, f"hostile {what}: {r.stderr[:300]}")
        if k == ["pss"]:
            check("forbidden sysctls (net.core.somaxconn\\nkind: ClusterRoleBinding" in r.stdout,
                  f"hostile {what}: the sysctl's name escaped {r.stdout[:400]}")
        if k[0] == "psp":  # a sysctl is named exactly, an invalid name never
            check('allowedUnsafeSysctls: ["kernel.msgmax"]' in r.stdout, f"hostile {what}: sysctls")
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


POD_SPEC = {"CronJob": ("spec", "jobTemplate", "spec", "template"), "Pod": (), "PodTemplate": ("template",)}
for _k in ("DaemonSet", "Deployment", "DeploymentConfig", "Job", "ReplicaSet", "ReplicationController",
           "Rollout", "StatefulSet"):
    POD_SPEC[_k] = ("spec", "template")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def fixed_workloads(tree):
    """(path, kind, name, namespace, service account, pod spec, pod metadata) of every whole pod-bearing object."""
    for dirpath, dirs, files in os.walk(tree):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for f in sorted(files):
            if not f.endswith((".yaml", ".yml", ".json")):
                continue
            path = os.path.join(dirpath, f)
            try:
                ds = list(yaml.safe_load_all(open(path, encoding="utf-8")))
            except Exception:
                continue
            objs = []
            for d in ds:
                if isinstance(d, dict) and isinstance(d.get("kind"), str) and d["kind"].endswith("List"):
                    objs += [i for i in d.get("items") or [] if isinstance(i, dict)]
                elif isinstance(d, dict):
                    objs.append(d)
            for o in objs:
                kind, md = o.get("kind"), o.get("metadata") or {}
                if kind not in POD_SPEC or not isinstance(md, dict):
                    continue
                t = o
                for k in POD_SPEC[kind]:
                    t = t.get(k) if isinstance(t, dict) else None
                spec = t.get("spec") if isinstance(t, dict) else None
                pmd = (md if kind == "Pod" else t.get("metadata")) if isinstance(t, dict) else None
                if not isinstance(spec, dict):
                    continue  # partial (a kustomize patch)
                if o.get("apiVersion") == "apps/v1" and not (o.get("spec") or {}).get("selector"):
                    continue
                ns, name = md.get("namespace") or "default", md.get("name")
                sa = spec.get("serviceAccountName") or "default"
                if not (isinstance(name, str) and DNS_SUBDOMAIN.match(name) and isinstance(ns, str) and
                        DNS_LABEL.match(ns) and isinstance(sa, str) and DNS_SUBDOMAIN.match(sa)):
                    continue  # refused by capfix (names are data) and by the API server
                yield path, kind, name, ns, sa, spec, pmd if isinstance(pmd, dict) else {}


def fixed_copy(capfix, root, tmp):
    """A writable copy of the corpus, fixed in place by capfix (the default fix)."""
    tree = os.path.join(tmp, "corpus")
    shutil.copytree(root, tree, symlinks=True)
    for dirpath, _, files in os.walk(tree):  # the corpus is read-only
        os.chmod(dirpath, 0o755)
        for f in files:
            if not os.path.islink(os.path.join(dirpath, f)):
                os.chmod(os.path.join(dirpath, f), 0o644)
    r = subprocess.run([capfix, "fix", "--quiet", "."], cwd=tree, capture_output=True, text=True)
    check(r.returncode in (0, 1, 3), f"corpus fix: exit {r.returncode} {r.stderr[-300:]}")
    return tree


def corpus_admission(capfix, root, tree):
    """VAP, Kyverno and Gatekeeper policies from the corpus, decided by admission_eval (not capfix)
    for the Pod each fixed workload would create."""
    import admission_eval
    ky = by_kind(docs(subprocess.run([capfix, "policy", "kyverno", root], capture_output=True, text=True).stdout),
                 "ClusterPolicy")
    gk = by_kind(docs(subprocess.run([capfix, "policy", "gatekeeper", root], capture_output=True,
                                     text=True).stdout), "CapfixCapabilities")
    va = docs(subprocess.run([capfix, "policy", "vap", root], capture_output=True, text=True).stdout)
    vp, vb = by_kind(va, "ValidatingAdmissionPolicy"), by_kind(va, "ValidatingAdmissionPolicyBinding")
    check(len(ky) == 1 and len(gk) == 1 and len(vp) == 1 and len(vb) == 1,
          "corpus: one Kyverno policy, one Gatekeeper constraint, one VAP and its binding")
    if not ky or not gk or not vp or not vb:
        return
    checked, denied = 0, []
    for path, kind, name, ns, sa, spec, pmd in fixed_workloads(tree):
        pod = {"name": name if kind == "Pod" else f"{name}-5d8f7c9b6-x2k4p",
               "labels": {str(k): str(v) for k, v in ((pmd or {}).get("labels") or {}).items()},
               "spec": spec}
        for what, why in (("kyverno", admission_eval.kyverno_denies(ky[0], ns, pod)),
                          ("gatekeeper", admission_eval.gatekeeper_denies(gk[0], ns, pod)),
                          ("vap", admission_eval.vap_denies(vp[0], vb[0], ns, pod))):
            if why:
                denied.append(f"{what} denies {os.path.relpath(path, tree)} {kind}/{name} ({ns}): {why[:3]}")
        checked += 1
    check(not denied, f"corpus admission: {len(denied)} denials: {denied[:5]}")
    # the evaluators can deny: the same pods with every add list doubled by a name nobody allows
    refused = 0
    for path, kind, name, ns, sa, spec, pmd in fixed_workloads(tree):
        if ns in ("kube-system", "kube-public", "kube-node-lease"):
            continue
        bad = {"containers": [{"name": "x", "securityContext": {"capabilities": {"add": ["SYS_MODULE"]}}}]}
        pod = {"name": "capfix-probe", "labels": {}, "spec": bad}
        refused += bool(admission_eval.kyverno_denies(ky[0], ns, pod)) and \
            bool(admission_eval.gatekeeper_denies(gk[0], ns, pod)) and \
            bool(admission_eval.vap_denies(vp[0], vb[0], ns, pod))
    check(refused > checked // 2, f"corpus admission: a pod adding SYS_MODULE is refused only {refused} times")
    print(f"policy: vap, kyverno and gatekeeper checked independently against {checked} fixed corpus workloads: "
          f"{len(denied)} denied")


def corpus_psp(capfix, root, tree, *opts):
    """The PSPs generated from the corpus, checked by psp_eval (not capfix) on the fixed copy."""
    import psp_eval
    r = subprocess.run([capfix, "policy", "psp", *opts, root], capture_output=True, text=True)
    ds = docs(r.stdout)
    psps = {d["metadata"]["name"]: d for d in by_kind(ds, "PodSecurityPolicy")}
    # who may use what: the shared PSP through a namespace's group, a service account's own PSP
    shared_ns, own = set(), {}
    for b in by_kind(ds, "RoleBinding"):
        subj = b["subjects"][0]
        if subj["kind"] == "Group":
            shared_ns.add(b["metadata"]["namespace"])
        else:
            own[(subj["namespace"], subj["name"])] = b["roleRef"]["name"][:-len("-use")]
    checked = denied = shared_refuses = 0
    for path, kind, name, ns, sa, spec, pmd in fixed_workloads(tree):
        if ns not in shared_ns:
            continue  # namespaces the policy does not bind (system namespaces)
        usable = ["capfix-restricted"] + ([own[(ns, sa)]] if (ns, sa) in own else [])
        if "capfix-restricted" in psps:
            p = psps["capfix-restricted"]
            shared_refuses += bool(psp_eval.admits(p["spec"], p["metadata"].get("annotations") or {}, spec, pmd))
        reasons = []
        for u in usable:
            p = psps.get(u)
            check(p is not None, f"corpus psp: {u} is bound but not generated")
            why = psp_eval.admits(p["spec"], p["metadata"].get("annotations") or {}, spec, pmd) if p else ["missing"]
            if not why:
                break
            reasons.append(f"{u}: {', '.join(why[:4])}")
        else:
            denied += 1
            if denied <= 5:
                problems.append(f"corpus {' '.join(('psp',) + opts)} denies {os.path.relpath(path, tree)} {kind}/{name} ({ns}/{sa}): "
                                + "; ".join(reasons))
        checked += 1
    what = " ".join(("psp",) + opts)
    check(checked > 500, f"corpus {what}: only {checked} workloads checked")
    # the checker tells the restricted PSP from the relaxed ones: most real workloads need more
    check(shared_refuses > checked // 2, f"corpus {what}: the restricted PSP alone refuses only {shared_refuses}")
    check(not denied, f"corpus {what}: {denied} fixed workloads denied")
    print(f"policy: {what} checked independently against {checked} fixed corpus workloads: {denied} denied "
          f"({shared_refuses} refused by the restricted PSP alone), {len(psps)} PodSecurityPolicies")


def random_sets(capfix, tmp, rounds=40):
    """Random workloads whose scopes overlap (shared labels, names that are prefixes of others,
    Pods and controllers of one name), fixed by capfix, then each pod decided by admission_eval:
    no vap, kyverno or gatekeeper policy may deny one (seeded: the same sets every run)."""
    import random
    import admission_eval
    rnd = random.Random(16)
    names = ["web", "web-api", "web-api-v2", "db", "db-0", "a", "a-b"]
    caps_pool = ["NET_ADMIN", "SYS_TIME", "NET_RAW", "SETUID", "CHOWN", "IPC_LOCK", "CAP_SYS_NICE", "ALL"]
    kinds = [("Pod", "v1"), ("Deployment", "apps/v1"), ("Job", "batch/v1"), ("StatefulSet", "apps/v1")]
    denied = []
    for r in range(rounds):
        d = os.path.join(tmp, f"random-{r}")
        os.makedirs(d)
        docs_ = []
        for i in range(rnd.randint(2, 9)):
            kind, api = rnd.choice(kinds)
            name = rnd.choice(names)
            labels = {f"k{j}": rnd.choice(["x", "y"]) for j in range(rnd.randint(0, 2))}
            sc = {"runAsNonRoot": True}
            c = {"name": "c", "image": "example.com/i"}
            adds = rnd.sample(caps_pool, rnd.randint(0, 2))
            if adds:
                c["securityContext"] = {"capabilities": {"add": adds}}
            if rnd.random() < 0.1:
                c.setdefault("securityContext", {})["privileged"] = True
            spec = {"securityContext": sc, "containers": [c]}
            md = {"name": name, "namespace": rnd.choice(["n", "m"])}
            if kind == "Pod":
                if labels:
                    md["labels"] = labels
                obj = {"apiVersion": api, "kind": kind, "metadata": md, "spec": spec}
            else:
                tpl = {"spec": spec}
                if labels:
                    tpl["metadata"] = {"labels": labels}
                ospec = {"template": tpl}
                if api == "apps/v1":
                    ospec["selector"] = {"matchLabels": labels}
                obj = {"apiVersion": api, "kind": kind, "metadata": md, "spec": ospec}
            docs_.append(obj)
        with open(os.path.join(d, "w.yaml"), "w") as f:
            yaml.safe_dump_all(docs_, f)
        pols = {}
        for k in ("vap", "kyverno", "gatekeeper"):
            pols[k] = docs(subprocess.run([capfix, "policy", k, "."], cwd=d, capture_output=True,
                                          text=True).stdout)
        subprocess.run([capfix, "fix", "-q", "."], cwd=d, capture_output=True)
        ky = by_kind(pols["kyverno"], "ClusterPolicy")[0]
        gk = by_kind(pols["gatekeeper"], "CapfixCapabilities")[0]
        vp = by_kind(pols["vap"], "ValidatingAdmissionPolicy")[0]
        vb = by_kind(pols["vap"], "ValidatingAdmissionPolicyBinding")[0]
        for path, kind, name, ns, sa, spec, pmd in fixed_workloads(d):
            pod = {"name": name if kind == "Pod" else f"{name}-5d8f7c9b6-x2k4p",
                   "labels": {str(k): str(v) for k, v in ((pmd or {}).get("labels") or {}).items()},
                   "spec": spec}
            for what, why in (("kyverno", admission_eval.kyverno_denies(ky, ns, pod)),
                              ("gatekeeper", admission_eval.gatekeeper_denies(gk, ns, pod)),
                              ("vap", admission_eval.vap_denies(vp, vb, ns, pod))):
                if why:
                    denied.append(f"round {r}: {what} denies {kind}/{name} in {ns}: {why[:2]}")
    check(not denied, f"random sets: {len(denied)} denials: {denied[:4]}")
    print(f"policy: {rounds} random sets of overlapping workloads, {len(denied)} denied")


def corpus(capfix, tmp):
    """The invariant over the shared corpus (read-only): no generated policy denies a fixed workload."""
    root = os.environ.get("CAPFIX_SHARED_CORPUS") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "corpus")
    if not os.path.isdir(root):
        print("policy: no shared corpus, invariant not checked")
        return
    for k in ("vap", "kyverno", "gatekeeper", "psp"):
        r = subprocess.run([capfix, "policy", k, root], capture_output=True, text=True)
        check(r.returncode in (0, 3), f"corpus {k}: exit {r.returncode}")
        # the model's own check, every field of every kind (PSP: capabilities and the rest)
        denied = [l for l in r.stderr.splitlines() if "would deny it after fix" in l]
        check(not denied, f"corpus {k}: the model denies {len(denied)}: {denied[:3]}")
    tree = fixed_copy(capfix, os.path.abspath(root), tmp)
    corpus_psp(capfix, os.path.abspath(root), tree)
    corpus_psp(capfix, os.path.abspath(root), tree, "--per-need")
    corpus_admission(capfix, os.path.abspath(root), tree)


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
              ["capfix-default-default", "capfix-restricted", "capfix-tools-netdiag"],
              "psp: the netdiag exception and db (may run as root) have PSPs of their service accounts")
        own = {d["metadata"]["name"]: d["spec"] for d in by_kind(ds, "PodSecurityPolicy")}
        nd = own.get("capfix-tools-netdiag") or {}
        check(nd.get("hostNetwork") is True and nd.get("runAsUser") == {"rule": "RunAsAny"} and
              nd.get("hostIPC") is False and nd.get("volumes", [None])[0] == "configMap",
              f"psp: netdiag relaxed in exactly hostNetwork and runAsUser {nd}")
        db = own.get("capfix-default-default") or {}
        check(db.get("hostNetwork") is False and db.get("runAsUser") == {"rule": "RunAsAny"},
              f"psp: db relaxed in runAsUser only {db}")
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
        random_sets(capfix, tmp)
        corpus(capfix, tmp)
    finally:
        shutil.rmtree(tmp)
    for p in problems:
        print("PROBLEM", p)
    print(f"policy: {0 if problems else 1} passed, {1 if problems else 0} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
