"""Cart adapters fed bad shop data: a clear error naming the field, before any call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django_talonone.adapters import (
    MAX_AMOUNT,
    MAX_QUANTITY,
    CartAdapter,
    CustomerAdapter,
    InvalidPayload,
    LineItem,
)
from django_talonone.services import evaluate_cart
from django_talonone.testing import TalonOneHarness
from tests.shop.models import Cart

from .conftest import FUZZ


@dataclass
class Shop:
    """What the fed adapter reports for a cart."""

    items: Sequence[Any]
    codes: Sequence[Any] = ()
    attributes: Any = field(default_factory=dict)
    costs: Mapping[Any, Any] = field(default_factory=dict)
    profile: Any = ""


class FedAdapter(CartAdapter):
    """An adapter whose cart data comes from the test, as a buggy shop's would."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop

    def get_profile_id(self, obj: Any) -> Any:
        return self.shop.profile

    def get_items(self, obj: Any) -> Sequence[LineItem]:
        return list(self.shop.items)

    def get_coupon_codes(self, obj: Any) -> Sequence[str]:
        return list(self.shop.codes)

    def get_attributes(self, obj: Any) -> Any:
        return self.shop.attributes

    def get_additional_costs(self, obj: Any) -> Any:
        return self.shop.costs


# -- strategies: one valid line, and the bad values each field can take ---------------------

good_text = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20
)
good_price = st.decimals(min_value=0, max_value=10_000, places=2)
good_line = st.builds(
    LineItem,
    sku=good_text,
    name=good_text,
    quantity=st.integers(min_value=1, max_value=50),
    price=good_price,
)
lone_surrogate = st.builds(
    lambda head, cut, tail: head + cut + tail,
    st.text(max_size=5),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.text(max_size=5),
)
unsendable_text = st.one_of(
    lone_surrogate,
    st.text(min_size=1, max_size=5).map(lambda text: text + "\x00"),
)
wrong_type = st.one_of(
    st.none(), st.integers(), st.floats(), st.binary(max_size=5), st.lists(st.integers())
)
bad_price = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True).filter(lambda d: not d.is_finite()),
    st.decimals(max_value=Decimal("-0.01"), places=2),
    st.decimals(min_value=MAX_AMOUNT + 1, max_value=Decimal("1e30"), places=0),
    st.integers(),
    st.text(max_size=8),
    st.none(),
)
bad_quantity = st.one_of(
    st.integers(max_value=0),
    st.integers(min_value=MAX_QUANTITY + 1),
    st.booleans(),
    st.floats(),
    st.decimals(allow_nan=False),
    st.text(max_size=5),
)
bad_sku = st.one_of(st.just(""), st.text(min_size=1001, max_size=1100), unsendable_text, wrong_type)
bad_code = st.one_of(st.just(""), st.text(min_size=101, max_size=120), unsendable_text, wrong_type)
bad_attribute_value = st.one_of(
    st.sampled_from([float("nan"), float("inf"), float("-inf")]),
    st.decimals(allow_nan=True, allow_infinity=True).filter(lambda d: not d.is_finite()),
    unsendable_text,
    st.sets(st.integers(), min_size=1, max_size=3),
    st.binary(min_size=1, max_size=5),
    st.builds(object),
)


@st.composite
def broken_carts(draw: st.DrawFn) -> tuple[Shop, str]:
    """A cart with exactly one bad value, and the field the error must name."""
    lines = draw(st.lists(good_line, min_size=1, max_size=4))
    index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    line = lines[index]
    where = f"items[{index}]"
    kind = draw(
        st.sampled_from(
            ["price", "quantity", "sku", "name", "code", "profile", "attribute", "cost", "line"]
        )
    )
    shop = Shop(items=lines)
    if kind == "price":
        lines[index] = LineItem(line.sku, line.quantity, draw(bad_price), line.name)
        return shop, f"{where}.price"
    if kind == "quantity":
        lines[index] = LineItem(line.sku, draw(bad_quantity), line.price, line.name)
        return shop, f"{where}.quantity"
    if kind == "sku":
        lines[index] = LineItem(draw(bad_sku), line.quantity, line.price, line.name)
        return shop, f"{where}.sku"
    if kind == "name":
        name = draw(st.one_of(st.text(min_size=1001, max_size=1100), unsendable_text))
        lines[index] = LineItem(line.sku, line.quantity, line.price, name)
        return shop, f"{where}.name"
    if kind == "code":
        shop.codes = [*draw(st.lists(good_text, max_size=2, unique=True)), draw(bad_code)]
        return shop, f"coupon_codes[{len(shop.codes) - 1}]"
    if kind == "profile":
        shop.profile = draw(st.one_of(st.text(min_size=1001, max_size=1010), lone_surrogate))
        return shop, "profile_id"
    if kind == "attribute":
        key = draw(good_text)
        shop.attributes = {key: {"nested": [draw(bad_attribute_value)]}}
        return shop, "attributes"
    if kind == "cost":
        shop.costs = {"shipping": draw(bad_price)}
        return shop, "additional_costs"
    lines[index] = draw(st.one_of(wrong_type, st.dictionaries(st.text(), st.integers())))
    return shop, where


@FUZZ
@given(case=broken_carts())
def test_bad_cart_data_is_refused_naming_the_field_before_any_call(
    talonone: TalonOneHarness, case: tuple[Shop, str]
) -> None:
    shop, expected = case
    sent_before = len(talonone.requests())
    with pytest.raises(InvalidPayload) as caught:
        # A primary key, as a saved cart has (an unsaved cart is refused before its data).
        evaluate_cart(Cart(pk=1), adapter=FedAdapter(shop))
    assert caught.value.field.startswith(expected), (caught.value.field, expected)
    assert str(caught.value).startswith(caught.value.field + ":")
    assert len(talonone.requests()) == sent_before


@FUZZ
@given(shop=st.builds(Shop, items=st.lists(good_line, min_size=1, max_size=5)))
def test_valid_carts_of_any_shape_pass_validation(shop: Shop) -> None:
    """The control: the strategies above break carts, they do not break the adapter."""
    body = FedAdapter(shop).build_session(Cart())
    assert [line["price"] for line in body["customerSession"]["cartItems"]] == [
        item.price for item in shop.items
    ]


@FUZZ
@given(profile=st.one_of(st.just("."), st.just(".."), lone_surrogate, st.just("")))
def test_profile_ids_that_cannot_be_addressed_are_refused(profile: str) -> None:
    class Customers(CustomerAdapter):
        def get_profile_id(self, customer: Any) -> str:
            return profile

    with pytest.raises(InvalidPayload) as caught:
        Customers().build_profile(object())
    assert caught.value.field == "profile_id"
