"""VAP, Kyverno and Gatekeeper decisions on a Pod, read from the generated policies (PyYAML data).

Independent of capfix's model: the Pod a workload's controller would create
(its template's labels; a name "<workload>-<hash>-<suffix>" for controllers,
the Pod's own name otherwise) is checked against what the generated policy
says, with Kyverno's matching (kinds, namespaces, names with wildcards,
selector.matchLabels; autogen is off because the rules name pods) and the
Gatekeeper template's Rego rules (exceptions by namespace and name, name
prefix or labels), and the VAP's CEL variables (exempt, allowed) read as
Python (the small CEL subset capfix writes). `kyverno_denies(policy, ns,
pod)`, `gatekeeper_denies(constraint, ns, pod)` and `vap_denies(policy,
binding, ns, pod)` return the reasons (empty: admitted). pod = {"name",
"labels", "spec"}.
"""
import fnmatch


def containers(spec):
    for k in ("ephemeralContainers", "initContainers", "containers"):
        for c in spec.get(k) or []:
            if isinstance(c, dict):
                yield c


def caps(c):
    cp = (c.get("securityContext") or {}).get("capabilities") or {}
    return cp.get("add") or [], cp.get("drop") or []


def violations(pod, allowed):
    """What Gatekeeper's and the VAP's rules refuse: no drop ALL, an add outside @allowed."""
    why = []
    for c in containers(pod["spec"]):
        add, drop = caps(c)
        if "ALL" not in drop:
            why.append(f"{c.get('name')} does not drop ALL")
        why += [f"{c.get('name')} adds {a}" for a in add if a not in allowed]
    return why


def ns_selected(selector, ns):
    exprs = (selector or {}).get("matchExpressions") or []
    return all(e["key"] == "kubernetes.io/metadata.name" and e["operator"] == "In" and ns in e["values"]
               for e in exprs)


def kyverno_filter_matches(res, ns, pod):
    if "Pod" not in (res.get("kinds") or []):
        return False
    if "namespaces" in res and ns not in res["namespaces"]:
        return False
    if "names" in res and not any(fnmatch.fnmatchcase(pod["name"], n) for n in res["names"]):
        return False
    if "selector" in res:
        want = res["selector"].get("matchLabels") or {}
        if any(pod["labels"].get(k) != v for k, v in want.items()):
            return False
    if "namespaceSelector" in res and not ns_selected(res["namespaceSelector"], ns):
        return False
    return True


def kyverno_denies(policy, ns, pod):
    why = []
    for rule in policy["spec"]["rules"]:
        if not any(kyverno_filter_matches(m["resources"], ns, pod) for m in rule["match"]["any"]):
            continue
        if any(kyverno_filter_matches(x["resources"], ns, pod) for x in (rule.get("exclude") or {}).get("any") or []):
            continue
        for fe in rule["validate"]["foreach"]:
            conds = fe["deny"]["conditions"]
            for cond in conds.get("all") or conds.get("any"):
                for c in containers(pod["spec"]):
                    add, drop = caps(c)
                    if cond["key"] == "ALL" and "ALL" not in drop:
                        why.append(f"{rule['name']}: {c.get('name')} does not drop ALL")
                    elif "capabilities.add" in str(cond["key"]) and any(a not in cond["value"] for a in add):
                        why.append(f"{rule['name']}: {c.get('name')} adds {add}")
    return why


def gatekeeper_denies(constraint, ns, pod):
    spec = constraint["spec"]
    if not ns_selected(spec["match"].get("namespaceSelector"), ns):
        return []
    params = spec["parameters"]

    def applies(e):
        if e["namespace"] != ns:
            return False
        if e["name"] and pod["name"] == e["name"]:
            return True
        if e["prefix"] and pod["name"].startswith(e["prefix"]):
            return True
        return not e["name"] and len(e["labels"]) > 0 and \
            all(pod["labels"].get(k) == v for k, v in e["labels"].items())

    exc = [e for e in params["exceptions"] if applies(e)]
    if any(e["privileged"] for e in exc):
        return []
    return violations(pod, set(params["allowedCapabilities"]) | {a for e in exc for a in e["capabilities"]})


def _cel_to_python(expr):
    """The CEL capfix writes (conjunctions over namespace, name, prefix and labels; `c ? l : []`
    terms joined by +) as Python; names in it are validated, so they hold no quotes or parentheses."""
    import re
    if expr.strip() in ("true", "false"):
        return expr.strip().capitalize()
    e = expr
    for a, b in (("request.namespace", "_ns"), ("object.metadata.name.startsWith(", "_name.startswith("),
                 ("object.metadata.name", "_name"), ("has(object.metadata.labels)", "bool(_labels)"),
                 ("object.metadata.labels", "_labels"), ("&&", " and "), ("||", " or ")):
        e = e.replace(a, b)
    # (COND ? [LIST] : []) -> ([LIST] if COND else [])
    e = re.sub(r"\((\(_ns == [^?]*\)) \? (\[[^\]]*\]) : \[\]\)", r"(\2 if \1 else [])", e)
    return e


def vap_denies(policy, binding, ns, pod):
    if not ns_selected(binding["spec"]["matchResources"].get("namespaceSelector"), ns):
        return []
    env = {"_ns": ns, "_name": pod["name"], "_labels": pod["labels"]}
    var = {v["name"]: v["expression"] for v in policy["spec"]["variables"]}
    if eval(_cel_to_python(var["exempt"]), {}, dict(env)):
        return []
    return violations(pod, eval(_cel_to_python(var["allowed"]), {}, dict(env)))
