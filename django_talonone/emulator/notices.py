"""The loyalty notifications a state change calls for, in Talon.One's notification shapes.

Talon.One tells the shop about loyalty changes it makes itself: points added or deducted
(``LoyaltyPointsAdded`` / ``LoyaltyPointsDeducted``, one per ledger transaction, sent as
the session closes, is cancelled or returns items), a tier reached or lost
(``TierUpgrade`` / ``TierDowngrade``), pending points becoming active
(``LoyaltyPointsPendingToActive``) and, for a program with ``expiryNoticeDays``, active
points about to expire (``LoyaltyPointsExpiring``, that many days ahead). The functions
here only queue the bodies on the state (:meth:`EmulatorState.announce`); the shell sends
them once the change is done, so a dry run (which works on a throw-away copy) and a
refused request send nothing.

The emulator's tiers are reached on the points earned in the program (see
:mod:`.loyalty`), so a tier notification's ``CurrentPoints`` is that number, the one
``PointsRequiredToTheNextTier`` counts from.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from . import loyalty
from .clock import format_timestamp, parse_timestamp
from .money import to_decimal
from .state import EmulatorState

#: Talon.One's ``TypeOfChange`` for changes the rules engine made.
RULE_ENGINE = "rule_engine"
#: Talon.One sends at most this many entries in one notification's ``Data``.
BATCH_SIZE = 1000


def _left(earning: Mapping[str, Any]) -> Decimal:
    """What of an earning is neither spent nor rolled back."""
    return (
        to_decimal(earning["points"])
        - to_decimal(earning["spent"])
        - to_decimal(earning["rolledBack"])
    )


def points_changed(
    state: EmulatorState,
    *,
    added: bool,
    profile_id: str,
    props: Mapping[str, Any],
    amount: Decimal,
    reason: str,
    session_id: str,
) -> None:
    """Queue ``LoyaltyPointsAdded`` (``added``) or ``LoyaltyPointsDeducted`` for one
    ledger transaction; ``props`` are the effect's (program, sub-ledger, dates, id)."""
    body: dict[str, Any] = {
        "NotificationType": "LoyaltyPointsAdded" if added else "LoyaltyPointsDeducted",
        "ProfileIntegrationID": profile_id,
        "LoyaltyProgramID": int(props["programId"]),
        "SubledgerID": props.get("subLedgerId", loyalty.MAIN_SUBLEDGER),
        "Amount": amount,
        "Reason": reason,
        "TypeOfChange": RULE_ENGINE,
        "Operation": "addition" if added else "subtraction",
        "SessionIntegrationID": session_id,
        "TransactionUUID": props["transactionUUID"],
    }
    for key in ("startDate", "expiryDate"):
        if props.get(key):
            body[key[0].upper() + key[1:]] = props[key]
    state.announce(body)


def tiers(state: EmulatorState, profile_id: str) -> dict[int, int | None]:
    """Program id -> the profile's tier position, for the tiered programs it joined."""
    books: Mapping[str, Any] = state.data["loyalty"].get(profile_id, {}) if profile_id else {}
    found: dict[int, int | None] = {}
    for spec in state.config["loyaltyPrograms"]:
        if spec["tiers"] and str(spec["id"]) in books:
            earned = loyalty.earned_points(state, profile_id, spec["id"])
            found[spec["id"]] = loyalty.tier_index(spec, earned)
    return found


