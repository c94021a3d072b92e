"""Point 5: payment and shipping events of the configured types return their lines to
Talon.One, one ReturnCartItems per event, within what the flattening mode allows."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from django_talonone.emulator import DEFAULT_CONFIG, Emulator
from django_talonone.models import SessionReturn
from django_talonone.services import order_session
from django_talonone.testing import talonone_harness

from .shop import Order, Shop

EventHandler = get_class("order.processing", "EventHandler")
PaymentEventType = get_model("order", "PaymentEventType")
ShippingEventType = get_model("order", "ShippingEventType")

RETURN = "returnCartItems"


@pytest.fixture
def order(shop: Shop) -> Any:
    shop.product("mug", "20.00")
    shop.product("tea", "5.00")
    shop.add("mug", 2)
    shop.add("tea", 3)
    shop.voucher("WELCOME10")
    shop.checkout_as_guest()
    return Order.objects.get()


def returned(shop: Shop) -> list[list[tuple[int, int]]]:
    return [
        [
            (item["position"], item["quantity"])
            for item in call["requestBody"]["return"]["returnedCartItems"]
        ]
        for call in shop.talonone.requests(RETURN)
    ]


def test_a_refund_in_oscars_dashboard_returns_its_lines_in_one_call(shop: Shop, order: Any) -> None:
    staff = get_user_model().objects.create_superuser(
        "staff", email="staff@example.com", password="pw"
    )
    shop.client.force_login(staff)
    PaymentEventType.objects.create(name="Refund", code="refund")
    mug, tea = order.lines.order_by("pk")
    # oscar's dashboard saves the event's lines one autocommit at a time
    response = shop.client.post(
        reverse("dashboard:order-detail", kwargs={"number": order.number}),
        {
            "line_action": "create_payment_event",
            "selected_line": [mug.pk, tea.pk],
            f"selected_line_qty_{mug.pk}": 2,
            f"selected_line_qty_{tea.pk}": 3,
            "payment_event_type": "refund",
        },
    )
    assert response.status_code == 302
    assert returned(shop) == [[(0, 2), (1, 3)]]
    session = order_session(order)
    assert session is not None
    assert shop.talonone.session(session.session_id)["state"] == "partially_returned"
    assert SessionReturn.objects.count() == 1


def test_a_shipping_event_of_a_configured_type_returns_too(shop: Shop, order: Any) -> None:
    kind = ShippingEventType.objects.create(name="Returned", code="returned")
    mug = order.lines.order_by("pk")[0]
    with (
        override_settings(
            TALONONE={**shop_settings(), "OSCAR": {"REFUND_EVENT_TYPES": ["returned"]}}
        ),
        transaction.atomic(),
    ):
        EventHandler().handle_shipping_event(order, kind, [mug], [2])
    assert returned(shop) == [[(0, 2)]]


def test_other_event_types_return_nothing(shop: Shop, order: Any) -> None:
    paid = PaymentEventType.objects.create(name="Paid", code="paid")
    mug = order.lines.order_by("pk")[0]
    with transaction.atomic():
        EventHandler().handle_payment_event(order, paid, mug.line_price_incl_tax, [mug], [2])
    assert returned(shop) == []


def test_some_units_without_flattening_are_refused_and_logged(
    shop: Shop, order: Any, caplog: pytest.LogCaptureFixture
) -> None:
    refund = PaymentEventType.objects.create(name="Refund", code="refund")
    mug = order.lines.order_by("pk")[0]
    with (
        caplog.at_level(logging.ERROR, logger="django_talonone.contrib.oscar"),
        transaction.atomic(),
    ):
        EventHandler().handle_payment_event(order, refund, 1, [mug], [1])
    assert returned(shop) == []
    assert not SessionReturn.objects.exists()
    assert "can only return whole lines" in caplog.text


def test_each_event_line_is_returned_once(shop: Shop, order: Any) -> None:
    refund = PaymentEventType.objects.create(name="Refund", code="refund")
    mug, tea = order.lines.order_by("pk")
    with transaction.atomic():
        EventHandler().handle_payment_event(order, refund, 1, [mug], [2])
    with transaction.atomic():
        EventHandler().handle_payment_event(order, refund, 1, [tea], [3])
    assert returned(shop) == [[(0, 2)], [(1, 3)]]


def shop_settings() -> dict[str, Any]:
    from django.conf import settings

    return dict(settings.TALONONE)


@pytest.fixture
def flat_shop(transactional_db: Any) -> Iterator[Shop]:
    """A shop whose Talon.One Application flattens cart items (and says so in settings)."""
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["application"]["flattenCartItems"] = True
    emulator = Emulator(config=config, sleep=lambda seconds: None)
    with talonone_harness(
        {**shop_settings(), "CART_ITEM_FLATTENING": True}, emulator=emulator
    ) as harness:
        yield Shop(harness, Client())


def test_with_flattening_some_units_of_a_line_go_back(flat_shop: Shop) -> None:
    flat_shop.product("mug", "20.00")
    flat_shop.add("mug", 3)
    flat_shop.checkout_as_guest()
    order = Order.objects.get()
    refund = PaymentEventType.objects.create(name="Refund", code="refund")
    mug = order.lines.get()
    with transaction.atomic():
        EventHandler().handle_payment_event(order, refund, 20, [mug], [1])
    assert returned(flat_shop) == [[(0, 1)]]
