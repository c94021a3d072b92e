"""The loyalty points of one order, as its page shows them: earned, spent, rolled back.

Read from the order's Talon.One session history (django-talonone keeps each step's
evaluation): the close says what the order earned and spent, each return and the cancel
what was taken back. Until the worker has delivered the close there is nothing to show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django_talonone.evaluation import Evaluation
from django_talonone.models import CustomerSession, HistoryKind

ZERO = Decimal(0)


@dataclass(frozen=True)
class OrderPoints:
    earned: Decimal
    spent: Decimal
    rolled_back: Decimal
    given_back: Decimal
    activates_at: dt.datetime | None

    @property
    def kept(self) -> Decimal:
        """Earned points the order still gives (after returns and a cancel)."""
        return max(ZERO, self.earned - self.rolled_back)

    @property
    def state(self) -> str:
        if self.earned and not self.kept:
            return "rolled back"
        if self.activates_at is not None and timezone.now() < self.activates_at:
            return "pending"
        return "active"


def order_points(session: CustomerSession | None) -> OrderPoints | None:
    """The order's points, or ``None`` before its close was recorded."""
    if session is None:
        return None
    entries = list(session.history.all())
    close = next((entry for entry in entries if entry.kind == HistoryKind.CLOSED), None)
    if close is None:
        return None
    closed = Evaluation.from_dict(close.evaluation)
    rolled_back = given_back = ZERO
    for entry in entries:
        if entry.kind in (HistoryKind.RETURNED, HistoryKind.CANCELLED):
            step = Evaluation.from_dict(entry.evaluation)
            rolled_back += step.points_rolled_back
            given_back += step.points_given_back
    starts = [change.starts_at for change in closed.points.earned if change.starts_at]
    return OrderPoints(
        earned=closed.points_to_earn,
        spent=closed.points_spent,
        rolled_back=rolled_back,
        given_back=given_back,
        activates_at=max(starts) if starts else None,
    )
