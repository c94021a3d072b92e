"""Profile-based loyalty ledgers: points earned, spent, rolled back, activated, expired.

A profile's ledger in a program is a list of *earnings* (one per ``addLoyaltyPoints`` a
closed session carried) and *spendings* (one per ``deductLoyaltyPoints``). Nothing is
pre-computed: balances are read from the transactions against the state's clock, so
moving the clock is all it takes for pending points to become active or for active
points to expire.

- An earning is *pending* before its ``startDate`` (the program's ``pendingDays``, the
  return window), *active* until its ``expiryDate`` (``expiryDays`` after activation),
  then *expired*; what of it is left unspent counts in that balance.
- A spending takes active points, the earliest expiry first, points that never expire
  last, older before newer among those (the order Talon.One documents), and remembers
  which earnings it took them from, so a rollback can put them back.
- Rolling back an earning takes its points back. Points of it already spent cannot be
  taken back: they show as ``negativeBalance``.
- The tier follows the points earned in the program (pending included, rollbacks taken
  off; spending and expiry do not lower it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from .clock import format_timestamp, parse_timestamp
from .money import ZERO, to_decimal
from .state import EmulatorState

#: Profile-based programs have one ledger; its sub-ledger id is the empty string.
MAIN_SUBLEDGER = ""
#: Effects that change a ledger once their session closes.
LEDGER_EFFECTS = ("addLoyaltyPoints", "deductLoyaltyPoints")
#: Tier ids are the program id times this, plus the tier's position from 1.
TIER_ID_BASE = 1000


def program(state: EmulatorState, program_id: int) -> dict[str, Any]:
    """The configured program (references were checked when the config loaded)."""
    found: dict[str, Any] = next(
        p for p in state.config["loyaltyPrograms"] if p["id"] == program_id
    )
    return found


def ledger(
    state: EmulatorState, profile_id: str, program_id: int, *, create: bool = False
) -> dict[str, Any] | None:
    """The profile's ledger in a program; ``create`` joins the profile to the program.

    Without ``create`` nothing is written, so the engine's reads leave the state as it was.
    """
    every: dict[str, dict[str, Any]] = state.data["loyalty"]
    if create:
        ledgers = every.setdefault(profile_id, {})
        joined: dict[str, Any] = ledgers.setdefault(
            str(program_id), {"joinDate": state.now_text(), "earned": [], "spent": []}
        )
        return joined
    found: dict[str, Any] | None = every.get(profile_id, {}).get(str(program_id))
    return found


def point_dates(state: EmulatorState, spec: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``(startDate, expiryDate)`` for points earned now in the program ``spec``."""
    now = state.now()
    start = now + timedelta(days=spec["pendingDays"]) if spec["pendingDays"] else None
    expiry = None
    if spec["expiryDays"] is not None:
        expiry = (start or now) + timedelta(days=spec["expiryDays"])
    return (
        None if start is None else format_timestamp(start),
        None if expiry is None else format_timestamp(expiry),
    )


def _left(earning: Mapping[str, Any]) -> Decimal:
    return (
        to_decimal(earning["points"])
        - to_decimal(earning["spent"])
        - to_decimal(earning["rolledBack"])
    )


def _status(earning: Mapping[str, Any], now: datetime) -> str:
    start, expiry = earning.get("startDate"), earning.get("expiryDate")
    if start is not None and now < parse_timestamp(start):
        return "pending"
    if expiry is not None and now >= parse_timestamp(expiry):
        return "expired"
    return "active"


def balances(state: EmulatorState, book: Mapping[str, Any]) -> dict[str, Decimal]:
    """``active``, ``pending``, ``expired``, ``spent``, ``negative`` and ``earned`` now."""
    now = state.now()
    totals = dict.fromkeys(("active", "pending", "expired", "negative"), ZERO)
    earned = ZERO
    for earning in book["earned"]:
        earned += to_decimal(earning["points"]) - to_decimal(earning["rolledBack"])
        left = _left(earning)
        if left < 0:
            totals["negative"] -= left
        elif left > 0:
            totals[_status(earning, now)] += left
    spent = sum(
        (to_decimal(s["points"]) for s in book["spent"] if not s["rolledBack"]),
        ZERO,
    )
    return {**totals, "spent": spent, "earned": earned}


def active_balance(state: EmulatorState, profile_id: str, program_id: int) -> Decimal:
    """Points the profile may spend now (0 without a ledger)."""
    book = ledger(state, profile_id, program_id) if profile_id else None
    return ZERO if book is None else balances(state, book)["active"]


def earned_points(state: EmulatorState, profile_id: str, program_id: int) -> Decimal:
    """Points earned in the program and not rolled back (what tiers are reached on)."""
    book = ledger(state, profile_id, program_id) if profile_id else None
    return ZERO if book is None else balances(state, book)["earned"]


def tier_index(spec: Mapping[str, Any], earned: Decimal) -> int | None:
    """Position of the highest tier ``earned`` points reach, else ``None``."""
    reached = [i for i, tier in enumerate(spec["tiers"]) if earned >= tier["minPoints"]]
    return reached[-1] if reached else None


