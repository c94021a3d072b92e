"""Recovering from the worst cases: a worker that dies mid-call, a revoked API key, a return
dropped after Talon.One applied it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from django_talonone.emulator import Emulator
from django_talonone.models import Delivery, DeliveryStatus, ReturnState, SessionReturn
from django_talonone.outbox import LaneState, deliver_lane, delivery_dead, retry_dead
from django_talonone.outbox.claims import Claim, claim_head, settle
from django_talonone.services import delivery as service
from tests.clocks import OutboxClock

from .conftest import SETTINGS
from .shop import Shopper, close_shop, shop, simple_scenario
from .shop import settle as drain

pytestmark = pytest.mark.django_db(transaction=True)

SHOES = ("shoes", Decimal("80.00"), 1)
SOCKS = ("socks", Decimal("5.00"), 2)


def _healthy(number: int) -> None:
    """No faults in any round."""


def test_a_worker_that_died_mid_call_is_taken_over_and_the_return_applied_once(
    emulator: Emulator, clock: OutboxClock
) -> None:
    scenario = simple_scenario([Shopper((SHOES, SOCKS), coupon=True, fate="refund")])
    shop(scenario, clock, _healthy)
    refund = Delivery.objects.get(session_return__isnull=False)
    lane = refund.lane
    # Deliver everything before the return, then let a worker claim the return...
    before = Delivery.objects.filter(lane=lane, status=DeliveryStatus.PENDING, id__lt=refund.pk)
    deliver_lane(lane, limit=before.count(), clock=clock)
    assert not before.exists()
    zombie = claim_head(lane, now=clock(), lease_seconds=SETTINGS["OUTBOX_LEASE"])
    assert isinstance(zombie, Claim)
    assert zombie.delivery.pk == refund.pk
    service.send(zombie.delivery)  # ...which Talon.One applies; then the worker dies.
    returns_sent = len([e for e in emulator.requests if e["operation"] == "returnCartItems"])
    assert returns_sent == 1

    assert deliver_lane(lane, clock=clock).state == LaneState.BUSY  # its lease still holds
    clock.advance(SETTINGS["OUTBOX_LEASE"] + 1)
    assert deliver_lane(lane, clock=clock).delivered == 1  # taken over

    sent = [e for e in emulator.requests if e["operation"] == "returnCartItems"]
    assert len(sent) == 2
    assert {e["headers"]["Idempotency-Key"] for e in sent} == {
        SessionReturn.objects.get().idempotency_key
    }
    [session_id] = emulator.state.data["returns"]
    assert len(emulator.state.data["returns"][session_id]) == 1  # applied once
    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (DeliveryStatus.DONE, 2)
    assert SessionReturn.objects.get().state == ReturnState.DONE
    # The dead worker comes back: its outcome is refused, the newer one stands.
    assert settle(zombie, now=clock(), status=DeliveryStatus.DEAD) is False
    refund.refresh_from_db()
    assert refund.status == DeliveryStatus.DONE


def test_returns_dropped_after_apply_are_applied_once(
    emulator: Emulator, clock: OutboxClock
) -> None:
    people = [Shopper((SHOES, SOCKS), fate="refund", refunded=(0,)) for _ in range(3)]
    people.append(Shopper((SHOES, SOCKS), fate="refund_cancel", refunded=(1,)))

    def drop_first_returns(number: int) -> None:
        if number < 2:  # every return is applied, then its reply is lost
            emulator.set_faults(
                seed=number, drop_rate=1.0, drop_after_apply=True, operations=["returnCartItems"]
            )
        else:
            emulator.clear_faults()

    shop(simple_scenario(people), clock, drop_first_returns)
    drain(clock, drop_first_returns)
    dropped = [e for e in emulator.requests if e["dropped"]]
    assert len(dropped) >= len(people)
    assert not Delivery.objects.exclude(status__in=[DeliveryStatus.DONE, DeliveryStatus.SUPERSEDED])
    for session_id, applied in emulator.state.data["returns"].items():
        assert len(applied) == 1, session_id
    assert len(emulator.state.data["returns"]) == len(people)


def test_a_revoked_key_parks_calls_as_dead_until_retried(
    emulator: Emulator, clock: OutboxClock
) -> None:
    dead: list[Delivery] = []

    def record(sender: Any, delivery: Delivery, **kwargs: Any) -> None:
        dead.append(delivery)

    delivery_dead.connect(record, weak=False, dispatch_uid="recovery-dead")
    try:
        with override_settings(TALONONE={**SETTINGS, "API_KEY": "revoked-key"}):
            people = [Shopper((SHOES, SOCKS), coupon=True, fate="refund") for _ in range(3)]
            scenario = simple_scenario(people)
            shop(scenario, clock, _healthy)
            drain(clock, _healthy)
    finally:
        delivery_dead.disconnect(dispatch_uid="recovery-dead")

    parked = Delivery.objects.filter(status=DeliveryStatus.DEAD)
    assert {row.last_error_status for row in parked} == {401}
    assert sorted(row.pk for row in dead) == sorted(parked.values_list("pk", flat=True))
    assert all(row.attempts == 1 for row in parked)  # a 401 is not retried
    assert all("revoked-key" not in row.last_error for row in parked)
    # A dead head blocks its lane: the calls behind it wait, nothing is skipped.
    heads = set(parked.values_list("lane", flat=True))
    assert len(heads) == parked.count()
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()
    accepted = [e for e in emulator.requests if e["status"] == 200]
    assert accepted == []

    assert retry_dead(parked) == len(heads)  # the key is fixed: staff retry them
    drain(clock, _healthy)
    assert set(Delivery.objects.values_list("status", flat=True)) <= {
        DeliveryStatus.DONE,
        DeliveryStatus.SUPERSEDED,
    }
    sessions = emulator.state.data["sessions"].values()
    assert [s["state"] for s in sessions] == ["partially_returned"] * 3
    assert emulator.state.data["couponUsage"]["WELCOME10"]["usageCounter"] == 3
    close_shop(emulator)


def test_a_call_talon_one_must_always_refuse_is_discarded_and_its_lane_moves_on(
    emulator: Emulator, clock: OutboxClock
) -> None:
    """Misconfigured: the app is told the Application flattens cart items, which it does not
    (the emulator's default). A unit of a 2-unit line returns the whole line, so the next
    unit is refused with a 400 on every attempt: the row is dead, retrying fails again,
    and the cancel queued behind it waits. Staff discard it and the lane moves on."""
    from django_talonone.services import discard_deliveries, refund_order_lines
    from tests.shop.models import Order

    with override_settings(TALONONE={**SETTINGS, "CART_ITEM_FLATTENING": True}):
        people = [Shopper((SHOES, SOCKS), coupon=True, fate="order") for _ in range(3)]
        shop(simple_scenario(people), clock, _healthy)
        drain(clock, _healthy)
        for order in Order.objects.order_by("pk"):
            socks = order.lines.get(sku="socks")
            refund_order_lines(order, [(socks, 1)])
            refund_order_lines(order, [(socks, 1)])
            order.status = Order.Status.CANCELLED
            order.save()
        drain(clock, _healthy)
        dead = Delivery.objects.filter(status=DeliveryStatus.DEAD)
        assert dead.count() == len(people)
        assert {row.last_error_status for row in dead} == {400}
        blocked = Delivery.objects.filter(status=DeliveryStatus.PENDING)
        assert blocked.count() == len(people)  # each order's cancel, behind its dead return

        assert retry_dead(dead) == len(people)  # it cannot succeed: dead again
        drain(clock, _healthy)
        assert Delivery.objects.filter(status=DeliveryStatus.DEAD).count() == len(people)

        discarded = discard_deliveries(
            Delivery.objects.filter(status=DeliveryStatus.DEAD), reason="whole line returned"
        )
        assert len(discarded) == len(people)
        drain(clock, _healthy)
    statuses = set(Delivery.objects.values_list("status", flat=True))
    assert statuses <= {DeliveryStatus.DONE, DeliveryStatus.SUPERSEDED, DeliveryStatus.DISCARDED}
    sessions = emulator.state.data["sessions"].values()
    assert [s["state"] for s in sessions] == ["cancelled"] * len(people)
    assert emulator.state.data["couponUsage"]["WELCOME10"]["usageCounter"] == 0
    close_shop(emulator)
