"""How a call's arguments are stored in ``Delivery.payload`` and read back for sending.

The stored payload is ``{"args": [...], "body": {...} | None, "query": {...}}``, kept as
exactly the JSON the client sends (see :mod:`django_talonone.json_values`): a ``Decimal``
is an exact JSON number in the row and reads back as a ``Decimal``, so ``19.99`` goes out
as ``19.99``, and a SKU that merely looks numeric stays a string. ``query`` holds the
client method's keyword arguments (``dry``, ``silent``, ``run_rule_engine``...), never a
secret.

Anything JSON cannot hold, or that would not come back as it went in (a key that is not
a string, a naive datetime, NaN), is rejected before the row is written, with an error
naming the offending field.

A cart snapshot is recorded as a mere reference, ``{"cart": {"model": ..., "pk": ...}}``:
the worker builds the call from the cart as it is at delivery time (always the newest
state, and no work in the shopper's request) and stores what it sent next to the
reference, in the usual form.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django_talonone.json_values import json_safe, wire_copy

__all__ = [
    "cart_reference",
    "check_wire_json",
    "decode_payload",
    "encode_payload",
    "is_built",
    "json_safe",
    "order_reference",
    "referenced_cart",
    "referenced_order",
]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def check_wire_json(value: Any, pointer: str) -> None:
    """Refuse what the wire JSON cannot carry unchanged, naming the field: ``pointer`` and
    the JSON pointer below it (``payload field /body/lines/0/price``)."""
    if value is None or isinstance(value, (bool, str, int)):
        return
    if isinstance(value, (Decimal, float)):
        if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
            raise ValueError(f"{pointer} is {value}, not a finite number")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{pointer} has a non-string key {key!r}")
            check_wire_json(item, f"{pointer}/{_escape(key)}")
        return
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            check_wire_json(item, f"{pointer}/{index}")
        return
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{pointer} is a naive datetime; give it a timezone")
        return
    if isinstance(value, date):
        return
    raise TypeError(f"{pointer} holds a {type(value).__name__}, which cannot be sent as JSON")


def encode_payload(
    args: Sequence[str | int], body: Mapping[str, Any] | None, query: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The stored form of one call; raises ``TypeError``/``ValueError`` naming a bad field.

    The result is already what the row reads back as (the wire JSON, decoded), so a row
    still in memory and one fetched from the database send the same bytes.
    """
    if isinstance(args, (str, bytes)):
        raise TypeError("payload args must be a sequence of path parameters, not a string")
    for index, arg in enumerate(args):
        if isinstance(arg, bool) or not isinstance(arg, (str, int)):
            raise TypeError(f"payload field /args/{index} must be a str or int; got {arg!r}")
    if body is not None and not isinstance(body, Mapping):
        raise TypeError(f"payload body must be a mapping; got {type(body).__name__}")
    for key in query or {}:
        if not isinstance(key, str) or not key.isidentifier():
            raise TypeError(f"payload query key {key!r} must be a client keyword argument name")
    check_wire_json(body, "payload field /body")
    check_wire_json(dict(query or {}), "payload field /query")
    stored: dict[str, Any] = wire_copy(
        {"args": list(args), "body": body, "query": dict(query or {})}
    )
    return stored


def is_built(stored: Mapping[str, Any]) -> bool:
    """Whether a stored payload holds a call (a reference row holds one once built)."""
    return "args" in stored


def cart_reference(model_label: str, pk: str | int) -> dict[str, Any]:
    """The stored payload of a cart snapshot that is still to be built."""
    return {"cart": {"model": model_label, "pk": str(pk)}}


def referenced_cart(stored: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(model label, pk)`` of a cart snapshot's payload, ``None`` for any other call."""
    reference = stored.get("cart")
    if not isinstance(reference, Mapping):
        return None
    return str(reference["model"]), str(reference["pk"])


def order_reference(model_label: str, pk: str | int) -> dict[str, Any]:
    """What an order's close stores until it is built (see ``services.orders``)."""
    return {"order": {"model": model_label, "pk": str(pk)}}


def referenced_order(stored: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(model label, pk)`` of an order close's payload, ``None`` for any other call."""
    reference = stored.get("order")
    if not isinstance(reference, Mapping):
        return None
    return str(reference["model"]), str(reference["pk"])


def decode_payload(stored: Mapping[str, Any]) -> tuple[list[str | int], Any, dict[str, Any]]:
    """``(args, body, query)`` ready for the client: copies, so the row is left as it was."""
    return (
        list(stored.get("args") or []),
        _copy(stored.get("body")),
        _copy(dict(stored.get("query") or {})),
    )


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value
