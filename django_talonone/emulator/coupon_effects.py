"""Coupons a rule creates (the campaigns file's ``createCoupon``, Talon.One's
``couponCreated`` effect).

A ``createCoupon`` effect names the coupon campaign the new coupon belongs to. When the
session closes, the rule gives ``couponCreated`` (``{value, profileId}``); the coupon is
stored with the session's profile as its recipient (``data["createdCoupons"]``), is listed
in the reply's ``createdCoupons`` and the profile's inventory, can be redeemed like a
configured one, and a ``CouponCreated`` notification is queued. An open session gives
no ``couponCreated``: Talon.One creates the coupon when the rule runs on the close, and
the emulator never shows a code it has not created. A cancel leaves the coupon in
place, as it leaves awarded giveaways.

Codes are the effect's ``prefix`` plus eight characters derived from the session and
its update, so the same calls on a fresh state give the same codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from .clock import format_timestamp
from .effects import transaction_uuid
from .state import EmulatorState

#: Created coupons get ids from here on, clear of the campaigns file's (1, 2, ...).
CREATED_ID_BASE = 1_000_000


def new_code(state: EmulatorState, prefix: str, *seed: object) -> str:
    """A code no coupon has yet: ``prefix`` and eight characters from ``seed``."""
    attempt = 0
    while True:
        suffix = transaction_uuid(*seed, attempt).replace("-", "")[:8].upper()
        code = f"{prefix}{suffix}"
        if state.coupon(code) is None:
            return code
        attempt += 1


def specs_for(state: EmulatorState, effect: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``createCoupon`` specs of the rule ``effect`` came from, in order."""
    campaign = state.campaign(effect["campaignId"])
    rules = campaign["rules"] if campaign is not None else []
    if not 0 <= effect["ruleIndex"] < len(rules):
        return []
    return [
        spec for spec in rules[effect["ruleIndex"]]["effects"] if spec["type"] == "createCoupon"
    ]


def create(
    state: EmulatorState, effect: Mapping[str, Any], spec: Mapping[str, Any]
) -> dict[str, Any]:
    """Store the coupon a closing session's ``couponCreated`` effect names; queue
    ``CouponCreated``. Returns the stored coupon (the campaigns file's fields)."""
    props = effect["props"]
    now = state.now()
    expiry = None
    if spec["expiryDays"] is not None:
        expiry = format_timestamp(now + timedelta(days=spec["expiryDays"]))
    coupon: dict[str, Any] = {
        "code": props["value"],
        "usageLimit": spec["usageLimit"],
        "perProfileLimit": 0,
        "startDate": None,
        "expiryDate": expiry,
        "recipientIntegrationId": props["profileId"],
        "reservationRequired": False,
        "attributes": {},
        "created": format_timestamp(now),
    }
    state.data["createdCoupons"][props["value"]] = {
        "campaignId": spec["campaignId"],
        "id": CREATED_ID_BASE + state.next_id("coupon"),
        "coupon": coupon,
    }
    return coupon


def coupon_created_body(state: EmulatorState, view: Mapping[str, Any]) -> dict[str, Any]:
    """Talon.One's ``CouponCreated`` notification for one coupon the rules created."""
    return {
        "NotificationType": "CouponCreated",
        "TypeOfChange": "rule_engine",
        "Operation": "CouponCreated",
        "totalResultSize": 1,
        "data": [{**view, "ApplicationId": state.application["id"]}],
    }
