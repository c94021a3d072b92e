"""What Talon.One pushes, as small frozen values the app's signals send.

Talon.One's notification bodies name their kind in ``NotificationType`` (coupons, loyalty,
tiers, strikethrough prices); a rule's ``triggerWebhook`` sends whatever body the webhook
was given, so a body without a known ``NotificationType`` is a triggered webhook. Unknown
fields are ignored (Talon.One says its schemas grow); a field the app reads that has the
wrong type raises :class:`NotificationError`, naming it, so the stored notification is
marked failed with that message instead of sending a half-read value. Points and prices
are ``Decimal`` (parsed from the JSON text, never through a float).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime

__all__ = [
    "CouponChange",
    "NotificationError",
    "NotificationKind",
    "PointsChange",
    "PushedCoupon",
    "StrikethroughBatch",
    "StrikethroughEffect",
    "StrikethroughItem",
    "TierChange",
    "kind_of",
]


class NotificationError(ValueError):
    """A pushed body the app cannot read; the message names the field."""


class NotificationKind(str, enum.Enum):
    COUPON_CREATED = "coupon_created"
    COUPON_UPDATED = "coupon_updated"
    COUPON_DELETED = "coupon_deleted"
    POINTS_ADDED = "points_added"
    POINTS_DEDUCTED = "points_deducted"
    POINTS_BALANCES = "points_balances"
    POINTS_PENDING = "points_pending"
    POINTS_EXPIRING = "points_expiring"
    TIER_UPGRADE = "tier_upgrade"
    TIER_DOWNGRADE = "tier_downgrade"
    TIER_WILL_DOWNGRADE = "tier_will_downgrade"
    STRIKETHROUGH = "strikethrough"
    WEBHOOK = "webhook"
    #: A ``NotificationType`` the app does not handle (campaign changes, expiring coupons):
    #: stored and marked processed, with no signal.
    OTHER = "other"


#: Talon.One's ``NotificationType`` values, by the kind the app files them under.
_TYPES = {
    "CouponCreated": NotificationKind.COUPON_CREATED,
    "AsyncCouponsCreated": NotificationKind.COUPON_CREATED,
    "CouponUpdated": NotificationKind.COUPON_UPDATED,
    "CouponsUpdated": NotificationKind.COUPON_UPDATED,
    "CouponDeleted": NotificationKind.COUPON_DELETED,
    "CouponsDeleted": NotificationKind.COUPON_DELETED,
    "LoyaltyPointsAdded": NotificationKind.POINTS_ADDED,
    "LoyaltyPointsDeducted": NotificationKind.POINTS_DEDUCTED,
    "LoyaltyAddedDeductedPointsBalances": NotificationKind.POINTS_BALANCES,
    "LoyaltyPointsPendingToActive": NotificationKind.POINTS_PENDING,
    "LoyaltyPointsExpiring": NotificationKind.POINTS_EXPIRING,
    "TierUpgrade": NotificationKind.TIER_UPGRADE,
    "TierDowngrade": NotificationKind.TIER_DOWNGRADE,
    "TierWillDowngrade": NotificationKind.TIER_WILL_DOWNGRADE,
    "StrikethroughPrice": NotificationKind.STRIKETHROUGH,
}


def notification_type(body: Mapping[str, Any]) -> str | None:
    """The body's ``NotificationType`` (Talon.One spells it both ways), if it is text."""
    for key in ("NotificationType", "notificationType"):
        value = body.get(key)
        if isinstance(value, str):
            return value
    return None


def kind_of(body: Mapping[str, Any]) -> NotificationKind:
    """The kind of a pushed JSON object."""
    name = notification_type(body)
    if name is None:
        return NotificationKind.WEBHOOK
    return _TYPES.get(name, NotificationKind.OTHER)


# -- field readers: each names the field it refuses -------------------------------------


def _field(body: Mapping[str, Any], *names: str) -> Any:
    """The first of ``names`` present (Talon.One's casing differs between schemas)."""
    for name in names:
        if name in body:
            return body[name]
    return None


def _text(body: Mapping[str, Any], *names: str, required: bool = False) -> str | None:
    value = _field(body, *names)
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or not value:
        raise NotificationError(f"{names[0]} must be a non-empty string; got {value!r}.")
    return value


def _int(body: Mapping[str, Any], *names: str) -> int | None:
    value = _field(body, *names)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise NotificationError(f"{names[0]} must be an integer; got {value!r}.")
    return int(value)


def _decimal(body: Mapping[str, Any], *names: str, required: bool = False) -> Decimal | None:
    value = _field(body, *names)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise NotificationError(f"{names[0]} must be a number; got {value!r}.")
    # A float from the stored JSON goes through its shortest text: 10.99, not 10.9899...
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise NotificationError(f"{names[0]} must be a finite number; got {value!r}.")
    return number


