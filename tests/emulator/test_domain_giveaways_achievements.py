"""Giveaways (pools, codes handed out on close, the inventory) and achievements."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django_talonone.emulator.persistence import load_state, save_state

from .rewards_world import campaign, inventory, item, of_type, put, world

CART = [item("MUG", "12.50", 2)]
POOL = {"id": 4, "name": "Gift cards", "codes": ["GIFT-0001", "GIFT-0002"]}
AWARD = {"type": "awardGiveaway", "poolId": 4}
COFFEE = {
    "id": 9,
    "name": "ThreeOrders",
    "title": "Three orders",
    "description": "Order three times",
    "target": 3,
}
PROGRESS = {"type": "increaseAchievementProgress", "achievementId": 9, "delta": 1}


def _giveaway_world() -> Any:
    return world(campaign(1, AWARD), giveawayPools=[POOL])[0]


def test_an_open_session_announces_a_giveaway_and_closing_awards_a_code() -> None:
    state = _giveaway_world()
    opened = put(state, "s1", cartItems=CART, content=["awardedGiveaways"])
    [announced] = of_type(opened, "willAwardGiveaway")
    assert announced["props"] == {
        "poolId": 4,
        "poolName": "Gift cards",
        "recipientIntegrationId": "ann",
    }
    assert opened["awardedGiveaways"] == []
    closed = put(state, "s1", state="closed", content=["awardedGiveaways"])
    assert of_type(closed, "willAwardGiveaway") == []
    [award] = of_type(closed, "awardGiveaway")
    assert award["props"] == {
        "poolId": 4,
        "poolName": "Gift cards",
        "recipientIntegrationId": "ann",
        "giveawayId": 1,
        "code": "GIFT-0001",
    }
    [given] = closed["awardedGiveaways"]
    assert (given["id"], given["code"], given["poolId"]) == (1, "GIFT-0001", 4)
    assert given["profileIntegrationId"] == "ann"
    assert inventory(state)["giveaways"] == [given]
    # a retried close awards nothing new
    again = put(state, "s1", state="closed", content=["awardedGiveaways"])
    assert again["awardedGiveaways"] == [given]
    assert len(inventory(state)["giveaways"]) == 1


def test_each_close_takes_the_next_code_until_the_pool_is_empty() -> None:
    state = _giveaway_world()
    put(state, "s1", cartItems=CART, state="closed")
    put(state, "s2", profileId="bob", cartItems=CART, state="closed")
    assert [g["code"] for g in inventory(state, "bob")["giveaways"]] == ["GIFT-0002"]
    empty = put(state, "s3", cartItems=CART, content=["ruleFailureReasons"])
    assert of_type(empty, "willAwardGiveaway") == []
    [failure] = empty["ruleFailureReasons"]
    assert (failure["effectIndex"], failure["details"]) == (
        0,
        "giveaway pool 4 has no code left",
    )


def test_a_cancel_keeps_the_awarded_giveaway() -> None:
    state = _giveaway_world()
    put(state, "s1", cartItems=CART, state="closed")
    reply = put(state, "s1", state="cancelled")
    assert not [e for e in reply["effects"] if "Giveaway" in e["effectType"]]
    assert [g["code"] for g in inventory(state)["giveaways"]] == ["GIFT-0001"]


def _achievement_world() -> Any:
    return world(campaign(1, PROGRESS, achievements=[COFFEE]))[0]


def test_progress_is_shown_on_updates_kept_on_close_and_completes_at_the_target() -> None:
    state = _achievement_world()
    opened = put(state, "s1", cartItems=CART)
    [progress] = of_type(opened, "increaseAchievementProgress")
    assert progress["props"] == {
        "achievementId": 9,
        "achievementName": "ThreeOrders",
        "delta": 1,
        "value": 1,
        "target": 3,
        "isJustCompleted": False,
    }
    assert inventory(state)["achievements"] == []
    closed = put(state, "s1", state="closed")
    tracker = of_type(closed, "increaseAchievementProgress")[0]["props"]["progressTrackerId"]
    [entry] = inventory(state)["achievements"]
    assert entry == {
        "achievementId": 9,
        "name": "ThreeOrders",
        "title": "Three orders",
        "description": "Order three times",
        "campaignId": 1,
        "target": 3,
        "achievementRecurrencePolicy": "no_recurrence",
        "achievementActivationPolicy": "user_action",
        "status": "inprogress",
        "progress": 1,
        "startDate": "2026-03-01T00:00:00Z",
    }
    put(state, "s2", cartItems=CART, state="closed")
    last = put(state, "s3", cartItems=CART, state="closed")
    [done] = of_type(last, "increaseAchievementProgress")
    assert (done["props"]["value"], done["props"]["isJustCompleted"]) == (3, True)
    assert done["props"]["progressTrackerId"] == tracker
    [entry] = inventory(state)["achievements"]
    assert (entry["status"], entry["progress"]) == ("completed", 3)
    assert "completionDate" in entry
    # a completed one-time achievement makes no more progress
    assert of_type(put(state, "s4", cartItems=CART), "increaseAchievementProgress") == []


def test_a_cancel_takes_progress_back_once_but_not_from_a_completed_achievement() -> None:
    state = _achievement_world()
    put(state, "s1", cartItems=CART, state="closed")
    put(state, "s2", cartItems=CART, state="closed")
    reply = put(state, "s2", state="cancelled")
    [rollback] = of_type(reply, "rollbackIncreasedAchievementProgress")
    assert (rollback["props"]["decreaseProgressBy"], rollback["props"]["currentProgress"]) == (
        1,
        1,
    )
    assert rollback["props"]["achievementName"] == "ThreeOrders"
    put(state, "s2", state="cancelled")
    assert inventory(state)["achievements"][0]["progress"] == 1
    for session_id in ("s3", "s4"):
        put(state, session_id, cartItems=CART, state="closed")
    assert inventory(state)["achievements"][0]["status"] == "completed"
    kept = put(state, "s4", state="cancelled")
    assert of_type(kept, "rollbackIncreasedAchievementProgress") == []
    assert inventory(state)["achievements"][0]["progress"] == Decimal(3)


def test_progress_on_an_achievement_a_new_config_dropped_is_kept_but_not_shown() -> None:
    state = _achievement_world()
    put(state, "s1", cartItems=CART, state="closed")
    state.configure({**state.config, "campaigns": []})
    assert inventory(state)["achievements"] == []
    assert state.data["achievements"]["ann"]["9"]["progress"] == 1


def test_ledgers_giveaways_and_progress_survive_a_restart(tmp_path: Path) -> None:
    """The state file keeps every reward exactly (decimals included)."""
    spend = {
        "type": "redeemLoyaltyPoints",
        "programId": 7,
        "name": "Points",
        "attribute": "pointsToRedeem",
        "pointValue": Decimal("0.1"),
    }
    earn = {"type": "addLoyaltyPoints", "programId": 7, "name": "A", "perCartTotal": "0.33"}
    rewards = campaign(1, earn, AWARD, PROGRESS, achievements=[COFFEE])
    state, clock = world(rewards, campaign(2, spend), giveawayPools=[POOL])
    put(state, "s1", cartItems=CART, state="closed")
    clock.move(days=14)
    put(state, "s2", cartItems=CART, attributes={"pointsToRedeem": "2.5"}, state="closed")
    before = inventory(state)
    path = tmp_path / "state.json"
    save_state(state, path)
    restored = load_state(path, clock=clock)
    assert restored is not None
    assert inventory(restored) == before
    assert before["loyalty"]["programs"]["points"]["ledger"]["currentBalance"] == Decimal("5.75")
    clock.move(days=14)
    points = inventory(restored)["loyalty"]["programs"]["points"]["ledger"]
    assert (points["currentBalance"], points["pendingBalance"]) == (Decimal("14.00"), 0)
