"""A campaigns file with loyalty programs, tiers, a giveaway pool and an achievement.

Shared by the wallet's and the evaluation's loyalty tests: ``points`` (id 7) is pending
for 14 days (the return window) and earns one point per unit of currency; ``stars``
(id 8) is active at once, expires after 20 days, and can be spent at 0.50 a star through
the session attribute ``starsToSpend``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from django_talonone.emulator import Emulator
from django_talonone.testing import TalonOneHarness, talonone_harness

SPEND_ATTRIBUTE = "starsToSpend"

LOYALTY_CAMPAIGNS: dict[str, Any] = {
    "loyaltyPrograms": [
        {
            "id": 7,
            "name": "points",
            "title": "Shop points",
            "pendingDays": 14,
            "expiryDays": 90,
            "tiers": [{"name": "Silver", "minPoints": 50}, {"name": "Gold", "minPoints": 200}],
        },
        {"id": 8, "name": "stars", "title": "Stars", "expiryDays": 20},
    ],
    "giveawayPools": [
        {"id": 4, "name": "Gift cards", "codes": [f"GIFT-{n}" for n in range(1, 10)]}
    ],
    "campaigns": [
        {
            "id": 1,
            "name": "Loyalty",
            "achievements": [
                {"id": 3, "name": "ThreeOrders", "title": "Three orders", "target": 3}
            ],
            "rules": [
                {
                    "name": "earn",
                    "effects": [
                        {
                            "type": "addLoyaltyPoints",
                            "programId": 7,
                            "name": "Order points",
                            "perCartTotal": 1,
                        },
                        {"type": "addLoyaltyPoints", "programId": 8, "name": "Stars", "points": 10},
                        {"type": "increaseAchievementProgress", "achievementId": 3},
                        {"type": "awardGiveaway", "poolId": 4},
                    ],
                }
            ],
        },
        {
            "id": 2,
            "name": "Spend stars",
            "rules": [
                {
                    "name": "spend",
                    "effects": [
                        {
                            "type": "redeemLoyaltyPoints",
                            "programId": 8,
                            "name": "Stars discount",
                            "attribute": SPEND_ATTRIBUTE,
                            "pointValue": Decimal("0.5"),
                        }
                    ],
                }
            ],
        },
    ],
}


def _no_sleep(seconds: float) -> None:
    """Retries move on at once."""


@pytest.fixture
def loyalty_talonone(settings: Any) -> Iterator[TalonOneHarness]:
    """The ``talonone`` fixture with the loyalty campaigns and readable profile ids."""
    values = dict(getattr(settings, "TALONONE", None) or {})
    values["PROFILE_ID_FUNCTION"] = "tests.wallet.conftest.profile_id"
    values["LOYALTY_POINTS_ATTRIBUTE"] = SPEND_ATTRIBUTE
    emulator = Emulator(config=LOYALTY_CAMPAIGNS, sleep=_no_sleep)
    with talonone_harness(values, emulator) as harness:
        yield harness


@pytest.fixture
def member(loyalty_talonone: TalonOneHarness, transactional_db: Any) -> Any:
    """A shopper whose profile exists in Talon.One."""
    return get_user_model().objects.create_user("alice", email="alice@example.com")
