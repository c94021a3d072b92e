"""Point 3c: an ``addFreeItem`` whose SKU is already a basket line takes one unit of that
line off through the site offer; one whose SKU is not in the basket does nothing (oscar's
offers cannot add a line)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from django_talonone.emulator import DEFAULT_CONFIG, Emulator
from django_talonone.services import order_session
from django_talonone.testing import talonone_harness

from .shop import Order, Shop

FREE_TEA = {
    "id": 9,
    "name": "Free tea",
    "rules": [
        {"name": "a free tea", "effects": [{"type": "addFreeItem", "sku": "tea", "name": "Tea"}]}
    ],
}


@pytest.fixture
def free_tea_shop(transactional_db: Any) -> Iterator[Shop]:
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["campaigns"].append(FREE_TEA)
    emulator = Emulator(config=config, sleep=lambda seconds: None)
    with talonone_harness(dict(settings.TALONONE), emulator=emulator) as harness:
        yield Shop(harness, Client())


def test_a_free_item_already_in_the_basket_discounts_one_unit_of_its_line(
    free_tea_shop: Shop,
) -> None:
    free_tea_shop.product("mug", "12.00")
    free_tea_shop.product("tea", "4.00")
    free_tea_shop.add("mug")
    free_tea_shop.add("tea", 2)
    page = free_tea_shop.basket()
    basket = page.context["basket"]
    discounts = {line.stockrecord.partner_sku: line.discount_value for line in basket.all_lines()}
    assert discounts == {"mug": Decimal("0.00"), "tea": Decimal("4.00")}  # one tea of two
    assert basket.total_discount == Decimal("4.00")
    assert basket.total_incl_tax == Decimal("16.00")
    # the site offer's description, under it on oscar's basket page, names the free item
    assert [d["description"] for d in basket.offer_discounts] == ["Tea"]


def test_a_free_item_not_in_the_basket_is_not_added(free_tea_shop: Shop) -> None:
    free_tea_shop.product("mug", "12.00")
    free_tea_shop.product("tea", "4.00")
    free_tea_shop.add("mug")
    basket = free_tea_shop.basket().context["basket"]
    assert [line.stockrecord.partner_sku for line in basket.all_lines()] == ["mug"]
    assert basket.total_discount == 0
    assert basket.total_incl_tax == Decimal("12.00")


def test_an_order_with_a_free_unit_closes_with_that_units_charge_difference(
    free_tea_shop: Shop,
) -> None:
    free_tea_shop.product("tea", "4.00")
    free_tea_shop.add("tea", 2)
    free_tea_shop.checkout_as_guest()
    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("4.00")  # one tea charged, one free
    session = order_session(order)
    assert session is not None
    assert session.charged_discount == Decimal("4.00")
    assert session.recorded_discount == Decimal("0.00")  # Talon.One records no free item
    assert session.charge_difference == Decimal("-4.00")
