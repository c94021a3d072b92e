"""Shop objects as shops hand them over: lazy proxies accepted, unsaved ones refused, and
one promise for a cart change however it is reported (a registered save or the signal)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.utils.functional import SimpleLazyObject

from django_talonone.adapters import InvalidPayload
from django_talonone.models import CustomerSession, Delivery, DeliveryStatus, SessionState
from django_talonone.services import (
    cancel_order,
    evaluate_cart,
    order_session,
    place_order,
    refund_order_lines,
)
from django_talonone.signals import cart_changed
from django_talonone.testing import TalonOneHarness
from tests.shop.models import Cart, Order

from .conftest import UPDATE, fill, order_from

pytestmark = pytest.mark.django_db(transaction=True)


def _lazy(model: Any, pk: Any) -> Any:
    return SimpleLazyObject(lambda: model.objects.get(pk=pk))


def _pending_snapshots(cart: Cart) -> int:
    return Delivery.objects.filter(
        lane__endswith=f":{cart.pk}", status=DeliveryStatus.PENDING
    ).count()


def test_the_signal_writes_its_row_inside_the_shops_transaction(
    shop: TalonOneHarness, user: Any
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, ("MUG", "12.50", 1))
    calls = len(shop.requests(UPDATE))
    with transaction.atomic():
        cart_changed.send(sender=Cart, cart=cart)
        cart_changed.send(sender=Cart, cart=cart)
        # Written before the commit, once: a crash right after COMMIT cannot lose it.
        assert _pending_snapshots(cart) == 1
    assert len(shop.requests(UPDATE)) == calls + 1


def test_a_rolled_back_signal_leaves_nothing(shop: TalonOneHarness, user: Any) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, ("MUG", "12.50", 1))
    rows = Delivery.objects.count()

    def failing_view() -> None:
        with transaction.atomic():
            cart_changed.send(sender=Cart, cart=cart)
            raise RuntimeError("the shop's view failed")

    with pytest.raises(RuntimeError):
        failing_view()
    assert Delivery.objects.count() == rows


def test_a_lazy_cart_sent_through_the_signal_reaches_talon_one(
    shop: TalonOneHarness, user: Any
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user, coupon_code="WELCOME10")
        fill(cart, ("MUG", "12.50", 2))
    calls = len(shop.requests(UPDATE))
    with transaction.atomic():
        cart_changed.send(sender=Cart, cart=_lazy(Cart, cart.pk))
        assert _pending_snapshots(cart) == 1
    assert len(shop.requests(UPDATE)) == calls + 1
    session = CustomerSession.objects.get(object_id=str(cart.pk))
    assert shop.session(session.session_id)["couponCodes"] == ["WELCOME10"]


def test_lazy_carts_and_orders_work_with_every_service(shop: TalonOneHarness, user: Any) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user, coupon_code="WELCOME10")
        fill(cart, ("MUG", "20.00", 1), ("TEA", "5.00", 1))
    evaluation = evaluate_cart(_lazy(Cart, cart.pk))
    assert evaluation.available
    assert evaluation.accepted_coupons == ("WELCOME10",)

    with transaction.atomic():
        order = order_from(cart, status=Order.Status.NEW)
    lazy_order = _lazy(Order, order.pk)
    with transaction.atomic():
        session = place_order(lazy_order)
    assert shop.session(session.session_id)["state"] == "closed"
    tea = order.lines.get(sku="TEA")
    with transaction.atomic():
        refund_order_lines(lazy_order, [tea])
    assert shop.session(session.session_id)["state"] == "partially_returned"
    with transaction.atomic():
        cancelled = cancel_order(lazy_order)
    assert cancelled is not None
    assert cancelled.state == SessionState.CANCELLED
    assert order_session(order) == cancelled


def test_an_unsaved_cart_is_refused_naming_the_fix(shop: TalonOneHarness, user: Any) -> None:
    with pytest.raises(InvalidPayload, match=r"Cart is not saved.*save it") as caught:
        evaluate_cart(Cart(user=user))
    assert caught.value.field == "cart"
    with pytest.raises(InvalidPayload, match="not saved"):
        cart_changed.send(sender=Cart, cart=Cart(user=user))
    # Two unsaved carts would otherwise have shared one session (object_id "None").
    assert not CustomerSession.objects.exists()
    assert not shop.requests(UPDATE)


def test_an_unsaved_order_is_refused(shop: TalonOneHarness, user: Any) -> None:
    rows = Delivery.objects.count()
    for service in (place_order, cancel_order):
        with pytest.raises(InvalidPayload, match="Order is not saved"):
            service(Order(user=user))
    with pytest.raises(InvalidPayload, match="Order is not saved"):
        refund_order_lines(Order(user=user), [])
    assert Delivery.objects.count() == rows