def _when(body: Mapping[str, Any], *names: str) -> datetime | None:
    """A timestamp or a date (taken as midnight UTC); naive times are UTC.

    Django's parser, not ``fromisoformat``: Python 3.10's refuses ``Z`` and the five
    fractional digits Talon.One's examples show.
    """
    value = _field(body, *names)
    if value is None:
        return None
    moment = None
    if isinstance(value, str):
        try:
            moment = parse_datetime(value)
            if moment is None and (day := parse_date(value)) is not None:
                moment = datetime.combine(day, datetime.min.time())
        except ValueError:
            moment = None
    if moment is None:
        raise NotificationError(f"{names[0]} must be an ISO 8601 date or time; got {value!r}.")
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _objects(body: Mapping[str, Any], *names: str) -> Sequence[Mapping[str, Any]]:
    value = _field(body, *names)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise NotificationError(f"{names[0]} must be an array of objects.")
    return value


# -- coupons -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushedCoupon:
    """One coupon of a coupon notification."""

    code: str
    campaign_id: int | None
    recipient_profile_id: str | None
    batch_id: str | None
    usage_limit: int | None
    usage_counter: int | None
    expires_at: datetime | None


@dataclass(frozen=True)
class CouponChange:
    """Coupons created, updated or deleted (``action``).

    ``coupons`` is empty when Talon.One sends only a batch id (more than 1000 coupons, or
    a bulk update or deletion): export the batch through the Management API to see them.
    ``source`` is Talon.One's ``TypeOfChange`` (``campaign_manager``, ``rule_engine``, ...).
    """

    action: str
    coupons: tuple[PushedCoupon, ...]
    batch_id: str | None
    campaign_id: int | None
    application_id: int | None
    source: str | None


def parse_coupons(kind: NotificationKind, body: Mapping[str, Any]) -> CouponChange:
    coupons = tuple(
        PushedCoupon(
            code=_text(item, "value", required=True) or "",
            campaign_id=_int(item, "campaignId", "CampaignId"),
            recipient_profile_id=_text(item, "recipientIntegrationId"),
            batch_id=_text(item, "batchId", "BatchId"),
            usage_limit=_int(item, "usageLimit"),
            usage_counter=_int(item, "usageCounter"),
            expires_at=_when(item, "expiryDate"),
        )
        for item in _objects(body, "data", "Data")
    )
    return CouponChange(
        action=kind.value.removeprefix("coupon_"),
        coupons=coupons,
        batch_id=_text(body, "BatchID", "batchId"),
        campaign_id=_int(body, "CampaignID", "campaignId"),
        application_id=_int(body, "ApplicationID", "applicationId"),
        source=_text(body, "TypeOfChange"),
    )


# -- loyalty points and tiers --------------------------------------------------------------


@dataclass(frozen=True)
class PointsChange:
    """Loyalty points of one profile: ``change`` is ``added``, ``deducted``, ``pending``
    (pending points about to become active on ``starts_at``) or ``expiring`` (active points
    that expire on ``expires_at``). ``balance`` is the profile's points after the change,
    when Talon.One sends it (the "with balances" notification)."""

    change: str
    profile_id: str
    program_id: int | None
    subledger_id: str | None
    amount: Decimal
    reason: str | None
    session_id: str | None
    transaction_uuid: str | None
    starts_at: datetime | None
    expires_at: datetime | None
    source: str | None
    balance: Decimal | None = None


def _points_action(body: Mapping[str, Any], change: str, base: Mapping[str, Any]) -> PointsChange:
    return PointsChange(
        change=change,
        profile_id=_text(base, "ProfileIntegrationID", "CustomerProfileID", required=True) or "",
        program_id=_int(base, "LoyaltyProgramID"),
        subledger_id=_text(base, "SubledgerID"),
        amount=_decimal(body, "Amount", "Points", "AmountOfExpiringPoints", required=True)
        or Decimal(0),
        reason=_text(body, "Reason"),
        session_id=_text(base, "SessionIntegrationID"),
        transaction_uuid=_text(body, "TransactionUUID"),
        starts_at=_when(body, "StartDate", "ActiveOn"),
        expires_at=_when(body, "ExpiryDate", "ExpireOn"),
        source=_text(base, "TypeOfChange"),
        balance=_decimal(base, "CurrentPoints"),
    )


def _operation(body: Mapping[str, Any], fallback: str) -> str:
    operation = _text(body, "Operation")
    return {"addition": "added", "subtraction": "deducted"}.get(operation or "", fallback)


