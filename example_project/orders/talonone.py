"""How an order looks to Talon.One: placed when paid, and the cart session it closes."""

from __future__ import annotations

from decimal import Decimal

from django_talonone.cart import OrderAdapter

from .models import Order, OrderLine


class ShopOrderAdapter(OrderAdapter):
    line_model = OrderLine
    line_parent = "order"
    status_field = "status"
    placed_values = (Order.Status.PAID,)
    cancelled_values = (Order.Status.CANCELLED,)
    cart_attribute = "cart"

    def get_charged_discount(self, order: Order) -> Decimal:
        """What checkout took off (``Order.discount``): the app flags a close that differs."""
        return order.discount
