"""The reward sections of an inventory reply: loyalty ledgers, giveaways, achievements.

Read from today's GetCustomerInventory shapes (``loyalty.programs``' LedgerInfo with its
tier fields, Giveaway, AchievementProgress), and from the older hand-made replies the
wallet accepted before: every field beyond the balances is optional, so a reply that
lacks it still parses. Points are ``Decimal`` like money: programs may grant fractions.
"""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .fields import _datetime, _decimal, _integer, _list, _mapping, _text
from .types import ACHIEVEMENT_STATUSES, Achievement, AchievementStatus, Giveaway, LoyaltyProgram

__all__ = ["parse_achievements", "parse_giveaways", "parse_loyalty"]


def _optional_text(value: Any, path: str) -> str | None:
    if value is None or value == "":
        return None
    return _text(value, path)


def _program(key: str, raw: Any, where: str) -> LoyaltyProgram:
    program = _mapping(raw, where)
    ledger = _mapping(program.get("ledger") or {}, f"{where}.ledger")
    at = f"{where}.ledger"

    def points(name: str) -> Decimal:
        return _decimal(ledger.get(name), f"{at}.{name}") or Decimal(0)

    tier = ledger.get("currentTier")
    tier_data = _mapping(tier, f"{at}.currentTier") if tier else {}
    tier_id = tier_data.get("id")
    return LoyaltyProgram(
        program_id=_integer(program.get("id"), f"{where}.id"),
        name=str(program.get("name") or key),
        title=str(program.get("title") or program.get("name") or key),
        current_balance=points("currentBalance"),
        pending_balance=points("pendingBalance"),
        spent_balance=points("spentBalance"),
        expired_balance=points("expiredBalance"),
        negative_balance=points("negativeBalance"),
        tentative_balance=_decimal(
            ledger.get("tentativeCurrentBalance"), f"{at}.tentativeCurrentBalance"
        ),
        tier=_optional_text(tier_data.get("name"), f"{at}.currentTier.name"),
        tier_id=None if tier_id is None else _integer(tier_id, f"{at}.currentTier.id"),
        next_tier=_optional_text(ledger.get("nextTierName"), f"{at}.nextTierName"),
        points_to_next_tier=_decimal(ledger.get("pointsToNextTier"), f"{at}.pointsToNextTier"),
        joined_at=_datetime(program.get("joinDate"), f"{where}.joinDate"),
    )


def parse_loyalty(raw: Any, path: str = "loyalty") -> list[LoyaltyProgram]:
    """``loyalty.programs`` (profile-based programs), in the order Talon.One lists them.

    Card-based programs (``loyalty.cards``) belong to a card, not to the shopper's
    profile, and are not part of the wallet.
    """
    if raw is None:
        return []
    programs = _mapping(_mapping(raw, path).get("programs") or {}, f"{path}.programs")
    return [
        _program(str(key), value, f"{path}.programs[{key!r}]") for key, value in programs.items()
    ]


def _giveaway(raw: Any, path: str) -> Giveaway:
    data = _mapping(raw, path)
    pool = data.get("poolId")
    giveaway_id = data.get("id")
    attributes = data.get("attributes")
    return Giveaway(
        code=_text(data.get("code"), f"{path}.code"),
        pool_id=None if pool is None else _integer(pool, f"{path}.poolId"),
        used=bool(data.get("used")),
        starts_at=_datetime(data.get("startDate"), f"{path}.startDate"),
        ends_at=_datetime(data.get("endDate"), f"{path}.endDate"),
        giveaway_id=None if giveaway_id is None else _integer(giveaway_id, f"{path}.id"),
        awarded_at=_datetime(data.get("created"), f"{path}.created"),
        attributes=MappingProxyType(dict(_mapping(attributes, f"{path}.attributes")))
        if attributes is not None
        else MappingProxyType({}),
    )


def parse_giveaways(raw: Any, path: str = "giveaways") -> list[Giveaway]:
    """``giveaways``: the codes awarded to the profile, newest first."""
    found = [_giveaway(item, f"{path}[{index}]") for index, item in enumerate(_list(raw, path))]
    return sorted(found, key=lambda g: (g.awarded_at is None, g.awarded_at), reverse=True)


def _achievement(raw: Any, path: str) -> Achievement:
    data = _mapping(raw, path)
    status = data.get("status")
    known: AchievementStatus = status if status in ACHIEVEMENT_STATUSES else "inprogress"
    name = _text(data.get("name"), f"{path}.name")
    return Achievement(
        achievement_id=_integer(data.get("achievementId"), f"{path}.achievementId"),
        name=name,
        title=str(data.get("title") or name),
        campaign_id=_integer(data.get("campaignId"), f"{path}.campaignId"),
        status=known,
        progress=_decimal(data.get("progress"), f"{path}.progress") or Decimal(0),
        target=_decimal(data.get("target"), f"{path}.target"),
        description=str(data.get("description") or ""),
        started_at=_datetime(data.get("startDate"), f"{path}.startDate"),
        completed_at=_datetime(data.get("completionDate"), f"{path}.completionDate"),
        ends_at=_datetime(data.get("endDate"), f"{path}.endDate"),
    )


def parse_achievements(raw: Any, path: str = "achievements") -> list[Achievement]:
    """``achievements``: those in progress first, then completed, then the rest."""
    order = ("inprogress", "completed", "not_started", "expired")
    found = [_achievement(item, f"{path}[{index}]") for index, item in enumerate(_list(raw, path))]
    return sorted(found, key=lambda a: order.index(a.status))
