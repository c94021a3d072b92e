"""The coupon wallet as the shop sees it: typed, immutable, Decimal for money.

Talon.One's CustomerInventory is a loose bag of optional fields; these classes are what the
template tag, the API and shop code read instead, so none of them repeats the parsing or
trips over a missing key. A :class:`Wallet` with ``available=False`` stands for "Talon.One
could not tell us right now" and is rendered as such, never as "you have no coupons".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "CODE_STATES",
    "CodeState",
    "Giveaway",
    "LoyaltyProgram",
    "Wallet",
    "WalletCoupon",
    "WalletReferral",
]

CodeState = Literal["active", "pending", "used", "expired", "disabled"]
#: Every state, in the order a wallet lists them (usable codes first).
CODE_STATES: tuple[CodeState, ...] = ("active", "pending", "used", "expired", "disabled")


def _no_attributes() -> Mapping[str, Any]:
    return MappingProxyType({})


class _Code:
    """What coupons and referral codes share: a state and an optional usage limit."""

    state: CodeState
    usage_limit: int | None
    usage_count: int

    @property
    def uses_left(self) -> int | None:
        if self.usage_limit is None:
            return None
        return max(0, self.usage_limit - self.usage_count)

    @property
    def is_active(self) -> bool:
        return self.state == "active"


@dataclass(frozen=True)
class WalletCoupon(_Code):
    """One coupon the profile holds (reserved, addressed to it, or redeemed by it).

    ``code`` is Talon.One's coupon ``value``. ``usage_limit`` and ``uses_left`` are ``None``
    for a coupon that can be redeemed without limit; ``discount_limit`` and
    ``discount_remaining`` are ``None`` when the coupon has no budget of its own.
    """

    code: str
    campaign_id: int
    state: CodeState
    usage_limit: int | None = None
    usage_count: int = 0
    redeemed_by_profile: int = 0
    discount_limit: Decimal | None = None
    discount_remaining: Decimal | None = None
    starts_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    attributes: Mapping[str, Any] = field(default_factory=_no_attributes, compare=False)

    @property
    def still_applies(self) -> bool:
        """Talon.One calls a coupon ``used`` once this profile redeemed it, even when the
        coupon has no redemption limit: such a coupon still applies until it expires, and
        a wallet must not tell the shopper it is spent."""
        if self.state != "used" or self.usage_limit is not None:
            return False
        return self.expires_at is None or dt.datetime.now(dt.timezone.utc) < self.expires_at

    @property
    def shown_state(self) -> CodeState:
        """The state to show the shopper: ``active`` for a used coupon that still applies."""
        return "active" if self.still_applies else self.state


@dataclass(frozen=True)
class WalletReferral(_Code):
    """A referral code the profile hands out to friends (it is the advocate)."""

    code: str
    campaign_id: int
    state: CodeState
    usage_limit: int | None = None
    usage_count: int = 0
    friends_referred: int = 0
    starts_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None


@dataclass(frozen=True)
class LoyaltyProgram:
    """The profile's balance in one loyalty program (points, not money)."""

    program_id: int
    name: str
    title: str
    current_balance: Decimal
    pending_balance: Decimal = Decimal(0)
    spent_balance: Decimal = Decimal(0)
    expired_balance: Decimal = Decimal(0)
    tier: str | None = None


@dataclass(frozen=True)
class Giveaway:
    """A giveaway code (a gift card, a voucher from a partner) awarded to the profile."""

    code: str
    pool_id: int | None = None
    used: bool = False
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None


@dataclass(frozen=True)
class Wallet:
    """A profile's coupons, referral codes, loyalty balances and giveaways.

    ``available`` is ``False`` when Talon.One could not be asked (anonymous shopper,
    timeout, outage, an unreadable reply): the sections are then empty and say nothing
    about what the shopper really holds.
    """

    available: bool
    profile_id: str = ""
    #: The Application the wallet was read from (``"*"``: merged from every one).
    application: str = "default"
    coupons: tuple[WalletCoupon, ...] = ()
    referrals: tuple[WalletReferral, ...] = ()
    loyalty: tuple[LoyaltyProgram, ...] = ()
    giveaways: tuple[Giveaway, ...] = ()

    @classmethod
    def unavailable(cls, profile_id: str = "", application: str = "default") -> Wallet:
        return cls(available=False, profile_id=profile_id, application=application)

    @property
    def active_coupons(self) -> tuple[WalletCoupon, ...]:
        return tuple(c for c in self.coupons if c.is_active or c.still_applies)

    @property
    def is_empty(self) -> bool:
        return not (self.coupons or self.referrals or self.loyalty or self.giveaways)
