"""A session's history on its admin page: what the order was sold with stays visible
after its returns, and the history stays bounded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client

from django_talonone.models import HISTORY_LIMIT, HistoryKind
from django_talonone.services import evaluate_cart, order_session, refund_order_lines
from django_talonone.testing import TalonOneHarness
from tests.admin.conftest import page, url
from tests.shop.models import Cart, CartLine, Order, OrderLine

pytestmark = pytest.mark.django_db(transaction=True)


def placed_order() -> Order:
    """An order of two 100.00 lines with WELCOME10 (20.00 off), plus 5.00 off the subtotal."""
    with transaction.atomic():
        cart = Cart.objects.create(coupon_code="WELCOME10")
        for sku in ("TEA", "CUP"):
            CartLine.objects.create(cart=cart, sku=sku, name=sku.title(), price=Decimal("100.00"))
    evaluate_cart(cart)
    with transaction.atomic():
        order = Order.objects.create(cart=cart, coupon_code="WELCOME10", status=Order.Status.PAID)
        for sku in ("TEA", "CUP"):
            OrderLine.objects.create(
                order=order, sku=sku, name=sku.title(), price=Decimal("100.00")
            )
    return order


def test_after_two_refunds_the_original_discount_is_still_shown(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    order = placed_order()
    tea, cup = order.lines.order_by("pk")
    with transaction.atomic():
        refund_order_lines(order, [tea])
    with transaction.atomic():
        refund_order_lines(order, [cup])
    session = order_session(order)
    assert session is not None
    steps = list(session.history.order_by("created_at", "pk"))
    assert [step.kind for step in steps] == [
        HistoryKind.EVALUATED,
        HistoryKind.CLOSED,
        HistoryKind.RETURNED,
        HistoryKind.RETURNED,
    ]
    close = steps[1]
    assert close.discount_total == Decimal("25.00")
    assert sum(step.rolled_back_total for step in steps[2:]) == Decimal("25.00")
    assert session.history.filter(session_return__isnull=False).count() == 2

    change = page(superuser_client, url("customersession_change", session.pk), talonone)
    # the last reply gives nothing any more; the close's 25.00 is still on the timeline
    assert '<span class="talonone-discount-total">0</span>' in change
    timeline = change[change.index('<table class="talonone-history">') :]
    assert "order placed (session closed)" in timeline
    assert '<td class="talonone-step-discount">25.00</td>' in timeline
    assert timeline.count("items returned") == 2
    assert timeline.count('<td class="talonone-step-rollback">12.50</td>') == 2
    # what the order still keeps after each step: 25.00, then 12.50, then nothing
    kept = [
        f'<td class="talonone-step-kept">{amount}</td>' for amount in ("25.00", "12.50", "0.00")
    ]
    assert [timeline.index(cell) for cell in kept] == sorted(timeline.index(cell) for cell in kept)
    assert "Welcome 10%: 20.00" in timeline


def test_a_refund_queued_before_the_close_was_delivered_keeps_the_close_step(
    talonone: TalonOneHarness,
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(coupon_code="WELCOME10")
        for sku in ("TEA", "CUP"):
            CartLine.objects.create(cart=cart, sku=sku, name=sku.title(), price=Decimal("100.00"))
    with transaction.atomic():  # the close and the refund reach the outbox together
        order = Order.objects.create(cart=cart, coupon_code="WELCOME10", status=Order.Status.PAID)
        for sku in ("TEA", "CUP"):
            OrderLine.objects.create(
                order=order, sku=sku, name=sku.title(), price=Decimal("100.00")
            )
        refund_order_lines(order, [order.lines.get(sku="TEA")])
    session = order_session(order)
    assert session is not None
    # the close's reply says "closed" while the shop's mirror already says returned
    kinds = [step.kind for step in session.history.order_by("created_at", "pk")]
    assert kinds == [HistoryKind.EVALUATED, HistoryKind.CLOSED, HistoryKind.RETURNED]
    assert session.history.get(kind=HistoryKind.CLOSED).discount_total == Decimal("25.00")


def test_a_repeated_reply_adds_no_step(talonone: TalonOneHarness) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(coupon_code="WELCOME10")
        line = CartLine.objects.create(cart=cart, sku="TEA", name="Tea", price=Decimal("100.00"))
    evaluate_cart(cart)
    evaluate_cart(cart)  # the same cart: the same discount, no new step
    session = order_session(cart)
    assert session is not None
    assert session.history.count() == 1
    line.quantity = 3
    line.save()
    evaluate_cart(cart)  # the discount changed: a step
    assert [step.discount_total for step in session.history.order_by("pk")] == [
        Decimal("15.00"),
        Decimal("35.00"),
    ]


def test_history_keeps_the_newest_evaluations_and_the_close(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(coupon_code="WELCOME10")
        line = CartLine.objects.create(cart=cart, sku="TEA", name="Tea", price=Decimal("1.00"))
    for quantity in range(1, HISTORY_LIMIT + 11):  # 10 % off: each quantity another discount
        line.quantity = quantity
        line.save()
        evaluate_cart(cart)
    with transaction.atomic():
        order = Order.objects.create(cart=cart, coupon_code="WELCOME10", status=Order.Status.PAID)
        OrderLine.objects.create(order=order, sku="TEA", name="Tea", price=1, quantity=quantity)
    session = order_session(order)
    assert session is not None
    evaluations = session.history.filter(kind=HistoryKind.EVALUATED).order_by("pk")
    assert evaluations.count() == HISTORY_LIMIT
    # the ten oldest (0.10 to 1.00 off) went; the newest is the one the order was placed with
    assert evaluations.first().discount_total == Decimal("1.10")  # type: ignore[union-attr]
    assert evaluations.last().discount_total == Decimal("6.00")  # type: ignore[union-attr]
    assert session.history.get(kind=HistoryKind.CLOSED).discount_total == Decimal("6.00")
    change = page(superuser_client, url("customersession_change", session.pk), talonone)
    assert f"Only the newest {HISTORY_LIMIT} cart evaluations are kept" in change
