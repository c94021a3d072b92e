"""Assemble IntegrationStateV2 replies: the always-present keys plus ``responseContent``.

Session updates and returns answer with the same shape; each ``responseContent`` value
adds its top-level key, left out when there is nothing to show (the profile of an
anonymous session, the referral of a session without a code): the schema has no ``null``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .giveaways import awarded_in
from .loyalty import loyalty_view
from .shapes import (
    campaign_view,
    coupon_view,
    event_view,
    inventory_referral_view,
    profile_view,
    session_view,
)
from .state import EmulatorState


def integration_state(
    state: EmulatorState,
    session: Mapping[str, Any],
    effects: list[dict[str, Any]],
    wanted: Iterable[str],
    *,
    event_type: str,
    triggered: Iterable[int] = (),
    failures: list[dict[str, Any]] | None = None,
    created: Iterable[str] = (),
) -> dict[str, Any]:
    """The reply for a session operation after it ran (on ``state``: real or scratch);
    ``created`` are the codes of the coupons this call created."""
    reply: dict[str, Any] = {
        "effects": effects,
        "createdCoupons": [coupon_view(state, code) for code in created],
        "createdReferrals": [],
    }
    wanted = set(wanted)
    profile_id: str = session["profileId"]
    if "customerSession" in wanted:
        reply["customerSession"] = session_view(session)
    if "customerProfile" in wanted:
        profile = state.data["profiles"].get(profile_id) if profile_id else None
        if profile:  # an anonymous session has none: left out (the schema has no null)
            reply["customerProfile"] = profile_view(state, profile)
    if "coupons" in wanted:
        codes = [c for c in dict.fromkeys(session["couponCodes"]) if state.coupon(c)]
        reply["coupons"] = [_session_coupon(state, code, profile_id) for code in codes]
    if "triggeredCampaigns" in wanted:
        campaigns = [state.campaign(cid) for cid in triggered]
        reply["triggeredCampaigns"] = [campaign_view(state, c) for c in campaigns if c]
    if "referral" in wanted:
        referral = state.data["referrals"].get(session["referralCode"] or "")
        if referral:  # a session without a referral code has none: left out
            reply["referral"] = inventory_referral_view(referral)
    if "loyalty" in wanted:
        # an open session's points and spending are not in the ledger yet: tentative only
        is_open = session["state"] == "open"
        reply["loyalty"] = loyalty_view(state, profile_id, effects if is_open else ())
    if "event" in wanted:
        reply["event"] = event_view(
            state,
            event_type=event_type,
            profile_id=profile_id,
            session_id=session["integrationId"],
            attributes=session["attributes"],
            effects=effects,
        )
    if "awardedGiveaways" in wanted:
        reply["awardedGiveaways"] = awarded_in(state, effects)
    if "ruleFailureReasons" in wanted:
        reply["ruleFailureReasons"] = list(failures or [])
    if "previousReturns" in wanted:
        reply["previousReturns"] = list(state.data["returns"].get(session["integrationId"], []))
    return reply


def _session_coupon(state: EmulatorState, code: str, profile_id: str) -> dict[str, Any]:
    """IntegrationCoupon: the coupon plus how often the session's profile redeemed it."""
    view = coupon_view(state, code)
    usage = state.data["couponUsage"].get(code, {"profiles": {}})
    view["profileRedemptionCount"] = int(usage["profiles"].get(profile_id, 0))
    return view
