"""ReturnCartItems: line and unit returns, rollback maths, errors, idempotency, dry runs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from django_talonone.emulator.errors import ApiError
from django_talonone.emulator.handlers import HANDLERS
from django_talonone.emulator.routing import Request
from django_talonone.emulator.state import EmulatorState


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def item(sku: str, price: str, quantity: int = 1) -> dict[str, Any]:
    return {"name": sku, "sku": sku, "quantity": quantity, "price": Decimal(price)}


def close(state: EmulatorState, /, session_id: str = "o1", **fields: Any) -> dict[str, Any]:
    body = {"customerSession": {"profileId": "frank", "state": "closed", **fields}}
    request = Request(
        "updateCustomerSessionV2", "PUT", {"customerSessionId": session_id}, {}, {}, body
    )
    reply: dict[str, Any] = HANDLERS["updateCustomerSessionV2"](state, request).body
    return reply


def give_back(
    state: EmulatorState,
    entries: list[dict[str, Any]],
    *,
    session_id: str = "o1",
    key: str | None = None,
    dry: bool = False,
) -> dict[str, Any]:
    body = {
        "return": {"returnedCartItems": entries},
        "responseContent": ["customerSession", "previousReturns"],
    }
    headers = {"IDEMPOTENCY-KEY": key} if key else {}
    query = {"dry": "true"} if dry else {}
    request = Request(
        "returnCartItems", "POST", {"customerSessionId": session_id}, query, headers, body
    )
    response = HANDLERS["returnCartItems"](state, request)
    assert response.status == 200
    reply: dict[str, Any] = response.body
    return reply


def rollbacks(reply: dict[str, Any]) -> dict[tuple[int, Any, Any], Decimal]:
    return {
        (
            e["campaignId"],
            e["props"].get("cartItemPosition"),
            e["props"].get("cartItemSubPosition"),
        ): e["props"]["value"]
        for e in reply["effects"]
        if e["effectType"] == "rollbackDiscount"
    }


def total_sales(state: EmulatorState) -> Decimal:
    value: Decimal = state.data["profiles"]["frank"]["totalSales"]
    return value


def test_whole_line_return_rolls_back_cart_discounts_proportionally() -> None:
    state = EmulatorState()
    close(
        state,
        couponCodes=["WELCOME10"],
        cartItems=[item("SHOES", "80.00"), item("SHIRT", "20.00", 2)],
    )
    first = give_back(state, [{"position": 1, "quantity": 1}])
    shoes, shirts = first["customerSession"]["cartItems"]
    assert (shirts["returnedQuantity"], shirts["remainingQuantity"]) == (2, 0)
    assert (shoes["returnedQuantity"], shoes["remainingQuantity"]) == (0, 1)
    assert first["customerSession"]["state"] == "partially_returned"
    # 12.00 * 40/120 and 5.00 * 40/120, rounded half-up.
    assert rollbacks(first) == {(1, None, None): Decimal("4.00"), (3, None, None): Decimal("1.67")}
    assert total_sales(state) == Decimal("80.00")
    # The return that empties the cart takes what is left, so rollbacks add up exactly.
    last = give_back(state, [{"position": 0}])
    assert rollbacks(last) == {(1, None, None): Decimal("8.00"), (3, None, None): Decimal("3.33")}
    assert total_sales(state) == 0
    assert [r["returnedCartItems"] for r in last["previousReturns"]] == [
        [{"position": 1, "quantity": 2}],
        [{"position": 0, "quantity": 1}],
    ]
    assert last["return"]["sessionIntegrationId"] == "o1"
    assert last["return"]["profileIntegrationId"] == "frank"


FLAT_CONFIG = {
    "application": {"flattenCartItems": True},
    "campaigns": [
        {
            "id": 5,
            "name": "Sale",
            "rules": [
                {
                    "name": "r",
                    "effects": [{"type": "discountPerItem", "name": "Sale", "percent": 10}],
                }
            ],
        },
    ],
}


def test_flattened_returns_take_units_from_the_lowest_sub_position() -> None:
    state = EmulatorState(FLAT_CONFIG)
    close(state, cartItems=[item("SHIRT", "20.00", 3)])
    first = give_back(state, [{"position": 0, "quantity": 2}])
    assert rollbacks(first) == {(5, 0, 0): Decimal("2.00"), (5, 0, 1): Decimal("2.00")}
    line = first["customerSession"]["cartItems"][0]
    assert (line["returnedQuantity"], line["remainingQuantity"]) == (2, 1)
    second = give_back(state, [{"position": 0, "quantity": 1}])
    assert rollbacks(second) == {(5, 0, 2): Decimal("2.00")}
    assert total_sales(state) == 0


def test_per_item_discount_without_flattening_rolls_back_with_its_line() -> None:
    config = {"campaigns": [dict(FLAT_CONFIG["campaigns"][0])]}  # type: ignore[index]
    state = EmulatorState(config)
    close(state, cartItems=[item("A", "10.00", 2), item("B", "5.00")])
    assert rollbacks(give_back(state, [{"position": 1}])) == {(5, 1, None): Decimal("0.50")}


@pytest.mark.parametrize(
    ("entries", "pointer"),
    [
        ([{"position": 5}], "/return/returnedCartItems/0/position"),
        ([{"position": 0}, {"position": -1}], "/return/returnedCartItems/1/position"),
        ([{"position": 0}, {"position": 0}], "/return/returnedCartItems/1/position"),
    ],
)
def test_bad_positions_are_400_with_a_pointer(entries: list[dict[str, int]], pointer: str) -> None:
    state = EmulatorState()
    close(state, cartItems=[item("A", "10")])
    with pytest.raises(ApiError) as caught:
        give_back(state, entries)
    assert caught.value.status == 400
    assert caught.value.errors[0]["source"] == {"pointer": pointer}
    assert state.data["sessions"]["o1"]["state"] == "closed"


def test_returning_more_units_than_remain_is_400() -> None:
    state = EmulatorState(FLAT_CONFIG)
    close(state, cartItems=[item("A", "10", 3)])
    give_back(state, [{"position": 0, "quantity": 2}])
    with pytest.raises(ApiError) as caught:
        give_back(state, [{"position": 0, "quantity": 2}])
    assert caught.value.errors[0]["source"] == {"pointer": "/return/returnedCartItems/0/quantity"}


@pytest.mark.parametrize("session_state", ["open", "cancelled"])
def test_only_closed_sessions_accept_returns(session_state: str) -> None:
    state = EmulatorState()
    close(state, cartItems=[item("A", "10")], state="open")
    if session_state == "cancelled":
        close(state, state="cancelled")
    with pytest.raises(ApiError) as caught:
        give_back(state, [{"position": 0}])
    assert caught.value.status == 400
    assert session_state in caught.value.message


def test_unknown_session_is_400() -> None:
    """ReturnCartItems declares 400 and 401 only: an unknown session is a 400."""
    with pytest.raises(ApiError) as caught:
        give_back(EmulatorState(), [{"position": 0}], session_id="nope")
    assert caught.value.status == 400


def test_idempotency_key_replays_within_24_hours_only() -> None:
    clock = Clock()
    state = EmulatorState(FLAT_CONFIG, clock=clock)
    close(state, cartItems=[item("A", "10", 3)])
    first = give_back(state, [{"position": 0, "quantity": 1}], key="refund-1")
    clock.now += timedelta(hours=23)
    assert give_back(state, [{"position": 0, "quantity": 1}], key="refund-1") == first
    assert state.data["sessions"]["o1"]["cartItems"][0]["returnedQuantity"] == 1
    clock.now += timedelta(hours=2)
    later = give_back(state, [{"position": 0, "quantity": 1}], key="refund-1")
    assert later["customerSession"]["cartItems"][0]["returnedQuantity"] == 2


def test_dry_return_changes_nothing_and_stores_no_key() -> None:
    state = EmulatorState()
    close(state, couponCodes=["WELCOME10"], cartItems=[item("A", "10")])
    before = state.to_dict()
    reply = give_back(state, [{"position": 0}], dry=True, key="k")
    assert reply["customerSession"]["state"] == "partially_returned"
    assert state.to_dict() == before


def test_cancel_after_partial_return_rolls_back_only_the_rest() -> None:
    state = EmulatorState()
    close(state, couponCodes=["WELCOME10"], cartItems=[item("A", "60.00"), item("B", "40.00")])
    give_back(state, [{"position": 0}])
    cancelled = close(state, state="cancelled")
    assert rollbacks(cancelled) == {
        (1, None, None): Decimal("4.00"),
        (3, None, None): Decimal("2.00"),
    }
    assert [e["effectType"] for e in cancelled["effects"]].count("rollbackCoupon") == 1
    profile = state.data["profiles"]["frank"]
    assert (profile["closedSessions"], profile["totalSales"]) == (0, 0)


def test_cancel_may_resend_the_full_snapshot_after_a_return() -> None:
    state = EmulatorState()
    cart = [item("A", "60.00"), item("B", "40.00")]
    close(state, cartItems=cart)
    give_back(state, [{"position": 0}])
    cancelled = close(state, state="cancelled", cartItems=cart)
    assert {e["effectType"] for e in cancelled["effects"]} == {"rollbackDiscount"}
    with pytest.raises(ApiError):
        close(state, "o1", state="cancelled", cartItems=[item("A", "1.00")])


def test_an_item_can_be_returned_by_its_sku() -> None:
    state = EmulatorState()
    close(state, cartItems=[item("A", "10"), item("B", "20"), item("B", "30")])
    reply = give_back(state, [{"sku": "B"}], key="k-sku-1")
    lines = state.data["sessions"]["o1"]["cartItems"]
    assert [line.get("returnedQuantity", 0) for line in lines] == [0, 1, 0]
    give_back(state, [{"sku": "B"}], key="k-sku-2")  # the next line with that sku
    assert [line.get("returnedQuantity", 0) for line in lines] == [0, 1, 1]
    assert reply["customerSession"]["state"] == "partially_returned"


@pytest.mark.parametrize(
    ("entry", "pointer"),
    [
        ({"position": 0, "sku": "B"}, "/return/returnedCartItems/0/sku"),
        ({"sku": "Z"}, "/return/returnedCartItems/0/sku"),
        ({}, "/return/returnedCartItems/0"),
    ],
)
def test_a_sku_that_does_not_match_or_no_item_at_all_is_400(
    entry: dict[str, Any], pointer: str
) -> None:
    state = EmulatorState()
    close(state, cartItems=[item("A", "10"), item("B", "20")])
    with pytest.raises(ApiError) as caught:
        give_back(state, [entry])
    assert caught.value.status == 400
    assert caught.value.errors[0]["source"] == {"pointer": pointer}


def test_a_return_by_sku_over_http() -> None:
    from django_talonone.emulator import Emulator

    emulator = Emulator()
    with emulator.client() as client:
        client.update_customer_session_v2(
            "o2",
            {
                "customerSession": {
                    "state": "closed",
                    "cartItems": [item("A", "10"), item("B", "5")],
                }
            },
        )
        body = {
            "return": {"returnedCartItems": [{"sku": "B"}]},
            "responseContent": ["customerSession"],
        }
        reply = client.return_cart_items("o2", body)
    assert [i.get("returnedQuantity", 0) for i in reply["customerSession"]["cartItems"]] == [0, 1]


def test_a_flattened_cart_of_more_than_10000_units_is_refused_before_anything_is_kept() -> None:
    state = EmulatorState(FLAT_CONFIG)
    with pytest.raises(ApiError) as refused:
        close(state, cartItems=[item("PIN", "0.10", 9_000), item("CLIP", "0.05", 1_001)])
    assert refused.value.status == 400
    assert "10001 units" in refused.value.message
    assert refused.value.errors[0]["source"] == {"pointer": "/customerSession/cartItems"}
    assert "o1" not in state.data["sessions"]
    close(state, cartItems=[item("PIN", "0.10", 9_000), item("CLIP", "0.05", 1_000)])
    assert state.data["sessions"]["o1"]["state"] == "closed"


def test_without_flattening_a_cart_may_hold_more_than_10000_units() -> None:
    state = EmulatorState({"campaigns": []})
    close(state, cartItems=[item("PIN", "0.10", 20_000)])
    assert state.data["sessions"]["o1"]["state"] == "closed"
