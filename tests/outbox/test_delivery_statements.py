"""Delivering a cart's session updates costs a fixed, small number of SQL statements per
row: the claim, the settle and the mirror each compile theirs, and the ORM's compiling is
most of what a delivery costs besides the HTTP call (issue: outbox throughput)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_talonone.emulator import Emulator
from django_talonone.models import CustomerSession, Delivery, DeliveryStatus, Operation
from django_talonone.outbox import deliver_lane, enqueue, session_lane

pytestmark = pytest.mark.django_db

ROWS = 20


def _queue_updates(session: CustomerSession) -> str:
    lane = session_lane(session.session_id)
    for number in range(ROWS):
        item = {"sku": "SHOES", "quantity": 1 + number % 3, "price": Decimal("59.90")}
        body = {"customerSession": {"state": "open", "cartItems": [item]}}
        enqueue(
            Operation.UPDATE_SESSION,
            lane=lane,
            args=[session.session_id],
            body=body,
            session=session,
            wake=False,
        )
    return lane


def test_each_session_update_costs_at_most_eight_statements(emulator: Emulator) -> None:
    session = CustomerSession.objects.create(session_id="cart-statements")
    lane = _queue_updates(session)
    with CaptureQueriesContext(connection) as captured:
        result = deliver_lane(lane, limit=ROWS + 1)
    assert result.delivered == ROWS
    assert Delivery.objects.filter(lane=lane, status=DeliveryStatus.DONE).count() == ROWS
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    run = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(control)]
    # Per row: the claim (SQLite's write lock, the head with its session, the swap), the
    # settle, the session's mirror, and its history (the last step, and a new one with
    # its pruning when the promotions changed). 10.5 per row before the head carried its
    # session and the mirror wrote the session once.
    assert len(run) <= 8 * ROWS
