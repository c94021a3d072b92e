"""Money arithmetic: ``Decimal`` only, rounded half-up to cents where a rule computes."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal(0)


def cents(amount: Decimal) -> Decimal:
    """Round a computed amount (a percentage, a share) to cents, half-up."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value: Any) -> Decimal:
    """A wire number as ``Decimal``; the shell already decodes floats as ``Decimal``."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def line_total(item: dict[str, Any]) -> Decimal:
    """Pre-discount value of a cart line: price times quantity (price may be absent)."""
    return to_decimal(item.get("price")) * int(item.get("quantity", 0))
