"""Customer sessions: UpdateCustomerSessionV2 and GetCustomerSession.

A PUT merges the request into the stored session (omitted fields keep their values),
checks the state transition, evaluates the campaigns and - depending on the
transition - redeems codes on close or rolls them back on cancel. A repeated PUT to a
session that is no longer open, with the same state and unchanged content, is an
idempotent replay: it answers 200 with what is stored and changes nothing, so a client
may safely retry a close.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import webhooks
from .clock import Clock, parse_timestamp
from .engine import Evaluation, evaluate
from .errors import field_error, unknown_session
from .ledger import current_effects, redeem, rollback_all
from .profiles import ensure_profile
from .responses import integration_state
from .routing import Request, Response
from .settlement import settle_close
from .shapes import session_view
from .state import EmulatorState

CONTENT_FIELDS = (
    "profileId",
    "couponCodes",
    "referralCode",
    "loyaltyCards",
    "cartItems",
    "additionalCosts",
    "identifiers",
    "attributes",
)
#: Cart item fields the server computes (today's schemas mark them read-only): one a
#: client sends is dropped, never echoed back. The catalog ones stay absent, as the
#: emulator has no catalog to fill them from.
READ_ONLY_ITEM_FIELDS = (
    "position",
    "returnedQuantity",
    "remainingQuantity",
    "catalogItemID",
    "selectedPriceType",
    "adjustmentReferenceId",
    "adjustmentEffectiveFrom",
    "adjustmentEffectiveUntil",
    "prices",
)
ALLOWED_TRANSITIONS = {
    ("open", "open"),
    ("open", "closed"),
    ("open", "cancelled"),
    ("closed", "cancelled"),
    ("partially_returned", "cancelled"),
}
EVENT_TYPES = {
    (None, "open"): "talon_session_created",
    (None, "closed"): "talon_session_created",
    ("open", "open"): "talon_session_updated",
    ("open", "closed"): "talon_session_closed",
    ("open", "cancelled"): "talon_session_cancelled",
    ("closed", "cancelled"): "talon_session_revoked",
    ("partially_returned", "cancelled"): "talon_session_revoked",
}


def _normalise(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The content fields the request sent, with server-computed item fields dropped."""
    content = {key: payload[key] for key in CONTENT_FIELDS if key in payload}
    if "cartItems" in content:
        content["cartItems"] = [
            {k: v for k, v in item.items() if k not in READ_ONLY_ITEM_FIELDS}
            | {"returnedQuantity": 0}
            for item in content["cartItems"]
        ]
    for key in ("profileId", "referralCode"):
        if content.get(key) is None and key in content:
            content[key] = ""
    return content


def _new_session(state: EmulatorState, session_id: str) -> dict[str, Any]:
    now = state.now_text()
    return {
        "id": 0,
        "integrationId": session_id,
        "created": now,
        "updated": now,
        "updateCount": 0,
        "applicationId": state.application["id"],
        "profileId": "",
        "couponCodes": [],
        "referralCode": "",
        "loyaltyCards": [],
        "state": "open",
        "cartItems": [],
        "additionalCosts": {},
        "identifiers": [],
        "attributes": {},
        "firstSession": True,
        "effects": [],
        "rolledBack": {},
        "redeemed": None,
        "countedSales": 0,
    }


def create_session_record(state: EmulatorState, session_id: str, profile_id: str) -> dict[str, Any]:
    """Store a new, empty, open session (its profile is created when named)."""
    session = _new_session(state, session_id)
    session["id"] = state.next_id("session")
    session["updateCount"] = 1
    session["profileId"] = profile_id
    if profile_id:
        profile = ensure_profile(state, profile_id)
        session["firstSession"] = profile["sessionCount"] == 0
        profile["sessionCount"] += 1
    state.data["sessions"][session_id] = session
    return session


def _content_changed(stored: Mapping[str, Any], content: Mapping[str, Any]) -> bool:
    """Whether the request changes anything (returned quantities are the server's own)."""

    def comparable(key: str, value: Any) -> Any:
        if key != "cartItems":
            return value
        return [{k: v for k, v in item.items() if k != "returnedQuantity"} for item in value]

    return any(comparable(k, stored[k]) != comparable(k, v) for k, v in content.items())


def _fixed_clock(text: str) -> Clock:
    """A clock stuck at the ``now`` query parameter: dry runs can preview a future date."""
    try:
        moment = parse_timestamp(text)
    except ValueError:
        raise field_error(
            400, f"now: not an RFC 3339 timestamp: {text!r}", parameter="now"
        ) from None
    return lambda: moment


