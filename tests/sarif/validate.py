#!/usr/bin/python3
"""Validate SARIF logs against the OASIS SARIF 2.1.0 JSON schema, offline.

    validate.py SCHEMA.json LOG.sarif...

The schema file beside this script is sarif-schema-2.1.0.json as published
in the oasis-tcs/sarif-spec repository (draft-07, "$id" .../Schemata/
sarif-schema-2.1.0.json), taken from the npm package @datadog/datadog-ci
2.48.0 (dist/commands/sarif/json-schema/), sha256 10666d46649b52e2...556454.
Uses Debian's python3-jsonschema with format checking. Exit 1 if any log is
invalid.
"""
import hashlib
import json
import sys

import jsonschema

SHA256 = "10666d46649b52e262001e70d43e6c52f7c0279ca3dbdfe9a7dc2e4071556454"


def main():
    schema_path, logs = sys.argv[1], sys.argv[2:]
    raw = open(schema_path, "rb").read()
    if hashlib.sha256(raw).hexdigest() != SHA256:
        print(f"{schema_path}: not the expected schema file (sha256 differs)")
        return 1
    schema = json.loads(raw)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    rc = 0
    for path in logs:
        errors = sorted(validator.iter_errors(json.load(open(path, encoding="utf-8"))),
                        key=lambda e: list(e.absolute_path))
        if not errors:
            print(f"{path}: valid SARIF 2.1.0 ({cls.__name__})")
            continue
        rc = 1
        for e in errors[:20]:
            loc = "/" + "/".join(str(p) for p in e.absolute_path)
            print(f"{path}: INVALID at {loc}: {e.message}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
