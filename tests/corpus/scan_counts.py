#!/usr/bin/env python3
"""Cross-check `capfix scan --format json` against an independent count (PyYAML).

    scan_counts.py CORPUS_DIR REPORT.json

For every file capfix reports as scanned, count with ../shared/bench/check.py's
object model (PyYAML, aliases and merge keys resolved): containers of
pod-bearing objects, those with a non-empty capabilities.add, those whose
drop holds "ALL". Every file must agree; prints the totals. Exit 1 on any
disagreement.
"""
import json
import os
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def main():
    corpus, report = sys.argv[1], sys.argv[2]
    sys.path.insert(0, os.environ["CAPFIX_SHARED_BENCH"])
    import check

    rep = json.load(open(report))
    problems = []
    tot = dict(files=0, containers=0, adding=0, dropping_all=0)
    for f in rep["files"]:
        if f["status"] != "scanned":
            continue
        path = os.path.join(corpus, f["path"])
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
            if path.endswith(".json"):
                docs = [json.loads(raw.decode("utf-8-sig"))]
            else:
                docs = list(yaml.load_all(raw, Loader=Loader))
        except Exception as e:  # capfix parsed it, PyYAML did not
            problems.append(f"{f['path']}: PyYAML cannot read it ({type(e).__name__}) but capfix scanned it")
            continue
        n = dict(containers=0, adding=0, dropping_all=0)
        for d in docs:
            for obj in check.objects(d):
                for c in check.containers(obj):
                    n["containers"] += 1
                    sc = c.get("securityContext")
                    caps = sc.get("capabilities") if isinstance(sc, dict) else None
                    add = caps.get("add") if isinstance(caps, dict) else None
                    n["adding"] += isinstance(add, list) and len(add) > 0
                    n["dropping_all"] += check.has_drop_all(c)
        got = dict(containers=f["containers"], adding=f["containers_adding"],
                   dropping_all=f["containers_dropping_all"])
        if got != n:
            problems.append(f"{f['path']}: capfix {got}, PyYAML {n}")
        tot["files"] += 1
        for k in n:
            tot[k] += n[k]
    s = rep["summary"]
    if (s["containers"], s["containers_adding"], s["containers_dropping_all"]) != (
            tot["containers"], tot["adding"], tot["dropping_all"]):
        problems.append(f"summary {s} disagrees with the per-file counts {tot}")
    for p in problems[:20]:
        print("PROBLEM", p)
    print(f"scan counts: {tot['files']} files, {tot['containers']} containers, "
          f"{tot['adding']} with add, {tot['dropping_all']} dropping ALL; {len(problems)} disagreements")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
