"""The notification tasks: ``acks_late``, and what recovery after a dead worker relies on.

``acks_late`` only makes the broker redeliver a message whose worker died before the
task returned (and, with Celery's defaults, not when just the child process is killed). A
redelivered message finds the row still leased by the dead worker and does nothing; the
row is recovered by the sweep (or the command) once ``NOTIFICATION_LEASE`` has run out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from django_talonone.models import Notification, NotificationState
from django_talonone.services.notifications import claim_notification
from django_talonone.tasks.notifications import process_notification_task, sweep_notifications

from .conftest import POINTS_ADDED, SETTINGS

pytestmark = pytest.mark.django_db(transaction=True)

LEASE = timedelta(seconds=SETTINGS["NOTIFICATION_LEASE"])


def test_the_tasks_are_acked_late_and_keep_no_result() -> None:
    assert process_notification_task.name == "talonone.process_notification"
    assert sweep_notifications.name == "talonone.sweep_notifications"
    for task in (process_notification_task, sweep_notifications):
        assert task.acks_late is True
        assert task.ignore_result is True


def _claimed_by_a_dead_worker(uuid: str, *, claimed_at: datetime) -> Notification:
    row = Notification.objects.create(kind="points_added", uuid=uuid, payload=POINTS_ADDED)
    assert claim_notification(row.pk, now=claimed_at) is not None  # and never settled
    return row


def test_a_redelivered_message_skips_a_leased_row_and_the_sweep_recovers_it() -> None:
    now = timezone.now()
    leased = _claimed_by_a_dead_worker("still-leased", claimed_at=now)
    expired = _claimed_by_a_dead_worker("lease-ran-out", claimed_at=now - LEASE - LEASE)

    # The acks_late redelivery of the dead worker's message: the row is not free.
    assert process_notification_task.apply(args=[leased.pk]).get() is None
    leased.refresh_from_db()
    assert (leased.state, leased.attempts) == (NotificationState.PROCESSING, 1)

    # The beat sweep takes over what the lease no longer holds, and only that.
    assert sweep_notifications.apply().get() == {"processed": 1, "failed": 0, "skipped": 0}
    expired.refresh_from_db()
    leased.refresh_from_db()
    assert (expired.state, expired.attempts) == (NotificationState.PROCESSED, 2)
    assert leased.state == NotificationState.PROCESSING


def test_without_beat_the_command_recovers_a_row_whose_lease_ran_out() -> None:
    row = _claimed_by_a_dead_worker("cron", claimed_at=timezone.now() - LEASE - LEASE)
    call_command("talonone_process_notifications")
    row.refresh_from_db()
    assert (row.state, row.attempts) == (NotificationState.PROCESSED, 2)
