"""Loyalty rollbacks on cancel and on returns (each applied once, retries included), tiers."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from django_talonone.emulator.handlers import HANDLERS
from django_talonone.emulator.routing import Request

from .rewards_world import (
    FIXED,
    PROGRAM,
    SPEND,
    balances,
    campaign,
    give_back,
    ledger,
    of_type,
    put,
    world,
)
from .rewards_world import item as line

CART = [line("MUG", "12.50", 2), line("TEA", "4.50", category="drinks")]
PER_MUG = {
    "type": "addLoyaltyPointsPerItem",
    "programId": 7,
    "name": "Mug points",
    "points": 3,
    "skus": ["MUG"],
}
PER_DRINK = {
    "type": "addLoyaltyPointsPerItem",
    "programId": 7,
    "name": "Drink points",
    "perItemTotal": 2,
    "categories": ["drinks"],
}


def _earned_and_spent() -> Any:
    """``ann`` has 200 active points; session ``s1`` spent 80 and earned 50 (pending)."""
    state, clock = world(campaign(1, {**FIXED, "points": 200}), campaign(2, SPEND))
    put(state, "earn", cartItems=CART, state="closed")
    clock.move(days=14)
    state.configure(
        {**state.config, "campaigns": [campaign(1, FIXED), campaign(2, SPEND)]},
    )
    put(state, "s1", cartItems=CART, attributes={"pointsToRedeem": 80}, state="closed")
    assert balances(state) == (120, 50, 0, 80)
    return state


def _session(state: Any, session_id: str) -> dict[str, Any]:
    request = Request("getCustomerSession", "GET", {"customerSessionId": session_id}, {}, {})
    reply: dict[str, Any] = HANDLERS["getCustomerSession"](state, request).body
    return reply


def test_cancel_rolls_back_added_and_deducted_points_once() -> None:
    state = _earned_and_spent()
    closed = _session(state, "s1")["effects"]
    added = next(e for e in closed if e["effectType"] == "addLoyaltyPoints")["props"]
    cancel = {"cartItems": CART, "attributes": {"pointsToRedeem": 80}, "state": "cancelled"}
    reply = put(state, "s1", **cancel)
    [gave_back] = of_type(reply, "rollbackDeductedLoyaltyPoints")
    assert (gave_back["campaignId"], gave_back["props"]["value"]) == (2, 80)
    assert gave_back["props"]["recipientIntegrationId"] == "ann"
    [took_back] = of_type(reply, "rollbackAddedLoyaltyPoints")
    props = took_back["props"]
    assert (took_back["campaignId"], props["value"], props["programId"]) == (1, 50, 7)
    assert props["transactionUUID"] != added["transactionUUID"]
    assert balances(state) == (200, 0, 0, 0)
    # the same cancel again: answered from what is stored, nothing rolled back twice
    again = put(state, "s1", **cancel)
    assert of_type(again, "rollbackAddedLoyaltyPoints") == []
    assert of_type(again, "rollbackDeductedLoyaltyPoints") == []
    assert balances(state) == (200, 0, 0, 0)
    kinds = {e["effectType"] for e in _session(state, "s1")["effects"]}
    assert not kinds & {"addLoyaltyPoints", "deductLoyaltyPoints", "setDiscount"}


def test_a_retried_close_earns_and_spends_once() -> None:
    state = _earned_and_spent()
    again = put(state, "s1", cartItems=CART, attributes={"pointsToRedeem": 80}, state="closed")
    assert [e["props"]["value"] for e in of_type(again, "addLoyaltyPoints")] == [50]
    assert balances(state) == (120, 50, 0, 80)


def test_a_cancel_retried_with_its_idempotency_key_is_applied_once() -> None:
    state = _earned_and_spent()
    cancel = {"cartItems": CART, "attributes": {"pointsToRedeem": 80}, "state": "cancelled"}
    first = put(state, "s1", key="cancel-1", **cancel)
    second = put(state, "s1", key="cancel-1", **cancel)
    assert second == first
    assert balances(state) == (200, 0, 0, 0)


def test_a_return_rolls_back_the_returned_items_points_once() -> None:
    state, _ = world(campaign(1, FIXED, PER_MUG, PER_DRINK), campaign(2, SPEND))
    put(state, "s1", cartItems=CART, state="closed")
    assert balances(state)[1] == 65  # 50 for the cart, 6 for the mugs, 9 for the tea
    reply = give_back(state, "s1", [1], key="return-1")
    rolled = sorted(
        (e["props"].get("cartItemPosition", -1), e["props"]["value"])
        for e in of_type(reply, "rollbackAddedLoyaltyPoints")
    )
    # the tea's own 9 points, and 4.50 / 29.50 of the cart's 50, half-up to cents
    assert rolled == [(-1, Decimal("7.63")), (1, Decimal(9))]
    assert balances(state)[1] == Decimal("48.37")
    assert reply["loyalty"]["programs"]["points"]["ledger"]["pendingBalance"] == Decimal("48.37")
    assert give_back(state, "s1", [1], key="return-1") == reply
    assert balances(state)[1] == Decimal("48.37")
    last = give_back(state, "s1", [0])
    rolled = sorted(
        (e["props"].get("cartItemPosition", -1), e["props"]["value"])
        for e in of_type(last, "rollbackAddedLoyaltyPoints")
    )
    assert rolled == [(-1, Decimal("42.37")), (0, Decimal(6))]  # the cart's rest, the mugs'
    assert balances(state)[1] == 0
    effects = _session(state, "s1")["effects"]
    assert of_type({"effects": effects}, "addLoyaltyPoints") == []


def test_a_return_keeps_spent_points_spent_and_a_later_cancel_rolls_back_the_rest() -> None:
    state = _earned_and_spent()
    give_back(state, "s1", [1])
    assert balances(state) == (120, Decimal("42.37"), 0, 80)
    reply = put(state, "s1", state="cancelled")
    assert [e["props"]["value"] for e in of_type(reply, "rollbackAddedLoyaltyPoints")] == [
        Decimal("42.37")
    ]
    assert balances(state) == (200, 0, 0, 0)


def test_rolling_back_points_already_spent_leaves_a_negative_balance() -> None:
    at_once = {**copy.deepcopy(PROGRAM), "pendingDays": 0}
    state, _ = world(campaign(1, FIXED), campaign(2, SPEND), programs=[at_once])
    put(state, "earn", cartItems=CART, state="closed")
    put(state, "spend", cartItems=CART, attributes={"pointsToRedeem": 50}, state="closed")
    put(state, "earn", state="cancelled")
    info = ledger(state)
    assert (info["currentBalance"], info["negativeBalance"], info["spentBalance"]) == (50, 50, 50)


def test_tiers_are_reached_on_earned_points_with_a_tier_change_effect() -> None:
    state, clock = world(campaign(1, {**FIXED, "points": 120}), campaign(2, SPEND))
    first = put(state, "s1", cartItems=CART, state="closed")
    [change] = of_type(first, "changeLoyaltyTierLevel")
    assert (change["campaignId"], change["props"]["ruleTitle"]) == (1, "rule of 1")
    assert change["props"]["newTierName"] == "Silver"
    assert "previousTierName" not in change["props"]
    info = ledger(state)
    assert info["currentTier"] == {"id": 7001, "name": "Silver"}
    assert (info["nextTierName"], info["pointsToNextTier"]) == ("Gold", 180)
    clock.move(days=14)
    spend = {"cartItems": CART, "attributes": {"pointsToRedeem": 100}, "state": "closed"}
    second = put(state, "s2", **spend)  # 240 earned: still Silver, spending lowers nothing
    assert of_type(second, "changeLoyaltyTierLevel") == []
    third = put(state, "s3", cartItems=CART, state="closed")
    [change] = of_type(third, "changeLoyaltyTierLevel")
    assert (change["props"]["previousTierName"], change["props"]["newTierName"]) == (
        "Silver",
        "Gold",
    )
    assert ledger(state)["currentTier"]["name"] == "Gold"
    assert "nextTierName" not in ledger(state)
    put(state, "s3", state="cancelled")  # a rollback can take the tier back down
    assert ledger(state)["currentTier"]["name"] == "Silver"
