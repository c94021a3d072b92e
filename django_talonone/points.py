"""Loyalty points in a session reply: earned, spent, rolled back, and what can be spent.

Folded from the effects (``addLoyaltyPoints``, ``deductLoyaltyPoints`` and their
rollbacks, ``changeLoyaltyTierLevel``) and from the reply's ``loyalty`` content, which
Talon.One adds when the request asks for it with ``responseContent: ["loyalty"]``. Like
:mod:`.evaluation`, everything round-trips through JSON with points as exact strings, so
the order pages can show what an order earned and what a refund took back without a call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime

__all__ = [
    "LOYALTY_EFFECTS",
    "PointsBalance",
    "PointsChange",
    "PointsShortcuts",
    "SessionPoints",
    "TierChange",
    "balances_of",
    "fold_points",
]

#: The loyalty effects folded here, by the :class:`SessionPoints` field they go to.
LOYALTY_EFFECTS: Mapping[str, str] = {
    "addLoyaltyPoints": "earned",
    "deductLoyaltyPoints": "spent",
    "rollbackAddedLoyaltyPoints": "rolled_back",
    "rollbackDeductedLoyaltyPoints": "given_back",
}


def _points(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _when(value: Any) -> dt.datetime | None:
    """Django's parser, as for the rest of Talon.One's dates (Python 3.10's
    ``fromisoformat`` refuses a ``Z`` and fractions that are not 3 or 6 digits)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class PointsChange:
    """Points one rule moves in one program: earned, spent, or rolled back.

    ``starts_at`` (earned points only) is when they become spendable; before it they are
    pending. ``expires_at`` is when they expire (``None``: never).
    """

    program_id: int
    points: Decimal
    name: str = ""
    campaign_id: int | None = None
    starts_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.program_id, self.campaign_id, self.name, self.starts_at, self.expires_at)

    def is_pending(self, now: dt.datetime) -> bool:
        return self.starts_at is not None and now < self.starts_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "programId": self.program_id,
            "points": str(self.points),
            "name": self.name,
            "campaignId": self.campaign_id,
            "startsAt": _iso(self.starts_at),
            "expiresAt": _iso(self.expires_at),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PointsChange:
        return cls(
            program_id=int(data["programId"]),
            points=Decimal(str(data["points"])),
            name=str(data.get("name", "")),
            campaign_id=_int(data.get("campaignId")),
            starts_at=_when(data.get("startsAt")),
            expires_at=_when(data.get("expiresAt")),
        )


@dataclass(frozen=True)
class PointsBalance:
    """A program's balance as the session reply told it (``responseContent: loyalty``).

    ``current`` is what the shopper may spend; ``tentative`` is that balance once this
    session's own earnings and spendings are counted.
    """

    program_id: int
    name: str
    title: str
    current: Decimal
    tentative: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "programId": self.program_id,
            "name": self.name,
            "title": self.title,
            "current": str(self.current),
            "tentative": None if self.tentative is None else str(self.tentative),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PointsBalance:
        tentative = data.get("tentative")
        return cls(
            program_id=int(data["programId"]),
            name=str(data.get("name", "")),
            title=str(data.get("title", "")),
            current=Decimal(str(data["current"])),
            tentative=None if tentative is None else Decimal(str(tentative)),
        )


@dataclass(frozen=True)
class TierChange:
    """This session moves the shopper to ``new_tier`` (once it closes)."""

    program_id: int
    new_tier: str
    previous_tier: str = ""


