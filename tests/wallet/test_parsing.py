"""Reading inventory replies: every section, exact money, and clear errors for bad shapes.

Talon.One's real replies carry fields the emulator does not produce (coupon budgets,
giveaway dates, every shape a parser must refuse); these tests feed the parser such
replies directly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from django_talonone.wallet import InventoryError, parse_inventory

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)


def coupon(**fields: Any) -> dict[str, Any]:
    return {"id": 1, "campaignId": 7, "value": "SUMMER", "usageLimit": 0, "usageCounter": 0} | (
        fields
    )


def test_coupon_budgets_stay_exact_decimals() -> None:
    reply = {
        "coupons": [
            coupon(
                discountLimit=Decimal("25.10"), discountRemainder=Decimal("4.35"), state="active"
            ),
            coupon(value="CAPPED", discountLimit=Decimal("10"), discountCounter=Decimal("2.5")),
        ]
    }
    first, second = parse_inventory("p1", reply, now=NOW).coupons
    assert (first.discount_limit, first.discount_remaining) == (Decimal("25.10"), Decimal("4.35"))
    assert (second.discount_limit, second.discount_remaining) == (Decimal(10), Decimal("7.5"))


def test_a_missing_or_unknown_state_is_derived_from_dates_and_usage() -> None:
    reply = {
        "coupons": [
            coupon(value="LATER", startDate="2026-07-01T00:00:00Z", state="scheduled"),
            coupon(value="GONE", expiryDate="2026-05-01T00:00:00Z"),
            coupon(value="SPENT", usageLimit=1, usageCounter=1),
            coupon(value="MINE", profileRedemptionCount=1),
            coupon(value="FRESH"),
        ]
    }
    wallet = parse_inventory("p1", reply, now=NOW)
    assert [(c.code, c.state) for c in wallet.coupons] == [
        ("FRESH", "active"),
        ("LATER", "pending"),
        ("SPENT", "used"),
        ("MINE", "used"),
        ("GONE", "expired"),
    ]


def test_referrals_loyalty_and_giveaways() -> None:
    reply = {
        "referrals": [
            {
                "id": 3,
                "campaignId": 2,
                "code": "ABCD-1234",
                "usageLimit": 5,
                "usageCounter": 2,
                "expiryDate": "2027-01-01T00:00:00Z",
                "referredCustomers": ["friend-1", "friend-2"],
                "advocateProfileIntegrationId": "p1",
            }
        ],
        "loyalty": {
            "programs": {
                "points": {
                    "id": 9,
                    "name": "points",
                    "title": "Bean points",
                    "ledger": {
                        "currentBalance": Decimal("120.50"),
                        "pendingBalance": 10,
                        "spentBalance": "30",
                        "currentTier": {"id": 1, "name": "Gold"},
                    },
                }
            }
        },
        "giveaways": [{"id": 1, "code": "GIFT-1", "poolId": 4, "used": False}],
    }
    wallet = parse_inventory("p1", reply, now=NOW)
    [referral] = wallet.referrals
    assert (referral.code, referral.state, referral.uses_left) == ("ABCD-1234", "active", 3)
    assert referral.friends_referred == 2
    [program] = wallet.loyalty
    assert (program.program_id, program.title, program.tier) == (9, "Bean points", "Gold")
    assert program.current_balance == Decimal("120.50")
    assert (program.pending_balance, program.spent_balance) == (Decimal(10), Decimal(30))
    [giveaway] = wallet.giveaways
    assert (giveaway.code, giveaway.pool_id, giveaway.used) == ("GIFT-1", 4, False)


def test_todays_ledger_fields_and_an_unknown_achievement_status() -> None:
    reply = {
        "loyalty": {
            "programs": {
                "points": {
                    "id": 9,
                    "name": "points",
                    "title": "Bean points",
                    "joinDate": "2026-01-02T03:04:05Z",
                    "ledger": {
                        "currentBalance": 0,
                        "pendingBalance": 0,
                        "expiredBalance": 0,
                        "spentBalance": 0,
                        "negativeBalance": Decimal("12.5"),
                        "tentativeCurrentBalance": 0,
                        "nextTierName": "Silver",
                        "pointsToNextTier": 100,
                    },
                }
            }
        },
        "achievements": [
            {
                "achievementId": 2,
                "name": "Big",
                "title": "",
                "campaignId": 5,
                "status": "someday",
                "progress": 3,
            }
        ],
    }
    wallet = parse_inventory("p1", reply, now=NOW)
    [program] = wallet.loyalty
    assert program.negative_balance == Decimal("12.5")
    assert (program.tier, program.next_tier, program.points_to_next_tier) == (
        None,
        "Silver",
        Decimal(100),
    )
    assert program.joined_at is not None
    assert program.joined_at.year == 2026
    assert not program.is_top_tier
    [achievement] = wallet.achievements
    assert (achievement.title, achievement.status, achievement.percent) == (
        "Big",
        "inprogress",
        None,
    )
    assert not wallet.is_empty


def test_an_empty_reply_is_an_empty_available_wallet() -> None:
    wallet = parse_inventory("p1", {}, now=NOW)
    assert wallet.available
    assert wallet.is_empty
    assert wallet.profile_id == "p1"


def test_wallets_are_immutable() -> None:
    wallet = parse_inventory("p1", {"coupons": [coupon(attributes={"tier": "gold"})]}, now=NOW)
    with pytest.raises(AttributeError):
        wallet.available = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        wallet.coupons[0].attributes["tier"] = "silver"  # type: ignore[index]


@pytest.mark.parametrize(
    ("reply", "path"),
    [
        ([], "reply"),
        ({"coupons": {"value": "X"}}, "coupons"),
        ({"coupons": [coupon(value="")]}, "coupons[0].value"),
        ({"coupons": [coupon(campaignId="7")]}, "coupons[0].campaignId"),
        ({"coupons": [coupon(usageCounter=1.5)]}, "coupons[0].usageCounter"),
        ({"coupons": [coupon(discountLimit="lots")]}, "coupons[0].discountLimit"),
        ({"coupons": [coupon(discountLimit=True)]}, "coupons[0].discountLimit"),
        ({"coupons": [coupon(expiryDate="next week")]}, "coupons[0].expiryDate"),
        ({"referrals": [{"campaignId": 2}]}, "referrals[0].code"),
        ({"loyalty": {"programs": {"p": {"id": "x"}}}}, "loyalty.programs['p'].id"),
        ({"giveaways": [{"code": "G", "poolId": True}]}, "giveaways[0].poolId"),
        (
            {"loyalty": {"programs": {"p": {"id": 1, "ledger": {"pointsToNextTier": "x"}}}}},
            "loyalty.programs['p'].ledger.pointsToNextTier",
        ),
        ({"achievements": [{"name": "A1", "campaignId": 1}]}, "achievements[0].achievementId"),
        (
            {"achievements": [{"achievementId": 1, "name": "A1", "campaignId": 1, "progress": []}]},
            "achievements[0].progress",
        ),
    ],
)
def test_a_bad_reply_names_the_field(reply: Any, path: str) -> None:
    with pytest.raises(InventoryError) as caught:
        parse_inventory("p1", reply, now=NOW)
    assert caught.value.path == path
    assert str(caught.value).startswith(f"inventory reply: {path}: ")
