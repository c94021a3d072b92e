"""The wallet endpoint's loyalty side: balances, pending points with dates, points
expiring soon, tier progress, giveaways and achievements, as exact strings."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from django_talonone.testing import TalonOneHarness
from tests.wallet.conftest import place_order

from .conftest import WALLET_URL

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_endpoint_shows_points_tier_giveaways_and_achievements(
    loyalty_talonone: TalonOneHarness, member: Any, client: Client
) -> None:
    place_order(member, ("MUG", "100.00"), ("TEA", "20.50"))
    client.force_login(member)
    body = client.get(WALLET_URL).json()
    programs = {program["name"]: program for program in body["loyalty"]}
    points = programs["points"]
    assert (points["current_balance"], points["pending_balance"]) == ("0", "120.50")
    assert (points["tier"], points["next_tier"], points["points_to_next_tier"]) == (
        "Silver",
        "Gold",
        "79.50",
    )
    [pending] = points["pending"]
    assert pending["points"] == "120.50"
    assert pending["activates_at"] is not None
    assert "session_id" not in pending  # nothing the shopper needs, nothing to leak
    stars = programs["stars"]
    assert (stars["current_balance"], stars["expiring_soon"]) == ("10", "10")
    assert stars["expiring_by"] is not None
    assert stars["tier"] is None
    assert stars["points_to_next_tier"] is None
    [gift] = body["giveaways"]
    assert (gift["code"], gift["used"]) == ("GIFT-1", False)
    assert gift["awarded_at"] is not None
    [achievement] = body["achievements"]
    assert achievement["name"] == "ThreeOrders"
    assert (achievement["status"], achievement["progress"], achievement["target"]) == (
        "inprogress",
        "1",
        "3",
    )
    assert achievement["percent"] == 33
