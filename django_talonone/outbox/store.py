"""Writing rows to the outbox, putting dead rows back, and waking the delivery task.

Rows are written in the caller's transaction; the Celery task is queued only once that
transaction commits (``transaction.on_commit``), so a rolled-back order never reaches
Talon.One. Task arguments are lane names only, never payloads or keys. If the task cannot
be queued (Celery missing, broker down), the row still waits safely in the database for
the sweeper or ``manage.py talonone_deliver``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from django.db import router, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from django_talonone.conf_applications import DEFAULT_APPLICATION
from django_talonone.models import (
    CustomerSession,
    Delivery,
    DeliveryStatus,
    Operation,
    ReturnState,
    SessionReturn,
)
from django_talonone.signals import delivery_dead

from .hooks import hooks
from .lanes import MAX_LANE_LENGTH
from .payload import encode_payload

__all__ = [
    "delivery_dead",
    "discard_dead",
    "enqueue",
    "kick",
    "retry_dead",
    "supersede",
]

logger = logging.getLogger("django_talonone.outbox")


def kick(lane: str) -> None:
    """Queue the delivery task for ``lane``; failures only log (the sweeper catches up)."""
    waker = hooks().waker
    if waker is None:
        logger.debug("Celery is not installed; outbox lane %s waits for talonone_deliver", lane)
        return
    try:
        waker.kick(lane)
    except Exception as error:
        # The broker's error text can embed its URL and password: log the type only.
        logger.warning(
            "Could not queue delivery of outbox lane %s (%s); the sweeper will deliver it.",
            lane,
            type(error).__name__,
        )
        # No wake is on its way: let the next sweep send one (see .wakes).
        Delivery.objects.using(router.db_for_write(Delivery)).filter(
            lane=lane, status=DeliveryStatus.PENDING
        ).update(kicked_at=None)


#: The rows a newer row or a re-run can take over from: waiting, or dead.
SUPERSEDABLE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.DEAD)


def supersede(rows: QuerySet[Delivery]) -> int:
    """Retire those of ``rows`` whose work a newer row carries; returns how many.

    The one writer of ``superseded``: callers choose which rows (older snapshots of a
    cart, a dead batch before its re-run...); only waiting and dead rows ever move, so a
    row being sent, or one already finished, is never rewritten under its worker.
    """
    return int(
        rows.filter(status__in=SUPERSEDABLE_STATUSES).update(
            status=DeliveryStatus.SUPERSEDED, updated_at=timezone.now()
        )
    )


def _supersede_older(lane: str, using: str) -> None:
    """Retire pending snapshots of ``lane`` that nothing non-supersedable follows."""
    rows = Delivery.objects.using(using).filter(lane=lane)
    barrier = rows.filter(supersedable=False).aggregate(last=Max("id"))["last"] or 0
    supersede(rows.filter(supersedable=True, status=DeliveryStatus.PENDING, id__gt=barrier))


def enqueue(
    operation: Operation | str,
    *,
    lane: str,
    args: Sequence[str | int] = (),
    body: Mapping[str, Any] | None = None,
    query: Mapping[str, Any] | None = None,
    session: CustomerSession | None = None,
    session_return: SessionReturn | None = None,
    supersedable: bool = False,
    wake: bool = True,
    reference: Mapping[str, Any] | None = None,
    application: str | None = None,
) -> Delivery:
    """Write one Talon.One call to the outbox, to be delivered after the commit.

    ``reference`` is stored next to the call (e.g. ``{"order": ...}``) for a call whose
    body is built when it is delivered, by the ``prepare`` hook.

    ``supersedable=True`` marks an open-cart snapshot: older pending snapshots of the same
    lane with nothing else queued after them are marked superseded, so only the newest
    is sent. In-flight rows are never touched. ``wake=False`` leaves the Celery kick to
    the caller (sync delivery mode delivers the lane in-process and kicks what is left).
    ``application`` is the Application whose key sends the call: a session's row always
    goes where the session lives, whatever is given.
    """
    operation = Operation(operation)
    if not isinstance(lane, str) or not lane or len(lane) > MAX_LANE_LENGTH:
        raise ValueError(f"lane must be a non-empty string of at most {MAX_LANE_LENGTH} chars")
    payload = encode_payload(args, body, query)
    payload.update(reference or {})
    using = router.db_for_write(Delivery)
    with transaction.atomic(using=using):
        if supersedable:
            _supersede_older(lane, using)
        delivery = Delivery.objects.using(using).create(
            operation=operation,
            lane=lane,
            payload=payload,
            supersedable=supersedable,
            session=session,
            session_return=session_return,
            kicked_at=timezone.now() if wake else None,
            application=session.application
            if session is not None
            else application or DEFAULT_APPLICATION,
        )
        if wake:
            transaction.on_commit(partial(kick, lane), using=using)
    return delivery


def retry_dead(rows: QuerySet[Delivery] | Iterable[int]) -> int:
    """Put dead rows back to pending with a fresh attempt budget; returns how many.

    Other rows in ``rows`` are left alone. Linked returns go back to pending too, and each
    affected lane is woken after the commit.
    """
    if isinstance(rows, QuerySet):
        ids = list(rows.values_list("pk", flat=True))
    else:
        ids = [int(pk) for pk in rows]
    using = router.db_for_write(Delivery)
    now = timezone.now()
    with transaction.atomic(using=using):
        dead = Delivery.objects.using(using).filter(pk__in=ids, status=DeliveryStatus.DEAD)
        lanes = sorted(set(dead.values_list("lane", flat=True)))
        return_ids = [pk for pk in dead.values_list("session_return", flat=True) if pk]
        count = dead.update(
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            lease_expires_at=None,
            updated_at=now,
        )
        SessionReturn.objects.using(using).filter(
            pk__in=return_ids, state=ReturnState.FAILED
        ).update(state=ReturnState.PENDING, updated_at=now)
        for lane in lanes:
            transaction.on_commit(partial(kick, lane), using=using)
    return int(count)


def discard_dead(rows: QuerySet[Delivery] | Iterable[int]) -> list[Delivery]:
    """Give up on dead rows: mark them discarded so their lanes move on; returns them.

    Only dead rows are touched (a pending or done one is left alone). The row, its payload
    and its last error are kept for the record; a linked return stays failed, so it holds
    no units. Each affected lane is woken after the commit.
    """
    if isinstance(rows, QuerySet):
        ids = list(rows.values_list("pk", flat=True))
    else:
        ids = [int(pk) for pk in rows]
    using = router.db_for_write(Delivery)
    with transaction.atomic(using=using):
        dead = list(
            Delivery.objects.using(using)
            .select_for_update()
            .filter(pk__in=ids, status=DeliveryStatus.DEAD)
            .order_by("id")
        )
        now = timezone.now()
        Delivery.objects.using(using).filter(pk__in=[row.pk for row in dead]).update(
            status=DeliveryStatus.DISCARDED, updated_at=now
        )
        for row in dead:
            row.status, row.updated_at = DeliveryStatus.DISCARDED, now
        for lane in sorted({row.lane for row in dead}):
            transaction.on_commit(partial(kick, lane), using=using)
    return dead
