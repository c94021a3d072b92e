"""The wallet snippet's loyalty side, rendered from a wallet read from the emulator."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date
from django.utils.timezone import localtime

from django_talonone.templatetags.talonone import points
from django_talonone.testing import TalonOneHarness
from django_talonone.wallet import get_wallet

from .conftest import ALICE, place_order

pytestmark = pytest.mark.django_db(transaction=True)


def render(wallet: Any) -> str:
    return Template("{% load talonone %}{% show_coupon_wallet wallet %}").render(
        Context({"wallet": wallet})
    )


def row(html: str, marker: str) -> str:
    part = html[html.index(marker) :]
    return part[: part.index("</tr>")]


def test_the_snippet_shows_points_pending_dates_expiry_tier_and_progress(
    loyalty_talonone: TalonOneHarness, member: Any
) -> None:
    place_order(member, ("MUG", "100.00"), ("TEA", "20.00"))
    wallet = get_wallet(ALICE)
    html = render(wallet)
    points_row = row(html, 'data-program="points"')
    assert "Shop points" in points_row
    assert 'data-test="points-active">0<' in points_row
    assert "120 from" in points_row  # the pending entry, with its date
    [entry] = wallet.loyalty[0].pending
    assert f'datetime="{date(localtime(entry.activates_at), "c")}"' in points_row
    assert "Silver" in points_row
    assert "80 points to Gold" in points_row
    stars_row = row(html, 'data-program="stars"')
    assert 'data-test="points-active">10<' in stars_row
    assert 'data-test="points-expiring">10 by' in stars_row
    assert 'data-code="GIFT-1"' in html
    progress = row(html, 'data-achievement="ThreeOrders"')
    assert 'data-status="inprogress"' in progress
    assert "Three orders" in progress
    assert "1 / 3" in progress


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("120.00"), "120"),
        (Decimal("1.50"), "1.5"),
        (Decimal("1E+2"), "100"),
        (7, "7"),
        (None, ""),
    ],
)
def test_points_are_shown_without_trailing_zeros(value: Any, shown: str) -> None:
    assert points(value) == shown
