"""Processing: once per X-UUID, failures kept and reprocessed, dead workers replaced."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from django_talonone import signals
from django_talonone.models import Notification, NotificationState
from django_talonone.services.notifications import (
    claim_notification,
    process_notification,
    process_waiting,
    reclaimable,
    reprocess_notifications,
    settle_notification,
)

from .conftest import POINTS_ADDED, SETTINGS, post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def received() -> Iterator[list[Any]]:
    """Every ``loyalty_points_changed`` sent, as its ``change``."""
    seen: list[Any] = []

    def receiver(sender: Any, notification: Notification, change: Any, **kwargs: Any) -> None:
        seen.append(change)

    signals.loyalty_points_changed.connect(receiver, weak=False)
    try:
        yield seen
    finally:
        signals.loyalty_points_changed.disconnect(receiver)


def test_a_replayed_x_uuid_is_acknowledged_and_processed_once(
    client: Client, received: list[Any]
) -> None:
    for _ in range(3):
        assert post(client, POINTS_ADDED, x_uuid="same-uuid").status_code == 200
    row = Notification.objects.get()
    assert row.state == NotificationState.PROCESSED
    assert row.attempts == 1
    assert len(received) == 1


def test_a_replay_of_a_failed_notification_does_not_process_it_again(client: Client) -> None:
    broken = {**POINTS_ADDED, "Amount": "lots"}
    assert post(client, broken, x_uuid="broken-uuid").status_code == 200
    assert post(client, broken, x_uuid="broken-uuid").status_code == 200
    row = Notification.objects.get()
    assert (row.state, row.attempts) == (NotificationState.FAILED, 1)


def test_a_processing_failure_is_kept_and_reprocessing_succeeds(
    client: Client, received: list[Any]
) -> None:
    calls = []

    def flaky(sender: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the shop's receiver failed")

    signals.loyalty_points_changed.connect(flaky, weak=False)
    try:
        assert post(client, POINTS_ADDED).status_code == 200  # stored: Talon.One is done
        row = Notification.objects.get()
        assert row.state == NotificationState.FAILED
        assert row.error == "RuntimeError: the shop's receiver failed"
        assert row.processed_at is None
        assert reprocess_notifications([row.pk]) == 1  # on commit: autocommit here
        row.refresh_from_db()
    finally:
        signals.loyalty_points_changed.disconnect(flaky)
    assert (row.state, row.error, row.attempts) == (NotificationState.PROCESSED, "", 2)
    assert row.processed_at is not None
    assert len(calls) == 2


def test_a_processed_notification_is_not_reprocessed(client: Client, received: list[Any]) -> None:
    post(client, POINTS_ADDED)
    row = Notification.objects.get()
    assert reprocess_notifications([row.pk]) == 0
    assert process_notification(row.pk) is None
    assert len(received) == 1


def test_an_unreadable_field_fails_the_notification_naming_it(client: Client) -> None:
    post(client, {**POINTS_ADDED, "Amount": "12.5"})
    row = Notification.objects.get()
    assert row.state == NotificationState.FAILED
    assert "Amount must be a number" in row.error


def test_a_worker_killed_mid_processing_leaves_the_row_to_another(received: list[Any]) -> None:
    """The first worker claims the row and dies (it never settles); once its lease runs
    out the row is listed and processed by another, and the dead one's late outcome
    would be refused."""
    row = Notification.objects.create(kind="points_added", uuid="killed", payload=POINTS_ADDED)
    start = timezone.now()
    dead_claim = claim_notification(row.pk, now=start)
    assert dead_claim is not None
    assert dead_claim.state == NotificationState.PROCESSING
    seen_before = len(received)

    # While the lease holds, nobody else takes it.
    assert process_notification(row.pk, now=start + timedelta(seconds=30)) is None
    assert row.pk not in reclaimable(now=start + timedelta(seconds=30))
    # Once it ran out (NOTIFICATION_LEASE = 60 s), it is waiting again, and processed.
    later = start + timedelta(seconds=61)
    assert row.pk in reclaimable(now=later)
    assert process_waiting(now=later) == {"processed": 1, "failed": 0, "skipped": 0}
    row.refresh_from_db()
    assert (row.state, row.attempts) == (NotificationState.PROCESSED, 2)
    assert len(received) == seen_before + 1
    # The dead worker's claim can no longer settle the row.
    assert not settle_notification(dead_claim, state=NotificationState.FAILED, error="late")
    row.refresh_from_db()
    assert row.state == NotificationState.PROCESSED


def test_two_claims_of_one_row_give_it_to_one_worker() -> None:
    row = Notification.objects.create(kind="points_added", uuid="race", payload=POINTS_ADDED)
    now = timezone.now()
    first = claim_notification(row.pk, now=now)
    second = claim_notification(row.pk, now=now)
    assert first is not None
    assert second is None


def test_inline_processing_runs_in_the_request(client: Client, received: list[Any]) -> None:
    with override_settings(TALONONE={**SETTINGS, "NOTIFICATION_PROCESSING": "inline"}):
        assert post(client, POINTS_ADDED).status_code == 200
    assert Notification.objects.get().state == NotificationState.PROCESSED
    assert len(received) == 1


def test_the_command_processes_waiting_and_with_failed_the_failed(
    client: Client, received: list[Any]
) -> None:
    waiting = Notification.objects.create(kind="points_added", uuid="w", payload=POINTS_ADDED)
    failed = Notification.objects.create(
        kind="points_added", uuid="f", payload=POINTS_ADDED, state="failed", error="x"
    )
    call_command("talonone_process_notifications", verbosity=0)
    waiting.refresh_from_db()
    failed.refresh_from_db()
    assert (waiting.state, failed.state) == ("processed", "failed")
    call_command("talonone_process_notifications", "--failed", verbosity=0)
    failed.refresh_from_db()
    assert failed.state == "processed"
    assert len(received) == 2


def test_the_command_processes_one_notification_by_id(received: list[Any]) -> None:
    one = Notification.objects.create(kind="points_added", uuid="1", payload=POINTS_ADDED)
    other = Notification.objects.create(kind="points_added", uuid="2", payload=POINTS_ADDED)
    call_command("talonone_process_notifications", "--id", str(one.pk), verbosity=0)
    one.refresh_from_db()
    other.refresh_from_db()
    assert (one.state, other.state) == ("processed", "received")


def test_the_sweep_task_processes_what_waits(received: list[Any]) -> None:
    from django_talonone.tasks import sweep_notifications

    stuck = Notification.objects.create(
        kind="points_added",
        uuid="stuck",
        payload=POINTS_ADDED,
        state=NotificationState.PROCESSING,
        attempts=1,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert sweep_notifications() == {"processed": 1, "failed": 0, "skipped": 0}
    stuck.refresh_from_db()
    assert (stuck.state, stuck.attempts) == (NotificationState.PROCESSED, 2)
