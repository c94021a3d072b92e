"""Celery tasks of the outbox: lane delivery, the snapshot watch and the sweeper.

Arguments are lane names (a session, cart or profile id) or outbox row ids, never payloads
or keys. The tasks are idempotent: a duplicate or redelivered message finds nothing to
claim, which is what makes ``acks_late`` (redeliver if a worker dies mid-task) safe.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task  # type: ignore[import-untyped]
from django.utils import timezone

from django_talonone.outbox import LaneState, deliver_lane, sweep
from django_talonone.outbox.snapshots import WATCH_EVERY, watch
from django_talonone.outbox.wakes import note_woken


@shared_task(  # type: ignore[untyped-decorator]
    name="talonone.deliver_lane", bind=True, acks_late=True, ignore_result=True
)
def deliver_lane_task(self: Task, lane: str) -> dict[str, Any]:
    """Deliver ``lane`` until it is empty or blocked, then stop.

    A lane cut off at the batch limit is re-queued; a lane in backoff is re-queued for
    when its retry is due (the sweeper catches it too, should that message be lost).
    Eager runs never re-queue: they would run again at once and loop.
    """
    result = deliver_lane(lane)
    if not self.request.is_eager:
        # Noted as woken, so the sweeper and the watch leave the lane to this wake.
        if result.more:
            note_woken([lane], at=timezone.now())
            self.apply_async((lane,))
        elif result.state == LaneState.WAITING and result.wake_at is not None:
            note_woken([lane], at=result.wake_at)
            self.apply_async((lane,), eta=result.wake_at)
    return {
        "lane": lane,
        "delivered": result.delivered,
        "retried": result.retried,
        "dead": result.dead,
        "state": result.state.value,
    }


@shared_task(  # type: ignore[untyped-decorator]
    name="talonone.sweep_outbox", acks_late=True, ignore_result=True
)
def sweep_outbox() -> list[str]:
    """Wake the lanes whose retry is due or whose worker died (run it from Celery beat)."""
    return sweep()


@shared_task(  # type: ignore[untyped-decorator]
    name="talonone.watch_outbox", bind=True, acks_late=True, ignore_result=True
)
def watch_outbox(self: Task, floor: int, seen: int, polls: int) -> list[str]:
    """Kick the lanes of rows above ``floor``, then poll again ``polls - 1`` times.

    ``seen`` is the highest id the previous poll saw: it becomes the next poll's floor,
    so each poll looks again at the rows of the one before (see ``outbox.snapshots``).
    Eager runs poll once: they would not wait between polls.
    """
    lanes, newest = watch(floor)
    if polls > 1 and not self.request.is_eager:
        self.apply_async((seen, max(seen, newest), polls - 1), countdown=WATCH_EVERY)
    return lanes
