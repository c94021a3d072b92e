"""The shopper's wallet: coupons, referral codes, loyalty points, giveaways, achievements.

Read it in Python with :func:`get_wallet` (by Talon.One profile id) or
:func:`wallet_for_user`, in templates with ``{% load talonone %}`` and
``{% coupon_wallet request.user as wallet %}``, and over HTTP from ``django_talonone.api``.
See ``docs/wallet.md``.
"""

from __future__ import annotations

from .parsing import InventoryError, parse_inventory
from .service import (
    ALL_APPLICATIONS,
    get_wallet,
    invalidate_wallet,
    wallet_cache_key,
    wallet_for_user,
)
from .types import (
    ACHIEVEMENT_STATUSES,
    CODE_STATES,
    Achievement,
    AchievementStatus,
    CodeState,
    Giveaway,
    LoyaltyProgram,
    PendingPoints,
    Wallet,
    WalletCoupon,
    WalletReferral,
)

__all__ = [
    "ACHIEVEMENT_STATUSES",
    "ALL_APPLICATIONS",
    "CODE_STATES",
    "Achievement",
    "AchievementStatus",
    "CodeState",
    "Giveaway",
    "InventoryError",
    "LoyaltyProgram",
    "PendingPoints",
    "Wallet",
    "WalletCoupon",
    "WalletReferral",
    "get_wallet",
    "invalidate_wallet",
    "parse_inventory",
    "wallet_cache_key",
    "wallet_for_user",
]
