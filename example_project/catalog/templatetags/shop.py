"""Template helpers: money with the shop's currency."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def money(value: Decimal | int | None, currency: str | None = None) -> str:
    """``Decimal("1234.5")`` → ``"$1,234.50"``, ``|money:"EUR"`` → ``"€1,234.50"``
    (negative amounts keep their sign)."""
    amount = Decimal(value or 0)
    sign = "-" if amount < 0 else ""
    symbol = settings.SHOP_CURRENCIES.get(currency or "", settings.SHOP_CURRENCY_SYMBOL)
    return f"{sign}{symbol}{abs(amount):,.2f}"
