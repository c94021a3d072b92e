"""Puts the number of items in the shopper's cart, and its currency, on every page (for
the header and the prices)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

from .carts import current_cart


def cart_size(request: HttpRequest) -> dict[str, Any]:
    cart = current_cart(request)
    currencies = list(settings.SHOP_CURRENCIES)
    if cart is None:
        return {"cart_size": 0, "cart_currency": currencies[0], "currencies": currencies}
    size = cart.lines.aggregate(total=Sum("quantity"))["total"] or 0
    return {"cart_size": size, "cart_currency": cart.currency, "currencies": currencies}
