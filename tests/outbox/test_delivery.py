"""Delivering the outbox: order per lane, retries, dead letters, replays, leases, mirrors."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest

from django_talonone.emulator import Emulator
from django_talonone.models import (
    Delivery,
    DeliveryStatus,
    Operation,
    ReturnState,
    SessionReturn,
    SessionState,
)
from django_talonone.outbox import (
    LaneState,
    deliver_lane,
    deliver_pending,
    delivery_dead,
    enqueue,
    retry_dead,
    session_lane,
)
from tests.clocks import OutboxClock

from .conftest import item, new_session, operations, return_body, session_body

pytestmark = pytest.mark.django_db

LANE = session_lane("cart-1")
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def _order(emulator: Emulator, *, with_return: bool = True) -> list[Delivery]:
    """A cart update, its close and (optionally) a return, all queued before any delivery."""
    session = new_session("cart-1")
    rows = [
        enqueue(
            Operation.UPDATE_SESSION,
            lane=LANE,
            args=["cart-1"],
            body=session_body("open", item("SHOES", "80.00"), couponCodes=["WELCOME10"]),
            session=session,
            supersedable=True,
        ),
        enqueue(
            Operation.UPDATE_SESSION,
            lane=LANE,
            args=["cart-1"],
            body=session_body("closed", item("SHOES", "80.00"), item("SOCKS", "5.00")),
            session=session,
        ),
    ]
    if with_return:
        refund = SessionReturn.objects.create(session=session, items=[{"position": 0}])
        rows.append(
            enqueue(
                Operation.RETURN_ITEMS,
                lane=LANE,
                args=["cart-1"],
                body=return_body(0),
                session=session,
                session_return=refund,
            )
        )
    return rows


def _statuses(rows: list[Delivery]) -> list[str]:
    return [Delivery.objects.get(pk=row.pk).status for row in rows]


def test_a_lane_is_delivered_in_order_and_mirrors_follow(emulator: Emulator) -> None:
    rows = _order(emulator)
    result = deliver_lane(LANE)
    assert (result.delivered, result.state) == (3, LaneState.IDLE)
    assert _statuses(rows) == [DeliveryStatus.DONE] * 3
    assert operations(emulator, "cart-1") == [
        "updateCustomerSessionV2",
        "updateCustomerSessionV2",
        "returnCartItems",
    ]
    refund = SessionReturn.objects.get()
    assert refund.state == ReturnState.DONE
    assert refund.reply["customerSession"]["state"] == "partially_returned"
    assert refund.session.state == SessionState.PARTIALLY_RETURNED
    assert any(effect["effectType"] == "rollbackDiscount" for effect in refund.session.last_effects)
    first = Delivery.objects.get(pk=rows[0].pk)
    assert first.reply["customerSession"]["cartItems"][0]["price"] == "80.00"


def test_returns_carry_a_stable_idempotency_key(emulator: Emulator) -> None:
    _order(emulator)
    deliver_lane(LANE)
    [entry] = [e for e in emulator.requests if e["operation"] == "returnCartItems"]
    assert entry["headers"]["Idempotency-Key"] == SessionReturn.objects.get().idempotency_key
    updates = [e for e in emulator.requests if e["operation"] == "updateCustomerSessionV2"]
    assert all("Idempotency-Key" not in e["headers"] for e in updates)


def test_server_errors_are_retried_with_backoff(emulator: Emulator, clock: OutboxClock) -> None:
    rows = _order(emulator, with_return=False)
    emulator.set_faults(seed=1, error_rates={503: 1.0})
    result = deliver_lane(LANE, clock=clock)
    assert (result.retried, result.state) == (1, LaneState.WAITING)
    head = Delivery.objects.get(pk=rows[0].pk)
    assert (head.status, head.attempts, head.last_error_status) == (DeliveryStatus.PENDING, 1, 503)
    assert "503" in head.last_error
    # OUTBOX_BACKOFF=10: the first retry waits between 5 and 10 seconds (equal jitter).
    wait = head.next_attempt_at - clock.now
    assert timedelta(seconds=5) <= wait <= timedelta(seconds=10)
    assert result.wake_at == head.next_attempt_at
    assert _statuses(rows)[1] == DeliveryStatus.PENDING  # the close waits behind it
    assert deliver_lane(LANE, clock=clock).attempted == 0  # not due yet: nothing sent
    assert len(emulator.requests) == 1

    emulator.clear_faults()
    clock.advance(10)
    assert deliver_lane(LANE, clock=clock).delivered == 2
    assert _statuses(rows) == [DeliveryStatus.DONE] * 2


def test_backoff_grows_until_the_row_dies_and_the_signal_fires(
    emulator: Emulator, clock: OutboxClock, django_capture_on_commit_callbacks: Capture
) -> None:
    [row] = _order(emulator, with_return=False)[:1]
    emulator.set_faults(seed=1, error_rates={503: 1.0})
    dead: list[Delivery] = []

    def on_dead(sender: Any, delivery: Delivery, **kwargs: Any) -> None:
        dead.append(delivery)

    delivery_dead.connect(on_dead)
    try:
        waits = []
        for _ in range(3):  # OUTBOX_MAX_ATTEMPTS = 3
            with django_capture_on_commit_callbacks(execute=True):  # the signal follows a commit
                deliver_lane(LANE, clock=clock)
            row.refresh_from_db()
            waits.append((row.next_attempt_at - clock.now).total_seconds())
            clock.advance(60)
    finally:
        delivery_dead.disconnect(on_dead)
    assert (row.status, row.attempts) == (DeliveryStatus.DEAD, 3)
    assert 5 <= waits[0] <= 10
    assert 10 <= waits[1] <= 20
    assert waits[2] == 0  # dead: no further attempt scheduled
    assert [d.pk for d in dead] == [row.pk]
    assert dead[0].status == DeliveryStatus.DEAD
    # A dead row blocks its lane: the close behind it is not sent.
    assert deliver_lane(LANE, clock=clock).state == LaneState.BLOCKED
    assert operations(emulator).count("updateCustomerSessionV2") == 3


def test_a_bad_request_is_dead_at_once(emulator: Emulator) -> None:
    session = new_session("cart-1")
    refund = SessionReturn.objects.create(session=session, items=[{"position": 0}])
    enqueue(
        Operation.UPDATE_SESSION,
        lane=LANE,
        args=["cart-1"],
        body=session_body("open", item("SHOES", "80.00")),
    )
    row = enqueue(  # returns need a closed session: Talon.One answers 400
        Operation.RETURN_ITEMS,
        lane=LANE,
        args=["cart-1"],
        body=return_body(0),
        session_return=refund,
    )
    result = deliver_lane(LANE)
    assert (result.delivered, result.dead, result.state) == (1, 1, LaneState.BLOCKED)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error_status) == (DeliveryStatus.DEAD, 1, 400)
    assert row.last_error.startswith("400 ")
    assert "test-api-key" not in row.last_error
    refund.refresh_from_db()
    assert refund.state == ReturnState.FAILED


def test_retry_dead_replays_once_and_unblocks_the_lane(
    emulator: Emulator, clock: OutboxClock
) -> None:
    rows = _order(emulator)
    emulator.set_faults(seed=1, error_rates={503: 1.0}, operations=["returnCartItems"])
    for _ in range(3):
        deliver_lane(LANE, clock=clock)
        clock.advance(60)
    assert _statuses(rows) == [DeliveryStatus.DONE, DeliveryStatus.DONE, DeliveryStatus.DEAD]
    assert SessionReturn.objects.get().state == ReturnState.FAILED

    emulator.clear_faults()
    assert retry_dead(Delivery.objects.all()) == 1  # only the dead row is touched
    row = Delivery.objects.get(pk=rows[2].pk)
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 0)
    assert SessionReturn.objects.get().state == ReturnState.PENDING
    assert deliver_lane(LANE, clock=clock).delivered == 1
    assert deliver_lane(LANE, clock=clock).attempted == 0
    assert retry_dead([rows[2].pk]) == 0  # done rows stay done
    returns = [e for e in emulator.requests if e["operation"] == "returnCartItems"]
    assert [e["status"] for e in returns] == [503, 503, 503, 200]
    assert len({e["headers"]["Idempotency-Key"] for e in returns}) == 1
    assert SessionReturn.objects.get().state == ReturnState.DONE


def test_an_expired_lease_is_reclaimed_and_the_stale_worker_loses(
    emulator: Emulator, clock: OutboxClock
) -> None:
    rows = _order(emulator, with_return=False)
    lease_end = clock.now + timedelta(seconds=30)
    Delivery.objects.filter(pk=rows[0].pk).update(
        status=DeliveryStatus.IN_FLIGHT, attempts=1, lease_expires_at=lease_end
    )
    assert deliver_lane(LANE, clock=clock).state == LaneState.BUSY  # the lease is live
    assert deliver_pending(clock=clock).lanes == []
    clock.advance(31)
    result = deliver_lane(LANE, clock=clock)
    assert (result.delivered, result.state) == (2, LaneState.IDLE)
    head = Delivery.objects.get(pk=rows[0].pk)
    assert (head.status, head.attempts) == (DeliveryStatus.DONE, 2)


def test_batch_limit_stops_a_lane_with_work_left(emulator: Emulator) -> None:
    rows = _order(emulator)
    result = deliver_lane(LANE, limit=2)
    assert (result.delivered, result.more) == (2, True)
    assert _statuses(rows)[2] == DeliveryStatus.PENDING


def test_deliver_pending_drains_every_due_lane(emulator: Emulator, clock: OutboxClock) -> None:
    _order(emulator)
    enqueue(
        Operation.UPDATE_PROFILE,
        lane="profile:ann",
        args=["ann"],
        body={"attributes": {"newsletter": True}},
        query={"run_rule_engine": True},
    )
    later = enqueue(Operation.DELETE_CUSTOMER, lane="profile:bob", args=["bob"])
    Delivery.objects.filter(pk=later.pk).update(next_attempt_at=clock.now + timedelta(hours=1))
    summary = deliver_pending(clock=clock)
    assert summary.total("delivered") == 4
    assert str(summary) == "2 lane(s): 4 delivered, 0 to retry, 0 dead"
    [profile_call] = [e for e in emulator.requests if e["operation"] == "updateCustomerProfileV2"]
    assert profile_call["query"] == {"runRuleEngine": "true"}
    assert Delivery.objects.get(pk=later.pk).status == DeliveryStatus.PENDING


def test_unexpected_errors_are_retried_not_raised(emulator: Emulator, clock: OutboxClock) -> None:
    row = enqueue(Operation.DELETE_CUSTOMER, lane="profile:ann", args=["ann"])
    Delivery.objects.filter(pk=row.pk).update(operation="no_such_method")
    result = deliver_lane("profile:ann", clock=clock)
    row.refresh_from_db()
    assert (result.retried, row.status) == (1, DeliveryStatus.PENDING)
    assert row.last_error.startswith("unexpected ValueError")
