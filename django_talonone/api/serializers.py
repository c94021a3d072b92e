"""Read-only serializers of the wallet: exact decimal strings for money, no secrets.

They serialize the :mod:`django_talonone.wallet` dataclasses as they are; field names
match the Python attributes, so shop code and API clients read the same names. Nothing
identifying other shoppers (a referral's friends, a coupon's recipient) is exposed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers  # type: ignore[import-untyped]

from django_talonone.wallet import ACHIEVEMENT_STATUSES, CODE_STATES

__all__ = [
    "AchievementSerializer",
    "CouponSerializer",
    "GiveawaySerializer",
    "LoyaltyProgramSerializer",
    "MoneyField",
    "PendingPointsSerializer",
    "ReferralSerializer",
    "WalletSerializer",
]


class MoneyField(serializers.Field):  # type: ignore[misc]
    """A ``Decimal`` as its exact string (``"10.50"``, never ``10.5000000001`` or ``1E+1``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> str:
        return format(value, "f")


def _state() -> Any:
    return serializers.ChoiceField(choices=list(CODE_STATES), read_only=True)


class CouponSerializer(serializers.Serializer):  # type: ignore[misc]
    code = serializers.CharField(read_only=True)
    campaign_id = serializers.IntegerField(read_only=True)
    state = _state()
    usage_limit = serializers.IntegerField(read_only=True, allow_null=True)
    usage_count = serializers.IntegerField(read_only=True)
    uses_left = serializers.IntegerField(read_only=True, allow_null=True)
    redeemed_by_profile = serializers.IntegerField(read_only=True)
    #: True for a coupon Talon.One calls used that still applies (no redemption limit).
    still_applies = serializers.BooleanField(read_only=True)
    discount_limit = MoneyField(allow_null=True)
    discount_remaining = MoneyField(allow_null=True)
    starts_at = serializers.DateTimeField(read_only=True, allow_null=True)
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ReferralSerializer(serializers.Serializer):  # type: ignore[misc]
    code = serializers.CharField(read_only=True)
    campaign_id = serializers.IntegerField(read_only=True)
    state = _state()
    usage_limit = serializers.IntegerField(read_only=True, allow_null=True)
    usage_count = serializers.IntegerField(read_only=True)
    uses_left = serializers.IntegerField(read_only=True, allow_null=True)
    friends_referred = serializers.IntegerField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True, allow_null=True)
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True)


class PendingPointsSerializer(serializers.Serializer):  # type: ignore[misc]
    """Points of one order waiting for their activation date (the session id is left out)."""

    points = MoneyField()
    activates_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True)


class LoyaltyProgramSerializer(serializers.Serializer):  # type: ignore[misc]
    program_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    # Points, not money, but just as exact.
    current_balance = MoneyField()
    pending_balance = MoneyField()
    spent_balance = MoneyField()
    expired_balance = MoneyField()
    negative_balance = MoneyField()
    tentative_balance = MoneyField(allow_null=True)
    pending = PendingPointsSerializer(many=True, read_only=True)
    expiring_soon = MoneyField()
    expiring_by = serializers.DateTimeField(read_only=True, allow_null=True)
    tier = serializers.CharField(read_only=True, allow_null=True)
    next_tier = serializers.CharField(read_only=True, allow_null=True)
    points_to_next_tier = MoneyField(allow_null=True)
    joined_at = serializers.DateTimeField(read_only=True, allow_null=True)


class GiveawaySerializer(serializers.Serializer):  # type: ignore[misc]
    code = serializers.CharField(read_only=True)
    pool_id = serializers.IntegerField(read_only=True, allow_null=True)
    used = serializers.BooleanField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True, allow_null=True)
    ends_at = serializers.DateTimeField(read_only=True, allow_null=True)
    awarded_at = serializers.DateTimeField(read_only=True, allow_null=True)


class AchievementSerializer(serializers.Serializer):  # type: ignore[misc]
    achievement_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    campaign_id = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=list(ACHIEVEMENT_STATUSES), read_only=True)
    progress = MoneyField()
    target = MoneyField(allow_null=True)
    percent = serializers.IntegerField(read_only=True, allow_null=True)
    started_at = serializers.DateTimeField(read_only=True, allow_null=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    ends_at = serializers.DateTimeField(read_only=True, allow_null=True)


class WalletSerializer(serializers.Serializer):  # type: ignore[misc]
    """A :class:`~django_talonone.wallet.Wallet`; ``available: false`` means "ask later"."""

    available = serializers.BooleanField(read_only=True)
    profile = serializers.CharField(source="profile_id", read_only=True)
    application = serializers.CharField(read_only=True)
    coupons = CouponSerializer(many=True, read_only=True)
    referrals = ReferralSerializer(many=True, read_only=True)
    loyalty = LoyaltyProgramSerializer(many=True, read_only=True)
    giveaways = GiveawaySerializer(many=True, read_only=True)
    achievements = AchievementSerializer(many=True, read_only=True)
