"""Puts the number of items in the shopper's cart on every page (for the header)."""

from __future__ import annotations

from django.db.models import Sum
from django.http import HttpRequest

from .carts import current_cart


def cart_size(request: HttpRequest) -> dict[str, int]:
    cart = current_cart(request)
    if cart is None:
        return {"cart_size": 0}
    return {"cart_size": cart.lines.aggregate(total=Sum("quantity"))["total"] or 0}
