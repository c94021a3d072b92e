"""Derive the emulator's response-conformance data from Talon.One's published OpenAPI files.

Run by a maintainer when Talon.One publishes new files (not by the tests, which must not
depend on anything outside the project)::

    python tools/derive_response_schemas.py PATH/TO/openapi-dir > \\
        tests/emulator/data/response_schemas.json

It keeps only what a conformance check needs, per operation and status: JSON types,
required properties, enums, formats, length and range bounds, array items and object
properties; prose, examples and titles are dropped, and ``oneOf`` reads as ``anyOf``.
OpenAPI's ``nullable`` becomes a ``null`` type (``readOnly`` only matters for requests).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

_KEPT = (
    "type",
    "required",
    "enum",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "pattern",
)
_NESTED = ("allOf", "anyOf", "oneOf")
_METHODS = ("get", "put", "post", "delete", "patch")


def reduce(schema: Any) -> Any:
    """The conformance-relevant part of one OpenAPI schema object."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {key: schema[key] for key in _KEPT if key in schema}
    if "properties" in schema:
        out["properties"] = {name: reduce(sub) for name, sub in schema["properties"].items()}
    if "items" in schema:
        out["items"] = reduce(schema["items"])
    if isinstance(schema.get("additionalProperties"), dict):
        out["additionalProperties"] = reduce(schema["additionalProperties"])
    for key in _NESTED:
        if key in schema:
            # An effect's props are a oneOf of open objects that overlap (the SDKs take the
            # first that fits): as JSON Schema, "exactly one" would refuse valid replies.
            out["anyOf" if key == "oneOf" else key] = [reduce(sub) for sub in schema[key]]
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def derive(directory: Path) -> dict[str, dict[str, Any]]:
    operations: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for method in _METHODS:
            operation = document.get(method)
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            statuses: dict[str, Any] = {}
            for status, response in (operation.get("responses") or {}).items():
                content = (response or {}).get("content") or {}
                media = content.get("application/json") or {}
                statuses[str(status)] = reduce(media["schema"]) if "schema" in media else None
            operations[operation["operationId"]] = statuses
    return operations


if __name__ == "__main__":
    json.dump(derive(Path(sys.argv[1])), sys.stdout, separators=(",", ":"), sort_keys=True)
    sys.stdout.write("\n")
