"""The cart page keeps selling: whatever Talon.One does, evaluating a cart never raises.

A cart is evaluated synchronously (the cart page) under each drawn fault: the answer is
either the healthy discount or "promotions unavailable", never an exception and never a
wrong discount, and the call never waits for backoff in the shopper's request.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_talonone.emulator import Emulator
from django_talonone.services import evaluate_cart
from tests.shop.models import Cart, CartLine

from .conftest import TIMEOUT_LATENCY_MS

pytestmark = pytest.mark.django_db(transaction=True)

faults = st.one_of(
    st.builds(dict, error_rates=st.sampled_from([{409: 1.0}, {429: 1.0}, {500: 1.0},
                                                   {502: 1.0}, {503: 1.0}, {503: 0.5}])),
    st.builds(dict, drop_rate=st.sampled_from([0.5, 1.0]), drop_after_apply=st.booleans()),
    st.just({"latency_ms": TIMEOUT_LATENCY_MS}),
    st.just({}),
)  # fmt: skip


@pytest.fixture
def cart(emulator: Emulator) -> Cart:
    user = get_user_model().objects.create_user("ann", email="ann@example.com")
    with transaction.atomic():
        cart = Cart.objects.create(user=user, coupon_code="WELCOME10")
        CartLine.objects.create(cart=cart, sku="COAT", name="Coat", price=Decimal("120.00"))
    return cart


@settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(spec=faults, seed=st.integers(min_value=0, max_value=1000))
def test_a_cart_page_evaluation_never_raises_and_never_shows_a_wrong_discount(
    emulator: Emulator, cart: Cart, spec: dict[str, Any], seed: int
) -> None:
    emulator.clear_faults()
    healthy = evaluate_cart(cart)
    assert healthy.available
    assert healthy.discount_total == Decimal("17.00")  # 10 % off, then 5 off from 100
    emulator.set_faults(seed=seed, **spec)
    evaluation = evaluate_cart(cart)
    if evaluation.available:
        assert evaluation.discount_total == healthy.discount_total
    else:
        assert evaluation.discount_total == 0
        assert evaluation.message
    emulator.clear_faults()
