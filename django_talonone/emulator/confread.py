"""Typed readers for the campaigns file: each checks one value and names it when wrong.

Shared by :mod:`.campaigns` and :mod:`.rewards_config`, so every section of the file
reports mistakes the same way (``campaigns[1].coupons[0].code: required``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .clock import parse_timestamp


def read_mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: must be an object")
    return value


def read_required(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data or data[key] is None:
        raise ValueError(f"{where}.{key}: required")
    return data[key]


def no_unknown(data: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            prefix = f"{where}." if where else ""
            raise ValueError(f"{prefix}{key}: unknown field")


def read_int(value: Any, where: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{where}: must be an integer >= {minimum}")
    return int(value)


def read_bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where}: must be true or false")
    return value


def read_str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: must be a non-empty string")
    return value


def read_str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise ValueError(f"{where}: must be a list of strings")
    return [read_str(item, f"{where}[{i}]") for i, item in enumerate(value)]


def read_money(value: Any, where: str) -> Decimal:
    """Read a non-negative amount; floats go through ``str`` so 0.1 stays 0.1."""
    if isinstance(value, bool):
        raise ValueError(f"{where}: must be a number")
    try:
        amount = Decimal(str(value)) if isinstance(value, (int, float, str)) else value
    except InvalidOperation:
        raise ValueError(f"{where}: must be a number") from None
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise ValueError(f"{where}: must be a non-negative number")
    return amount


def read_timestamp(value: Any, where: str) -> str | None:
    if value is None:
        return None
    try:
        parse_timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"{where}: must be an RFC 3339 timestamp") from None
    return str(value)


def check_unique(values: list[Any], where: str, key: str) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{where}: duplicate {key} {value!r}")
        seen.add(value)
