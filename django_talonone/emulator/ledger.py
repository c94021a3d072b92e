"""Redeeming a closed session's codes and rolling them back.

Closing records what the session consumed (coupon and referral usages, campaign
budgets, the profile's ``closedSessions`` and ``totalSales``) in ``session["redeemed"]``
so that a later cancel undoes exactly that, even if the campaigns changed meanwhile.
Partial rollbacks from returns are tracked per effect in ``session["rolledBack"]``
(effect index -> amount already rolled back); :func:`current_effects` derives the
effects that are still in force from it. What reward effects (points, giveaways,
achievement progress) do at close and cancel lives in :mod:`.settlement`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .effects import derived_effect
from .engine import Evaluation
from .money import ZERO, line_total, to_decimal
from .profiles import ensure_profile
from .settlement import CANCELLED_REWARDS, rollback_cancel
from .state import EmulatorState
from .validity import campaign_usage, coupon_usage

DISCOUNT_EFFECTS = ("setDiscount", "setDiscountPerItem")
#: Effects a return can roll back in part: their ``value`` shrinks by what was rolled back.
REDUCIBLE_EFFECTS = (*DISCOUNT_EFFECTS, "addLoyaltyPoints")
ACCEPT_ROLLBACKS = {"acceptCoupon": "rollbackCoupon", "acceptReferral": "rollbackReferral"}


def session_total(session: Mapping[str, Any]) -> Decimal:
    """Pre-discount value of the session: cart lines plus additional costs."""
    items = sum((line_total(item) for item in session["cartItems"]), ZERO)
    costs = sum((to_decimal(c.get("price")) for c in session["additionalCosts"].values()), ZERO)
    return items + costs


def current_effects(session: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Effects still in force: rolled-back discounts and redemptions are left out."""
    effects: list[dict[str, Any]] = session["effects"]
    if session["state"] == "cancelled":
        gone = (*DISCOUNT_EFFECTS, *ACCEPT_ROLLBACKS, *CANCELLED_REWARDS)
        return [e for e in effects if e["effectType"] not in gone]
    valid = []
    for index, effect in enumerate(effects):
        rolled = to_decimal(session["rolledBack"].get(str(index)))
        if effect["effectType"] in REDUCIBLE_EFFECTS and rolled:
            remaining = to_decimal(effect["props"]["value"]) - rolled
            if remaining <= 0:
                continue
            effect = {**effect, "props": {**effect["props"], "value": remaining}}
        valid.append(effect)
    return valid


def rollback_discount(effect: Mapping[str, Any], value: Decimal) -> dict[str, Any]:
    """A ``rollbackDiscount`` effect undoing ``value`` of a discount effect."""
    props = effect["props"]
    rollback: dict[str, Any] = {"name": props["name"], "value": value}
    if effect["effectType"] == "setDiscountPerItem":
        rollback["cartItemPosition"] = props["position"]
        if "subPosition" in props:
            rollback["cartItemSubPosition"] = props["subPosition"]
        rollback["scope"] = "price"
    else:
        rollback["scope"] = props.get("scope", "sessionTotal")
    return derived_effect(effect, "rollbackDiscount", rollback)


def _bump(counts: dict[str, int], key: str, delta: int) -> None:
    counts[key] = max(0, counts.get(key, 0) + delta)


def _apply_redemption(
    state: EmulatorState, session: Mapping[str, Any], redeemed: Mapping[str, Any], delta: int
) -> None:
    """Count (``delta`` 1) or uncount (``delta`` -1) what a session redeemed."""
    profile_id: str = session["profileId"]
    for code in redeemed["coupons"]:
        usage = coupon_usage(state, code)
        usage["usageCounter"] = max(0, usage["usageCounter"] + delta)
        if profile_id:
            _bump(usage["profiles"], profile_id, delta)
            if delta > 0 and profile_id not in usage["reservations"]:
                usage["reservations"].append(profile_id)
    referral = state.data["referrals"].get(redeemed["referral"] or "")
    if referral is not None:
        referral["usageCounter"] = max(0, referral["usageCounter"] + delta)
        friends: list[str] = referral["referredCustomers"]
        if delta > 0:
            friends.append(profile_id)
        elif profile_id in friends:
            friends.remove(profile_id)
    for campaign_id in redeemed["campaigns"]:
        usage = campaign_usage(state, campaign_id)
        usage["total"] = max(0, usage["total"] + delta)
        if profile_id:
            _bump(usage["profiles"], profile_id, delta)


def redeem(state: EmulatorState, session: dict[str, Any], evaluation: Evaluation) -> None:
    """Close: consume the accepted codes and budgets, count the sale on the profile."""
    redeemed = {
        "coupons": list(evaluation.accepted_coupons),
        "referral": evaluation.accepted_referral,
        "campaigns": list(evaluation.triggered_campaigns),
    }
    _apply_redemption(state, session, redeemed, 1)
    session["redeemed"] = redeemed
    total = session_total(session)
    session["countedSales"] = total
    if session["profileId"]:
        profile = ensure_profile(state, session["profileId"])
        profile["closedSessions"] += 1
        profile["totalSales"] = to_decimal(profile["totalSales"]) + total


def uncount_sales(state: EmulatorState, session: dict[str, Any], amount: Decimal) -> None:
    """Take ``amount`` of this session's sales off its profile's ``totalSales``."""
    session["countedSales"] = to_decimal(session["countedSales"]) - amount
    if session["profileId"]:
        profile = ensure_profile(state, session["profileId"])
        profile["totalSales"] = to_decimal(profile["totalSales"]) - amount


def rollback_all(state: EmulatorState, session: dict[str, Any]) -> list[dict[str, Any]]:
    """Cancel a closed or partially returned session; returns the rollback effects."""
    rewards = rollback_cancel(state, session)
    rollbacks = []
    # Callers may already have moved the session to ``cancelled``; roll back what was live.
    for effect in current_effects({**session, "state": "closed"}):
        effect_type = effect["effectType"]
        if effect_type in DISCOUNT_EFFECTS:
            rollbacks.append(rollback_discount(effect, to_decimal(effect["props"]["value"])))
        elif effect_type in ACCEPT_ROLLBACKS:
            props = {"value": effect["props"]["value"]}
            rollbacks.append(derived_effect(effect, ACCEPT_ROLLBACKS[effect_type], props))
    for index, effect in enumerate(session["effects"]):
        if effect["effectType"] in DISCOUNT_EFFECTS:
            session["rolledBack"][str(index)] = to_decimal(effect["props"]["value"])
    if session["redeemed"] is not None:
        _apply_redemption(state, session, session["redeemed"], -1)
        session["redeemed"] = None
    if session["profileId"]:
        profile = ensure_profile(state, session["profileId"])
        profile["closedSessions"] = max(0, profile["closedSessions"] - 1)
    uncount_sales(state, session, to_decimal(session["countedSales"]))
    return rollbacks + rewards
