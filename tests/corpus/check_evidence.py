#!/usr/bin/env python3
"""Every container capfix leaves with drop ALL and no add has evidence, or a warning.

    check_evidence.py REPORT.json

REPORT is `capfix fix --check --format json` over a tree. A container that
ends with drop: [ALL] and an empty add list is in order when:
  - the manifest already dropped ALL (outcome "already": declared), or
  - something is known about how it starts (evidence: declared non-root,
    profile, command, config), or it does not run as root, or
  - it is marked without_evidence and its file carries the warning for it
    at its line.
Every container marked without_evidence must carry that warning too.
Prints, for the fixed containers, how many had each kind of evidence
(their own and their decisions') and how many had none. Exit 1 on any problem.
"""
import collections
import json
import sys


def main():
    report = json.load(open(sys.argv[1], encoding="utf-8"))
    problems = []
    kinds = collections.Counter()
    fixed = without = bare = 0
    for f in report["files"]:
        warned = {(w["line"], w["column"]) for w in f["warnings"] if "no evidence about its image" in w["message"]}
        for c in f["containers"]:
            where = f"{f['path']}:{c['line']}:{c['column']}: {c['kind']}/{c['name']} {c['container']!r}"
            if c["without_evidence"] and (c["line"], c["column"]) not in warned:
                problems.append(f"{where}: without evidence but not warned")
            if c["outcome"] == "fixed":
                fixed += 1
                own = set(c["evidence"]) | {d["evidence"] for d in c["decisions"]} - {"none"}
                for k in own:
                    kinds[k] += 1
                if c["without_evidence"]:
                    without += 1
            if c["outcome"] not in ("fixed", "already") or "ALL" not in c["drop"] or c["add"]:
                continue
            bare += 1
            if c["outcome"] == "already" or c["evidence"] or not c["may_run_as_root"]:
                continue
            if not c["without_evidence"]:
                problems.append(f"{where}: drop ALL, no add, no evidence and not marked")
    for p in problems[:20]:
        print("PROBLEM", p)
    print(f"containers fixed: {fixed}; with evidence of each kind (a container may count under several): "
          + ", ".join(f"{k} {kinds[k]}" for k in ("declared", "port", "profile", "command", "config", "image", "trace")))
    print(f"containers fixed without evidence (warned): {without}; "
          f"containers ending with drop ALL and no add: {bare}; problems: {len(problems)}")
    s = report["summary"]
    if s["fixed"] != fixed or s["fixed_without_evidence"] != without:
        print("PROBLEM summary disagrees with the containers")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
