"""What can be a discount: Talon.One's effect amounts, checked before the shop shows them.

An effect's amount is shown on the cart page and charged, so a reply whose amounts cannot
be a discount must not reach the till: a negative ``setDiscount`` would raise the price,
a per-item discount larger than the line would make the refund of that line negative,
``"NaN"`` or ``"abc"`` would crash the page. An amount that is not a finite number of at
least 0 is refused; one larger than what is left of its line, or of the cart, is cut to
what is left. Both are logged, with the effect, for someone to look at the campaign.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .evaluation import Discount

logger = logging.getLogger("django_talonone.evaluation")


def amount_of(value: Any, *, effect: Mapping[str, Any]) -> Decimal | None:
    """The effect's amount, or ``None`` (logged) when it cannot be a discount."""
    try:
        if isinstance(value, bool):
            raise TypeError
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (TypeError, ValueError, InvalidOperation):
        number = None
    if number is None or not number.is_finite() or number < 0:
        logger.warning(
            "Talon.One effect %s of campaign %s has a discount of %r, which cannot be a "
            "discount: ignored.",
            effect.get("effectType"),
            effect.get("campaignId"),
            value,
        )
        return None
    return number


@dataclass(frozen=True)
class CartLimits:
    """How much the cart sent can be discounted: per line (by position), and in total."""

    lines: Mapping[int, Decimal]
    total: Decimal

    @classmethod
    def of_session(cls, body: Any) -> CartLimits | None:
        """The limits of an UpdateCustomerSessionV2 body, or ``None`` without cart items."""
        content = body.get("customerSession") if isinstance(body, Mapping) else None
        items = content.get("cartItems") if isinstance(content, Mapping) else None
        if not isinstance(items, list):
            return None
        lines: dict[int, Decimal] = {}
        for position, item in enumerate(items):
            price, quantity = _number(item.get("price")), _number(item.get("quantity"))
            lines[position] = price * quantity
        costs = content.get("additionalCosts") if isinstance(content, Mapping) else None
        extra = sum(
            (
                _number(cost.get("price"))
                for cost in (costs or {}).values()
                if isinstance(cost, Mapping)
            ),
            Decimal(0),
        )
        return cls(lines, sum(lines.values(), Decimal(0)) + extra)

    def clamp(self, discounts: Iterable[Discount]) -> list[Discount]:
        """``discounts``, each cut to what is left of its line and of the cart (logged)."""
        left_in_line = dict(self.lines)
        left = self.total
        kept: list[Discount] = []
        for discount in discounts:
            allowed = left
            if discount.position is not None:
                allowed = min(allowed, left_in_line.get(discount.position, Decimal(0)))
            allowed = max(allowed, Decimal(0))
            if discount.amount > allowed:
                logger.warning(
                    "Talon.One discount %r of campaign %s is %s, more than the %s left of "
                    "its %s: cut to %s.",
                    discount.name,
                    discount.campaign_id,
                    discount.amount,
                    allowed,
                    "line" if discount.position is not None else "cart",
                    allowed,
                )
                discount = replace(discount, amount=allowed)
            left -= discount.amount
            if discount.position is not None:
                left_in_line[discount.position] = (
                    left_in_line.get(discount.position, Decimal(0)) - discount.amount
                )
            kept.append(discount)
        return kept


def _number(value: Any) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (ValueError, InvalidOperation):
        return Decimal(0)
    return number if number.is_finite() else Decimal(0)