@dataclass(frozen=True)
class SessionPoints:
    """Every loyalty fact of one session reply."""

    earned: tuple[PointsChange, ...] = ()
    spent: tuple[PointsChange, ...] = ()
    rolled_back: tuple[PointsChange, ...] = ()
    given_back: tuple[PointsChange, ...] = ()
    balances: tuple[PointsBalance, ...] = ()
    tier_changes: tuple[TierChange, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "earned": [change.to_dict() for change in self.earned],
            "spent": [change.to_dict() for change in self.spent],
            "rolledBack": [change.to_dict() for change in self.rolled_back],
            "givenBack": [change.to_dict() for change in self.given_back],
            "balances": [balance.to_dict() for balance in self.balances],
            "tierChanges": [vars(change).copy() for change in self.tier_changes],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> SessionPoints:
        """Rebuild :meth:`to_dict`'s output; evaluations stored before loyalty give empty."""
        if not data:
            return cls()

        def changes(key: str) -> tuple[PointsChange, ...]:
            return tuple(PointsChange.from_dict(item) for item in data.get(key, ()))

        return cls(
            earned=changes("earned"),
            spent=changes("spent"),
            rolled_back=changes("rolledBack"),
            given_back=changes("givenBack"),
            balances=tuple(PointsBalance.from_dict(item) for item in data.get("balances", ())),
            tier_changes=tuple(TierChange(**item) for item in data.get("tierChanges", ())),
        )


class PointsShortcuts:
    """Sums over :class:`SessionPoints` for an evaluation (``Evaluation`` has these)."""

    points: SessionPoints

    @property
    def points_to_earn(self) -> Decimal:
        """Points this session earns (all programs), pending ones included."""
        return sum((change.points for change in self.points.earned), Decimal(0))

    @property
    def points_spent(self) -> Decimal:
        """Points this session spends (the discount they buy is in ``discounts``)."""
        return sum((change.points for change in self.points.spent), Decimal(0))

    @property
    def points_rolled_back(self) -> Decimal:
        """Earned points a return or cancel took back."""
        return sum((change.points for change in self.points.rolled_back), Decimal(0))

    @property
    def points_given_back(self) -> Decimal:
        """Spent points a cancel gave back to the shopper."""
        return sum((change.points for change in self.points.given_back), Decimal(0))

    def points_to_spend(self, program_id: int | None = None) -> Decimal | None:
        """Points the shopper can spend now, or ``None`` when the reply did not say.

        Without ``program_id`` the shop must have exactly one program in the reply.
        """
        balances = [
            balance
            for balance in self.points.balances
            if program_id is None or balance.program_id == program_id
        ]
        return balances[0].current if len(balances) == 1 else None


def _change(effect: Mapping[str, Any], props: Mapping[str, Any]) -> PointsChange | None:
    program_id = _int(props.get("programId"))
    points = _points(props.get("value"))
    if program_id is None or points is None or points <= 0:
        return None
    return PointsChange(
        program_id=program_id,
        points=points,
        name=str(props.get("name", "") or effect.get("ruleName", "") or ""),
        campaign_id=_int(effect.get("campaignId")),
        starts_at=_when(props.get("startDate")),
        expires_at=_when(props.get("expiryDate")),
    )


def _add(into: dict[tuple[Any, ...], PointsChange], change: PointsChange | None) -> None:
    """Points of one rule are summed (per item earnings give one effect per line)."""
    if change is None:
        return
    previous = into.get(change.key)
    if previous is not None:
        change = PointsChange(**{**vars(change), "points": previous.points + change.points})
    into[change.key] = change


def balances_of(loyalty: Any) -> tuple[PointsBalance, ...]:
    """The programs' balances in a reply's ``loyalty`` content (empty when it has none)."""
    programs = loyalty.get("programs") if isinstance(loyalty, Mapping) else None
    if not isinstance(programs, Mapping):
        return ()
    found = []
    for key, program in programs.items():
        if not isinstance(program, Mapping):
            continue
        ledger = program.get("ledger")
        ledger = ledger if isinstance(ledger, Mapping) else {}
        program_id, current = _int(program.get("id")), _points(ledger.get("currentBalance"))
        if program_id is None or current is None:
            continue
        found.append(
            PointsBalance(
                program_id=program_id,
                name=str(program.get("name") or key),
                title=str(program.get("title") or program.get("name") or key),
                current=current,
                tentative=_points(ledger.get("tentativeCurrentBalance")),
            )
        )
    return tuple(found)


def fold_points(effects: Iterable[Any], loyalty: Any = None) -> SessionPoints:
    """The loyalty facts of a reply's ``effects`` and ``loyalty`` content.

    Effects that are not loyalty effects, or whose points cannot be read, are skipped
    (the evaluation keeps what it does not know in ``unknown_effects``).
    """
    folded: dict[str, dict[tuple[Any, ...], PointsChange]] = {
        field: {} for field in LOYALTY_EFFECTS.values()
    }
    tiers: list[TierChange] = []
    for effect in effects:
        if not isinstance(effect, Mapping):
            continue
        kind = str(effect.get("effectType", ""))
        raw_props = effect.get("props")
        props: Mapping[str, Any] = raw_props if isinstance(raw_props, Mapping) else {}
        if kind in LOYALTY_EFFECTS:
            _add(folded[LOYALTY_EFFECTS[kind]], _change(effect, props))
        elif kind == "changeLoyaltyTierLevel":
            program_id = _int(props.get("programId"))
            if program_id is not None and props.get("newTierName"):
                tiers.append(
                    TierChange(
                        program_id,
                        str(props["newTierName"]),
                        str(props.get("previousTierName") or ""),
                    )
                )
    return SessionPoints(
        earned=tuple(folded["earned"].values()),
        spent=tuple(folded["spent"].values()),
        rolled_back=tuple(folded["rolled_back"].values()),
        given_back=tuple(folded["given_back"].values()),
        balances=balances_of(loyalty),
        tier_changes=tuple(tiers),
    )
