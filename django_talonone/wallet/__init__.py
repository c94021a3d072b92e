"""The shopper's coupon wallet: coupons, referral codes, loyalty balances and giveaways.

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
    CODE_STATES,
    CodeState,
    Giveaway,
    LoyaltyProgram,
    Wallet,
    WalletCoupon,
    WalletReferral,
)

__all__ = [
    "ALL_APPLICATIONS",
    "CODE_STATES",
    "CodeState",
    "Giveaway",
    "InventoryError",
    "LoyaltyProgram",
    "Wallet",
    "WalletCoupon",
    "WalletReferral",
    "get_wallet",
    "invalidate_wallet",
    "parse_inventory",
    "wallet_cache_key",
    "wallet_for_user",
]
