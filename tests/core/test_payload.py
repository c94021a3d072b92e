"""Adapters build validated payloads; bad shop data is refused naming the field."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from django_talonone.cart import CartAdapter, InvalidPayload, LineItem


class ListAdapter(CartAdapter):
    """Carts as plain objects: ``items``, ``codes``, ``costs``."""

    def get_items(self, obj: Any) -> Sequence[LineItem]:
        return obj.items

    def get_coupon_codes(self, obj: Any) -> Sequence[str]:
        return obj.codes

    def get_additional_costs(self, obj: Any) -> dict[str, Any]:
        return obj.costs


def cart(*items: LineItem, codes: Sequence[Any] = (), costs: Any = None) -> SimpleNamespace:
    return SimpleNamespace(user=None, items=list(items), codes=list(codes), costs=costs or {})


def line(**fields: Any) -> LineItem:
    return LineItem(**({"sku": "MUG", "quantity": 1, "price": Decimal("9.99")} | fields))


def build(obj: SimpleNamespace) -> dict[str, Any]:
    return ListAdapter().build_session(obj)


def test_payload_is_a_full_snapshot_in_list_order() -> None:
    body = build(
        cart(
            line(sku="A", name="Apple", category="fruit"),
            line(sku="B", quantity=2, attributes={"color": "red"}),
            codes=["WELCOME10", "WELCOME10"],
            costs={"shipping": Decimal("4.95")},
        )
    )
    assert body == {
        "customerSession": {
            "profileId": "",
            "state": "open",
            "cartItems": [
                {
                    "sku": "A",
                    "name": "Apple",
                    "quantity": 1,
                    "price": Decimal("9.99"),
                    "category": "fruit",
                },
                {
                    "sku": "B",
                    "name": "B",
                    "quantity": 2,
                    "price": Decimal("9.99"),
                    "attributes": {"color": "red"},
                },
            ],
            "couponCodes": ["WELCOME10"],
            "referralCode": "",
            "attributes": {},
            "additionalCosts": {"shipping": {"price": Decimal("4.95")}},
            "identifiers": [],
        },
        "responseContent": ["customerSession"],
    }


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        (cart(line(), line(price=9.99)), "items[1].price"),
        (cart(line(price=Decimal("-1"))), "items[0].price"),
        (cart(line(price=Decimal("NaN"))), "items[0].price"),
        (cart(line(quantity=0)), "items[0].quantity"),
        (cart(line(quantity=True)), "items[0].quantity"),
        (cart(line(sku="")), "items[0].sku"),
        (cart(*[line()] * 1001), "items"),
        (cart(line(), codes=["X" * 101]), "coupon_codes[0]"),
        (cart(line(), codes=[""]), "coupon_codes[0]"),
        (cart(line(), codes=[7]), "coupon_codes[0]"),
        (cart(line(), costs={"shipping": 4.95}), "additional_costs['shipping']"),
        (cart(line(attributes={"": 1})), "items[0].attributes"),
    ],
)
def test_invalid_data_names_the_field(obj: SimpleNamespace, field: str) -> None:
    with pytest.raises(InvalidPayload) as caught:
        build(obj)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert isinstance(caught.value, ValueError)


def test_a_thousand_items_are_fine() -> None:
    assert len(build(cart(*[line()] * 1000))["customerSession"]["cartItems"]) == 1000


def test_lines_missing_a_field_explain_how_to_map_them() -> None:
    class Bare:
        pk = 1
        sku = "A"
        price = Decimal(1)

    with pytest.raises(InvalidPayload, match=r"Bare.quantity.*line_to_item"):
        CartAdapter().line_to_item(Bare())


def test_adapter_without_lines_says_what_to_declare() -> None:
    with pytest.raises(NotImplementedError, match="line_model and line_parent"):
        CartAdapter().build_session(SimpleNamespace(user=None))
