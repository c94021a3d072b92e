"""Custom events: TrackEvent (v1, ``/v1/events``) and its successor ``/v2/events``.

The emulator's campaigns react to sessions, not to custom events, so an event's
``effects`` are always empty; what the operations do is create the profile (and, for
v1, the session) they name and answer with the shapes the real API uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import field_error
from .ledger import session_total
from .loyalty import loyalty_view
from .profiles import ensure_profile
from .routing import Request, Response
from .sessions import create_session_record
from .shapes import cart_item_view, event_view, profile_view
from .state import EmulatorState


def _v1_session(session: Mapping[str, Any]) -> dict[str, Any]:
    """The v1 CustomerSession shape (one coupon string, a discounts map)."""
    return {
        "integrationId": session["integrationId"],
        "created": session["created"],
        "applicationId": session["applicationId"],
        "profileId": session["profileId"],
        "coupon": ",".join(session["couponCodes"]),
        "referral": session["referralCode"],
        "state": session["state"],
        "cartItems": [cart_item_view(item, i) for i, item in enumerate(session["cartItems"])],
        "identifiers": list(session["identifiers"]),
        "total": session_total(session),
        "attributes": dict(session["attributes"]),
        "firstSession": session["firstSession"],
        "discounts": {},
        "updated": session["updated"],
        "updateCount": session["updateCount"],
    }


def _record(
    work: EmulatorState, body: Mapping[str, Any], profile_id: str, session_id: str | None
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """What both event operations do: touch the (created) profile, build the event."""
    profile = ensure_profile(work, profile_id) if profile_id else None
    if profile is not None:
        profile["lastActivity"] = work.now_text()
    event = event_view(
        work,
        event_type=body["type"],
        profile_id=profile_id,
        session_id=session_id,
        attributes=body.get("attributes") or {},
        effects=[],
    )
    return profile, event


def track_event(state: EmulatorState, request: Request) -> Response:
    """201 v1 IntegrationState; the session must belong to the event's profile."""
    work = state.scratch_copy() if request.query.get("dry") == "true" else state
    body = request.body
    session_id: str = body["sessionId"]
    session = work.data["sessions"].get(session_id)
    profile_id: str = body.get("profileId") or ""
    if session is not None:
        if body.get("profileId") is not None and session["profileId"] != profile_id:
            raise field_error(
                400,
                f"customer session {session_id!r} belongs to another profile",
                pointer="/profileId",
            )
        profile_id = session["profileId"]
    else:
        session = create_session_record(work, session_id, profile_id)
    profile, event = _record(work, body, profile_id, session_id)
    reply = {
        "session": _v1_session(session),
        "profile": profile_view(work, profile) if profile is not None else None,
        "event": event,
    }
    return Response(201, reply)


def track_event_v2(state: EmulatorState, request: Request) -> Response:
    """``silent`` (default yes) answers 204; ``no`` answers 200 without a session."""
    work = state.scratch_copy() if request.query.get("dry") == "true" else state
    body = request.body
    profile, event = _record(work, body, body.get("profileId") or "", None)
    if request.query.get("silent", "yes") != "no":
        return Response(204)
    reply: dict[str, Any] = {"effects": [], "createdCoupons": [], "createdReferrals": []}
    wanted = set(body.get("responseContent") or [])
    if "customerProfile" in wanted:
        reply["customerProfile"] = profile_view(work, profile) if profile else None
    if "event" in wanted:
        reply["event"] = event
    for key in ("triggeredCampaigns", "ruleFailureReasons", "awardedGiveaways"):
        if key in wanted:
            reply[key] = []
    if "loyalty" in wanted:
        reply["loyalty"] = loyalty_view(work, body.get("profileId") or "")
    return Response(200, reply)
