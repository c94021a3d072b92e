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

The dates are read against Django's clock, the totals against Talon.One's, and the two
can disagree (a test that moves the emulator's clock, a server whose clock is behind).
Talon.One's totals win: the listed pending points never add up to more than its
``pending_balance``. What is beyond it is treated as active (Talon.One has activated it),
taken off the entries that activate first, since those are the ones its clock reached.

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


def _earnings(profile_id: str, application: str | None) -> list[tuple[str, PointsChange]]:
    """The points the profile's settled sessions earned, in ``application`` when given (a
    program id means one program only within its Application)."""
    sessions = CustomerSession.objects.filter(profile_id=profile_id, state__in=_SETTLED)
    if application is not None:
        sessions = sessions.filter(application=application)
    sessions = sessions.prefetch_related("history").order_by("pk")
    return [pair for session in sessions for pair in _net_earnings(session)]


def _expiring(
    program: LoyaltyProgram, active: Iterable[tuple[Decimal, dt.datetime | None]], by: dt.datetime
) -> Decimal:
    entries = list(active)
    known = sum((points for points, _ in entries), Decimal(0))
    soon = sum(
        (points for points, expires_at in entries if expires_at is not None and expires_at <= by),
        Decimal(0),
    )
    spent_since = max(Decimal(0), known - program.current_balance)
    return min(max(Decimal(0), soon - spent_since), program.current_balance)


def _capped(
    pending: list[PendingPoints], reported: Decimal
) -> tuple[list[PendingPoints], list[PendingPoints]]:
    """``pending`` cut down to the ``reported`` pending total, and what was cut off.

    The latest activations are kept first: when Talon.One reports fewer pending points
    than the orders say, its clock has passed the earliest activation dates.
    """
    left = max(Decimal(0), reported)
    kept: list[PendingPoints] = []
    beyond: list[PendingPoints] = []
    for entry in sorted(pending, key=lambda entry: entry.activates_at, reverse=True):
        take = min(entry.points, left)
        left -= take
        if take:
            kept.append(dataclasses.replace(entry, points=take))
        if entry.points > take:
            beyond.append(dataclasses.replace(entry, points=entry.points - take))
    return kept[::-1], beyond


def _program_points(
    program: LoyaltyProgram,
    mine: list[tuple[str, PointsChange]],
    *,
    now: dt.datetime,
    by: dt.datetime,
) -> LoyaltyProgram:
    """One program with its dated pending entries (within the reported pending total) and
    the active points that expire before ``by``."""
    dated = [
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
    pending, activated = _capped(dated, program.pending_balance)
    active = [
        (change.points, change.expires_at) for _, change in mine if not change.is_pending(now)
    ] + [(entry.points, entry.expires_at) for entry in activated]
    live = [(points, ends) for points, ends in active if ends is None or now < ends]
    return dataclasses.replace(
        program,
        pending=tuple(sorted(pending, key=lambda entry: entry.activates_at)),
        expiring_soon=_expiring(program, live, by),
        expiring_by=by,
    )


def with_order_points(
    programs: tuple[LoyaltyProgram, ...],
    profile_id: str,
    *,
    now: dt.datetime,
    days: int,
    application: str | None = None,
) -> tuple[LoyaltyProgram, ...]:
    """``programs`` with their ``pending`` entries and ``expiring_soon`` filled in, from
    the orders of ``application`` (every Application's when ``None``)."""
    if not programs:
        return programs
    earnings = _earnings(profile_id, application)
    by = now + dt.timedelta(days=days)
    return tuple(
        _program_points(
            program,
            [(sid, c) for sid, c in earnings if c.program_id == program.program_id],
            now=now,
            by=by,
        )
        for program in programs
    )
