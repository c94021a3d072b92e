"""Referral codes typed into oscar's voucher form: a code Talon.One does not know as a
coupon is tried as the session's referral code, with the verdict in plain words, a
Remove button on the basket page, and the code redeemed by the order's close."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from django_talonone.contrib.oscar.models import BasketCoupon
from django_talonone.services import order_session
from django_talonone.services.sessions import cart_session

from .shop import Order, Shop
from .test_removing_codes import remove_forms

REFERRAL_CAMPAIGN = 2  # the emulator's "Refer a friend": 5 off for the friend


def referral_of(shop: Shop, advocate: str) -> str:
    with shop.talonone.client() as talonone:
        code: str = talonone.create_referral(
            {"campaignId": REFERRAL_CAMPAIGN, "advocateProfileIntegrationId": advocate}
        )["code"]
    return code


def signed_in(shop: Shop, name: str = "friend") -> Any:
    user = get_user_model().objects.create_user(
        name, email=f"{name}@example.com", password="secret-pass-1"
    )
    shop.client.force_login(user)
    return user


def stored(shop: Shop) -> dict[str, Any]:
    session = cart_session(shop.the_basket())
    assert session is not None
    return shop.talonone.session(session.session_id)


def test_a_friends_referral_code_discounts_the_basket_and_is_redeemed(shop: Shop) -> None:
    code = referral_of(shop, "advocate-1")
    signed_in(shop)
    shop.product("mug", "20.00")
    shop.add("mug")
    before = shop.calls()
    page = shop.voucher(code)
    assert f"Referral code {code} added to your basket." in shop.messages(page)
    assert shop.calls() - before == 2  # as a coupon (not found), then as the referral
    assert (stored(shop)["referralCode"], stored(shop)["couponCodes"]) == (code, [])
    assert page.context["basket"].total_discount == Decimal("5.00")
    assert list(remove_forms(page)) == [f"Refer a friend ({code})"]
    assert [(c.code, c.kind) for c in BasketCoupon.objects.all()] == [(code, "referral")]

    shop.checkout()
    session = order_session(Order.objects.get())
    assert session is not None
    closed = shop.talonone.session(session.session_id)
    assert (closed["state"], closed["referralCode"]) == ("closed", code)
    assert session.recorded_discount == Decimal("5.00")


def test_the_remove_button_takes_the_referral_code_off_the_session(shop: Shop) -> None:
    code = referral_of(shop, "advocate-1")
    signed_in(shop)
    shop.product("mug", "20.00")
    shop.add("mug")
    page = shop.voucher(code)
    page = shop.client.post(remove_forms(page)[f"Refer a friend ({code})"], follow=True)
    assert f"Referral code {code} removed from your basket." in shop.messages(page)
    assert stored(shop)["referralCode"] == ""
    assert page.context["basket"].total_discount == 0
    assert not BasketCoupon.objects.exists()


def test_a_rejected_referral_is_explained_in_plain_words(shop: Shop) -> None:
    user = signed_in(shop, "advocate")
    code = referral_of(shop, str(user.pk))  # the shopper's own code
    shop.product("mug", "20.00")
    shop.add("mug")
    page = shop.voucher(code)
    said = shop.messages(page)
    assert f"Referral code {code} was not accepted: You cannot use your own referral code." in said
    assert not [message for message in said if "added to your basket" in message]
    assert not BasketCoupon.objects.exists()
    assert (stored(shop)["referralCode"], stored(shop)["couponCodes"]) == ("", [])
    assert page.context["basket"].total_discount == 0


def test_a_code_that_is_neither_costs_three_calls_and_reads_as_a_coupon(shop: Shop) -> None:
    signed_in(shop)
    shop.product("mug", "20.00")
    shop.add("mug")
    before = shop.calls()
    page = shop.voucher("NOPE")
    said = shop.messages(page)
    assert "Coupon NOPE was not accepted: This coupon code does not exist." in said
    assert not [message for message in said if "Referral" in message]
    assert shop.calls() - before == 3  # as a coupon, as a referral, then without it
    assert (stored(shop)["referralCode"], stored(shop)["couponCodes"]) == ("", [])


def test_a_new_referral_code_replaces_the_earlier_one(shop: Shop) -> None:
    first, second = referral_of(shop, "advocate-1"), referral_of(shop, "advocate-2")
    signed_in(shop)
    shop.product("mug", "20.00")
    shop.add("mug")
    shop.voucher(first)
    page = shop.voucher(second)
    assert f"Referral code {second} added to your basket." in shop.messages(page)
    assert [c.code for c in BasketCoupon.objects.all()] == [second]
    assert stored(shop)["referralCode"] == second
    assert page.context["basket"].total_discount == Decimal("5.00")


def test_a_rejected_referral_code_leaves_the_earlier_one(shop: Shop) -> None:
    user = signed_in(shop)
    good, own = referral_of(shop, "advocate-1"), referral_of(shop, str(user.pk))
    shop.product("mug", "20.00")
    shop.add("mug")
    shop.voucher(good)
    page = shop.voucher(own)
    assert "You cannot use your own referral code." in shop.messages(page)[0]
    assert [c.code for c in BasketCoupon.objects.all()] == [good]
    assert stored(shop)["referralCode"] == good
    assert page.context["basket"].total_discount == Decimal("5.00")


def test_a_signed_out_shopper_is_asked_to_sign_in(shop: Shop) -> None:
    code = referral_of(shop, "advocate-1")
    shop.product("mug", "20.00")
    shop.add("mug")
    page = shop.voucher(code)  # Talon.One cannot tell a friend without a profile
    assert f"Referral code {code} needs you to be signed in: sign in, then add it." in (
        shop.messages(page)
    )
    assert not BasketCoupon.objects.exists()
    assert stored(shop)["referralCode"] == ""


def test_signing_in_keeps_the_customers_own_referral_code(shop: Shop) -> None:
    user = get_user_model().objects.create_user(
        "ada", email="ada@example.com", password="secret-pass-1"
    )
    own, cookies = referral_of(shop, "advocate-1"), referral_of(shop, "advocate-2")
    shop.product("mug", "20.00")
    shop.product("tea", "4.00")
    shop.client.force_login(user)
    shop.add("mug")
    shop.voucher(own)
    shop.client.logout()
    shop.add("tea")
    # a referral code on the cookie basket (one Talon.One could not check: an outage)
    BasketCoupon.objects.create(basket=shop.the_basket(), code=cookies, kind="referral")
    assert shop.client.login(username="ada@example.com", password="secret-pass-1")
    page = shop.basket()  # oscar merges the cookie basket at the next request
    basket = page.context["basket"]
    assert [(c.code, c.kind) for c in basket.talonone_coupons.all()] == [(own, "referral")]
    assert [line.stockrecord.partner_sku for line in basket.all_lines()] == ["mug", "tea"]
    assert stored(shop)["referralCode"] == own
