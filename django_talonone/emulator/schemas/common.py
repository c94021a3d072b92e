"""Building blocks for the request-body schemas (JSON Schema Draft 2020-12, as dicts).

Every model object is *closed* (``additionalProperties: false``) so a misspelt field such
as ``customer_session`` or ``cartitems`` is reported instead of silently ignored, which is
what a real integration would otherwise discover only in production. Free-form maps
(``attributes`` and the like) stay open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
DATE_TIME: Schema = {"type": "string", "format": "date-time"}
FREE_FORM: Schema = {"type": "object"}
"""Arbitrary key/value data such as ``attributes``: any keys, any values."""

MAX_ITEMS = 1000
"""Today's per-request cap on cart items, profiles, audience actions and integration ids."""

INTEGRATION_ID_MAX_LENGTH = 1000


def string(*, min_length: int | None = None, max_length: int | None = None) -> Schema:
    schema: Schema = {"type": "string"}
    if min_length is not None:
        schema["minLength"] = min_length
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def integer(*, minimum: int | None = None, maximum: int | None = None) -> Schema:
    schema: Schema = {"type": "integer"}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def array(
    items: Schema,
    *,
    min_items: int | None = None,
    max_items: int | None = None,
    unique: bool = False,
) -> Schema:
    schema: Schema = {"type": "array", "items": items}
    if min_items is not None:
        schema["minItems"] = min_items
    if max_items is not None:
        schema["maxItems"] = max_items
    if unique:
        schema["uniqueItems"] = True
    return schema


def one_of_values(values: Iterable[str]) -> Schema:
    """A string restricted to ``values`` (the enum alone also rejects non-strings)."""
    return {"enum": list(values)}


def model(properties: Mapping[str, Schema], *, required: Iterable[str] = ()) -> Schema:
    """A closed object: only ``properties`` are allowed, ``required`` must be present."""
    schema: Schema = {
        "type": "object",
        "properties": dict(properties),
        "additionalProperties": False,
    }
    required_names = list(required)
    unknown = set(required_names) - set(properties)
    if unknown:
        raise ValueError(f"required fields without a schema: {sorted(unknown)}")
    if required_names:
        schema["required"] = required_names
    return schema


def map_of(values: Schema) -> Schema:
    """An object with caller-chosen keys (cost names, price types), each value ``values``."""
    return {"type": "object", "additionalProperties": values}


def response_content(values: Iterable[str]) -> Schema:
    """The ``responseContent`` list: which optional sections the reply should carry."""
    return array(one_of_values(values))


INTEGRATION_ID: Schema = string(max_length=INTEGRATION_ID_MAX_LENGTH)
ID_LIST: Schema = array(INTEGER)
