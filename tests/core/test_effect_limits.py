"""What cannot be a discount never reaches the till: Talon.One replies, faked on the wire,
with amounts that are not numbers, negative, or larger than the line or the cart."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import responses
import simplejson
from django.db import transaction
from django.test import override_settings

from django_talonone.client import TalonOneClient
from django_talonone.models import CustomerSession
from django_talonone.outbox import deliver_pending
from django_talonone.services import enqueue_cart, evaluate_cart
from django_talonone.services.clients import client_factory_override
from tests.shop.models import Cart

from .conftest import fill

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "https://acme.talon.one"


@pytest.fixture
def wire() -> Iterator[responses.RequestsMock]:
    """The real client, talking to a Talon.One faked at the HTTP level."""
    settings = {"BASE_URL": BASE, "API_KEY": "k-1", "DELIVERY": {"cart": "sync"}}
    factory = lambda config, purpose: TalonOneClient(BASE, "k-1", max_attempts=1)  # noqa: E731
    with (
        override_settings(TALONONE=settings),
        client_factory_override(factory),
        responses.RequestsMock(assert_all_requests_are_fired=False) as mocked,
    ):
        yield mocked


def answer(mocked: responses.RequestsMock, *effects: dict[str, Any]) -> None:
    def reply(request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        session = {**body["customerSession"], "id": 1}
        reply_body = {"customerSession": session, "effects": list(effects)}
        # amounts go on the wire as JSON numbers, as Talon.One sends them
        return (
            200,
            {"Content-Type": "application/json"},
            simplejson.dumps(reply_body, use_decimal=True),
        )

    mocked.add_callback(
        responses.PUT, re.compile(rf"{BASE}/v2/customer_sessions/.+"), callback=reply
    )


def discount(value: Any, *, position: int | None = None, name: str = "promo") -> dict[str, Any]:
    props: dict[str, Any] = {"name": name, "value": value}
    kind = "setDiscount"
    if position is not None:
        kind, props["position"] = "setDiscountPerItem", position
    return {"effectType": kind, "campaignId": 7, "rulesetId": 1, "ruleIndex": 0, "props": props}


def cart_of(*lines: tuple[str, str, int]) -> Cart:
    with transaction.atomic():
        cart = Cart.objects.create()
        fill(cart, *lines)
    return cart


@pytest.mark.parametrize("value", [Decimal(-50), Decimal("-0.01")])
def test_an_amount_that_cannot_be_a_discount_is_ignored_and_logged(
    wire: responses.RequestsMock, caplog: pytest.LogCaptureFixture, value: Any
) -> None:
    answer(wire, discount(value, name="broken"), discount(5, name="fine"))
    cart = cart_of(("SHIRT", "72.50", 1))
    with caplog.at_level(logging.WARNING, logger="django_talonone.evaluation"):
        evaluation = evaluate_cart(cart)
    assert evaluation.available
    assert [(d.name, d.amount) for d in evaluation.discounts] == [("fine", Decimal(5))]
    assert evaluation.discount_total == Decimal(5)  # never a higher price than 72.50
    assert any("cannot be a discount: ignored" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", "10.00", True, None, {"x": 1}])
def test_an_amount_that_is_not_a_number_makes_the_reply_unusable(
    wire: responses.RequestsMock, caplog: pytest.LogCaptureFixture, value: Any
) -> None:
    """Not a number where Talon.One documents one: the whole reply is unusable (promotions
    unavailable, and why in the log), never read as "these discounts and no others"."""
    answer(wire, discount(value, name="broken"), discount(5, name="fine"))
    cart = cart_of(("SHIRT", "72.50", 1))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="django_talonone"):
        evaluation = evaluate_cart(cart)
    assert not evaluation.available
    assert evaluation.discount_total == Decimal(0)
    assert CustomerSession.objects.get().evaluation_failed
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "effects[0].props.value should be a number" in logged


def test_a_line_discount_is_cut_to_the_line_and_the_total_to_the_cart(
    wire: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    answer(
        wire,
        discount(Decimal(1_000_000), position=0, name="huge"),
        discount(Decimal(30), name="cart-wide"),
    )
    cart = cart_of(("MUG", "12.00", 2), ("TEA", "4.50", 1))
    caplog.clear()  # the cart's own changes were evaluated too (sync delivery)
    with caplog.at_level(logging.WARNING, logger="django_talonone.evaluation"):
        evaluation = evaluate_cart(cart)
    assert evaluation.item_discounts == {0: Decimal("24.00")}  # the whole line, no more
    assert evaluation.discount_total == Decimal("28.50")  # the whole cart, no more
    assert [d.amount for d in evaluation.discounts] == [Decimal("24.00"), Decimal("4.50")]
    cut = [r.getMessage() for r in caplog.records if "cut to" in r.getMessage()]
    assert len(cut) == 2


def test_the_outbox_mirror_applies_the_same_limits(wire: responses.RequestsMock) -> None:
    answer(wire, discount(Decimal(-50)), discount(Decimal(500), position=0))
    cart = cart_of(("MUG", "12.00", 1))
    enqueue_cart(cart)
    deliver_pending()
    session = CustomerSession.objects.get()
    assert session.last_evaluation["discountTotal"] == "12.00"
    assert session.last_evaluation["itemDiscounts"] == {"0": "12.00"}
