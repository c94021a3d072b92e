"""Sending one state-changing call the way ``TALONONE['DELIVERY']`` says: outbox or sync.

Both modes write the call to the outbox in the caller's transaction, so nothing is lost
either way. "sync" then delivers that lane in this process right after the commit (through
the delivery-purpose client, recording the reply) instead of waiting for a Celery worker;
if that attempt fails the row simply stays queued for the worker's retries.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from django.db import router, transaction

from django_talonone.conf import get_settings
from django_talonone.models import CustomerSession, Delivery, Operation, SessionReturn
from django_talonone.outbox.store import enqueue

logger = logging.getLogger("django_talonone.services")


def send(
    event: str,
    operation: Operation | str,
    *,
    lane: str,
    args: Sequence[str | int] = (),
    body: Mapping[str, Any] | None = None,
    session: CustomerSession | None = None,
    session_return: SessionReturn | None = None,
    supersedable: bool = False,
    reference: Mapping[str, Any] | None = None,
    application: str | None = None,
) -> Delivery:
    """Queue the call for ``event`` (a ``DELIVERY`` key) and, in sync mode, deliver it now."""
    sync = get_settings().delivery_mode(event) == "sync"
    delivery = enqueue(
        operation,
        lane=lane,
        args=args,
        body=body,
        session=session,
        session_return=session_return,
        supersedable=supersedable,
        wake=not sync,
        reference=reference,
        application=application,
    )
    if sync:
        transaction.on_commit(partial(_deliver_now, lane), using=router.db_for_write(Delivery))
    return delivery


def _deliver_now(lane: str) -> None:
    """Deliver ``lane`` here; hand Celery only what is left (a retry, a batch cut short)."""
    from django_talonone.outbox.claims import LaneState
    from django_talonone.outbox.runner import deliver_lane
    from django_talonone.outbox.store import kick

    try:
        result = deliver_lane(lane)
    except Exception:
        # The shop's transaction has committed and the row is safe in the outbox; a
        # delivery problem must not turn a successful checkout into an error page.
        logger.exception("Synchronous delivery of outbox lane %s failed; it stays queued", lane)
        kick(lane)
        return
    if result.more or result.state == LaneState.WAITING:
        kick(lane)
