"""Core tests: the tiny shop in ``tests.shop`` wired to an in-process emulator.

Tests commit for real (``transaction=True``): cart changes are sent on commit, and the
outbox is delivered by eager Celery tasks right after it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from django_talonone.models import CustomerSession
from django_talonone.testing import TalonOneHarness, talonone
from tests.shop.models import Cart, CartLine, Order, OrderLine

__all__ = ["talonone"]

UPDATE = "updateCustomerSessionV2"


@pytest.fixture
def shop(talonone: TalonOneHarness) -> TalonOneHarness:
    """The emulator harness, for tests that also need the database."""
    return talonone


@pytest.fixture
def user(db: Any) -> AbstractBaseUser:
    return get_user_model().objects.create_user(
        "alice", email="alice@example.com", first_name="Alice", last_name="Liddell"
    )


def fill(cart: Cart, *lines: tuple[str, str, int]) -> list[CartLine]:
    return [
        CartLine.objects.create(cart=cart, sku=sku, name=sku.title(), price=Decimal(p), quantity=q)
        for sku, p, q in lines
    ]


def order_from(cart: Cart, status: str = Order.Status.PAID) -> Order:
    """An order copied from ``cart``: the order row first, its lines after (as shops do)."""
    order = Order.objects.create(
        user=cart.user, cart=cart, status=status, coupon_code=cart.coupon_code
    )
    for line in cart.lines.order_by("pk"):
        OrderLine.objects.create(
            order=order, sku=line.sku, name=line.name, quantity=line.quantity, price=line.price
        )
    return order


def session_of(obj: Any) -> CustomerSession:
    from django_talonone.services import order_session

    found = order_session(obj)
    assert found is not None
    return found


def sent_sessions(harness: TalonOneHarness) -> list[dict[str, Any]]:
    """The ``customerSession`` bodies of every UpdateCustomerSessionV2 received."""
    return [entry["requestBody"]["customerSession"] for entry in harness.requests(UPDATE)]