def earn(state: EmulatorState, profile_id: str, props: Mapping[str, Any], session_id: str) -> None:
    """Record the points an ``addLoyaltyPoints`` effect of a closing session carries."""
    book = ledger(state, profile_id, int(props["programId"]), create=True)
    assert book is not None
    book["earned"].append(
        {
            "transactionUUID": props["transactionUUID"],
            "sessionId": session_id,
            "points": to_decimal(props["value"]),
            "created": state.now_text(),
            "startDate": props.get("startDate"),
            "expiryDate": props.get("expiryDate"),
            "spent": ZERO,
            "rolledBack": ZERO,
        }
    )


def spend(state: EmulatorState, profile_id: str, props: Mapping[str, Any], session_id: str) -> None:
    """Take a ``deductLoyaltyPoints`` effect's points from active earnings, in order."""
    book = ledger(state, profile_id, int(props["programId"]), create=True)
    assert book is not None
    now = state.now()
    active = [e for e in book["earned"] if _left(e) > 0 and _status(e, now) == "active"]
    never = "9999-12-31T23:59:59Z"
    active.sort(key=lambda e: parse_timestamp(e.get("expiryDate") or never))
    wanted = to_decimal(props["value"])
    taken: list[dict[str, Any]] = []
    for earning in active:
        if wanted <= 0:
            break
        part = min(wanted, _left(earning))
        earning["spent"] = to_decimal(earning["spent"]) + part
        taken.append({"transactionUUID": earning["transactionUUID"], "points": part})
        wanted -= part
    book["spent"].append(
        {
            "transactionUUID": props["transactionUUID"],
            "sessionId": session_id,
            "points": to_decimal(props["value"]) - wanted,
            "created": state.now_text(),
            "from": taken,
            "rolledBack": False,
        }
    )


def take_back_earned(
    state: EmulatorState, profile_id: str, program_id: int, uuid: str, points: Decimal
) -> None:
    """Roll back ``points`` of one earning (spent points become a negative balance)."""
    book = ledger(state, profile_id, program_id)
    for earning in book["earned"] if book else []:
        if earning["transactionUUID"] == uuid:
            earning["rolledBack"] = to_decimal(earning["rolledBack"]) + points


def give_back_spent(state: EmulatorState, profile_id: str, program_id: int, uuid: str) -> None:
    """Undo one spending: its points go back to the earnings they came from."""
    book = ledger(state, profile_id, program_id)
    if book is None:
        return
    earnings = {e["transactionUUID"]: e for e in book["earned"]}
    for spending in book["spent"]:
        if spending["transactionUUID"] != uuid or spending["rolledBack"]:
            continue
        spending["rolledBack"] = True
        for part in spending["from"]:
            earning = earnings[part["transactionUUID"]]
            earning["spent"] = to_decimal(earning["spent"]) - to_decimal(part["points"])


def _tier_fields(spec: Mapping[str, Any], earned: Decimal) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    index = tier_index(spec, earned)
    tiers = spec["tiers"]
    if index is not None:
        fields["currentTier"] = {
            "id": spec["id"] * TIER_ID_BASE + index + 1,
            "name": tiers[index]["name"],
        }
    following = 0 if index is None else index + 1
    if following < len(tiers):
        fields["nextTierName"] = tiers[following]["name"]
        fields["pointsToNextTier"] = tiers[following]["minPoints"] - earned
    return fields


def loyalty_view(
    state: EmulatorState, profile_id: str, open_effects: Iterable[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """``{"programs": {name: LoyaltyProgramLedgers}}`` for the programs the profile joined.

    ``open_effects`` are the effects of a session still open: they are not in the ledger
    yet, and count only in the ``tentative`` balances.
    """
    programs: dict[str, Any] = {}
    books: dict[str, dict[str, Any]] = state.data["loyalty"].get(profile_id, {})
    pending_now = [e for e in open_effects if e["effectType"] in LEDGER_EFFECTS]
    for spec in state.config["loyaltyPrograms"]:
        book = books.get(str(spec["id"]))
        if book is None:
            continue
        totals = balances(state, book)
        tentative_active, tentative_pending = totals["active"], totals["pending"]
        for effect in pending_now:
            props = effect["props"]
            if props["programId"] != spec["id"]:
                continue
            value = to_decimal(props["value"])
            if effect["effectType"] == "deductLoyaltyPoints":
                tentative_active -= value
            elif props.get("startDate"):
                tentative_pending += value
            else:
                tentative_active += value
        info: dict[str, Any] = {
            "currentBalance": totals["active"],
            "pendingBalance": totals["pending"],
            "expiredBalance": totals["expired"],
            "spentBalance": totals["spent"],
            "negativeBalance": totals["negative"],
            "tentativeCurrentBalance": tentative_active,
            "tentativePendingBalance": tentative_pending,
            "tentativeNegativeBalance": totals["negative"],
        }
        info.update(_tier_fields(spec, totals["earned"]))
        programs[spec["name"]] = {
            "id": spec["id"],
            "title": spec["title"],
            "name": spec["name"],
            "joinDate": book["joinDate"],
            "ledger": info,
        }
    return {"programs": programs}
