"""The loyalty notifications the emulator sends: points added and deducted at a close, a
cancel and a return, tier upgrades and downgrades, pending points becoming active when
its clock moves; never for an open session, a dry run, a replay or a refused call. The
shop's parser reads every body."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import simplejson

from django_talonone.emulator import Emulator
from django_talonone.emulator.campaigns import validate_config
from django_talonone.emulator.notifier import Notifier, Target
from django_talonone.notification_types import kind_of, parse_points, parse_tiers

from .notify_world import World
from .rewards_world import FIXED, PROGRAM, SPEND, campaign, config, item

CART = [item("MUG", "12.50", 2), item("TEA", "4.50")]
ACTIVE_AT_ONCE = {**copy.deepcopy(PROGRAM), "pendingDays": 0, "expiryDays": None, "tiers": []}


def points_of(body: dict[str, Any]) -> list[tuple[str, str, Decimal, str | None]]:
    """What the shop reads from a points notification: (change, profile, amount, reason)."""
    return [(c.change, c.profile_id, c.amount, c.reason) for c in parse_points(kind_of(body), body)]


def test_a_close_announces_the_pending_points_it_earns_and_nothing_before() -> None:
    world = World(config(campaign(1, FIXED)))
    world.put("s1", cartItems=CART)
    world.put("s1", cartItems=CART, attributes={"note": "still shopping"})
    assert world.sent() == []
    closed = world.put("s1", state="closed")
    [effect] = [e for e in closed["effects"] if e["effectType"] == "addLoyaltyPoints"]
    [body] = world.sent()
    assert body == {
        "NotificationType": "LoyaltyPointsAdded",
        "ProfileIntegrationID": "ann",
        "LoyaltyProgramID": 7,
        "SubledgerID": "",
        "Amount": Decimal(50),
        "Reason": "Order points",
        "TypeOfChange": "rule_engine",
        "Operation": "addition",
        "SessionIntegrationID": "s1",
        "TransactionUUID": effect["props"]["transactionUUID"],
        "StartDate": "2026-03-15T00:00:00Z",
        "ExpiryDate": "2026-06-13T00:00:00Z",
    }
    [change] = parse_points(kind_of(body), body)
    assert (change.change, change.amount, change.program_id) == ("added", Decimal(50), 7)
    assert change.starts_at is not None
    assert change.starts_at.isoformat().startswith("2026-03-15")


def test_spending_is_deducted_and_a_cancel_rolls_both_ways_back() -> None:
    world = World(config(campaign(1, FIXED), campaign(2, SPEND), programs=[ACTIVE_AT_ONCE]))
    world.put("s1", cartItems=CART, state="closed")
    assert points_of(world.take()[0]) == [("added", "ann", Decimal(50), "Order points")]
    world.put("s2", cartItems=CART, attributes={"pointsToRedeem": 30}, state="closed")
    spent, earned = world.take()
    assert points_of(spent) == [("deducted", "ann", Decimal(30), "Points discount")]
    assert spent["Operation"] == "subtraction"
    assert points_of(earned) == [("added", "ann", Decimal(50), "Order points")]

    world.put("s2", state="cancelled")
    taken_back, given_back = world.take()
    assert points_of(taken_back) == [("deducted", "ann", Decimal(50), "Session cancelled")]
    assert points_of(given_back) == [("added", "ann", Decimal(30), "Session cancelled")]
    # The rollbacks are their own ledger transactions.
    assert taken_back["TransactionUUID"] != earned["TransactionUUID"]
    world.put("s2", state="cancelled")  # a retried cancel changes nothing, announces nothing
    assert world.take() == []


def test_a_return_takes_back_the_points_of_the_returned_line_once() -> None:
    per_item = {"type": "addLoyaltyPointsPerItem", "programId": 7, "name": "Item points"}
    world = World(config(campaign(1, {**per_item, "points": 5})))
    world.put("s1", cartItems=CART, state="closed")
    assert [points_of(body)[0][2] for body in world.take()] == [Decimal(10), Decimal(5)]
    world.give_back("s1", [1], key="return-1")
    world.give_back("s1", [1], key="return-1")  # retried with its key: answered from memory
    [body] = world.take()
    assert points_of(body) == [("deducted", "ann", Decimal(5), "Items returned")]


def test_tiers_are_announced_when_they_change_and_only_then() -> None:
    big = {**FIXED, "points": 150}
    world = World(config(campaign(1, big)))
    world.put("s1", cartItems=CART, state="closed")
    added, upgrade = world.take()
    assert added["NotificationType"] == "LoyaltyPointsAdded"
    assert upgrade["NotificationType"] == "TierUpgrade"
    assert upgrade["TotalResultSize"] == 1
    [change] = parse_tiers(kind_of(upgrade), upgrade)
    assert (change.direction, change.current_tier, change.old_tier, change.next_tier) == (
        "upgrade",
        "Silver",
        None,
        "Gold",
    )
    assert (change.current_points, change.points_required) == (Decimal(150), Decimal(150))
    assert change.changed_at is not None

    world.put("s2", cartItems=CART, state="closed")  # 300 points: Gold
    assert world.kinds() == ["LoyaltyPointsAdded", "TierUpgrade"]
    gold = world.take()[1]
    [change] = parse_tiers(kind_of(gold), gold)
    assert (change.current_tier, change.old_tier, change.next_tier) == ("Gold", "Silver", None)
    world.put("s3", cartItems=CART, state="closed")  # 450: still Gold, no tier notification
    assert world.kinds() == ["LoyaltyPointsAdded"]
    world.take()

    world.put("s3", state="cancelled")
    world.put("s2", state="cancelled")  # back to 150: Silver
    kinds = world.kinds()
    assert kinds == ["LoyaltyPointsDeducted", "LoyaltyPointsDeducted", "TierDowngrade"]
    [down] = parse_tiers(kind_of(world.sent()[2]), world.sent()[2])
    assert (down.direction, down.current_tier, down.old_tier) == ("downgrade", "Silver", "Gold")
    assert down.next_tier is None
    assert down.current_points == Decimal(150)


def test_moving_the_clock_past_the_activation_date_announces_the_points() -> None:
    world = World(config(campaign(1, FIXED)))
    world.put("s1", cartItems=CART, state="closed")
    world.clock.move(days=1)
    world.put("s2", cartItems=CART, state="closed")
    world.put("s2", state="cancelled")  # rolled back: nothing of it becomes active
    world.take()
    assert world.emulator.move_clock(days=13) != []
    [body] = world.take()
    assert body["NotificationType"] == "LoyaltyPointsPendingToActive"
    assert body["TotalResultSize"] == 1
    [entry] = body["Data"]
    assert entry == {
        "LoyaltyProgramID": 7,
        "SubledgerID": "",
        "CustomerProfileID": "ann",
        "Points": Decimal(50),
        "ActiveOn": "2026-03-15T00:00:00Z",
        "ExpireOn": "2026-06-13T00:00:00Z",
        "SessionIntegrationID": "s1",
    }
    assert points_of(body) == [("pending", "ann", Decimal(50), None)]
    assert world.emulator.move_clock(days=1) == []  # already active: not announced again
    assert world.take() == []


def test_the_clock_control_endpoint_moves_time_forward_only() -> None:
    world = World(config(campaign(1, FIXED)))
    world.put("s1", cartItems=CART, state="closed")
    world.take()
    base = "/_emulator/clock"
    assert world.call("GET", base).json() == {"now": "2026-03-01T00:00:00Z", "offsetSeconds": 0}
    moved = world.call("PUT", base, {"advanceDays": 14})
    assert moved.status_code == 200
    assert (moved.json()["now"], len(moved.json()["uuids"])) == ("2026-03-15T00:00:00Z", 1)
    assert world.kinds() == ["LoyaltyPointsPendingToActive"]
    later = world.call("PUT", base, {"now": "2026-03-16T00:00:00Z"}).json()
    assert (later["offsetSeconds"], later["uuids"]) == (15 * 86400, [])
    assert world.call("PUT", base, {"advanceSeconds": 60}).json()["now"] == "2026-03-16T00:01:00Z"
    back = world.call("PUT", base, {"now": "2026-03-01T00:00:00Z"})
    assert (back.status_code, back.json()["message"]) == (400, "the clock only moves forward")
    for bad in ({}, {"advanceDays": 1, "now": "2026-04-01T00:00:00Z"}, {"advanceDays": "1"}):
        assert world.call("PUT", base, bad).status_code == 400
    world.emulator.reset()  # a fresh state starts from the clock's own time again
    assert world.call("GET", base).json()["offsetSeconds"] == 0


def test_dry_runs_replays_and_refused_calls_announce_nothing() -> None:
    world = World(config(campaign(1, {**FIXED, "points": 150})))
    world.put("s1", cartItems=CART, state="closed", query="?dry=true")
    assert world.sent() == []
    world.put("s1", cartItems=CART, state="closed", key="close-1")
    world.take()
    world.put("s1", cartItems=CART, state="closed", key="close-1")  # from memory
    world.put("s1", cartItems=CART, state="closed")  # an idempotent replay of a closed session
    refused = world.call("PUT", "/v2/customer_sessions/s1", {"customerSession": {"state": "open"}})
    assert refused.status_code == 400
    assert world.sent() == []


def test_targets_receive_only_the_kinds_they_want() -> None:
    world = World(config(campaign(1, {**FIXED, "points": 150})), kinds=frozenset({"TierUpgrade"}))
    world.put("s1", cartItems=CART, state="closed")
    assert world.kinds() == ["TierUpgrade"]
    [entry] = world.emulator.notifier.sent()
    assert simplejson.loads(simplejson.dumps(entry["body"]))["Data"][0]["CurrentTier"] == "Silver"


@pytest.mark.parametrize("state", ["closed", "open"])
def test_an_anonymous_session_announces_nothing(state: str) -> None:
    world = World(config(campaign(1, FIXED)))
    world.put("s1", cartItems=CART, state=state, profileId="")
    assert world.sent() == []


def test_a_return_that_takes_the_tier_away_announces_the_downgrade() -> None:
    world = World(config(campaign(1, {**FIXED, "points": 150})))
    world.put("s1", cartItems=CART, state="closed")
    assert world.kinds() == ["LoyaltyPointsAdded", "TierUpgrade"]
    world.take()
    world.give_back("s1", [0], key="return-mugs")  # 25.00 of 29.50: 127.12 points back
    taken, down = world.take()
    assert points_of(taken) == [("deducted", "ann", Decimal("127.12"), "Items returned")]
    [change] = parse_tiers(kind_of(down), down)
    assert (change.direction, change.current_tier, change.old_tier) == ("downgrade", None, "Silver")
    assert change.current_points == Decimal("22.88")


def test_notifications_leave_once_the_change_is_saved(tmp_path: Path) -> None:
    """The shop may call back the moment it hears: the state file already holds the change."""
    state_file = tmp_path / "state.json"
    seen: list[Any] = []

    def post(url: str, headers: Mapping[str, str], body: bytes) -> int:
        saved = simplejson.loads(state_file.read_text(encoding="utf-8"))
        seen.append(saved["data"]["loyalty"]["ann"]["7"]["earned"][0]["points"])
        return 200

    notifier = Notifier([Target(url="http://shop.test/")], post=post, schedule=())
    emulator = Emulator(config=config(campaign(1, FIXED)), state_file=state_file, notifier=notifier)
    body = {"customerSession": {"profileId": "ann", "state": "closed", "cartItems": []}}
    reply = emulator.session().put(
        f"{emulator.base_url}/v2/customer_sessions/s1",
        json=body,
        headers={"Authorization": f"ApiKey-v1 {emulator.api_key}"},
        timeout=5,
    )
    assert reply.status_code == 200
    assert notifier.wait()
    assert seen == [50]


def test_expiry_reminders_go_out_the_configured_days_ahead() -> None:
    program = {**ACTIVE_AT_ONCE, "expiryDays": 30, "expiryNoticeDays": [1, 7]}
    world = World(config(campaign(1, FIXED), programs=[program]))
    world.put("s1", cartItems=CART, state="closed")  # 50 points expiring on 31 March
    world.clock.move(days=1)
    world.put("s2", cartItems=CART, state="closed")  # 50 more, expiring on 1 April
    world.take()

    def reminded(**delta: float) -> list[tuple[str, Decimal]]:
        world.emulator.move_clock(**delta)
        bodies = world.take()
        for body in bodies:
            assert body["NotificationType"] == "LoyaltyPointsExpiring"
            assert [c.change for c in parse_points(kind_of(body), body)] == ["expiring"]
        return [(e["ExpiryDate"], e["AmountOfExpiringPoints"]) for b in bodies for e in b["Data"]]

    assert reminded(days=22) == [("2026-03-31", Decimal(50))]  # 24 March: a week ahead
    assert reminded(days=1) == [("2026-04-01", Decimal(50))]
    assert reminded(days=1) == []
    assert reminded(days=4) == [("2026-03-31", Decimal(50))]  # 30 March: a day ahead
    assert reminded(days=1) == [("2026-04-01", Decimal(50))]  # the first ones expired
    assert reminded(days=60) == []


def test_expiry_reminders_are_three_different_days_at_most() -> None:
    program = {**ACTIVE_AT_ONCE, "expiryDays": 30, "expiryNoticeDays": [1, 1]}
    with pytest.raises(ValueError, match="expiryNoticeDays: at most three different"):
        validate_config(config(campaign(1, FIXED), programs=[program]))
