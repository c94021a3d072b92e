"""Lane names: the ordering key of outbox rows.

Rows of one lane are delivered one at a time and in order. Everything that touches one
Talon.One session shares a lane (updates, close, cancel, returns), and so does everything
that touches one profile, because Talon.One answers 409 to parallel requests on either.

A session born from a registered cart starts on its *cart* lane: a cart change is recorded
before anyone knows (or creates) the cart's session. At its close the services move it to
its own session lane, so a lane never outlives the session it serialises.

Lanes are per Talon.One Application: one profile id, audience id or coupon code in two
Applications is two entities there, so a lane of a named Application carries its name
(``profile@gbp:ann``); the default Application's lanes keep their plain names, which is
what rows written before several Applications use. Session and cart lanes need no name:
a session id is never reused, and a cart's calls follow its current session.
"""

from __future__ import annotations

from django_talonone.conf_applications import DEFAULT_APPLICATION

#: Longest lane name the ``Delivery.lane`` column holds.
MAX_LANE_LENGTH = 1100


def _lane(kind: str, key: str | int, application: str | None = None) -> str:
    text = str(key)
    if not text:
        raise ValueError(f"a {kind} lane needs a non-empty id")
    if application not in (None, DEFAULT_APPLICATION):
        kind = f"{kind}@{application}"
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


def profile_lane(integration_id: str | int, application: str | None = None) -> str:
    """Lane of one customer profile in one Application: profile updates, events, GDPR
    deletion."""
    return _lane("profile", integration_id, application)


def audience_lane(audience_id: str | int, application: str | None = None) -> str:
    """Lane of one audience's membership changes."""
    return _lane("audience", audience_id, application)


def coupon_lane(coupon_code: str, application: str | None = None) -> str:
    """Lane of one coupon's reservations."""
    return _lane("coupon", coupon_code, application)
