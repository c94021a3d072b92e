"""The official SDK (``talon_one``) parses every loyalty, giveaway and achievement reply.

Over real HTTP, a campaigns file with every reward kind is driven through earning,
spending, a tier change, a giveaway, achievement progress, a return and a cancel; every
effect's props are parsed with the SDK's own model for its type, and the session and
inventory sections with the SDK's reply models.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

talon_one = pytest.importorskip("talon_one")

from talon_one import models  # noqa: E402

from django_talonone.emulator import Emulator  # noqa: E402

from .rewards_world import PROGRAM, SPEND, campaign  # noqa: E402
from .sdk_client import sdk_for  # noqa: E402

API_KEY = "sdk-rewards-key"
PROPS_MODELS = {
    "setDiscount": models.SetDiscountEffectProps,
    "rollbackDiscount": models.RollbackDiscountEffectProps,
    "addLoyaltyPoints": models.AddLoyaltyPointsEffectProps,
    "deductLoyaltyPoints": models.DeductLoyaltyPointsEffectProps,
    "changeLoyaltyTierLevel": models.ChangeLoyaltyTierLevelEffectProps,
    "rollbackAddedLoyaltyPoints": models.RollbackAddedLoyaltyPointsEffectProps,
    "rollbackDeductedLoyaltyPoints": models.RollbackDeductedLoyaltyPointsEffectProps,
    "willAwardGiveaway": models.WillAwardGiveawayEffectProps,
    "awardGiveaway": models.AwardGiveawayEffectProps,
    "increaseAchievementProgress": models.IncreaseAchievementProgressEffectProps,
    "rollbackIncreasedAchievementProgress": (
        models.RollbackIncreasedAchievementProgressEffectProps
    ),
}
CONTENT = ["customerSession", "loyalty", "awardedGiveaways", "ruleFailureReasons"]
CONFIG = {
    "loyaltyPrograms": [PROGRAM],
    "giveawayPools": [{"id": 4, "name": "Gift cards", "codes": ["GIFT-0001", "GIFT-0002"]}],
    "campaigns": [
        campaign(
            1,
            {"type": "addLoyaltyPoints", "programId": 7, "name": "Order", "points": 120},
            {
                "type": "addLoyaltyPointsPerItem",
                "programId": 7,
                "name": "Per mug",
                "points": 2,
                "skus": ["MUG"],
            },
            {"type": "awardGiveaway", "poolId": 4},
            {"type": "increaseAchievementProgress", "achievementId": 9},
            achievements=[{"id": 9, "name": "ThreeOrders", "title": "Three orders", "target": 3}],
        ),
        campaign(2, SPEND),
    ],
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world() -> Iterator[tuple[talon_one.IntegrationApi, Clock, list[models.Effect]]]:
    """The SDK aimed at an emulator running :data:`CONFIG`, and every effect it received."""
    clock = Clock()
    emulator = Emulator(api_key=API_KEY, config=CONFIG, clock=clock)
    with sdk_for(emulator, API_KEY) as api:
        yield api, clock, []


def _session(
    api: Any, seen: list[models.Effect], session_id: str, state: str, **attributes: Any
) -> models.IntegrationStateV2:
    request = models.IntegrationRequest(
        customer_session=models.NewCustomerSessionV2(
            profile_id="ann",
            state=state,
            cart_items=[
                models.CartItem(name="Mug", sku="MUG", quantity=2, price=12.5),
                models.CartItem(name="Tea", sku="TEA", quantity=1, price=4.5),
            ],
            attributes=attributes,
        ),
        response_content=CONTENT,
    )
    reply = api.update_customer_session_v2(session_id, request)
    seen.extend(reply.effects)
    return reply


def _parse_every_effect(seen: list[models.Effect]) -> set[str]:
    for effect in seen:
        model = PROPS_MODELS[effect.effect_type]
        assert model.from_dict(effect.props) is not None, effect.effect_type
    return {effect.effect_type for effect in seen}


def test_every_reward_reply_and_effect_parses_with_the_official_sdk(world: Any) -> None:
    api, clock, seen = world
    opened = _session(api, seen, "s-1", "open")
    assert opened.loyalty is not None
    assert opened.awarded_giveaways == []
    closed = _session(api, seen, "s-1", "closed")
    assert [g.code for g in closed.awarded_giveaways or []] == ["GIFT-0001"]
    program = closed.loyalty.programs["points"]
    assert (program.id, program.ledger.pending_balance) == (7, 124)
    assert program.ledger.current_tier.name == "Silver"

    clock.now += timedelta(days=14)
    spent = _session(api, seen, "s-2", "closed", pointsToRedeem=100)
    assert spent.loyalty.programs["points"].ledger.spent_balance == 100
    returned = api.return_cart_items(
        "s-2",
        models.ReturnIntegrationRequest(
            var_return=models.NewReturn(returned_cart_items=[models.ReturnedCartItem(position=0)]),
            response_content=["loyalty"],
        ),
    )
    seen.extend(returned.effects)
    cancelled = _session(api, seen, "s-2", "cancelled", pointsToRedeem=100)
    assert cancelled.loyalty.programs["points"].ledger.spent_balance == 0

    kinds = _parse_every_effect(seen)
    assert kinds == set(PROPS_MODELS)

    inventory = api.get_customer_inventory("ann", loyalty=True, giveaways=True, achievements=True)
    ledger = inventory.loyalty.programs["points"].ledger
    assert (ledger.current_balance, ledger.pending_balance) == (124, 0)
    assert (ledger.current_tier.name, ledger.points_to_next_tier) == ("Silver", 176)
    assert [g.code for g in inventory.giveaways] == ["GIFT-0001", "GIFT-0002"]
    profile = api.update_customer_profile_v2(
        "ann",
        models.CustomerProfileIntegrationRequestV2(attributes={}, response_content=["loyalty"]),
        run_rule_engine=True,
    )
    assert profile.loyalty.programs["points"].ledger.current_balance == 124
    event = api.track_event_v2(
        models.IntegrationEventV2Request(
            profile_id="ann", type="viewed_points", response_content=["loyalty"]
        ),
        silent="no",
    )
    assert event.loyalty.programs["points"].ledger.current_balance == 124
    [achievement] = inventory.achievements
    assert (achievement.name, achievement.status, achievement.progress) == (
        "ThreeOrders",
        "inprogress",
        1,
    )
