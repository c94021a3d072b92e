"""Audiences and their memberships (the six audience operations).

Audiences are stored by id; a profile lists the ids it belongs to, so renaming an
audience shows up in every member's ``audienceMemberships`` at once.
"""

from __future__ import annotations

from typing import Any

from .errors import ApiError, not_found
from .profiles import ensure_profile
from .routing import Request, Response
from .shapes import audience_view
from .state import EmulatorState

DUPLICATE_MESSAGE = "An Audience with this ID already exists for this integration."


def _audience(state: EmulatorState, request: Request) -> dict[str, Any]:
    raw = request.path_params["audienceId"]
    audience: dict[str, Any] | None = state.data["audiences"].get(str(raw).strip())
    if audience is None:
        raise not_found("Audience", raw, parameter="audienceId")
    return audience


def _members(state: EmulatorState, audience_id: int) -> list[dict[str, Any]]:
    return [p for p in state.data["profiles"].values() if audience_id in p["audienceIds"]]


def create_audience_v2(state: EmulatorState, request: Request) -> Response:
    """201 with the new audience; (integration, integrationId) must be unique."""
    body = request.body
    integration_id = body.get("integrationId")
    if integration_id:
        for existing in state.data["audiences"].values():
            same_pair = existing.get("integration") == body.get("integration")
            if same_pair and existing.get("integrationId") == integration_id:
                raise ApiError(409, DUPLICATE_MESSAGE)
    audience: dict[str, Any] = {
        "id": state.next_id("audience"),
        "created": state.now_text(),
        "name": body["name"],
    }
    for key in ("integration", "integrationId", "description"):
        if body.get(key) is not None:
            audience[key] = body[key]
    state.data["audiences"][str(audience["id"])] = audience
    return Response(201, audience_view(state, audience))


def update_audience_v2(state: EmulatorState, request: Request) -> Response:
    """Rename only: members and rules are untouched."""
    audience = _audience(state, request)
    audience["name"] = request.body["name"]
    return Response(200, audience_view(state, audience))


def delete_audience_v2(state: EmulatorState, request: Request) -> Response:
    """Delete the audience and every membership in it."""
    audience = _audience(state, request)
    delete_memberships(state, audience["id"])
    del state.data["audiences"][str(audience["id"])]
    return Response(204)


def delete_memberships(state: EmulatorState, audience_id: int) -> None:
    for profile in _members(state, audience_id):
        profile["audienceIds"].remove(audience_id)


def delete_audience_memberships_v2(state: EmulatorState, request: Request) -> Response:
    """Empty the audience; the audience itself stays."""
    delete_memberships(state, _audience(state, request)["id"])
    return Response(204)


def update_audience_customers_attributes(state: EmulatorState, request: Request) -> Response:
    """Set the given attributes on every member."""
    audience = _audience(state, request)
    for profile in _members(state, audience["id"]):
        profile["attributes"].update(request.body or {})
    return Response(204)


def update_customer_profile_audiences(state: EmulatorState, request: Request) -> Response:
    """Add or remove memberships; ``add`` creates a missing profile, hidden (see
    :mod:`.profiles`).

    Every audience is checked before anything changes, so an unknown one (404) leaves
    the whole batch unapplied.
    """
    entries = (request.body or {}).get("data") or []  # optional: no data changes nothing
    for entry in entries:
        if str(entry["audienceId"]) not in state.data["audiences"]:
            raise ApiError(404, f"Audience {entry['audienceId']} not found")
    for entry in entries:
        audience_id = entry["audienceId"]
        profile_id = entry["profileIntegrationId"]
        if entry["action"] == "add":
            members = ensure_profile(state, profile_id, reveal=False)["audienceIds"]
            if audience_id not in members:
                members.append(audience_id)
            continue
        profile = state.data["profiles"].get(profile_id)
        if profile is not None and audience_id in profile["audienceIds"]:
            profile["audienceIds"].remove(audience_id)
    return Response(204)
