"""A lane is woken once: the watch's polls, the sweeper and a retry's own wake share one
memory of what is on its way (``Delivery.kicked_at``), so no task is sent for a lane
whose task is still queued or whose worker is delivering it (issue: no wasted tasks)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from celery import Celery, signals

from django_talonone.models import Delivery, DeliveryStatus
from django_talonone.outbox import sweep
from django_talonone.outbox.snapshots import watch
from django_talonone.outbox.wakes import KICK_PATIENCE, note_woken
from tests.clocks import OutboxClock

from .conftest import unwoken_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(_eager_celery: Celery) -> Iterator[list[str]]:
    """Lanes of the ``deliver_lane`` tasks published (queued, not run) during the test."""
    lanes: list[str] = []

    def record(sender: str | None = None, body: Any = None, **kwargs: Any) -> None:
        if sender == "talonone.deliver_lane":
            lanes.append(body[0][0])

    conf = _eager_celery.conf
    conf.task_always_eager = False
    signals.before_task_publish.connect(record, weak=False)
    try:
        yield lanes
    finally:
        signals.before_task_publish.disconnect(record)
        conf.task_always_eager = True


_waiting = unwoken_row


def test_the_watch_and_the_sweeper_wake_each_lane_once(
    published: list[str], clock: OutboxClock
) -> None:
    first = _waiting("ann")
    _waiting("ann")
    second = _waiting("bob")
    assert watch(first.pk - 1) == ([first.lane, second.lane], second.pk)
    # The poll of overlap, another process's watch and the sweeper find the same rows.
    assert watch(first.pk - 1) == ([], second.pk)
    assert sweep() == []
    assert published == [first.lane, second.lane]


def test_a_newer_row_rides_on_the_wake_already_queued(published: list[str]) -> None:
    first = _waiting("ann")
    watch(first.pk - 1)
    later = _waiting("ann")  # the queued task delivers the lane until it is empty
    assert watch(first.pk) == ([], later.pk)
    assert published == [first.lane]


def test_a_lane_whose_wake_was_lost_is_woken_again_after_the_patience(
    published: list[str], clock: OutboxClock
) -> None:
    row = _waiting("ann")
    assert sweep(clock=clock) == [row.lane]
    clock.advance(KICK_PATIENCE.total_seconds() - 1)
    assert sweep(clock=clock) == []
    clock.advance(2)
    assert sweep(clock=clock) == [row.lane]
    assert published == [row.lane, row.lane]


def test_a_held_lane_is_left_to_its_worker_and_an_orphaned_one_is_woken(
    published: list[str], clock: OutboxClock
) -> None:
    held = _waiting("held")
    _waiting("held")
    orphaned = _waiting("orphan")
    _waiting("orphan")
    note_woken([orphaned.lane], at=clock.now)
    lease = {"status": DeliveryStatus.IN_FLIGHT}
    Delivery.objects.filter(pk=held.pk).update(
        **lease, lease_expires_at=clock.now + timedelta(seconds=60)
    )
    Delivery.objects.filter(pk=orphaned.pk).update(
        **lease, lease_expires_at=clock.now - timedelta(seconds=1)
    )
    # The held lane's worker delivers the row behind its head; the orphan's died.
    assert sweep(clock=clock) == [orphaned.lane]
    assert published == [orphaned.lane]


def test_a_lane_put_off_until_its_retry_is_not_woken_before_then(
    published: list[str], clock: OutboxClock
) -> None:
    row = _waiting("ann")
    retry_at = clock.now + timedelta(seconds=20)
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=retry_at)
    note_woken([row.lane], at=retry_at)  # what deliver_lane_task does with its eta
    clock.advance(21)
    assert sweep(clock=clock) == []
    clock.advance(KICK_PATIENCE.total_seconds())
    assert sweep(clock=clock) == [row.lane]


def test_a_wake_the_broker_refused_leaves_the_lane_to_the_next_sweep(
    clock: OutboxClock, celery_test_app: Celery
) -> None:
    row = _waiting("ann")
    # Nothing listens on port 1: publishing fails at once, as with a broker that is down.
    broken = Celery("broken-broker", broker="redis://127.0.0.1:1/0", set_as_current=True)
    broken.conf.update(task_publish_retry=False, broker_transport_options={"max_retries": 0})
    try:
        assert sweep(clock=clock) == [row.lane]
    finally:
        celery_test_app.set_current()
    assert Delivery.objects.get(pk=row.pk).kicked_at is None
