"""The wallet as the shop sees it: typed, immutable, Decimal for money.

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
    "ACHIEVEMENT_STATUSES",
    "CODE_STATES",
    "Achievement",
    "AchievementStatus",
    "CodeState",
    "Giveaway",
    "LoyaltyProgram",
    "PendingPoints",
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
class PendingPoints:
    """Points one order earned that become spendable on ``activates_at``.

    Talon.One's inventory gives only the pending *total*; these entries come from the
    orders this shop closed (see ``docs/wallet.md``), so points granted elsewhere (the
    Campaign Manager, another shop) are in ``pending_balance`` but not listed here.
    """

    program_id: int
    points: Decimal
    activates_at: dt.datetime
    expires_at: dt.datetime | None = None
    session_id: str = ""


@dataclass(frozen=True)
class LoyaltyProgram:
    """The profile's balances and tier in one loyalty program (points, not money).

    ``current_balance`` is what the shopper may spend now. ``pending_balance`` waits out
    the program's activation delay (often the return window); ``pending`` lists it per
    order with the activation date, as far as this shop knows. ``expiring_soon`` is how
    many active points expire before ``expiring_by``. ``negative_balance`` counts points
    spent that a return or cancel later took back. ``next_tier`` and
    ``points_to_next_tier`` say how far the next tier is (``None`` at the top tier).
    """

    program_id: int
    name: str
    title: str
    current_balance: Decimal
    pending_balance: Decimal = Decimal(0)
    spent_balance: Decimal = Decimal(0)
    expired_balance: Decimal = Decimal(0)
    tier: str | None = None
    negative_balance: Decimal = Decimal(0)
    tentative_balance: Decimal | None = None
    tier_id: int | None = None
    next_tier: str | None = None
    points_to_next_tier: Decimal | None = None
    joined_at: dt.datetime | None = None
    pending: tuple[PendingPoints, ...] = ()
    expiring_soon: Decimal = Decimal(0)
    expiring_by: dt.datetime | None = None

    @property
    def active_balance(self) -> Decimal:
        """The points the shopper can spend now (``current_balance``)."""
        return self.current_balance

    @property
    def is_top_tier(self) -> bool:
        return self.tier is not None and self.next_tier is None


@dataclass(frozen=True)
class Giveaway:
    """A giveaway code (a gift card, a voucher from a partner) awarded to the profile."""

    code: str
    pool_id: int | None = None
    used: bool = False
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    giveaway_id: int | None = None
    awarded_at: dt.datetime | None = None
    attributes: Mapping[str, Any] = field(default_factory=_no_attributes, compare=False)


AchievementStatus = Literal["inprogress", "completed", "expired", "not_started"]
#: Every status Talon.One documents; another one is shown as ``inprogress``.
ACHIEVEMENT_STATUSES: tuple[AchievementStatus, ...] = (
    "inprogress",
    "completed",
    "expired",
    "not_started",
)


@dataclass(frozen=True)
class Achievement:
    """The profile's progress towards one achievement (``progress`` out of ``target``)."""

    achievement_id: int
    name: str
    title: str
    campaign_id: int
    status: AchievementStatus
    progress: Decimal
    target: Decimal | None = None
    description: str = ""
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None

    @property
    def is_completed(self) -> bool:
        return self.status == "completed"

    @property
    def percent(self) -> int | None:
        """Whole percent of the target reached (``None`` without a target)."""
        if not self.target:
            return None
        return min(100, int(self.progress * 100 / self.target))


@dataclass(frozen=True)
class Wallet:
    """A profile's coupons, referral codes, loyalty balances, giveaways and achievements.

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
    achievements: tuple[Achievement, ...] = ()

    @classmethod
    def unavailable(cls, profile_id: str = "", application: str = "default") -> Wallet:
        return cls(available=False, profile_id=profile_id, application=application)

    @property
    def active_coupons(self) -> tuple[WalletCoupon, ...]:
        return tuple(c for c in self.coupons if c.is_active or c.still_applies)

    @property
    def is_empty(self) -> bool:
        return not (
            self.coupons or self.referrals or self.loyalty or self.giveaways or self.achievements
        )

    def program(self, name_or_id: str | int) -> LoyaltyProgram | None:
        """The loyalty program by name or id, or ``None`` when the profile is not in it."""
        for program in self.loyalty:
            if name_or_id in (program.name, program.program_id):
                return program
        return None
