"""Reading the fields of an inventory reply: each checked, each failure naming its path.

Shared by the coupon and referral parser (:mod:`.parsing`) and the loyalty, giveaway and
achievement parser (:mod:`.rewards`), so both report a bad field the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime

__all__ = ["InventoryError"]


class InventoryError(ValueError):
    """The inventory reply does not have the shape Talon.One documents."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"inventory reply: {path}: {problem}")
        self.path = path


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InventoryError(path, f"expected an object, got {type(value).__name__}")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InventoryError(path, f"expected a list, got {type(value).__name__}")
    return value


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise InventoryError(path, "expected a non-empty string")
    return value


def _integer(value: Any, path: str, *, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or value != int(value):
        raise InventoryError(path, f"expected an integer, got {value!r}")
    return int(value)


def _limit(value: Any, path: str) -> int | None:
    """A usage limit: Talon.One's 0 (or no value) means unlimited."""
    limit = _integer(value, path, default=0)
    return limit or None


def _decimal(value: Any, path: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise InventoryError(path, f"expected a number, got {value!r}")
    try:
        number = Decimal(str(value)) if isinstance(value, (int, float, str)) else value
    except InvalidOperation:
        raise InventoryError(path, f"expected a number, got {value!r}") from None
    if not isinstance(number, Decimal) or not number.is_finite():
        raise InventoryError(path, f"expected a number, got {value!r}")
    return number


def _datetime(value: Any, path: str) -> dt.datetime | None:
    if value is None:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise InventoryError(path, f"expected an RFC 3339 date-time, got {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed
