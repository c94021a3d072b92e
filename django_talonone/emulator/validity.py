"""Whether a coupon or referral code may be used in a session, and if not, why.

The checks run in the order Talon.One reports them - existence, campaign running, dates,
recipient, profile, usage limits - so a code failing several tests gets the reason a
shop would see from the real service. The rule conditions (``...RejectedByCondition``)
are the engine's business, not this module's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .clock import parse_timestamp
from .state import EmulatorState


def coupon_usage(state: EmulatorState, code: str) -> dict[str, Any]:
    """The mutable usage record of a configured coupon (created on first use)."""
    usage: dict[str, Any] = state.data["couponUsage"].setdefault(
        code, {"usageCounter": 0, "profiles": {}, "reservations": []}
    )
    return usage


def campaign_usage(state: EmulatorState, campaign_id: int) -> dict[str, Any]:
    """Redemptions counted against a campaign's limits (total and per profile)."""
    usage: dict[str, Any] = state.data["campaignUsage"].setdefault(
        str(campaign_id), {"total": 0, "profiles": {}}
    )
    return usage


def _campaign_limit_reason(
    state: EmulatorState, campaign: Mapping[str, Any], profile_id: str
) -> str | None:
    limits = campaign["limits"]
    usage = campaign_usage(state, campaign["id"])
    if limits["redemptions"] and usage["total"] >= limits["redemptions"]:
        return "CampaignLimitReached"
    per_profile = limits["perProfileRedemptions"]
    if per_profile and profile_id and usage["profiles"].get(profile_id, 0) >= per_profile:
        return "ProfileLimitReached"
    return None


def _date_reason(state: EmulatorState, start: str | None, expiry: str | None) -> str | None:
    now = state.now()
    if start is not None and now < parse_timestamp(start):
        return "StartDateInFuture"
    if expiry is not None and now >= parse_timestamp(expiry):
        return "Expired"
    return None


def coupon_rejection(state: EmulatorState, code: str, profile_id: str) -> str | None:
    """The ``rejectionReason`` for ``code`` in a session of ``profile_id`` (``""`` = guest)."""
    found = state.coupon(code)
    if found is None:
        return "CouponNotFound"
    campaign, coupon, _ = found
    if not state.campaign_running(campaign):
        return "CouponPartOfNotRunningCampaign"
    dates = _date_reason(state, coupon["startDate"], coupon["expiryDate"])
    if dates is not None:
        return f"Coupon{dates}"
    recipient = coupon["recipientIntegrationId"]
    if recipient is not None and recipient != profile_id:
        return "CouponRecipientDoesNotMatch"
    needs_profile = (
        coupon["perProfileLimit"]
        or coupon["reservationRequired"]
        or campaign["limits"]["perProfileRedemptions"]
    )
    if needs_profile and not profile_id:
        return "ProfileRequired"
    usage = coupon_usage(state, code)
    if coupon["reservationRequired"] and profile_id not in usage["reservations"]:
        return "CouponReservationRequired"
    if coupon["usageLimit"] and usage["usageCounter"] >= coupon["usageLimit"]:
        return "CouponLimitReached"
    limit_reason = _campaign_limit_reason(state, campaign, profile_id)
    if limit_reason is not None:
        return limit_reason
    per_profile = coupon["perProfileLimit"]
    if per_profile and usage["profiles"].get(profile_id, 0) >= per_profile:
        return "ProfileLimitReached"
    return None


def referral_rejection(state: EmulatorState, code: str, profile_id: str) -> str | None:
    """The ``rejectionReason`` for referral ``code`` used by the friend ``profile_id``."""
    referral = state.data["referrals"].get(code)
    if referral is None:
        return "ReferralNotFound"
    campaign = state.campaign(referral["campaignId"])
    if campaign is None or not state.campaign_running(campaign):
        return "ReferralPartOfNotRunningCampaign"
    dates = _date_reason(state, referral.get("startDate"), referral.get("expiryDate"))
    if dates is not None:
        return f"Referral{dates}"
    if profile_id and profile_id == referral["advocateProfileIntegrationId"]:
        return "ReferralRecipientIdSameAsAdvocate"
    friend = referral.get("friendProfileIntegrationId")
    if not profile_id or (friend and friend != profile_id):
        return "ReferralRecipientDoesNotMatch"
    if referral["usageLimit"] and referral["usageCounter"] >= referral["usageLimit"]:
        return "ReferralLimitReached"
    return _campaign_limit_reason(state, campaign, profile_id)
