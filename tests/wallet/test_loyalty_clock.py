"""The wallet when Talon.One's clock is ahead of Django's (a test moving the emulator's
clock, a server whose clock lags): the dated pending entries follow the pending total
Talon.One reports, never listing more than it, and the order's state follows the wallet."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from django_talonone.services import order_points, order_session
from django_talonone.testing import TalonOneHarness
from django_talonone.wallet import get_wallet
from django_talonone.wallet.pending import with_order_points

from .conftest import ALICE, place_order

pytestmark = pytest.mark.django_db(transaction=True)


def session_id(order: Any) -> str:
    session = order_session(order)
    assert session is not None
    return session.session_id


def test_points_talonone_activated_are_no_longer_listed_as_pending(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    order = place_order(member, ("MUG", "100.00"))
    loyalty_talonone.emulator.move_clock(days=15)  # past the 14-day return window
    wallet = get_wallet(ALICE, use_cache=False)
    points = wallet.program("points")
    assert points is not None
    assert (points.current_balance, points.pending_balance) == (Decimal(100), Decimal(0))
    assert points.pending == ()
    state = order_points(order, wallet=wallet)
    assert state is not None
    assert (state.state, state.kept) == ("active", Decimal(110))  # 100 points, 10 stars
    # without the wallet, Django's clock decides: the return window is still open there
    plain = order_points(order)
    assert plain is not None
    assert plain.state == "pending"


def test_the_earliest_activations_are_dropped_first(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    first = place_order(member, ("MUG", "100.00"))
    loyalty_talonone.emulator.move_clock(days=7)
    second = place_order(member, ("PEN", "30.00"))
    loyalty_talonone.emulator.move_clock(days=8)  # the first order's points are active
    wallet = get_wallet(ALICE, use_cache=False)
    points = wallet.program("points")
    assert points is not None
    assert (points.current_balance, points.pending_balance) == (Decimal(100), Decimal(30))
    [left] = points.pending
    assert (left.points, left.session_id) == (Decimal(30), session_id(second))
    states = [order_points(order, wallet=wallet) for order in (first, second)]
    assert [s.state if s else None for s in states] == ["active", "pending"]


def test_a_pending_total_below_the_orders_trims_the_earliest_entry(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    """Whatever the cause (points taken back outside this shop, a clock ahead), a reported
    pending total below what the orders earned cuts the entries down to it, the entry
    activating first giving up its points first."""
    first = place_order(member, ("MUG", "100.00"))
    loyalty_talonone.emulator.move_clock(days=1)
    second = place_order(member, ("PEN", "30.00"))
    points = get_wallet(ALICE, use_cache=False).program("points")
    assert points is not None
    assert points.pending_balance == Decimal(130)
    reported = replace(points, pending_balance=Decimal(50), pending=())
    [program] = with_order_points((reported,), ALICE, now=timezone.now(), days=30)
    assert [(entry.session_id, entry.points) for entry in program.pending] == [
        (session_id(first), Decimal(20)),
        (session_id(second), Decimal(30)),
    ]
