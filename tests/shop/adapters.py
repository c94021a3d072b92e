"""The shop's adapters: all the code a shop writes to connect to Talon.One."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model

from django_talonone.cart import CartAdapter, CustomerAdapter, OrderAdapter
from django_talonone.registry import register_cart, register_customer, register_order

from .models import Cart, CartLine, Order, OrderLine, PlainOrder, PlainOrderLine


class ShopCartAdapter(CartAdapter):
    line_model = CartLine
    line_parent = "cart"


class ShopOrderAdapter(OrderAdapter):
    line_model = OrderLine
    line_parent = "order"
    status_field = "status"
    placed_values = (Order.Status.PAID, Order.Status.SHIPPED)
    cancelled_values = (Order.Status.CANCELLED,)
    cart_attribute = "cart"


class PlainOrderAdapter(OrderAdapter):
    """An order adapter that says nothing about codes: the model has none."""

    line_model = PlainOrderLine
    line_parent = "order"
    status_field = "paid"
    placed_values = (True,)
    cart_attribute = "cart"


class ShopCustomerAdapter(CustomerAdapter):
    def get_attributes(self, customer: Any) -> Mapping[str, Any]:
        return {"Name": customer.get_full_name(), "Email": customer.email}


def register() -> None:
    register_cart(Cart, ShopCartAdapter)
    register_order(Order, ShopOrderAdapter)
    register_order(PlainOrder, PlainOrderAdapter)
    register_customer(get_user_model(), ShopCustomerAdapter)
