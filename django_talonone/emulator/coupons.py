"""Coupon reservations and the customer inventory (the shopper's wallet).

Reservations are soft, as in Talon.One v4: they put a coupon in the profile's wallet but
do not stop anyone else from redeeming it. A coupon marked ``reservationRequired`` in
the campaigns file can only be redeemed by profiles that reserved it.
"""

from __future__ import annotations

from typing import Any

from .achievements import profile_achievements
from .errors import not_found
from .giveaways import profile_giveaways
from .loyalty import loyalty_view
from .profiles import ensure_profile, find_profile, visible_profile
from .routing import Request, Response
from .shapes import (
    coupon_view,
    inventory_coupon_view,
    inventory_referral_view,
    profile_view,
)
from .state import EmulatorState
from .validity import coupon_usage


def _coupon_code(state: EmulatorState, request: Request) -> str:
    code = request.path_params["couponValue"]
    if state.coupon(code) is None:
        raise not_found("Coupon", code, parameter="couponValue")
    return code


def create_coupon_reservation(state: EmulatorState, request: Request) -> Response:
    """Reserve the coupon for each listed profile (creating missing profiles)."""
    code = _coupon_code(state, request)
    reservations: list[str] = coupon_usage(state, code)["reservations"]
    for integration_id in request.body["integrationIDs"]:
        ensure_profile(state, integration_id)
        if integration_id not in reservations:
            reservations.append(integration_id)
    return Response(201, coupon_view(state, code))


def delete_coupon_reservation(state: EmulatorState, request: Request) -> Response:
    """Drop the listed profiles' reservations; unknown ones are ignored."""
    code = _coupon_code(state, request)
    reservations: list[str] = coupon_usage(state, code)["reservations"]
    for integration_id in request.body["integrationIDs"]:
        if integration_id in reservations:
            reservations.remove(integration_id)
    return Response(204)


def get_reserved_customers(state: EmulatorState, request: Request) -> Response:
    """Profiles holding a reservation, plus the coupon's recipient if it has one."""
    code = _coupon_code(state, request)
    found = state.coupon(code)
    assert found is not None
    ids = list(coupon_usage(state, code)["reservations"])
    recipient = found[1]["recipientIntegrationId"]
    if recipient is not None and recipient not in ids:
        ids.append(recipient)
    profiles = [p for p in (visible_profile(state, i) for i in ids) if p is not None]
    data = [profile_view(state, profile) for profile in profiles]
    return Response(200, {"totalResultSize": len(data), "data": data})


def wallet_codes(state: EmulatorState, integration_id: str) -> list[str]:
    """Codes this profile reserved, redeemed, or is the recipient of: the configured
    ones, then the ones rules created (oldest first)."""
    every = [coupon for campaign in state.campaigns for coupon in campaign["coupons"]]
    every += [
        created["coupon"]
        for code, created in state.data["createdCoupons"].items()
        if state.coupon(code) is not None
    ]
    codes = []
    for coupon in every:
        usage = state.data["couponUsage"].get(coupon["code"], {})
        if (
            integration_id in usage.get("reservations", [])
            or usage.get("profiles", {}).get(integration_id)
            or coupon["recipientIntegrationId"] == integration_id
        ):
            codes.append(coupon["code"])
    return codes


def get_customer_inventory(state: EmulatorState, request: Request) -> Response:
    """The sections the query flags ask for; 404 for an unknown profile."""
    integration_id = request.path_params["integrationId"]
    profile = find_profile(state, integration_id)
    flags = {name for name, value in request.query.items() if value == "true"}
    inventory: dict[str, Any] = {}
    if "profile" in flags:
        inventory["profile"] = profile_view(state, profile)
    if "coupons" in flags:
        inventory["coupons"] = [
            inventory_coupon_view(state, code, integration_id)
            for code in wallet_codes(state, integration_id)
        ]
    if "referrals" in flags:
        inventory["referrals"] = [
            inventory_referral_view(referral)
            for referral in state.data["referrals"].values()
            if referral["advocateProfileIntegrationId"] == integration_id
        ]
    if "loyalty" in flags:
        inventory["loyalty"] = loyalty_view(state, integration_id)
    if "giveaways" in flags:
        inventory["giveaways"] = profile_giveaways(state, integration_id)
    if "achievements" in flags:
        inventory["achievements"] = profile_achievements(state, integration_id)
    return Response(200, inventory)
