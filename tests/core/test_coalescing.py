"""Many cart changes in one transaction → one UpdateCustomerSessionV2, after the commit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from django_talonone.models import CustomerSession, Delivery, DeliveryStatus
from django_talonone.services.coalescing import pending_count
from django_talonone.testing import TalonOneHarness
from tests.shop.models import Cart, CartLine

from .conftest import UPDATE, fill, sent_sessions

pytestmark = pytest.mark.django_db(transaction=True)

EMPTY = "empty cart without a session: nothing to evaluate"


def test_many_changes_in_one_transaction_send_one_snapshot(shop: TalonOneHarness) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(coupon_code="WELCOME10")
        lines = fill(cart, *[(f"SKU{n}", "1.00", 1) for n in range(10)])
        lines[0].quantity = 3
        lines[0].save()
        lines[-1].delete()
        assert shop.requests(UPDATE) == []
        assert pending_count() == 1
    [sent] = sent_sessions(shop)
    assert len(sent["cartItems"]) == 9
    assert sent["cartItems"][0]["quantity"] == 3
    assert pending_count() == 0


def test_rolled_back_transaction_sends_nothing(shop: TalonOneHarness) -> None:
    with transaction.atomic():
        cart = Cart.objects.create()
        fill(cart, ("MUG", "1.00", 1))
        transaction.set_rollback(True)
    assert shop.requests(UPDATE) == []
    assert not Delivery.objects.exists()


def test_inner_savepoint_rollback_drops_only_its_changes(shop: TalonOneHarness) -> None:
    cart = Cart.objects.create()
    other = Cart.objects.create()
    baseline = len(shop.requests(UPDATE))
    with transaction.atomic():
        fill(cart, ("MUG", "1.00", 1))
        with transaction.atomic():
            fill(other, ("TEA", "2.00", 1))
            fill(cart, ("PEN", "3.00", 1))
            transaction.set_rollback(True)
        fill(cart, ("CUP", "4.00", 1))
    sent = sent_sessions(shop)[baseline:]
    assert [[line["sku"] for line in body["cartItems"]] for body in sent] == [["MUG", "CUP"]]


def test_change_first_marked_in_a_rolled_back_savepoint_is_still_sent(
    shop: TalonOneHarness,
) -> None:
    cart = Cart.objects.create()
    with transaction.atomic():
        with transaction.atomic():
            fill(cart, ("PEN", "3.00", 1))
            transaction.set_rollback(True)
        fill(cart, ("MUG", "1.00", 1))
    assert [[line["sku"] for line in body["cartItems"]] for body in sent_sessions(shop)] == [
        ["MUG"]
    ]


def test_released_savepoint_keeps_one_snapshot(shop: TalonOneHarness) -> None:
    cart = Cart.objects.create()
    with transaction.atomic():
        with transaction.atomic():
            fill(cart, ("PEN", "3.00", 1))
        fill(cart, ("MUG", "1.00", 1))
    assert len(shop.requests(UPDATE)) == 1


def test_autocommit_changes_each_send_one(shop: TalonOneHarness) -> None:
    cart = Cart.objects.create()
    CartLine.objects.create(cart=cart, sku="A", name="A", price=Decimal("1.00"))
    CartLine.objects.create(cart=cart, sku="B", name="B", price=Decimal("1.00"))
    assert [len(body["cartItems"]) for body in sent_sessions(shop)] == [1, 2]


def test_snapshots_are_built_when_delivered_and_the_newest_covers_the_waiting_ones(
    shop: TalonOneHarness,
) -> None:
    from celery import current_app

    from django_talonone.outbox import deliver_pending

    cart = Cart.objects.create()  # an empty cart: its snapshot had nothing to send
    [empty] = Delivery.objects.all()
    assert (empty.status, empty.last_error) == (DeliveryStatus.DONE, EMPTY)
    current_app.conf.task_always_eager = False  # no worker: the wake-up publish fails
    try:
        for sku in ("A", "B", "C"):
            with transaction.atomic():
                fill(cart, (sku, "1.00", 1))
    finally:
        current_app.conf.task_always_eager = True
    rows = Delivery.objects.exclude(pk=empty.pk).order_by("pk")
    assert [row.status for row in rows] == [DeliveryStatus.PENDING] * 3
    assert all(row.payload == {"cart": {"model": "shop.cart", "pk": str(cart.pk)}} for row in rows)
    assert not CustomerSession.objects.exists()  # opened by the worker, not the request
    assert shop.requests(UPDATE) == []

    CartLine.objects.filter(cart=cart, sku="A").update(quantity=5)  # no signal: not recorded
    deliver_pending()
    [sent] = sent_sessions(shop)
    assert [(line["sku"], line["quantity"]) for line in sent["cartItems"]] == [
        ("A", 5),
        ("B", 1),
        ("C", 1),
    ]
    assert [row.status for row in rows.all()] == [
        DeliveryStatus.DONE,
        DeliveryStatus.SUPERSEDED,
        DeliveryStatus.SUPERSEDED,
    ]
    head = rows.all()[0]
    session = CustomerSession.objects.get()
    assert (head.session, head.payload["args"]) == (session, [session.session_id])
    assert head.payload["body"]["customerSession"]["cartItems"][0]["price"] == Decimal("1.00")
