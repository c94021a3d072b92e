"""Render stored records as the API's response objects.

Stored records keep only what the emulator needs; these functions add the fields
today's API marks required (``id``, ``updateCount``, ``lastActivity`` ...) and derive the
computed ones (positions, remaining quantities, totals, inventory coupon state), so every
response parses with the official SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .clock import parse_timestamp
from .money import ZERO, line_total, to_decimal
from .state import EmulatorState


def profile_view(state: EmulatorState, profile: Mapping[str, Any]) -> dict[str, Any]:
    """CustomerProfile, with memberships resolved to ``{id, name}``."""
    audiences = state.data["audiences"]
    memberships = [
        {"id": audience_id, "name": audiences[str(audience_id)]["name"]}
        for audience_id in profile["audienceIds"]
        if str(audience_id) in audiences
    ]
    return {
        "id": profile["id"],
        "created": profile["created"],
        "integrationId": profile["integrationId"],
        "attributes": dict(profile["attributes"]),
        "accountId": state.application["accountId"],
        "closedSessions": profile["closedSessions"],
        "totalSales": profile["totalSales"],
        "audienceMemberships": memberships,
        "lastActivity": profile["lastActivity"],
    }


def cart_item_view(item: Mapping[str, Any], position: int) -> dict[str, Any]:
    view = {key: value for key, value in item.items() if key != "returnedQuantity"}
    returned = int(item.get("returnedQuantity", 0))
    view["position"] = position
    view["returnedQuantity"] = returned
    view["remainingQuantity"] = int(item["quantity"]) - returned
    return view


def session_view(session: Mapping[str, Any]) -> dict[str, Any]:
    """CustomerSessionV2 with totals computed before discounts."""
    items = session["cartItems"]
    item_total = sum((line_total(item) for item in items), ZERO)
    costs = session["additionalCosts"]
    cost_total = sum((to_decimal(cost.get("price")) for cost in costs.values()), ZERO)
    item_cost_total = sum((_item_costs(item) for item in items), ZERO)
    return {
        "id": session["id"],
        "integrationId": session["integrationId"],
        "created": session["created"],
        "updated": session["updated"],
        "updateCount": session["updateCount"],
        "applicationId": session["applicationId"],
        "profileId": session["profileId"],
        "couponCodes": list(session["couponCodes"]),
        "referralCode": session["referralCode"],
        # the deprecated single-code fields, still required: the first code, or ""
        "coupon": session["couponCodes"][0] if session["couponCodes"] else "",
        "referral": session["referralCode"] or "",
        "loyaltyCards": list(session["loyaltyCards"]),
        "state": session["state"],
        "cartItems": [cart_item_view(item, i) for i, item in enumerate(items)],
        "additionalCosts": {name: dict(cost) for name, cost in costs.items()},
        "identifiers": list(session["identifiers"]),
        "attributes": dict(session["attributes"]),
        "firstSession": session["firstSession"],
        "total": item_total + cost_total + item_cost_total,
        "cartItemTotal": item_total,
        "additionalCostTotal": cost_total,
        "cartItemAdditionalCostTotal": item_cost_total,
    }


def _item_costs(item: Mapping[str, Any]) -> Any:
    """A line's own additional costs (per unit, like its price), times its quantity."""
    costs = item.get("additionalCosts") or {}
    unit = sum((to_decimal(cost.get("price")) for cost in costs.values()), ZERO)
    return unit * int(item["quantity"])


def coupon_view(state: EmulatorState, code: str) -> dict[str, Any]:
    """Coupon for a configured or created code (the caller checked that it exists)."""
    found = state.coupon(code)
    assert found is not None
    campaign, coupon, coupon_id = found
    usage = state.data["couponUsage"].get(code, {"usageCounter": 0, "reservations": []})
    view: dict[str, Any] = {
        "id": coupon_id,
        "created": coupon.get("created", state.configured_at),
        "campaignId": campaign["id"],
        "value": code,
        "usageLimit": coupon["usageLimit"],
        "usageCounter": usage["usageCounter"],
        "reservationCounter": len(usage["reservations"]),
        "attributes": dict(coupon["attributes"]),
        "reservation": coupon["recipientIntegrationId"] is None,
        "isReservationMandatory": coupon["reservationRequired"],
    }
    for key in ("startDate", "expiryDate", "recipientIntegrationId"):
        if coupon[key] is not None:
            view[key] = coupon[key]
    return view


