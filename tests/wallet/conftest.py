"""Wallet tests: the real service, template tag and cache against an in-process emulator.

The emulator runs a campaigns file that gives the shopper ``alice`` one coupon in each
state (addressed to her with ``recipientIntegrationId``), plus the shared ``WELCOME10``.
Profile ids are ``user-<username>`` (``PROFILE_ID_FUNCTION``), so the file can name them.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from django_talonone.emulator import Emulator
from django_talonone.testing import TalonOneHarness, talonone_harness
from tests.shop.models import Cart, CartLine, Order, OrderLine

from .loyalty_world import loyalty_talonone, member  # noqa: F401 (fixtures for the suite)

ALICE = "user-alice"
PAST = "2001-01-01T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"

CAMPAIGNS: dict[str, Any] = {
    "campaigns": [
        {
            "id": 1,
            "name": "Welcome 10%",
            "kind": "coupon",
            "coupons": [
                {"code": "WELCOME10"},
                {"code": "VIP-ALICE", "recipientIntegrationId": ALICE, "usageLimit": 3},
                {"code": "SPRING-ALICE", "recipientIntegrationId": ALICE, "startDate": FUTURE},
                {"code": "OLD-ALICE", "recipientIntegrationId": ALICE, "expiryDate": PAST},
            ],
            "rules": [
                {
                    "name": "10% off",
                    "effects": [{"type": "discount", "name": "Welcome 10%", "percent": 10}],
                }
            ],
        },
        {"id": 2, "name": "Refer a friend", "kind": "referral", "rules": []},
        {
            "id": 4,
            "name": "Paused",
            "kind": "coupon",
            "state": "disabled",
            "coupons": [{"code": "PAUSED-ALICE", "recipientIntegrationId": ALICE}],
            "rules": [],
        },
    ]
}


def profile_id(user: Any) -> str:
    """The tests' ``PROFILE_ID_FUNCTION``: readable ids the campaigns file can name."""
    return f"user-{user.get_username()}"


def _no_sleep(seconds: float) -> None:
    """Retries move on at once."""


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Cached wallets (and DRF throttle counters) never leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def wallet_talonone(settings: Any) -> Iterator[TalonOneHarness]:
    """The ``talonone`` fixture, with the campaigns above and readable profile ids."""
    values = dict(getattr(settings, "TALONONE", None) or {})
    values["PROFILE_ID_FUNCTION"] = "tests.wallet.conftest.profile_id"
    with talonone_harness(values, Emulator(config=CAMPAIGNS, sleep=_no_sleep)) as harness:
        yield harness


@pytest.fixture
def alice(wallet_talonone: TalonOneHarness, transactional_db: Any) -> Any:
    """A shopper whose profile exists in Talon.One (created when her user is saved)."""
    user = get_user_model().objects.create_user("alice", email="alice@example.com")
    assert wallet_talonone.requests("updateCustomerProfileV2"), "her profile was not synced"
    return user


def place_order(user: Any, *lines: tuple[str, str], coupon: str = "") -> Order:
    """Fill a cart and pay for it (one transaction each, as a shop's views do)."""
    with transaction.atomic():
        cart = Cart.objects.create(user=user, coupon_code=coupon)
        for sku, price in lines:
            CartLine.objects.create(cart=cart, sku=sku, name=sku.title(), price=Decimal(price))
    with transaction.atomic():
        order = Order.objects.create(
            user=user, cart=cart, status=Order.Status.PAID, coupon_code=coupon
        )
        for line in cart.lines.order_by("pk"):
            OrderLine.objects.create(
                order=order, sku=line.sku, name=line.name, quantity=line.quantity, price=line.price
            )
    return order
