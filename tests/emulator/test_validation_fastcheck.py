"""The compiled first pass and the full jsonschema pass give the same verdict on any body.

The compiled check (``emulator/fastcheck.py``) lets a valid body skip the full walk, so it
must never accept what the full pass refuses. Hypothesis draws bodies near each
operation's schema (fields present or missing, extra fields, values at and past every
bound, wrong types, ``true`` for numbers, ``1.0`` for integers, good and bad dates,
duplicates where items must be unique) and both passes judge each, lenient and strict.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_talonone.emulator.fastcheck import accepts
from django_talonone.emulator.schemas import BODY_SCHEMAS
from django_talonone.emulator.validation import _VALIDATORS, _is_date_time

DATES = [
    "2026-05-01T12:00:00Z",
    "2026-05-01T12:00:00.5+01:00",
    "2026-12-31T23:59:60Z",
    "2026-02-30T12:00:00Z",
    "2026-05-01T12:00:00+0100",
    "soon",
]
ANY_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([Decimal("1.0"), Decimal("-0.5"), Decimal("2.25")])
    | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=2), inner, max_size=2)
    ),
    max_leaves=4,
)


def _number(schema: dict[str, Any], integer: bool) -> st.SearchStrategy[Any]:
    edges: list[Any] = [0, 1, 2, 7, -1, 999999, True, Decimal("1.0"), Decimal("0.5")]
    for bound in ("minimum", "maximum"):
        if bound in schema:
            edges += [schema[bound], schema[bound] - 1, schema[bound] + 1]
    return st.sampled_from(edges) if integer else st.sampled_from([*edges, Decimal("12.34")])


def _string(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    if schema.get("format") == "date-time":
        return st.sampled_from(DATES)
    lengths = [0, 1, 3, 4]
    for bound in ("minLength", "maxLength"):
        if bound in schema:
            lengths += [schema[bound], max(0, schema[bound] - 1), schema[bound] + 1]
    return st.sampled_from(sorted(set(lengths))).map(lambda n: "x" * n)


def near(schema: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values that mostly fit ``schema`` and often break exactly one of its rules."""
    if not isinstance(schema, dict) or depth > 5:
        return ANY_JSON
    kind = schema.get("type")
    if "enum" in schema:
        fitting: st.SearchStrategy[Any] = st.sampled_from([*schema["enum"], "nope"])
    elif kind == "object":
        fitting = _object(schema, depth)
    elif kind == "array":
        item = near(schema.get("items", {}), depth + 1)
        low, high = schema.get("minItems", 0), min(schema.get("maxItems", 3), 3) + 1
        fitting = st.lists(item, min_size=max(0, low - 1), max_size=high)
        if schema.get("uniqueItems"):
            fitting = fitting | item.map(lambda value: [value, value])
    elif kind in ("integer", "number"):
        fitting = _number(schema, kind == "integer")
    elif kind == "string":
        fitting = _string(schema)
    elif kind == "boolean":
        fitting = st.booleans()
    else:
        fitting = ANY_JSON
    if depth == 0:
        return fitting
    return st.integers(0, 9).flatmap(lambda roll: ANY_JSON if roll == 0 else fitting)


def _object(schema: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    fields = {name: near(sub, depth + 1) for name, sub in properties.items()}

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for name, strategy in fields.items():
            keep = draw(st.integers(0, 9))
            if (name in required and keep > 0) or keep > 7:
                body[name] = draw(strategy)
        if draw(st.integers(0, 9)) == 0:
            body[draw(st.sampled_from(["extra", "cartItem", "x"]))] = draw(ANY_JSON)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and draw(st.booleans()):
            body["free"] = draw(near(extra, depth + 1))
        return body

    return build()


def full_pass_accepts(operation: str, body: Any, *, strict: bool) -> bool:
    errors = _VALIDATORS[operation].iter_errors(body)
    return not [e for e in errors if strict or e.validator != "additionalProperties"]


@pytest.mark.parametrize("operation", sorted(BODY_SCHEMAS))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), strict=st.booleans())
def test_both_passes_agree(operation: str, data: st.DataObject, strict: bool) -> None:
    body = data.draw(near(BODY_SCHEMAS[operation]))
    fast = accepts(operation, body, strict=strict, date_time=_is_date_time)
    assert fast == full_pass_accepts(operation, body, strict=strict), body
    # What the app decodes from JSON skips the float walk; these bodies hold no float.
    wire = accepts(operation, body, strict=strict, date_time=_is_date_time, from_wire=True)
    assert wire == fast


@pytest.mark.parametrize(
    "field", [("quantity", 1.0), ("price", Decimal("NaN")), ("price", float("inf"))]
)
def test_what_json_never_decodes_to_is_left_to_the_full_pass(field: tuple[str, Any]) -> None:
    name, value = field
    body = {"customerSession": {"cartItems": [{"sku": "A", "quantity": 1, name: value}]}}
    assert not accepts("updateCustomerSessionV2", body, strict=False, date_time=_is_date_time)
    assert not full_pass_accepts("updateCustomerSessionV2", body, strict=False)


def test_a_valid_cart_is_accepted_by_the_compiled_pass() -> None:
    items = [{"sku": f"S{n}", "quantity": 2, "price": Decimal("9.99")} for n in range(20)]
    body = {"customerSession": {"profileId": "p", "cartItems": items}, "unknown": 1}
    assert accepts("updateCustomerSessionV2", body, strict=False, date_time=_is_date_time)
    assert not accepts("updateCustomerSessionV2", body, strict=True, date_time=_is_date_time)