def _check_transition(before: str | None, after: str) -> None:
    if before is None:
        if after not in ("open", "closed"):
            raise field_error(
                400,
                f"a new customer session must be created open or closed, not {after!r}",
                pointer="/customerSession/state",
            )
        return
    if (before, after) not in ALLOWED_TRANSITIONS:
        raise field_error(
            400,
            f"customer session state cannot change from {before!r} to {after!r}",
            pointer="/customerSession/state",
        )


#: With cart-item flattening on, Talon.One evaluates each unit: a cart of more is refused.
FLATTENED_UNITS_LIMIT = 10_000


def _check_flattened_units(state: EmulatorState, content: Mapping[str, Any]) -> None:
    """Refuse a cart of more than 10,000 units when the Application flattens items."""
    if not state.application["flattenCartItems"]:
        return
    units = sum(int(item.get("quantity") or 0) for item in content.get("cartItems") or [])
    if units > FLATTENED_UNITS_LIMIT:
        raise field_error(
            400,
            f"cartItems: {units} units in all; with cart item flattening the quantities "
            f"must add up to at most {FLATTENED_UNITS_LIMIT}",
            pointer="/customerSession/cartItems",
        )


def update_customer_session_v2(state: EmulatorState, request: Request) -> Response:
    """Create, update, close or cancel a session (``dry=true`` works on a scratch copy)."""
    work = state.scratch_copy() if request.query.get("dry") == "true" else state
    if "now" in request.query:
        # Today's rule: a date in the future, and only for a dry run (nothing is kept).
        if work is state:
            raise field_error(400, "now: only allowed with dry=true", parameter="now")
        clock = _fixed_clock(request.query["now"])
        if clock() <= state.now():
            raise field_error(400, "now: must be a date in the future", parameter="now")
        work.clock = clock
    session_id = request.path_params["customerSessionId"]
    payload: Mapping[str, Any] = request.body["customerSession"]
    wanted = request.body.get("responseContent") or []
    stored: dict[str, Any] | None = work.data["sessions"].get(session_id)
    before = stored["state"] if stored is not None else None
    after: str = payload.get("state") or before or "open"
    content = _normalise(payload)
    _check_flattened_units(work, content)

    if stored is not None and before != "open":
        if after == before:
            if _content_changed(stored, content):
                raise field_error(
                    400,
                    f"customer session {session_id!r} is {before} and cannot be modified",
                    pointer="/customerSession",
                )
            effects = current_effects(stored)
            reply = integration_state(
                work, stored, effects, wanted, event_type="talon_session_updated"
            )
            return Response(200, reply)
        _check_transition(before, after)
        if _content_changed(stored, content):
            raise field_error(
                400,
                f"customer session {session_id!r} is {before}: only its state can change",
                pointer="/customerSession",
            )
    else:
        _check_transition(before, after)

    if stored is None:
        session = create_session_record(work, session_id, content.get("profileId") or "")
    else:
        session = stored
        session["updateCount"] += 1
    session.update(content)
    session["state"] = after
    session["updated"] = work.now_text()
    if session["profileId"]:
        profile = ensure_profile(work, session["profileId"])
        profile["lastActivity"] = work.now_text()

    evaluation = Evaluation()
    created: list[str] = []
    if after in ("open", "closed") and before in (None, "open"):
        evaluation = evaluate(work, session)
        session["effects"] = evaluation.effects
        effects = evaluation.effects
        if after == "closed":
            redeem(work, session, evaluation)
            created = settle_close(work, session)
        webhooks.announce(work, session, effects)  # after what the close changed
    elif before == "open":
        session["effects"] = []
        effects = []
    else:
        effects = rollback_all(work, session)
    event_type = EVENT_TYPES.get((before, after), "talon_session_updated")
    reply = integration_state(
        work,
        session,
        effects,
        wanted,
        event_type=event_type,
        triggered=evaluation.triggered_campaigns,
        failures=evaluation.failures,
        created=created,
    )
    return Response(200, reply)


def get_customer_session(state: EmulatorState, request: Request) -> Response:
    """The stored session and the effects still valid after any rollbacks."""
    session_id = request.path_params["customerSessionId"]
    session = state.data["sessions"].get(session_id)
    if session is None:
        raise unknown_session(session_id)
    return Response(
        200, {"customerSession": session_view(session), "effects": current_effects(session)}
    )
