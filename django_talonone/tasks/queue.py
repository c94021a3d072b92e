"""The app's Celery tasks as one object the layers below are given (``apps.ready``).

The outbox core wakes lanes through it (it is the outbox's ``Waker``) and the bulk
services start their jobs through it, so neither imports this package, which needs Celery.
"""

from __future__ import annotations

from typing import Any

from . import bulk
from .delivery import deliver_lane_task, watch_outbox
from .notifications import process_notification_task

#: The bulk tasks the services may start, by the name they use.
BULK_TASKS = {
    "create_referral_codes_task": bulk.create_referral_codes_task,
    "delete_audiences_task": bulk.delete_audiences_task,
    "erase_customers_task": bulk.erase_customers_task,
    "sync_audiences_task": bulk.sync_audiences_task,
    "sync_profiles_task": bulk.sync_profiles_task,
    "sync_reservations_task": bulk.sync_reservations_task,
}


class CeleryQueue:
    """The tasks, on the current Celery app."""

    @property
    def eager(self) -> bool:
        """Whether a task runs at once, here (eager Celery: tests, the demo)."""
        return bool(deliver_lane_task.app.conf.task_always_eager)

    def kick(self, lane: str) -> None:
        deliver_lane_task.delay(lane)

    def watch(self, floor: int, polls: int) -> None:
        watch_outbox.delay(floor, floor, polls)

    def process_notification(self, notification_id: int) -> None:
        process_notification_task.delay(notification_id)

    def task_label(self, task_name: str) -> str:
        """The Celery name of a bulk task (``talonone.sync_profiles``), for messages."""
        return str(BULK_TASKS[task_name].name)

    def start(self, task_name: str, *args: Any) -> None:
        """Queue the bulk task ``task_name`` with ``args``; a broker error is raised."""
        BULK_TASKS[task_name].delay(*args)
