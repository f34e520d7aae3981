"""Validates documents against Config/schema/kallad.schema.json with jsonschema.
stdin: {"valid": [paths], "invalid": [yaml texts]}. Prints "ok V valid, I rejected" or the problems."""
import json
import sys
from datetime import date

import jsonschema
import yaml


def plain(node):
    """YAML dates become strings, as Kallad reads every scalar as text."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, date):
        return node.isoformat()
    return node


request = json.load(sys.stdin)
schema = json.load(open(request["schema"]))
validator = jsonschema.Draft202012Validator(schema)
problems = []
for path in request["valid"]:
    for error in validator.iter_errors(plain(yaml.safe_load(open(path))) or {}):
        problems.append(f"{path}: {'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")
rejected = 0
for text in request["invalid"]:
    if list(validator.iter_errors(plain(yaml.safe_load(text)) or {})):
        rejected += 1
    else:
        problems.append(f"accepted but invalid: {text!r}")
print("\n".join(problems) if problems else f"ok {len(request['valid'])} valid, {rejected} rejected")
