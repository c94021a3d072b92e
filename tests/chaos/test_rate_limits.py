"""A 429's Retry-After is honoured by the outbox: the next attempt never comes sooner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from django_talonone.emulator import Emulator
from django_talonone.models import Delivery, DeliveryStatus
from django_talonone.outbox import deliver_pending
from tests.clocks import OutboxClock

from .conftest import SETTINGS

pytestmark = pytest.mark.django_db(transaction=True)

#: Backoff far below the emulator's ``Retry-After: 1``; one call per attempt.
IMPATIENT = {**SETTINGS, "MAX_ATTEMPTS": 1, "OUTBOX_BACKOFF": 0.01, "OUTBOX_BACKOFF_MAX": 30.0}


def test_the_next_attempt_waits_for_retry_after(emulator: Emulator, clock: OutboxClock) -> None:
    with override_settings(TALONONE=IMPATIENT):
        get_user_model().objects.create_user("ann", email="ann@example.com")
        emulator.set_faults(seed=3, error_rates={429: 1.0})
        deliver_pending(clock=clock)
        row = Delivery.objects.get()
        assert (row.status, row.last_error_status) == (DeliveryStatus.PENDING, 429)
        assert row.next_attempt_at >= clock.now + timedelta(seconds=1)

        clock.advance(0.5)
        assert deliver_pending(clock=clock).total("retried") == 0  # still asked to wait
        emulator.clear_faults()
        clock.advance(0.5)
        assert deliver_pending(clock=clock).total("delivered") == 1
    assert [entry["status"] for entry in emulator.requests] == [429, 200]
