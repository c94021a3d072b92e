"""Celery tasks of django-talonone (importing this module needs Celery installed).

Outbox delivery lives in :mod:`.delivery`, bulk operations started from admin actions and
management commands in :mod:`.bulk`, Talon.One's notifications in :mod:`.notifications`.
Every task takes ids or lane names only, is idempotent and acknowledges late, so a
redelivered message is harmless.
"""

from __future__ import annotations

from .bulk import (
    create_referral_codes_task,
    delete_audiences_task,
    erase_customers_task,
    sync_audiences_task,
    sync_profiles_task,
    sync_reservations_task,
)
from .delivery import deliver_lane_task, sweep_outbox, watch_outbox
from .notifications import process_notification_task, sweep_notifications
from .queue import CeleryQueue

__all__ = [
    "CeleryQueue",
    "create_referral_codes_task",
    "delete_audiences_task",
    "deliver_lane_task",
    "erase_customers_task",
    "process_notification_task",
    "sweep_notifications",
    "sweep_outbox",
    "sync_audiences_task",
    "sync_profiles_task",
    "sync_reservations_task",
    "watch_outbox",
]
