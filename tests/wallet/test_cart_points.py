"""Loyalty points in the cart evaluation, through a real cart and order against the
emulator: points to earn, points the shopper can spend, spending them with
``request_points``, and what a return and a cancel roll back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import override_settings

from django_talonone.adapters import CartAdapter, InvalidPayload
from django_talonone.evaluation import Evaluation
from django_talonone.models import SessionHistoryEntry
from django_talonone.services import (
    cancel_order,
    evaluate_cart,
    order_points,
    order_session,
    refund_order_lines,
    request_points,
)
from django_talonone.testing import TalonOneHarness
from django_talonone.wallet import get_wallet
from tests.shop.models import Cart, CartLine, Order, OrderLine

from .conftest import ALICE, place_order
from .loyalty_world import SPEND_ATTRIBUTE

pytestmark = pytest.mark.django_db(transaction=True)


def cart_of(user: Any, *lines: tuple[str, str]) -> Cart:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        for sku, price in lines:
            CartLine.objects.create(cart=cart, sku=sku, name=sku.title(), price=Decimal(price))
    return cart


def order_from(cart: Cart) -> Order:
    with transaction.atomic():
        order = Order.objects.create(user=cart.user, cart=cart, status=Order.Status.PAID)
        for line in cart.lines.order_by("pk"):
            OrderLine.objects.create(
                order=order, sku=line.sku, name=line.name, quantity=line.quantity, price=line.price
            )
    return order


def closed_evaluation(order: Order) -> Evaluation:
    session = order_session(order)
    assert session is not None
    entry = SessionHistoryEntry.objects.get(session=session, kind="closed")
    return Evaluation.from_dict(entry.evaluation)


def test_an_order_not_closed_yet_has_no_points(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    order = Order.objects.create(user=member, status=Order.Status.NEW)
    assert order_points(order) is None


def test_the_cart_says_what_it_earns_and_what_can_be_spent(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    first = evaluate_cart(cart_of(member, ("MUG", "100.00"), ("TEA", "20.00")))
    assert first.points_to_earn == Decimal(130)
    earned = {change.program_id: change for change in first.points.earned}
    assert earned[7].points == Decimal(120)
    assert earned[7].name == "Order points"
    assert earned[7].starts_at is not None  # pending for the return window
    assert earned[8].points == Decimal(10)
    assert earned[8].starts_at is None  # active at once
    assert [(t.program_id, t.new_tier) for t in first.points.tier_changes] == [(7, "Silver")]
    # she has not joined a program yet: Talon.One has no balance to tell
    assert first.points_to_spend(8) is None
    [sent] = loyalty_talonone.requests("updateCustomerSessionV2")[-1:]
    assert "loyalty" in sent["requestBody"]["responseContent"]
    place_order(member, ("MUG", "100.00"), ("TEA", "20.00"))
    second = evaluate_cart(cart_of(member, ("PEN", "30.00")))
    assert second.points_to_spend(8) == Decimal(10)
    assert second.points_to_spend(7) == Decimal(0)  # still pending
    assert second.points_to_spend() is None  # two programs: say which
    assert second.points_spent == Decimal(0)
    # stored evaluations keep the points (the cart page renders without a call)
    assert Evaluation.from_dict(second.to_dict()) == second


def test_request_points_spends_them_on_the_cart_and_the_close(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    place_order(member, ("MUG", "100.00"))
    place_order(member, ("PEN", "30.00"))  # 20 stars now
    cart = cart_of(member, ("TEA", "20.00"))
    assert request_points(cart, 12) == Decimal(12)
    cart.refresh_from_db()
    assert cart.points_to_spend == Decimal(12)
    evaluation = evaluate_cart(cart)
    assert evaluation.points_spent == Decimal(12)
    assert evaluation.discount_total == Decimal("6.00")  # 12 stars at 0.50
    body = loyalty_talonone.requests("updateCustomerSessionV2")[-1]["requestBody"]
    assert body["customerSession"]["attributes"][SPEND_ATTRIBUTE] == 12
    order = order_from(cart)  # the order has no points field: it spends its cart's
    closed = closed_evaluation(order)
    assert closed.points_spent == Decimal(12)
    assert closed.discount_total == Decimal("6.00")
    stars = get_wallet(ALICE, use_cache=False).program("stars")
    assert stars is not None
    assert stars.current_balance == Decimal(20 - 12 + 10)
    # the expiring entries lost the spent points, soonest first; never above the balance
    assert stars.expiring_soon == Decimal(18)


def test_asking_for_more_points_than_are_active_gives_no_discount(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    place_order(member, ("MUG", "10.00"))
    cart = cart_of(member, ("TEA", "20.00"))
    request_points(cart, Decimal(11))
    evaluation = evaluate_cart(cart)
    assert (evaluation.points_spent, evaluation.discount_total) == (Decimal(0), Decimal(0))
    request_points(cart, 0)  # taken back
    assert evaluate_cart(cart).points_spent == Decimal(0)


def test_a_return_and_a_cancel_show_the_points_rolled_back(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    place_order(member, ("MUG", "10.00"))  # 10 stars to spend
    cart = cart_of(member, ("MUG", "100.00"), ("TEA", "20.00"))
    request_points(cart, 4)
    order = order_from(cart)
    session = order_session(order)
    assert session is not None
    refund_order_lines(order, [order.lines.get(sku="TEA")])
    returned = SessionHistoryEntry.objects.get(session=session, kind="returned")
    back = Evaluation.from_dict(returned.evaluation)
    # a cart-wide earning goes back in proportion to the value returned (20 of 120)
    returned_points = {c.program_id: c.points for c in back.points.rolled_back}
    assert returned_points == {7: Decimal(20), 8: Decimal("1.67")}
    assert back.points_given_back == Decimal(0)  # a return keeps the points spent
    after_return = order_points(order)
    assert after_return is not None
    assert (after_return.earned, after_return.spent) == (Decimal(130), Decimal(4))
    assert (after_return.rolled_back, after_return.kept) == (Decimal("21.67"), Decimal("108.33"))
    assert after_return.state == "pending"  # the shop points wait out the return window
    assert after_return.activates_at is not None
    cancel_order(order)
    cancelled = SessionHistoryEntry.objects.get(session=session, kind="cancelled")
    undone = Evaluation.from_dict(cancelled.evaluation)
    rolled = {c.program_id: c.points for c in undone.points.rolled_back}
    assert rolled == {7: Decimal(100), 8: Decimal("8.33")}  # what the return left
    assert undone.points_given_back == Decimal(4)
    after_cancel = order_points(order)
    assert after_cancel is not None
    assert (after_cancel.rolled_back, after_cancel.given_back) == (Decimal(130), Decimal(4))
    assert (after_cancel.kept, after_cancel.state) == (Decimal(0), "rolled back")
    stars = get_wallet(ALICE, use_cache=False).program("stars")
    assert stars is not None
    assert stars.current_balance == Decimal(10)


def test_request_points_refuses_what_it_cannot_send(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    cart = cart_of(member, ("TEA", "20.00"))
    with pytest.raises(InvalidPayload) as caught:
        request_points(cart, 1.5)  # type: ignore[arg-type]
    assert caught.value.field == "points"
    assert "floats" in str(caught.value)
    with pytest.raises(InvalidPayload, match="at least 0"):
        request_points(cart, Decimal(-1))
    with pytest.raises(InvalidPayload, match="a bool"):
        request_points(cart, True)
    with pytest.raises(InvalidPayload, match="has no points_to_spend field"):
        CartAdapter().set_points_to_spend(object(), Decimal(1))
    request_points(cart, 5)
    values = {**django_settings.TALONONE}
    del values["LOYALTY_POINTS_ATTRIBUTE"]
    with override_settings(TALONONE=values):
        with pytest.raises(ImproperlyConfigured, match="LOYALTY_POINTS_ATTRIBUTE"):
            request_points(cart, 5)
        with pytest.raises(ImproperlyConfigured, match="LOYALTY_POINTS_ATTRIBUTE"):
            evaluate_cart(cart)
        cart.points_to_spend = Decimal(0)
        cart.save()
        assert evaluate_cart(cart).available  # nothing asked: no setting needed