def parse_points(kind: NotificationKind, body: Mapping[str, Any]) -> tuple[PointsChange, ...]:
    """Every points change a loyalty notification lists (one, or a ``Data`` array)."""
    if kind in (NotificationKind.POINTS_ADDED, NotificationKind.POINTS_DEDUCTED):
        change = "added" if kind == NotificationKind.POINTS_ADDED else "deducted"
        return (_points_action(body, _operation(body, change), body),)
    if kind == NotificationKind.POINTS_BALANCES:
        return tuple(
            _points_action(action, _operation(action, "added"), body)
            for action in _objects(body, "Actions")
        )
    change = "pending" if kind == NotificationKind.POINTS_PENDING else "expiring"
    return tuple(_points_action(item, change, item) for item in _objects(body, "Data"))


@dataclass(frozen=True)
class TierChange:
    """A profile's tier: ``direction`` is ``upgrade``, ``downgrade`` or ``will_downgrade``
    (a reminder: the downgrade happens at ``tier_expires_at`` unless the profile earns
    ``points_required`` more points)."""

    direction: str
    profile_id: str
    program_id: int | None
    subledger_id: str | None
    current_tier: str | None
    old_tier: str | None
    next_tier: str | None
    current_points: Decimal | None
    points_required: Decimal | None
    tier_expires_at: datetime | None
    changed_at: datetime | None


def parse_tiers(kind: NotificationKind, body: Mapping[str, Any]) -> tuple[TierChange, ...]:
    direction = kind.value.removeprefix("tier_")
    return tuple(
        TierChange(
            direction=direction,
            profile_id=_text(item, "CustomerProfileID", "ProfileIntegrationID", required=True)
            or "",
            program_id=_int(item, "LoyaltyProgramID"),
            subledger_id=_text(item, "SubledgerID"),
            current_tier=_text(item, "CurrentTier"),
            old_tier=_text(item, "OldTier"),
            next_tier=_text(item, "NextTier"),
            current_points=_decimal(item, "CurrentPoints"),
            points_required=_decimal(item, "PointsRequiredToTheNextTier", "PointsRequiredToRemain"),
            tier_expires_at=_when(item, "TierExpirationDate"),
            changed_at=_when(item, "TimestampOfTierChange"),
        )
        for item in _objects(body, "Data")
    )


# -- strikethrough prices ------------------------------------------------------------------


@dataclass(frozen=True)
class StrikethroughEffect:
    """A rule's discount on an item: ``value`` off its price from ``starts_at`` to
    ``ends_at`` (open-ended when ``None``)."""

    campaign_id: int | None
    rule_name: str | None
    effect_type: str | None
    value: Decimal | None
    starts_at: datetime | None
    ends_at: datetime | None


@dataclass(frozen=True)
class StrikethroughItem:
    """One catalogue item whose price changed: ``price`` is its catalogue ("was") price."""

    sku: str
    catalog_id: int | None
    version: int | None
    price: Decimal
    evaluated_at: datetime | None
    effects: tuple[StrikethroughEffect, ...]

    @property
    def discounted_price(self) -> Decimal:
        """``price`` less every effect's value, never below zero."""
        off = sum((effect.value or Decimal(0) for effect in self.effects), Decimal(0))
        return max(self.price - off, Decimal(0))


@dataclass(frozen=True)
class StrikethroughBatch:
    """One batch (``current_batch`` of ``total_batches``) of strikethrough price changes;
    ``valid_from`` is set for scheduled updates only."""

    application_id: int | None
    current_batch: int | None
    total_batches: int | None
    sent_at: datetime | None
    valid_from: datetime | None
    items: tuple[StrikethroughItem, ...]


def _effect(body: Mapping[str, Any]) -> StrikethroughEffect:
    props = _field(body, "props")
    if props is not None and not isinstance(props, Mapping):
        raise NotificationError("effects[].props must be an object.")
    return StrikethroughEffect(
        campaign_id=_int(body, "campaignId"),
        rule_name=_text(body, "ruleName"),
        effect_type=_text(body, "type"),
        value=_decimal(props or {}, "value"),
        starts_at=_when(body, "startTime"),
        ends_at=_when(body, "endTime"),
    )


def parse_strikethrough(body: Mapping[str, Any]) -> StrikethroughBatch:
    return StrikethroughBatch(
        application_id=_int(body, "applicationId"),
        current_batch=_int(body, "currentBatch"),
        total_batches=_int(body, "totalBatches"),
        sent_at=_when(body, "sentAt"),
        valid_from=_when(body, "validFrom"),
        items=tuple(
            StrikethroughItem(
                sku=_text(item, "sku", required=True) or "",
                catalog_id=_int(item, "catalogId"),
                version=_int(item, "version"),
                price=_decimal(item, "price", required=True) or Decimal(0),
                evaluated_at=_when(item, "evaluatedAt"),
                effects=tuple(_effect(effect) for effect in _objects(item, "effects")),
            )
            for item in _objects(body, "changedItems")
        ),
    )
