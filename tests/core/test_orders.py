"""Orders: placed → closed (coupon redeemed), cancelled, partially refunded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from django_talonone.adapters import InvalidPayload
from django_talonone.models import Delivery, ReturnState, SessionReturn, SessionState
from django_talonone.services import cancel_order, place_order, refund_order_lines
from django_talonone.signals import order_cancelled, order_placed, order_refunded
from django_talonone.testing import TalonOneHarness
from tests.shop.models import Cart, Order, OrderLine

from .conftest import fill, order_from, session_of

pytestmark = pytest.mark.django_db(transaction=True)


def _placed(user, *lines: tuple[str, str, int]) -> Order:
    with transaction.atomic():
        cart = Cart.objects.create(user=user, coupon_code="WELCOME10")
        fill(cart, *lines)
    with transaction.atomic():
        return order_from(cart)


def test_placing_closes_the_carts_session_and_redeems_the_coupon(
    shop: TalonOneHarness, user
) -> None:
    order = _placed(user, ("MUG", "40.00", 1))
    session = session_of(order)
    assert session.state == SessionState.CLOSED
    assert shop.session(session.session_id)["state"] == "closed"
    inventory = shop.inventory(str(user.pk), coupons=True, profile=True)
    [coupon] = inventory["coupons"]
    assert (coupon["value"], coupon["usageCounter"]) == ("WELCOME10", 1)
    assert Decimal(inventory["profile"]["totalSales"]) == Decimal("40.00")
    assert session.last_effects  # the reply was mirrored


def test_resaving_a_placed_order_does_not_close_again(shop: TalonOneHarness, user) -> None:
    order = _placed(user, ("MUG", "40.00", 1))
    closes = Delivery.objects.count()
    order.status = Order.Status.SHIPPED
    order.save()
    Order.objects.get(pk=order.pk).save()
    assert Delivery.objects.count() == closes


def test_cancelling_rolls_the_session_back(shop: TalonOneHarness, user) -> None:
    order = _placed(user, ("MUG", "40.00", 1))
    order.status = Order.Status.CANCELLED
    order.save()
    session = session_of(order)
    session.refresh_from_db()
    assert session.state == SessionState.CANCELLED
    assert shop.session(session.session_id)["state"] == "cancelled"
    [coupon] = shop.inventory(str(user.pk), coupons=True)["coupons"]
    assert coupon["usageCounter"] == 0
    assert {e["effectType"] for e in session.last_effects} >= {"rollbackCoupon"}


def test_refund_returns_positions_with_rollback(shop: TalonOneHarness, user) -> None:
    order = _placed(user, ("SHOES", "80.00", 1), ("SHIRT", "20.00", 2))
    shoes = order.lines.get(sku="SHOES")
    with transaction.atomic():
        returned = refund_order_lines(order, [shoes])
    assert returned.items == [{"position": 0, "quantity": 1}]
    returned.refresh_from_db()
    assert returned.state == ReturnState.DONE
    [request] = shop.requests("returnCartItems")
    assert request["headers"]["Idempotency-Key"] == returned.idempotency_key
    stored = shop.session(session_of(order).session_id)
    assert stored["state"] == "partially_returned"
    assert stored["cartItems"][0]["returnedQuantity"] == 1
    assert stored["cartItems"][1]["returnedQuantity"] == 0
    session = session_of(order)
    assert session.state == SessionState.PARTIALLY_RETURNED
    assert any(e["effectType"] == "rollbackDiscount" for e in session.last_effects)


def test_refund_quantity_and_bad_lines_are_checked_before_any_call(
    shop: TalonOneHarness, user
) -> None:
    order = _placed(user, ("SHIRT", "20.00", 2))
    shirt = order.lines.get()
    stranger = OrderLine.objects.create(
        order=Order.objects.create(), sku="X", name="X", price=Decimal(1)
    )
    with pytest.raises(InvalidPayload) as caught:
        refund_order_lines(order, [(shirt, 3)])
    assert caught.value.field == "lines[0].quantity"
    with pytest.raises(InvalidPayload) as caught:
        refund_order_lines(order, [stranger])
    assert caught.value.field == "lines[0]"
    # Without cart-item flattening (the default) only all of a line's units can go back.
    with pytest.raises(InvalidPayload) as caught:
        refund_order_lines(order, [(shirt, 1)])
    assert caught.value.field == "lines[0].quantity"
    assert refund_order_lines(order, [(shirt, 2)]).items == [{"position": 0, "quantity": 2}]


def test_unplaced_order_cannot_be_refunded_and_cancelling_it_is_a_no_op(
    shop: TalonOneHarness,
) -> None:
    order = Order.objects.create()
    OrderLine.objects.create(order=order, sku="X", name="X", price=Decimal(1))
    with pytest.raises(InvalidPayload, match="not placed"):
        refund_order_lines(order, order.lines.all())
    assert cancel_order(order) is None
    assert not SessionReturn.objects.exists()


def test_signals_drive_the_same_services(shop: TalonOneHarness, user) -> None:
    with transaction.atomic():
        order = Order.objects.create(user=user)  # status "new": nothing detected
        OrderLine.objects.create(order=order, sku="A", name="A", price=Decimal("10.00"))
        order_placed.send(sender=Order, order=order)
    assert shop.session(session_of(order).session_id)["state"] == "closed"
    order_refunded.send(sender=Order, order=order, lines=list(order.lines.all()))
    assert shop.session(session_of(order).session_id)["state"] == "partially_returned"
    order_cancelled.send(sender=Order, order=order)
    assert shop.session(session_of(order).session_id)["state"] == "cancelled"


def test_placing_twice_is_idempotent(shop: TalonOneHarness, user) -> None:
    order = _placed(user, ("MUG", "40.00", 1))
    rows = Delivery.objects.count()
    assert place_order(order) == session_of(order)
    assert Delivery.objects.count() == rows


def test_order_rolled_back_sends_nothing(shop: TalonOneHarness, user) -> None:
    with transaction.atomic():
        order = Order.objects.create(user=user, status=Order.Status.PAID)
        OrderLine.objects.create(order=order, sku="A", name="A", price=Decimal("10.00"))
        transaction.set_rollback(True)
    assert shop.requests("updateCustomerSessionV2") == []
