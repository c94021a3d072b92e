"""Dead deliveries: staff retry them, or discard a call that can never succeed.

A dead row holds its lane (a cancel must not overtake the close that failed). Retrying
puts it back with a fresh attempt budget, which only helps when what failed has been
fixed; a dead return is not retried once a later refund of the order returns one of its
lines, since both would then be applied. Discarding keeps the row for the record, frees
the lane for the rows behind it and announces it with ``delivery_discarded``, so the shop
can reconcile by hand what Talon.One never got.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import router, transaction
from django.db.models import QuerySet

from django_talonone.models import Delivery, DeliveryStatus, Operation, ReturnState
from django_talonone.outbox.store import discard_dead, retry_dead
from django_talonone.signals import delivery_discarded

__all__ = ["RetryOutcome", "discard_deliveries", "retry_deliveries"]

logger = logging.getLogger("django_talonone.services")


@dataclass(frozen=True)
class RetryOutcome:
    #: How many dead rows went back to their lanes.
    retried: int
    #: Dead rows left dead, with why (discard them instead).
    refused: list[tuple[Delivery, str]] = field(default_factory=list)


def _overtaken(row: Delivery) -> str | None:
    """Why retrying the dead return ``row`` would return lines twice, or ``None``."""
    failed = row.session_return
    if row.operation != Operation.RETURN_ITEMS or failed is None:
        return None
    positions = {item.get("position") for item in failed.items}
    later = failed.session.returns.filter(
        pk__gt=failed.pk, state__in=[ReturnState.PENDING, ReturnState.DONE]
    )
    for other in later.order_by("pk"):
        shared = sorted(positions & {item.get("position") for item in other.items})
        if shared:
            return (
                f"a later refund (return {other.idempotency_key}) returns position(s) "
                f"{', '.join(map(str, shared))} of this one: retrying would return them "
                "twice; discard this delivery instead"
            )
    return None


def retry_deliveries(rows: QuerySet[Delivery] | Iterable[int]) -> RetryOutcome:
    """Put the dead rows among ``rows`` back in their lanes, except those a retry would
    make wrong (a return overtaken by a later refund of the same lines)."""
    ids = list(rows.values_list("pk", flat=True)) if isinstance(rows, QuerySet) else list(rows)
    using = router.db_for_write(Delivery)
    with transaction.atomic(using=using):
        dead = (
            Delivery.objects.using(using)
            .select_for_update()
            .filter(pk__in=ids, status=DeliveryStatus.DEAD)
            .select_related("session_return__session")
        )
        refused: list[tuple[Delivery, str]] = []
        allowed: list[int] = []
        for row in dead:
            reason = _overtaken(row)
            if reason is None:
                allowed.append(row.pk)
            else:
                refused.append((row, reason))
        return RetryOutcome(retry_dead(allowed), refused)


def discard_deliveries(
    rows: QuerySet[Delivery] | Iterable[int], *, user: Any = None, reason: str = ""
) -> list[Delivery]:
    """Discard the dead rows among ``rows``; returns those discarded (others are left).

    Their lanes are woken after the commit; ``delivery_discarded`` is sent once per row,
    after the commit too, with ``user`` and ``reason``.
    """
    using = router.db_for_write(Delivery)
    with transaction.atomic(using=using):
        discarded = discard_dead(rows)
        for row in discarded:
            logger.warning(
                "Outbox delivery #%s (%s, lane %s) discarded%s; it was dead: %s",
                row.pk,
                row.operation,
                row.lane,
                f" by {user}" if user is not None else "",
                row.last_error,
            )
            transaction.on_commit(
                partial(
                    delivery_discarded.send,
                    sender=Delivery,
                    delivery=row,
                    user=user,
                    reason=reason,
                ),
                using=using,
            )
    return discarded
