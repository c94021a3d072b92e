"""The wallet's loyalty side against the emulator: balances, tiers, pending points per
order, points expiring soon, giveaways and achievements, and what returns and cancels do
to them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from django_talonone.services import cancel_order, order_session, refund_order_lines
from django_talonone.testing import TalonOneHarness
from django_talonone.wallet import get_wallet

from .conftest import ALICE, place_order

pytestmark = pytest.mark.django_db(transaction=True)


def _near(moment: dt.datetime | None, days: int) -> bool:
    """``moment`` is ``days`` from now, give or take the test's own run time."""
    assert moment is not None
    expected = timezone.now() + dt.timedelta(days=days)
    return abs(moment - expected) < dt.timedelta(hours=1)


def test_an_order_shows_pending_points_with_their_date_tier_giveaway_and_progress(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    order = place_order(member, ("MUG", "100.00"), ("TEA", "20.00"))
    wallet = get_wallet(ALICE)
    assert wallet.available
    points = wallet.program("points")
    assert points is not None
    assert (points.program_id, points.title) == (7, "Shop points")
    assert (points.current_balance, points.pending_balance) == (Decimal(0), Decimal(120))
    # tiers count pending points: Silver reached, Gold 80 points away
    assert (points.tier, points.next_tier, points.points_to_next_tier) == (
        "Silver",
        "Gold",
        Decimal(80),
    )
    assert points.tier_id is not None
    assert not points.is_top_tier
    [pending] = points.pending
    assert pending.points == Decimal(120)
    assert _near(pending.activates_at, 14)
    assert _near(pending.expires_at, 14 + 90)
    assert pending.session_id == order_session_id(order)
    assert points.expiring_soon == Decimal(0)
    stars = wallet.program(8)
    assert stars is not None
    assert (stars.current_balance, stars.pending, stars.tier) == (Decimal(10), (), None)
    # active stars expire in 20 days: within the 30-day "expiring soon" window
    assert stars.expiring_soon == Decimal(10)
    assert _near(stars.expiring_by, 30)
    [gift] = wallet.giveaways
    assert (gift.code, gift.pool_id, gift.used) == ("GIFT-1", 4, False)
    assert gift.giveaway_id is not None
    assert gift.awarded_at is not None
    [achievement] = wallet.achievements
    assert (achievement.name, achievement.title, achievement.campaign_id) == (
        "ThreeOrders",
        "Three orders",
        1,
    )
    assert (achievement.status, achievement.progress, achievement.target) == (
        "inprogress",
        Decimal(1),
        Decimal(3),
    )
    assert achievement.percent == 33
    [request] = loyalty_talonone.requests("getCustomerInventory")
    assert request["query"]["achievements"] == "true"


def order_session_id(order: Any) -> str:
    session = order_session(order)
    assert session is not None
    return session.session_id


def test_a_return_shrinks_the_pending_entry_and_a_cancel_removes_it(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    first = place_order(member, ("MUG", "100.00"), ("TEA", "20.00"))
    second = place_order(member, ("PEN", "30.00"))
    refund_order_lines(first, [first.lines.get(sku="TEA")])
    wallet = get_wallet(ALICE, use_cache=False)
    points = wallet.program("points")
    assert points is not None
    assert points.pending_balance == Decimal(130)
    assert sorted(entry.points for entry in points.pending) == [Decimal(30), Decimal(100)]
    cancel_order(first)
    cache.clear()
    points = get_wallet(ALICE).program("points")
    assert points is not None
    assert points.pending_balance == Decimal(30)
    [left] = points.pending
    assert (left.points, left.session_id) == (Decimal(30), order_session_id(second))
    # the cancelled order's stars are gone too; the kept order's still expire soon
    stars = get_wallet(ALICE).program("stars")
    assert stars is not None
    assert (stars.current_balance, stars.expiring_soon) == (Decimal(10), Decimal(10))


def test_a_shopper_without_loyalty_has_no_programs(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    wallet = get_wallet(ALICE)
    assert wallet.available
    assert (wallet.loyalty, wallet.giveaways, wallet.achievements) == ((), (), ())
    assert wallet.program("points") is None


def test_a_cached_wallet_still_dates_its_pending_points(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    place_order(member, ("MUG", "100.00"))
    first = get_wallet(ALICE)
    again = get_wallet(ALICE)
    assert len(loyalty_talonone.requests("getCustomerInventory")) == 1  # the second is cached
    assert [p.pending for p in again.loyalty] == [p.pending for p in first.loyalty]
    points = again.program("points")
    assert points is not None
    assert [entry.points for entry in points.pending] == [Decimal(100)]


def test_an_unreadable_history_entry_costs_its_dates_not_the_wallet(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    order = place_order(member, ("MUG", "100.00"))
    session = order_session(order)
    assert session is not None
    session.history.filter(kind="closed").update(evaluation={"points": {"earned": [{"x": 1}]}})
    wallet = get_wallet(ALICE)
    points = wallet.program("points")
    assert points is not None
    assert points.pending_balance == Decimal(100)  # Talon.One's total still shows
    assert points.pending == ()


def test_an_outage_gives_an_unavailable_wallet_without_points(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    place_order(member, ("MUG", "100.00"))
    loyalty_talonone.fail(503)
    wallet = get_wallet(ALICE, use_cache=False)
    assert not wallet.available
    assert wallet.loyalty == ()
