"""How a cart looks to Talon.One: its lines read through their product."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django_talonone.cart import CartAdapter, LineItem

from .models import Cart, CartLine


class ShopCartAdapter(CartAdapter):
    line_model = CartLine
    line_parent = "cart"

    def get_lines(self, obj: Cart) -> Iterable[CartLine]:
        return obj.lines.select_related("product__category").order_by("pk")

    def line_to_item(self, line: Any) -> LineItem:
        product = line.product
        return LineItem(
            sku=product.sku,
            name=product.name,
            quantity=line.quantity,
            price=product.price,
            category=product.category.slug,
            key=line.pk,
        )