def inventory_coupon_view(state: EmulatorState, code: str, profile_id: str) -> dict[str, Any]:
    """InventoryCoupon: the coupon plus this profile's redemptions and a display state."""
    view = coupon_view(state, code)
    found = state.coupon(code)
    assert found is not None
    campaign, coupon, _ = found
    usage = state.data["couponUsage"].get(code, {"profiles": {}})
    redeemed = int(usage["profiles"].get(profile_id, 0))
    view["profileRedemptionCount"] = redeemed
    now = state.now()
    limit_spent = bool(coupon["usageLimit"]) and view["usageCounter"] >= coupon["usageLimit"]
    if campaign["state"] != "enabled":
        view["state"] = "disabled"
    elif coupon["startDate"] is not None and now < parse_timestamp(coupon["startDate"]):
        view["state"] = "pending"
    elif redeemed or limit_spent:
        view["state"] = "used"
    elif coupon["expiryDate"] is not None and now >= parse_timestamp(coupon["expiryDate"]):
        view["state"] = "expired"
    else:
        view["state"] = "active"
    return view


def referral_view(referral: Mapping[str, Any]) -> dict[str, Any]:
    """Referral (the stored record minus the friends list)."""
    return {key: value for key, value in referral.items() if key != "referredCustomers"}


def inventory_referral_view(referral: Mapping[str, Any]) -> dict[str, Any]:
    view = referral_view(referral)
    view["referredCustomers"] = list(referral["referredCustomers"])
    return view


def campaign_view(state: EmulatorState, campaign: Mapping[str, Any]) -> dict[str, Any]:
    """Campaign object for ``triggeredCampaigns``."""
    features = {"coupon": ["coupons"], "referral": ["referrals"]}.get(campaign["kind"], [])
    limits = []
    if campaign["limits"]["redemptions"]:
        action = {"coupon": "redeemCoupon", "referral": "redeemReferral"}.get(
            campaign["kind"], "setDiscount"
        )
        limits.append(
            {"action": action, "limit": campaign["limits"]["redemptions"], "entities": []}
        )
    frontend = "running" if state.campaign_running(campaign) else "disabled"
    view: dict[str, Any] = {
        "id": campaign["id"],
        "created": state.configured_at,
        "applicationId": state.application["id"],
        "userId": 1,
        "name": campaign["name"],
        "description": campaign.get("description", ""),
        "state": campaign["state"],
        "activeRulesetId": campaign["id"],
        "tags": [],
        "features": features,
        "limits": limits,
        "type": "advanced",
        "frontendState": frontend,
        "storesImported": False,
        "reevaluateOnReturn": False,
    }
    for key in ("startTime", "endTime"):
        if campaign[key] is not None:
            view[key] = campaign[key]
    return view


def audience_view(state: EmulatorState, audience: Mapping[str, Any]) -> dict[str, Any]:
    view = {"accountId": state.application["accountId"]}
    view.update(audience)
    return view


def event_view(
    state: EmulatorState,
    *,
    event_type: str,
    profile_id: str,
    session_id: str | None,
    attributes: Mapping[str, Any],
    effects: list[dict[str, Any]],
) -> dict[str, Any]:
    """A new Event (events are not stored; only their ids advance)."""
    event: dict[str, Any] = {
        "id": state.next_id("event"),
        "created": state.now_text(),
        "applicationId": state.application["id"],
        "profileId": profile_id,
        "type": event_type,
        "attributes": dict(attributes),
        "effects": list(effects),
        "ledgerEntries": [],
        "meta": {},
    }
    if session_id is not None:
        event["sessionId"] = session_id
    return event
