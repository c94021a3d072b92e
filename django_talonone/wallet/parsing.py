"""Turning a GetCustomerInventory reply into a :class:`~.types.Wallet`.

Talon.One's reply is trusted for meaning, not for shape: every field is checked, and a
reply that cannot be read raises :class:`InventoryError` naming the field, which the
service turns into an unavailable wallet (the shopper sees "try again later", the log says
exactly what was wrong). Optional fields that are missing simply stay ``None``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .fields import (
    InventoryError,
    _datetime,
    _decimal,
    _integer,
    _limit,
    _list,
    _mapping,
    _text,
)
from .rewards import parse_achievements, parse_giveaways, parse_loyalty
from .types import CODE_STATES, CodeState, Wallet, WalletCoupon, WalletReferral

__all__ = ["InventoryError", "parse_inventory"]


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
    return Wallet(
        available=True,
        profile_id=profile_id,
        coupons=_ordered(coupons),
        referrals=_ordered(referrals),
        loyalty=tuple(parse_loyalty(data.get("loyalty"))),
        giveaways=tuple(parse_giveaways(data.get("giveaways"))),
        achievements=tuple(parse_achievements(data.get("achievements"))),
    )