def tier_changes(state: EmulatorState, profile_id: str, before: Mapping[int, int | None]) -> None:
    """Queue ``TierUpgrade`` / ``TierDowngrade`` for each program whose tier moved since
    ``before`` (what :func:`tiers` said ahead of the change)."""
    for program_id, new in tiers(state, profile_id).items():
        old = before.get(program_id)
        if new == old:
            continue
        spec = loyalty.program(state, program_id)
        names = [tier["name"] for tier in spec["tiers"]]
        earned = loyalty.earned_points(state, profile_id, program_id)
        upgrade = old is None or (new is not None and new > old)
        entry: dict[str, Any] = {
            "CustomerProfileID": profile_id,
            "LoyaltyProgramID": program_id,
            "SubledgerID": loyalty.MAIN_SUBLEDGER,
            "CurrentTier": None if new is None else names[new],
            "OldTier": None if old is None else names[old],
            "CurrentPoints": earned,
            "TimestampOfTierChange": state.now_text(),
        }
        following = 0 if new is None else new + 1
        if upgrade and following < len(names):
            entry["NextTier"] = names[following]
            entry["PointsRequiredToTheNextTier"] = spec["tiers"][following]["minPoints"] - earned
        state.announce(
            {
                "NotificationType": "TierUpgrade" if upgrade else "TierDowngrade",
                "TotalResultSize": 1,
                "Data": [entry],
            }
        )


def pending_to_active(state: EmulatorState, before: datetime, after: datetime) -> None:
    """Queue ``LoyaltyPointsPendingToActive`` for the earnings whose activation date the
    clock passed moving from ``before`` to ``after`` (what of them is not rolled back),
    at most :data:`BATCH_SIZE` per notification."""
    entries: list[dict[str, Any]] = []
    for profile_id, books in state.data["loyalty"].items():
        for program_id, book in books.items():
            for earning in book["earned"]:
                start = earning.get("startDate")
                if start is None or not before < parse_timestamp(start) <= after:
                    continue
                left = _left(earning)
                if left <= 0:
                    continue
                entry: dict[str, Any] = {
                    "LoyaltyProgramID": int(program_id),
                    "SubledgerID": loyalty.MAIN_SUBLEDGER,
                    "CustomerProfileID": profile_id,
                    "Points": left,
                    "ActiveOn": format_timestamp(parse_timestamp(start)),
                    "SessionIntegrationID": earning["sessionId"],
                }
                if earning.get("expiryDate"):
                    entry["ExpireOn"] = earning["expiryDate"]
                entries.append(entry)
    _batches(state, "LoyaltyPointsPendingToActive", entries)


def expiring(state: EmulatorState, before: datetime, after: datetime) -> None:
    """Queue ``LoyaltyPointsExpiring`` for the reminders the clock passed moving from
    ``before`` to ``after``: each of a program's ``expiryNoticeDays`` ahead of an expiry
    still to come, the points left to expire then summed per profile and date."""
    notices = {spec["id"]: spec["expiryNoticeDays"] for spec in state.config["loyaltyPrograms"]}
    due: dict[tuple[str, int, str], Decimal] = {}
    for profile_id, books in state.data["loyalty"].items():
        for program_id, book in books.items():
            for earning in book["earned"]:
                expiry, start = earning.get("expiryDate"), earning.get("startDate")
                if expiry is None or parse_timestamp(expiry) <= after:
                    continue  # expired by now: too late for a reminder
                if start is not None and parse_timestamp(start) > after:
                    continue  # still pending: not active points yet
                left = _left(earning)
                moment = parse_timestamp(expiry)
                days = notices.get(int(program_id), [])
                if left <= 0 or not any(before < moment - timedelta(days=n) <= after for n in days):
                    continue
                key = (profile_id, int(program_id), moment.date().isoformat())
                due[key] = due.get(key, Decimal(0)) + left
    entries = [
        {
            "ExpiryDate": day,
            "LoyaltyProgramID": program_id,
            "CustomerProfileID": profile_id,
            "AmountOfExpiringPoints": amount,
            "SubledgerID": loyalty.MAIN_SUBLEDGER,
        }
        for (profile_id, program_id, day), amount in due.items()
    ]
    _batches(state, "LoyaltyPointsExpiring", entries)


def _batches(state: EmulatorState, kind: str, entries: list[dict[str, Any]]) -> None:
    for first in range(0, len(entries), BATCH_SIZE):
        batch = entries[first : first + BATCH_SIZE]
        state.announce({"NotificationType": kind, "TotalResultSize": len(batch), "Data": batch})
