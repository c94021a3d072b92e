"""Loyalty rollbacks under faults: a return or a cancel takes an order's points back once,
however often its call is dropped after Talon.One applied it, fails or is retried.

The same shoppers run against a healthy emulator and against one that loses replies and
answers 500s; both end with the same ledgers, each earning rolled back by exactly what was
returned or cancelled, the shop's session history records each return and the cancel
once, and each order's points (``services.order_points``) read the same: a retried cancel
answers without the rollback effects, so they are read from the cancelled state.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from django_talonone.client import TalonOneClient
from django_talonone.emulator import Emulator, loyalty
from django_talonone.models import (
    CustomerSession,
    Delivery,
    DeliveryStatus,
    HistoryKind,
    SessionReturn,
)
from django_talonone.services import order_points
from django_talonone.services.clients import client_factory_override
from tests.clocks import OutboxClock
from tests.shop.models import Order

from .conftest import API_KEY, SETTINGS, no_sleep
from .shop import Shopper, close_shop, shop, simple_scenario
from .shop import settle as drain

pytestmark = pytest.mark.django_db(transaction=True)

PROGRAM = 7
CAMPAIGNS: dict[str, Any] = {
    "loyaltyPrograms": [{"id": PROGRAM, "name": "points", "title": "Shop points"}],
    "campaigns": [
        {
            "id": 1,
            "name": "Points",
            "rules": [
                {
                    "name": "a point per unit of currency",
                    "effects": [
                        {
                            "type": "addLoyaltyPoints",
                            "programId": PROGRAM,
                            "name": "Order points",
                            "perCartTotal": 1,
                        }
                    ],
                }
            ],
        }
    ],
}
SHOES = ("shoes", Decimal("80.00"), 1)
SOCKS = ("socks", Decimal("5.00"), 2)
#: Each earns 90 points; what is left after its refund and cancel, by shopper.
SHOPPERS = (
    Shopper((SHOES, SOCKS), fate="refund", refunded=(0,)),
    Shopper((SHOES, SOCKS), fate="cancel"),
    Shopper((SHOES, SOCKS), fate="refund_cancel", refunded=(1,)),
    Shopper((SHOES, SOCKS), fate="order"),
)
KEPT = {"shopper-s0": Decimal(10), "shopper-s1": 0, "shopper-s2": 0, "shopper-s3": Decimal(90)}
#: Per order: points earned, rolled back, and their state, as its page shows them.
ORDERS = {
    "order:1": (Decimal(90), Decimal(80), "active"),
    "order:2": (Decimal(90), Decimal(90), "rolled back"),
    "order:3": (Decimal(90), Decimal(90), "rolled back"),
    "order:4": (Decimal(90), Decimal(0), "active"),
}
FAULTY_ROUNDS = 8


@pytest.fixture
def loyalty_emulator() -> Iterator[Emulator]:
    """The chaos suite's emulator, with a loyalty program earning a point per unit."""
    emulator = Emulator(api_key=API_KEY, config=CAMPAIGNS, sleep=no_sleep, log_size=100_000)

    def factory(config: Any, purpose: str) -> TalonOneClient:
        return TalonOneClient(
            base_url=emulator.base_url,
            api_key=config.require("API_KEY"),
            session=emulator.session(),
            timeout=config.delivery_timeout,
            max_attempts=config.max_attempts,
            deadline=config.deadline,
            sleep=no_sleep,
        )

    with override_settings(TALONONE=SETTINGS), client_factory_override(factory):
        yield emulator


def _ledgers(emulator: Emulator) -> dict[str, Any]:
    """Per profile: its balances and each earning's (points, rolled back), in order."""
    state = emulator.state
    found = {}
    for profile_id in sorted(state.data["loyalty"]):
        book = loyalty.ledger(state, profile_id, PROGRAM)
        assert book is not None
        earnings = [(e["points"], e["rolledBack"]) for e in book["earned"]]
        found[profile_id] = {"balances": loyalty.balances(state, book), "earned": earnings}
    return found


def _order_points() -> dict[str, Any]:
    """What each order's page says about its points; and no return or cancel is in the
    shop's history twice."""
    for session in CustomerSession.objects.prefetch_related("history"):
        kinds = [entry.kind for entry in session.history.all()]
        assert kinds.count(HistoryKind.CANCELLED) <= 1, session.session_id
        assert kinds.count(HistoryKind.CLOSED) <= 1, session.session_id
        returns = SessionReturn.objects.filter(session=session).count()
        assert kinds.count(HistoryKind.RETURNED) == returns, session.session_id
    found = {}
    for order in Order.objects.order_by("pk"):
        points = order_points(order)
        assert points is not None, order.pk
        found[f"order:{order.pk}"] = (points.earned, points.rolled_back, points.state)
    return found


def _run(emulator: Emulator, clock: OutboxClock, before_round: Any) -> dict[str, Any]:
    shop(simple_scenario(SHOPPERS), clock, before_round)
    drain(clock, before_round)
    assert not Delivery.objects.exclude(status__in=[DeliveryStatus.DONE, DeliveryStatus.SUPERSEDED])
    return {"ledgers": _ledgers(emulator), "orders": _order_points()}


def test_rollbacks_on_return_and_cancel_are_applied_once_under_faults(
    loyalty_emulator: Emulator, clock: OutboxClock
) -> None:
    emulator = loyalty_emulator
    healthy = _run(emulator, clock, lambda number: emulator.clear_faults())
    kept = {profile: ledger["balances"]["active"] for profile, ledger in healthy["ledgers"].items()}
    assert kept == KEPT
    assert healthy["orders"] == ORDERS
    close_shop(emulator)

    def faults(number: int) -> None:
        if number >= FAULTY_ROUNDS:
            emulator.clear_faults()
        elif number % 2:  # applied, then the reply is lost: the retry must not apply again
            emulator.set_faults(
                seed=number,
                drop_rate=1.0,
                drop_after_apply=True,
                operations=["returnCartItems", "updateCustomerSessionV2"],
            )
        else:
            emulator.set_faults(seed=number, error_rates={500: 0.5})

    faulty = _run(emulator, clock, faults)
    dropped = [e for e in emulator.requests if e["dropped"]]
    assert any(e["operation"] == "returnCartItems" for e in dropped)
    assert faulty == healthy
