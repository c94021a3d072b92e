"""End to end in process: what the emulator's rules and ledgers change reaches the shop.

A close in the emulator earns points and a tier, creates a coupon and fires a webhook; its
notifier posts each to the shop's endpoint with the shop's secret, and the shop stores,
processes and signals them with typed values, dropping the profile's cached wallet.
Moving the emulator's clock past the activation date does the same for pending points.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
import simplejson
from django.core.cache import cache
from django.dispatch import Signal
from django.test import Client

from django_talonone import signals
from django_talonone.emulator import Emulator
from django_talonone.emulator.notifier import Notifier, Target
from django_talonone.models import Notification, NotificationState
from django_talonone.notification_types import CouponChange, PointsChange, TierChange
from django_talonone.wallet.service import wallet_cache_key

from .conftest import SECRET, URL
from .test_from_emulator import shop_post

pytestmark = pytest.mark.django_db(transaction=True)

CONFIG: dict[str, Any] = {
    "loyaltyPrograms": [
        {
            "id": 7,
            "name": "points",
            "pendingDays": 14,
            "tiers": [{"name": "Silver", "minPoints": 100}],
        }
    ],
    "webhooks": [{"id": 3, "name": "Order closed", "payload": {"order": "${sessionId}"}}],
    "campaigns": [
        {
            "id": 1,
            "name": "Thank you",
            "rules": [
                {
                    "name": "Points, a coupon and a webhook",
                    "effects": [
                        {
                            "type": "addLoyaltyPoints",
                            "programId": 7,
                            "name": "Order",
                            "points": 150,
                        },
                        {"type": "createCoupon", "campaignId": 5, "prefix": "THX-"},
                        {"type": "triggerWebhook", "webhookId": 3},
                    ],
                }
            ],
        },
        {
            "id": 5,
            "name": "Thank-you coupons",
            "kind": "coupon",
            "rules": [
                {"name": "5 off", "effects": [{"type": "discount", "name": "T", "amount": 5}]}
            ],
        },
    ],
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def heard() -> Iterator[dict[str, list[dict[str, Any]]]]:
    """Every send of the notification signals, by signal name: its keyword arguments."""
    names = ("loyalty_points_changed", "loyalty_tier_changed", "coupons_changed")
    calls: dict[str, list[dict[str, Any]]] = {name: [] for name in (*names, "webhook_triggered")}
    receivers = []
    for name in calls:
        signal: Signal = getattr(signals, name)

        def receiver(sender: Any, _name: str = name, **kwargs: Any) -> None:
            kwargs.pop("signal")
            calls[_name].append({"sender": sender, **kwargs})

        signal.connect(receiver, weak=False)
        receivers.append((signal, receiver))
    yield calls
    for signal, receiver in receivers:
        signal.disconnect(receiver)


def _emulator(client: Client) -> Emulator:
    notifier = Notifier([Target(url=URL, password=SECRET)], post=shop_post(client), schedule=(0.0,))
    return Emulator(config=CONFIG, clock=Clock(), notifier=notifier)


def _close(emulator: Emulator, session_id: str) -> dict[str, Any]:
    body = {
        "customerSession": {
            "profileId": "ann",
            "state": "closed",
            "cartItems": [{"name": "Mug", "sku": "MUG", "quantity": 1, "price": 20}],
        }
    }
    reply = emulator.session().put(
        f"{emulator.base_url}/v2/customer_sessions/{session_id}",
        data=simplejson.dumps(body),
        headers={
            "Authorization": f"ApiKey-v1 {emulator.api_key}",
            "Content-Type": "application/json",
        },
        timeout=5,
    )
    assert reply.status_code == 200, reply.text
    parsed: dict[str, Any] = simplejson.loads(reply.content, use_decimal=True)
    return parsed


def test_a_close_in_the_emulator_reaches_the_shop_as_typed_signals(
    client: Client, heard: dict[str, list[dict[str, Any]]]
) -> None:
    key = wallet_cache_key("ann")
    cache.set(key, {"cached": "wallet"})
    emulator = _emulator(client)
    reply = _close(emulator, "s-1")
    assert emulator.notifier.wait()
    assert [entry["state"] for entry in emulator.notifier.sent()] == ["delivered"] * 4
    rows = Notification.objects.order_by("id")
    assert [(row.kind, row.state) for row in rows] == [
        ("points_added", NotificationState.PROCESSED),
        ("tier_upgrade", NotificationState.PROCESSED),
        ("coupon_created", NotificationState.PROCESSED),
        ("webhook", NotificationState.PROCESSED),
    ]
    assert cache.get(key) is None

    [points] = heard["loyalty_points_changed"]
    assert points["sender"] is Notification
    assert points["notification"] == rows[0]
    [effect] = [e for e in reply["effects"] if e["effectType"] == "addLoyaltyPoints"]
    assert points["change"] == PointsChange(
        change="added",
        profile_id="ann",
        program_id=7,
        subledger_id=None,
        amount=Decimal(150),
        reason="Order",
        session_id="s-1",
        transaction_uuid=effect["props"]["transactionUUID"],
        starts_at=datetime(2026, 3, 15, tzinfo=timezone.utc),
        expires_at=None,
        source="rule_engine",
    )
    assert isinstance(points["change"].amount, Decimal)
    [tier] = heard["loyalty_tier_changed"]
    assert isinstance(tier["change"], TierChange)
    assert (tier["change"].direction, tier["change"].current_tier) == ("upgrade", "Silver")
    assert tier["change"].current_points == Decimal(150)
    [coupons] = heard["coupons_changed"]
    assert isinstance(coupons["change"], CouponChange)
    [code] = [e["props"]["value"] for e in reply["effects"] if e["effectType"] == "couponCreated"]
    assert [(c.code, c.recipient_profile_id) for c in coupons["change"].coupons] == [(code, "ann")]
    [webhook] = heard["webhook_triggered"]
    assert webhook["payload"] == {"order": "s-1"}


def test_moving_the_emulators_clock_activates_points_in_the_shop(
    client: Client, heard: dict[str, list[dict[str, Any]]]
) -> None:
    emulator = _emulator(client)
    _close(emulator, "s-1")
    assert emulator.notifier.wait()
    key = wallet_cache_key("ann")
    cache.set(key, {"cached": "wallet"})
    [uuid] = emulator.move_clock(days=14)
    assert emulator.notifier.wait()
    row = Notification.objects.get(uuid=uuid)
    assert (row.kind, row.state) == ("points_pending", NotificationState.PROCESSED)
    pending = heard["loyalty_points_changed"][-1]["change"]
    assert (pending.change, pending.profile_id, pending.amount) == ("pending", "ann", Decimal(150))
    assert pending.starts_at == datetime(2026, 3, 15, tzinfo=timezone.utc)
    assert cache.get(key) is None
