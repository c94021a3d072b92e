"""Point 3 continued: per-item discounts land on the line at their position, several
changes in one request cost one call, prices come from oscar's strategy without a
request too, and an outage leaves the basket at full price until Talon.One answers."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from django_talonone.cart import InvalidPayload
from django_talonone.emulator import DEFAULT_CONFIG, Emulator
from django_talonone.registry import cart_adapter_for
from django_talonone.testing import talonone_harness

from .shop import Basket, Shop

HALF_PRICE_TEA = {
    "id": 9,
    "name": "Half-price tea",
    "rules": [
        {
            "name": "50% off tea",
            "effects": [
                {"type": "discountPerItem", "name": "Tea 50%", "percent": 50, "skus": ["tea"]}
            ],
        }
    ],
}


@pytest.fixture
def tea_shop(transactional_db: Any) -> Iterator[Shop]:
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["campaigns"].append(HALF_PRICE_TEA)
    emulator = Emulator(config=config, sleep=lambda seconds: None)
    with talonone_harness(dict(settings.TALONONE), emulator=emulator) as harness:
        yield Shop(harness, Client())


def test_a_per_item_discount_goes_to_the_line_at_its_position(tea_shop: Shop) -> None:
    tea_shop.product("mug", "12.00")
    tea_shop.product("tea", "4.00")
    tea_shop.add("mug")
    tea_shop.add("tea", 2)
    basket = tea_shop.basket().context["basket"]
    discounts = {line.stockrecord.partner_sku: line.discount_value for line in basket.all_lines()}
    assert discounts == {"mug": Decimal("0.00"), "tea": Decimal("4.00")}
    assert basket.total_incl_tax == Decimal("16.00")


def test_changing_two_lines_in_one_request_is_one_call(shop: Shop) -> None:
    shop.product("mug", "12.00")
    shop.product("tea", "4.00")
    shop.add("mug")
    shop.add("tea")
    shop.basket()
    before = shop.calls()
    shop.set_quantities({"mug": 3, "tea": 2})
    shop.basket()
    assert shop.calls() - before == 1


def test_a_basket_loaded_without_a_request_is_priced_by_oscars_strategy(shop: Shop) -> None:
    shop.product("mug", "12.00")
    shop.add("mug", 2)
    basket = Basket.objects.get()  # no strategy: a worker's view of the basket
    assert not basket.has_strategy
    body = cart_adapter_for(basket).build_session(basket)
    assert [
        (i["sku"], i["quantity"], i["price"]) for i in body["customerSession"]["cartItems"]
    ] == [("mug", 2, Decimal("12.00"))]


def test_an_unsaved_basket_is_refused_by_the_core(shop: Shop) -> None:
    from django_talonone.services import evaluate_cart

    with pytest.raises(InvalidPayload, match="cart"):
        evaluate_cart(Basket())


def test_an_outage_shows_full_prices_then_discounts_once_talonone_answers(shop: Shop) -> None:
    shop.product("mug", "20.00")
    shop.add("mug")
    shop.voucher("WELCOME10")
    shop.talonone.fail(503)
    shop.add("mug")  # a change while Talon.One is down
    page = shop.basket()
    assert page.status_code == 200
    assert page.context["basket"].total_discount == 0
    shop.talonone.heal()
    page = shop.basket()
    assert page.context["basket"].total_discount == Decimal("4.00")
    before = shop.calls()
    shop.basket()
    assert shop.calls() == before
