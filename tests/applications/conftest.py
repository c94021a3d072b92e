"""A shop selling in EUR (the default Application) and GBP (``gbp``), each Application in
its own part of one emulator with its own key and campaigns."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from django_talonone.emulator import Emulator
from django_talonone.testing import TalonOneHarness, talonone_harness
from tests.shop.models import Cart, CartLine

GBP_KEY = "gbp-integration-key"
GBP_MANAGEMENT_KEY = "gbp-management-key"
SETTINGS: dict[str, Any] = {
    "CURRENCY": "EUR",
    "CART_ITEM_FLATTENING": True,
    "APPLICATIONS": {
        "gbp": {"API_KEY": GBP_KEY, "CURRENCY": "GBP", "MANAGEMENT_KEY": GBP_MANAGEMENT_KEY}
    },
}


def campaigns(currency: str, name: str, effect: dict[str, Any]) -> dict[str, Any]:
    return {
        "application": {"id": 2 if currency == "GBP" else 1, "currency": currency},
        "campaigns": [
            {
                "id": 1,
                "name": name,
                "rules": [{"name": name, "effects": [{"name": name, **effect}]}],
            },
            {
                "id": 2,
                "name": f"{currency} referrals",
                "kind": "referral",
                "rules": [
                    {
                        "name": "friend",
                        "effects": [{"type": "discount", "name": "friend", "amount": 1}],
                    }
                ],
            },
            {
                "id": 3,
                "name": f"{currency} coupons",
                "kind": "coupon",
                "coupons": [{"code": "WELCOME10"}],
                "rules": [
                    {
                        "name": "coupon",
                        "effects": [{"type": "discount", "name": "coupon", "percent": 10}],
                    }
                ],
            },
        ],
    }


EUR_CAMPAIGNS = campaigns("EUR", "EUR 10% off", {"type": "discount", "percent": 10})
GBP_CAMPAIGNS = campaigns("GBP", "GBP 3 off", {"type": "discount", "amount": 3})


def _no_sleep(seconds: float) -> None:
    """Retries move on at once."""


@pytest.fixture
def shop(db: Any) -> Iterator[TalonOneHarness]:
    emulator = Emulator(config=EUR_CAMPAIGNS, sleep=_no_sleep, management_key="eur-management-key")
    settings = {**SETTINGS, "MANAGEMENT_KEY": "eur-management-key"}
    with talonone_harness(settings, emulator) as harness:
        emulator.state_of("gbp").configure(GBP_CAMPAIGNS)
        yield harness


@pytest.fixture
def user(db: Any) -> AbstractBaseUser:
    return get_user_model().objects.create_user("alice", email="alice@example.com")


def cart_in(currency: str, user: Any, *lines: tuple[str, str, int], **fields: Any) -> Cart:
    cart = Cart.objects.create(user=user, currency=currency, **fields)
    for sku, price, quantity in lines or (("MUG", "20.00", 2),):
        CartLine.objects.create(
            cart=cart, sku=sku, name=sku.title(), price=Decimal(price), quantity=quantity
        )
    return cart
