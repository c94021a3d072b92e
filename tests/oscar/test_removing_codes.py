"""Removing a Talon.One code from oscar's own basket page: oscar's template draws the
code as a voucher line with its Remove form, and posting that form takes the code off the
basket and off the Talon.One session (no template or view of the shop's own)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import oscar
import pytest
from django.conf import settings
from django.test import Client, override_settings
from oscar.test.factories import create_voucher

from django_talonone.contrib import oscar as contrib
from django_talonone.contrib.oscar.models import BasketCoupon
from django_talonone.emulator import DEFAULT_CONFIG, Emulator
from django_talonone.services.sessions import cart_session
from django_talonone.testing import talonone_harness

from .shop import Order, Shop

#: Oscar's Remove form in basket_totals.html: the voucher line's text, then its action.
REMOVE_FORM = re.compile(
    r"<td>\s*([^<]+?)\s*<form action=\"(/basket/vouchers/\d+/remove/)\" method=\"POST\">"
)


def remove_forms(page: Any) -> dict[str, str]:
    """The Remove forms oscar's basket page draws: line text → form action."""
    return dict(REMOVE_FORM.findall(page.content.decode()))


def coupon_codes(shop: Shop, basket: Any = None) -> list[str]:
    """The codes of the basket's Talon.One session, as the emulator holds them."""
    session = cart_session(basket or shop.the_basket())
    assert session is not None
    codes: list[str] = shop.talonone.session(session.session_id)["couponCodes"]
    return codes


def test_the_basket_page_draws_a_remove_form_that_removes_the_code(shop: Shop) -> None:
    shop.product("mug", "12.50")
    shop.add("mug", 2)
    shop.voucher("WELCOME10")
    page = shop.basket()
    assert page.context["basket"].total_incl_tax == Decimal("22.50")
    forms = remove_forms(page)
    assert list(forms) == ["Welcome 10% (WELCOME10)"]
    coupon = BasketCoupon.objects.get(code="WELCOME10")
    assert forms["Welcome 10% (WELCOME10)"] == f"/basket/vouchers/{coupon.pk}/remove/"
    assert coupon_codes(shop) == ["WELCOME10"]

    page = shop.client.post(forms["Welcome 10% (WELCOME10)"], follow=True)
    assert page.redirect_chain[-1][0] == "/basket/"
    assert "Coupon WELCOME10 removed from your basket." in shop.messages(page)
    assert not BasketCoupon.objects.exists()
    assert coupon_codes(shop) == []  # Talon.One's session no longer has it
    basket = page.context["basket"]
    assert basket.total_discount == 0
    assert basket.total_incl_tax == Decimal("25.00")
    assert remove_forms(page) == {}


def test_automatic_promotions_stay_the_offers_line(shop: Shop) -> None:
    shop.product("mug", "60.00")
    shop.add("mug", 2)  # 120.00: 5 off from 100 (automatic), and WELCOME10 takes 12.00
    shop.voucher("WELCOME10")
    page = shop.basket()
    basket = page.context["basket"]
    assert [(d["name"], d["description"], d["discount"]) for d in basket.offer_discounts] == [
        ("Talon.One promotions", "5 off orders of 100+", Decimal("5.00"))
    ]
    assert [(d["voucher"].code, d["discount"]) for d in basket.grouped_voucher_discounts] == [
        ("WELCOME10", Decimal("12.00"))
    ]
    assert basket.total_discount == Decimal("17.00")

    page = shop.client.post(remove_forms(page)["Welcome 10% (WELCOME10)"], follow=True)
    basket = page.context["basket"]
    assert basket.total_discount == Decimal("5.00")
    assert [d["discount"] for d in basket.offer_discounts] == [Decimal("5.00")]
    assert coupon_codes(shop) == []


def test_a_form_of_another_basket_removes_nothing(shop: Shop) -> None:
    shop.product("mug", "12.50")
    shop.add("mug")
    shop.voucher("WELCOME10")
    action = remove_forms(shop.basket())["Welcome 10% (WELCOME10)"]
    stranger = Shop(shop.talonone, Client())
    stranger.products = shop.products
    stranger.add("mug")
    page = stranger.client.post(action, follow=True)
    assert any("No voucher found" in message for message in stranger.messages(page))
    assert BasketCoupon.objects.filter(code="WELCOME10").count() == 1
    assert coupon_codes(shop, BasketCoupon.objects.get().basket) == ["WELCOME10"]


