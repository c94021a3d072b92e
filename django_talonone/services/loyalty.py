"""Loyalty points of carts and orders: "use my points", and what an order earned.

Talon.One spends points through a rule that reads a custom session attribute holding the
points asked for (``TALONONE['LOYALTY_POINTS_ATTRIBUTE']``). :func:`request_points`
checks the request, then has the cart adapter store it on the cart; every session the
cart (and its order) sends from then on carries it, so the next evaluation shows the
discount the points buy and the close spends them. :func:`order_points` says what a
placed order earned and spent, and what its returns and cancel took back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone

from django_talonone.adapters import CartAdapter, InvalidPayload, validate_points
from django_talonone.conf import get_settings
from django_talonone.evaluation import Evaluation
from django_talonone.models import HistoryKind, SessionState
from django_talonone.registry import cart_adapter_for

from .sessions import order_session, require_saved

if TYPE_CHECKING:  # the wallet reads sessions through services: a type only, no cycle
    from django_talonone.wallet.types import Wallet

__all__ = ["OrderPoints", "order_points", "request_points"]


def request_points(
    cart: models.Model, points: Decimal | int, *, adapter: CartAdapter | None = None
) -> Decimal:
    """Ask to spend ``points`` on ``cart`` (``0`` takes the request back); returns them.

    Raises ``ImproperlyConfigured`` when ``LOYALTY_POINTS_ATTRIBUTE`` is not set and
    :class:`InvalidPayload` for a value that is not a whole or decimal number of at least
    0 (a float is refused: it cannot say 0.1 exactly). Whether the shopper *has* the points
    is Talon.One's call: a request beyond the active balance gives no discount, and the
    evaluation's ``points_spent`` stays 0.
    """
    require_saved(cart, "cart")
    if get_settings().loyalty_points_attribute is None:
        raise ImproperlyConfigured(
            "request_points() needs TALONONE['LOYALTY_POINTS_ATTRIBUTE']: the session "
            "attribute your Application's spend rule reads the points from."
        )
    value: Any = (
        Decimal(points) if isinstance(points, int) and not isinstance(points, bool) else points
    )
    if isinstance(value, bool):
        raise InvalidPayload("points", "must be a number of points, got a bool")
    checked = validate_points("points", value)
    (adapter or cart_adapter_for(cart)).set_points_to_spend(cart, checked)
    return checked


@dataclass(frozen=True)
class OrderPoints:
    """The loyalty points of one placed order, from its session history.

    ``state`` is ``"pending"`` (earned, not active before ``activates_at``), ``"active"``,
    or ``"rolled back"`` (a cancel, or returns of every line, took them all back).
    """

    earned: Decimal
    spent: Decimal
    rolled_back: Decimal
    given_back: Decimal
    activates_at: dt.datetime | None
    state: str

    @property
    def kept(self) -> Decimal:
        """Earned points the order still gives."""
        return max(Decimal(0), self.earned - self.rolled_back)


def order_points(order: models.Model, *, wallet: Wallet | None = None) -> OrderPoints | None:
    """What the order earned and spent, and what returns and a cancel took back; ``None``
    until its close is recorded (the outbox delivers it after checkout).

    Without ``wallet``, ``"pending"`` means "before ``activates_at`` on Django's clock".
    With the shopper's (available) wallet, it follows Talon.One's totals instead: the
    order is pending only while the wallet still lists pending points for it (see
    ``docs/django.md``, "Testing loyalty", on the two clocks).

    The close's reply says what was earned and spent, each return's what it rolled back
    (returns carry an Idempotency-Key, so a retried one replays its reply). A cancel
    rolls back everything the order still earned and gives back what it spent, as
    Talon.One documents; that is read from the state, not from the cancel's reply, which
    says nothing when it answers a retry of a cancel already applied.
    """
    session = order_session(order)
    if session is None:
        return None
    entries = list(session.history.all())
    close = next((entry for entry in entries if entry.kind == HistoryKind.CLOSED), None)
    if close is None:
        return None
    closed = Evaluation.from_dict(close.evaluation)
    returned = [
        Evaluation.from_dict(entry.evaluation)
        for entry in entries
        if entry.kind == HistoryKind.RETURNED
    ]
    earned, spent = closed.points_to_earn, closed.points_spent
    rolled_back = min(earned, sum((step.points_rolled_back for step in returned), Decimal(0)))
    given_back = Decimal(0)
    if session.state == SessionState.CANCELLED:
        rolled_back, given_back = earned, spent
    starts = [change.starts_at for change in closed.points.earned if change.starts_at]
    activates_at = max(starts) if starts else None
    if earned and rolled_back >= earned:
        state = "rolled back"
    elif _is_pending(session.session_id, activates_at, wallet):
        state = "pending"
    else:
        state = "active"
    return OrderPoints(earned, spent, rolled_back, given_back, activates_at, state)


def _is_pending(session_id: str, activates_at: dt.datetime | None, wallet: Wallet | None) -> bool:
    if wallet is not None and wallet.available:
        return any(
            entry.session_id == session_id
            for program in wallet.loyalty
            for entry in program.pending
        )
    return activates_at is not None and timezone.now() < activates_at
