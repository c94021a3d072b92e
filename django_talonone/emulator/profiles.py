"""Customer profiles: creation on first sight, attribute updates, bulk sync, GDPR wipe.

Handlers here implement UpdateCustomerProfileV2, UpdateCustomerProfilesV2 and
DeleteCustomerData; :func:`ensure_profile` is what every other operation uses when a
request names a profile that does not exist yet (Talon.One creates it empty).

A profile that only an audience ``add`` created is *hidden*: Talon.One documents that it is
not visible in any Application until a session or profile update arrives for it, so until
then reading it (inventory, erasure, reserved customers) behaves as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import field_error, not_found
from .loyalty import loyalty_view
from .money import ZERO
from .routing import Request, Response
from .shapes import event_view, profile_view
from .state import EmulatorState


def ensure_profile(
    state: EmulatorState, integration_id: str, *, reveal: bool = True
) -> dict[str, Any]:
    """The stored profile, created empty when the id is new.

    ``reveal=False`` (an audience add) creates a new profile hidden and leaves an existing
    one as it is; any other request about the profile makes it visible.
    """
    profiles: dict[str, dict[str, Any]] = state.data["profiles"]
    profile = profiles.get(integration_id)
    if profile is not None:
        if reveal:
            profile.pop("hidden", None)
        return profile
    now = state.now_text()
    profile = {
        "id": state.next_id("profile"),
        "created": now,
        "integrationId": integration_id,
        "attributes": {},
        "closedSessions": 0,
        "totalSales": ZERO,
        "lastActivity": now,
        "audienceIds": [],
        "sessionCount": 0,
    }
    if not reveal:
        profile["hidden"] = True
    profiles[integration_id] = profile
    return profile


def visible_profile(state: EmulatorState, integration_id: str) -> dict[str, Any] | None:
    """The stored profile as an Application sees it: ``None`` while it is hidden."""
    profile: dict[str, Any] | None = state.data["profiles"].get(integration_id)
    return None if profile is None or profile.get("hidden") else profile


def find_profile(state: EmulatorState, integration_id: str) -> dict[str, Any]:
    """The stored profile named by the ``integrationId`` path parameter, else 404."""
    profile = visible_profile(state, integration_id)
    if profile is None:
        raise not_found("Customer profile", integration_id, parameter="integrationId")
    return profile


def _flag(request: Request, name: str, default: bool) -> bool:
    value = request.query.get(name)
    return default if value is None else value == "true"


def _apply_audience_changes(
    state: EmulatorState, profile: dict[str, Any], changes: Mapping[str, Any]
) -> None:
    """Join and leave audiences; an unknown audience id is a 400 naming the entry.

    A 400 (rather than 404) because the id sits in the body, not in the URL, and the
    whole update is refused before anything changes.
    """
    audiences = state.data["audiences"]
    for key in ("adds", "deletes"):
        for index, audience_id in enumerate(changes.get(key, [])):
            if str(audience_id) not in audiences:
                raise field_error(
                    400,
                    f"Audience {audience_id} not found",
                    pointer=f"/audiencesChanges/{key}/{index}",
                )
    members: list[int] = profile["audienceIds"]
    for audience_id in changes.get("adds", []):
        if audience_id not in members:
            members.append(audience_id)
    for audience_id in changes.get("deletes", []):
        if audience_id in members:
            members.remove(audience_id)


def update_customer_profile_v2(state: EmulatorState, request: Request) -> Response:
    """Create or update one profile; the rule engine runs only when asked."""
    run_rules = _flag(request, "runRuleEngine", False)
    dry = run_rules and _flag(request, "dry", False)
    work = state.scratch_copy() if dry else state
    body: Mapping[str, Any] = request.body or {}
    integration_id = request.path_params["integrationId"]
    is_new = visible_profile(work, integration_id) is None
    profile = ensure_profile(work, integration_id)
    if "audiencesChanges" in body:
        _apply_audience_changes(work, profile, body["audiencesChanges"])
    profile["attributes"].update(body.get("attributes") or {})
    reply: dict[str, Any] = {"effects": [], "createdCoupons": [], "createdReferrals": []}
    if run_rules:
        profile["lastActivity"] = work.now_text()
    wanted = set(body.get("responseContent") or [])
    if "customerProfile" in wanted:
        reply["customerProfile"] = profile_view(work, profile)
    if run_rules:
        if "event" in wanted:
            event_type = "talon_profile_created" if is_new else "talon_profile_updated"
            reply["event"] = event_view(
                work,
                event_type=event_type,
                profile_id=integration_id,
                session_id=None,
                attributes=body.get("attributes") or {},
                effects=[],
            )
        for key in ("triggeredCampaigns", "ruleFailureReasons", "awardedGiveaways"):
            if key in wanted:
                reply[key] = []
        if "loyalty" in wanted:
            reply["loyalty"] = loyalty_view(work, integration_id)
    return Response(200, reply)


def update_customer_profiles_v2(state: EmulatorState, request: Request) -> Response:
    """Bulk create/update; never runs rules. ``silent`` (default yes) answers 204."""
    states = []
    for entry in (request.body or {}).get("customerProfiles") or []:  # optional in the model
        profile = ensure_profile(state, entry["integrationId"])
        profile["attributes"].update(entry.get("attributes") or {})
        states.append({"customerProfile": profile_view(state, profile)})
    if request.query.get("silent", "yes") != "no":
        return Response(204)
    return Response(200, {"integrationStates": states})


def delete_customer_data(state: EmulatorState, request: Request) -> Response:
    """Wipe the attributes of a profile and of every session that references it."""
    integration_id = request.path_params["integrationId"]
    profile = find_profile(state, integration_id)
    profile["attributes"] = {}
    for session in state.data["sessions"].values():
        if session["profileId"] == integration_id:
            session["attributes"] = {}
            for item in session["cartItems"]:
                item.pop("attributes", None)
    return Response(204)
