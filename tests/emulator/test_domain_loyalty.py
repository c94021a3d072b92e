"""Loyalty programs in the emulator: the file format, earning, activation, expiry, spending."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from django_talonone.emulator.campaigns import validate_config

from .rewards_world import (
    FIXED,
    PROGRAM,
    SPEND,
    balances,
    campaign,
    config,
    inventory,
    item,
    ledger,
    of_type,
    put,
    world,
)

CART = [item("MUG", "12.50", 2), item("TEA", "4.50", quantity=1, category="drinks")]


def _broken(change: Any) -> dict[str, Any]:
    raw = copy.deepcopy(config(campaign(1, FIXED)))
    change(raw)
    return raw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["loyaltyPrograms"][0].pop("name"), "loyaltyPrograms[0].name: required"),
        (
            lambda c: c["loyaltyPrograms"][0].update(pendingDays=-1),
            "loyaltyPrograms[0].pendingDays: must be an integer >= 0",
        ),
        (
            lambda c: c["loyaltyPrograms"][0].update(colour="red"),
            "loyaltyPrograms[0].colour: unknown field",
        ),
        (
            lambda c: c["loyaltyPrograms"][0]["tiers"].reverse(),
            "loyaltyPrograms[0].tiers: minPoints must increase",
        ),
        (
            lambda c: c["campaigns"][0]["rules"][0]["effects"][0].update(programId=8),
            "campaigns[0].rules[0].effects[0].programId: no loyalty program 8",
        ),
        (
            lambda c: c["campaigns"][0]["rules"][0]["effects"][0].update(perCartTotal=1),
            "campaigns[0].rules[0].effects[0]: give exactly one of points or perCartTotal",
        ),
        (
            lambda c: c["campaigns"][0]["rules"][0]["effects"].append({**SPEND, "pointValue": 0}),
            "campaigns[0].rules[0].effects[1].pointValue: must be more than 0",
        ),
        (
            lambda c: c["campaigns"][0]["rules"][0]["effects"].append(
                {"type": "awardGiveaway", "poolId": 3}
            ),
            "campaigns[0].rules[0].effects[1].poolId: no giveaway pool 3",
        ),
        (
            lambda c: c["campaigns"][0]["rules"][0]["effects"].append(
                {"type": "increaseAchievementProgress", "achievementId": 4}
            ),
            "campaigns[0].rules[0].effects[1].achievementId: campaign 1 has no achievement 4",
        ),
        (
            lambda c: c["campaigns"][0].update(
                achievements=[{"id": 1, "name": "10 orders", "target": 10}]
            ),
            "campaigns[0].achievements[0].name: a letter, then letters, digits or _",
        ),
        (
            lambda c: c.update(giveawayPools=[{"id": 1, "name": "P", "codes": "ABC"}]),
            "giveawayPools[0].codes: must be a list of strings",
        ),
    ],
)
def test_config_errors_name_the_offending_key(change: Any, message: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        validate_config(_broken(change))


def test_fixed_points_show_on_updates_and_are_earned_only_at_close() -> None:
    state, _ = world(campaign(1, FIXED))
    opened = put(state, "s1", cartItems=CART, content=["loyalty"])
    [effect] = of_type(opened, "addLoyaltyPoints")
    props = effect["props"]
    assert (props["name"], props["programId"], props["subLedgerId"]) == ("Order points", 7, "")
    assert (props["value"], props["recipientIntegrationId"]) == (Decimal(50), "ann")
    assert props["startDate"] == "2026-03-15T00:00:00Z"  # after the 14-day return window
    assert props["expiryDate"] == "2026-06-13T00:00:00Z"  # 90 days after activation
    assert len(props["transactionUUID"]) == 36
    assert opened["loyalty"] == {"programs": {}}  # an open session earns nothing yet
    put(state, "s1", cartItems=CART)
    assert inventory(state)["loyalty"] == {"programs": {}}

    closed = put(state, "s1", state="closed", content=["loyalty"])
    assert of_type(closed, "addLoyaltyPoints")[0]["props"]["value"] == 50
    program = closed["loyalty"]["programs"]["points"]
    assert (program["id"], program["title"], program["joinDate"]) == (
        7,
        "Shop points",
        "2026-03-01T00:00:00Z",
    )
    assert balances(state) == (0, 50, 0, 0)
    assert ledger(state)["tentativeCurrentBalance"] == 0


def test_points_per_cart_total_are_rounded_to_cents() -> None:
    per_total = {**FIXED, "points": None, "perCartTotal": Decimal("0.35")}
    del per_total["points"]
    state, _ = world(campaign(1, per_total))
    reply = put(state, "s1", cartItems=CART, state="closed")
    # 0.35 per unit of the 29.50 subtotal, half-up to cents
    assert [e["props"]["value"] for e in of_type(reply, "addLoyaltyPoints")] == [Decimal("10.33")]


def test_points_per_item_follow_skus_and_categories() -> None:
    per_mug = {
        "type": "addLoyaltyPointsPerItem",
        "programId": 7,
        "name": "Mug points",
        "points": 3,
        "skus": ["MUG"],
    }
    per_drink = {
        "type": "addLoyaltyPointsPerItem",
        "programId": 7,
        "name": "Drink points",
        "perItemTotal": 2,
        "categories": ["drinks"],
    }
    state, _ = world(campaign(1, per_mug, per_drink))
    reply = put(state, "s1", cartItems=CART, state="closed")
    earned = [
        (e["props"]["name"], e["props"]["cartItemPosition"], e["props"]["value"])
        for e in of_type(reply, "addLoyaltyPoints")
    ]
    assert earned == [("Mug points", 0, 6), ("Drink points", 1, 9)]
    assert balances(state)[1] == 15


def test_points_per_item_are_per_unit_when_items_are_flattened() -> None:
    per_unit = {"type": "addLoyaltyPointsPerItem", "programId": 7, "name": "Unit", "points": 2}
    state, _ = world(campaign(1, per_unit), flatten=True)
    reply = put(state, "s1", cartItems=CART, state="closed")
    units = [
        (e["props"]["cartItemPosition"], e["props"]["cartItemSubPosition"])
        for e in of_type(reply, "addLoyaltyPoints")
    ]
    assert units == [(0, 0), (0, 1), (1, 0)]


def test_pending_points_activate_after_the_return_window_then_expire() -> None:
    state, clock = world(campaign(1, FIXED))
    put(state, "s1", cartItems=CART, state="closed")
    clock.move(days=14, seconds=-1)
    assert balances(state) == (0, 50, 0, 0)
    clock.move(seconds=1)
    assert balances(state) == (50, 0, 0, 0)
    clock.move(days=90, seconds=-1)
    assert balances(state)[0] == 50
    clock.move(seconds=1)
    assert balances(state) == (0, 0, 50, 0)


def test_points_without_a_return_window_or_expiry_are_active_at_once_forever() -> None:
    program = {**copy.deepcopy(PROGRAM), "pendingDays": 0, "expiryDays": None}
    state, clock = world(campaign(1, FIXED), programs=[program])
    reply = put(state, "s1", cartItems=CART, state="closed")
    props = of_type(reply, "addLoyaltyPoints")[0]["props"]
    assert "startDate" not in props
    assert "expiryDate" not in props
    clock.move(days=3650)
    assert balances(state) == (50, 0, 0, 0)


def _spendable(points: int) -> tuple[Any, Any]:
    """A world where ``ann`` has ``points`` active points and carts may spend them."""
    earn = {**FIXED, "points": points}
    state, clock = world(campaign(1, earn), campaign(2, SPEND))
    put(state, "earn", cartItems=CART, state="closed")
    clock.move(days=14)
    return state, clock


def test_spending_turns_an_attribute_into_a_discount_and_a_deduction() -> None:
    state, _ = _spendable(200)
    cart = {"cartItems": CART, "attributes": {"pointsToRedeem": 80}}
    opened = put(state, "s1", content=["loyalty"], **cart)
    [discount] = of_type(opened, "setDiscount")
    assert (discount["campaignId"], discount["props"]["value"]) == (2, Decimal("8.0"))
    [deduct] = of_type(opened, "deductLoyaltyPoints")
    props = deduct["props"]
    assert (props["ruleTitle"], props["name"], props["programId"]) == (
        "rule of 2",
        "Points discount",
        7,
    )
    assert props["value"] == 80
    # the open session's spending shows only in the tentative balance
    assert opened["loyalty"]["programs"]["points"]["ledger"]["currentBalance"] == 200
    assert opened["loyalty"]["programs"]["points"]["ledger"]["tentativeCurrentBalance"] == 120
    assert balances(state) == (200, 0, 0, 0)
    put(state, "s1", state="closed", **cart)
    # the closing session earned 200 more (pending); it could not spend those
    assert balances(state) == (120, 200, 0, 80)


def test_spending_more_than_the_active_balance_is_refused_with_a_reason() -> None:
    state, _ = _spendable(50)
    cart = {"cartItems": CART, "attributes": {"pointsToRedeem": "60"}}
    reply = put(state, "s1", content=["ruleFailureReasons"], **cart)
    assert of_type(reply, "deductLoyaltyPoints") == []
    assert of_type(reply, "setDiscount") == []
    [failure] = [f for f in reply["ruleFailureReasons"] if f["campaignID"] == 2]
    assert failure["effectIndex"] == 0
    assert failure["details"] == "cannot spend 60 points of loyalty program 7: 50 are active"
    put(state, "s1", state="closed", **cart)
    assert balances(state)[3] == 0


def test_pending_points_cannot_be_spent_and_a_capped_discount_spends_less() -> None:
    earn = {**FIXED, "points": 500}
    state, clock = world(campaign(1, earn), campaign(2, SPEND))
    put(state, "earn", cartItems=CART, state="closed")
    asked = {"cartItems": CART, "attributes": {"pointsToRedeem": 10}}
    early = put(state, "s1", content=["ruleFailureReasons"], **asked)
    assert "0 are active" in early["ruleFailureReasons"][0]["details"]
    clock.move(days=14)
    # 400 points are worth 40.00, but the cart is 29.50: only 295 points are used
    big = {"cartItems": CART, "attributes": {"pointsToRedeem": 400}}
    reply = put(state, "s2", state="closed", **big)
    assert of_type(reply, "setDiscount")[0]["props"]["desiredValue"] == Decimal("40.0")
    assert of_type(reply, "deductLoyaltyPoints")[0]["props"]["value"] == 295
    assert balances(state)[3] == 295


def test_spending_takes_the_points_that_expire_first() -> None:
    short = {**copy.deepcopy(PROGRAM), "pendingDays": 0, "expiryDays": 10}
    state, clock = world(campaign(1, FIXED), campaign(2, SPEND), programs=[short])
    put(state, "first", cartItems=CART, state="closed")  # 50 points, expire on day 10
    clock.move(days=5)
    put(state, "second", cartItems=CART, state="closed")  # 50 more, expire on day 15
    spend = {"cartItems": CART, "attributes": {"pointsToRedeem": 60}}
    put(state, "spend", state="closed", **spend)
    # (the spending session earned 50 more, expiring on day 15)
    clock.move(days=5)  # day 10: what is left of the first 50 expires - nothing
    assert balances(state) == (90, 0, 0, 60)
    clock.move(days=5)
    assert balances(state) == (0, 0, 90, 60)


def test_an_anonymous_session_earns_nothing_and_says_why() -> None:
    state, _ = world(campaign(1, FIXED))
    reply = put(state, "s1", profileId="", cartItems=CART, content=["ruleFailureReasons"])
    assert of_type(reply, "addLoyaltyPoints") == []
    [failure] = reply["ruleFailureReasons"]
    assert failure["details"] == "addLoyaltyPoints needs a customer profile in the session"


def test_the_documented_campaigns_files_load() -> None:
    """Every JSON example of docs/emulator-campaigns.md is a valid campaigns file."""
    page = Path(__file__).resolve().parents[2] / "docs" / "emulator-campaigns.md"
    examples = re.findall(r"```json\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    assert len(examples) == 3
    for example in examples:
        validated = validate_config(json.loads(example))
        assert validated["campaigns"]


def test_evaluating_an_open_session_writes_no_ledger() -> None:
    state, _ = world(campaign(1, FIXED), campaign(2, SPEND))
    put(state, "s1", cartItems=CART, attributes={"pointsToRedeem": 5})
    assert state.data["loyalty"] == {}
