"""Two deliveries of one notification at the same moment, on PostgreSQL: processed once.

Talon.One retries a delivery it thinks failed, so the same ``X-UUID`` can arrive while
the first delivery's request is still in its transaction. Neither request then sees the
other's row when it looks: the second one's INSERT waits on the unique index, and once the
first commits it must acknowledge the delivery as a duplicate, not fail with a 500 (which
Talon.One would retry for ten minutes) and not process it a second time.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

import pytest
from django.db import connections, transaction
from django.test import Client, override_settings

from django_talonone import signals
from django_talonone.models import Notification, NotificationState
from django_talonone.services.notifications import receive_notification
from tests.integration.locks import waiting_on_a_lock

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 10.0
SECRET = "race-notification-secret-3f9a1c"
PUSHED = {
    "NotificationType": "LoyaltyPointsAdded",
    "ProfileIntegrationID": "racing-customer",
    "LoyaltyProgramID": 5,
    "SubledgerID": "",
    "Amount": 10,
    "Reason": "Order close",
    "TypeOfChange": "rule_engine",
    "Operation": "addition",
}
SETTINGS = {
    "BASE_URL": "http://talonone.emulator",
    "API_KEY": "test-api-key",
    "NOTIFICATION_SECRETS": [SECRET],
    "NOTIFICATION_PROCESSING": "inline",
}


def test_the_same_x_uuid_arriving_twice_at_once_is_processed_once() -> None:
    processed: list[Any] = []

    def receiver(sender: Any, change: Any, **kwargs: Any) -> None:
        processed.append(change)

    signals.loyalty_points_changed.connect(receiver, weak=False)
    first_stored, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                outcome["first"] = receive_notification(PUSHED, uuid="racing-uuid").duplicate
                first_stored.set()
                release.wait(WAIT)  # commit only once the second delivery is waiting
        finally:
            connections.close_all()

    def second() -> None:
        first_stored.wait(WAIT)
        try:
            credentials = base64.b64encode(f"talonone:{SECRET}".encode()).decode()
            reply = Client().post(
                "/talonone/notifications/",
                data=json.dumps(PUSHED),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Basic {credentials}",
                HTTP_X_UUID="racing-uuid",
            )
            outcome["second"] = reply.status_code
        finally:
            connections.close_all()

    try:
        with override_settings(TALONONE=SETTINGS, ROOT_URLCONF="tests.notifications.urls"):
            threads = [threading.Thread(target=first), threading.Thread(target=second)]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + WAIT
            while not waiting_on_a_lock() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert waiting_on_a_lock(), "the second delivery never waited on the first's row"
            release.set()
            for thread in threads:
                thread.join(WAIT)
    finally:
        signals.loyalty_points_changed.disconnect(receiver)

    assert outcome == {"first": False, "second": 200}
    row = Notification.objects.get()
    assert (row.uuid, row.state, row.attempts) == ("racing-uuid", NotificationState.PROCESSED, 1)
    assert len(processed) == 1
