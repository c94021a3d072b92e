"""Writing to the outbox: on-commit kicks, rollbacks, superseding, payload storage."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from django_talonone.emulator import Emulator
from django_talonone.models import Delivery, DeliveryStatus, Operation, SessionState
from django_talonone.outbox import deliver_lane, enqueue, session_lane, supersede

from .conftest import item, new_session, operations, session_body

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def _update(session_id: str, *, supersedable: bool = False, state: str = "open") -> Delivery:
    return enqueue(
        Operation.UPDATE_SESSION,
        lane=session_lane(session_id),
        args=[session_id],
        body=session_body(state, item("SHOES", "80.00")),
        supersedable=supersedable,
    )


def test_commit_kicks_the_task_which_delivers(
    emulator: Emulator, django_capture_on_commit_callbacks: Capture
) -> None:
    session = new_session("cart-1")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = enqueue(
            Operation.UPDATE_SESSION,
            lane=session_lane("cart-1"),
            args=["cart-1"],
            body=session_body("closed", item("SHOES", "80.00")),
            session=session,
        )
        assert Delivery.objects.get().status == DeliveryStatus.PENDING
    assert len(callbacks) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.DONE, 1)
    assert row.delivered_at is not None
    assert operations(emulator) == ["updateCustomerSessionV2"]
    session.refresh_from_db()
    assert session.state == SessionState.CLOSED


def test_rolled_back_transaction_writes_and_kicks_nothing(
    emulator: Emulator, django_capture_on_commit_callbacks: Capture
) -> None:
    def place_order_that_fails() -> None:
        with transaction.atomic():
            _update("cart-1")
            raise RuntimeError("the order failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        place_order_that_fails()
    assert callbacks == []
    assert not Delivery.objects.exists()
    assert emulator.requests == []


def test_money_is_stored_exactly_and_sent_as_numbers(emulator: Emulator) -> None:
    row = _update("cart-1")
    # the row holds the wire JSON: the price is a number, not text
    raw = Delivery.objects.filter(pk=row.pk).values_list(Cast("payload", TextField()), flat=True)[0]
    assert '"price":80.00' in raw.replace(" ", "")
    stored = Delivery.objects.get(pk=row.pk).payload
    price = stored["body"]["customerSession"]["cartItems"][0]["price"]
    assert isinstance(price, Decimal)
    assert str(price) == "80.00"
    assert set(stored) == {"args", "body", "query"}
    deliver_lane(session_lane("cart-1"))
    [entry] = emulator.requests
    sent = entry["requestBody"]["customerSession"]["cartItems"][0]
    assert isinstance(sent["price"], Decimal)
    assert sent["price"] == Decimal("80.00")
    assert sent["sku"] == "SHOES"


def test_newer_snapshot_supersedes_pending_ones() -> None:
    first = _update("cart-1", supersedable=True)
    second = _update("cart-1", supersedable=True)
    other_lane = _update("cart-2", supersedable=True)
    third = _update("cart-1", supersedable=True)
    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: DeliveryStatus.SUPERSEDED,
        second.pk: DeliveryStatus.SUPERSEDED,
        other_lane.pk: DeliveryStatus.PENDING,
        third.pk: DeliveryStatus.PENDING,
    }


def test_in_flight_and_fenced_snapshots_are_never_superseded() -> None:
    in_flight = _update("cart-1", supersedable=True)
    Delivery.objects.filter(pk=in_flight.pk).update(status=DeliveryStatus.IN_FLIGHT)
    before_close = _update("cart-1", supersedable=True)
    close = _update("cart-1", state="closed")
    after_close = _update("cart-1", supersedable=True)
    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert statuses[in_flight.pk] == DeliveryStatus.IN_FLIGHT
    assert statuses[before_close.pk] == DeliveryStatus.PENDING  # a close follows it
    assert statuses[close.pk] == statuses[after_close.pk] == DeliveryStatus.PENDING


def test_bad_payload_is_rejected_naming_the_field() -> None:
    body = session_body("open", {"sku": "A", "price": object()})
    with pytest.raises(TypeError, match="/body/customerSession/cartItems/0/price"):
        enqueue(Operation.UPDATE_SESSION, lane="session:x", args=["x"], body=body)
    with pytest.raises(ValueError, match="/body/customerSession/total"):
        enqueue(
            Operation.UPDATE_SESSION,
            lane="session:x",
            args=["x"],
            body={"customerSession": {"total": Decimal("NaN")}},
        )
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"operation": "get_customer_session"}, "not a valid Operation"),
        ({"lane": ""}, "lane must be"),
        ({"args": "cart-1"}, "not a string"),
        ({"args": [1.5]}, "/args/0"),
        ({"query": {"run-rule-engine": True}}, "keyword argument"),
    ],
)
def test_bad_arguments_are_rejected(kwargs: dict[str, Any], message: str) -> None:
    call: dict[str, Any] = {"operation": Operation.DELETE_CUSTOMER, "lane": "profile:1"}
    with pytest.raises((TypeError, ValueError), match=message):
        enqueue(**(call | kwargs))


def test_the_stored_payload_holds_no_secret() -> None:
    row = _update("cart-1")
    assert "test-api-key" not in str(row.payload)
    assert set(row.payload) == {"args", "body", "query"}


def test_superseding_retires_only_waiting_and_dead_rows() -> None:
    """The one writer of ``superseded`` never rewrites a row being sent or one finished."""
    states = [
        DeliveryStatus.PENDING,
        DeliveryStatus.IN_FLIGHT,
        DeliveryStatus.DONE,
        DeliveryStatus.DEAD,
        DeliveryStatus.DISCARDED,
    ]
    rows = [_update(f"cart-{n}") for n, _ in enumerate(states)]
    for row, state in zip(rows, states, strict=True):
        Delivery.objects.filter(pk=row.pk).update(status=state)
    assert supersede(Delivery.objects.all()) == 2
    after = dict(Delivery.objects.values_list("pk", "status"))
    assert [after[row.pk] for row in rows] == [
        DeliveryStatus.SUPERSEDED,
        DeliveryStatus.IN_FLIGHT,
        DeliveryStatus.DONE,
        DeliveryStatus.SUPERSEDED,
        DeliveryStatus.DISCARDED,
    ]
