"""Two refunds of one line at the same moment, on PostgreSQL: only one can pass the guard.

``refund_order_lines`` counts the session's earlier returns under a row lock on the
session. Here the first refund holds that lock (its transaction is still open) while the
second one starts: the second must wait on the lock, then see the first return and be
refused, so the line is never returned twice.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction

from django_talonone.adapters import InvalidPayload
from django_talonone.conf import DELIVERY_EVENTS
from django_talonone.models import SessionReturn
from django_talonone.services import refund_order_lines
from django_talonone.testing import talonone_harness
from tests.integration.locks import waiting_on_a_lock
from tests.shop.models import Cart, CartLine, Order, OrderLine

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 10.0


def _placed_order() -> Order:
    user = get_user_model().objects.create_user("racer", email="racer@example.com")
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        CartLine.objects.create(cart=cart, sku="SHIRT", name="Shirt", price=Decimal(20), quantity=2)
    with transaction.atomic():
        order = Order.objects.create(user=user, cart=cart, status=Order.Status.PAID)
        OrderLine.objects.create(
            order=order, sku="SHIRT", name="Shirt", price=Decimal(20), quantity=2
        )
    return order


def test_concurrent_refunds_of_one_line_cannot_both_pass() -> None:
    if not connection.features.has_select_for_update:
        pytest.skip("needs a database with row locks")
    settings = {"DELIVERY": dict.fromkeys(DELIVERY_EVENTS, "sync")}
    with talonone_harness(settings):
        order = _placed_order()
        shirt = order.lines.get()
        first_holds_lock, release = threading.Event(), threading.Event()
        outcome: dict[str, Any] = {}

        def first() -> None:
            try:
                with transaction.atomic():
                    refund_order_lines(order, [shirt])
                    first_holds_lock.set()
                    release.wait(WAIT)  # commit only once the second refund is waiting
            finally:
                connections.close_all()

        def second() -> None:
            first_holds_lock.wait(WAIT)
            try:
                with transaction.atomic():
                    refund_order_lines(order, [shirt])
                outcome["second"] = "written"
            except InvalidPayload as error:
                outcome["second"] = error
            finally:
                connections.close_all()

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        assert first_holds_lock.wait(WAIT)
        deadline = time.monotonic() + 5
        while not waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        release.set()
        for thread in threads:
            thread.join(WAIT)
        refused = outcome.get("second")
        assert isinstance(refused, InvalidPayload), f"the second refund was {refused!r}"
        assert "already returned" in str(refused)
        assert SessionReturn.objects.count() == 1
