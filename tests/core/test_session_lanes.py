"""A lane serialises one session: a shop that reuses its cart object after an order is not
held up by the previous order's dead close (issue: races between the shop and the outbox).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from django_talonone.models import CustomerSession, Delivery, DeliveryStatus, SessionState
from django_talonone.outbox import cart_lane, deliver_pending
from django_talonone.outbox.lanes import session_lane
from django_talonone.services import calls_waiting, refund_order_lines
from django_talonone.testing import TalonOneHarness
from tests.shop.models import Cart, CartLine

from .conftest import UPDATE, fill, order_from, session_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def one_attempt(shop: TalonOneHarness) -> Any:
    """A failed row is dead at once (instead of waiting in backoff)."""
    with override_settings(TALONONE={**settings.TALONONE, "OUTBOX_MAX_ATTEMPTS": 1}):
        yield


def closes() -> list[Delivery]:
    return list(Delivery.objects.filter(supersedable=False, operation="update_customer_session_v2"))


def test_a_dead_close_does_not_hold_up_the_reused_carts_next_session(
    shop: TalonOneHarness, user: Any
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, ("MUG", "20.00", 1))
    shop.fail(503, operations=[UPDATE])  # Talon.One fails the first order's close
    with transaction.atomic():
        first = order_from(cart)
    [dead] = closes()
    assert dead.status == DeliveryStatus.DEAD
    first_session = session_of(first)
    assert dead.lane == first_session.lane == session_lane(first_session.session_id)
    shop.heal()

    # The shop reuses the cart object for the shopper's next purchase.
    with transaction.atomic():
        cart.lines.all().delete()
        CartLine.objects.create(cart=cart, sku="TEA", name="Tea", price=Decimal("4.50"))
    second_open = CustomerSession.objects.get(state=SessionState.OPEN)
    assert second_open.lane == cart_lane("shop.cart", cart.pk)
    assert shop.session(second_open.session_id)["state"] == "open"  # evaluated at once
    with transaction.atomic():
        second = order_from(cart)
    assert shop.session(session_of(second).session_id)["state"] == "closed"

    # The first order's refund queues behind its own dead close, and only there.
    refund = refund_order_lines(first, list(first.lines.all()))
    deliver_pending()
    refund_row = Delivery.objects.get(session_return=refund)
    assert refund_row.lane == dead.lane
    assert refund_row.status == DeliveryStatus.PENDING
    assert calls_waiting(session_of(first)) == 2
    assert calls_waiting(session_of(second)) == 0


def test_a_close_queued_behind_a_call_in_flight_leaves_the_cart_lane_when_it_dies(
    shop: TalonOneHarness, user: Any
) -> None:
    current_app.conf.task_always_eager = False  # this test delivers by hand
    try:
        with transaction.atomic():
            cart = Cart.objects.create(user=user)
            fill(cart, ("MUG", "20.00", 1))
        lane = cart_lane("shop.cart", cart.pk)
        snapshot = Delivery.objects.get(lane=lane)
        lease = timezone.now() + timedelta(minutes=5)
        Delivery.objects.filter(pk=snapshot.pk).update(
            status=DeliveryStatus.IN_FLIGHT, attempts=1, lease_expires_at=lease
        )
        with transaction.atomic():
            order = order_from(cart)
        [close] = closes()
        assert close.lane == lane  # it must follow the snapshot being sent
        assert session_of(order).lane == lane
        # the snapshot's worker finishes; then Talon.One fails the close
        Delivery.objects.filter(pk=snapshot.pk).update(
            status=DeliveryStatus.DONE, lease_expires_at=None
        )
        shop.fail(503, operations=[UPDATE])
        deliver_pending()
        close.refresh_from_db()
        own = session_lane(session_of(order).session_id)
        assert (close.status, close.lane, session_of(order).lane) == (
            DeliveryStatus.DEAD,
            own,
            own,
        )
        shop.heal()
        with transaction.atomic():
            CartLine.objects.create(cart=cart, sku="TEA", name="Tea", price=Decimal("4.50"))
        deliver_pending()
        later = Delivery.objects.filter(lane=lane, pk__gt=close.pk)
        [next_snapshot] = later.filter(status=DeliveryStatus.DONE)
        assert next_snapshot.session is not None
        assert next_snapshot.session != close.session
    finally:
        current_app.conf.task_always_eager = True
