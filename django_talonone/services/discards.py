"""Discarding dead deliveries: staff's way out of a call that can never succeed.

A dead row holds its lane (a cancel must not overtake the close that failed), and
``retry_dead`` only fails again when the call itself is wrong. Discarding keeps the row
for the record, frees the lane for the rows behind it and announces it with
``delivery_discarded``, so the shop can reconcile by hand what Talon.One never got.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import router, transaction
from django.db.models import QuerySet

from django_talonone.models import Delivery
from django_talonone.outbox.store import discard_dead
from django_talonone.signals import delivery_discarded

__all__ = ["discard_deliveries"]

logger = logging.getLogger("django_talonone.services")


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
