"""Points 2 and 3: codes typed into oscar's voucher form are Talon.One coupons, and
Talon.One's discounts are oscar offer discounts (basket, checkout preview, order)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings
from oscar.test.factories import create_voucher

from django_talonone.models import CustomerSession
from django_talonone.services import order_session

from .shop import Order, Shop


def test_an_accepted_coupon_discounts_the_basket_through_oscars_offers(shop: Shop) -> None:
    shop.product("mug", "12.50")
    shop.product("tea", "5.00")
    shop.add("mug", 2)
    shop.add("tea")
    page = shop.voucher("WELCOME10")
    assert "Coupon WELCOME10 added to your basket." in shop.messages(page)
    basket = page.context["basket"]
    assert basket.total_excl_tax_excl_discounts == Decimal("30.00")
    assert basket.total_discount == Decimal("3.00")  # Talon.One: 10 % off the cart
    assert basket.total_incl_tax == Decimal("27.00")
    # drawn by oscar's template as a voucher line: the promotion's name and the code
    assert basket.offer_discounts == []
    vouchers = basket.grouped_voucher_discounts
    assert [(d["voucher"].name, d["voucher"].code, d["discount"]) for d in vouchers] == [
        ("Welcome 10%", "WELCOME10", Decimal("3.00"))
    ]
    assert "Welcome 10% (WELCOME10)" in page.content.decode()
    # spread over the lines in proportion: 25.00 → 2.50, 5.00 → 0.50
    assert sorted(line.discount_value for line in basket.all_lines()) == [
        Decimal("0.50"),
        Decimal("2.50"),
    ]


def test_a_rejected_coupon_is_explained_in_plain_words_and_not_kept(shop: Shop) -> None:
    shop.product("mug", "12.50")
    shop.add("mug")
    page = shop.voucher("NOPE")
    assert "Coupon NOPE was not accepted: This coupon code does not exist." in shop.messages(page)
    basket = page.context["basket"]
    assert basket.total_discount == 0
    assert not basket.talonone_coupons.exists()
    session = CustomerSession.objects.get()
    assert shop.talonone.session(session.session_id)["couponCodes"] == []


def test_a_coupon_added_while_talonone_is_unreachable_is_kept_and_checked_again(
    shop: Shop,
) -> None:
    shop.product("mug", "20.00")
    shop.add("mug")
    shop.talonone.fail(503)
    page = shop.voucher("WELCOME10")
    assert (
        "Coupon WELCOME10 is on your basket, but promotions are temporarily unavailable: "
        "it will be checked again."
    ) in shop.messages(page)
    basket = page.context["basket"]
    assert basket.total_discount == 0  # full prices while Talon.One cannot answer
    assert [c.code for c in basket.talonone_coupons.all()] == ["WELCOME10"]
    shop.talonone.heal()
    page = shop.basket()  # the next page view asks again
    assert page.context["basket"].total_discount == Decimal("2.00")
    session = CustomerSession.objects.get()
    assert shop.talonone.session(session.session_id)["couponCodes"] == ["WELCOME10"]


def test_removing_a_coupon_takes_its_discount_away(shop: Shop) -> None:
    shop.product("mug", "12.50")
    shop.add("mug", 2)
    shop.voucher("WELCOME10")
    page = shop.remove_voucher("WELCOME10")
    assert "Coupon WELCOME10 removed from your basket." in shop.messages(page)
    assert page.context["basket"].total_discount == 0
    session = CustomerSession.objects.get()
    assert shop.talonone.session(session.session_id)["couponCodes"] == []
    assert "is not on your basket" in shop.messages(shop.remove_voucher("WELCOME10"))[0]


def test_the_same_code_twice_is_refused_without_a_call(shop: Shop) -> None:
    shop.product("mug", "12.50")
    shop.add("mug")
    shop.voucher("WELCOME10")
    before = shop.calls()
    page = shop.voucher("WELCOME10")
    assert "You have already added the coupon WELCOME10 to your basket." in shop.messages(page)
    assert shop.calls() == before


def test_with_both_an_oscar_voucher_stays_oscars(shop: Shop, settings: object) -> None:
    shop.product("mug", "20.00")
    shop.add("mug")
    create_voucher(code="LOCAL5")
    with override_settings(
        TALONONE={**settings.TALONONE, "OSCAR": {"VOUCHERS": "both"}}  # type: ignore[attr-defined]
    ):
        page = shop.voucher("LOCAL5")
        assert "Coupon 'LOCAL5' added to cart" in shop.messages(page)  # oscar's own words
        assert not page.context["basket"].talonone_coupons.exists()
        page = shop.voucher("WELCOME10")  # not an oscar voucher: Talon.One's
        assert "Coupon WELCOME10 added to your basket." in shop.messages(page)
        basket = page.context["basket"]
        oscars = basket.total_discount - Decimal("2.00")  # Talon.One: 10 % of 20.00
        assert oscars > 0  # both discounts apply
        shop.checkout_as_guest()
    session = order_session(Order.objects.get())
    assert session is not None
    # what the shop charged for Talon.One is compared, not oscar's own voucher
    assert session.charged_discount == Decimal("2.00")
    assert session.recorded_discount == Decimal("2.00")
    assert session.charge_difference is None


def test_with_talonone_only_an_oscar_voucher_code_goes_to_talonone(shop: Shop) -> None:
    shop.product("mug", "20.00")
    shop.add("mug")
    create_voucher(code="LOCAL5")
    page = shop.voucher("LOCAL5")
    assert any("Coupon LOCAL5 was not accepted" in m for m in shop.messages(page))


def test_the_checkout_preview_and_the_order_carry_talonones_discount(shop: Shop) -> None:
    shop.product("mug", "60.00")
    shop.add("mug", 2)  # 120.00: the 5 off from 100 applies, and WELCOME10 adds 12.00
    shop.voucher("WELCOME10")
    preview = shop.checkout_as_guest()
    assert preview.context["basket"].total_discount == Decimal("17.00")
    order = Order.objects.get()
    assert order.basket_total_before_discounts_incl_tax == Decimal("120.00")
    assert order.total_discount_incl_tax == Decimal("17.00")
    assert order.basket_total_incl_tax == Decimal("103.00")
    assert [(d.offer_name, d.amount) for d in order.discounts.all()] == [
        ("Talon.One promotions", Decimal("17.00"))
    ]
    line = order.lines.get()
    assert line.line_price_before_discounts_incl_tax == Decimal("120.00")
    assert line.line_price_incl_tax == Decimal("103.00")


@pytest.mark.parametrize("incl_tax", [False, True])
def test_talonone_sees_the_prices_oscars_offers_discount(shop: Shop, incl_tax: bool) -> None:
    shop.product("mug", "10.00")
    with override_settings(OSCAR_OFFERS_INCL_TAX=incl_tax):
        shop.add("mug")
        shop.voucher("WELCOME10")
        session = CustomerSession.objects.get()
        item = shop.talonone.session(session.session_id)["cartItems"][0]
        assert Decimal(str(item["price"])) == Decimal("10.00")  # oscar's default: no tax
        assert shop.basket().context["basket"].total_discount == Decimal("1.00")
