"""The close redeems what the session holds when the order does not name its codes.

An order model that copies only the lines (no ``coupon_code``/``referral_code``) used to
close with ``couponCodes: []`` and ``referralCode: ""``, which Talon.One reads as "discard
the session's codes": the accepted coupon was never redeemed, silently.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from django_talonone.services import order_session
from django_talonone.testing import TalonOneHarness
from tests.shop.models import Cart, Order, PlainOrder, PlainOrderLine

from .conftest import fill, order_from, sent_sessions

pytestmark = pytest.mark.django_db(transaction=True)


def _plain_order_from(cart: Cart) -> PlainOrder:
    with transaction.atomic():
        order = PlainOrder.objects.create(user=cart.user, cart=cart)
        for line in cart.lines.order_by("pk"):
            PlainOrderLine.objects.create(
                order=order, sku=line.sku, name=line.name, quantity=line.quantity, price=line.price
            )
        order.paid = True
        order.save()
    return order


def _closed(shop: TalonOneHarness, order: Any) -> dict[str, Any]:
    session = order_session(order)
    assert session is not None
    stored: dict[str, Any] = shop.session(session.session_id)
    assert stored["state"] == "closed"
    return stored


def test_an_order_without_code_fields_redeems_the_carts_coupon(
    shop: TalonOneHarness, user: Any
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user, coupon_code="WELCOME10")
        fill(cart, ("MUG", "40.00", 1))
    order = _plain_order_from(cart)

    close = sent_sessions(shop)[-1]
    assert close["state"] == "closed"
    assert close["couponCodes"] == ["WELCOME10"]  # taken from the cart, not discarded
    assert _closed(shop, order)["couponCodes"] == ["WELCOME10"]
    [coupon] = shop.inventory(str(user.pk), coupons=True)["coupons"]
    assert coupon["usageCounter"] == 1


def test_an_order_that_does_not_say_leaves_the_code_fields_out(
    shop: TalonOneHarness, user: Any
) -> None:
    with transaction.atomic():  # no cart to take codes from
        order = PlainOrder.objects.create(user=user)
        PlainOrderLine.objects.create(
            order=order, sku="MUG", name="Mug", quantity=1, price=Decimal("40.00")
        )
        order.paid = True
        order.save()

    close = sent_sessions(shop)[-1]
    assert close["state"] == "closed"
    # Left out, not sent empty: Talon.One keeps what the session holds.
    assert "couponCodes" not in close
    assert "referralCode" not in close
    assert _closed(shop, order)["cartItems"][0]["sku"] == "MUG"


def test_an_order_that_names_its_codes_is_followed(shop: TalonOneHarness, user: Any) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user, coupon_code="WELCOME10")
        fill(cart, ("MUG", "40.00", 1))
    with transaction.atomic():
        order = order_from(cart, status=Order.Status.NEW)
        order.coupon_code = ""  # the shop charged full price: close without the coupon
        order.status = Order.Status.PAID
        order.save()

    close = sent_sessions(shop)[-1]
    assert close["couponCodes"] == []
    assert _closed(shop, order)["couponCodes"] == []
    coupons = shop.inventory(str(user.pk), coupons=True)["coupons"]
    assert not [coupon for coupon in coupons if coupon["usageCounter"]]
