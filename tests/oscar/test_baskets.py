"""Point 1: oscar baskets are Talon.One sessions, evaluated once per basket content."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from django_talonone.contrib.oscar.adapters import ensure_strategy
from django_talonone.contrib.oscar.offers import basket_evaluation
from django_talonone.models import CustomerSession

from .shop import Basket, Shop

Applicator = get_class("offer.applicator", "Applicator")
Line = get_model("basket", "Line")


def session_of(basket: object) -> CustomerSession:
    from django_talonone.services.sessions import cart_session

    session = cart_session(basket)  # type: ignore[arg-type]
    assert session is not None
    return session


def test_add_change_and_remove_make_one_call_each(shop: Shop) -> None:
    shop.product("mug", "12.50")
    shop.product("tea", "4.00")
    shop.add("mug", 2)
    assert shop.calls() == 1  # counted in the emulator's request log
    basket = shop.the_basket()
    stored = shop.talonone.session(session_of(basket).session_id)
    assert [(i["sku"], i["quantity"], Decimal(str(i["price"]))) for i in stored["cartItems"]] == [
        ("mug", 2, Decimal("12.50"))
    ]
    assert stored["state"] == "open"
    assert stored["profileId"] == ""  # an anonymous shopper

    shop.add("tea")
    assert shop.calls() == 2
    shop.set_quantities({"mug": 3})
    assert shop.calls() == 3
    shop.set_quantities({"tea": 0})  # oscar deletes a line set to 0
    assert shop.calls() == 4
    stored = shop.talonone.session(session_of(basket).session_id)
    assert [(i["sku"], i["quantity"]) for i in stored["cartItems"]] == [("mug", 3)]
    assert stored["state"] == "open"


def test_removing_a_line_with_oscars_delete_box_makes_exactly_one_call(shop: Shop) -> None:
    shop.product("mug", "12.50")
    shop.product("tea", "4.00")
    shop.add("mug")
    shop.add("tea")
    shop.basket()
    basket = shop.the_basket()
    lines = list(basket.lines.order_by("pk"))
    data: dict[str, object] = {
        "form-TOTAL_FORMS": 2,
        "form-INITIAL_FORMS": 2,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
    }
    for index, line in enumerate(lines):
        data[f"form-{index}-id"] = line.pk
        data[f"form-{index}-quantity"] = line.quantity
    data["form-1-DELETE"] = "on"  # the tea line's Remove box on oscar's basket page
    before = shop.calls()
    assert shop.client.post(reverse("basket:summary"), data).status_code == 302
    shop.basket()
    shop.basket()
    assert shop.calls() - before == 1
    stored = shop.talonone.session(session_of(basket).session_id)
    assert [i["sku"] for i in stored["cartItems"]] == ["mug"]


def test_a_line_of_quantity_zero_is_not_sent(shop: Shop) -> None:
    shop.product("mug", "12.00")
    shop.product("tea", "4.00")
    shop.add("mug")
    shop.add("tea")
    basket = shop.the_basket()
    # Oscar's own forms delete a line set to 0; an import or the shop's code may still
    # leave one with quantity 0 (oscar's model allows it).
    Line.objects.filter(basket=basket, stockrecord__partner_sku="tea").update(quantity=0)
    before = shop.calls()
    page = shop.basket()  # oscar's basket page: the content changed, so one call
    assert page.status_code == 200
    assert shop.calls() - before == 1
    stored = shop.talonone.session(session_of(basket).session_id)
    assert [(i["sku"], i["quantity"]) for i in stored["cartItems"]] == [("mug", 1)]
    assert page.context["basket"].total_incl_tax == Decimal("12.00")


def test_an_unchanged_basket_page_makes_no_call_and_a_change_makes_one(shop: Shop) -> None:
    shop.product("mug", "12.50")
    shop.add("mug")
    shop.basket()
    before = shop.calls()
    for _ in range(5):
        assert shop.basket().status_code == 200
    assert shop.calls() - before == 0  # five page views of an unchanged basket

    before = shop.calls()
    shop.add("mug")  # a change: oscar re-applies its offers in the add view itself
    shop.basket()
    shop.basket()
    assert shop.calls() - before == 1


def test_each_anonymous_basket_has_its_own_session(shop: Shop) -> None:
    shop.product("mug", "12.50")
    assert shop.basket().status_code == 200  # a visitor's unsaved basket: never evaluated
    assert shop.calls() == 0
    shop.add("mug")
    other = Shop(shop.talonone, Client())
    other.products = shop.products
    other.add("mug")
    sessions = {s.session_id for s in CustomerSession.objects.all()}
    assert len(sessions) == 2
    assert Basket.objects.filter(status=Basket.OPEN).count() == 2


def test_signing_in_merges_the_basket_and_the_session_follows_the_shopper(shop: Shop) -> None:
    user = get_user_model().objects.create_user(
        "ada", email="ada@example.com", password="secret-pass-1"
    )
    shop.product("mug", "12.50")
    shop.add("mug", 2)
    anonymous = shop.the_basket()
    shop.voucher("WELCOME10")
    assert shop.client.login(username="ada@example.com", password="secret-pass-1")
    shop.basket()  # oscar's BasketMiddleware merges the cookie basket at the next request
    anonymous.refresh_from_db()
    assert anonymous.status == Basket.MERGED
    mine = Basket.objects.get(owner=user, status=Basket.OPEN)
    stored = shop.talonone.session(session_of(mine).session_id)
    assert stored["profileId"] == str(user.pk)
    assert [(i["sku"], i["quantity"]) for i in stored["cartItems"]] == [("mug", 2)]
    assert stored["couponCodes"] == ["WELCOME10"]  # the code came along with the lines


@pytest.mark.parametrize("status", ["Merged", "Saved", "Frozen", "Submitted"])
def test_baskets_that_are_not_open_never_start_a_session(shop: Shop, status: str) -> None:
    mug = shop.product("mug", "12.50")
    basket = Basket.objects.create()
    ensure_strategy(basket)
    basket.add_product(mug, 2)
    basket.status = status
    basket.save()
    loaded = Basket.objects.get(pk=basket.pk)
    Applicator().apply(loaded)  # oscar's offers, as any page that loads the basket applies them
    assert basket_evaluation(loaded) is None
    assert loaded.total_discount == 0
    assert shop.calls() == 0
    assert not CustomerSession.objects.exists()


def test_signing_in_keeps_the_codes_when_every_line_merges_into_one_already_there(
    shop: Shop,
) -> None:
    user = get_user_model().objects.create_user(
        "ada", email="ada@example.com", password="secret-pass-1"
    )
    shop.product("mug", "20.00")
    shop.client.force_login(user)
    shop.add("mug")  # the customer's own basket already has the mug
    shop.client.logout()
    shop.add("mug")
    anonymous = shop.the_basket()
    assert anonymous.owner is None
    shop.voucher("WELCOME10")
    signed_in = shop.client.post(
        reverse("customer:login"),
        {
            "login-username": "ada@example.com",
            "login-password": "secret-pass-1",
            "login_submit": "1",
        },
    )
    assert signed_in.status_code == 302
    page = shop.basket()  # oscar's BasketMiddleware merges the cookie basket here
    anonymous.refresh_from_db()
    assert anonymous.status == Basket.MERGED
    assert not anonymous.lines.exists()  # no line moved: the mug merged into the customer's
    mine = Basket.objects.get(owner=user, status=Basket.OPEN)
    assert page.context["basket"].pk == mine.pk
    assert [c.code for c in mine.talonone_coupons.all()] == ["WELCOME10"]
    assert page.context["basket"].total_discount == Decimal("2.00")  # WELCOME10: 10 %
    stored = shop.talonone.session(session_of(mine).session_id)
    assert stored["couponCodes"] == ["WELCOME10"]
    assert stored["profileId"] == str(user.pk)
