"""Celery tasks of Talon.One's notifications: process one, and sweep what waits.

They take row ids only, never payloads. Processing claims the row with a compare-and-swap
(``services.notifications``), so a duplicate or redelivered message finds nothing to
claim: that is what makes ``acks_late`` (redeliver if the worker dies) safe.
"""

from __future__ import annotations

from celery import shared_task  # type: ignore[import-untyped]

from django_talonone.services import notifications


@shared_task(  # type: ignore[untyped-decorator]
    name="talonone.process_notification", acks_late=True, ignore_result=True
)
def process_notification_task(notification_id: int) -> str | None:
    """Process one stored notification; its new state, or ``None`` if it was not free."""
    return notifications.process_notification(notification_id)


@shared_task(  # type: ignore[untyped-decorator]
    name="talonone.sweep_notifications", acks_late=True, ignore_result=True
)
def sweep_notifications() -> dict[str, int]:
    """Process notifications left waiting (a lost message, a worker that died mid-way);
    run it from Celery beat. Failed ones wait for staff (admin or command)."""
    return notifications.process_waiting()
