"""Point 7: oscar's dashboard order page shows the session's Talon.One state and
discounts; the core app's Django admin pages keep working in an oscar shop."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from django_talonone.services import order_session

from .shop import Order, Shop


@pytest.fixture
def staff(shop: Shop) -> Any:
    return get_user_model().objects.create_superuser("staff", "staff@example.com", "pw")


def test_the_dashboard_order_page_shows_talonones_state_and_discounts(
    shop: Shop, staff: Any
) -> None:
    shop.product("mug", "20.00")
    shop.add("mug", 2)
    shop.voucher("WELCOME10")
    shop.checkout_as_guest()
    order = Order.objects.get()
    session = order_session(order)
    assert session is not None
    shop.client.force_login(staff)
    url = reverse("dashboard:order-detail", kwargs={"number": order.number})
    page = shop.client.get(url).content.decode()
    assert f"Talon.One session {session.session_id}: closed." in page
    assert "Welcome 10% 4.00 (total 4.00)" in page
    assert "Coupons: WELCOME10." in page

    order.set_status("Cancelled")
    page = shop.client.get(url).content.decode()
    assert f"Talon.One session {session.session_id}: cancelled." in page
    assert order.notes.filter(note_type="Talon.One").count() == 1


def test_the_core_admin_pages_work_in_an_oscar_shop(shop: Shop, staff: Any) -> None:
    shop.product("mug", "20.00")
    shop.add("mug")
    shop.checkout_as_guest()
    session = order_session(Order.objects.get())
    assert session is not None
    shop.client.force_login(staff)
    listing = shop.client.get(reverse("admin:django_talonone_customersession_changelist"))
    assert listing.status_code == 200
    assert session.session_id in listing.content.decode()
    page = shop.client.get(
        reverse("admin:django_talonone_customersession_change", args=[session.pk])
    )
    assert page.status_code == 200
    assert shop.client.get(reverse("admin:django_talonone_delivery_changelist")).status_code == 200
