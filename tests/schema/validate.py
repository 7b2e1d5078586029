#!/usr/bin/python3
"""Validate `capfix fix --format json` reports against fix-report.schema.json.

    validate.py SCHEMA.json REPORT.json...

Uses Debian's python3-jsonschema (the validator the schema names, format
checking on). Also checks what a schema cannot: the summary counts equal
the files' containers. Exit 1 if any report is invalid.
"""
import json
import sys

import jsonschema


def consistent(report):
    cs = [c for f in report["files"] for c in f["containers"]]
    s = report["summary"]
    problems = []
    for key, outcome in (("fixed", "fixed"), ("already", "already"), ("skipped", "skipped")):
        n = sum(1 for c in cs if c["outcome"] == outcome)
        if n != s[key]:
            problems.append(f"summary.{key} is {s[key]}, the containers say {n}")
    n = sum(1 for c in cs if c["outcome"] == "fixed" and c["without_evidence"])
    if n != s["fixed_without_evidence"]:
        problems.append(f"summary.fixed_without_evidence is {s['fixed_without_evidence']}, the containers say {n}")
    return problems


def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    rc = 0
    for path in sys.argv[2:]:
        report = json.load(open(path, encoding="utf-8"))
        errors = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
        for e in errors[:20]:
            print(f"{path}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
        extra = [] if errors else consistent(report)
        for p in extra:
            print(f"{path}: {p}")
        if errors or extra:
            rc = 1
        else:
            print(f"{path}: valid capfix fix report ({cls.__name__})")
    return rc


if __name__ == "__main__":
    sys.exit(main())
