"""The emulator's outbound notifications: X-UUID, Talon.One's retries, a log without
credentials, the control endpoints, and strikethrough prices from a synced catalogue."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
import requests
import simplejson

from django_talonone.emulator import Emulator
from django_talonone.emulator.notifier import RETRY_SCHEDULE, Notifier, Target, parse_targets

PASSWORD = "emulator-webhook-password-1234"


class Shop:
    """A fake receiving end: answers the statuses it is given, records every request."""

    def __init__(self, *statuses: int | None) -> None:
        self.statuses = list(statuses)
        self.received: list[tuple[str, dict[str, str], Any]] = []

    def __call__(self, url: str, headers: Mapping[str, str], body: bytes) -> int:
        self.received.append((url, dict(headers), simplejson.loads(body, use_decimal=True)))
        status = self.statuses.pop(0) if self.statuses else 200
        if status is None:
            raise requests.ConnectionError("refused")
        return status


def notifier(shop: Shop, waits: list[float]) -> Notifier:
    target = Target(url="http://shop.test/hook/", password=PASSWORD)
    return Notifier([target], post=shop, schedule=(1.0, 2.0, 4.0), sleep=waits.append)


def test_a_notification_carries_its_x_uuid_and_basic_auth() -> None:
    shop, waits = Shop(), []
    sender = notifier(shop, waits)
    [uuid] = sender.notify({"NotificationType": "LoyaltyPointsAdded", "Amount": Decimal("1.5")})
    assert sender.wait()
    [(url, headers, body)] = shop.received
    assert url == "http://shop.test/hook/"
    assert headers["X-UUID"] == uuid
    assert headers["Content-Type"] == "application/json"
    assert base64.b64decode(headers["Authorization"].split()[1]).decode().endswith(PASSWORD)
    assert body["Amount"] == Decimal("1.5")
    assert sender.sent()[0]["state"] == "delivered"
    assert waits == []


def test_5xx_429_and_lost_connections_are_retried_with_the_same_x_uuid() -> None:
    shop, waits = Shop(503, 429, None, 200), []
    sender = notifier(shop, waits)
    sender.notify({"NotificationType": "TierUpgrade", "Data": []})
    assert sender.wait()
    assert len({headers["X-UUID"] for _, headers, _ in shop.received}) == 1
    assert [a["status"] for a in sender.sent()[0]["attempts"]] == [503, 429, None, 200]
    assert waits == [1.0, 2.0, 4.0]
    assert sender.sent()[0]["state"] == "delivered"


def test_retries_stop_when_the_schedule_is_spent() -> None:
    shop, waits = Shop(500, 500, 500, 500, 500), []
    sender = notifier(shop, waits)
    sender.notify({"NotificationType": "TierUpgrade"})
    assert sender.wait()
    entry = sender.sent()[0]
    assert (entry["state"], len(entry["attempts"])) == ("gave up", 4)


def test_other_answers_are_final() -> None:
    shop, waits = Shop(403), []
    sender = notifier(shop, waits)
    sender.notify({"NotificationType": "TierUpgrade"})
    assert sender.wait()
    assert sender.sent()[0]["state"] == "refused"
    assert waits == []


def test_the_default_schedule_lasts_about_ten_minutes() -> None:
    assert 540 <= sum(RETRY_SCHEDULE) <= 660
    assert list(RETRY_SCHEDULE) == sorted(RETRY_SCHEDULE)


def test_targets_receive_only_the_kinds_they_want() -> None:
    shop = Shop()
    sender = Notifier([Target(url="http://a.test/", kinds=frozenset({"TierUpgrade"}))], post=shop)
    assert sender.notify({"NotificationType": "LoyaltyPointsAdded"}) == []
    assert len(sender.notify({"NotificationType": "TierUpgrade"})) == 1
    assert sender.wait()
    assert len(shop.received) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "targets: must be an array"),
        ([{"url": "ftp://x"}], "targets[0].url"),
        ([{"url": "http://x", "pasword": "typo"}], "unknown field(s) pasword"),
        ([{"url": "http://x", "kinds": "TierUpgrade"}], "targets[0].kinds"),
    ],
)
def test_bad_targets_are_refused_naming_the_field(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_targets(data)


def test_the_control_endpoints_configure_push_and_list_without_credentials() -> None:
    shop = Shop()
    emulator = Emulator(notifier=Notifier(post=shop))
    http = emulator.session()
    base = f"{emulator.base_url}/_emulator/notifications"
    reply = http.put(
        base,
        json={"targets": [{"url": "http://shop.test/hook/", "password": PASSWORD}]},
    )
    assert reply.status_code == 200
    assert reply.json() == {
        "targets": [{"url": "http://shop.test/hook/", "auth": "basic", "kinds": []}]
    }
    pushed = http.post(base, json={"NotificationType": "CouponCreated", "data": []})
    assert pushed.status_code == 202
    assert emulator.notifier.wait()
    listing = http.get(base)
    assert PASSWORD not in listing.text
    [sent] = listing.json()["sent"]
    assert (sent["uuid"], sent["state"]) == (pushed.json()["uuids"][0], "delivered")
    assert http.delete(base).status_code == 204
    assert http.get(base).json()["sent"] == []
    assert http.put(base, json={"targets": [{"url": 1}]}).status_code == 400


TEA_WEEK = {
    "campaigns": [
        {
            "id": 7,
            "name": "Tea week",
            "startTime": "2020-01-01T00:00:00Z",
            "rules": [
                {
                    "name": "20% off green tea",
                    "effects": [
                        {
                            "type": "discountPerItem",
                            "name": "Tea week",
                            "percent": 20,
                            "skus": ["TEA-GREEN"],
                        }
                    ],
                }
            ],
        }
    ]
}


def test_a_synced_catalogue_pushes_strikethrough_prices_from_automatic_campaigns() -> None:
    """An automatic campaign's per-item discount becomes the strikethrough effect of the
    items it applies to; an item outside the rule gets none."""
    shop = Shop()
    emulator = Emulator(
        config=TEA_WEEK, notifier=Notifier([Target(url="http://shop.test/")], post=shop)
    )
    item = {"sku": "TEA-GREEN"}
    reply = emulator.session().put(
        f"{emulator.base_url}/_emulator/catalog",
        json={"items": [{**item, "price": 10}, {"sku": "OTHER-1", "price": 5}]},
    )
    assert reply.status_code == 202
    assert emulator.notifier.wait()
    [(_, headers, body)] = shop.received
    assert headers["X-UUID"] == reply.json()["uuids"][0]
    assert (body["NotificationType"], body["currentBatch"], body["totalBatches"]) == (
        "StrikethroughPrice",
        1,
        1,
    )
    tea, other = body["changedItems"]
    assert tea["sku"] == item["sku"]
    [effect] = tea["effects"]
    assert (effect["type"], effect["props"]["value"]) == ("setDiscountPerItem", Decimal("2.00"))
    assert (effect["campaignId"], effect["startTime"]) == (7, "2020-01-01T00:00:00Z")
    assert other["effects"] == []
    # Changing the campaigns re-prices the synced catalogue.
    config = emulator.session().get(f"{emulator.base_url}/_emulator/config").json()
    assert emulator.session().put(f"{emulator.base_url}/_emulator/config", json=config).ok
    assert emulator.notifier.wait()
    assert len(shop.received) == 2
