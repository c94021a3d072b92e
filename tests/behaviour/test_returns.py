"""Partial returns: ReturnCartItems on closed sessions, rollbacks and idempotent replays."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from django_talonone.client import TalonOneBadRequest, TalonOneClient
from django_talonone.emulator import Emulator

from .conftest import item, session_body


def _closed_order(client: TalonOneClient, session_id: str = "order-1") -> dict[str, Any]:
    return client.update_customer_session_v2(
        session_id,
        session_body(
            profileId="frank",
            state="closed",
            couponCodes=["WELCOME10"],
            cartItems=[item("SHOES", "80.00"), item("SHIRT", "20.00", 2)],
        ),
    )


def _return(positions: list[dict[str, int]]) -> dict[str, Any]:
    return {"return": {"returnedCartItems": positions}, "responseContent": ["customerSession"]}


def test_return_marks_session_partially_returned_and_rolls_back(client: TalonOneClient) -> None:
    _closed_order(client)
    state = client.return_cart_items("order-1", _return([{"position": 0}]))
    session = state["customerSession"]
    assert session["state"] == "partially_returned"
    shoes, shirts = session["cartItems"]
    assert (shoes["returnedQuantity"], shoes["remainingQuantity"]) == (1, 0)
    assert (shirts["returnedQuantity"], shirts["remainingQuantity"]) == (0, 2)
    rollbacks = [e for e in state["effects"] if e["effectType"] == "rollbackDiscount"]
    assert rollbacks, "a return rolls back the discounts given on the returned line"
    assert all(Decimal(e["props"]["value"]) > 0 for e in rollbacks)


def test_without_flattening_a_return_takes_the_whole_line(client: TalonOneClient) -> None:
    _closed_order(client)
    state = client.return_cart_items("order-1", _return([{"position": 1, "quantity": 1}]))
    shirts = state["customerSession"]["cartItems"][1]
    assert (shirts["returnedQuantity"], shirts["remainingQuantity"]) == (2, 0)


def test_returned_items_stop_counting_in_total_sales(client: TalonOneClient) -> None:
    _closed_order(client)
    client.return_cart_items("order-1", _return([{"position": 0}]))
    profile = client.get_customer_inventory("frank", profile=True)["profile"]
    assert Decimal(profile["totalSales"]) == Decimal("40.00")


def test_return_on_an_open_session_is_400(client: TalonOneClient) -> None:
    client.update_customer_session_v2("s-open", session_body(cartItems=[item("A", "1.00")]))
    with pytest.raises(TalonOneBadRequest):
        client.return_cart_items("s-open", _return([{"position": 0}]))


def test_position_out_of_range_is_400_naming_the_position(client: TalonOneClient) -> None:
    _closed_order(client)
    with pytest.raises(TalonOneBadRequest) as caught:
        client.return_cart_items("order-1", _return([{"position": 5}]))
    pointers = [error["source"].get("pointer", "") for error in caught.value.errors]
    assert any("returnedCartItems/0" in pointer for pointer in pointers)


def test_a_line_cannot_be_returned_twice(client: TalonOneClient) -> None:
    _closed_order(client)
    client.return_cart_items("order-1", _return([{"position": 0}]))
    with pytest.raises(TalonOneBadRequest):
        client.return_cart_items("order-1", _return([{"position": 0}]))
    # The other line can still go back: a partially returned session accepts more returns.
    state = client.return_cart_items("order-1", _return([{"position": 1}]))
    assert state["customerSession"]["state"] == "partially_returned"


def test_same_idempotency_key_replays_without_applying_twice(client: TalonOneClient) -> None:
    _closed_order(client)
    first = client.return_cart_items(
        "order-1", _return([{"position": 0}]), idempotency_key="refund-7"
    )
    second = client.return_cart_items(
        "order-1", _return([{"position": 0}]), idempotency_key="refund-7"
    )
    assert second == first
    session = client.get_customer_session("order-1")["customerSession"]
    assert session["cartItems"][0]["returnedQuantity"] == 1


def test_dry_return_changes_nothing(client: TalonOneClient) -> None:
    _closed_order(client)
    state = client.return_cart_items("order-1", _return([{"position": 0}]), dry=True)
    assert state["customerSession"]["state"] == "partially_returned"
    stored = client.get_customer_session("order-1")["customerSession"]
    assert stored["state"] == "closed"


def test_cancel_after_partial_return(client: TalonOneClient) -> None:
    _closed_order(client)
    client.return_cart_items("order-1", _return([{"position": 0}]))
    state = client.update_customer_session_v2(
        "order-1", session_body(state="cancelled", responseContent=["customerSession"])
    )
    assert state["customerSession"]["state"] == "cancelled"


def test_with_flattening_a_return_takes_quantity_units() -> None:
    emulator = Emulator(config={"application": {"flattenCartItems": True}, "campaigns": []})
    with emulator.client(max_attempts=1) as client:
        client.update_customer_session_v2(
            "o-1",
            session_body(state="closed", cartItems=[item("SHIRT", "20.00", 3)]),
        )
        state = client.return_cart_items("o-1", _return([{"position": 0, "quantity": 2}]))
        line = state["customerSession"]["cartItems"][0]
        assert (line["returnedQuantity"], line["remainingQuantity"]) == (2, 1)
        with pytest.raises(TalonOneBadRequest):
            client.return_cart_items("o-1", _return([{"position": 0, "quantity": 2}]))
