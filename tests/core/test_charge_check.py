"""Charged versus recorded: the app notices when Talon.One's close keeps another discount
than the one the shop charged (the order adapter's ``get_charged_discount``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from django_talonone import signals
from django_talonone.adapters import InvalidPayload
from django_talonone.models import CustomerSession, Delivery
from django_talonone.services import evaluate_cart
from django_talonone.testing import TalonOneHarness
from tests.shop.models import Cart, Order

from .conftest import fill, order_from, session_of

pytestmark = pytest.mark.django_db(transaction=True)

#: The default campaigns take 5 off a subtotal of 100 or more, with no coupon.
BIG_CART = ("BOOTS", "120.00", 1)


@pytest.fixture
def mismatches() -> Iterator[list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []

    def receive(sender: type, **kwargs: Any) -> None:
        seen.append(kwargs)

    signals.charge_mismatch.connect(receive, weak=False)
    try:
        yield seen
    finally:
        signals.charge_mismatch.disconnect(receive)


def place(cart: Cart, charged: Decimal | None) -> Order:
    """The shop charges what its cart page showed, and records it on the order."""
    with transaction.atomic():
        order = order_from(cart)
        order.discount_total = charged
        order.save()
    return order


def test_full_price_charged_while_talonone_was_down_is_flagged_at_the_close(
    shop: TalonOneHarness, user: Any, mismatches: list[dict[str, Any]], caplog: Any
) -> None:
    shop.fail(503)
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, BIG_CART)
    shown = evaluate_cart(cart)
    assert not shown.available  # the cart page said "promotions unavailable"
    shop.heal()
    with caplog.at_level(logging.WARNING, logger="django_talonone.services"):
        order = place(cart, charged=Decimal("0.00"))  # full price: nothing was shown
    session = session_of(order)
    assert (session.charged_discount, session.recorded_discount) == (Decimal(0), Decimal(5))
    assert session.charge_difference == Decimal(5)
    [announced] = mismatches
    assert announced["session"].pk == session.pk
    assert (announced["charged"], announced["recorded"]) == (Decimal(0), Decimal(5))
    assert announced["difference"] == Decimal(5)
    assert any(
        "recorded a discount of 5" in r.getMessage() and session.session_id in r.getMessage()
        for r in caplog.records
    )


def test_charging_what_the_cart_page_showed_is_not_flagged(
    shop: TalonOneHarness, user: Any, mismatches: list[dict[str, Any]]
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user, coupon_code="WELCOME10")
        fill(cart, BIG_CART)
    shown = evaluate_cart(cart)
    assert shown.discount_total == Decimal("17.00")  # 10 % of 120, then 5 off
    session = session_of(place(cart, charged=shown.discount_total))
    assert (session.charged_discount, session.recorded_discount) == (Decimal(17), Decimal(17))
    assert session.charge_difference is None
    assert mismatches == []


def test_less_than_a_currency_unit_apart_is_the_same_charge(
    shop: TalonOneHarness, user: Any, mismatches: list[dict[str, Any]], settings: Any
) -> None:
    def cart_of_33_33() -> Cart:
        with transaction.atomic():
            cart = Cart.objects.create(user=user, coupon_code="WELCOME10")
            fill(cart, ("MUG", "33.33", 1))
        return cart

    settings.TALONONE = {**settings.TALONONE, "CURRENCY_DECIMAL_PLACES": 0}
    cart = cart_of_33_33()
    assert evaluate_cart(cart).discount_total == Decimal("3.33")
    session = session_of(place(cart, charged=Decimal(3)))  # a currency without cents
    assert (session.recorded_discount, session.charge_difference) == (Decimal("3.33"), None)
    settings.TALONONE = {**settings.TALONONE, "CURRENCY_DECIMAL_PLACES": 2}
    flagged = session_of(place(cart_of_33_33(), charged=Decimal(3)))
    assert flagged.charge_difference == Decimal("0.33")
    assert [m["difference"] for m in mismatches] == [Decimal("0.33")]


def test_an_order_that_does_not_say_what_it_charged_is_recorded_not_compared(
    shop: TalonOneHarness, user: Any, mismatches: list[dict[str, Any]]
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, BIG_CART)
    session = session_of(place(cart, charged=None))
    assert (session.charged_discount, session.recorded_discount) == (None, Decimal(5))
    assert session.charge_difference is None
    assert mismatches == []


def test_a_close_that_is_still_queued_has_nothing_recorded_yet(
    shop: TalonOneHarness, user: Any, mismatches: list[dict[str, Any]]
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, BIG_CART)
    shop.fail(503)
    session = session_of(place(cart, charged=Decimal(0)))
    assert (session.charged_discount, session.recorded_discount) == (Decimal(0), None)
    assert session.charge_difference is None
    assert mismatches == []


def test_a_charge_that_is_not_a_decimal_is_refused_before_anything_is_written(
    shop: TalonOneHarness, user: Any
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, BIG_CART)
    order = order_from(cart, status=Order.Status.NEW)
    order.discount_total = 5.0  # a float: not saved, only handed to the adapter
    rows = Delivery.objects.count()
    from django_talonone.services import place_order

    with pytest.raises(InvalidPayload, match="discount_total"):
        place_order(order)
    assert Delivery.objects.count() == rows
    assert not CustomerSession.objects.filter(charged_discount__isnull=False).exists()


@pytest.mark.parametrize("value", [7, -1, 2.5, "2.5", "two", True, None])
def test_currency_decimal_places_must_be_a_whole_number_up_to_6(settings: Any, value: Any) -> None:
    from django.core.checks import run_checks

    settings.TALONONE = {**settings.TALONONE, "CURRENCY_DECIMAL_PLACES": value}
    [error] = [m for m in run_checks(tags=["talonone"]) if m.id == "django_talonone.E004"]
    assert "TALONONE['CURRENCY_DECIMAL_PLACES'] must be a whole number from 0 to 6" in error.msg


def test_currency_decimal_places_from_the_environment(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_talonone.conf import get_settings

    settings.TALONONE = {
        k: v for k, v in settings.TALONONE.items() if k != "CURRENCY_DECIMAL_PLACES"
    }
    monkeypatch.setenv("TALONONE_CURRENCY_DECIMAL_PLACES", "3")
    settings.TALONONE = dict(settings.TALONONE)  # read again
    assert get_settings().currency_unit == Decimal("0.001")
