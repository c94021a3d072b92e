"""Point 4: placing an order through oscar's checkout closes the basket's session with
its codes; cancelling cancels it; a cancelled order going back to paid is not mirrored."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from django_talonone.contrib.oscar.adapters import guest_profile_id
from django_talonone.models import CustomerSession, SessionState
from django_talonone.services import order_session

from .shop import UPDATE, Order, Shop


def test_a_guest_order_closes_the_session_and_redeems_the_coupon(shop: Shop) -> None:
    shop.product("mug", "20.00")
    shop.add("mug", 2)
    shop.voucher("WELCOME10")
    basket_session = CustomerSession.objects.get()
    shop.checkout_as_guest("Guest@Example.com")
    order = Order.objects.get()
    session = order_session(order)
    assert session is not None
    assert session.session_id == basket_session.session_id  # the basket's own session
    assert session.state == SessionState.CLOSED
    stored = shop.talonone.session(session.session_id)
    assert stored["state"] == "closed"
    assert stored["couponCodes"] == ["WELCOME10"]
    profile = guest_profile_id("guest@example.com")
    assert stored["profileId"] == profile
    assert profile.startswith("guest-")
    assert "example" not in profile
    assert guest_profile_id(" GUEST@example.com ") == profile  # stable
    coupons = shop.talonone.inventory(profile, coupons=True)["coupons"]
    assert [(c["value"], c["usageCounter"]) for c in coupons] == [("WELCOME10", 1)]
    # what oscar charged is what Talon.One recorded
    session.refresh_from_db()
    assert session.charged_discount == Decimal("4.00")
    assert session.recorded_discount == Decimal("4.00")
    assert session.charge_difference is None


def test_a_signed_in_order_closes_under_the_customers_profile(shop: Shop) -> None:
    user = get_user_model().objects.create_user(
        "ada", email="ada@example.com", password="secret-pass-1"
    )
    shop.client.force_login(user)
    shop.product("mug", "20.00")
    shop.add("mug")
    shop.checkout()
    session = order_session(Order.objects.get())
    assert session is not None
    assert shop.talonone.session(session.session_id)["profileId"] == str(user.pk)


def test_the_next_basket_after_an_order_gets_a_new_session(shop: Shop) -> None:
    shop.product("mug", "20.00")
    shop.add("mug")
    shop.checkout_as_guest()
    first = order_session(Order.objects.get())
    shop.add("mug")
    sessions = CustomerSession.objects.exclude(pk=first.pk)  # type: ignore[union-attr]
    assert sessions.count() == 1
    assert sessions.get().state == SessionState.OPEN


def test_a_cancelled_status_cancels_the_session(shop: Shop) -> None:
    shop.product("mug", "20.00")
    shop.add("mug")
    shop.voucher("WELCOME10")
    shop.checkout_as_guest()
    order = Order.objects.get()
    order.set_status("Cancelled")
    session = order_session(order)
    assert session is not None
    assert session.state == SessionState.CANCELLED
    assert shop.talonone.session(session.session_id)["state"] == "cancelled"


def test_cancelling_in_oscars_dashboard_cancels_the_session(shop: Shop) -> None:
    staff = get_user_model().objects.create_superuser("staff", "staff@example.com", "staff-pass-1")
    shop.product("mug", "20.00")
    shop.add("mug")
    shop.voucher("WELCOME10")
    shop.checkout_as_guest()
    order = Order.objects.get()
    shop.client.force_login(staff)
    changed = shop.client.post(
        reverse("dashboard:order-detail", kwargs={"number": order.number}),
        {"order_action": "change_order_status", "new_status": "Cancelled"},
    )
    assert changed.status_code == 302  # oscar's dashboard status form, accepted
    order.refresh_from_db()
    assert order.status == "Cancelled"
    session = order_session(order)
    assert session is not None
    assert session.state == SessionState.CANCELLED
    stored = shop.talonone.session(session.session_id)
    assert stored["state"] == "cancelled"
    assert stored["couponCodes"] == ["WELCOME10"]


def test_back_to_paid_after_cancel_is_logged_not_mirrored(
    shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    shop.product("mug", "20.00")
    shop.add("mug")
    shop.checkout_as_guest()
    order = Order.objects.get()
    order.set_status("Cancelled")
    calls = shop.calls(UPDATE)
    with caplog.at_level(logging.WARNING, logger="django_talonone.contrib.oscar"):
        Order.objects.get(pk=order.pk).set_status("Paid")
    assert shop.calls(UPDATE) == calls
    session = order_session(order)
    assert session is not None
    assert shop.talonone.session(session.session_id)["state"] == "cancelled"
    assert "stays cancelled" in caplog.text
