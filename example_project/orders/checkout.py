"""Checkout: price the cart with Talon.One one last time, take the (fake) payment, and
turn the cart into a paid order.

The order is created unpaid, its lines added, then it is marked paid in the same
transaction: django-talonone sees the order *become* placed at that save and writes the
close of the cart's session to its outbox, in this transaction. The Celery worker builds
the call from the order, all its lines included, and delivers it, so checkout never waits
for Talon.One, and an outage loses nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from cart import carts
from cart.models import Cart
from cart.pricing import price_cart

from .models import Order, OrderLine


class EmptyCartError(Exception):
    """Checkout of a cart with nothing in it."""


class TotalChangedError(Exception):
    """The cart's total is no longer what the Pay button said (changed in another tab, a
    promotion ended): nothing is charged, and the shopper sees the new total."""

    def __init__(self, expected: Decimal, total: Decimal) -> None:
        super().__init__(f"The total changed from {expected} to {total}.")
        self.expected = expected
        self.total = total


def checkout(cart: Cart, user: Any, *, expected_total: Decimal | None = None) -> Order:
    """Place an order for everything in ``cart`` at the price the shopper was shown.

    ``expected_total`` is what the Pay button said: if pricing the cart now gives another
    total, :class:`TotalChangedError` is raised before anything is written or charged.
    Only the codes Talon.One accepted go on the order, so the close redeems exactly the
    promotions that were charged; when promotions were unavailable, none are.
    """
    priced = price_cart(cart)
    if not priced.lines:
        raise EmptyCartError("The cart is empty.")
    if expected_total is not None and priced.total != expected_total:
        raise TotalChangedError(expected_total, priced.total)
    with transaction.atomic():
        order = Order.objects.create(
            user=user if user.is_authenticated else None,
            cart=cart,
            coupon_codes=list(priced.accepted_coupons),
            referral_code=priced.accepted_referral,
            points_to_spend=priced.points_spent or None,
            subtotal=priced.subtotal,
            discount=priced.discount,
            discount_lines=[item.to_dict() for item in priced.itemised_discounts],
            total=priced.total,
            currency=cart.currency,
            promotions_applied=priced.promotions_available,
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                product=priced_line.line.product,
                sku=priced_line.line.product.sku,
                name=priced_line.line.product.name,
                category=priced_line.line.product.category.slug,
                price=priced_line.line.product.price,
                quantity=priced_line.line.quantity,
                discount=priced_line.discount,
            )
            for priced_line in priced.lines
        )
        # The demo's payment always succeeds; a real shop charges order.total here.
        order.status = Order.Status.PAID
        order.save(update_fields=["status"])
        carts.empty(cart)
    return order
