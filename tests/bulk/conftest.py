"""Bulk tests: the real client against the in-process emulator, Celery eager.

Tests commit for real (``transaction=True``): outbox rows and bulk tasks are queued on
commit, and eager Celery runs them right after.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.test import override_settings

from django_talonone.models import Delivery, DeliveryStatus
from django_talonone.testing import TalonOneHarness, talonone

__all__ = ["talonone"]


def calls(talonone: TalonOneHarness, operation: str) -> list[dict[str, Any]]:
    """The bodies the emulator received for ``operation``, oldest first."""
    return [entry["requestBody"] for entry in talonone.requests(operation)]


@contextmanager
def one_attempt() -> Iterator[None]:
    """Outbox rows die at their first failure (instead of waiting in backoff)."""
    with override_settings(TALONONE={**settings.TALONONE, "OUTBOX_MAX_ATTEMPTS": 1}):
        yield


def statuses(**filters: Any) -> list[str]:
    return list(Delivery.objects.filter(**filters).order_by("id").values_list("status", flat=True))


DONE = DeliveryStatus.DONE
