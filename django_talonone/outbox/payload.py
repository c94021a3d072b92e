"""How a call's arguments are stored in ``Delivery.payload`` and restored for sending.

The stored payload is ``{"args": [...], "body": {...} | None, "query": {...}}``, plus
``"decimals"`` when the call carries money. JSON columns cannot hold ``Decimal``, and a
float would lose cents, so every ``Decimal`` is stored as its exact string (``"19.99"``)
and its JSON pointer (``"/body/customerSession/cartItems/0/price"``) is listed under
``"decimals"``. :func:`decode_payload` turns exactly those strings back into ``Decimal``,
so the client sends ``19.99`` as a JSON number, never ``"19.99"``, and a SKU that merely
looks numeric stays a string. ``query`` holds the client method's keyword arguments
(``dry``, ``silent``, ``run_rule_engine``...), never a secret.

Anything else that JSON cannot hold is rejected before the row is written, with an error
naming the offending field.

A cart snapshot is recorded as a mere reference, ``{"cart": {"model": ..., "pk": ...}}``:
the worker builds the call from the cart as it is at delivery time (always the newest
state, and no work in the shopper's request) and stores what it sent next to the
reference, in the usual form.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _store(value: Any, pointer: str, decimals: list[str] | None) -> Any:
    """A JSON-safe copy of ``value``; Decimal pointers go to ``decimals`` when given."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"payload field {pointer} is {value}, not a finite amount")
        if decimals is not None:
            decimals.append(pointer)
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"payload field {pointer} is {value}, not a finite number")
        return value
    if isinstance(value, Mapping):
        copy: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"payload field {pointer} has a non-string key {key!r}")
            copy[key] = _store(item, f"{pointer}/{_escape(key)}", decimals)
        return copy
    if isinstance(value, (list, tuple)):
        return [_store(item, f"{pointer}/{index}", decimals) for index, item in enumerate(value)]
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"payload field {pointer} is a naive datetime; give it a timezone")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(
        f"payload field {pointer} holds a {type(value).__name__}, which cannot be stored as JSON"
    )


def json_safe(value: Any) -> Any:
    """``value`` made storable in a JSONField, Decimals as exact strings (replies, effects)."""
    return _store(value, "", None)


def encode_payload(
    args: Sequence[str | int], body: Mapping[str, Any] | None, query: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The stored form of one call; raises ``TypeError``/``ValueError`` naming a bad field."""
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
    decimals: list[str] = []
    stored: dict[str, Any] = {
        "args": list(args),
        "body": _store(body, "/body", decimals),
        "query": _store(dict(query or {}), "/query", decimals),
    }
    if decimals:
        stored["decimals"] = decimals
    return stored


def is_built(stored: Mapping[str, Any]) -> bool:
    """Whether a stored payload holds a call (a reference row holds one once built)."""
    return "args" in stored


def _restore(document: dict[str, Any], pointer: str) -> None:
    tokens = [_unescape(token) for token in pointer.split("/")[1:]]
    parent: Any = document
    for token in tokens[:-1]:
        parent = parent[int(token)] if isinstance(parent, list) else parent[token]
    last = tokens[-1]
    if isinstance(parent, list):
        parent[int(last)] = Decimal(parent[int(last)])
    else:
        parent[last] = Decimal(parent[last])


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
    """``(args, body, query)`` ready for the client, with every stored Decimal restored."""
    document: dict[str, Any] = {
        "args": list(stored.get("args") or []),
        "body": _copy(stored.get("body")),
        "query": _copy(dict(stored.get("query") or {})),
    }
    for pointer in stored.get("decimals") or ():
        _restore(document, pointer)
    return document["args"], document["body"], document["query"]


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value
