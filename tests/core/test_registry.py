"""Registration wiring: one adapter per model is all a shop needs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from django_talonone.registry import cart_adapter_for, register_cart, unregister
from django_talonone.services import evaluate_cart
from django_talonone.testing import TalonOneHarness
from tests.shop.adapters import ShopCartAdapter
from tests.shop.models import Cart, CartLine, Order, OrderLine

from .conftest import UPDATE, fill

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def unregistered_cart() -> Any:
    unregister(Cart)
    yield Cart
    register_cart(Cart, ShopCartAdapter)


def test_registered_models_resolve_their_adapter() -> None:
    assert isinstance(cart_adapter_for(Cart()), ShopCartAdapter)


def test_lazy_objects_resolve_the_adapter_of_what_they_wrap() -> None:
    from django.utils.functional import SimpleLazyObject

    assert isinstance(cart_adapter_for(SimpleLazyObject(Cart)), ShopCartAdapter)  # request.user


def test_unregistered_models_say_how_to_register(unregistered_cart: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"register_cart\(Cart"):
        cart_adapter_for(Cart())


def test_unregistered_cart_sends_nothing(shop: TalonOneHarness, unregistered_cart: Any) -> None:
    cart = Cart.objects.create()
    fill(cart, ("MUG", "1.00", 1))
    assert shop.requests(UPDATE) == []
    assert evaluate_cart(cart, adapter=ShopCartAdapter()).available


def test_watch_false_records_the_adapter_only(shop: TalonOneHarness) -> None:
    register_cart(Cart, ShopCartAdapter, watch=False)
    try:
        cart = Cart.objects.create()
        fill(cart, ("MUG", "1.00", 1))
        assert shop.requests(UPDATE) == []
        assert isinstance(cart_adapter_for(cart), ShopCartAdapter)
    finally:
        register_cart(Cart, ShopCartAdapter)


def test_registering_twice_does_not_send_twice(shop: TalonOneHarness) -> None:
    register_cart(Cart, ShopCartAdapter)
    cart = Cart.objects.create()
    CartLine.objects.create(cart=cart, sku="A", name="A", price=Decimal(1))
    assert len(shop.requests(UPDATE)) == 1


def test_adapter_must_be_the_right_kind() -> None:
    with pytest.raises(ImproperlyConfigured, match="CartAdapter"):
        register_cart(Order, object())  # type: ignore[arg-type]


def test_order_saved_before_its_lines_closes_with_all_lines(shop: TalonOneHarness) -> None:
    with transaction.atomic():
        order = Order.objects.create(status=Order.Status.PAID)
        for sku in ("A", "B"):
            OrderLine.objects.create(order=order, sku=sku, name=sku, price=Decimal("5.00"))
    [request] = shop.requests(UPDATE)
    sent = request["requestBody"]["customerSession"]
    assert sent["state"] == "closed"
    assert [item["sku"] for item in sent["cartItems"]] == ["A", "B"]


def test_only_transitions_count(shop: TalonOneHarness) -> None:
    order = Order.objects.create(status=Order.Status.NEW)
    OrderLine.objects.create(order=order, sku="A", name="A", price=Decimal("5.00"))
    order.save()
    assert shop.requests(UPDATE) == []
    loaded = Order.objects.get(pk=order.pk)
    loaded.status = Order.Status.PAID
    loaded.save()
    loaded.save()
    Order.objects.get(pk=order.pk).save()
    assert len(shop.requests(UPDATE)) == 1
