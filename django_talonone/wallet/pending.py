"""Pending points per order and points expiring soon, from the shop's own orders.

Talon.One's inventory gives a program's pending and active *totals* only. What the
shopper wants to know is when pending points arrive and which points are about to
expire; both are in the ``addLoyaltyPoints`` effects of the orders this shop closed
(their ``startDate`` and ``expiryDate``), kept in each session's history. So:

- **pending**: per closed (or partly returned) order, the points it earned that are not
  active yet, less what returns took back, with their activation date;
- **expiring soon**: the active points whose expiry falls within
  ``TALONONE['LOYALTY_EXPIRING_DAYS']``. Talon.One spends the points expiring first
  first, so the points spent since are taken off the soonest entries, and the result is
  never more than the active balance.

Points granted outside this shop's orders (the Campaign Manager, another channel) are in
the totals but cannot be dated here; the docs say so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django_talonone.models import CustomerSession, HistoryKind, SessionState
from django_talonone.points import PointsChange, SessionPoints

from .types import LoyaltyProgram, PendingPoints

__all__ = ["with_order_points"]

_SETTLED = (SessionState.CLOSED, SessionState.PARTIALLY_RETURNED)


def _read(data: object) -> SessionPoints:
    """A stored evaluation's points; an unreadable one counts as none (never fails)."""
    if not isinstance(data, Mapping):
        return SessionPoints()
    try:
        return SessionPoints.from_dict(data.get("points"))
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return SessionPoints()


def _net_earnings(session: CustomerSession) -> list[tuple[str, PointsChange]]:
    """What the session's close earned, less what its returns rolled back."""
    earned: list[PointsChange] = []
    rolled: dict[int, Decimal] = {}
    for entry in session.history.all():
        points = _read(entry.evaluation)
        if entry.kind == HistoryKind.CLOSED and not earned:
            earned = list(points.earned)
        elif entry.kind == HistoryKind.RETURNED:
            for change in points.rolled_back:
                rolled[change.program_id] = rolled.get(change.program_id, Decimal(0)) + (
                    change.points
                )
    net = []
    for change in reversed(earned):  # returns take back the latest rule's points first
        taken = min(change.points, rolled.get(change.program_id, Decimal(0)))
        rolled[change.program_id] = rolled.get(change.program_id, Decimal(0)) - taken
        if change.points > taken:
            net.append(
                (session.session_id, dataclasses.replace(change, points=change.points - taken))
            )
    return net[::-1]


def _earnings(profile_id: str) -> list[tuple[str, PointsChange]]:
    sessions = (
        CustomerSession.objects.filter(profile_id=profile_id, state__in=_SETTLED)
        .prefetch_related("history")
        .order_by("pk")
    )
    return [pair for session in sessions for pair in _net_earnings(session)]


def _expiring(program: LoyaltyProgram, active: Iterable[PointsChange], by: dt.datetime) -> Decimal:
    entries = list(active)
    known = sum((change.points for change in entries), Decimal(0))
    soon = sum(
        (c.points for c in entries if c.expires_at is not None and c.expires_at <= by),
        Decimal(0),
    )
    spent_since = max(Decimal(0), known - program.current_balance)
    return min(max(Decimal(0), soon - spent_since), program.current_balance)


def with_order_points(
    programs: tuple[LoyaltyProgram, ...], profile_id: str, *, now: dt.datetime, days: int
) -> tuple[LoyaltyProgram, ...]:
    """``programs`` with their ``pending`` entries and ``expiring_soon`` filled in."""
    if not programs:
        return programs
    earnings = _earnings(profile_id)
    by = now + dt.timedelta(days=days)
    filled = []
    for program in programs:
        mine = [(sid, c) for sid, c in earnings if c.program_id == program.program_id]
        pending = [
            PendingPoints(
                program_id=program.program_id,
                points=change.points,
                activates_at=change.starts_at,
                expires_at=change.expires_at,
                session_id=session_id,
            )
            for session_id, change in mine
            if change.starts_at is not None and change.is_pending(now)
        ]
        active = [
            change
            for _, change in mine
            if not change.is_pending(now) and (change.expires_at is None or now < change.expires_at)
        ]
        filled.append(
            dataclasses.replace(
                program,
                pending=tuple(sorted(pending, key=lambda entry: entry.activates_at)),
                expiring_soon=_expiring(program, active, by),
                expiring_by=by,
            )
        )
    return tuple(filled)
