"""Whatever happens after the call, the row is settled: a reply (or a failure) the mirror
code cannot digest never leaves a row in flight, to be taken over and sent again."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from django.apps import apps

from django_talonone.emulator import Emulator
from django_talonone.models import Delivery, DeliveryStatus, Operation
from django_talonone.outbox import deliver_lane, deliver_pending, enqueue, session_lane
from tests.clocks import OutboxClock

from .conftest import SETTINGS, item, new_session, operations, session_body

pytestmark = pytest.mark.django_db

LANE = session_lane("cart-1")


@pytest.fixture
def indigestible() -> Iterator[None]:
    """The services' mirror code raising on every reply and every failure."""
    config = apps.get_app_config("django_talonone")
    installed = config.outbox_hooks

    def choke(delivery: Delivery, *args: Any) -> None:
        raise ValueError("discount value 'abc' is not a number")

    config.outbox_hooks = replace(installed, apply_reply=choke, apply_failure=choke)
    try:
        yield
    finally:
        config.outbox_hooks = installed


def _update() -> Delivery:
    return enqueue(
        Operation.UPDATE_SESSION,
        lane=LANE,
        args=["cart-1"],
        body=session_body("open", item("SHOES", "80.00")),
        session=new_session("cart-1"),
    )


def test_an_applied_call_whose_reply_cannot_be_mirrored_is_done_and_says_so(
    emulator: Emulator, clock: OutboxClock, indigestible: None
) -> None:
    row = _update()
    result = deliver_lane(LANE, clock=clock)
    assert result.delivered == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.DONE
    assert row.lease_expires_at is None
    assert row.last_error == (
        "the outcome could not be mirrored: "
        "unexpected ValueError: discount value 'abc' is not a number"
    )
    clock.advance(SETTINGS["OUTBOX_LEASE"] + 1)  # long past the lease: nothing to take over
    deliver_pending(clock=clock)
    assert operations(emulator, "cart-1") == ["updateCustomerSessionV2"]


def test_a_dead_row_whose_failure_cannot_be_mirrored_stays_dead_with_both_errors(
    emulator: Emulator, clock: OutboxClock, indigestible: None
) -> None:
    row = _update()
    emulator.set_faults(seed=1, error_rates={500: 1.0})
    for _ in range(SETTINGS["OUTBOX_MAX_ATTEMPTS"]):
        deliver_lane(LANE, clock=clock)
        clock.advance(SETTINGS["OUTBOX_BACKOFF_MAX"] + 1)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.DEAD
    assert row.last_error.startswith("500 Internal server error; ")
    assert row.last_error.endswith(
        "; the outcome could not be mirrored: "
        "unexpected ValueError: discount value 'abc' is not a number"
    )
