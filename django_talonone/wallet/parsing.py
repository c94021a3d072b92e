"""Turning a GetCustomerInventory reply into a :class:`~.types.Wallet`.

Talon.One's reply is trusted for meaning, not for shape: every field is checked, and a
reply that cannot be read raises :class:`InventoryError` naming the field, which the
service turns into an unavailable wallet (the shopper sees "try again later", the log says
exactly what was wrong). Optional fields that are missing simply stay ``None``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from django.utils.dateparse import parse_datetime

from .types import (
    CODE_STATES,
    CodeState,
    Giveaway,
    LoyaltyProgram,
    Wallet,
    WalletCoupon,
    WalletReferral,
)

__all__ = ["InventoryError", "parse_inventory"]


class InventoryError(ValueError):
    """The inventory reply does not have the shape Talon.One documents."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"inventory reply: {path}: {problem}")
        self.path = path


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InventoryError(path, f"expected an object, got {type(value).__name__}")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InventoryError(path, f"expected a list, got {type(value).__name__}")
    return value


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise InventoryError(path, "expected a non-empty string")
    return value


def _integer(value: Any, path: str, *, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or value != int(value):
        raise InventoryError(path, f"expected an integer, got {value!r}")
    return int(value)


def _limit(value: Any, path: str) -> int | None:
    """A usage limit: Talon.One's 0 (or no value) means unlimited."""
    limit = _integer(value, path, default=0)
    return limit or None


def _decimal(value: Any, path: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise InventoryError(path, f"expected a number, got {value!r}")
    try:
        number = Decimal(str(value)) if isinstance(value, (int, float, str)) else value
    except InvalidOperation:
        raise InventoryError(path, f"expected a number, got {value!r}") from None
    if not isinstance(number, Decimal) or not number.is_finite():
        raise InventoryError(path, f"expected a number, got {value!r}")
    return number


def _datetime(value: Any, path: str) -> dt.datetime | None:
    if value is None:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise InventoryError(path, f"expected an RFC 3339 date-time, got {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed


def _derived_state(
    *,
    now: dt.datetime,
    starts_at: dt.datetime | None,
    expires_at: dt.datetime | None,
    spent: bool,
) -> CodeState:
    """The display state Talon.One documents for coupons, for codes that carry none."""
    if starts_at is not None and now < starts_at:
        return "pending"
    if spent:
        return "used"
    if expires_at is not None and now >= expires_at:
        return "expired"
    return "active"


def _coupon(raw: Any, path: str, now: dt.datetime) -> WalletCoupon:
    data = _mapping(raw, path)
    usage_limit = _limit(data.get("usageLimit"), f"{path}.usageLimit")
    usage_count = _integer(data.get("usageCounter"), f"{path}.usageCounter", default=0)
    redeemed = _integer(
        data.get("profileRedemptionCount"), f"{path}.profileRedemptionCount", default=0
    )
    discount_limit = _decimal(data.get("discountLimit"), f"{path}.discountLimit")
    remaining = _decimal(data.get("discountRemainder"), f"{path}.discountRemainder")
    if remaining is None and discount_limit:
        spent = _decimal(data.get("discountCounter"), f"{path}.discountCounter") or Decimal(0)
        remaining = max(Decimal(0), discount_limit - spent)
    starts_at = _datetime(data.get("startDate"), f"{path}.startDate")
    expires_at = _datetime(data.get("expiryDate"), f"{path}.expiryDate")
    state = data.get("state")
    if state not in CODE_STATES:  # absent, or a state newer than this code knows
        limit_spent = usage_limit is not None and usage_count >= usage_limit
        state = _derived_state(
            now=now, starts_at=starts_at, expires_at=expires_at, spent=bool(redeemed) or limit_spent
        )
    attributes = data.get("attributes")
    return WalletCoupon(
        code=_text(data.get("value"), f"{path}.value"),
        campaign_id=_integer(data.get("campaignId"), f"{path}.campaignId"),
        state=state,
        usage_limit=usage_limit,
        usage_count=usage_count,
        redeemed_by_profile=redeemed,
        discount_limit=discount_limit or None,
        discount_remaining=remaining if discount_limit else None,
        starts_at=starts_at,
        expires_at=expires_at,
        attributes=MappingProxyType(dict(_mapping(attributes, f"{path}.attributes")))
        if attributes is not None
        else MappingProxyType({}),
    )


def _referral(raw: Any, path: str, now: dt.datetime) -> WalletReferral:
    data = _mapping(raw, path)
    usage_limit = _limit(data.get("usageLimit"), f"{path}.usageLimit")
    usage_count = _integer(data.get("usageCounter"), f"{path}.usageCounter", default=0)
    starts_at = _datetime(data.get("startDate"), f"{path}.startDate")
    expires_at = _datetime(data.get("expiryDate"), f"{path}.expiryDate")
    friends = _list(data.get("referredCustomers"), f"{path}.referredCustomers")
    return WalletReferral(
        code=_text(data.get("code"), f"{path}.code"),
        campaign_id=_integer(data.get("campaignId"), f"{path}.campaignId"),
        state=_derived_state(
            now=now,
            starts_at=starts_at,
            expires_at=expires_at,
            spent=usage_limit is not None and usage_count >= usage_limit,
        ),
        usage_limit=usage_limit,
        usage_count=usage_count,
        friends_referred=len(friends),
        starts_at=starts_at,
        expires_at=expires_at,
    )


def _loyalty(raw: Any, path: str) -> list[LoyaltyProgram]:
    if raw is None:
        return []
    programs = _mapping(_mapping(raw, path).get("programs") or {}, f"{path}.programs")
    found = []
    for key, value in programs.items():
        where = f"{path}.programs[{key!r}]"
        program = _mapping(value, where)
        ledger = _mapping(program.get("ledger") or {}, f"{where}.ledger")
        tier = ledger.get("currentTier")
        tier_name = _mapping(tier, f"{where}.ledger.currentTier").get("name") if tier else None

        def balance(name: str, ledger: Mapping[str, Any] = ledger, where: str = where) -> Decimal:
            return _decimal(ledger.get(name), f"{where}.ledger.{name}") or Decimal(0)

        found.append(
            LoyaltyProgram(
                program_id=_integer(program.get("id"), f"{where}.id"),
                name=str(program.get("name") or key),
                title=str(program.get("title") or program.get("name") or key),
                current_balance=balance("currentBalance"),
                pending_balance=balance("pendingBalance"),
                spent_balance=balance("spentBalance"),
                expired_balance=balance("expiredBalance"),
                tier=str(tier_name) if tier_name else None,
            )
        )
    return found


def _giveaway(raw: Any, path: str) -> Giveaway:
    data = _mapping(raw, path)
    pool = data.get("poolId")
    return Giveaway(
        code=_text(data.get("code"), f"{path}.code"),
        pool_id=None if pool is None else _integer(pool, f"{path}.poolId"),
        used=bool(data.get("used")),
        starts_at=_datetime(data.get("startDate"), f"{path}.startDate"),
        ends_at=_datetime(data.get("endDate"), f"{path}.endDate"),
    )


def _ordered(items: list[Any]) -> tuple[Any, ...]:
    """Usable codes first (by state), soonest expiry first within a state."""
    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    return tuple(
        sorted(
            items,
            key=lambda item: (CODE_STATES.index(item.state), item.expires_at or far),
        )
    )


def parse_inventory(profile_id: str, reply: Any, *, now: dt.datetime) -> Wallet:
    """The :class:`Wallet` a GetCustomerInventory reply describes (``now`` dates states)."""
    data = _mapping(reply if reply is not None else {}, "reply")
    coupons = [
        _coupon(raw, f"coupons[{index}]", now)
        for index, raw in enumerate(_list(data.get("coupons"), "coupons"))
    ]
    referrals = [
        _referral(raw, f"referrals[{index}]", now)
        for index, raw in enumerate(_list(data.get("referrals"), "referrals"))
    ]
    giveaways = [
        _giveaway(raw, f"giveaways[{index}]")
        for index, raw in enumerate(_list(data.get("giveaways"), "giveaways"))
    ]
    return Wallet(
        available=True,
        profile_id=profile_id,
        coupons=_ordered(coupons),
        referrals=_ordered(referrals),
        loyalty=tuple(_loyalty(data.get("loyalty"), "loyalty")),
        giveaways=tuple(giveaways),
    )
