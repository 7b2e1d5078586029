#!/usr/bin/env python3
"""Independent check of capfix's add-list decisions (default `fix`, not --drop-only).

    check_adds.py ORIG OUT CAPFIX_STDOUT

For every container of every pod-bearing object (same object model as
../shared/bench/check.py, PyYAML), compare the capability names in
securityContext.capabilities.add before and after. Every capability that
appears or disappears must be announced by capfix on a note line for that
file and container ("added X (reason)" / "removed X (reason)"), and every
announcement must match a real change. Also: every fixed container drops
"ALL" exactly, and nothing outside securityContext changed.
Prints figures; exit 1 on any problem.
"""
import os
import re
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
NOTE = re.compile(r"^(?P<path>.+?):\d+:\d+: note: (?P<kind>[^/]+)/(?P<name>[^:]*): container \"(?P<c>[^\"]*)\": (?P<rest>.*)$")
SVC_NOTE = re.compile(r"^(?P<path>.+?):\d+:\d+: note: service \"(?P<c>[^\"]*)\": (?P<rest>.*)$")
VERB = re.compile(r"(added|removed) ([A-Z_]+) \(")


def canon(x):
    if not isinstance(x, str):
        return None
    x = x.upper()
    return x[4:] if x.startswith("CAP_") else x


def caps_of(c, key):
    sc = c.get("securityContext")
    caps = sc.get("capabilities") if isinstance(sc, dict) else None
    lst = caps.get(key) if isinstance(caps, dict) else None
    return lst if isinstance(lst, list) else []


def main():
    orig, out, stdout = sys.argv[1:4]
    bench = os.environ.get("CAPFIX_SHARED_BENCH")
    sys.path.insert(0, bench)
    import check  # ../shared/bench/check.py: the object model

    notes = {}
    for line in open(stdout, encoding="utf-8", errors="replace"):
        m = NOTE.match(line.rstrip("\n"))
        if m:
            key = (m["path"], m["kind"], m["name"], m["c"])
        else:
            m = SVC_NOTE.match(line.rstrip("\n"))
            if not m:
                continue
            key = (m["path"], "service", "", m["c"])
        for verb, cap in VERB.findall(m["rest"]):
            notes.setdefault(key, set()).add((verb, cap))
    problems, changed_containers, announced = [], 0, 0
    seen = set()
    for d, _, fs in os.walk(orig):
        for f in fs:
            if not f.endswith((".yaml", ".yml", ".json")):
                continue
            po = os.path.join(d, f)
            rel = os.path.relpath(po, orig)
            pn = os.path.join(out, rel)
            try:
                with open(po, "rb") as fh:
                    a = list(yaml.load_all(fh, Loader=Loader))
                with open(pn, "rb") as fh:
                    b = list(yaml.load_all(fh, Loader=Loader))
            except Exception:
                continue
            if len(a) != len(b):
                problems.append(f"{rel}: document count changed")
                continue
            for da, db in zip(a, b):
                if check.is_compose(da) and isinstance(db, dict):
                    for name, sa in da["services"].items():
                        sb = (db.get("services") or {}).get(name)
                        if not isinstance(sa, dict) or not isinstance(sb, dict):
                            continue
                        before = {canon(x) for x in (sa.get("cap_add") or []) if isinstance(sa.get("cap_add"), list)} - {None}
                        after = {canon(x) for x in (sb.get("cap_add") or []) if isinstance(sb.get("cap_add"), list)} - {None}
                        key = (rel, "service", "", str(name))
                        want = {("added", x) for x in after - before} | {("removed", x) for x in before - after}
                        got = {v for v in notes.get(key, set()) if v[0] == "added" or v[1] not in after}
                        if want:
                            changed_containers += 1
                        if want != got:
                            problems.append(f"{rel}: service {name!r}: changes {sorted(want)}, announced {sorted(got)}")
                        announced += len(got)
                        seen.add(key)
                        if sb != sa and "ALL" not in (sb.get("cap_drop") or []):
                            problems.append(f"{rel}: service {name!r} changed but does not drop ALL")
                    continue
                for oa, ob in zip(check.objects(da), check.objects(db)):
                    for ca, cb in zip(check.containers(oa), check.containers(ob)):
                        before = {canon(x) for x in caps_of(ca, "add")} - {None}
                        after = {canon(x) for x in caps_of(cb, "add")} - {None}
                        md = oa.get("metadata") if isinstance(oa.get("metadata"), dict) else {}
                        key = (rel, oa.get("kind"), str(md.get("name") or ""), str(ca.get("name") or ""))
                        want = {("added", x) for x in after - before} | {("removed", x) for x in before - after}
                        got = {v for v in notes.get(key, set()) if v[0] == "added" or v[1] not in after}
                        if want:
                            changed_containers += 1
                        if want != got:
                            problems.append(f"{rel}: {key[1]}/{key[2]} container {key[3]!r}: changes {sorted(want)}, announced {sorted(got)}")
                        announced += len(got)
                        seen.add(key)
                        if cb != ca and "ALL" not in caps_of(cb, "drop"):
                            problems.append(f"{rel}: container {key[3]!r} changed but does not drop \"ALL\"")
    for key in notes:
        if key not in seen and notes[key]:
            problems.append(f"announced changes for a container not found: {key}")
    for p in problems[:20]:
        print("PROBLEM", p)
    print(f"containers and services whose add list changed: {changed_containers}, changes announced: {announced}, problems: {len(problems)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
