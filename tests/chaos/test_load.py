"""200 shoppers check out; every order's session is closed exactly once (no timing asserted)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from django_talonone.emulator import Emulator
from django_talonone.models import Delivery, DeliveryStatus, Operation
from tests.clocks import OutboxClock

from .shop import Shopper, settle, shop, simple_scenario

pytestmark = pytest.mark.django_db(transaction=True)

CARTS = 200


def test_two_hundred_checkouts_are_each_delivered_exactly_once(
    emulator: Emulator, clock: OutboxClock
) -> None:
    people = [
        Shopper(
            (("shoes", Decimal("59.90"), 1 + n % 3), ("socks", Decimal("4.99"), 1)),
            coupon=n % 2 == 0,
        )
        for n in range(CARTS)
    ]
    shop(simple_scenario(people), clock, lambda number: None)
    settle(clock, lambda number: None)

    closes = Delivery.objects.filter(operation=Operation.UPDATE_SESSION, supersedable=False)
    assert closes.count() == CARTS
    assert set(closes.values_list("status", "attempts")) == {(DeliveryStatus.DONE, 1)}
    assert not Delivery.objects.exclude(status__in=[DeliveryStatus.DONE, DeliveryStatus.SUPERSEDED])

    sent = Counter(
        entry["path"]
        for entry in emulator.requests
        if entry["requestBody"]
        and entry["requestBody"].get("customerSession", {}).get("state") == "closed"
    )
    assert len(sent) == CARTS
    assert set(sent.values()) == {1}
    sessions = emulator.state.data["sessions"].values()
    assert sum(session["state"] == "closed" for session in sessions) == CARTS
    assert emulator.state.data["couponUsage"]["WELCOME10"]["usageCounter"] == CARTS // 2
    profiles = emulator.state.data["profiles"]
    assert sum(profile["closedSessions"] for profile in profiles.values()) == CARTS
