"""Each kind of notification sends its signal, with typed, Decimal values."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.dispatch import Signal
from django.test import Client

from django_talonone import signals
from django_talonone.models import Notification, NotificationState
from django_talonone.notification_types import (
    CouponChange,
    PointsChange,
    StrikethroughBatch,
    TierChange,
)
from django_talonone.wallet.service import wallet_cache_key

from .conftest import POINTS_ADDED, post

pytestmark = pytest.mark.django_db(transaction=True)


class Catcher:
    """Every send of one signal: its keyword arguments."""

    def __init__(self, signal: Signal) -> None:
        self.signal = signal
        self.calls: list[dict[str, Any]] = []

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        kwargs.pop("signal")
        self.calls.append({"sender": sender, **kwargs})

    @property
    def changes(self) -> list[Any]:
        return [call["change"] for call in self.calls]


@pytest.fixture
def catch() -> Iterator[Any]:
    connected: list[Catcher] = []

    def connect(signal: Signal) -> Catcher:
        catcher = Catcher(signal)
        signal.connect(catcher, weak=False)
        connected.append(catcher)
        return catcher

    yield connect
    for catcher in connected:
        catcher.signal.disconnect(catcher)


def _processed() -> Notification:
    row = Notification.objects.get()
    assert row.state == NotificationState.PROCESSED, row.error
    return row


def test_points_added_sends_a_points_change(client: Client, catch: Any) -> None:
    points = catch(signals.loyalty_points_changed)
    post(client, POINTS_ADDED)
    row = _processed()
    [call] = points.calls
    assert call["sender"] is Notification
    assert call["notification"] == row
    change = call["change"]
    assert change == PointsChange(
        change="added",
        profile_id="customer-7",
        program_id=5,
        subledger_id=None,
        amount=Decimal("12.5"),
        reason="Order close",
        session_id="session-42",
        transaction_uuid="1a6a7599-2622-4489-9034-5a62da3944e0",
        starts_at=None,
        expires_at=None,
        source="rule_engine",
    )
    assert isinstance(change.amount, Decimal)


def test_points_deducted_and_the_balances_variant(client: Client, catch: Any) -> None:
    points = catch(signals.loyalty_points_changed)
    post(
        client,
        {
            **POINTS_ADDED,
            "NotificationType": "LoyaltyPointsDeducted",
            "Operation": "subtraction",
            "Amount": 3,
        },
    )
    post(
        client,
        {
            "NotificationType": "LoyaltyAddedDeductedPointsBalances",
            "ProfileIntegrationID": "customer-8",
            "LoyaltyProgramID": 5,
            "CurrentPoints": 40.25,
            "Actions": [
                {"Amount": 10.1, "Operation": "addition", "ExpiryDate": "2027-01-24T14:15:22Z"},
                {"Amount": 2, "Operation": "subtraction"},
            ],
        },
    )
    assert [(c.change, c.profile_id, c.amount) for c in points.changes] == [
        ("deducted", "customer-7", Decimal(3)),
        ("added", "customer-8", Decimal("10.1")),
        ("deducted", "customer-8", Decimal(2)),
    ]
    assert points.changes[1].balance == Decimal("40.25")
    assert points.changes[1].expires_at == datetime(2027, 1, 24, 14, 15, 22, tzinfo=timezone.utc)


def test_pending_and_expiring_points_send_one_change_per_entry(client: Client, catch: Any) -> None:
    points = catch(signals.loyalty_points_changed)
    post(
        client,
        {
            "NotificationType": "LoyaltyPointsPendingToActive",
            "TotalResultSize": 2,
            "Data": [
                {
                    "LoyaltyProgramID": 5,
                    "CustomerProfileID": "a",
                    "Points": 10.99,
                    "ActiveOn": "2023-08-20T12:22:00+02:00",
                },
                {"LoyaltyProgramID": 5, "CustomerProfileID": "b", "Points": 1},
            ],
        },
    )
    post(
        client,
        {
            "NotificationType": "LoyaltyPointsExpiring",
            "Data": [
                {
                    "CustomerProfileID": "c",
                    "AmountOfExpiringPoints": 7.5,
                    "ExpiryDate": "2019-08-24",
                }
            ],
        },
    )
    assert [(c.change, c.profile_id, c.amount) for c in points.changes] == [
        ("pending", "a", Decimal("10.99")),
        ("pending", "b", Decimal(1)),
        ("expiring", "c", Decimal("7.5")),
    ]
    assert points.changes[0].starts_at == datetime(2023, 8, 20, 10, 22, tzinfo=timezone.utc)
    assert points.changes[2].expires_at == datetime(2019, 8, 24, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("notification_type", "direction"),
    [
        ("TierUpgrade", "upgrade"),
        ("TierDowngrade", "downgrade"),
        ("TierWillDowngrade", "will_downgrade"),
    ],
)
def test_tier_changes_send_a_tier_change(
    client: Client, catch: Any, notification_type: str, direction: str
) -> None:
    tiers = catch(signals.loyalty_tier_changed)
    post(
        client,
        {
            "NotificationType": notification_type,
            "TotalResultSize": 1,
            "Data": [
                {
                    "CustomerProfileID": "customer-7",
                    "LoyaltyProgramID": 5,
                    "CurrentTier": "Silver",
                    "OldTier": "Bronze",
                    "NextTier": "Gold",
                    "CurrentPoints": 120.55,
                    "PointsRequiredToTheNextTier": 23.51,
                    "TimestampOfTierChange": "2023-10-26T12:23:00+02:00",
                }
            ],
        },
    )
    [change] = tiers.changes
    assert isinstance(change, TierChange)
    assert (change.direction, change.profile_id, change.current_tier, change.old_tier) == (
        direction,
        "customer-7",
        "Silver",
        "Bronze",
    )
    assert change.current_points == Decimal("120.55")
    assert change.points_required == Decimal("23.51")


@pytest.mark.parametrize(
    ("notification_type", "action"),
    [("CouponCreated", "created"), ("CouponUpdated", "updated"), ("CouponDeleted", "deleted")],
)
def test_coupon_changes_send_a_coupon_change(
    client: Client, catch: Any, notification_type: str, action: str
) -> None:
    coupons = catch(signals.coupons_changed)
    post(
        client,
        {
            "NotificationType": notification_type,
            "TypeOfChange": "rule_engine",
            "totalResultSize": 1,
            "data": [
                {
                    "id": 1,
                    "created": "2023-01-31T15:19:25.18417+01:00",
                    "campaignId": 3,
                    "value": "WELCOME-7",
                    "usageLimit": 1,
                    "usageCounter": 0,
                    "recipientIntegrationId": "customer-7",
                    "batchId": "nqylhnni",
                    "ApplicationId": 1,
                }
            ],
        },
    )
    [change] = coupons.changes
    assert isinstance(change, CouponChange)
    assert (change.action, change.source) == (action, "rule_engine")
    [coupon] = change.coupons
    assert (coupon.code, coupon.campaign_id, coupon.recipient_profile_id) == (
        "WELCOME-7",
        3,
        "customer-7",
    )


def test_a_bulk_coupon_change_names_only_its_batch(client: Client, catch: Any) -> None:
    coupons = catch(signals.coupons_changed)
    post(
        client,
        {
            "NotificationType": "CouponsDeleted",
            "BatchID": "nqylhnni",
            "ApplicationID": 5,
            "CampaignID": 3,
            "TotalResultSize": 200,
        },
    )
    [change] = coupons.changes
    assert (change.action, change.coupons, change.batch_id, change.campaign_id) == (
        "deleted",
        (),
        "nqylhnni",
        3,
    )


def test_a_strikethrough_batch_is_sent_with_decimal_prices(client: Client, catch: Any) -> None:
    prices = catch(signals.strikethrough_prices_changed)
    post(client, STRIKETHROUGH)
    [batch] = prices.changes
    assert isinstance(batch, StrikethroughBatch)
    assert (batch.current_batch, batch.total_batches) == (1, 1)
    [item] = batch.items
    assert (item.sku, item.price, item.discounted_price) == (
        "SKU-1",
        Decimal("100.0"),
        Decimal("80.0"),
    )
    assert item.effects[0].value == Decimal(20)


def test_a_body_without_notification_type_is_a_triggered_webhook(
    client: Client, catch: Any
) -> None:
    webhooks = catch(signals.webhook_triggered)
    body = {"customer": "customer-7", "event": "vip", "nested": {"amount": 1.5}}
    post(client, body)
    [call] = webhooks.calls
    assert call["payload"] == body
    assert call["notification"].kind == "webhook"


def test_an_unknown_notification_type_is_kept_and_processed_without_a_signal(
    client: Client, catch: Any
) -> None:
    webhooks = catch(signals.webhook_triggered)
    post(client, {"NotificationType": "CampaignNotification", "Data": []})
    row = _processed()
    assert (row.kind, row.notification_type) == ("other", "CampaignNotification")
    assert webhooks.calls == []


@pytest.mark.parametrize(
    "body",
    [
        POINTS_ADDED,
        {"NotificationType": "TierUpgrade", "Data": [{"CustomerProfileID": "customer-7"}]},
        {
            "NotificationType": "CouponUpdated",
            "data": [{"value": "C-1", "recipientIntegrationId": "customer-7"}],
        },
    ],
    ids=["points", "tier", "coupon"],
)
def test_the_profiles_cached_wallet_is_dropped(client: Client, body: dict[str, Any]) -> None:
    key = wallet_cache_key("customer-7")
    cache.set(key, {"cached": "wallet"})
    post(client, body)
    _processed()
    assert cache.get(key) is None


STRIKETHROUGH: dict[str, Any] = {
    "NotificationType": "StrikethroughPrice",
    "applicationId": 1,
    "currentBatch": 1,
    "totalBatches": 1,
    "sentAt": "2026-12-01T10:00:00Z",
    "trigger": {"type": "campaign"},
    "changedItems": [
        {
            "id": 9,
            "catalogId": 2,
            "sku": "SKU-1",
            "version": 4,
            "price": 100.0,
            "evaluatedAt": "2026-12-01T09:59:00Z",
            "effects": [
                {
                    "campaignId": 3,
                    "rulesetId": 1,
                    "ruleIndex": 0,
                    "ruleName": "20 off",
                    "type": "setDiscountPerItem",
                    "props": {"name": "20 off", "value": 20},
                    "startTime": "2026-12-01T00:00:00Z",
                    "endTime": "2026-12-31T00:00:00Z",
                }
            ],
        }
    ],
}