def test_with_both_oscars_vouchers_still_remove_as_before(shop: Shop, settings: Any) -> None:
    shop.product("mug", "20.00")
    shop.add("mug")
    local = create_voucher(code="LOCAL5")
    with override_settings(TALONONE={**settings.TALONONE, "OSCAR": {"VOUCHERS": "both"}}):
        shop.voucher("LOCAL5")
        shop.voucher("WELCOME10")
        # the worst case: the code's row has the oscar voucher's id
        BasketCoupon.objects.filter(code="WELCOME10").update(id=local.pk)
        page = shop.basket()
        forms = remove_forms(page)
        assert set(forms) == {f"{local.name} (LOCAL5)", "Welcome 10% (WELCOME10)"}
        assert forms[f"{local.name} (LOCAL5)"] == f"/basket/vouchers/{local.pk}/remove/"
        assert forms["Welcome 10% (WELCOME10)"] != forms[f"{local.name} (LOCAL5)"]
        assert BasketCoupon.objects.get().pk != local.pk  # a new row, a new id

        page = shop.client.post(forms[f"{local.name} (LOCAL5)"], follow=True)
        assert "Coupon 'LOCAL5' removed from basket" in shop.messages(page)  # oscar's words
        basket = page.context["basket"]
        assert not basket.vouchers.exists()
        assert [c.code for c in basket.talonone_coupons.all()] == ["WELCOME10"]
        assert basket.total_discount == Decimal("2.00")  # Talon.One's 10 % only
        assert list(remove_forms(page)) == ["Welcome 10% (WELCOME10)"]

        page = shop.client.post(remove_forms(page)["Welcome 10% (WELCOME10)"], follow=True)
        assert "Coupon WELCOME10 removed from your basket." in shop.messages(page)
        assert page.context["basket"].total_discount == 0
        assert coupon_codes(shop) == []


def test_oscars_ajax_basket_refresh_keeps_the_remove_form(shop: Shop) -> None:
    shop.product("mug", "12.50")
    shop.add("mug")
    shop.voucher("WELCOME10")
    answer = shop.set_quantities({"mug": 2}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    html = answer.json()["content_html"]  # oscar's JS puts it in place of the basket
    coupon = BasketCoupon.objects.get(code="WELCOME10")
    assert REMOVE_FORM.findall(html) == [
        ("Welcome 10% (WELCOME10)", f"/basket/vouchers/{coupon.pk}/remove/")
    ]
    assert "-$2.50" in html


def test_the_order_records_oscars_applications_not_the_drawn_lines(shop: Shop) -> None:
    shop.product("mug", "60.00")
    shop.add("mug", 2)
    shop.voucher("WELCOME10")
    preview = shop.checkout_as_guest()  # the preview page drew the code as a voucher line
    assert [d["voucher"].code for d in preview.context["basket"].grouped_voucher_discounts] == [
        "WELCOME10"
    ]
    assert "/remove/" not in preview.content.decode()  # oscar: not editable at checkout
    order = Order.objects.get()
    assert [
        (d.offer_name, d.amount, d.voucher_id, d.voucher_code) for d in order.discounts.all()
    ] == [("Talon.One promotions", Decimal("17.00"), None, "")]


def test_the_remove_form_is_oscars_own_template(shop: Shop) -> None:
    shop.product("mug", "12.50")
    shop.add("mug")
    shop.voucher("WELCOME10")
    page = shop.basket()
    assert remove_forms(page)
    origins = {template.name: template.origin.name for template in page.templates}
    drawn_by = Path(origins["oscar/basket/partials/basket_totals.html"])
    assert drawn_by.is_relative_to(Path(oscar.__file__).parent)
    assert not (Path(contrib.__file__).parent / "templates").exists()  # the contrib ships none


SPRING = {
    "id": 8,
    "name": "Spring",
    "coupons": [{"code": "SPRING2"}],
    "rules": [
        {"name": "2 off", "effects": [{"type": "discount", "name": "Spring 2", "amount": 2}]}
    ],
}


@pytest.fixture
def two_coupon_shop(transactional_db: Any) -> Iterator[Shop]:
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["campaigns"].append(SPRING)
    emulator = Emulator(config=config, sleep=lambda seconds: None)
    with talonone_harness(dict(settings.TALONONE), emulator=emulator) as harness:
        yield Shop(harness, Client())


def test_each_code_has_its_own_line_and_button(two_coupon_shop: Shop) -> None:
    shop = two_coupon_shop
    shop.product("mug", "30.00")
    shop.add("mug")
    shop.voucher("WELCOME10")
    page = shop.voucher("SPRING2")
    basket = page.context["basket"]
    assert [(d["voucher"].code, d["discount"]) for d in basket.grouped_voucher_discounts] == [
        ("WELCOME10", Decimal("3.00")),
        ("SPRING2", Decimal("2.00")),
    ]
    assert basket.offer_discounts == []
    forms = remove_forms(page)
    assert list(forms) == ["Welcome 10% (WELCOME10)", "Spring 2 (SPRING2)"]

    page = shop.client.post(forms["Welcome 10% (WELCOME10)"], follow=True)
    assert list(remove_forms(page)) == ["Spring 2 (SPRING2)"]
    assert page.context["basket"].total_discount == Decimal("2.00")
    assert coupon_codes(shop) == ["SPRING2"]
