"""Waking a lane once: a lane with a wake on its way gets no second one.

The watch task, the sweeper and a lane put off until its retry is due all find lanes to
wake. Without a memory of what was already woken they woke the same lane again and again
while its first task still waited in the broker: in a measured shop load most
``deliver_lane`` tasks found nothing to do, and hundreds were still queued once the outbox
was empty (``benchmarks/outbox_tasks.py``).

So each waiting row remembers when its lane was last woken for it (``Delivery.kicked_at``).
A lane is woken again only when none of its waiting rows was woken in the last
:data:`KICK_PATIENCE` and no worker holds it: a queued task, or the worker holding the
lane (it delivers the lane until it is empty), takes the newer rows along. A lane whose
worker died (its row in flight past the lease) is always woken. A wake lost with its
message is presumed lost after the patience, and the next sweep sends another.

Rows written by :func:`.store.enqueue` are woken on commit directly (they note the time
when they are written), so the shop's request reads nothing more.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connections, router, transaction
from django.db.models import Q, QuerySet

from django_talonone.models import Delivery, DeliveryStatus

from .claims import take_sqlite_write_lock
from .store import kick

#: How long a wake is trusted to arrive before another is sent for the same lane.
KICK_PATIENCE = timedelta(seconds=30)


def wake_lanes(candidates: QuerySet[Delivery], *, now: datetime) -> list[str]:
    """Wake the lanes of ``candidates`` (rows due now) that need a wake; returns them.

    The lanes chosen are marked woken in the same transaction, and their rows locked
    while it runs (``SKIP LOCKED`` where the database has it), so a sweeper and watches
    running at once choose each lane once. The wakes are sent once the marks are written.
    """
    using = router.db_for_write(Delivery)
    rows = Delivery.objects.using(using)
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "sqlite":
            take_sqlite_write_lock(rows)  # before reading, as a claim does (see .claims)
        held = rows.filter(status=DeliveryStatus.IN_FLIGHT, lease_expires_at__gt=now)
        woken = rows.filter(status=DeliveryStatus.PENDING, kicked_at__gt=now - KICK_PATIENCE)
        orphaned = rows.filter(status=DeliveryStatus.IN_FLIGHT, lease_expires_at__lte=now)
        chosen = candidates.using(using).exclude(lane__in=held.values("lane"))
        chosen = chosen.filter(
            ~Q(lane__in=woken.values("lane")) | Q(lane__in=orphaned.values("lane"))
        )
        if connection.features.has_select_for_update_skip_locked:
            chosen = chosen.select_for_update(skip_locked=True)
        lanes = list(dict.fromkeys(chosen.order_by("id").values_list("lane", flat=True)))
        if lanes:
            note_woken(lanes, at=now, using=using)
    for lane in lanes:  # the task needs no mark: it may run before an outer commit
        kick(lane)
    return lanes


def note_woken(lanes: list[str], *, at: datetime, using: str | None = None) -> None:
    """Record that a wake for ``lanes`` is on its way, due at ``at``."""
    using = using or router.db_for_write(Delivery)
    Delivery.objects.using(using).filter(lane__in=lanes, status=DeliveryStatus.PENDING).update(
        kicked_at=at
    )
