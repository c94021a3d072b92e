"""Celery tasks of django-talonone (importing this module needs Celery installed).

Outbox delivery lives in :mod:`.delivery`, bulk operations started from admin actions and
management commands in :mod:`.bulk`. Every task takes ids or lane names only, is
idempotent and acknowledges late, so a redelivered message is harmless.
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
from .queue import CeleryQueue

__all__ = [
    "CeleryQueue",
    "create_referral_codes_task",
    "delete_audiences_task",
    "deliver_lane_task",
    "erase_customers_task",
    "sweep_outbox",
    "sync_audiences_task",
    "sync_profiles_task",
    "sync_reservations_task",
    "watch_outbox",
]
