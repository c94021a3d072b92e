"""Coupons a rule creates: ``couponCreated`` at the close, the coupon in the reply, the
inventory and the ``CouponCreated`` notification, and then redeemable by its recipient."""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from django_talonone.emulator import Emulator
from django_talonone.emulator.campaigns import validate_config
from django_talonone.notification_types import kind_of, parse_coupons

from .notify_world import World
from .rewards_world import item

CREATE = {"type": "createCoupon", "campaignId": 5, "prefix": "THANKS-", "expiryDays": 30}
CONFIG: dict[str, Any] = {
    "campaigns": [
        {
            "id": 1,
            "name": "Thank you",
            "rules": [{"name": "A coupon for the next order", "effects": [CREATE]}],
        },
        {
            "id": 5,
            "name": "Thank-you coupons",
            "kind": "coupon",
            "rules": [
                {
                    "name": "10% off",
                    "effects": [{"type": "discount", "name": "Thanks", "percent": 10}],
                }
            ],
        },
    ]
}
CART = [item("MUG", "20.00")]


def created(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in reply["effects"] if e["effectType"] == "couponCreated"]


def test_a_close_creates_a_coupon_for_the_profile_and_announces_it() -> None:
    world = World(copy.deepcopy(CONFIG))
    assert created(world.put("s1", cartItems=CART)) == []  # an open session creates nothing
    closed = world.put("s1", state="closed")
    [effect] = created(closed)
    code = effect["props"]["value"]
    assert re.fullmatch(r"THANKS-[0-9A-F]{8}", code)
    assert effect["props"] == {"value": code, "profileId": "ann"}
    assert (effect["campaignId"], effect["ruleName"]) == (1, "A coupon for the next order")
    [coupon] = closed["createdCoupons"]
    assert (coupon["value"], coupon["campaignId"], coupon["usageLimit"]) == (code, 5, 1)
    assert (coupon["recipientIntegrationId"], coupon["expiryDate"]) == (
        "ann",
        "2026-03-31T00:00:00Z",
    )

    [body] = world.take()
    assert (body["NotificationType"], body["TypeOfChange"]) == ("CouponCreated", "rule_engine")
    change = parse_coupons(kind_of(body), body)
    [pushed] = change.coupons
    assert (change.action, change.source) == ("created", "rule_engine")
    assert (pushed.code, pushed.campaign_id, pushed.recipient_profile_id) == (code, 5, "ann")
    assert pushed.usage_limit == 1
    assert pushed.expires_at is not None

    [wallet] = world.inventory(coupons="true")["coupons"]
    assert (wallet["value"], wallet["state"]) == (code, "active")


def test_the_created_coupon_is_redeemable_by_its_recipient_only() -> None:
    world = World(copy.deepcopy(CONFIG))
    code = created(world.put("s1", cartItems=CART, state="closed"))[0]["props"]["value"]
    stranger = world.put("s2", cartItems=CART, couponCodes=[code], profileId="bob")
    [rejected] = [e for e in stranger["effects"] if e["effectType"] == "rejectCoupon"]
    assert rejected["props"]["rejectionReason"] == "CouponRecipientDoesNotMatch"

    used = world.put("s3", cartItems=CART, couponCodes=[code], state="closed")
    kinds = [e["effectType"] for e in used["effects"]]
    assert "acceptCoupon" in kinds
    [discount] = [e for e in used["effects"] if e["effectType"] == "setDiscount"]
    assert discount["props"]["value"] == Decimal("2.00")
    wallet = {c["value"]: c["state"] for c in world.inventory(coupons="true")["coupons"]}
    assert wallet[code] == "used"
    assert len(wallet) == 2  # the second close created the next one
    again = world.put("s4", cartItems=CART, couponCodes=[code])
    [spent] = [e for e in again["effects"] if e["effectType"] == "rejectCoupon"]
    assert spent["props"]["rejectionReason"] == "CouponLimitReached"


def test_dry_runs_replays_and_cancels_create_and_remove_nothing() -> None:
    world = World(copy.deepcopy(CONFIG))
    dry = world.put("s1", cartItems=CART, state="closed", query="?dry=true")
    assert len(created(dry)) == 1  # the reply shows what a close would create ...
    assert world.emulator.state.data["createdCoupons"] == {}  # ... nothing is kept
    assert world.sent() == []
    closed = world.put("s1", cartItems=CART, state="closed")
    world.take()
    replay = world.put("s1", cartItems=CART, state="closed")
    assert created(replay) == created(closed)
    assert replay["createdCoupons"] == []  # created by the first close, not this one
    world.put("s1", state="cancelled")
    assert len(world.inventory(coupons="true")["coupons"]) == 1  # a cancel keeps it
    assert world.sent() == []


def test_an_anonymous_close_fails_the_rule_and_says_why() -> None:
    world = World(copy.deepcopy(CONFIG))
    body = {
        "customerSession": {"cartItems": CART, "state": "closed"},
        "responseContent": ["ruleFailureReasons"],
    }
    reply = world.call("PUT", "/v2/customer_sessions/s1", body).json()
    assert created(reply) == []
    [reason] = reply["ruleFailureReasons"]
    assert reason["details"] == "createCoupon needs a customer profile in the session"
    assert world.sent() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"campaignId": 1}, "effects[0].campaignId: no coupon campaign 1"),
        ({"campaignId": 9}, "effects[0].campaignId: no coupon campaign 9"),
        ({"prefix": 7}, "effects[0].prefix: must be a string of at most 90 characters"),
        ({"expiryDays": 0}, "effects[0].expiryDays: must be an integer >= 1"),
        ({"colour": "red"}, "effects[0].colour: unknown field"),
    ],
)
def test_file_errors_name_the_field(change: dict[str, Any], message: str) -> None:
    raw = copy.deepcopy(CONFIG)
    raw["campaigns"][0]["rules"][0]["effects"][0].update(change)
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_config(raw)


def test_a_created_coupon_survives_a_restart_from_the_state_file(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    first = Emulator(config=copy.deepcopy(CONFIG), state_file=state_file)
    auth = {"Authorization": f"ApiKey-v1 {first.api_key}"}
    session = {"profileId": "ann", "state": "closed", "cartItems": [{**CART[0], "price": 20}]}
    url = "/v2/customer_sessions/"
    reply = first.session().put(f"{first.base_url}{url}s1", json={"customerSession": session})
    assert reply.status_code == 401  # (no key: refused, nothing created)
    reply = first.session().put(
        f"{first.base_url}{url}s1", json={"customerSession": session}, headers=auth
    )
    [code] = [c["value"] for c in reply.json()["createdCoupons"]]
    again = Emulator(config=copy.deepcopy(CONFIG), state_file=state_file)
    opened = {**session, "state": "open", "couponCodes": [code]}
    reply = again.session().put(
        f"{again.base_url}{url}s2", json={"customerSession": opened}, headers=auth
    )
    assert "acceptCoupon" in [e["effectType"] for e in reply.json()["effects"]]
