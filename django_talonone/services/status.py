"""How the outbox is doing, in three numbers staff can act on (the admin's status panel).

Dead rows hold their lane until staff retry or discard them; rows waiting far longer than
a delivery takes mean no worker is running or Talon.One keeps failing; the last delivery
says when Talon.One last heard from the shop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from django_talonone.conf import get_settings
from django_talonone.models import Delivery, DeliveryStatus

#: Rows still to be sent: waiting for a worker, or being sent right now.
WAITING = (DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT)
#: Finished rows looked at for the last delivery time.
RECENT_ROWS = 200


@dataclass(frozen=True)
class OutboxStatus:
    dead: int
    stalled: int
    #: Rows written before this are stalled when still waiting.
    stalled_before: dt.datetime
    stalled_after: dt.timedelta
    last_delivered_at: dt.datetime | None

    @property
    def healthy(self) -> bool:
        return not self.dead and not self.stalled


def outbox_status(now: dt.datetime | None = None) -> OutboxStatus:
    """Count dead and stalled rows, and find the last delivery (three bounded queries)."""
    after = dt.timedelta(seconds=get_settings().outbox_stalled_after)
    before = (now or timezone.now()) - after
    dead = Delivery.objects.filter(status=DeliveryStatus.DEAD).count()
    stalled = Delivery.objects.filter(status__in=WAITING, created_at__lt=before).count()
    # The newest rows by id, not an aggregate over a table of millions: rows finish in
    # roughly the order they were written, and delivered_at has no index of its own.
    recent = (
        Delivery.objects.filter(status=DeliveryStatus.DONE, delivered_at__isnull=False)
        .order_by("-id")
        .values_list("delivered_at", flat=True)[:RECENT_ROWS]
    )
    last = max((moment for moment in recent if moment is not None), default=None)
    return OutboxStatus(dead, stalled, before, after, last)
