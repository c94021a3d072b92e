"""Checking shop data before it becomes a Talon.One payload: each refusal names its field.

The adapters (:mod:`.adapters`) build session and profile bodies with these; services
check ids and attributes they take directly with the public ones. A refusal raises
:class:`InvalidPayload` in the shop's own code, not a 400 from Talon.One minutes later.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from django_talonone.client import TalonOneValidationError
from django_talonone.conf import get_settings

__all__ = [
    "MAX_AMOUNT",
    "MAX_CART_ITEMS",
    "MAX_CODE_LENGTH",
    "MAX_IDENTIFIERS",
    "MAX_ID_LENGTH",
    "MAX_QUANTITY",
    "InvalidPayload",
    "check_sendable",
    "validate_attributes",
    "validate_id",
    "validate_points",
]

MAX_CART_ITEMS = 1000
MAX_CODE_LENGTH = 100
MAX_ID_LENGTH = 1000
MAX_IDENTIFIERS = 5
#: Talon.One's SDKs hold a quantity in a 32-bit integer.
MAX_QUANTITY = 2**31 - 1
#: Talon.One holds amounts as binary floats, which keep cents exact only below about 9e13.
MAX_AMOUNT = Decimal(10) ** 13


class InvalidPayload(TalonOneValidationError):
    """Shop data Talon.One would reject; ``field`` names the culprit (``items[2].price``)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


def validate_id(name: str, value: Any) -> str:
    """A profile or other integration id: text Talon.One can store and a URL can carry."""
    text = _text(name, value, MAX_ID_LENGTH)
    if text in (".", ".."):
        raise InvalidPayload(name, f"{text!r} cannot be used in a URL path")
    return text


def check_sendable(name: str, value: str) -> None:
    """Refuse text that cannot travel as UTF-8 JSON or be stored (a NUL, a lone surrogate),
    naming ``name``: for ids taken by the services rather than built by an adapter."""
    _sendable(name, value)


def validate_attributes(name: str, value: Any) -> dict[str, Any]:
    """Attributes as Talon.One takes them: non-empty string keys, JSON values; the error
    names the bad key (``attributes['size'][2]``)."""
    return _attributes(name, value)


def _text(name: str, value: Any, limit: int, *, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidPayload(name, f"must be a string, got {type(value).__name__}")
    if not value and not empty:
        raise InvalidPayload(name, "must not be empty")
    if len(value) > limit:
        raise InvalidPayload(name, f"is {len(value)} characters long; the limit is {limit}")
    _sendable(name, value)
    return value


def _sendable(name: str, value: str) -> None:
    """Refuse text that cannot travel as UTF-8 JSON or be stored by every database."""
    if "\x00" in value:
        raise InvalidPayload(name, f"contains a NUL character at position {value.index(chr(0))}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidPayload(
            name, f"contains a lone surrogate at position {error.start}, which is not text"
        ) from None


def validate_points(name: str, value: Any) -> Decimal:
    """Loyalty points asked for: a ``Decimal`` of at least 0 (points may have decimals)."""
    return _money(name, value)


def _with_points(attributes: dict[str, Any], points: Decimal | None) -> dict[str, Any]:
    """The session attributes plus the points asked for, under the configured name."""
    if points is None:
        return attributes
    points = validate_points("points_to_spend", points)
    name = get_settings().loyalty_points_attribute
    if name is None:
        if not points:
            return attributes  # nothing asked: a shop without spending needs no setting
        raise ImproperlyConfigured(
            "This cart asks to spend loyalty points, but TALONONE['LOYALTY_POINTS_ATTRIBUTE']"
            " is not set: set it to the session attribute your spend rule reads."
        )
    if name in attributes:
        raise InvalidPayload(
            f"attributes[{name!r}]",
            "is LOYALTY_POINTS_ATTRIBUTE, filled from get_points_to_spend(); "
            "leave it out of get_attributes()",
        )
    return {**attributes, name: points}


def _money(name: str, value: Any) -> Decimal:
    if not isinstance(value, Decimal):
        raise InvalidPayload(
            name, f"must be a Decimal, got {type(value).__name__} {value!r} (floats lose cents)"
        )
    if not value.is_finite() or value < 0:
        raise InvalidPayload(name, f"must be a finite amount of at least 0, got {value}")
    if value >= MAX_AMOUNT:
        raise InvalidPayload(name, f"is {value}; amounts must be below {MAX_AMOUNT:,}")
    return value


def _attributes(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidPayload(name, f"must be a mapping, got {type(value).__name__}")
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise InvalidPayload(name, f"keys must be non-empty strings, got {key!r}")
        _sendable(f"{name}[{key!r}]", key)
        _attribute_value(f"{name}[{key!r}]", item)
    return dict(value)


def _attribute_value(name: str, value: Any) -> None:
    """Check that an attribute value is JSON Talon.One can store, naming the bad part."""
    if value is None or isinstance(value, (bool, int)):
        return
    if isinstance(value, str):
        _sendable(name, value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidPayload(name, f"must be a finite number, got {value}")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidPayload(name, f"must be a finite number, got {value}")
    elif isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidPayload(name, "is a naive datetime; give it a timezone")
    elif isinstance(value, dt.date):
        return
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidPayload(name, f"keys must be strings, got {key!r}")
            _sendable(f"{name}[{key!r}]", key)
            _attribute_value(f"{name}[{key!r}]", item)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _attribute_value(f"{name}[{index}]", item)
    else:
        raise InvalidPayload(
            name,
            f"holds a {type(value).__name__}, which is not JSON; use str, int, Decimal, "
            "bool, None, a date, an aware datetime, a list or a dict",
        )
