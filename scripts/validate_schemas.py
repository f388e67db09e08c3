#!/usr/bin/env python3
"""Validate JSON documents against the exported schemas with Python's `jsonschema`.

Usage:
    python3 scripts/validate_schemas.py                # every committed fixture
    python3 scripts/validate_schemas.py SCHEMA DOC...  # your own documents

This is what another language sees: the files in schemas/ are standard
draft 2020-12 JSON Schema, with no Rust involved.
"""
import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("python package `jsonschema` is missing: pip install jsonschema")

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"


def validator(schema_file):
    schema = json.loads((SCHEMAS / schema_file).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def response_schema(name):
    if name.startswith("list-members"):
        return "member-list-envelope.json"
    if name.startswith("role-list"):
        return "role-list-envelope.json"
    if name.startswith("resource-group-list"):
        return "resource-group-list-envelope.json"
    if name.startswith("resource-group"):
        return "resource-group-envelope.json"
    if name.startswith("account-list"):
        return "account-list-envelope.json"
    if name.startswith("user-group-members"):
        return "group-member-list-envelope.json"
    if name.startswith("user-group"):
        return "user-group-envelope.json"
    if name.startswith("zone-list"):
        return "zone-list-envelope.json"
    if name.startswith("permission-group-list"):
        return "permission-group-list-envelope.json"
    if name.startswith("audit-log"):
        return "audit-log-list-envelope.json"
    if name.startswith("failure"):
        return "envelope.json"
    return "member-envelope.json"


def check(schema_file, doc, label):
    errors = sorted(validator(schema_file).iter_errors(doc), key=lambda e: list(e.path))
    for error in errors:
        print(f"INVALID {label} against {schema_file}: {error.message} at {list(error.path)}")
    if not errors:
        print(f"valid   {label} against {schema_file}")
    return not errors


def main(argv):
    ok = True
    if len(argv) >= 2:
        schema_file = pathlib.Path(argv[0]).name
        for doc_path in argv[1:]:
            ok &= check(schema_file, json.loads(pathlib.Path(doc_path).read_text()), doc_path)
        return 0 if ok else 1
    for path in sorted((ROOT / "fixtures" / "responses").glob("*.json")):
        ok &= check(response_schema(path.name), json.loads(path.read_text()), path.name)
    for path in sorted((ROOT / "fixtures" / "requests").glob("*.json")):
        wrapped = json.loads(path.read_text())
        ok &= check(wrapped["schema"], wrapped["body"], path.name)
    # Invalid examples must be refused here too.
    bad = [
        ("update-member.json", {"roles": [{"id": "a" * 33}]}, "role id of 33 characters"),
        ("update-member.json", {"roles": [{"id": "3536bcfad5faccb999b47003c79917fb"}],
                                "policies": [{"access": "allow", "permission_groups": [{"id": "a"}],
                                              "resource_groups": [{"id": "b"}]}]}, "roles and policies"),
        ("list-members-params.json", {"per_page": 51}, "per_page 51"),
    ]
    for schema_file, doc, label in bad:
        if validator(schema_file).is_valid(doc):
            print(f"ACCEPTED invalid example ({label}) against {schema_file}")
            ok = False
        else:
            print(f"refused {label} against {schema_file}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
