"""Lane names: the ordering key of outbox rows.

Rows of one lane are delivered one at a time and in order. Everything that touches one
Talon.One session shares a lane (updates, close, cancel, returns), and so does everything
that touches one profile, because Talon.One answers 409 to parallel requests on either.

A session born from a registered cart starts on its *cart* lane: a cart change is recorded
before anyone knows (or creates) the cart's session. At its close the services move it to
its own session lane, so a lane never outlives the session it serialises.
"""

from __future__ import annotations

#: Longest lane name the ``Delivery.lane`` column holds.
MAX_LANE_LENGTH = 1100


def _lane(kind: str, key: str | int) -> str:
    text = str(key)
    if not text:
        raise ValueError(f"a {kind} lane needs a non-empty id")
    lane = f"{kind}:{text}"
    if len(lane) > MAX_LANE_LENGTH:
        raise ValueError(f"{kind} lane id is too long ({len(text)} characters)")
    return lane


def session_lane(session_id: str) -> str:
    """Lane of one customer session: its updates, close/cancel and returns."""
    return _lane("session", session_id)


def cart_lane(model_label: str, pk: str | int) -> str:
    """Lane of one shop cart (``model_label`` is ``Model._meta.label_lower``)."""
    return _lane("cart", f"{model_label}:{pk}")


def profile_lane(integration_id: str | int) -> str:
    """Lane of one customer profile: profile updates, events, GDPR deletion."""
    return _lane("profile", integration_id)


def audience_lane(audience_id: str | int) -> str:
    """Lane of one audience's membership changes."""
    return _lane("audience", audience_id)


def coupon_lane(coupon_code: str) -> str:
    """Lane of one coupon's reservations."""
    return _lane("coupon", coupon_code)
