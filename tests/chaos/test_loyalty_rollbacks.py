"""Loyalty rollbacks under faults: a return or a cancel takes an order's points back once,
however often its call is dropped after Talon.One applied it, fails or is retried.

The same shoppers run against a healthy emulator and against one that loses replies and
answers 500s; both end with the same ledgers, each earning rolled back by exactly what was
returned or cancelled, the shop's session history records each return and the cancel
once, and each order's points (``services.order_points``) read the same: a retried cancel
answers without the rollback effects, so they are read from the cancelled state.

Once the scenario has settled, one shopper spends points on a second order and cancels it:
the close deducts the points once (``deductLoyaltyPoints``) and the cancel gives them back
once (``rollbackDeductedLoyaltyPoints``), however its calls are dropped and retried.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
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
from django_talonone.services import evaluate_cart, order_points, order_session, request_points
from django_talonone.services.clients import client_factory_override
from tests.clocks import OutboxClock
from tests.shop.models import Cart, CartLine, Order, OrderLine

from .conftest import API_KEY, SETTINGS, no_sleep
from .shop import Shopper, close_shop, shop, simple_scenario
from .shop import settle as drain

pytestmark = pytest.mark.django_db(transaction=True)

PROGRAM = 7
SPEND_ATTRIBUTE = "pointsToSpend"
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
        },
        {
            "id": 2,
            "name": "Pay with points",
            "rules": [
                {
                    "name": "ten points a unit of currency",
                    "effects": [
                        {
                            "type": "redeemLoyaltyPoints",
                            "programId": PROGRAM,
                            "name": "Points discount",
                            "attribute": SPEND_ATTRIBUTE,
                            "pointValue": Decimal("0.1"),
                        }
                    ],
                }
            ],
        },
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
#: The shopper who kept 90 points spends 50 of them (5.00 off) on order 5, then cancels it.
SPENDER, SPENT = 3, Decimal(50)


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

    settings = {**SETTINGS, "LOYALTY_POINTS_ATTRIBUTE": SPEND_ATTRIBUTE}
    with override_settings(TALONONE=settings), client_factory_override(factory):
        yield emulator


def _ledgers(emulator: Emulator) -> dict[str, Any]:
    """Per profile: its balances and each earning's (points, rolled back), in order."""
    state = emulator.state
    found = {}
    for profile_id in sorted(state.data["loyalty"]):
        book = loyalty.ledger(state, profile_id, PROGRAM)
        assert book is not None
        earnings = [(e["points"], e["spent"], e["rolledBack"]) for e in book["earned"]]
        spendings = [(s["points"], s["rolledBack"]) for s in book["spent"]]
        found[profile_id] = {
            "balances": loyalty.balances(state, book),
            "earned": earnings,
            "spent": spendings,
        }
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
        if points.spent or points.given_back:
            found[f"order:{order.pk}:spent"] = (points.spent, points.given_back)
    return found


def _spend_and_cancel() -> None:
    """The spender pays part of a new order with points, then cancels it; both queued
    before any delivery, as a shopper who changes their mind at once does."""
    pk = len(SHOPPERS) + 1
    user = get_user_model().objects.get(username=f"s{SPENDER}")
    with transaction.atomic():
        cart = Cart.objects.create(pk=pk, user=user)
        CartLine.objects.create(cart=cart, sku="hat", name="Hat", price=Decimal("30.00"))
    request_points(cart, SPENT)
    shown = evaluate_cart(cart)  # under faults it may be unavailable: full price then
    with transaction.atomic():
        # Built unpaid, then paid: an order made with its pk and paid status would look
        # already placed when it is loaded, and its close would never be sent.
        order = Order(pk=pk, user=user, cart=cart)
        order.discount_total = shown.discount_total if shown.available else Decimal(0)
        order.status = Order.Status.PAID
        order.save()
        OrderLine.objects.create(order=order, sku="hat", name="Hat", price=Decimal("30.00"))
    order.status = Order.Status.CANCELLED
    order.save()


def _run(emulator: Emulator, clock: OutboxClock, before_round: Any) -> dict[str, Any]:
    shop(simple_scenario(SHOPPERS), clock, before_round)
    drain(clock, before_round)  # the spender's points are active before they spend them
    _spend_and_cancel()
    drain(clock, before_round)
    assert not Delivery.objects.exclude(status__in=[DeliveryStatus.DONE, DeliveryStatus.SUPERSEDED])
    return {"ledgers": _ledgers(emulator), "orders": _order_points()}


def test_rollbacks_on_return_and_cancel_are_applied_once_under_faults(
    loyalty_emulator: Emulator, clock: OutboxClock
) -> None:
    emulator = loyalty_emulator
    healthy = _run(emulator, clock, lambda number: emulator.clear_faults())
    kept = {profile: ledger["balances"]["active"] for profile, ledger in healthy["ledgers"].items()}
    assert kept == KEPT  # the spender's 50 points came back with the cancel
    spender = healthy["ledgers"][f"shopper-s{SPENDER}"]
    assert spender["spent"] == [(SPENT, True)]  # deducted at the close, given back once
    assert spender["balances"]["spent"] == 0
    assert {k: v for k, v in healthy["orders"].items() if not k.startswith("order:5")} == ORDERS
    earned, rolled_back, state = healthy["orders"]["order:5"]
    assert (rolled_back, state) == (earned, "rolled back")
    assert healthy["orders"]["order:5:spent"] == (SPENT, SPENT)
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
    spend = order_session(Order.objects.get(pk=len(SHOPPERS) + 1))
    assert spend is not None
    lost = [e for e in dropped if spend.session_id in e["path"]]
    assert lost, "no reply about the spending order was lost"
    assert faulty == healthy
